"""Render Adaptive Card templates (jinja2) and check what comes out.

Every value in a template goes through `|tojson`, so user text can never break out of its
JSON string (tests/test_cards.py enforces this). The rendered text is parsed and checked:
Adaptive Cards 1.5 JSON schema, unique input/element ids, and a size budget below Teams'
28 KB message limit.
"""

from __future__ import annotations

import json
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
MAX_CARD_BYTES = 28 * 1024

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
    )
    env.filters["tojson"] = _tojson
    env.filters["md"] = escape_markdown
    return env


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
    if problems:
        raise CardError(f"{name}: " + "; ".join(problems))
    return card


def check_card(card: Any) -> list[str]:
    """Problems with a card (empty list when valid)."""
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        return ["not an AdaptiveCard object"]
    problems = []
    if card.get("version") != CARD_VERSION:
        problems.append(f"version must be {CARD_VERSION}")
    schema_problem = _schema_problem(json.dumps(_shape(card), sort_keys=True))
    if schema_problem:
        problems.append(schema_problem)
    ids = [node["id"] for node in _walk(card) if isinstance(node.get("id"), str)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids: {', '.join(duplicates)}")
    size = len(json.dumps(card, ensure_ascii=False).encode("utf-8"))
    if size > MAX_CARD_BYTES:
        problems.append(f"card is {size} bytes, over the {MAX_CARD_BYTES} byte budget")
    return problems


# Keys whose string values are free text: their content cannot make a card invalid, so two
# cards that differ only there have the same schema verdict. This lets the (slow, anyOf-heavy)
# schema check run once per card shape instead of once per message.
_FREE_TEXT_KEYS = frozenset({"text", "title", "value", "label", "placeholder", "errorMessage", "altText", "data"})


def _shape(node: Any, key: str = "") -> Any:
    if key in _FREE_TEXT_KEYS and isinstance(node, str):
        return ""
    if key == "data":
        return {}
    if isinstance(node, dict):
        return {k: _shape(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_shape(item) for item in node]
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
