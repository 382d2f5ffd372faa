"""The guided forms' own phrases (dialogs/texts.yaml): buttons, mix-ups, failures.

Loaded once by the composition root (dialogs.build_flows) and handed to each flow; nothing
here is a module-level registry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

TEXTS_FILE = Path(__file__).with_name("texts.yaml")


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
