"""What coordinators teach the bot from the chat, kept in one YAML file of the knowledge base.

`KNOWLEDGE_DIR/inlart.yaml` (read by the loader like every other file, so it is checked like any
edit and goes live with a reload):

    phrasings:       # a question staff asked, now a phrasing of an entry ("Koppla till svar…")
      - {entry: sip-vem-kallar, phrasing: "vem skickar sip kallelsen", by: <Entra id>, name: "…", at: "…"}
    out_of_scope:    # a question the bot should not answer ("Markera som utanför")
      - {question: "hur bakar man surdeg", by: <Entra id>, name: "…", at: "…"}

Only this module writes the file; writes are atomic (temporary file, then rename).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from lotsen.texts import say

FILE = "inlart.yaml"
HEADER = say("teach.file_header")
KINDS = ("phrasings", "out_of_scope")


def path(directory: str | Path) -> Path:
    return Path(directory) / FILE


def read(directory: str | Path) -> dict[str, list[dict[str, Any]]]:
    file = path(directory)
    data = yaml.safe_load(file.read_text(encoding="utf-8")) if file.exists() else None
    data = data if isinstance(data, dict) else {}
    return {kind: list(data.get(kind) or []) for kind in KINDS}


def write(directory: str | Path, data: dict[str, list[dict[str, Any]]]) -> None:
    file = path(directory)
    body = yaml.safe_dump(
        {kind: data.get(kind) or [] for kind in KINDS},
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=120,
    )
    fd, tmp = tempfile.mkstemp(prefix=".inlart-", suffix=".yaml", dir=str(file.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(HEADER + body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_phrasing(directory: str | Path, entry: str, phrasing: str, *, by: str, name: str, at: str) -> bool:
    """False when the same phrasing is already taught (to any entry)."""
    data = read(directory)
    if any(str(p.get("phrasing", "")).strip().lower() == phrasing.strip().lower() for p in data["phrasings"]):
        return False
    data["phrasings"].append({"entry": entry, "phrasing": phrasing, "by": by, "name": name, "at": at})
    write(directory, data)
    return True


def add_out_of_scope(directory: str | Path, question: str, *, by: str, name: str, at: str) -> bool:
    data = read(directory)
    if any(str(q.get("question", "")).strip().lower() == question.strip().lower() for q in data["out_of_scope"]):
        return False
    data["out_of_scope"].append({"question": question, "by": by, "name": name, "at": at})
    write(directory, data)
    return True


def remove(directory: str | Path, kind: str, question: str) -> bool:
    """Undo: remove the phrasing / out-of-scope question (case-insensitive). False when not there."""
    data = read(directory)
    key = "phrasing" if kind == "phrasings" else "question"
    kept = [item for item in data[kind] if str(item.get(key, "")).strip().lower() != question.strip().lower()]
    if len(kept) == len(data[kind]):
        return False
    data[kind] = kept
    write(directory, data)
    return True
