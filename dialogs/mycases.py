"""Following a filed case from the chat.

    status <referens>                                   the case, for the person who filed it and coordinators
    mina ärenden                                        a person's own reports and requests, with status
    lista förfrågningar [arena|sip] [kommun] [period] [status]   Arena/SIP requests (coordinators)

Nobody sees another person's case unless they are a coordinator: for anyone else a reference
that is not theirs gets the same answer as one that does not exist, and the attempt is audited.
"""

from __future__ import annotations

import re
from typing import Any

from cards.render import render
from dialogs import casework
from dialogs.periods import parse_filters
from dialogs.texts import dialog_texts, dialog_words
from lotsen import cases
from lotsen.assistant import Assistant
from lotsen.casekinds import CaseKinds
from lotsen.context import Context
from lotsen.text import fold
from lotsen.turn import Card, Out, Text

STATUS_PATTERN = r"^(?:status|visa|var ar|hur gar det (?:med|for))\s+(?:for |pa |arende |arendet )?({prefixes})-(\d{{4}})-(\d{{1,6}})[.!?]*$"
MINE_PATTERN = r"^(?:mina|visa mina|lista mina) (?:arenden|rapporter|avvikelser|forfragningar|ansokningar)[.!?]*$"
REQUESTS_PATTERN = r"^(?:lista|visa) (?:alla )?(?:forfragningar(?:na)?|forfragan|begaranden)\b"
MINE_CAP = 20
LIST_CAP = 25


def status_pattern(kinds: CaseKinds) -> str:
    """ "status AVV-2026-0001": the reference prefixes are the case kinds' (folded, as typed text is)."""
    return STATUS_PATTERN.format(prefixes="|".join(re.escape(fold(k.prefix)) for k in kinds))


def _reference(pattern: str, folded: str) -> str:
    match = re.match(pattern, folded)
    if match is None:
        return ""
    return f"{match.group(1).upper()}-{match.group(2)}-{int(match.group(3)):04d}"


async def own_case(ctx: Context, reference: str) -> cases.Case | None:
    """The case, if this person may see it: their own, or any case for a coordinator."""
    case = await cases.get_case(ctx.store, reference)
    if case is None:
        return None
    if ctx.is_coordinator:
        return case
    me = ctx.turn.user.aad_object_id
    if me and case.reporter_aad and case.reporter_aad.lower() == me.lower():
        return case
    await ctx.store.audit.record("case_lookup_denied", me, reference, "denied")
    return None


async def status_card(ctx: Context, case: cases.Case) -> dict[str, Any]:
    """What the person who filed a case sees: status, history with comments, and who got it."""
    kind = ctx.services.kinds[case.kind]
    history = [
        {
            "title": cases.local_stamp(e.at),
            "value": kind.status_title(e.status) + (f" – {e.comment}" if e.comment else ""),
        }
        for e in await cases.events(ctx.store, case)
    ][-6:]
    received = receiver_line(case)
    handling = case.data.get("handling", {})
    booked = ""
    if case.status == "bokad" and handling:
        fmt = casework.format_title(handling.get("format", ""))
        booked = dialog_texts()(
            "mine_booked", date=handling.get("datum", ""), time=handling.get("tid", ""), form=fmt
        ).strip()
    return render(
        "case_status",
        title=f"{kind.title} {case.reference}",
        status=kind.status_title(case.status),
        created=cases.local_stamp(case.created_at),
        municipality=casework.municipality_name(ctx, case.municipality),
        received=received,
        booked=booked,
        history=history,
    )


def receiver_line(case: cases.Case) -> str:
    routed = case.routed_to or {}
    if routed.get("channel"):
        return dialog_texts()("mine_sent_to_channel", title=routed.get("contact_title") or routed["channel"])
    if routed.get("contact_title"):
        return dialog_texts()("mine_not_received", title=routed["contact_title"])
    return dialog_texts()("mine_saved")


def _case_items(ctx: Context, found: list[cases.Case], verb: str) -> list[dict[str, Any]]:
    return [
        {
            "reference": c.reference,
            "line": f"{ctx.services.kinds[c.kind].title} · {cases.local_date(c.created_at)} · "
            f"{casework.municipality_name(ctx, c.municipality)}",
            "details": dialog_texts()("mine_details", status=ctx.services.kinds.status_title(c)),
            "data": {"verb": verb, "reference": c.reference},
        }
        for c in found
    ]


async def show_status(ctx: Context) -> list[Out]:
    reference = _reference(status_pattern(ctx.services.kinds), fold(ctx.turn.text.strip()))
    case = await own_case(ctx, reference)
    if case is None:
        return [Text(dialog_texts()("mine_not_found", reference=reference))]
    if ctx.is_coordinator:
        return [Card(await casework.case_card(ctx, case))]
    return [Card(await status_card(ctx, case))]


async def show_mine_button(ctx: Context) -> list[Out]:
    reference = ctx.value.get("reference")
    reference = reference if isinstance(reference, str) and len(reference) <= 40 else ""
    case = await own_case(ctx, reference) if reference else None
    if case is None:
        return [Text(dialog_texts()("mine_not_found", reference=reference or "–"))]
    return [Card(await status_card(ctx, case))]


async def list_mine(ctx: Context) -> list[Out]:
    texts = dialog_texts()
    me = ctx.turn.user.aad_object_id
    if not me:
        return [Text(texts("mine_unknown_user"))]
    kinds = ctx.services.kinds.ids()
    found = await cases.list_cases(ctx.store, kinds=kinds, reporter_aad=me, limit=MINE_CAP)
    total = await cases.count_cases(ctx.store, kinds=kinds, reporter_aad=me)
    if total == 0:
        summary = texts("mine_none")
    elif total > len(found):
        summary = texts("mine_capped", shown=len(found), total=total)
    else:
        summary = texts("mine_count", total=total, noun=texts("mine_one" if total == 1 else "mine_many"))
    return [
        Card(
            render(
                "case_list",
                title=texts("mine_title"),
                subtitle=texts("mine_subtitle"),
                summary=summary,
                items=_case_items(ctx, found, "case.mine"),
            )
        )
    ]


async def list_requests(ctx: Context) -> list[Out]:
    rest = re.sub(REQUESTS_PATTERN, " ", fold(ctx.turn.text.strip()), count=1)
    vocabulary = dialog_words()
    kind_words = vocabulary.request_kinds
    words = re.findall(r"[0-9a-z-]+", rest)
    kinds = tuple(dict.fromkeys(kind_words[w] for w in words if w in kind_words)) or ("arena", "sip")
    rest = " ".join(w for w in words if w not in kind_words)
    filters = parse_filters(ctx.kb, rest, vocabulary.request_statuses, vocabulary.request_filler)
    texts = dialog_texts()
    if filters.problems:
        return [Text(" ".join(filters.problems) + texts("requests_help"))]
    query = {**filters.query(), "kinds": kinds}
    found = await cases.list_cases(ctx.store, limit=LIST_CAP, **query)
    total = await cases.count_cases(ctx.store, **query)
    what = texts("and").join(texts(f"requests_kind_{k}") for k in kinds)
    if total == 0:
        summary = texts("requests_none")
    elif total > len(found):
        summary = texts("requests_capped", shown=len(found), total=total)
    else:
        summary = texts("requests_count", total=total, noun=texts("requests_one" if total == 1 else "requests_many"))
    return [
        Card(
            render(
                "case_list",
                title=texts("requests_title", what=what),
                subtitle=filters.describe(ctx.kb),
                summary=summary,
                items=_case_items(ctx, found, "case.show"),
            )
        )
    ]


def register(assistant: Assistant) -> None:
    assistant.command("case-status", status_pattern(assistant.services.kinds), show_status)
    assistant.command("my-cases", MINE_PATTERN, list_mine)
    assistant.command("list-requests", REQUESTS_PATTERN, list_requests, coordinator_only=True)
    assistant.verb("case.mine", show_mine_button)
    assistant.verb("case.mylist", list_mine)
