"""Render Adaptive Card templates (jinja2) and check what comes out.

Every value in a template goes through `|tojson`, so user text can never break out of its
JSON string (tests/test_cards.py enforces this). The rendered text is parsed and checked:
Adaptive Cards 1.5 JSON schema, unique input/element ids, and a size budget below Teams'
28 KB message limit.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jsonschema

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
SCHEMA_FILE = HERE / "schema" / "adaptive-card-1.5.schema.json"
CARD_VERSION = "1.5"
MAX_CARD_BYTES = 28 * 1024  # measured in UTF-16, as Teams measures messages (card_size)
SIZE_PROBLEM = "byte budget"
_SHORTEST_TEXT = 200

log = logging.getLogger(__name__)

# Only what can turn user text into formatting or a link ([x](url), **x**, _x_, `x`, <x>);
# hyphens and full stops in dates and sentences stay as they are.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~#])")


class CardError(ValueError):
    """A template produced something that is not a valid Adaptive Card 1.5."""


def escape_markdown(value: Any) -> str:
    """Teams renders a markdown subset in TextBlocks: neutralise user text."""
    return _MD_SPECIAL.sub(r"\\\1", "" if value is None else str(value))


def _tojson(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # JSON, not HTML: safety comes from |tojson on every value
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates ship with the code: no stat() of the file per card
    )
    env.filters["tojson"] = _tojson
    env.filters["md"] = escape_markdown
    return env


def oversize_note() -> dict[str, Any]:
    """The note added to a shortened card (its text is in templates/_macros.j2, with the other card texts)."""
    return dict(json.loads(str(_env().get_template("_macros.j2").module.oversize_note())))  # type: ignore[attr-defined]


OVERSIZE_NOTE: str = oversize_note()["text"]


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft6Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema)


def template_names() -> list[str]:
    return sorted(p.name.removesuffix(".json.j2") for p in TEMPLATES.glob("*.json.j2"))


def render(name: str, **data: Any) -> dict[str, Any]:
    """Render `templates/<name>.json.j2` with `data` and return the checked card."""
    try:
        text = _env().get_template(f"{name}.json.j2").render(**data)
    except jinja2.TemplateError as exc:
        raise CardError(f"{name}: {exc}") from exc
    try:
        card = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CardError(f"{name}: rendered text is not JSON ({exc.msg} at line {exc.lineno})") from exc
    problems = check_card(card)
    if problems and all(SIZE_PROBLEM in p for p in problems):
        # Fault matrix row 55: too big for Teams is not an error for the user: a summary card
        # (long texts shortened, then trailing elements dropped, with a note) instead.
        fitted = fit_to_budget(card)
        log.warning(
            "card %s was %d bytes (UTF-16); sent a shortened card of %d bytes", name, card_size(card), card_size(fitted)
        )
        card, problems = fitted, check_card(fitted)
    if problems:
        raise CardError(f"{name}: " + "; ".join(problems))
    return card


def _display_texts(node: Any) -> list[tuple[dict[str, Any], str]]:
    """(node, key) of every text a person reads (never inputs' values or submit data)."""
    found: list[tuple[dict[str, Any], str]] = []
    if isinstance(node, dict):
        kind = node.get("type")
        if kind in ("TextBlock", "TextRun") and isinstance(node.get("text"), str):
            found.append((node, "text"))
        if kind == "FactSet":
            for fact in node.get("facts") or []:
                if isinstance(fact, dict) and isinstance(fact.get("value"), str):
                    found.append((fact, "value"))
        for key, value in node.items():
            if key not in ("data", "facts"):
                found += _display_texts(value)
    elif isinstance(node, list):
        for item in node:
            found += _display_texts(item)
    return found


def _has_input(node: Any) -> bool:
    return any(str(n.get("type", "")).startswith("Input.") for n in _walk(node))


def fit_to_budget(card: dict[str, Any]) -> dict[str, Any]:
    """A copy of `card` within MAX_CARD_BYTES that keeps its inputs and buttons: the longest
    texts are shortened first; then elements without inputs are dropped from the end of the
    body and a note says the card was shortened."""
    card = copy.deepcopy(card)
    while card_size(card) > MAX_CARD_BYTES:
        texts = [(n, k) for n, k in _display_texts(card.get("body")) if len(n[k]) > _SHORTEST_TEXT]
        if not texts:
            break
        node, key = max(texts, key=lambda t: len(t[0][t[1]]))
        keep = max(_SHORTEST_TEXT - 2, len(node[key]) // 2)
        node[key] = node[key][:keep].rstrip() + " …"  # never longer than _SHORTEST_TEXT once short
    found = card.get("body")
    body: list[Any] = found if isinstance(found, list) else []
    note = oversize_note()
    shortened = False
    while card_size(card) + card_size(note) > MAX_CARD_BYTES:
        droppable = [i for i, element in enumerate(body) if not _has_input(element)]
        if not droppable:
            break
        body.pop(droppable[-1])
        shortened = True
    if shortened or card_size(card) > MAX_CARD_BYTES:
        body.append(note)
    if card_size(card) > MAX_CARD_BYTES:  # inputs alone are too big: only the note is left
        card = {k: v for k, v in card.items() if k not in ("body", "actions")}
        card["body"] = [note]
    return card


def card_size(card: Any) -> int:
    """The card's size as Teams counts it: the JSON payload encoded as UTF-16 (msteams-docs,
    "format your bot messages"), so "å" and "a" both cost two bytes."""
    return len(json.dumps(card, ensure_ascii=False).encode("utf-16-le"))


def check_card(card: Any) -> list[str]:
    """Problems with a card (empty list when valid)."""
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        return ["not an AdaptiveCard object"]
    problems = []
    if card.get("version") != CARD_VERSION:
        problems.append(f"version must be {CARD_VERSION}")
    ids: list[str] = []
    schema_problem = _schema_problem(json.dumps(_shape(card, "", ids), sort_keys=True))
    if schema_problem:
        problems.append(schema_problem)
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids: {', '.join(duplicates)}")
    size = card_size(card)
    if size > MAX_CARD_BYTES:
        problems.append(f"card is {size} bytes, over the {MAX_CARD_BYTES} byte budget")
    return problems


# Keys whose string values are free text: their content cannot make a card invalid, so two
# cards that differ only there have the same schema verdict. This lets the (slow, anyOf-heavy)
# schema check run once per card shape instead of once per message.
_FREE_TEXT_KEYS = frozenset({"text", "title", "value", "label", "placeholder", "errorMessage", "altText", "data"})


def _shape(node: Any, key: str, ids: list[str]) -> Any:
    """The card without its free text; collects the elements' ids (as `_walk` finds them) in
    the same pass."""
    if key in _FREE_TEXT_KEYS and isinstance(node, str):
        return ""
    if key == "data":
        return {}
    if isinstance(node, dict):
        if "type" in node and isinstance(node.get("id"), str):
            ids.append(node["id"])
        return {k: _shape(v, k, ids) for k, v in node.items()}
    if isinstance(node, list):
        return [_shape(item, "", ids) for item in node]
    return node


@lru_cache(maxsize=4096)
def _schema_problem(shape_json: str) -> str:
    error = jsonschema.exceptions.best_match(_validator().iter_errors(json.loads(shape_json)))
    if error is None:
        return ""
    path = "/".join(str(p) for p in error.absolute_path)
    return f"schema: {error.message[:300]} at /{path}"


def _walk(node: Any):
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for key, value in node.items():
            if key != "data":  # submit data is ours, not card structure
                yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)
