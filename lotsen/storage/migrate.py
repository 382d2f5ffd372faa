"""Numbered SQL migration files (NNNN_name.sql), one folder per backend. Append new files;
never edit a released one. Both backends keep the same numbers, so `/readyz` reports one
schema version whatever the database."""

from __future__ import annotations

import re
from pathlib import Path

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def load(directory: Path) -> list[str]:
    """The scripts in order; migration N is element N-1. Refuses gaps and duplicates."""
    found = sorted((int(m.group(1)), p) for p in directory.iterdir() if (m := _NAME.match(p.name)))
    numbers = [n for n, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations in {directory} must be numbered 0001, 0002, … without gaps: {numbers}")
    return [p.read_text(encoding="utf-8") for _, p in found]


def statements(script: str) -> list[str]:
    """A script split into statements (our migrations put no ';' inside literals)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
