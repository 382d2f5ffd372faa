"""Coordinators teach the bot from the chat (buttons in "obesvarade frågor" and "feedback").

    Koppla till svar…     pick an entry: the question becomes one of its phrasings
    Markera som utanför   the question is outside what the bot answers
    Ångra                 take the change back

Each change is written to KNOWLEDGE_DIR/inlart.yaml (lotsen.teach) with who and when, checked
and put live by the same reload as any edit; if the check fails the file is restored. The
unanswered and feedback lists leave out questions that have been taught.
"""

from __future__ import annotations

from lotsen import teach
from lotsen.assistant import NOT_ALLOWED, Assistant
from lotsen.context import Context
from lotsen.kb.reload import reload_knowledge
from lotsen.pii import contains_identity_number
from lotsen.text import fold, normalise
from lotsen.turn import Card, Out, Text, UpdateCard

MAX_QUESTION = 300


def taught_norms(ctx: Context) -> set[str]:
    """Normalised questions already taught (phrasings and out of scope): left out of the lists."""
    return {normalise(t.question) for t in ctx.kb.taught}


def _question(ctx: Context) -> str:
    q = ctx.value.get("q")
    return q.strip() if isinstance(q, str) and 0 < len(q.strip()) <= MAX_QUESTION else ""


def _refuse(ctx: Context) -> list[Out]:
    ctx.store.audit("admin_denied", ctx.turn.user.aad_object_id, f"teach:{ctx.turn.verb}", "denied")
    return [Text(NOT_ALLOWED)]


def _reply(ctx: Context, card: Card) -> list[Out]:
    return [UpdateCard(ctx.turn.reply_to_id, card.card)] if ctx.turn.reply_to_id else [card]


async def _pick(ctx: Context) -> list[Out]:
    if not ctx.is_coordinator:
        return _refuse(ctx)
    q = _question(ctx)
    if not q:
        return [Text("Jag kunde inte läsa frågan från kortet. Skriv **obesvarade frågor** och försök igen.")]
    suggest = ctx.value.get("suggest")
    entries = sorted(ctx.kb.entries.values(), key=lambda e: fold(e.question))
    return [ctx.card("teach_pick", question=q, suggest=suggest if suggest in ctx.kb.entries else "",
                     entries=[{"id": e.id, "title": f"{e.question} ({e.id})"} for e in entries])]


async def _apply(ctx: Context, change, undo) -> tuple[bool, list[str]]:
    """Write, then check and swap in with the same reload as any edit; undo the write if it fails."""
    await ctx.typing()
    change()
    result = await reload_knowledge(ctx.services.knowledge, review_days=ctx.settings.kb_review_days)
    if result.ok:
        return True, []
    undo()
    if result.busy:
        return False, ["En annan omladdning pågår just nu. Försök igen om en stund."]
    return False, [str(e) for e in result.errors[:5]]


def _who(ctx: Context) -> dict[str, str]:
    return {"by": ctx.turn.user.aad_object_id, "name": ctx.turn.user.name, "at": ctx.store.now()}


async def _link(ctx: Context) -> list[Out]:
    if not ctx.is_coordinator:
        return _refuse(ctx)
    q, entry_id = _question(ctx), ctx.value.get("entry")
    if not q or contains_identity_number(q):
        return [Text("Jag kunde inte läsa frågan från kortet. Skriv **obesvarade frågor** och försök igen.")]
    entry = ctx.kb.entries.get(entry_id) if isinstance(entry_id, str) else None
    if entry is None:
        return [Text("Välj ett svar i listan.")]
    directory = ctx.services.knowledge.directory
    added: list[bool] = []
    ok, problems = await _apply(
        ctx, lambda: added.append(teach.add_phrasing(directory, entry.id, q, **_who(ctx))),
        lambda: added and added[0] and teach.remove(directory, "phrasings", q))
    if not ok:
        return [Text("Ändringen sparades inte, kunskapsbasen har fel: " + "; ".join(problems))]
    ctx.store.audit("teach_phrasing", ctx.turn.user.aad_object_id, f"{entry.id}", "ok" if added[0] else "already")
    return _reply(ctx, ctx.card(
        "notice", title="Kopplat till svaret",
        text=f"”{q}” är nu en formulering av ”{entry.question}” ({entry.id}) och besvaras så från och med nu. "
             f"Ändringen står i {teach.FILE} i kunskapsbasen, med ditt namn och tiden.",
        actions=[{"title": "Ångra", "data": {"verb": "teach.undo", "kind": "phrasings", "q": q}}]))


async def _out_of_scope(ctx: Context) -> list[Out]:
    if not ctx.is_coordinator:
        return _refuse(ctx)
    q = _question(ctx)
    if not q or contains_identity_number(q):
        return [Text("Jag kunde inte läsa frågan från kortet. Skriv **obesvarade frågor** och försök igen.")]
    directory = ctx.services.knowledge.directory
    added: list[bool] = []
    ok, problems = await _apply(
        ctx, lambda: added.append(teach.add_out_of_scope(directory, q, **_who(ctx))),
        lambda: added and added[0] and teach.remove(directory, "out_of_scope", q))
    if not ok:
        return [Text("Ändringen sparades inte, kunskapsbasen har fel: " + "; ".join(problems))]
    ctx.store.audit("teach_out_of_scope", ctx.turn.user.aad_object_id, "question", "ok" if added[0] else "already")
    return _reply(ctx, ctx.card(
        "notice", title="Markerad som utanför",
        text=f"”{q}” ligger utanför det jag svarar på och visas inte längre bland de obesvarade frågorna. "
             f"Ändringen står i {teach.FILE} i kunskapsbasen, med ditt namn och tiden.",
        actions=[{"title": "Ångra", "data": {"verb": "teach.undo", "kind": "out_of_scope", "q": q}}]))


async def _undo(ctx: Context) -> list[Out]:
    if not ctx.is_coordinator:
        return _refuse(ctx)
    q, kind = _question(ctx), ctx.value.get("kind")
    if not q or kind not in teach.KINDS:
        return [Text("Jag kunde inte läsa vad som skulle ångras.")]
    directory = ctx.services.knowledge.directory
    before = teach.read(directory)
    removed: list[bool] = []
    ok, problems = await _apply(ctx, lambda: removed.append(teach.remove(directory, kind, q)),
                                lambda: teach.write(directory, before))
    if not ok:
        return [Text("Det gick inte att ångra: " + "; ".join(problems))]
    if not removed[0]:
        return [Text(f"”{q}” fanns inte längre i {teach.FILE}; inget att ångra.")]
    ctx.store.audit("teach_undo", ctx.turn.user.aad_object_id, kind, "ok")
    return _reply(ctx, ctx.card("notice", title="Ångrat",
                                text=f"”{q}” är borttagen ur {teach.FILE} och visas igen i listan om den frågas."))


def register(assistant: Assistant) -> None:
    assistant.verb("teach.pick", _pick)
    assistant.verb("teach.link", _link)
    assistant.verb("teach.out", _out_of_scope)
    assistant.verb("teach.undo", _undo)
