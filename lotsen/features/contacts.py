"""Routing people to the right contact list: "Vem kontaktar jag om X i Y?"."""

from __future__ import annotations

import re
from urllib.parse import quote

from lotsen.assistant import Assistant
from lotsen.context import Context
from lotsen.kb.model import KnowledgeBase
from lotsen.features.qa import (
    VERDICT_ANSWER,
    VERDICT_OFFTOPIC,
    answer_text,
    contact_purpose_for,
    decide,
    find_municipality,
)
from lotsen.matching import ANSWER, MatchResult
from lotsen.routing import route
from lotsen.text import content_tokens, fold, normalise, tokens
from lotsen.texts import say
from lotsen.turn import Out, Text

# "vem kontaktar jag", "vem ska jag kontakta", "vem vänder jag mig till", "kontaktperson för …"
CONTACT_QUESTION = (
    r"\b(vem|vilka|vart|var|vilken)\b.{0,40}\b(kontakta\w*|vand\w*|ringa\w*|ringer|mejla\w*|maila\w*|ta kontakt)\b"
    r"|\bkontakt(person|personer|uppgift|uppgifter|lista|listan|er)\b"
)
ASKS_FOR_CONTACT = re.compile(
    r"\b(vem|vilka|vart|vilken)\b.{0,40}\b(kontakta\w*|vand\w*|ringa\w*|ringer|mejla\w*|maila\w*|ta kontakt)\b"
)
# A message this long that only mentions a contact ("… hennes kontaktperson från boendet ska vara
# med på sip-mötet, går det bra?") describes a situation: question answering takes it.
SITUATION_WORDS = 14

# What a message that matched the contact command gets (contact_plan).
PLAN_ANSWER = "answer"  # the answer card alone: the message mentions contacts and an entry answers it
PLAN_QUESTION = "question"  # question answering's own reply: a described situation that mentions a contact
PLAN_BOTH = "answer+contacts"  # asks for a contact and an entry answers the question: the answer, then the list
PLAN_OFFTOPIC = "offtopic"  # asks whom to call about something outside the domain ("… lösenord …, vem ringer jag?")
PLAN_CONTACTS = "contacts"  # the contact list


def contact_plan(text: str, verdict_kind: str, purpose_named: bool) -> str:
    """Questions beat triggers (lotsen.features.qa): what a message matching CONTACT_QUESTION gets,
    from question answering's verdict on it. scripts.accuracy measures the same plan."""
    folded = normalise(text)
    asks = ASKS_FOR_CONTACT.search(folded)
    if not asks:
        if verdict_kind == VERDICT_ANSWER:
            return PLAN_ANSWER
        return PLAN_QUESTION if len(tokens(text)) >= SITUATION_WORDS else PLAN_CONTACTS
    # The bare command ("vem kontaktar jag?", the menu's) opens the list; a question about something
    # gets its answer too, or the refusal when it is about something else.
    if not content_tokens(folded[: asks.start()] + " " + folded[asks.end() :]):
        return PLAN_CONTACTS
    if verdict_kind == VERDICT_ANSWER:
        return PLAN_BOTH
    if verdict_kind == VERDICT_OFFTOPIC and not purpose_named:
        return PLAN_OFFTOPIC
    return PLAN_CONTACTS


# Words that name the purpose directly; checked before the matcher is asked.
PURPOSE_WORDS: dict[str, tuple[str, ...]] = {
    "avvikelse": ("avvikelse", "avvikelser", "avvikelsen"),
    "arena": ("arena", "arenan", "arenasamverkan"),
    "sip": ("sip", "samordnad individuell plan"),
    "rehabkoordinator": (
        "rehabkoordinator",
        "rehabkoordinatorn",
        "vardcentral",
        "vardcentralen",
        "lakarintyg",
        "intyg",
    ),
    "fk-samordning": ("fk", "forsakringskassan"),
    "af": ("af", "arbetsformedlingen"),
    "se-hoglandet": ("se hoglandet", "supported employment", "remittentgrupp", "remittentgruppen", "se coach", "ips"),
    "forbund": ("forbundet", "samordningsforbundet", "forbundschef", "forbundschefen", "finsam"),
    "ekonomiskt-bistand": ("ekonomiskt bistand", "forsorjningsstod", "socialsekreterare", "socialtjansten"),
    "lokal-samverkan": ("samverk", "samverkanskoordinator", "samverkanskoordinatorn", "gemensamt arende"),
}
FOOTER = say("contacts.footer")
DEFAULT_NOTE = say("contacts.default_note")
REMEMBERED_NOTE = say("contacts.remembered_note")
TEAMS_CHAT = "https://teams.microsoft.com/l/chat/0/0?users="
CHANGE_MUNICIPALITY = r"^(byt|andra|annan|ny) kommun[.!]*$"


def tel_uri(phone: str) -> str:
    """A Swedish phone number as a tel: link: "070-174 06 50" → "tel:+46701740650"."""
    digits = re.sub(r"[^\d+]", "", phone)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+46" + digits[1:]
    return "tel:" + digits if re.fullmatch(r"\+?\d{5,15}", digits) else ""


def contact_actions(email: str, phone: str) -> list[dict[str, str]]:
    """E-mail, phone and a Teams chat as buttons (Action.OpenUrl)."""
    actions = []
    if email:
        actions.append({"title": say("contacts.email"), "url": "mailto:" + quote(email, safe="@.")})
    if phone and tel_uri(phone):
        actions.append({"title": say("contacts.call"), "url": tel_uri(phone)})
    if email:
        actions.append({"title": say("contacts.chat"), "url": TEAMS_CHAT + quote(email, safe="@.")})
    return actions


def named_purpose(kb: KnowledgeBase, text: str) -> str | None:
    """The contact purpose a message names in so many words ("avvikelse", "arena", "fk" …)."""
    folded = f" {normalise(text)} "
    for purpose, words in PURPOSE_WORDS.items():
        if purpose in kb.purposes and any(f" {w} " in folded for w in words):
            return purpose
    return None


def answered_purpose(kb: KnowledgeBase, result: MatchResult) -> str | None:
    """The contact purpose of the entry that answers a message, if one does."""
    if result.level == ANSWER and result.best:
        return contact_purpose_for(kb, kb.entries[result.best.entry_id])
    return None


async def remembered_municipality(ctx: Context) -> str | None:
    muni = await ctx.store.users.municipality(ctx.user_key)
    return muni if muni in ctx.kb.municipalities else None


async def remember_municipality(ctx: Context, municipality: str | None) -> None:
    if (
        municipality
        and municipality in ctx.kb.municipalities
        and municipality != await ctx.store.users.municipality(ctx.user_key)
    ):
        await ctx.store.users.set_municipality(ctx.user_key, municipality)


async def contact_outs(ctx: Context, purpose: str, municipality: str | None, entry: str | None = None) -> list[Out]:
    """The routed contact list. A kommun given here is remembered for the person; without one,
    the remembered kommun is used (the person is asked only the first time)."""
    kb = ctx.kb
    if purpose not in kb.purposes:
        return [Text(say("contacts.unknown_purpose"))]
    p = kb.purposes[purpose]
    if municipality is not None and municipality not in kb.municipalities:
        municipality = None
    remembered = False
    if municipality is None and p.needs_municipality:
        municipality = await remembered_municipality(ctx)
        remembered = municipality is not None
    if municipality is None and p.needs_municipality:
        return [ask_card(ctx, purpose, entry=entry)]
    if p.needs_municipality and not remembered:
        await remember_municipality(ctx, municipality)
    routed = route(kb, purpose, municipality)
    if routed is None:
        return [Text(say("contacts.no_list"))]
    cl = routed.contact_list
    muni_name = kb.municipalities[municipality].name if municipality else ""
    subtitle = say("contacts.subtitle", purpose=p.title, municipality=muni_name) if muni_name else p.title
    return [
        ctx.card(
            "contacts",
            title=cl.title,
            purpose_title=subtitle,
            description=cl.description,
            specific=routed.specific or not p.needs_municipality,
            default_note=DEFAULT_NOTE,
            contacts=[
                {
                    "role": c.role,
                    "name": c.name,
                    "email": c.email,
                    "phone": c.phone,
                    "actions": contact_actions(c.email, c.phone),
                }
                for c in cl.contacts
            ],
            link=cl.link,
            footer=FOOTER,
            other_municipality=p.needs_municipality,
            remembered_note=REMEMBERED_NOTE if p.needs_municipality else "",
            purpose=purpose,
        )
    ]


def ask_card(ctx: Context, purpose: str | None, entry: str | None = None):
    kb = ctx.kb
    munis = sorted(({"id": m.id, "name": m.name} for m in kb.municipalities.values()), key=lambda m: fold(m["name"]))
    if purpose:
        title = say("contacts.which_municipality_title", purpose=kb.purposes[purpose].title)
        text = say("contacts.which_municipality")
        submit = {"verb": "contact.show", "purpose": purpose, "entry": entry}
        purposes = []
    else:
        title = say("contacts.ask_title")
        text = say("contacts.ask")
        submit = {"verb": "contact.show", "entry": entry}
        purposes = [{"id": p.id, "title": p.title} for p in kb.purposes.values()]
    return ctx.card(
        "ask_municipality",
        title=title,
        text=text,
        purposes=purposes,
        purpose=purpose or "",
        municipalities=munis,
        submit_data=submit,
    )


async def _contact_question(ctx: Context) -> list[Out]:
    text = ctx.turn.text
    # Questions beat triggers: a message that only mentions contacts ("Var hittar jag FK:s
    # kontaktpersoner?") gets the entry that answers it, if one does – its card has a "Vem
    # kontaktar jag?" button. "Vem kontaktar jag …" asks for the contact list itself, and
    # gets the answer first when an entry answers the question too.
    verdict = decide(ctx.kb, ctx.matcher, text)
    named = named_purpose(ctx.kb, text)
    plan = contact_plan(text, verdict.kind, named is not None)
    if plan in (PLAN_ANSWER, PLAN_QUESTION, PLAN_OFFTOPIC):
        return await answer_text(ctx, text, verdict)
    answered = await answer_text(ctx, text, verdict) if plan == PLAN_BOTH else []
    municipality = find_municipality(ctx.kb, text)
    # the match question answering made already (small talk has none)
    purpose = named or answered_purpose(ctx.kb, verdict.result or ctx.matcher.match(text))
    if purpose is None and municipality:
        purpose = "lokal-samverkan" if "lokal-samverkan" in ctx.kb.purposes else None
    if purpose is None:
        return answered + [ask_card(ctx, None)]
    return answered + await contact_outs(ctx, purpose, municipality)


async def _show(ctx: Context) -> list[Out]:
    purpose = ctx.value.get("purpose")
    municipality = ctx.value.get("municipality") or None
    entry = ctx.value.get("entry") if isinstance(ctx.value.get("entry"), str) else None
    if not isinstance(purpose, str) or not purpose:
        return [ask_card(ctx, None, entry)]
    if municipality is not None and not isinstance(municipality, str):
        municipality = None
    return await contact_outs(ctx, purpose, municipality, entry)


async def _change_municipality(ctx: Context) -> list[Out]:
    """ "byt kommun": choose another kommun to remember."""
    kb = ctx.kb
    munis = sorted(({"id": m.id, "name": m.name} for m in kb.municipalities.values()), key=lambda m: fold(m["name"]))
    current = await remembered_municipality(ctx)
    text = (
        say("contacts.change_saved", municipality=kb.municipalities[current].name)
        if current
        else say("contacts.change_none")
    )
    return [
        ctx.card(
            "ask_municipality",
            title=say("contacts.change_title"),
            text=text,
            purposes=[],
            purpose="",
            municipalities=munis,
            submit_data={"verb": "contact.remember"},
            current=current or "",
            submit_title=say("contacts.change_submit"),
        )
    ]


async def _remember(ctx: Context) -> list[Out]:
    municipality = ctx.value.get("municipality")
    if not isinstance(municipality, str) or municipality not in ctx.kb.municipalities:
        return [Text(say("contacts.pick_one"))]
    await ctx.store.users.set_municipality(ctx.user_key, municipality)
    return [Text(say("contacts.saved", municipality=ctx.kb.municipalities[municipality].name))]


async def _pick(ctx: Context) -> list[Out]:
    purpose = ctx.value.get("purpose")
    if isinstance(purpose, str) and purpose in ctx.kb.purposes:
        return [ask_card(ctx, purpose)]
    return [ask_card(ctx, None)]


def register(assistant: Assistant) -> None:
    assistant.command("contact-question", CONTACT_QUESTION, _contact_question)
    assistant.verb("contact.show", _show)
    assistant.verb("contact.pick", _pick)
    assistant.verb("contact.remember", _remember)
    assistant.command("change-municipality", CHANGE_MUNICIPALITY, _change_municipality)
    # keep a reference for tests and other features
    assistant.services.extras["contact_outs"] = contact_outs
