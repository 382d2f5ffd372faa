"""Quality warnings for a loaded knowledge base. They never block a start or a reload.

Errors (lotsen.kb.loader) make a knowledge base unusable; warnings point at things that
make the bot answer worse than it could:

    few-phrasings        an entry with too few phrasings (the matcher knows too few ways to ask)
    phrasing-collision   a phrasing the matcher does not answer with its own entry (another entry
                         wins, or comes so close that the bot asks "Menade du …?"), or the same
                         phrasing in two entries
    long-answer          an answer longer than a card comfortably shows
    unused-contact-list  a contact list no routing rule uses
    source               a fact without a source, a source without a section, a source file
                         that is not a known seed document, or a section not found in it
    review               an entry never reviewed, reviewed too long ago, or dated in the future

Every warning is a Problem with level "warning", a file and a line, a `code` (above) and a
`subject` (the id it is about), so known warnings can be listed with a justification.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from lotsen.kb import model as m
from lotsen.kb.loader import Problem
from lotsen.matching import ANSWER, Matcher
from lotsen.settings import ROOT
from lotsen.text import fold, normalise

WARNING_KINDS: dict[str, str] = {
    "few-phrasings": "för få formuleringar",
    "phrasing-collision": "formuleringar som boten kan blanda ihop",
    "long-answer": "för långt svar",
    "unused-contact-list": "kontaktlista som ingen regel använder",
    "source": "källa saknas eller är okänd",
    "review": "inte granskad på länge",
}
# The seed documents every fact cites (../shared/seeds next to the repository), when present.
DEFAULT_SEEDS_DIR = ROOT.parent / "shared" / "seeds"

MIN_PHRASINGS = 4
MAX_ANSWER_CHARS = 700
STALE_AFTER_DAYS = 365


def _warn(where: m.Where, code: str, subject: str, message: str) -> Problem:
    return Problem(where.file, where.line, message, level="warning", code=code, subject=subject)


def check_quality(
    kb: m.KnowledgeBase,
    *,
    matcher: Matcher | None = None,
    today: date | None = None,
    min_phrasings: int = MIN_PHRASINGS,
    max_answer_chars: int = MAX_ANSWER_CHARS,
    stale_after_days: int = STALE_AFTER_DAYS,
    seeds_dir: Path | str | None = DEFAULT_SEEDS_DIR,
) -> list[Problem]:
    """All quality warnings, in file and line order. `seeds_dir` None (or missing) skips the
    check of source files and sections against the seed documents."""
    today = today or date.today()
    warnings: list[Problem] = []
    warnings += _phrasings(kb, min_phrasings)
    warnings += _collisions(kb, matcher or Matcher(kb))
    warnings += _long_answers(kb, max_answer_chars)
    warnings += _unused_contact_lists(kb)
    warnings += _sources(kb, Path(seeds_dir) if seeds_dir else None)
    warnings += _reviews(kb, today, stale_after_days)
    return sorted(warnings, key=lambda p: (p.file, p.line, p.code, p.message))


# --- entries -----------------------------------------------------------------------------


def _phrasings(kb: m.KnowledgeBase, minimum: int) -> list[Problem]:
    out = []
    for e in kb.entries.values():
        if len(e.phrasings) < minimum:
            out.append(_warn(e.where, "few-phrasings", e.id,
                             f"{e.id}: bara {len(e.phrasings)} formulering{'' if len(e.phrasings) == 1 else 'ar'} "
                             f"under phrasings – skriv minst {minimum} sätt att fråga, "
                             f"så känner boten igen frågan"))
    return out


def _collisions(kb: m.KnowledgeBase, matcher: Matcher) -> list[Problem]:
    """Phrasings (question titles count too) the matcher confuses with another entry:

    - the same text (normalised) in two entries, or
    - a phrasing that, asked exactly as written, does not get its own entry as the answer:
      another entry scores higher, or so close that the bot asks "Menade du …?" instead.
    """
    out: list[Problem] = []
    seen: set[frozenset] = set()
    duplicated: set[str] = set()
    by_norm: dict[str, tuple[str, str]] = {}
    for e in kb.entries.values():
        for text in dict.fromkeys((e.question, *e.phrasings)):
            norm = normalise(text)
            first = by_norm.setdefault(norm, (e.id, text))
            if first[0] != e.id:
                duplicated.add(norm)
            if first[0] != e.id and frozenset({first[0], e.id}) not in seen:
                seen.add(frozenset({first[0], e.id}))
                other = kb.entries[first[0]]
                out.append(_warn(e.where, "phrasing-collision", f"{e.id} ~ {other.id}",
                                 f"”{text}” står både under {e.id} och under {other.id} ({other.where}) – "
                                 f"boten kan inte veta vilken fråga som menas; ta bort eller skriv om den ena"))
    for e in kb.entries.values():
        for text in dict.fromkeys((e.question, *e.phrasings)):
            if normalise(text) in duplicated:
                continue  # reported above
            result = matcher.match(text, limit=4)
            own = next((c for c in result.candidates if c.entry_id == e.id), None)
            if result.level == ANSWER and result.best and result.best.entry_id == e.id:
                continue
            rival = next((c for c in result.candidates if c.entry_id != e.id), None)
            if rival is None or rival.entry_id not in kb.entries:
                continue
            other = kb.entries[rival.entry_id]
            own_score = _num(own.score) if own else "under gränsen"
            if result.best and result.best.entry_id == rival.entry_id:
                what = (f"boten svarar med {other.id} i stället (poäng {_num(rival.score)} mot {own_score}), "
                        f"närmast ”{rival.phrasing}” ({other.where})")
            else:
                what = (f"{other.id} får nästan samma poäng ({_num(rival.score)} mot {own_score}, närmast "
                        f"”{rival.phrasing}”, {other.where}), så boten frågar ”Menade du …?” i stället för att svara")
            out.append(_warn(e.where, "phrasing-collision", f"{e.id} ~ {other.id}",
                             f"”{text}” står under {e.id}, men {what} – skriv om formuleringarna så att "
                             f"de två frågorna skiljer sig åt (testa med testa: …)"))
    return out


def _num(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _long_answers(kb: m.KnowledgeBase, maximum: int) -> list[Problem]:
    out = []
    for e in kb.entries.values():
        if len(e.answer) > maximum:
            out.append(_warn(e.where, "long-answer", e.id,
                             f"{e.id}: svaret är {len(e.answer)} tecken, mer än ett kort visar bekvämt "
                             f"(högst {maximum}) – korta svaret eller dela upp det i två frågor med related"))
    return out


def _reviews(kb: m.KnowledgeBase, today: date, days: int) -> list[Problem]:
    out = []
    limit = today - timedelta(days=days)
    for e in kb.entries.values():
        owner = f" (ansvarig: {e.owner})" if e.owner else " (ingen ansvarig angiven i owner)"
        if e.reviewed is None:
            out.append(_warn(e.where, "review", e.id, f"{e.id}: saknar granskningsdatum (reviewed){owner}"))
        elif e.reviewed > today:
            out.append(_warn(e.where, "review", e.id,
                             f"{e.id}: granskningsdatumet {e.reviewed.isoformat()} ligger i framtiden{owner}"))
        elif e.reviewed < limit:
            out.append(_warn(e.where, "review", e.id,
                             f"{e.id}: granskades senast {e.reviewed.isoformat()}, för mer än {days} dagar sedan"
                             f"{owner} – läs igenom svaret och uppdatera reviewed"))
    return out


# --- contact lists -------------------------------------------------------------------------


def _unused_contact_lists(kb: m.KnowledgeBase) -> list[Problem]:
    used = {r.contact_list for r in kb.routes}
    return [_warn(cl.where, "unused-contact-list", cl.id,
                  f"kontaktlistan {cl.id} används inte av någon regel i routing.yaml, så boten visar den aldrig – "
                  f"lägg till en regel eller ta bort listan")
            for cl in kb.contact_lists.values() if cl.id not in used]


# --- sources -------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_SECTION_PARTS = re.compile(r"\s+[–—-]\s+")


def _flat(text: str) -> str:
    return _SPACES.sub(" ", fold(text)).strip()


def _facts(kb: m.KnowledgeBase) -> Iterable[tuple[str, Any, bool]]:
    """(kind label, object, source expected) for everything that can cite a source."""
    for e in kb.entries.values():
        yield "frågan", e, True
    for kind, table in (("parten", kb.parties), ("begreppet", kb.concepts), ("processen", kb.processes),
                        ("insatsen", kb.efforts), ("kontaktlistan", kb.contact_lists),
                        ("kommunen", kb.municipalities)):
        for obj in table.values():
            yield kind, obj, True
    for fb in kb.forbund.values():
        yield "förbundet", fb, fb.in_seeds  # in_seeds: false is external knowledge by design
    for pick in kb.lists.values():
        yield "listan", pick, False  # form options: a source is welcome but not required
    for rule in getattr(kb.navigator, "rules", ()):
        yield "regeln", rule, True  # Vägvisaren (vagvisare.yaml): every recommendation names its source


def _sources(kb: m.KnowledgeBase, seeds_dir: Path | None) -> list[Problem]:
    texts: dict[str, str | None] = {}
    out = []
    check_seeds = seeds_dir is not None and seeds_dir.is_dir()
    if check_seeds:
        for src in kb.sources.values():
            path = seeds_dir / src.file
            if path.is_file():
                texts[src.id] = _flat(path.read_text(encoding="utf-8", errors="replace"))
            else:
                texts[src.id] = None
                out.append(_warn(src.where, "source", src.id,
                                 f"källan {src.id}: filen {src.file} är inget känt källdokument "
                                 f"(finns inte i {seeds_dir.name}/)"))
    for label, obj, expected in _facts(kb):
        if not obj.sources:
            if expected:
                out.append(_warn(obj.where, "source", obj.id,
                                 f"{label} {obj.id} saknar source – ange doc och section som visar "
                                 f"var uppgiften kommer ifrån"))
            continue
        for ref in obj.sources:
            if ref.doc not in kb.sources:
                continue  # an error already (lotsen.kb.loader)
            if not ref.section:
                out.append(_warn(obj.where, "source", obj.id,
                                 f"{label} {obj.id}: källan {ref.doc} saknar section (rubriken i dokumentet)"))
                continue
            text = texts.get(ref.doc) if check_seeds else None
            if text is None:
                continue
            parts = [p for p in _SECTION_PARTS.split(ref.section) if p.strip()] or [ref.section]
            missing = [p for p in parts if _flat(p).rstrip(":.") not in text]
            if missing:
                out.append(_warn(obj.where, "source", obj.id,
                                 f"{label} {obj.id}: rubriken ”{ref.section}” finns inte i {ref.doc} "
                                 f"({kb.sources[ref.doc].file}) – skriv rubriken som den står i dokumentet"))
    return out
