"""Shared helpers for the navigator's situation tests."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from lotsen.kb.loader import load_knowledge_base

ROOT = Path(__file__).resolve().parents[2]
SITUATIONS = Path(__file__).with_name("situations.yaml")
TODAY = date(2026, 11, 23)  # "fsö sedan 2022" is counted from this day


@lru_cache(maxsize=1)
def real_kb():
    return load_knowledge_base(ROOT / "knowledge")


@lru_cache(maxsize=1)
def situations() -> list[dict[str, Any]]:
    return yaml.safe_load(SITUATIONS.read_text(encoding="utf-8"))["situations"]


def as_fact(nav, fid: str, value: Any) -> Any:
    """A situation file's value in the navigator's shape (lists → frozensets)."""
    return frozenset(value) if nav.facts[fid].kind == "several" else value


def answers_as_inputs(nav, facts: dict[str, Any]) -> dict[str, str]:
    """Facts as the situation card's inputs (f_<id> → text)."""
    out = {}
    for fid, value in facts.items():
        out[f"f_{fid}"] = ",".join(value) if isinstance(value, (list, tuple, set, frozenset)) else str(value)
    return out
