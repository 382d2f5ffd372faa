"""Teams channels connected by coordinators to routing targets.

A link says: cases of `kind` (avvikelse, arena, sip, or "sammanfattning" for the weekly
digest) for `target` (a municipality id, or "*" for all) are posted to this channel.
"""

from __future__ import annotations

from typing import Any

from lotsen.storage import ChannelLink, Unit

__all__ = ["ALL", "ChannelLink", "all_links", "base_conversation_id", "find", "is_connected", "link", "unlink"]

ALL = "*"


async def link(store: Unit, kind: str, target: str, conversation_ref: dict[str, Any], actor: str, label: str) -> None:
    ref = dict(conversation_ref)
    ref["_label"] = label
    await store.channels.link(kind, target, ref, actor)


async def unlink(store: Unit, kind: str, target: str, actor: str) -> bool:
    return await store.channels.unlink(kind, target, actor)


async def find(store: Unit, kind: str, target: str | None) -> ChannelLink | None:
    """The channel for this kind and target, else the kind's "alla" channel."""
    for candidate in ([target] if target else []) + [ALL]:
        found = await store.channels.get(kind, candidate)
        if found is not None:
            return found
    return None


async def all_links(store: Unit, kind: str | None = None) -> list[ChannelLink]:
    return await store.channels.all(kind)


def base_conversation_id(conversation_id: str) -> str:
    """A Teams channel thread id ("19:…@thread.tacv2;messageid=…") → the channel's id."""
    return conversation_id.split(";messageid=", 1)[0]


async def is_connected(store: Unit, conversation_id: str) -> bool:
    """Is this conversation (a channel, or a thread in it) connected to any routing target?"""
    wanted = base_conversation_id(conversation_id)
    return any(
        base_conversation_id(str((link.conversation_ref.get("conversation") or {}).get("id") or "")) == wanted
        for link in await all_links(store)
    )
