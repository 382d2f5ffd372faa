"""Files the repository ships but a script writes (docs/flows.md, the word-frequency list):
write them, or with --check fail when the shipped file is not what the script would write."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_or_check(target: Path, text: str, *, check: bool, command: str, note: str = "") -> int:
    """Exit status: with `check`, 1 when `target` differs from `text` (saying to run `command`);
    otherwise write it and say so (`note`: what was written, e.g. a count)."""
    name = target.relative_to(ROOT)
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{name} is out of date: run {command}", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {name}{f' ({note})' if note else ''}")
    return 0
