"""The Arena/SIP preconditions as pure functions, and the typed start commands.

Facts: seed 002_430fdb8ee70e2ec3.txt, Jönköpings kommuns samverkansmodell, ARENA and SIP
(digest §3.4, §3.5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cards.render import render
from dialogs import arena_request, sip_request
from dialogs.request_rules import (
    CONSENT,
    NOT_COVERED,
    OK,
    PLANNING,
    SINGLE_PRINCIPAL,
    arena_municipalities,
    arena_parties_error,
    arena_verdict,
    sip_parties_error,
    sip_verdict,
)
from lotsen.kb.loader import load_knowledge_base
from lotsen.text import fold

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(ROOT / "tests" / "fixtures" / "kb")


def arena(kommun="jonkoping", typ="individ", planering="nej", samtycke=True):
    return {"arena_typ": typ, "kommun": kommun, "planering": planering, "samtycke": samtycke}


def sip(kommun="vetlanda", huvudman=("socialtjanst", "halso-sjukvard"), samtycke=True):
    return {"kommun": kommun, "huvudman": list(huvudman), "samtycke": samtycke}


# --- Arena -------------------------------------------------------------------------------------


def test_real_knowledge_base_arena_is_habo_mullsjo_jonkoping():
    real = load_knowledge_base(ROOT / "knowledge")
    assert sorted(arena_municipalities(real)) == ["habo", "jonkoping", "mullsjo"]
    for kommun in ("habo", "mullsjo", "jonkoping"):
        assert arena_verdict(real, arena(kommun)).ok
    for kommun in sorted(set(real.municipalities) - {"habo", "mullsjo", "jonkoping"}):
        assert arena_verdict(real, arena(kommun)).code == NOT_COVERED, kommun


@pytest.mark.parametrize("kommun", ["jonkoping", "habo"])
def test_arena_in_an_arena_municipality_passes(kb, kommun):
    verdict = arena_verdict(kb, arena(kommun))
    assert verdict.ok and verdict.code == OK and verdict.kommun == kommun


@pytest.mark.parametrize("kommun", ["vetlanda", "aneby", "gnosjo", "okand", None])
def test_arena_outside_the_agreement_is_not_covered(kb, kommun):
    assert arena_verdict(kb, arena(kommun)).code == NOT_COVERED


def test_not_covered_wins_over_planning_and_consent(kb):
    assert arena_verdict(kb, arena("vetlanda", planering="ja", samtycke=False)).code == NOT_COVERED


def test_arena_for_planning_is_stopped_before_consent(kb):
    assert arena_verdict(kb, arena(planering="ja", samtycke=False)).code == PLANNING
    assert arena_verdict(kb, arena(typ="allman", planering="ja")).code == PLANNING


@pytest.mark.parametrize("samtycke", [False, None, "true", 1])
def test_arena_individual_case_needs_confirmed_consent(kb, samtycke):
    assert arena_verdict(kb, arena(samtycke=samtycke)).code == CONSENT


def test_arena_general_question_needs_no_consent(kb):
    assert arena_verdict(kb, arena(typ="allman", samtycke=False)).ok


def test_arena_individual_case_needs_two_parties():
    assert arena_parties_error("individ", ["kommun"])
    assert arena_parties_error("individ", [])
    assert arena_parties_error("individ", ["kommun", "forsakringskassan"]) is None
    assert arena_parties_error("allman", ["kommun"]) is None


# --- SIP ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "huvudman",
    [
        ("socialtjanst",),
        ("halso-sjukvard",),
        ("socialtjanst", "arbetsformedlingen", "forsakringskassan"),
        ("skola", "halso-sjukvard"),
        (),
    ],
)
def test_sip_needs_both_principals(kb, huvudman):
    verdict = sip_verdict(kb, sip(huvudman=huvudman))
    assert verdict.code == SINGLE_PRINCIPAL
    assert set(verdict.principals) == {"socialtjanst", "halso-sjukvard"} & set(huvudman)


def test_single_principal_is_checked_before_consent(kb):
    assert sip_verdict(kb, sip(huvudman=("socialtjanst",), samtycke=False)).code == SINGLE_PRINCIPAL


@pytest.mark.parametrize("samtycke", [False, None, "true"])
def test_sip_needs_consent(kb, samtycke):
    assert sip_verdict(kb, sip(samtycke=samtycke)).code == CONSENT


@pytest.mark.parametrize("kommun", ["vetlanda", "jonkoping", "gnosjo"])
def test_sip_works_in_every_municipality(kb, kommun):
    verdict = sip_verdict(kb, sip(kommun, huvudman=("socialtjanst", "halso-sjukvard", "forsakringskassan")))
    assert verdict.ok and verdict.kommun == kommun


def test_sip_parties_must_include_both_principals():
    assert sip_parties_error(["kommun"])
    assert sip_parties_error(["regionen", "forsakringskassan"])
    assert sip_parties_error(["kommun", "regionen"]) is None


def test_dialogue_questions_are_the_nine_from_the_seed():
    DIALOG_QUESTIONS = load_knowledge_base(ROOT / "knowledge").lists["sip-dialogfragor"].options  # noqa: N806
    assert len(DIALOG_QUESTIONS) == 9
    assert DIALOG_QUESTIONS[0].title == "Finns rehabiliteringsplan och hur ser den ut?"
    assert DIALOG_QUESTIONS[-1].title.startswith("Finns det funktionsnedsättningar och aktivitetsbegränsningar")


# --- typed start commands ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "begära arenakonsultation",
        "Begär arena",
        "begär Arena-konsultation i Jönköping",
        "jag vill begära arena",
        "begära arenakonsultaiton",
        "begar arna",
        "boka arenakonsultation",
    ],
)
def test_arena_request_texts(text):
    folded = fold(text)
    assert arena_request(folded)
    assert not sip_request(folded)


@pytest.mark.parametrize(
    "text",
    [
        "kalla till SIP",
        "jag behöver en SIP",
        "begär sip",
        "Kala till sip",
        "jag behover en sipp",
        "boka sip-möte",
        "vi behöver kalla till en SIP i Vetlanda",
    ],
)
def test_sip_request_texts(text):
    folded = fold(text)
    assert sip_request(folded)
    assert not arena_request(folded)


@pytest.mark.parametrize(
    "text",
    [
        "Vem kallar till SIP?",
        "vem kallar till sip",
        "kan skolan kalla till sip",
        "Vilka kommuner ingår i Arena?",
        "måste af delta på sip",
        "vad är arena",
        "jag behöver veta hur man kallar till sip",
        "sip",
        "arena",
        "vem kontaktar jag om sip i vetlanda",
        "koppla kanal sip vetlanda",
        "rapportera avvikelse om sip",
        "jag behöver kontaktperson för arena",
        "klienten vill ha sip själv, går det",  # a question without a question mark
        "kan man boka arena utan samtycke",
        "arena kontaktlistan behöver man logga in",  # "behöver man …" asks
        "måste man ha sip för att få arena",
        "arena kontaktlistan",
        "min klient vill ha en sip själv, kan hon begära det",
        "ska vi kalla till sip nu",
        "vill du ha sip på kaffet",  # a pun, not a request
        # a finite verb first is a yes/no question
        "kallar socialsekreteraren till sip",
        "behöver fk komma på sip",
        "kommer fk om vi kallar till sip",
        "behöver alla klienter sip",
        # a common word is not a typo of a request verb ("kallade" ≠ "kalla", "alla" ≠ "kalla",
        # "smärta" ≠ "starta", "bokade" ≠ "boka", "bara" ≠ "begära")
        "vi kallade fk till sip men ingen kom",
        "ingår alla vårdcentraler i arena",
        "smärta och sip",
        "en part uteblev från det bokade sip-mötet",
        "bara kartläggning på arenamötet eller planering också",
        "vems uppgift är det att kalla till sip",
    ],
)
def test_questions_are_not_requests(text):
    folded = fold(text)
    assert not arena_request(folded) and not sip_request(folded)


@pytest.mark.parametrize(
    "text, files",
    [
        ("för sent att anmäla avvikelse", False),
        ("hinner jag lämna avvikelsen", False),
        ("sista dag att lämna in avvikelse i samverkan", False),
        ("inom hur många dagar ska avvikelse anmälas", False),
        ("jag vill rapportera en avvikelse", True),
        ("jag vill göra en avvikelse, hur gör jag", True),  # wants to act: the form, not an answer
        ("anmäla avvikelse", True),
        ("avvikelse", True),
        ("svar på avvikelsen vi skickade", False),  # "skickade" is not a typo of "skicka"
        ("anmla avvikelse", True),  # a typo of a request verb still is one
    ],
)
def test_a_question_about_deviations_is_not_a_request_to_file_one(text, files):
    from dialogs.intents import deviation_request

    assert deviation_request(fold(text)) is files


def test_chooser_card_renders(kb):
    card = render(
        "request_kind",
        title="t",
        subtitle="s",
        source="k",
        options=[{"title": "a", "text": "b", "button": "c", "data": {"verb": "req.start", "kind": "sip"}}],
    )
    assert card["version"] == "1.5"
