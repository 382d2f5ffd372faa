"""End-to-end, at Teams' narrow width: the cards of issue 14 fit the chat column.

Each scenario measures the card on screen ({"measure": …}, tests/e2e/driver.js): its height and
width, elements running past its edges, text or values cut off, and buttons outside the card.
Screenshots: test-artifacts/e2e/ux-*.png.

    .venv/bin/python -m pytest -m e2e tests/e2e/test_ux.py
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.harness import run_scenario
from tests.e2e.test_playground import PERSONNUMMER, WELCOME, Form, steps_fields

pytestmark = pytest.mark.e2e

NARROW = {"width": 1024, "height": 1400}  # cards are then 446 px wide (measured), a narrow Teams chat column
MAX_HEIGHT = 900  # px: no step card taller than this (issue 14)
MAX_WIDTH = 560  # px: the measured cards are at most this wide, so heights are measured at a narrow width


def measurements(result) -> dict[str, dict]:
    return {s["measure"]: s["measured"] for s in result["steps"] if "measured" in s}


def assert_fits(name: str, m: dict, max_height: int | None = MAX_HEIGHT) -> None:
    assert m["width"] <= MAX_WIDTH, (name, m)
    if max_height is not None:
        assert m["height"] <= max_height, (name, m)
    assert m["outside"] == [], (name, "elements past the card's edge", m)
    assert m["clipped"] == [], (name, "text or values cut off", m)
    # m["summaries"]: a compact multi-select's one-line sum-up of several chosen options (not counted as cut
    # off: the options list and the review show them in full)
    assert m["buttonsOutside"] == [], (name, "buttons outside the card", m)


def test_ux_answer_contacts_and_feedback_cards_fit(stack):
    result = run_scenario(
        stack,
        "ux-answer",
        [
            {"expect": WELCOME},
            {"send": "Vem kallar till SIP?"},
            {"expect": "Källa:"},
            {"measure": "answer"},
            {"screenshot": "answer"},
            {"click": "👎"},
            {"expect": "Vad var fel med svaret?"},
            {"measure": "feedback"},
            {"screenshot": "feedback"},
            {"send": "vem kontaktar jag om ett gemensamt ärende i Vetlanda"},
            {"expect": "Chatta i Teams"},
            {"expect": "Jag kommer ihåg din kommun"},
            {"measure": "contacts"},
            {"screenshot": "contacts"},
        ],
        viewport=NARROW,
    )
    for name, m in measurements(result).items():
        assert_fits(name, m)


def test_ux_deviation_steps_fit_and_a_personnummer_is_masked(stack):
    from dialogs.deviation import DeviationFlow

    step1, step2, step3 = (Form(fields) for fields in steps_fields(DeviationFlow()))
    past = (date.today().replace(day=1) - timedelta(days=1)).replace(day=15)
    written = f"Klienten {PERSONNUMMER} fick ingen ny tid när Arbetsförmedlingen uteblev från SIP-mötet."
    result = run_scenario(
        stack,
        "ux-deviation",
        [
            {"expect": WELCOME},
            {"send": "rapportera avvikelse"},
            {"click": "Fyll i rapporten"},
            {"expect": "Steg 1 av 3"},
            {"measure": "step-1"},
            {
                "fill": {
                    step1.label("datum"): past.isoformat(),
                    **step1.values(
                        kommun="vetlanda", organisation="kommun", parter=["kommun", "arbetsformedlingen"], insats="sip"
                    ),
                }
            },
            {"click": "Nästa"},
            {"expect": "Steg 2 av 3", "sameCard": True},
            {"measure": "step-2"},
            {"screenshot": "step-2"},
            {
                "fill": {
                    step2.label("beskrivning"): written,
                    **step2.values(
                        allvarlighet="allvarlig",
                        orsaker=["kommunikation", "mote-ej-genomfort"],
                        konsekvenser=["uteblivet-besok"],
                    ),
                }
            },
            {"measure": "step-2-filled"},
            {"click": "Nästa"},
            {"expect": "Ta bort personnumret", "sameCard": True},
            {"expectValue": {step2.label("beskrivning"): "Klienten ▇▇▇▇▇▇▇▇-▇▇▇▇ fick ingen ny tid"}},
            {"screenshot": "personnummer-masked"},
            {"fill": {step2.label("beskrivning"): written.replace(f" {PERSONNUMMER}", "")}},
            {"click": "Nästa"},
            {"expect": "Steg 3 av 3", "sameCard": True},
            {"measure": "step-3"},
            {"fill": step3.values(sip="kallad-part-uteblev", atgarder=["dialog"])},
            {"click": "Granska"},
            {"expect": "granska", "sameCard": True},
            # the review shows every chosen option in full (the compact box only sums them up on one line)
            {
                "expect": step2.title("orsaker", "kommunikation") + "; " + step2.title("orsaker", "mote-ej-genomfort"),
                "sameCard": True,
            },
            {"measure": "review"},
            {"screenshot": "review"},
            {"click": "Skicka"},
            {"expectMatch": "AVV-\\d{4}-\\d{4}", "sameCard": True},
            {"expect": "Ingen kanal är kopplad för Vetlanda – mejla", "sameCard": True},
            {"measure": "receipt"},
            {"screenshot": "receipt"},
        ],
        viewport=NARROW,
    )
    found = measurements(result)
    for name in ("step-1", "step-2", "step-2-filled", "step-3"):
        assert_fits(name, found[name])
    assert_fits("review", found["review"], max_height=None)  # a review may be long; it must not be cut off
    assert_fits("receipt", found["receipt"])


def test_ux_sip_request_asks_once_and_fits(stack):
    from dialogs.request import SipFlow
    from tests.e2e.test_playground import real_kb

    sip = SipFlow()
    triage = Form(sip.triage_fields(real_kb()))
    sip1, sip2, sip3 = (Form(fields) for fields in steps_fields(sip))
    result = run_scenario(
        stack,
        "ux-sip",
        [
            {"expect": WELCOME},
            {"send": "begär sip"},
            {"expect": "Förutsättningar"},
            {"measure": "sip-triage"},
            {
                "fill": triage.values(
                    kommun="vetlanda", huvudman=["socialtjanst", "halso-sjukvard", "arbetsformedlingen"], samtycke=True
                )
            },
            {"click": "Fortsätt"},
            {"expect": "Steg 1 av 3", "sameCard": True},
            {"expect": "Kallas (från dina svar om vilka som har insatser):", "sameCard": True},
            {"measure": "sip-step-1"},
            {"screenshot": "sip-step-1"},
            {"fill": {sip1.label("syfte"): "Socialtjänsten och psykiatrin behöver samordna stödet kring boende."}},
            {"click": "Nästa"},
            {"expect": "Steg 2 av 3", "sameCard": True},
            {"measure": "sip-step-2"},
            {"fill": sip2.values(forberedelse=["rehabplan"])},
            {"click": "Nästa"},
            {"expect": "Steg 3 av 3", "sameCard": True},
            {"measure": "sip-step-3"},
            {
                "fill": {
                    **sip3.values(tid=next(iter(sip3.fields["tid"].choices)).value, organisation="socialtjansten"),
                    sip3.label("roll"): "Socialsekreterare",
                }
            },
            {"click": "Granska"},
            {"expect": "SIP-möte: granska", "sameCard": True},
            {"expect": "Kallas", "sameCard": True},
            {"measure": "sip-review"},
            {"screenshot": "sip-review"},
        ],
        viewport=NARROW,
    )
    found = measurements(result)
    for name in ("sip-triage", "sip-step-1", "sip-step-2", "sip-step-3"):
        assert_fits(name, found[name])
    assert_fits("sip-review", found["sip-review"], max_height=None)
