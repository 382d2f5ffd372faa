"""Teams channels connected by coordinators to routing targets.

A link says: cases of `kind` (avvikelse, arena, sip, or "sammanfattning" for the weekly
digest) for `target` (a municipality id, or "*" for all) are posted to this channel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lotsen.storage import Store

ALL = "*"


@dataclass(frozen=True)
class ChannelLink:
    kind: str
    target: str
    conversation_ref: dict[str, Any]
    linked_by: str
    linked_at: str

    @property
    def label(self) -> str:
        return str(self.conversation_ref.get("_label") or "den kopplade kanalen")


def link(store: Store, kind: str, target: str, conversation_ref: dict[str, Any], actor: str, label: str) -> None:
    ref = dict(conversation_ref)
    ref["_label"] = label
    with store.transaction() as db:
        db.execute(
            "INSERT INTO channel_links (kind, target, conversation_ref, linked_by, linked_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, target) DO UPDATE SET conversation_ref = excluded.conversation_ref, "
            "linked_by = excluded.linked_by, linked_at = excluded.linked_at",
            (kind, target, json.dumps(ref), actor, store.now()),
        )
        db.execute("INSERT INTO audit (at, event, actor, target, outcome) VALUES (?, 'channel_linked', ?, ?, 'ok')",
                   (store.now(), actor, f"{kind}:{target}"))


def unlink(store: Store, kind: str, target: str, actor: str) -> bool:
    removed = store.db.execute("DELETE FROM channel_links WHERE kind = ? AND target = ?", (kind, target)).rowcount
    store.audit("channel_unlinked", actor, f"{kind}:{target}", "ok" if removed else "none")
    return removed > 0


def find(store: Store, kind: str, target: str | None) -> ChannelLink | None:
    """The channel for this kind and target, else the kind's "alla" channel."""
    for candidate in ([target] if target else []) + [ALL]:
        row = store.db.execute(
            "SELECT * FROM channel_links WHERE kind = ? AND target = ?", (kind, candidate)
        ).fetchone()
        if row:
            return ChannelLink(row["kind"], row["target"], json.loads(row["conversation_ref"]),
                               row["linked_by"] or "", row["linked_at"])
    return None


def all_links(store: Store, kind: str | None = None) -> list[ChannelLink]:
    sql, args = "SELECT * FROM channel_links", ()
    if kind:
        sql, args = sql + " WHERE kind = ?", (kind,)
    return [ChannelLink(r["kind"], r["target"], json.loads(r["conversation_ref"]), r["linked_by"] or "", r["linked_at"])
            for r in store.db.execute(sql + " ORDER BY kind, target", args).fetchall()]


def base_conversation_id(conversation_id: str) -> str:
    """A Teams channel thread id ("19:…@thread.tacv2;messageid=…") → the channel's id."""
    return conversation_id.split(";messageid=", 1)[0]


def is_connected(store: Store, conversation_id: str) -> bool:
    """Is this conversation (a channel, or a thread in it) connected to any routing target?"""
    wanted = base_conversation_id(conversation_id)
    return any(base_conversation_id(str((link.conversation_ref.get("conversation") or {}).get("id") or "")) == wanted
               for link in all_links(store))
