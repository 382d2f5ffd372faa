"""The bot's own user texts (replies, card titles, notes) live in `lotsen/data/texts.yaml`,
grouped by feature; Python asks for them by key.

    say("contacts.pick_one")                              → "Välj en kommun i listan."
    say("contacts.saved", municipality="Vetlanda")        → "Klart! Jag använder Vetlanda …"
    say_list("help.examples")                             → ("Vem kallar till SIP?", …)

A text's placeholders are `{name}` (str.format); a call must give exactly the placeholders its
text has, so a reworded text cannot lose or gain a value unnoticed (tests/test_texts_as_data.py
checks every call in the code against the file, and that every text is used). The file is read
once, at the first call; a change takes effect when the bot restarts. Knowledge (answers,
contacts, forms) stays in knowledge/, small talk in conversation.yaml, and the field-kind
validators' messages in lotsen.fields.MESSAGES.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml

TEXTS_FILE = Path(__file__).resolve().parent / "data" / "texts.yaml"


class TextsError(Exception):
    """texts.yaml is malformed, or code asked for a text it does not have."""


def placeholders_of(template: str) -> frozenset[str]:
    """The `{name}` placeholders of a text; positional, indexed or attribute fields are refused."""
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise TextsError(f"placeholder {{{name}}} must be a plain {{name}}")
        names.add(name)
    return frozenset(names)


class Texts:
    """Dotted key → text (or list of texts), checked when loaded."""

    def __init__(self, entries: Mapping[str, str | tuple[str, ...]], source: str = "<texts>"):
        self.source = source
        self._entries = MappingProxyType(dict(entries))
        self._fields: dict[str, frozenset[str]] = {}
        for key, value in self._entries.items():
            templates = value if isinstance(value, tuple) else (value,)
            try:
                fields = {f for t in templates for f in placeholders_of(t)}
            except (TextsError, ValueError) as exc:
                raise TextsError(f"{source}: {key}: {exc}") from None
            self._fields[key] = frozenset(fields)

    @classmethod
    def load(cls, path: Path = TEXTS_FILE) -> Texts:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise TextsError(f"{path}: {exc}") from None
        entries: dict[str, str | tuple[str, ...]] = {}

        def walk(node: object, prefix: str) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if not isinstance(key, str) or not key.isidentifier():
                        raise TextsError(f"{path}: {prefix}{key!r}: a key is a name (letters, digits, _)")
                    walk(value, f"{prefix}{key}.")
            elif isinstance(node, str):
                entries[prefix[:-1]] = node
            elif isinstance(node, list) and node and all(isinstance(item, str) for item in node):
                entries[prefix[:-1]] = tuple(node)
            else:
                raise TextsError(f"{path}: {prefix[:-1] or '(top)'}: a text, a list of texts or a group of them")

        walk(data, "")
        return cls(entries, str(path))

    def keys(self) -> frozenset[str]:
        return frozenset(self._entries)

    def placeholders(self, key: str) -> frozenset[str]:
        self._value(key)
        return self._fields[key]

    def _value(self, key: str) -> str | tuple[str, ...]:
        try:
            return self._entries[key]
        except KeyError:
            raise TextsError(f"{self.source}: no text {key!r}") from None

    def _check(self, key: str, values: Mapping[str, object]) -> None:
        if set(values) != self._fields[key]:
            raise TextsError(f"{self.source}: {key} takes {sorted(self._fields[key])}, got {sorted(values)}")

    def say(self, key: str, /, **values: object) -> str:
        value = self._value(key)
        if not isinstance(value, str):
            raise TextsError(f"{self.source}: {key} is a list; use say_list")
        self._check(key, values)
        return value.format(**values)

    def say_list(self, key: str, /, **values: object) -> tuple[str, ...]:
        value = self._value(key)
        if isinstance(value, str):
            raise TextsError(f"{self.source}: {key} is one text; use say")
        self._check(key, values)
        return tuple(item.format(**values) for item in value)


@cache
def texts() -> Texts:
    """The bot's texts, read once."""
    return Texts.load()


def say(key: str, /, **values: object) -> str:
    """The text `key` of texts.yaml with its placeholders filled in."""
    return texts().say(key, **values)


def say_list(key: str, /, **values: object) -> tuple[str, ...]:
    """The list of texts `key` of texts.yaml, each with its placeholders filled in."""
    return texts().say_list(key, **values)
