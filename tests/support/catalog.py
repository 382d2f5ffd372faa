"""The card catalogue: every Adaptive Card the bot can send, in every state worth looking at.

Used by tests/test_card_catalog.py (schema, size budget, Microsoft's renderer library, and
"every template in cards/templates is covered") and by `python -m scripts.card_gallery`
(writes the cards as JSON, optionally as PNG, into test-artifacts/cards/).

The cards are built the way the bot builds them: through the feature functions
(lotsen.features.*), the flow classes (dialogs.*: DeviationFlow, ArenaFlow, SipFlow, driven
through their `handle` with real card-submit values) and the coordinators' case handling,
over the small fixture knowledge base (tests/fixtures/kb) and an in-memory Store, with a
fixed clock. Which templates a card was rendered from is recorded while it is built (by
watching cards.render's jinja environment), so coverage is measured, not declared.

When you add a template or a new card state, add a builder below (a method named `_build_*`
on `CatalogBuilder` is picked up automatically) and give each card a short, unique name.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from cards import render as render_module
from lotsen.turn import Card, InvokeCard, Out, Text, Turn, UpdateCard, User
from tests.support.teams import VISIBLE_KEYS, visible_strings
from tests.support.db import sql

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb"
# Monday 23 November 2026, 09:00 Swedish time: dates in the cards stay the same on every run.
FIXED_NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
TODAY = "2026-11-20"  # a valid "date of the event" (in the past, after the earliest allowed date)
FUTURE = "2027-01-15"
TEST_PERSONNUMMER = "19121212-1212"  # Skatteverket's test number: valid checksum, belongs to nobody

CASEWORKER = User("29:caseworker", "aaaaaaaa-0000-0000-0000-000000000001", "Kim Handläggare")
COORDINATOR = User("29:coordinator", "cccccccc-0000-0000-0000-000000000001", "Sam Koordinator")
FORM_CARD = "form-card-1"  # the activity id of the card a person presses buttons on


@dataclass(frozen=True)
class CatalogCard:
    name: str  # unique, "feature/state", e.g. "deviation/step-2-errors"
    card: dict[str, Any]
    templates: tuple[str, ...]  # the cards/templates/*.json.j2 it was rendered from (without suffix)
    note: str = ""  # what state this is, for people looking at the gallery

    @property
    def file_stem(self) -> str:
        return self.name.replace("/", "__")


class CatalogError(AssertionError):
    """A builder did not get the card it expected (the flow changed, or a state is gone)."""


# --- watching which templates get rendered -------------------------------------------------------


@contextmanager
def recording_templates() -> Iterator[list[str]]:
    """Names of the card templates rendered inside the block (in order, with repeats)."""
    env = render_module._env()
    seen: list[str] = []
    original = env.get_template

    def get_template(name: Any, *args: Any, **kwargs: Any):
        if isinstance(name, str) and name.endswith(".json.j2"):
            seen.append(name.removesuffix(".json.j2"))
        return original(name, *args, **kwargs)

    env.get_template = get_template  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del env.get_template  # back to the class's method


def cards_of(outs: Iterable[Out] | Out | dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(outs, dict):
        return [outs]
    if isinstance(outs, (Card, UpdateCard, InvokeCard)):
        return [outs.card]
    return [o.card for o in outs if isinstance(o, (Card, UpdateCard, InvokeCard))]


def texts_of(outs: Iterable[Out]) -> list[str]:
    return [o.text for o in outs if isinstance(o, Text)]


def visible_text(card: dict[str, Any]) -> str:
    """Every string a person can read on the card (not submit data)."""
    return "\n".join(visible_strings(card, VISIBLE_KEYS + ("errorMessage",)))


# --- the builder ------------------------------------------------------------------------------


@dataclass
class CatalogBuilder:
    kb_dir: Path = FIXTURE_KB
    now: datetime = FIXED_NOW
    cards: list[CatalogCard] = field(default_factory=list)

    def __post_init__(self) -> None:
        from bot.composition import build_assistant, build_flows, case_kinds
        from lotsen.context import Services
        from lotsen.knowledge import Knowledge
        from lotsen.settings import Settings
        from lotsen.storage import open_store

        clock = lambda: self.now  # noqa: E731
        self.settings = Settings(
            knowledge_dir=self.kb_dir,
            data_dir=ROOT / "build" / "catalog-unused",
            coordinator_ids=(COORDINATOR.aad_object_id.lower(),),
        )
        self.store = open_store(":memory:", clock=clock)
        self.flows = {flow.kind: flow for flow in build_flows()}
        self.services = Services(
            settings=self.settings,
            knowledge=Knowledge(self.kb_dir),
            store=self.store,
            messenger=None,
            clock=clock,
            kinds=case_kinds(list(self.flows.values()), Knowledge(self.kb_dir).kb),
        )
        # The real composition, as create_app builds it.
        self.assistant = build_assistant(self.services, list(self.flows.values()))
        self._ids = itertools.count(1)
        self.loop = asyncio.new_event_loop()  # one loop for every handler, as in the running bot
        self.run(self.store.open())

    def run(self, work):
        """Await `work` on the builder's loop."""
        return self.loop.run_until_complete(work)

    # --- helpers ---------------------------------------------------------------------------

    @property
    def kb(self):
        return self.services.knowledge.kb

    def turn(
        self,
        text: str = "",
        value: dict[str, Any] | None = None,
        *,
        user: User = CASEWORKER,
        conversation: str = "personal-catalog",
        reply_to_id: str = "",
    ) -> Turn:
        return Turn(
            activity_id=f"catalog-{next(self._ids)}",
            text=text,
            user=user,
            conversation_id=conversation,
            value=value,
            reply_to_id=reply_to_id,
            tenant_id="00000000-0000-0000-0000-000000000001",
        )

    def ctx(self, text: str = "", value: dict[str, Any] | None = None, **kw: Any):
        from lotsen.context import Context

        return Context(self.turn(text, value, **kw), self.services)

    def add(self, name: str, build, *, expect: Iterable[str] = (), note: str = "", index: int = -1) -> dict[str, Any]:
        """Build one card (a callable returning a card, an Out or a list of Outs; may be async)
        and add it as `name`. `expect`: texts the card must show (guards the state's meaning)."""
        if any(c.name == name for c in self.cards):
            raise CatalogError(f"catalogue name {name!r} used twice")
        with recording_templates() as seen:
            result = build()
            if asyncio.iscoroutine(result):
                result = self.loop.run_until_complete(result)
        found = cards_of(result)
        if not found:
            texts = texts_of(result) if isinstance(result, list) else []
            raise CatalogError(f"{name}: the builder returned no card (texts: {texts})")
        card = found[index]
        text = visible_text(card)
        missing = [e for e in expect if e not in text]
        if missing:
            raise CatalogError(f"{name}: the card does not show {missing}; it shows:\n{text[:1500]}")
        self.cards.append(CatalogCard(name, card, tuple(dict.fromkeys(seen)), note))
        return card

    async def press(
        self, flow_or_handler, value: dict[str, Any], *, user: User = CASEWORKER, conversation: str = "personal-catalog"
    ) -> list[Out]:
        """A card submit on the form card (reply_to_id set, as Teams sends it)."""
        ctx = self.ctx(value=value, user=user, conversation=conversation, reply_to_id=FORM_CARD)
        handler = flow_or_handler.handle if hasattr(flow_or_handler, "handle") else flow_or_handler
        return await handler(ctx)

    async def dispatch(
        self,
        text: str = "",
        value: dict[str, Any] | None = None,
        *,
        user: User = CASEWORKER,
        conversation: str = "personal-catalog",
        reply_to_id: str = "",
    ) -> list[Out]:
        """Through the router, like a real turn (typed commands, verbs of other features)."""
        outs = await self.assistant.on_message(
            self.turn(text, value, user=user, conversation=conversation, reply_to_id=reply_to_id)
        )
        if any("Något gick fel hos mig" in t for t in texts_of(outs)):
            raise CatalogError(f"the handler for {text or value!r} failed (see the logged traceback)")
        return outs

    def flow(self, kind: str):
        if kind not in self.flows:
            raise CatalogError(f"no flow files cases of kind {kind!r} (registered: {sorted(self.flows)})")
        return self.flows[kind]

    def draft(self, kind: str, conversation: str = "personal-catalog", user: User = CASEWORKER) -> dict[str, Any]:
        return self.run(self.stored_draft(kind, conversation, user))

    async def stored_draft(
        self, kind: str, conversation: str = "personal-catalog", user: User = CASEWORKER
    ) -> dict[str, Any]:
        found = await self.store.drafts.get(f"{conversation}|{user.aad_object_id or user.id}")
        if found is None or found.flow != kind:
            raise CatalogError(f"no {kind} draft stored (found {found and found.flow})")
        return dict(found.data)

    def build(self) -> list[CatalogCard]:
        for name in sorted(n for n in dir(self) if n.startswith("_build_")):
            getattr(self, name)()
        return self.cards

    # --- welcome and help --------------------------------------------------------------------

    def _build_10_welcome_help(self) -> None:
        from lotsen.features import help as help_feature

        self.add(
            "welcome",
            lambda: help_feature.welcome(self.ctx()),
            expect=["Hej! Jag är Samverkanslotsen"],
            note="Sent once when the bot is installed (conversationUpdate, bot added).",
        )
        self.add(
            "help/caseworker",
            lambda: help_feature.show_help(self.ctx("hjälp")),
            expect=["Det här kan jag hjälpa dig med"],
            note="“hjälp” from a caseworker.",
        )
        self.add(
            "help/coordinator",
            lambda: help_feature.show_help(self.ctx("hjälp", user=COORDINATOR)),
            expect=["För samverkanskoordinatorer"],
            note="“hjälp” from a coordinator (COORDINATOR_IDS).",
        )

    # --- answers -------------------------------------------------------------------------------

    def _build_20_answers(self) -> None:
        from lotsen.features import qa

        entries = list(self.kb.entries.values())

        def first(pred, what: str):
            for entry in entries:
                if pred(entry):
                    return entry
            raise CatalogError(f"the fixture knowledge base has no entry {what}")

        plain = first(lambda e: not e.gap and not e.related and not e.actions, "without related, actions or gap")
        self.add(
            "answer/plain",
            lambda: qa.answer_card(self.ctx(), plain),
            expect=[plain.question, "Källa:"],
            note="A sourced answer without related questions or flow buttons.",
        )
        related = first(lambda e: e.related and not e.actions, "with related questions and no actions")
        self.add(
            "answer/related",
            lambda: qa.answer_card(self.ctx(), related),
            expect=["Läs också"],
            note="An answer with “Läs också” buttons.",
        )
        for action in ("avvikelse", "arena", "sip"):
            entry = first(lambda e, a=action: a in e.actions, f"with the {action} flow button")
            self.add(
                f"answer/flow-{action}",
                lambda e=entry: qa.answer_card(self.ctx(), e),
                expect=[qa.FLOW_BUTTONS[action][0]],
                note=f"An answer with the button that starts the {action} flow.",
            )
        gap = first(lambda e: e.gap, "marked gap: true")
        self.add(
            "answer/gap",
            lambda: qa.answer_card(self.ctx(), gap),
            expect=["Underlaget säger inte mer"],
            note="An answer where the sources say no more (gap: true).",
        )
        legal = first(lambda e: e.legal, "with a legal_note")
        self.add(
            "answer/legal-note",
            lambda: qa.answer_card(self.ctx(), legal),
            expect=["Ny socialtjänstlag", "Källan hänvisar till", "Kontrollera aktuell lagtext"],
            note="An answer citing a law that has changed since the source was written (legal_note).",
        )
        self.add(
            "answer/through-router",
            lambda: self.dispatch(related.question),
            expect=[related.question],
            note="The same answer card, reached by typing the question.",
        )
        ref = "0123456789abcdef0123456789abcdef"
        self.add(
            "feedback_reason/asked",
            lambda: qa.reason_card(self.ctx(), ref, plain.id),
            expect=["Vad var fel med svaret?", "Fel svar", "Fråga en person"],
            note="After 👎: what was wrong (and an optional comment), and a person to ask.",
        )
        self.add(
            "feedback_reason/personnummer",
            lambda: qa.reason_card(
                self.ctx(), ref, plain.id, "annat", "Gäller ▇▇▇▇▇▇▇▇-▇▇▇▇", "Ta bort personnumret …"
            ),
            expect=["⚠ Ta bort personnumret"],
            note="The comment held a personnummer: masked, with the error.",
        )

    def _build_21_suggestions_fallback(self) -> None:
        from lotsen.features import qa
        from lotsen.matching import SUGGEST

        kb = self.services.knowledge.kb
        query = next(
            (
                q
                for q in ("sip", "samordning", "måste sip", "arena sip")
                if self.services.knowledge.matcher.match(q).level == SUGGEST and qa.glossary_entry(kb, q) is None
            ),
            None,
        )
        if query is None:
            raise CatalogError("no query gives “Menade du …?” on the fixture knowledge base")
        self.add(
            "suggestions",
            lambda: qa.answer_text(self.ctx(query), query),
            expect=["Menade du", "Ingen av dessa"],
            note=f"“Menade du …?” for the vague question “{query}”.",
        )
        self.add(
            "fallback/unknown",
            lambda: qa.answer_text(self.ctx("vad kostar det"), "vad kostar det", qa.Verdict(qa.VERDICT_UNKNOWN)),
            expect=["Det vet jag tyvärr inte"],
            note="No answer in the knowledge base: the general contact list.",
        )
        self.add(
            "offtopic",
            lambda: qa.answer_text(self.ctx("ge mig ett recept på kanelbullar"), "ge mig ett recept på kanelbullar"),
            expect=["Det ligger utanför vad jag kan svara på", "Prova till exempel"],
            note="An off-topic question: a clean refusal saying what the bot can do.",
        )
        self.add(
            "fallback/municipality",
            lambda: qa.fallback_card(self.ctx(), "blorp i Vetlanda"),
            expect=["Det vet jag tyvärr inte"],
            note="No answer, a municipality named: its contact list.",
        )

    # --- contacts ------------------------------------------------------------------------------

    def _build_30_contacts(self) -> None:
        from lotsen.features import contacts

        kb = self.kb
        specific = next(
            (
                (p, m)
                for p in kb.purposes
                for m in kb.municipalities
                if kb.purposes[p].needs_municipality and (r := _route(kb, p, m)) and r.specific
            ),
            None,
        )
        default = next(
            (
                (p, m)
                for p in kb.purposes
                for m in kb.municipalities
                if kb.purposes[p].needs_municipality and (r := _route(kb, p, m)) and not r.specific
            ),
            None,
        )
        if specific is None or default is None:
            raise CatalogError("the fixture knowledge base needs a municipality-specific and a default contact list")
        self.add(
            "contacts/specific",
            lambda: contacts.contact_outs(self.ctx(), *specific),
            expect=[kb.municipalities[specific[1]].name, "Byt kommun", "E-post", "Chatta i Teams"],
            note=f"Contacts for {specific[0]} in {specific[1]} (a list of its own).",
        )
        self.add(
            "contacts/default",
            lambda: contacts.contact_outs(self.ctx(), *default),
            expect=[contacts.DEFAULT_NOTE],
            note=f"Contacts for {default[0]} in {default[1]}: the county default.",
        )
        general = next((p for p in kb.purposes.values() if not p.needs_municipality), None)
        if general is not None:
            self.add(
                "contacts/no-municipality",
                lambda: contacts.contact_outs(self.ctx(), general.id, None),
                expect=[general.title],
                note="A purpose that does not depend on the municipality.",
            )
        self.add(
            "ask_municipality/with-purposes",
            lambda: contacts.ask_card(self.ctx(), None),
            expect=["Vad gäller det?", "Kommun"],
            note="“Vem kontaktar jag?” without a purpose: pick both.",
        )
        purpose = specific[0]
        self.add(
            "ask_municipality/for-purpose",
            lambda: contacts.ask_card(self.ctx(), purpose),
            expect=["vilken kommun?"],
            note="A purpose that needs a municipality: pick the municipality.",
        )
        self.add(
            "contacts/through-router",
            lambda: self.dispatch("vem kontaktar jag om avvikelser i Vetlanda"),
            expect=["Vetlanda"],
            note="Typed contact question with purpose and municipality.",
        )

    # --- deviation report ------------------------------------------------------------------------

    def deviation_inputs(self) -> list[dict[str, Any]]:
        """Valid inputs for the three steps, as the card submits them (first choices of each list)."""
        kb = self.kb

        def first(list_id: str, n: int = 1) -> str:
            return ",".join(o.value for o in kb.lists[list_id].options[:n])

        return [
            {
                "datum": TODAY,
                "kommun": next(iter(kb.municipalities)),
                "organisation": first("avvikelse-organisation"),
                "parter": first("avvikelse-parter", 2),
                "insats": first("avvikelse-insats"),
            },
            {
                "beskrivning": "Arbetsförmedlingen kom inte till det planerade SIP-mötet och ingen ny tid bokades.",
                "allvarlighet": first("avvikelse-allvarlighet"),
                "orsaker": ",".join(o.value for o in kb.lists["avvikelse-orsaker"].options[:2] if o.value != "annat"),
                "orsak_annat": "",
                "konsekvenser": ",".join(
                    o.value for o in kb.lists["avvikelse-konsekvenser"].options[:2] if o.value != "annat"
                ),
                "konsekvens_annat": "",
            },
            {
                "sip": first("avvikelse-sip"),
                "losningar": first("avvikelse-losningar"),
                "losning_text": "",
                "atgarder": first("avvikelse-atgarder"),
                "atgard_text": "",
                "aterkoppling": "true",
            },
        ]

    def _build_40_deviation(self) -> None:
        flow = self.flow("avvikelse")
        conv = "personal-deviation"
        steps = self.deviation_inputs()

        def press(value: dict[str, Any]):
            return lambda: self.press(flow, value, conversation=conv)

        self.add(
            "notice/deviation-start",
            lambda: self.dispatch("rapportera avvikelse", conversation=conv),
            expect=["Rapportera en avvikelse i samverkan", "Fyll i rapporten"],
            note="What an “avvikelse i samverkan” is, before the form.",
        )
        self.add(
            "deviation/step-1-empty",
            press({"verb": "dev.begin"}),
            expect=["Steg 1 av 3"],
            note="Step 1 of the form, nothing filled in.",
        )
        form_id = self.draft("avvikelse", conv)["form_id"]

        def nxt(step: int, inputs: dict[str, Any]):
            return press({"verb": "dev.next", "form_id": form_id, "step": step, **inputs})

        bad1 = dict(steps[0], datum=FUTURE, kommun="")
        self.add(
            "deviation/step-1-errors",
            nxt(0, bad1),
            expect=["Rätta 2 fält nedan.", "Datumet kan inte vara i framtiden.", "Välj ett alternativ."],
            note="Step 1 sent with a date in the future and no municipality: the server's messages.",
        )
        self.add(
            "deviation/step-1-unknown-field",
            nxt(0, dict(steps[0], reporter_id="admin")),
            expect=["okända fält"],
            note="A tampered submission with an unknown field (form-level error).",
        )
        self.add("deviation/step-2-empty", nxt(0, steps[0]), expect=["Steg 2 av 3"], note="Step 2, nothing filled in.")
        bad2 = dict(
            steps[1], beskrivning=f"Personen med personnummer {TEST_PERSONNUMMER} fick inget stöd.", allvarlighet=""
        )
        self.add(
            "deviation/step-2-errors",
            nxt(1, bad2),
            expect=["Ta bort personnumret", "Välj ett alternativ."],
            note="Step 2 with a personnummer in the description (refused) and no severity.",
        )
        self.add(
            "deviation/step-2-too-short",
            nxt(1, dict(steps[1], beskrivning="för kort")),
            expect=["minst 20 tecken"],
            note="Step 2 with a too short description.",
        )
        self.add(
            "deviation/step-2-other-without-text",
            nxt(1, dict(steps[1], orsaker="annat", orsak_annat="")),
            expect=["Du valde Annat: beskriv orsaken kort."],
            note="“Annat” chosen without saying what (cross-field rule).",
        )
        self.add(
            "deviation/step-3-empty",
            nxt(1, steps[1]),
            expect=["Steg 3 av 3", "Granska"],
            note="Step 3, nothing filled in; the button says Granska.",
        )
        self.add(
            "deviation/step-3-errors",
            nxt(2, dict(steps[2], sip="", losning_text=f"Ring {TEST_PERSONNUMMER}")),
            expect=["Ta bort personnumret", "Välj ett alternativ."],
            note="Step 3 with a personnummer and no SIP answer.",
        )
        self.add(
            "deviation/review",
            nxt(2, steps[2]),
            expect=["granska", "Skicka"],
            note="The review: everything filled in, with “Ändra …” per step.",
        )
        draft = self.draft("avvikelse", conv)
        for index in range(len(flow.steps(self.kb, draft))):
            self.add(
                f"deviation/step-{index + 1}-filled",
                lambda i=index: flow.step_card(self.ctx(), draft, i),
                expect=[f"Steg {index + 1} av"],
                note=f"Step {index + 1} again (“Ändra” from the review): filled in.",
            )
        self.add(
            "deviation/receipt",
            press({"verb": "dev.send", "form_id": form_id}),
            expect=["Tack! Uppgifterna är sparade.", "AVV-2026-"],
            note="The receipt that replaces the review.",
        )
        self.add(
            "deviation/receipt-already",
            press({"verb": "dev.send", "form_id": form_id}),
            index=0,
            expect=["Tack! Uppgifterna är sparade.", "AVV-2026-"],
            note="“Skicka” pressed again: the same receipt, nothing new.",
        )
        self.add(
            "notice/deviation-cancelled",
            lambda: self._cancelled(flow),
            expect=["avbrutet"],
            note="“Avbryt” on a form card.",
        )

    async def _cancelled(self, flow) -> list[Out]:
        conv = "personal-cancel"
        await self.press(flow, {"verb": "dev.begin"}, conversation=conv)
        form_id = (await self.stored_draft(flow.kind, conv))["form_id"]
        return await self.press(flow, {"verb": "dev.cancel", "form_id": form_id}, conversation=conv)

    # --- Arena and SIP requests -------------------------------------------------------------------

    def _municipality(self, *, arena: bool, kommunomrade: bool | None = None) -> str:
        for muni in self.kb.municipalities.values():
            if muni.arena == arena and (kommunomrade is None or muni.kommunomrade == kommunomrade):
                return muni.id
        raise CatalogError(
            f"the fixture knowledge base has no municipality with arena={arena}, kommunomrade={kommunomrade}"
        )

    def _build_50_requests(self) -> None:
        try:
            from dialogs.request import chooser_card  # noqa: F401
        except ImportError as exc:  # the request flow is not there (yet)
            raise CatalogError(f"dialogs.request cannot be imported: {exc}") from exc
        conv = "personal-request"
        self.add(
            "request/chooser",
            lambda: self.dispatch(value={"verb": "req.start"}, conversation=conv),
            expect=["Arena-konsultation", "SIP-möte"],
            note="“Begär Arena eller SIP”: which one?",
        )
        self._arena(conv + "-arena")
        self._sip(conv + "-sip")

    def _triage(self, kind: str, conv: str, *, name: str, expect: list[str], note: str, **start: Any) -> str:
        self.add(
            name,
            lambda: self.dispatch(value={"verb": "req.start", "kind": kind, **start}, conversation=conv),
            expect=expect,
            note=note,
        )
        return self.draft(kind, conv)["form_id"]

    def _arena(self, conv: str) -> None:
        flow = self.flow("arena")
        inside = self._municipality(arena=True)
        outside_area = self._municipality(arena=False, kommunomrade=True)
        form_id = self._triage(
            "arena",
            conv,
            name="request/arena-triage",
            expect=["Förutsättningar", "Fortsätt"],
            note="Arena: the preconditions, before the form.",
        )

        def check(**answers: Any):
            return lambda: self.press(flow, {"verb": "arena.check", "form_id": form_id, **answers}, conversation=conv)

        ok = {"arena_typ": "individ", "kommun": inside, "planering": "nej", "samtycke": "true"}
        self.add(
            "request/arena-triage-errors",
            check(arena_typ="", kommun="", planering="", samtycke="false"),
            expect=["Rätta"],
            note="Arena preconditions sent empty.",
        )
        name = self.kb.municipalities[outside_area].name
        self.add(
            "request/arena-stop-not-covered",
            check(**dict(ok, kommun=outside_area)),
            expect=[f"Arena finns inte i {name}"],
            note=f"{name} is not in Arena: where to go instead.",
        )
        try:
            elsewhere = self._municipality(arena=False, kommunomrade=False)
        except CatalogError:
            elsewhere = None
        if elsewhere:
            other = self.kb.municipalities[elsewhere].name
            self.add(
                "request/arena-stop-not-covered-no-samverk",
                check(**dict(ok, kommun=elsewhere)),
                expect=[f"Arena finns inte i {other}"],
                note=f"{other}: not in Arena and no local Samverk described.",
            )
        self.add(
            "request/arena-stop-planning",
            check(**dict(ok, planering="ja")),
            expect=["Arena planerar inte insatser"],
            note="Arena was asked to plan efforts: SIP instead.",
        )
        self.add(
            "request/arena-stop-consent",
            check(**dict(ok, samtycke="false")),
            expect=["Skriftligt samtycke behövs först"],
            note="An individual case without written consent.",
        )
        self.add(
            "request/arena-step-1-empty",
            check(**ok),
            expect=["Steg 1 av"],
            note="Arena form, step 1 (individual case).",
        )
        first_parter = self.kb.lists["forfragan-parter"].options[0].value
        two_parter = ",".join(o.value for o in self.kb.lists["forfragan-parter"].options[:2])

        def nxt(step: int, **inputs: Any):
            return lambda: self.press(
                flow, {"verb": "arena.next", "form_id": form_id, "step": step, **inputs}, conversation=conv
            )

        step1 = {
            "syfte": "Vi behöver kartlägga vilket stöd personen kan få från regionen och Försäkringskassan.",
            "parter": two_parter,
            "provat": "Samtal med socialtjänsten och en kort arbetsträning.",
        }
        self.add(
            "request/arena-step-1-errors",
            nxt(0, **dict(step1, parter=first_parter)),
            expect=["Välj minst två"],
            note="Arena individual case with only one party.",
        )
        self.add("request/arena-step-2-empty", nxt(0, **step1), expect=["Steg 2 av"], note="Arena form, step 2.")
        tid = self.kb.lists["forfragan-tid"].options[0].value
        org = self.kb.lists["forfragan-organisation"].options[0].value
        self.add(
            "request/arena-step-2-errors",
            nxt(1, tid="", tid_kommentar="", roll="", organisation=org),
            expect=["Rätta"],
            note="Arena step 2 without time and role.",
        )
        self.add(
            "request/arena-review",
            nxt(1, tid=tid, tid_kommentar="", roll="Socialsekreterare", organisation=org),
            expect=["granska", "Skicka"],
            note="Arena review.",
        )
        self.add(
            "request/arena-receipt",
            lambda: self.press(flow, {"verb": "arena.send", "form_id": form_id}, conversation=conv),
            expect=["ARENA-2026-"],
            note="Arena receipt with its reference.",
        )
        general = self._triage(
            "arena",
            conv + "-general",
            name="request/arena-triage-general-preset",
            expect=["Förutsättningar"],
            note="Arena preconditions with “allmän fråga” preset.",
            arena_typ="allman",
        )
        self.add(
            "request/arena-step-1-general",
            lambda: self.press(
                flow,
                {
                    "verb": "arena.check",
                    "form_id": general,
                    "arena_typ": "allman",
                    "kommun": inside,
                    "planering": "nej",
                    "samtycke": "false",
                },
                conversation=conv + "-general",
            ),
            expect=["Din fråga"],
            note="Arena form, step 1 for a general question (no consent needed).",
        )

    def _sip(self, conv: str) -> None:
        flow = self.flow("sip")
        inside = self._municipality(arena=True)
        muni = next(iter(self.kb.municipalities))
        form_id = self._triage(
            "sip",
            conv,
            name="request/sip-triage",
            expect=["Förutsättningar"],
            note="SIP: the preconditions, before the form.",
        )

        def check(**answers: Any):
            return lambda: self.press(flow, {"verb": "sip.check", "form_id": form_id, **answers}, conversation=conv)

        ok = {"kommun": muni, "huvudman": "socialtjanst,halso-sjukvard", "samtycke": "true"}
        self.add(
            "request/sip-triage-errors",
            check(kommun="", huvudman="", samtycke="false"),
            expect=["Rätta"],
            note="SIP preconditions sent empty.",
        )
        self.add(
            "request/sip-stop-single-principal",
            check(**dict(ok, kommun=inside, huvudman="socialtjanst,arbetsformedlingen")),
            expect=["SIP kräver insatser från både"],
            note="Only socialtjänsten has efforts (in an Arena municipality).",
        )
        self.add(
            "request/sip-stop-consent",
            check(**dict(ok, samtycke="false")),
            expect=["Individen behöver säga ja till SIP"],
            note="The individual has not said yes.",
        )
        self.add(
            "request/sip-step-1-prefilled",
            check(**ok),
            expect=["Steg 1 av"],
            note="SIP form step 1, parties prefilled from the preconditions.",
        )

        def nxt(step: int, **inputs: Any):
            return lambda: self.press(
                flow, {"verb": "sip.next", "form_id": form_id, "step": step, **inputs}, conversation=conv
            )

        step1 = {
            "syfte": "Socialtjänsten och psykiatrin behöver samordna stödet kring boende och behandling.",
            "provat": "",
            "individen_onskar": "true",
            "narstaende": "false",
        }
        self.add(
            "request/sip-step-1-errors",
            nxt(0, **dict(step1, syfte="kort")),
            expect=["Rätta"],
            note="SIP step 1 with a too short text.",
        )
        self.add(
            "request/sip-step-2-empty",
            nxt(0, **step1),
            expect=["Steg 2 av", "SMARTA"],
            note="SIP step 2: preparation questions.",
        )
        self.add(
            "request/sip-step-3-empty",
            nxt(1, forberedelse="rehabplan,prognos", smarta="true"),
            expect=["Steg 3 av"],
            note="SIP step 3: time and contact.",
        )
        tid = self.kb.lists["forfragan-tid"].options[0].value
        org = self.kb.lists["forfragan-organisation"].options[0].value
        self.add(
            "request/sip-review",
            nxt(2, tid=tid, tid_kommentar="", roll="Socialsekreterare", organisation=org),
            expect=["granska", "Skicka"],
            note="SIP review.",
        )
        self.add(
            "request/sip-receipt",
            lambda: self.press(flow, {"verb": "sip.send", "form_id": form_id}, conversation=conv),
            expect=["SIP-2026-"],
            note="SIP receipt with its reference.",
        )

    # --- coordinators: case cards, digest, upkeep ---------------------------------------------------

    def _file(self, kind: str, municipality: str | None, values: dict[str, Any], context: dict[str, Any]):
        from lotsen import cases

        case, _ = self.run(
            cases.file_case(
                self.store,
                kind=kind,
                prefix=self.services.kinds[kind].prefix,
                form_id=uuid.uuid4().hex,
                municipality=municipality,
                reporter_aad=CASEWORKER.aad_object_id,
                reporter_name=CASEWORKER.name,
                reporter_ref=None,
                wants_feedback=True,
                data={"values": values, "context": context},
            )
        )
        return case

    def _case_values(self, kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Stored values as the flow would store them (taken from the filed catalogue cases if any)."""
        row = sql(self.store).execute("SELECT data FROM cases WHERE kind = ? ORDER BY id LIMIT 1", (kind,)).fetchone()
        if row is not None:
            import json

            data = json.loads(row["data"])
            return data.get("values", {}), data.get("context", {})
        return {}, {}

    def _build_60_case_cards(self) -> None:
        from dialogs import casework
        from lotsen import cases

        muni = next(iter(self.kb.municipalities))
        for kind, statuses in ((k.id, k.statuses) for k in self.services.kinds):
            values, context = self._case_values(kind)
            case = self._file(kind, muni, values, context)
            self.add(
                f"case_card/{kind}-mottagen",
                lambda c=case: casework.case_card(self.ctx(user=COORDINATOR), c),
                expect=[case.reference, "Status: Mottagen"],
                note=f"A new {kind} case as posted to the channel.",
            )
            for status, title in statuses.items():
                if status == "mottagen":
                    continue
                extra = {"datum": "2026-12-01", "tid": "10:00", "format": "digitalt"} if status == "bokad" else None
                case = self.run(
                    cases.change_status(
                        self.store, case, status, COORDINATOR.aad_object_id, f"Kommentar vid {title.lower()}", extra
                    )
                )
                self.add(
                    f"case_card/{kind}-{status}",
                    lambda c=case: casework.case_card(self.ctx(user=COORDINATOR), c),
                    expect=[f"Status: {title}"],
                    note=f"The {kind} case after status “{title}”, with history.",
                )
            # Errors, the way a coordinator gets them: through the "case.status" button.
            bad: dict[str, Any] = {"status": "bokad"} if "bokad" in statuses else {"status": "ogiltig"}  # not a status
            bad["comment"] = f"Personen {TEST_PERSONNUMMER}"
            self.add(
                f"case_card/{kind}-errors",
                lambda b=bad, c=case: self.dispatch(
                    value={"verb": "case.status", "reference": c.reference, **b},
                    user=COORDINATOR,
                    reply_to_id="channel-card-1",
                ),
                expect=["⚠", "Ta bort personnumret"],
                note=f"The {kind} case card after a status change with a personnummer in the comment.",
            )
            if "bokad" in statuses:
                self.add(
                    f"case_card/{kind}-errors-booking",
                    lambda c=case: self.dispatch(
                        value={"verb": "case.status", "reference": c.reference, "status": "bokad", "comment": ""},
                        user=COORDINATOR,
                        reply_to_id="channel-card-1",
                    ),
                    expect=["En bokad tid behöver datum, tid och form."],
                    note=f"The {kind} case card after “Bokad” without date, time and form.",
                )

    def _build_65_reports(self) -> None:
        def typed(text: str):
            return lambda: self.dispatch(text, user=COORDINATOR)

        self.add(
            "case_list/all",
            typed("lista avvikelser"),
            expect=["Avvikelser i samverkan", "AVV-2026-"],
            note="“lista avvikelser”: the most recent deviation reports.",
        )
        self.add(
            "case_list/empty",
            typed("lista avvikelser 2020"),
            expect=["Inga avvikelser matchar urvalet."],
            note="“lista avvikelser 2020”: nothing matches.",
        )
        self.add(
            "case_compilation/year",
            typed("sammanställning 2026"),
            expect=["sammanställning 2026"],
            note="“sammanställning 2026”: counts in the shape of Bilaga 6.",
        )
        self.add(
            "case_list/requests",
            typed("lista förfrågningar"),
            expect=["Förfrågningar: Arena och SIP", "SIP-"],
            note="“lista förfrågningar”: Arena and SIP requests (coordinators).",
        )
        self.add(
            "case_list/mine",
            lambda: self.dispatch("mina ärenden"),
            expect=["Mina ärenden", "Status:"],
            note="“mina ärenden”: the caseworker's own reports and requests with status.",
        )
        sip = sql(self.store).execute("SELECT reference FROM cases WHERE kind = 'sip' LIMIT 1").fetchone()
        if sip is None:
            raise CatalogError("no SIP case filed before the reports builder")
        self.add(
            "case_status/own",
            lambda: self.dispatch(f"status {sip[0]}"),
            expect=[sip[0], "Status:", "Historik"],
            note="“status <referens>” by the person who filed it: status, receiver, history with comments.",
        )
        self.add(
            "case_compilation/empty",
            typed("sammanställning 2020"),
            expect=["Inga avvikelser har kommit in under perioden."],
            note="A compilation of a year without reports.",
        )

    def _build_70_digest(self) -> None:
        from zoneinfo import ZoneInfo

        from lotsen import digest

        zone = ZoneInfo(self.settings.digest_timezone)

        async def card_of(store):
            return digest.digest_card(
                await digest.build_digest(store, self.now, kinds=self.services.kinds), self.kb, zone
            )

        empty_store = self.run(_empty_store(self.now))
        try:
            self.add(
                "digest/empty",
                lambda: card_of(empty_store),
                expect=["Veckosammanfattning", "Inga obesvarade frågor"],
                note="The weekly digest of a quiet week.",
            )
        finally:
            self.run(empty_store.close())
        self._seed_activity()
        self.add(
            "digest/with-data",
            lambda: card_of(self.store),
            expect=["Veckosammanfattning", "× "],
            note="The weekly digest with questions, feedback and cases.",
        )

    def _seed_activity(self) -> None:
        from lotsen.text import normalise

        entry = next(iter(self.kb.entries.values()))
        questions = self.store.questions
        for question in ("hur söker man bostadsbidrag", "hur söker man bostadsbidrag", "vad gör kuratorn"):
            self.run(questions.record_unanswered(question, normalise(question), "none"))
        self.run(questions.record_unanswered("sip", "sip", "suggest", [entry.id], uuid.uuid4().hex))
        self.run(questions.record_feedback(entry.id, "down", entry.question, normalise(entry.question)))
        self.run(questions.record_feedback(entry.id, "up", entry.question, normalise(entry.question)))
        self.run(self.store.navigator.record("situation", [], []))
        self.run(self.store.navigator.record("recommendation", ["sgi=nej", "kommun=jonkoping"], ["sip-kalla", "arena"]))

    # --- Vägvisaren ----------------------------------------------------------------------------

    def _build_75_vagvisare(self) -> None:
        from lotsen.features import vagvisare

        described = "Min klient i Jönköping har fsö i 2 år, saknar SGI och har depression. Hon går på psykiatrin."
        self.add(
            "vagvisare_situation/understood",
            lambda: self.dispatch(described),
            expect=[
                "Så här uppfattade jag situationen",
                "Från: ”Jönköping”",
                "Det här behöver jag veta",
                "Finns skriftligt samtycke?",
            ],
            note="A described situation: the facts understood (editable, with the words they came from) and "
            "only the missing facts that matter; the rest behind “Fler uppgifter”.",
        )
        self.add(
            "vagvisare_situation/empty",
            lambda: self.dispatch("vägvisare"),
            expect=["Berätta om situationen", "Vilken kommun gäller det?"],
            note="“vägvisare” (or the welcome/help button): every fact as a question.",
        )
        self.add(
            "vagvisare_situation/errors",
            lambda: self.dispatch(value={"verb": "nav.show", "f_kommun": "jonkoping", "f_alder": "300"}),
            expect=["skriv ett heltal mellan 15 och 75", "Några svar kunde inte läsas"],
            note="A submitted answer that cannot be used: the card again with the message by the field.",
        )
        self.add(
            "vagvisare_situation/edit",
            lambda: self.dispatch(value={"verb": "nav.edit", "f_kommun": "habo", "f_halsa": "psykisk"}),
            expect=["Ändra svaren och tryck på Visa rekommendation"],
            note="“Ändra svaren” on a recommendation.",
        )
        self.add(
            "vagvisare_advice/local-steps",
            lambda: self.dispatch(
                value={
                    "verb": "nav.show",
                    "f_kommun": "jonkoping",
                    "f_sgi": "nej",
                    "f_bistand": "langvarigt",
                    "f_halsa": "psykisk",
                    "f_insatser": "varden,socialtjansten",
                    "f_samtycke": "ja",
                }
            ),
            expect=[
                "Vägvisaren: så här kan du gå vidare",
                "1. Kalla till SIP",
                "Lokal rutin i Jönköping",
                "I Jönköpings kommun",
                "Begär SIP-möte",
                "Begär Arena-konsultation",
                "Källa:",
                "Ändra svaren",
            ],
            note="Numbered steps with who, why and source; the local routine marked; action buttons; contacts.",
        )
        self.add(
            "vagvisare_advice/gap",
            lambda: self.dispatch(
                value={"verb": "nav.show", "f_kommun": "gnosjo", "f_sgi": "nej", "f_halsa": "autism", "f_brist": "ja"}
            ),
            expect=["Det här säger underlaget inte", "Gnosjö kommun", "Rapportera avvikelse"],
            note="A municipality without a local routine in the sources: said honestly, with a contact.",
        )
        self.add(
            "vagvisare_advice/nothing",
            lambda: self.dispatch(value={"verb": "nav.show", "f_kommun": "vetlanda", "f_sgi": "ja"}),
            expect=["Jag hittar ingen rekommendation"],
            note="No rule applies: said so, with the local contact.",
        )
        self.add(
            "vagvisare_test/coordinator",
            lambda: vagvisare._test(self.ctx("testa vägvisare: " + described, user=COORDINATOR)),
            expect=["Testa Vägvisaren", "Regler som ger råd", "Regler som inte gäller", "”Jönköping”"],
            note="“testa vägvisare: …”: facts with their words, and which rules fired or not and why.",
        )

    def _build_80_upkeep(self) -> None:
        from lotsen.features import upkeep

        coordinator = dict(user=COORDINATOR)
        entry = next(iter(self.kb.entries.values()))
        from lotsen.features import teach as teach_feature

        self.add(
            "teach_pick/suggested",
            lambda: teach_feature._pick(
                self.ctx(
                    value={"verb": "teach.pick", "q": "vem ordnar lokal för planeringen", "suggest": entry.id},
                    **coordinator,
                )
            ),
            expect=["Koppla till svar", "vem ordnar lokal för planeringen"],
            note="“Koppla till svar…” from the unanswered list: pick the entry the question should get.",
        )
        self.add(
            "match_test/answer",
            lambda: upkeep.test_card(self.ctx(**coordinator), entry.question, self.assistant),
            expect=["Testa en fråga", entry.id],
            note="“testa: <fråga>”: which entries match and why.",
        )
        self.add(
            "match_test/intercepted",
            lambda: upkeep.test_card(self.ctx(**coordinator), "hjälp", self.assistant),
            expect=["Obs!"],
            note="“testa: hjälp”: a typed command takes the text first.",
        )
        self.add(
            "match_test/nothing",
            lambda: upkeep.test_card(self.ctx(**coordinator), "xyzzy plopp", self.assistant),
            expect=["Ingen fråga i kunskapsbasen"],
            note="“testa:” with words the knowledge base does not know.",
        )
        empty = _Swap(self, self.run(_empty_store(self.now)))
        with empty:
            self.add(
                "upkeep_list/unanswered-empty",
                lambda: upkeep.unanswered_card(self.ctx(**coordinator), 30),
                expect=["Inga obesvarade frågor"],
                note="“obesvarade frågor” when there are none.",
            )
            self.add(
                "upkeep_list/feedback-empty",
                lambda: upkeep.feedback_card(self.ctx(**coordinator), 30),
                expect=["Ingen har tryckt"],
                note="“feedback” when there is none.",
            )
        self.add(
            "upkeep_list/unanswered",
            lambda: self.dispatch("obesvarade frågor", user=COORDINATOR),
            expect=["Obesvarade frågor", "Testa frågan"],
            note="“obesvarade frågor”: most frequent first.",
        )
        self.add(
            "upkeep_list/feedback",
            lambda: self.dispatch("feedback", user=COORDINATOR),
            expect=["Negativ återkoppling", "Testa frågan"],
            note="“feedback”: answers that got 👎.",
        )


class _Swap:
    """Use another store for a moment (for the empty states)."""

    def __init__(self, builder, store):
        self.builder, self.services, self.store = builder, builder.services, store

    def __enter__(self):
        self.saved, self.services.store = self.services.store, self.store
        return self

    def __exit__(self, *exc):
        self.services.store = self.saved
        self.builder.run(self.store.close())


async def _empty_store(now: datetime):
    from lotsen.storage import connect

    return await connect(":memory:", clock=lambda: now)


def _route(kb, purpose: str, municipality: str):
    from lotsen.routing import route

    return route(kb, purpose, municipality)


def _build(kb_dir: Path) -> list[CatalogCard]:
    builder = CatalogBuilder(kb_dir=kb_dir)
    try:
        return builder.build()
    finally:
        builder.run(builder.store.close())
        builder.loop.close()


def build_catalog(kb_dir: Path = FIXTURE_KB) -> list[CatalogCard]:
    """Every card in the catalogue, in a stable order. Works inside a running event loop too
    (the builder then runs in a thread with its own loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _build(kb_dir)
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(_build, kb_dir).result()


def covered_templates(catalog: Iterable[CatalogCard]) -> set[str]:
    return {t for c in catalog for t in c.templates}
