"""Check Adaptive Cards with Microsoft's own renderer library (Node, npm "adaptivecards").

    from cards.jsvalidate import validate_cards_js
    problems = validate_cards_js([card1, card2])   # -> [[], ["DuplicateId: Duplicate Id \"x\". ..."]]

One Node process checks the whole batch (see cards/jsvalidate.js). An empty list for a card
means the renderer parses and validates it without complaints at target version 1.5, the
highest version Teams renders. This complements the JSON-schema check of the cards: the
library also catches duplicate input ids and other problems a schema cannot express.

    python -m cards.jsvalidate card.json [more.json ...]   # each file: one card or a list of cards
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCRIPT = HERE / "jsvalidate.js"
LIBRARY = REPO / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.js"
DEFAULT_TIMEOUT = 60.0


class JsValidatorUnavailable(RuntimeError):
    """Node or the adaptivecards package is missing, or the Node script failed."""


def node_binary() -> str:
    node = os.environ.get("NODE") or shutil.which("node")
    if not node:
        raise JsValidatorUnavailable("node was not found on PATH (set NODE=/path/to/node); Node 20 or newer is needed")
    return node


def validate_cards_js(cards: Sequence[dict[str, Any]], *, timeout: float = DEFAULT_TIMEOUT) -> list[list[str]]:
    """Renderer messages per card, in the order given; [] for a card without problems."""
    cards = list(cards)
    if not cards:
        return []
    if not LIBRARY.is_file():
        raise JsValidatorUnavailable(
            f"{LIBRARY} is missing. Install the Node tools with: cd {REPO} && npm install --no-audit --no-fund"
        )
    try:
        payload = json.dumps(cards, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cards must be JSON-serialisable: {exc}") from exc
    try:
        proc = subprocess.run(
            [node_binary(), str(SCRIPT)],
            input=payload.encode("utf-8"),
            capture_output=True,
            cwd=REPO,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise JsValidatorUnavailable(f"node {SCRIPT.name} did not finish within {timeout:g} s") from exc
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        raise JsValidatorUnavailable(f"node {SCRIPT.name} failed (exit {proc.returncode}): {stderr}")
    try:
        result = json.loads(proc.stdout.decode("utf-8"))
    except ValueError as exc:
        raise JsValidatorUnavailable(f"node {SCRIPT.name} printed invalid JSON: {exc}; stderr: {stderr}") from exc
    if not isinstance(result, list) or len(result) != len(cards):
        raise JsValidatorUnavailable(f"node {SCRIPT.name} returned {result!r:.200} for {len(cards)} cards")
    return [list(messages) for messages in result]


def main(argv: Sequence[str] | None = None) -> int:
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("usage: python -m cards.jsvalidate card.json [more.json ...]", file=sys.stderr)
        return 2
    cards: list[Any] = []
    labels: list[str] = []
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else [data]
        cards += items
        labels += [path if len(items) == 1 else f"{path}[{i}]" for i in range(len(items))]
    try:
        results = validate_cards_js(cards)
    except JsValidatorUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = 0
    for label, messages in zip(labels, results):
        print(f"{'OK  ' if not messages else 'FAIL'} {label}")
        for message in messages:
            print(f"     {message}")
        failed += bool(messages)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
