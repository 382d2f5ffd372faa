"""End-to-end: a caseworker uses Samverkanslotsen in the Microsoft 365 Agents Playground.

The real bot (real knowledge base) and the Playground run as separate processes (see
harness.py); tests/e2e/driver.js drives the Playground's Teams-like chat in headless
Chromium: it types in the chat box, fills in the Adaptive Cards the Playground renders and
presses their buttons, and waits for the texts a person would look for. Every scenario
saves test-artifacts/e2e/<scenario>.png (and a few named pictures on the way).

Field labels and option titles are read from the flow classes and the knowledge base, so a
reworded option in knowledge/forms.yaml does not break the scenario; the messages the test
waits for are the ones a person reads.

    make e2e                  # or: .venv/bin/python -m pytest -m e2e
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import pytest

from lotsen.fields import MESSAGES, Field
from lotsen.kb import load_knowledge_base
from tests.e2e.harness import ROOT, run_scenario

pytestmark = pytest.mark.e2e


@lru_cache(maxsize=1)
def real_kb():
    """The knowledge base the bot under test runs on (KNOWLEDGE_DIR=knowledge)."""
    return load_knowledge_base(ROOT / "knowledge")


PERSONNUMMER = "19121212-1212"  # Skatteverket's test number: a valid checksum, belongs to nobody
WELCOME = "Hej! Jag är Samverkanslotsen"


class Form:
    """Labels and option titles of a card form, by field id and option value."""

    def __init__(self, *field_groups):
        self.fields: dict[str, Field] = {f.id: f for group in field_groups for f in group}

    def label(self, field_id: str) -> str:
        return self.fields[field_id].label

    def title(self, field_id: str, value: str) -> str:
        for choice in self.fields[field_id].choices:
            if choice.value == value:
                return choice.title
        raise KeyError(f"{field_id} has no option {value!r}")

    def values(self, **values: Any) -> dict[str, Any]:
        """{label: what to enter}: option values become titles, lists of values lists of titles."""
        out: dict[str, Any] = {}
        for field_id, value in values.items():
            f = self.fields[field_id]
            if f.kind == "choice":
                value = self.title(field_id, value)
            elif f.kind == "multichoice":
                value = [self.title(field_id, v) for v in value]
            out[f.label] = value
        return out


def steps_fields(flow, draft: dict[str, Any] | None = None):
    draft = draft or {"values": {}, "context": {}}
    return [step.fields for step in flow.steps(real_kb(), draft)]


def first_words(text: str, limit: int = 70) -> str:
    """The start of an answer as it reads on the card (before any markdown or line break)."""
    plain = re.split(r"[*_`\[\n]", text.strip(), maxsplit=1)[0]
    return plain[:limit].rsplit(" ", 1)[0] if len(plain) > limit else plain


def test_1_welcome_and_a_sourced_answer(stack):
    entry = next(e for e in real_kb().entries.values() if e.question == "Vem kallar till Arena?")
    result = run_scenario(
        stack,
        "welcome-question",
        [
            {"expect": WELCOME},
            {"expect": "Skriv aldrig namn eller personnummer här."},
            {"screenshot": "welcome"},
            {"send": "Vem kallar till Arena?"},
            {"expect": entry.question},
            {"expect": first_words(entry.answer)},
            {"expect": "Källa:"},
            {"expect": "Vem kontaktar jag?"},  # the answer card's contact button
        ],
    )
    assert result["ok"]


def test_2_deviation_report_with_a_validation_error_and_a_refused_personnummer(stack):
    from dialogs.deviation import DeviationFlow

    step1, step2, step3 = (Form(fields) for fields in steps_fields(DeviationFlow()))
    today = date.today()
    future = (today.replace(day=1) + timedelta(days=45)).replace(day=15)  # the 15th of next month
    past = (today.replace(day=1) - timedelta(days=1)).replace(day=15)  # the 15th of last month
    description = "Arbetsförmedlingen uteblev från det planerade SIP-mötet och ingen ny tid erbjöds."
    result = run_scenario(
        stack,
        "deviation",
        [
            {"expect": WELCOME},
            {"send": "rapportera avvikelse"},
            {"expect": "Rapportera en avvikelse i samverkan"},
            {"expect": "avidentifierad"},
            {"click": "Fyll i rapporten"},
            {"expect": "Steg 1 av 3"},
            {
                "fill": {
                    step1.label("datum"): future.isoformat(),
                    **step1.values(
                        kommun="vetlanda", organisation="kommun", parter=["kommun", "arbetsformedlingen"], insats="sip"
                    ),
                }
            },
            {"click": "Nästa"},
            # The server refuses the date; the same card comes back with its Swedish message.
            {"expect": MESSAGES["date_future"], "sameCard": True},
            {"expect": "Rätta ett fält nedan.", "sameCard": True},
            {"screenshot": "validation-error"},
            {"fill": {step1.label("datum"): past.isoformat()}},
            {"click": "Nästa"},
            {"expect": "Steg 2 av 3", "sameCard": True},
            {
                "fill": {
                    step2.label("beskrivning"): f"Personen med personnummer {PERSONNUMMER} fick ingen ny tid.",
                    **step2.values(
                        allvarlighet="allvarlig",
                        orsaker=["kommunikation", "mote-ej-genomfort"],
                        konsekvenser=["uteblivet-besok"],
                    ),
                }
            },
            {"click": "Nästa"},
            {"expect": "Ta bort personnumret", "sameCard": True},
            {"screenshot": "personnummer-refused"},
            {"fill": {step2.label("beskrivning"): description}},
            {"click": "Nästa"},
            {"expect": "Steg 3 av 3", "sameCard": True},
            {
                "fill": {
                    **step3.values(sip="kallad-part-uteblev", atgarder=["dialog"]),
                    step3.label("aterkoppling"): True,
                }
            },
            {"click": "Granska"},
            {"expect": "Avvikelse i samverkan: granska", "sameCard": True},
            {"expect": description, "sameCard": True},
            {"screenshot": "review"},
            {"click": "Skicka"},
            {"expect": "Tack! Uppgifterna är sparade.", "sameCard": True},
            {"expectMatch": r"AVV-\d{4}-\d{4}", "sameCard": True},
        ],
    )
    assert result["ok"]


def test_3_arena_outside_arena_is_routed_then_a_sip_request_is_filed(stack):
    from dialogs.request import ArenaFlow, SipFlow

    arena, sip = ArenaFlow(), SipFlow()
    kb = real_kb()
    arena_triage = Form(arena.triage_fields(kb))
    sip_triage = Form(sip.triage_fields(kb))
    sip1, sip2, sip3 = (Form(fields) for fields in steps_fields(sip))
    vetlanda = kb.municipalities["vetlanda"]
    assert not vetlanda.arena, "the scenario needs a municipality outside Arena"
    purpose = "Socialtjänsten och psykiatrin behöver samordna stödet kring boende och behandling."
    result = run_scenario(
        stack,
        "arena-sip",
        [
            {"expect": WELCOME},
            {"send": "begär arena"},
            {"expect": "Förutsättningar"},
            {"fill": arena_triage.values(arena_typ="individ", kommun="vetlanda", planering="nej", samtycke=True)},
            {"click": "Fortsätt"},
            {"expect": f"Arena finns inte i {vetlanda.name}", "sameCard": True},
            {"expect": "lokala samverkan", "sameCard": True},  # where to go instead …
            {"expect": "Kontakta:", "sameCard": True},  # … and whom to contact
            {"screenshot": "arena-routing"},
            {"click": "Begär SIP i stället"},
            {"expect": "SIP-möte", "sameCard": True},
            {"expect": "Förutsättningar", "sameCard": True},
            {"fill": sip_triage.values(huvudman=["socialtjanst", "halso-sjukvard"], samtycke=True)},
            {"click": "Fortsätt"},
            {"expect": "Steg 1 av 3", "sameCard": True},
            {"fill": {sip1.label("syfte"): purpose}},
            {"click": "Nästa"},
            {"expect": "Steg 2 av 3", "sameCard": True},
            {"fill": sip2.values(forberedelse=["rehabplan"])},
            {"click": "Nästa"},
            {"expect": "Steg 3 av 3", "sameCard": True},
            {
                "fill": {
                    **sip3.values(tid=next(iter(sip3.fields["tid"].choices)).value, organisation="socialtjansten"),
                    sip3.label("roll"): "Socialsekreterare",
                }
            },
            {"click": "Granska"},
            {"expect": "SIP-möte: granska", "sameCard": True},
            {"screenshot": "sip-review"},
            {"click": "Skicka"},
            {"expect": "Tack! Uppgifterna är sparade.", "sameCard": True},
            {"expectMatch": r"SIP-\d{4}-\d{4}", "sameCard": True},
        ],
    )
    assert result["ok"]


def test_5_vagvisaren_from_a_described_situation_to_sourced_next_steps(stack):
    kb = real_kb()
    nav = kb.navigator
    samtycke, arbetsformaga = nav.facts["samtycke"], nav.facts["arbetsformaga"]
    description = (
        "Min klient i Jönköping har haft försörjningsstöd i två år, saknar SGI och har psykisk ohälsa. "
        "Hon går på psykiatrin och vi har också insatser, men ingen gemensam planering finns. Vad gör jag?"
    )
    result = run_scenario(
        stack,
        "vagvisaren",
        [
            {"expect": WELCOME},
            {"send": description},
            {"expect": "Så här uppfattade jag situationen"},
            {"expect": "Från: ”saknar SGI”"},
            {"expect": "Det här behöver jag veta"},
            {"screenshot": "vagvisaren-situation"},
            {
                "fill": {
                    samtycke.question: samtycke.value("ja").title,
                    arbetsformaga.question: arbetsformaga.value("oklart").title,
                }
            },
            {"click": "Visa rekommendation"},
            {"expect": "Vägvisaren: så här kan du gå vidare"},
            {"expect": "Kalla till SIP"},
            {"expect": "Lokal rutin i Jönköping"},
            {"expect": "Källa:"},
            {"expect": "Det här säger underlaget inte"},
            {"screenshot": "vagvisaren-recommendation"},
        ],
    )
    assert result["ok"]
