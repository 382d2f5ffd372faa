"""The form files' references, checked once the whole knowledge base is read: pick lists, sources,
legal notes, the conditions an `if:` names and the answers a variant's `when:` names."""

from __future__ import annotations

from collections.abc import Iterable

from lotsen.kb import model as m
from lotsen.kb.case_block import check_cases
from lotsen.kb.form_fields import MUNICIPALITIES, Error
from lotsen.texts import say


def check_forms(kb: m.KnowledgeBase, error: Error) -> None:
    """References: pick lists exist; a required_when names an earlier choice field and one of its options."""
    check_form_references(kb, error)
    check_cases(kb, error)
    for form in kb.forms.values():
        for ref in form.sources:
            if ref.doc not in kb.sources:
                error(form.where, say("kb_check.references.unknown_source", doc=repr(ref.doc)))
        earlier: dict[str, m.FieldSpec] = {}
        for step in form.steps:
            for f in step.fields:
                if f.choices and f.choices != MUNICIPALITIES and f.choices not in kb.lists:
                    error(f.where, say("kb_check.forms.unknown_list", form=form.id, list=repr(f.choices)))
                rule = f.required_when
                if rule is not None:
                    other = earlier.get(rule.field)
                    if other is None or not other.choices:
                        error(
                            f.where,
                            say(
                                "kb_check.forms.required_when_field",
                                form=form.id,
                                other=repr(rule.field),
                                field=repr(f.id),
                            ),
                        )
                    elif other.choices in kb.lists and rule.value not in {
                        o.value for o in kb.lists[other.choices].options
                    }:
                        error(
                            f.where,
                            say(
                                "kb_check.forms.required_when_value",
                                form=form.id,
                                value=repr(rule.value),
                                list=repr(other.choices),
                            ),
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
                error(f.where, say("kb_check.forms.unknown_list", form=form.id, list=repr(f.choices)))
        for stop in form.stops.values():
            for note in stop.legal:
                if note.note not in kb.legal_notes:
                    error(stop.where, say("kb_check.forms.unknown_legal_note", form=form.id, note=repr(note.note)))


def _lines(form: m.FormSpec) -> Iterable[m.Line]:
    yield from form.preconditions.about if form.preconditions else ()
    yield from form.next_steps
    for stop in form.stops.values():
        yield from stop.lines


def _check_sources(kb: m.KnowledgeBase, form: m.FormSpec, error: Error) -> None:
    """Every source a step, a stop card, a contact or a line cites is in sources.yaml (the card's
    source line would otherwise show a bare id)."""

    def unknown(refs: tuple[m.SourceRef, ...]) -> list[str]:
        return [repr(ref.doc) for ref in refs if ref.doc not in kb.sources]

    for step in form.steps:
        for doc in unknown(step.sources):
            error(step.where, say("kb_check.forms.step_unknown_source", form=form.id, step=repr(step.id), doc=doc))
    for stop in form.stops.values():
        for where, refs in [(stop.where, stop.sources), *((c.where, c.sources) for c in stop.contacts)]:
            for doc in unknown(refs):
                error(where, say("kb_check.forms.stop_unknown_source", form=form.id, stop=repr(stop.code), doc=doc))
    for line in _lines(form):
        for doc in unknown(line.sources):
            error(line.where, say("kb_check.forms.line_unknown_source", form=form.id, doc=doc))


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
            known = ", ".join(form.conditions)
            error(where, say("kb_check.forms.unknown_condition", form=form.id, condition=repr(name), known=known))
        else:
            error(where, say("kb_check.forms.no_conditions", form=form.id, condition=repr(name)))


def _check_variants(kb: m.KnowledgeBase, form: m.FormSpec, error: Error) -> None:
    """A variant's `when:` names a single-choice precondition question and one of its answers."""
    questions = {f.id: f for f in form.preconditions.fields} if form.preconditions else {}
    variants = [v for step in form.steps for v in step.variants]
    variants += [v for step in form.steps for f in step.fields for v in f.variants]
    for variant in variants:
        for key, value in variant.when:
            question = questions.get(key)
            if question is None:
                error(variant.where, say("kb_check.forms.when_unknown_question", form=form.id, question=repr(key)))
            elif question.kind != "choice":
                error(variant.where, say("kb_check.forms.when_not_choice", form=form.id, question=repr(key)))
            elif question.choices == MUNICIPALITIES:
                if value not in kb.municipalities:
                    error(
                        variant.where, say("kb_check.forms.when_unknown_municipality", form=form.id, value=repr(value))
                    )
            elif question.choices in kb.lists and value not in {o.value for o in kb.lists[question.choices].options}:
                error(
                    variant.where,
                    say(
                        "kb_check.forms.when_unknown_value",
                        form=form.id,
                        value=repr(value),
                        list=repr(question.choices),
                    ),
                )
