"""Quality warnings for a loaded knowledge base. They never block a start or a reload.

Errors (lotsen.kb.loader) make a knowledge base unusable; warnings point at things that
make the bot answer worse than it could:

    few-phrasings        an entry with too few phrasings (the matcher knows too few ways to ask)
    phrasing-collision   a phrasing the matcher does not answer with its own entry (another entry
                         wins, or comes so close that the bot asks "Menade du …?"), or the same
                         phrasing in two entries
    long-answer          an answer longer than a card comfortably shows
    unused-contact-list  a contact list no routing rule uses
    shared-name          a name (term, expansion or alias) two glossary concepts both claim
    source               a fact without a source, a source without a section, a source file
                         that is not a known seed document, or a section not found in it
    review               an entry never reviewed, reviewed too long ago, or dated in the future
    hard-to-read         an answer whose LIX (läsbarhetsindex) is above MAX_LIX
    unsupported-fact     an answer states a number, percentage, date, paragraph (§) or law that
                         does not occur in the section(s) it cites (a guard against invented facts)
    unrelated-source     an answer that shares no content word with the section(s) it cites
    legal-note           an answer or concept that cites socialtjänstlagen (SoL) without a
                         legal_note saying that a new law applies

Every warning is a Problem with level "warning", a file and a line, a `code` (above) and a
`subject` (the id it is about), so known warnings can be listed with a justification.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from lotsen.kb import model as m
from lotsen.kb.loader import Problem
from lotsen.kb.readability import lix
from lotsen.matching import Matcher
from lotsen.settings import ROOT
from lotsen.text import fold, normalise
from lotsen.texts import say

# The warning codes (described in the module docstring); a known warning is listed by its code.
WARNING_KINDS: tuple[str, ...] = (
    "few-phrasings",
    "phrasing-collision",
    "long-answer",
    "unused-contact-list",
    "shared-name",
    "source",
    "review",
    "hard-to-read",
    "unsupported-fact",
    "unrelated-source",
    "legal-note",
)


def _find_seeds() -> Path:
    """The seed documents every fact cites: $KB_SEEDS_DIR, else the first shared/seeds next to
    the repository or one of its parent folders (a git worktree lives deeper), when present."""
    configured = os.environ.get("KB_SEEDS_DIR", "").strip()
    if configured:
        return Path(configured)
    for folder in ROOT.parents:
        if (folder / "shared" / "seeds").is_dir():
            return folder / "shared" / "seeds"
    return ROOT.parent / "shared" / "seeds"


DEFAULT_SEEDS_DIR = _find_seeds()

MIN_PHRASINGS = 4
MAX_ANSWER_CHARS = 700
MAX_LIX = 55
STALE_AFTER_DAYS = 365
COLLISION_MARGIN = 0.01  # a rival within 1 % of a phrasing's own entry cannot be told apart from it


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
    max_lix: float = MAX_LIX,
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
    warnings += _shared_names(kb)
    warnings += _sources(kb, Path(seeds_dir) if seeds_dir else None)
    warnings += _reviews(kb, today, stale_after_days)
    warnings += _hard_to_read(kb, max_lix)
    warnings += _legal_notes(kb)
    warnings += _drift(kb, Path(seeds_dir) if seeds_dir else None)
    return sorted(warnings, key=lambda p: (p.file, p.line, p.code, p.message))


# --- entries -----------------------------------------------------------------------------


def _phrasings(kb: m.KnowledgeBase, minimum: int) -> list[Problem]:
    out = []
    for e in kb.entries.values():
        if len(e.phrasings) < minimum:
            out.append(
                _warn(
                    e.where,
                    "few-phrasings",
                    e.id,
                    say("kb_check.quality.few_phrasings_one", id=e.id, minimum=minimum)
                    if len(e.phrasings) == 1
                    else say("kb_check.quality.few_phrasings", id=e.id, count=len(e.phrasings), minimum=minimum),
                )
            )
    return out


def _collisions(kb: m.KnowledgeBase, matcher: Matcher) -> list[Problem]:
    """Phrasings (question titles count too) the matcher confuses with another entry:

    - the same text (normalised) in two entries, or
    - a phrasing that, asked exactly as written, is not ranked first for its own entry: another
      entry scores higher, or so close (COLLISION_MARGIN) that the two cannot be told apart.

    Each phrasing is compared with its own entry and the few entries that share its rarest
    words (Matcher.match_phrasing), so the check grows near-linearly with the knowledge base.
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
                out.append(
                    _warn(
                        e.where,
                        "phrasing-collision",
                        f"{e.id} ~ {other.id}",
                        say("kb_check.quality.same_phrasing", text=text, id=e.id, other=other.id, where=other.where),
                    )
                )
    for index, (entry_id, text) in enumerate(matcher.phrasings()):
        found = kb.entries.get(entry_id)
        if found is None or normalise(text) in duplicated:
            continue  # reported above
        e = found
        result = matcher.match_phrasing(index, limit=3)
        own = next((c for c in result.candidates if c.entry_id == e.id), None)
        rival = next((c for c in result.candidates if c.entry_id != e.id), None)
        if rival is None or rival.entry_id not in kb.entries:
            continue
        own_score = own.score if own else 0.0
        if own is not None and result.best is own and rival.score < own_score * (1 - COLLISION_MARGIN):
            continue
        other = kb.entries[rival.entry_id]
        own_text = _num(own_score) if own else say("kb_check.quality.below_threshold")
        if result.best is not None and result.best.entry_id == rival.entry_id and rival.score > own_score:
            what = say(
                "kb_check.quality.rival_wins",
                other=other.id,
                score=_num(rival.score),
                own=own_text,
                phrasing=rival.phrasing,
                where=other.where,
            )
        else:
            what = say(
                "kb_check.quality.rival_close",
                other=other.id,
                score=_num(rival.score),
                own=own_text,
                phrasing=rival.phrasing,
                where=other.where,
            )
        out.append(
            _warn(
                e.where,
                "phrasing-collision",
                f"{e.id} ~ {other.id}",
                say("kb_check.quality.collision", text=text, id=e.id, what=what),
            )
        )
    return out


def _num(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _long_answers(kb: m.KnowledgeBase, maximum: int) -> list[Problem]:
    out = []
    for e in kb.entries.values():
        if len(e.answer) > maximum:
            out.append(
                _warn(
                    e.where,
                    "long-answer",
                    e.id,
                    say("kb_check.quality.long_answer", id=e.id, length=len(e.answer), maximum=maximum),
                )
            )
    return out


def _reviews(kb: m.KnowledgeBase, today: date, days: int) -> list[Problem]:
    out = []
    limit = today - timedelta(days=days)
    for e in kb.entries.values():
        owner = say("kb_check.quality.owner", owner=e.owner) if e.owner else say("kb_check.quality.no_owner")
        if e.reviewed is None:
            out.append(_warn(e.where, "review", e.id, say("kb_check.quality.not_reviewed", id=e.id, owner=owner)))
        elif e.reviewed > today:
            out.append(
                _warn(
                    e.where,
                    "review",
                    e.id,
                    say("kb_check.quality.reviewed_in_future", id=e.id, date=e.reviewed.isoformat(), owner=owner),
                )
            )
        elif e.reviewed < limit:
            out.append(
                _warn(
                    e.where,
                    "review",
                    e.id,
                    say("kb_check.quality.stale", id=e.id, date=e.reviewed.isoformat(), days=days, owner=owner),
                )
            )
    return out


# --- contact lists -------------------------------------------------------------------------


def _unused_contact_lists(kb: m.KnowledgeBase) -> list[Problem]:
    used = {r.contact_list for r in kb.routes}
    return [
        _warn(
            cl.where,
            "unused-contact-list",
            cl.id,
            say("kb_check.quality.unused_contact_list", list=cl.id),
        )
        for cl in kb.contact_lists.values()
        if cl.id not in used
    ]


def _shared_names(kb: m.KnowledgeBase) -> list[Problem]:
    """A name two glossary concepts both claim: "vad är ips-coach" can answer with only one of
    them (the first in the file), so the other never gets the question."""
    first: dict[str, m.Concept] = {}
    problems = []
    for concept in kb.concepts.values():
        for name in sorted(concept.names()):
            owner = first.setdefault(name, concept)
            if owner is not concept:
                problems.append(
                    _warn(
                        concept.where,
                        "shared-name",
                        concept.id,
                        say("kb_check.quality.shared_name", name=name, concept=concept.id, other=owner.id),
                    )
                )
    return problems


# --- sources -------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_SECTION_PARTS = re.compile(r"\s+[–—-]\s+")


def _flat(text: str) -> str:
    return _SPACES.sub(" ", fold(text)).strip()


def _facts(kb: m.KnowledgeBase) -> Iterable[tuple[str, Any, bool]]:
    """(kind label, object, source expected) for everything that can cite a source."""
    label = say("kb_check.quality.what_entry")
    for e in kb.entries.values():
        yield label, e, True
    for label, table in (
        (say("kb_check.quality.what_party"), kb.parties),
        (say("kb_check.quality.what_concept"), kb.concepts),
        (say("kb_check.quality.what_process"), kb.processes),
        (say("kb_check.quality.what_effort"), kb.efforts),
        (say("kb_check.quality.what_contact_list"), kb.contact_lists),
        (say("kb_check.quality.what_municipality"), kb.municipalities),
    ):
        for obj in table.values():
            yield label, obj, True
    label = say("kb_check.quality.what_forbund")
    for fb in kb.forbund.values():
        yield label, fb, fb.in_seeds  # in_seeds: false is external knowledge by design
    label = say("kb_check.quality.what_list")
    for pick in kb.lists.values():
        yield label, pick, False  # form options: a source is welcome but not required
    label = say("kb_check.quality.what_rule")
    for rule in getattr(kb.navigator, "rules", ()):
        yield label, rule, True  # Vägvisaren (vagvisare.yaml): every recommendation names its source


def _sources(kb: m.KnowledgeBase, seeds_dir: Path | None) -> list[Problem]:
    texts: dict[str, str | None] = {}
    out = []
    check_seeds = seeds_dir is not None and seeds_dir.is_dir()
    if check_seeds and seeds_dir is not None:
        for src in kb.sources.values():
            path = seeds_dir / src.file
            if path.is_file():
                texts[src.id] = _flat(path.read_text(encoding="utf-8", errors="replace"))
            else:
                texts[src.id] = None
                out.append(
                    _warn(
                        src.where,
                        "source",
                        src.id,
                        say("kb_check.quality.unknown_seed", source=src.id, file=src.file, folder=seeds_dir.name),
                    )
                )
    for label, obj, expected in _facts(kb):
        if not obj.sources:
            if expected:
                out.append(
                    _warn(
                        obj.where,
                        "source",
                        obj.id,
                        say("kb_check.quality.no_source", what=label, id=obj.id),
                    )
                )
            continue
        for ref in obj.sources:
            if ref.doc not in kb.sources:
                continue  # an error already (lotsen.kb.loader)
            if not ref.section:
                out.append(
                    _warn(
                        obj.where,
                        "source",
                        obj.id,
                        say("kb_check.quality.no_section", what=label, id=obj.id, doc=ref.doc),
                    )
                )
                continue
            text = texts.get(ref.doc) if check_seeds else None
            if text is None:
                continue
            parts = [p for p in _SECTION_PARTS.split(ref.section) if p.strip()] or [ref.section]
            missing = [p for p in parts if _flat(p).rstrip(":.") not in text]
            if missing:
                out.append(
                    _warn(
                        obj.where,
                        "source",
                        obj.id,
                        say(
                            "kb_check.quality.unknown_heading",
                            what=label,
                            id=obj.id,
                            section=ref.section,
                            doc=ref.doc,
                            file=kb.sources[ref.doc].file,
                        ),
                    )
                )
    return out


# --- plain Swedish -------------------------------------------------------------------------


def _hard_to_read(kb: m.KnowledgeBase, maximum: float) -> list[Problem]:
    out = []
    for e in kb.entries.values():
        value = lix(e.answer)
        if value > maximum:
            out.append(
                _warn(
                    e.where,
                    "hard-to-read",
                    e.id,
                    say("kb_check.quality.hard_to_read", id=e.id, lix=f"{value:.0f}", maximum=f"{maximum:.0f}"),
                )
            )
    return out


_OLD_SOL = re.compile(r"\bsol\b|socialtjanstlag|2001:453")


def _legal_notes(kb: m.KnowledgeBase) -> list[Problem]:
    """Every answer or concept citing the old socialtjänstlag carries a legal_note."""
    out = []
    entry, concept = say("kb_check.quality.what_entry"), say("kb_check.quality.what_concept")
    items: list[tuple[str, m.Entry | m.Concept, str]] = [(entry, e, e.answer) for e in kb.entries.values()]
    items += [(concept, c, f"{c.term} {c.expansion} {c.definition}") for c in kb.concepts.values()]
    for label, obj, text in items:
        if _OLD_SOL.search(fold(text)) and not obj.legal:
            out.append(
                _warn(
                    obj.where,
                    "legal-note",
                    obj.id,
                    say(
                        "kb_check.quality.legal_note",
                        what=label,
                        id=obj.id,
                        example='{id: ny-socialtjanstlag, cited: "' + say("kb_check.quality.legal_note_cited") + '"}',
                    ),
                )
            )
    return out


# --- drift: does the cited section hold what the answer says? ------------------------------

_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
_NUMBER = re.compile(r"(?<![\w])(?:\d{1,3}(?: \d{3})+(?:,\d+)?|\d+(?:[.,:]\d+)*)(?![\w])")
_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)
_DATE = re.compile(rf"\b\d{{1,2}} (?:{_MONTHS})\b|\b(?:{_MONTHS}) \d{{4}}\b")
# Laws by abbreviation ("2 kap 7 § SoL"); a law's number ("2001:453") is checked as a number.
_LAW = re.compile(r"\b(?:sol|hsl|sfb|lss|osl|psl|gdpr|finsamlagen)\b")
_WORD = re.compile(r"[a-zåäö]+")
_STOP = frozenset(
    """
alla allt andra annan annat bara blir dock efter eller enligt finns från fråga för genom hade
har helt hela hennes hans hos inom inte innan kan kanske kommer kunna man med mellan mot
måste när nej och också om omkring samma sedan sig sina sitt ska skall som står under utan
vad var vara vid vilka vilken vill även över eftersom därför detta dessa denna något några
mer mest mycket många ingen inga inget andra bland både åt här där hur vem vilket sådan
källan underlaget säger står beskriver nämns anges finns
""".split()
)
_FACT_KINDS = (("datumet", _DATE), ("lagen", _LAW))


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if len(w) >= 5 and w not in _STOP}


def _numbers(text: str) -> set[str]:
    """Numbers as written ("8 236 000", "18,5", "2001:453")."""
    return {n.rstrip(".:,") for n in _NUMBER.findall(text)}


_NUMBERED = re.compile(r"^(?:bilaga \d+|\d+\.(?:\d+\.)*)(?=\s)")


def _occurs(number: str, text: str) -> bool:
    """The number as a whole in the text ("562 500" in a table row "562 500 562 500", not "62")."""
    return re.search(rf"(?<![\d,.]){re.escape(number)}(?![\d]|[,.]\d)", text) is not None


class _Sections:
    """The text of a cited section: from its heading to the next heading any fact in the
    knowledge base cites in the same document (the seeds are plain text without markup, so
    the headings the knowledge base knows are the section boundaries)."""

    MAX_CHARS = 25000

    def __init__(self, kb: m.KnowledgeBase, seeds_dir: Path):
        self.lines: dict[str, list[str]] = {}
        headings: dict[str, set[str]] = {}
        for src in kb.sources.values():
            path = seeds_dir / src.file
            if path.is_file():
                self.lines[src.id] = [
                    _flat(line) for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                ]
        for _label, obj, _expected in _facts(kb):
            for ref in obj.sources:
                for part in self._parts(ref.section):
                    headings.setdefault(ref.doc, set()).add(part)
        self.starts: dict[str, list[int]] = {}
        for doc, lines in self.lines.items():
            by_first: dict[str, list[str]] = {}
            for h in headings.get(doc, set()):
                by_first.setdefault(h.split(" ", 1)[0], []).append(h)
            self.starts[doc] = [
                i
                for i, line in enumerate(lines)
                if any(self._heads(line, h) for h in by_first.get(line.split(" ", 1)[0], ()))
            ]
        self.cache: dict[tuple[str, str], str | None] = {}

    @staticmethod
    def _parts(section: str) -> list[str]:
        return [_flat(p).rstrip(":.") for p in _SECTION_PARTS.split(section) if p.strip()] or [_flat(section)]

    @staticmethod
    def _heads(line: str, heading: str) -> bool:
        # A heading stands on a line of its own (a little trailing text, like a year, is allowed).
        # Only a year or punctuation may follow: a table row ("uppdrag samverkan 1 800 000 1 735 511")
        # or a sentence ("beredningsgrupp deltar.") is not a heading.
        rest = line[len(heading) :]
        return (
            bool(heading)
            and line.startswith(heading)
            and not any(ch.isalpha() for ch in rest)
            and sum(ch.isdigit() for ch in rest) <= 4
            and (not rest or not rest[0].isdigit())
        )

    def text(self, ref: m.SourceRef) -> str | None:
        key = (ref.doc, ref.section)
        if key not in self.cache:
            self.cache[key] = self._find(ref)
        return self.cache[key]

    def _find(self, ref: m.SourceRef) -> str | None:
        lines = self.lines.get(ref.doc)
        if lines is None or not ref.section:
            return None
        parts = self._parts(ref.section)
        start = 0
        for part in parts[:-1]:  # the enclosing sections, in order
            found = next((i for i in range(start, len(lines)) if part in lines[i]), None)
            if found is None:
                return None
            start = found
        last = parts[-1]
        whole = " – ".join(parts)
        hits = [i for i in range(start, len(lines)) if self._heads(lines[i], last) or self._heads(lines[i], whole)]
        if not hits:
            hits = [i for i in range(start, len(lines)) if last in lines[i]][:1]
        if not hits:
            return None
        chunks = []
        numbered = next((head.group(0) for p in parts if (head := _NUMBERED.match(p))), None)
        for i in hits:
            if numbered:  # "Bilaga 4 – …", "1.2. …": up to the next appendix or numbered heading
                end = next(
                    (
                        j
                        for j in range(i + 1, len(lines))
                        if _NUMBERED.match(lines[j]) and not lines[j].startswith(numbered)
                    ),
                    len(lines),
                )
            else:
                end = next((j for j in self.starts.get(ref.doc, []) if j > i), len(lines))
            chunks.append(" ".join(lines[i:end])[: self.MAX_CHARS])
        return " ".join(chunks)


def _drift(kb: m.KnowledgeBase, seeds_dir: Path | None) -> list[Problem]:
    if seeds_dir is None or not seeds_dir.is_dir():
        return []
    sections = _Sections(kb, seeds_dir)
    out = []
    for e in kb.entries.values():
        found = [sections.text(ref) for ref in e.sources]
        texts = [t for t in found if t is not None]
        if not texts:
            continue  # no readable section: the `source` warning says so
        cited = " ".join(texts)
        answer = _flat(_LIST_MARKER.sub(" ", e.answer))
        missing = [
            n for n in sorted(_numbers(answer)) if not _occurs(n, cited) and not _occurs(n.replace(",", "."), cited)
        ]
        lowered = _SPACES.sub(" ", _LIST_MARKER.sub(" ", e.answer).lower())
        for _kind, pattern in _FACT_KINDS:
            missing += [f for f in dict.fromkeys(pattern.findall(lowered)) if _flat(f) not in cited]
        if missing:
            out.append(
                _warn(
                    e.where,
                    "unsupported-fact",
                    e.id,
                    say(
                        "kb_check.quality.unsupported_fact",
                        id=e.id,
                        facts=", ".join("”" + x + "”" for x in missing),
                        sections="; ".join(r.section for r in e.sources),
                    ),
                )
            )
        if not _content_words(answer) & _content_words(cited):
            out.append(
                _warn(
                    e.where,
                    "unrelated-source",
                    e.id,
                    say("kb_check.quality.unrelated_source", id=e.id, sections="; ".join(r.section for r in e.sources)),
                )
            )
    return out
