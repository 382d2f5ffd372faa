"""Coordinators teach the bot from the chat (buttons in "obesvarade frågor" and "feedback").

    Koppla till svar…     pick an entry: the question becomes one of its phrasings
    Markera som utanför   the question is outside what the bot answers
    Ångra                 take the change back

Each change is written to KNOWLEDGE_DIR/inlart.yaml (lotsen.teach) with who and when, checked
and put live by the same reload as any edit; if the check fails the file is restored. The
unanswered and feedback lists leave out questions that have been taught.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lotsen import teach
from lotsen.assistant import NOT_ALLOWED, Assistant
from lotsen.context import Context
from lotsen.kb.reload import reload_knowledge
from lotsen.pii import contains_identity_number
from lotsen.text import fold, normalise
from lotsen.texts import say
from lotsen.turn import Card, Out, Text, UpdateCard

MAX_QUESTION = 300


def taught_norms(ctx: Context) -> set[str]:
    """Normalised questions already taught (phrasings and out of scope): left out of the lists."""
    return {normalise(t.question) for t in ctx.kb.taught}


def _question(ctx: Context) -> str:
    q = ctx.value.get("q")
    return q.strip() if isinstance(q, str) and 0 < len(q.strip()) <= MAX_QUESTION else ""


async def _refuse(ctx: Context) -> list[Out]:
    await ctx.store.audit.record("admin_denied", ctx.turn.user.aad_object_id, f"teach:{ctx.turn.verb}", "denied")
    return [Text(NOT_ALLOWED)]


def _reply(ctx: Context, card: Card) -> list[Out]:
    return [UpdateCard(ctx.turn.reply_to_id, card.card)] if ctx.turn.reply_to_id else [card]


async def _pick(ctx: Context) -> list[Out]:
    if not ctx.is_coordinator:
        return await _refuse(ctx)
    q = _question(ctx)
    if not q:
        return [Text(say("teach.unreadable_question"))]
    suggest = ctx.value.get("suggest")
    entries = sorted(ctx.kb.entries.values(), key=lambda e: fold(e.question))
    return [
        ctx.card(
            "teach_pick",
            question=q,
            suggest=suggest if suggest in ctx.kb.entries else "",
            entries=[{"id": e.id, "title": say("teach.entry_title", question=e.question, entry=e.id)} for e in entries],
        )
    ]


async def _apply(ctx: Context, change, undo) -> tuple[bool, list[str]]:
    """Write, then check and swap in with the same reload as any edit; undo the write if it fails."""
    await ctx.typing()
    change()
    result = await reload_knowledge(ctx.services.knowledge, review_days=ctx.settings.kb_review_days)
    if result.ok:
        return True, []
    undo()
    if result.busy:
        return False, [say("teach.busy")]
    return False, [str(e) for e in result.errors[:5]]


def _who(ctx: Context) -> dict[str, str]:
    return {"by": ctx.turn.user.aad_object_id, "name": ctx.turn.user.name, "at": ctx.store.now()}


async def _link(ctx: Context) -> list[Out]:
    if not ctx.is_coordinator:
        return await _refuse(ctx)
    q, entry_id = _question(ctx), ctx.value.get("entry")
    if not q or contains_identity_number(q):
        return [Text(say("teach.unreadable_question"))]
    entry = ctx.kb.entries.get(entry_id) if isinstance(entry_id, str) else None
    if entry is None:
        return [Text(say("teach.pick_entry"))]
    entry_id = entry.id
    return await _teach(
        ctx,
        q,
        "phrasings",
        lambda directory: teach.add_phrasing(directory, entry_id, q, **_who(ctx)),
        event="teach_phrasing",
        subject=entry_id,
        title=say("teach.linked_title"),
        text=say("teach.linked", question=q, entry_question=entry.question, entry=entry_id),
    )


async def _out_of_scope(ctx: Context) -> list[Out]:
    if not ctx.is_coordinator:
        return await _refuse(ctx)
    q = _question(ctx)
    if not q or contains_identity_number(q):
        return [Text(say("teach.unreadable_question"))]
    return await _teach(
        ctx,
        q,
        "out_of_scope",
        lambda directory: teach.add_out_of_scope(directory, q, **_who(ctx)),
        event="teach_out_of_scope",
        subject="question",
        title=say("teach.out_title"),
        text=say("teach.out", question=q),
    )


async def _teach(
    ctx: Context, q: str, kind: str, add: Callable[[Any], bool], *, event: str, subject: str, title: str, text: str
) -> list[Out]:
    """Write one teaching change (a phrasing or an out-of-scope mark), reload, audit, offer undo."""
    directory = ctx.services.knowledge.directory
    added: list[bool] = []
    ok, problems = await _apply(
        ctx, lambda: added.append(add(directory)), lambda: added and added[0] and teach.remove(directory, kind, q)
    )
    if not ok:
        return [Text(say("teach.not_saved", problems="; ".join(problems)))]
    await ctx.store.audit.record(event, ctx.turn.user.aad_object_id, subject, "ok" if added[0] else "already")
    return _reply(
        ctx,
        ctx.card(
            "notice",
            title=title,
            text=text + say("teach.where", file=teach.FILE),
            actions=[{"title": say("teach.undo"), "data": {"verb": "teach.undo", "kind": kind, "q": q}}],
        ),
    )


async def _undo(ctx: Context) -> list[Out]:
    if not ctx.is_coordinator:
        return await _refuse(ctx)
    q, kind = _question(ctx), ctx.value.get("kind")
    if not q or kind not in teach.KINDS:
        return [Text(say("teach.undo_unreadable"))]
    directory = ctx.services.knowledge.directory
    before = teach.read(directory)
    removed: list[bool] = []
    ok, problems = await _apply(
        ctx, lambda: removed.append(teach.remove(directory, kind, q)), lambda: teach.write(directory, before)
    )
    if not ok:
        return [Text(say("teach.undo_failed", problems="; ".join(problems)))]
    if not removed[0]:
        return [Text(say("teach.undo_gone", question=q, file=teach.FILE))]
    await ctx.store.audit.record("teach_undo", ctx.turn.user.aad_object_id, kind, "ok")
    return _reply(
        ctx, ctx.card("notice", title=say("teach.undone_title"), text=say("teach.undone", question=q, file=teach.FILE))
    )


def register(assistant: Assistant) -> None:
    assistant.verb("teach.pick", _pick)
    assistant.verb("teach.link", _link)
    assistant.verb("teach.out", _out_of_scope)
    assistant.verb("teach.undo", _undo)
