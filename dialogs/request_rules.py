"""The Arena and SIP preconditions as pure functions of the answers (no I/O, no cards).

Facts (seed 002_430fdb8ee70e2ec3.txt, Jönköpings kommuns samverkansmodell: "ARENA" and
"SIP (Samordnad Individuell Plan)"; digest §3.4, §3.5): Arena is for the municipalities flagged
`arena: true` in knowledge/geography.yaml, is information exchange and mapping rather than
planning, and an individual case needs written consent; a SIP needs efforts from both
socialtjänst and hälso- och sjukvård and the individual's consent.
"""

from __future__ import annotations

from typing import Any

from dialogs.spec import Verdict
from lotsen.kb.model import KnowledgeBase

PRINCIPALS = ("socialtjanst", "halso-sjukvard")
# Triage efforts → the parties to invite (knowledge/forms.yaml list "forfragan-parter").
EFFORT_PARTIES = {
    "socialtjanst": "kommun",
    "halso-sjukvard": "regionen",
    "arbetsformedlingen": "arbetsformedlingen",
    "forsakringskassan": "forsakringskassan",
}
OK = "ok"
NOT_COVERED = "not-covered"
PLANNING = "planning"
CONSENT = "consent"
SINGLE_PRINCIPAL = "single-principal"
# Cross-field problems in the form (their texts are in the form files).
TOO_FEW_PARTIES = "too-few-parties"
BOTH_PRINCIPALS = "both-principals"


def arena_municipalities(kb: KnowledgeBase) -> list[str]:
    """Ids of the municipalities in the Arena agreement (knowledge/geography.yaml `arena: true`)."""
    return [m.id for m in kb.municipalities.values() if m.arena]


def arena_verdict(kb: KnowledgeBase, answers: dict[str, Any]) -> Verdict:
    """Arena: covered municipality first, then "not planning", then written consent for a case."""
    kommun = answers.get("kommun")
    muni = kb.municipalities.get(kommun) if isinstance(kommun, str) else None
    if muni is None or not muni.arena:
        return Verdict(NOT_COVERED, kommun)
    if answers.get("planering") == "ja":
        return Verdict(PLANNING, kommun)
    if answers.get("arena_typ") == "individ" and answers.get("samtycke") is not True:
        return Verdict(CONSENT, kommun)
    return Verdict(OK, kommun)


def sip_verdict(kb: KnowledgeBase, answers: dict[str, Any]) -> Verdict:
    """SIP: efforts from both socialtjänst and hälso- och sjukvård, then the individual's consent."""
    kommun = answers.get("kommun") if answers.get("kommun") in kb.municipalities else None
    efforts = tuple(answers.get("huvudman") or ())
    principals = tuple(p for p in PRINCIPALS if p in efforts)
    if len(principals) < len(PRINCIPALS):
        return Verdict(SINGLE_PRINCIPAL, kommun, principals, efforts)
    if answers.get("samtycke") is not True:
        return Verdict(CONSENT, kommun, principals, efforts)
    return Verdict(OK, kommun, principals, efforts)


def arena_parties_error(arena_type: str | None, parties: list[str] | None) -> str | None:
    """An Arena individual case is for someone who needs support from at least two of the four parties."""
    if arena_type == "individ" and len(parties or []) < 2:
        return TOO_FEW_PARTIES  # the text: knowledge/forms/arena.yaml texts.parties_error
    return None


def sip_parties_error(parties: list[str] | None) -> str | None:
    """Both principals take part in a SIP."""
    chosen = set(parties or [])
    if not {"kommun", "regionen"} <= chosen:
        return BOTH_PRINCIPALS
    return None
