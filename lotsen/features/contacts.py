"""Routing people to the right contact list: "Vem kontaktar jag om X i Y?"."""

from __future__ import annotations

import re
from urllib.parse import quote

from lotsen.assistant import Assistant
from lotsen.context import Context
from lotsen.features.qa import answer_if_answered, contact_purpose_for, find_municipality
from lotsen.matching import ANSWER
from lotsen.routing import route
from lotsen.text import fold, normalise
from lotsen.turn import Out, Text

# "vem kontaktar jag", "vem ska jag kontakta", "vem vänder jag mig till", "kontaktperson för …"
CONTACT_QUESTION = (
    r"\b(vem|vilka|vart|var|vilken)\b.{0,40}\b(kontakta\w*|vand\w*|ringa\w*|ringer|mejla\w*|maila\w*|ta kontakt)\b"
    r"|\bkontakt(person|personer|uppgift|uppgifter|lista|listan|er)\b"
)
ASKS_FOR_CONTACT = re.compile(
    r"\b(vem|vilka|vart|vilken)\b.{0,40}\b(kontakta\w*|vand\w*|ringa\w*|ringer|mejla\w*|maila\w*|ta kontakt)\b")
# Words that name the purpose directly; checked before the matcher is asked.
PURPOSE_WORDS: dict[str, tuple[str, ...]] = {
    "avvikelse": ("avvikelse", "avvikelser", "avvikelsen"),
    "arena": ("arena", "arenan", "arenasamverkan"),
    "sip": ("sip", "samordnad individuell plan"),
    "rehabkoordinator": ("rehabkoordinator", "rehabkoordinatorn", "vardcentral", "vardcentralen", "lakarintyg", "intyg"),
    "fk-samordning": ("fk", "forsakringskassan"),
    "af": ("af", "arbetsformedlingen"),
    "se-hoglandet": ("se hoglandet", "supported employment", "remittentgrupp", "remittentgruppen", "se coach", "ips"),
    "forbund": ("forbundet", "samordningsforbundet", "forbundschef", "forbundschefen", "finsam"),
    "ekonomiskt-bistand": ("ekonomiskt bistand", "forsorjningsstod", "socialsekreterare", "socialtjansten"),
    "lokal-samverkan": ("samverk", "samverkanskoordinator", "samverkanskoordinatorn", "gemensamt arende"),
}
FOOTER = ("Kontaktlistorna förvaltas av samverkanskoordinatorerna. Uppgifterna i den här versionen är "
          "påhittade exempel – fråga din samverkanskoordinator om de riktiga.")
DEFAULT_NOTE = "Det finns ingen egen lista för den kommunen, så här är den länsgemensamma kontakten."
REMEMBERED_NOTE = "Jag kommer ihåg din kommun till nästa gång. Skriv **byt kommun** för att ändra."
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
        actions.append({"title": "E-post", "url": "mailto:" + quote(email, safe="@.")})
    if phone and tel_uri(phone):
        actions.append({"title": "Ring", "url": tel_uri(phone)})
    if email:
        actions.append({"title": "Chatta i Teams", "url": TEAMS_CHAT + quote(email, safe="@.")})
    return actions


def detect_purpose(ctx: Context, text: str) -> str | None:
    folded = f" {normalise(text)} "
    for purpose, words in PURPOSE_WORDS.items():
        if purpose in ctx.kb.purposes and any(f" {w} " in folded for w in words):
            return purpose
    result = ctx.matcher.match(text)
    if result.level == ANSWER and result.best:
        return contact_purpose_for(ctx.kb, ctx.kb.entries[result.best.entry_id])
    return None


def remembered_municipality(ctx: Context) -> str | None:
    muni = ctx.store.user_municipality(ctx.user_key)
    return muni if muni in ctx.kb.municipalities else None


def remember_municipality(ctx: Context, municipality: str | None) -> None:
    if municipality and municipality in ctx.kb.municipalities and municipality != ctx.store.user_municipality(ctx.user_key):
        ctx.store.set_user_municipality(ctx.user_key, municipality)


def contact_outs(ctx: Context, purpose: str, municipality: str | None, entry: str | None = None) -> list[Out]:
    """The routed contact list. A kommun given here is remembered for the person; without one,
    the remembered kommun is used (the person is asked only the first time)."""
    kb = ctx.kb
    if purpose not in kb.purposes:
        return [Text("Jag känner inte till den sortens kontakt. Tryck på ”Vem kontaktar jag?” och välj i listan.")]
    p = kb.purposes[purpose]
    if municipality is not None and municipality not in kb.municipalities:
        municipality = None
    remembered = False
    if municipality is None and p.needs_municipality:
        municipality = remembered_municipality(ctx)
        remembered = municipality is not None
    if municipality is None and p.needs_municipality:
        return [ask_card(ctx, purpose, entry=entry)]
    if p.needs_municipality and not remembered:
        remember_municipality(ctx, municipality)
    routed = route(kb, purpose, municipality)
    if routed is None:
        return [Text("Jag hittar ingen kontaktlista för det. Kontakta din samverkanskoordinator.")]
    cl = routed.contact_list
    muni_name = kb.municipalities[municipality].name if municipality else ""
    subtitle = f"{p.title} – {muni_name}" if muni_name else p.title
    return [ctx.card(
        "contacts",
        title=cl.title,
        purpose_title=subtitle,
        description=cl.description,
        specific=routed.specific or not p.needs_municipality,
        default_note=DEFAULT_NOTE,
        contacts=[{"role": c.role, "name": c.name, "email": c.email, "phone": c.phone,
                   "actions": contact_actions(c.email, c.phone)} for c in cl.contacts],
        link=cl.link,
        footer=FOOTER,
        other_municipality=p.needs_municipality,
        remembered_note=REMEMBERED_NOTE if p.needs_municipality else "",
        purpose=purpose,
    )]


def ask_card(ctx: Context, purpose: str | None, entry: str | None = None):
    kb = ctx.kb
    munis = sorted(({"id": m.id, "name": m.name} for m in kb.municipalities.values()), key=lambda m: fold(m["name"]))
    if purpose:
        title = f"{kb.purposes[purpose].title}: vilken kommun?"
        text = "Kontakten beror på kommunen. Välj kommun, så visar jag rätt kontaktlista."
        submit = {"verb": "contact.show", "purpose": purpose, "entry": entry}
        purposes = []
    else:
        title = "Vem kontaktar jag?"
        text = "Välj vad det gäller och vilken kommun, så visar jag rätt kontaktlista."
        submit = {"verb": "contact.show", "entry": entry}
        purposes = [{"id": p.id, "title": p.title} for p in kb.purposes.values()]
    return ctx.card("ask_municipality", title=title, text=text, purposes=purposes, purpose=purpose or "",
                    municipalities=munis, submit_data=submit)


async def _contact_question(ctx: Context) -> list[Out]:
    text = ctx.turn.text
    # Questions beat triggers: a message that only mentions contacts ("Var hittar jag FK:s
    # kontaktpersoner?") gets the entry that answers it, if one does – its card has a "Vem
    # kontaktar jag?" button. "Vem kontaktar jag …" asks for the contact list itself.
    if not ASKS_FOR_CONTACT.search(normalise(text)):
        answered = await answer_if_answered(ctx, text)
        if answered:
            return answered
    municipality = find_municipality(ctx.kb, text)
    purpose = detect_purpose(ctx, text)
    if purpose is None:
        if municipality:
            purpose = "lokal-samverkan" if "lokal-samverkan" in ctx.kb.purposes else None
        if purpose is None:
            return [ask_card(ctx, None)]
    return contact_outs(ctx, purpose, municipality)


async def _show(ctx: Context) -> list[Out]:
    purpose = ctx.value.get("purpose")
    municipality = ctx.value.get("municipality") or None
    entry = ctx.value.get("entry") if isinstance(ctx.value.get("entry"), str) else None
    if not isinstance(purpose, str) or not purpose:
        return [ask_card(ctx, None, entry)]
    if municipality is not None and not isinstance(municipality, str):
        municipality = None
    return contact_outs(ctx, purpose, municipality, entry)


async def _change_municipality(ctx: Context) -> list[Out]:
    """ "byt kommun": choose another kommun to remember."""
    kb = ctx.kb
    munis = sorted(({"id": m.id, "name": m.name} for m in kb.municipalities.values()), key=lambda m: fold(m["name"]))
    current = remembered_municipality(ctx)
    text = (f"Jag har sparat {kb.municipalities[current].name} som din kommun. Välj en annan, så använder jag den "
            "när du frågar vem du ska kontakta." if current else
            "Välj din kommun, så använder jag den när du frågar vem du ska kontakta.")
    return [ctx.card("ask_municipality", title="Byt kommun", text=text, purposes=[], purpose="",
                     municipalities=munis, submit_data={"verb": "contact.remember"}, current=current or "",
                     submit_title="Spara kommun")]


async def _remember(ctx: Context) -> list[Out]:
    municipality = ctx.value.get("municipality")
    if not isinstance(municipality, str) or municipality not in ctx.kb.municipalities:
        return [Text("Välj en kommun i listan.")]
    ctx.store.set_user_municipality(ctx.user_key, municipality)
    return [Text(f"Klart! Jag använder {ctx.kb.municipalities[municipality].name} när du frågar vem du ska kontakta. "
                 "Skriv **byt kommun** om du vill ändra.")]


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
