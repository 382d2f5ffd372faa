"""The form files' references, checked once the whole knowledge base is read: pick lists, sources,
legal notes, the conditions an `if:` names and the answers a variant's `when:` names."""

from __future__ import annotations

from collections.abc import Iterable

from lotsen.kb import model as m
from lotsen.kb.case_block import check_cases
from lotsen.kb.form_fields import MUNICIPALITIES, Error


def check_forms(kb: m.KnowledgeBase, error: Error) -> None:
    """References: pick lists exist; a required_when names an earlier choice field and one of its options."""
    check_form_references(kb, error)
    check_cases(kb, error)
    for form in kb.forms.values():
        for ref in form.sources:
            if ref.doc not in kb.sources:
                error(form.where, f"källan {ref.doc!r} finns inte i sources.yaml")
        earlier: dict[str, m.FieldSpec] = {}
        for step in form.steps:
            for f in step.fields:
                if f.choices and f.choices != MUNICIPALITIES and f.choices not in kb.lists:
                    error(f.where, f"{form.id}: listan {f.choices!r} finns inte i forms.yaml")
                rule = f.required_when
                if rule is not None:
                    other = earlier.get(rule.field)
                    if other is None or not other.choices:
                        error(f.where, f"{form.id}: required_when: {rule.field!r} är inget valfält före {f.id!r}")
                    elif other.choices in kb.lists and rule.value not in {
                        o.value for o in kb.lists[other.choices].options
                    }:
                        error(
                            f.where, f"{form.id}: required_when: {rule.value!r} finns inte i listan {other.choices!r}"
                        )
                earlier[f.id] = f
        _check_sources(kb, form, error)
        _check_conditions(form, error)
        _check_variants(kb, form, error)


def check_form_references(kb: m.KnowledgeBase, error: Error) -> None:
    """Precondition pick lists exist; a stop's legal note is in legal_notes.yaml."""
    for form in kb.forms.values():
        fields = form.preconditions.fields if form.preconditions else ()
        for f in fields:
            if f.choices and f.choices != MUNICIPALITIES and f.choices not in kb.lists:
                error(f.where, f"{form.id}: listan {f.choices!r} finns inte i forms.yaml")
        for stop in form.stops.values():
            for note in stop.legal:
                if note.note not in kb.legal_notes:
                    error(stop.where, f"{form.id}: legal_note {note.note!r} finns inte i legal_notes.yaml")


def _lines(form: m.FormSpec) -> Iterable[m.Line]:
    yield from form.preconditions.about if form.preconditions else ()
    yield from form.next_steps
    for stop in form.stops.values():
        yield from stop.lines


def _check_sources(kb: m.KnowledgeBase, form: m.FormSpec, error: Error) -> None:
    """Every source a step, a stop card, a contact or a line cites is in sources.yaml (the card's
    source line would otherwise show a bare id)."""

    def check(refs: tuple[m.SourceRef, ...], where: m.Where, what: str) -> None:
        for ref in refs:
            if ref.doc not in kb.sources:
                error(where, f"{form.id}: {what}källan {ref.doc!r} finns inte i sources.yaml")

    for step in form.steps:
        check(step.sources, step.where, f"steget {step.id!r}: ")
    for stop in form.stops.values():
        check(stop.sources, stop.where, f"stoppet {stop.code!r}: ")
        for contact in stop.contacts:
            check(contact.sources, contact.where, f"stoppet {stop.code!r}: ")
    for line in _lines(form):
        check(line.sources, line.where, "")


def _check_conditions(form: m.FormSpec, error: Error) -> None:
    """Every `if:` names a condition the form declares under conditions: (the flow supplies them)."""
    conditional: list[tuple[str, m.Where]] = [(line.condition, line.where) for line in _lines(form)]
    for stop in form.stops.values():
        conditional += [(c.condition, c.where) for c in stop.contacts]
        conditional += [(a.condition, a.where) for a in stop.actions]
    for condition, where in conditional:
        name = condition.removeprefix("not ")
        if not name or name in form.conditions:
            continue
        if form.conditions:
            error(where, f"{form.id}: if: {name!r} är inget av formulärets villkor ({', '.join(form.conditions)})")
        else:
            error(where, f"{form.id}: if: {name!r}, men formuläret har inga villkor (conditions:)")


def _check_variants(kb: m.KnowledgeBase, form: m.FormSpec, error: Error) -> None:
    """A variant's `when:` names a single-choice precondition question and one of its answers."""
    questions = {f.id: f for f in form.preconditions.fields} if form.preconditions else {}
    variants = [v for step in form.steps for v in step.variants]
    variants += [v for step in form.steps for f in step.fields for v in f.variants]
    for variant in variants:
        for key, value in variant.when:
            question = questions.get(key)
            if question is None:
                error(variant.where, f"{form.id}: when: {key!r} är ingen fråga under preconditions")
            elif question.kind != "choice":
                error(
                    variant.where,
                    f"{form.id}: when: {key!r} är inget enkelval (kind: choice), så varianten skulle aldrig gälla",
                )
            elif question.choices == MUNICIPALITIES:
                if value not in kb.municipalities:
                    error(variant.where, f"{form.id}: when: {value!r} är ingen kommun i geography.yaml")
            elif question.choices in kb.lists and value not in {o.value for o in kb.lists[question.choices].options}:
                error(variant.where, f"{form.id}: when: {value!r} finns inte i listan {question.choices!r}")
