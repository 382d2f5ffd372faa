"""The guided forms' own phrases (dialogs/texts.yaml): buttons, mix-ups, failures, case handling,
lists and the compilation; and the words the coordinators' commands recognise (dialogs/words.yaml).

Loaded once by the composition root (dialogs.build_flows) and handed to each flow; nothing
here is a module-level registry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

TEXTS_FILE = Path(__file__).with_name("texts.yaml")
WORDS_FILE = Path(__file__).with_name("words.yaml")


@dataclass(frozen=True)
class Texts:
    table: Mapping[str, str]

    def __call__(self, key: str, **values: Any) -> str:
        text = self.table[key]
        return text.format(**values) if values else text


def load_texts(path: Path = TEXTS_FILE) -> Texts:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f'{path}: every entry is key: "text"')
    return Texts(MappingProxyType(dict(data)))


@cache
def dialog_texts() -> Texts:
    """The texts file, read once, for the case-handling and report modules that are plain
    functions rather than flows (receipts, lists, export, compilation)."""
    return load_texts()


@dataclass(frozen=True)
class StatusWords:
    """Typed words that select stored statuses in a filter, and the label shown for them."""

    pattern: str  # the words as one regular expression alternative ("under utredning|utreds")
    statuses: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Words:
    deviation_statuses: tuple[StatusWords, ...]
    request_statuses: tuple[StatusWords, ...]
    filler: frozenset[str]
    request_filler: frozenset[str]
    request_kinds: Mapping[str, str]
    link_kinds: Mapping[str, str]
    link_everywhere: frozenset[str]


def _words(path: Path, key: str, value: Any) -> tuple[str, ...]:
    items = value.split() if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items or not all(isinstance(w, str) and w for w in items):
        raise ValueError(f"{path}: {key}: a list of words")
    return tuple(items)


def _statuses(path: Path, key: str, entries: Any) -> tuple[StatusWords, ...]:
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: {key}: a list of entries with words, statuses and label")
    found = []
    for n, entry in enumerate(entries, 1):
        where = f"{key} #{n}"
        if not isinstance(entry, dict) or set(entry) != {"words", "statuses", "label"}:
            raise ValueError(f"{path}: {where}: needs exactly words, statuses and label")
        if not isinstance(entry["label"], str) or not entry["label"].strip():
            raise ValueError(f"{path}: {where}: label is a text")
        words = _words(path, f"{where} words", entry["words"])
        pattern = "|".join(re.escape(w) for w in words)
        found.append(StatusWords(pattern, _words(path, f"{where} statuses", entry["statuses"]), entry["label"]))
    return tuple(found)


def _table(path: Path, key: str, value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(f"{path}: {key}: word: what it means")
    return MappingProxyType(dict(value))


def load_words(path: Path = WORDS_FILE) -> Words:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a mapping of word groups")
    return Words(
        deviation_statuses=_statuses(path, "deviation_statuses", data.get("deviation_statuses")),
        request_statuses=_statuses(path, "request_statuses", data.get("request_statuses")),
        filler=frozenset(_words(path, "filler", data.get("filler"))),
        request_filler=frozenset(_words(path, "request_filler", data.get("request_filler"))),
        request_kinds=_table(path, "request_kinds", data.get("request_kinds")),
        link_kinds=_table(path, "link_kinds", data.get("link_kinds")),
        link_everywhere=frozenset(_words(path, "link_everywhere", data.get("link_everywhere"))),
    )


@cache
def dialog_words() -> Words:
    """The words file, read once."""
    return load_words()
