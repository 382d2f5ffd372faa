"""Forms as data: knowledge/forms/<id>.yaml, checked with file and line like the rest of the KB.

A form file declares the steps of a guided form and, per field, its label, kind, help text,
placeholder, pick list (`choices`: a list id in forms.yaml, or `kommuner`) and limits.
Field *kinds* and their validators are code (lotsen.fields); everything a person reads is here.

    id: avvikelse
    title: "Avvikelse i samverkan"
    source: {doc: …, section: …}
    steps:
      - id: handelse
        title: "Om händelsen"
        intro: "…"
        fields:
          - {id: datum, label: "Datum för händelsen", kind: date, required: true}
          - id: orsak_annat
            label: "Annan orsak (om du valt Annat)"
            kind: text
            max_length: 300
            required_when: {field: orsaker, value: annat, message: "Du valde Annat: beskriv orsaken kort."}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from lotsen.kb import model as m
from lotsen.kb.case_block import read_case
from lotsen.kb.form_extras import read_extras
from lotsen.kb.form_fields import Error, LegalOf, SourcesOf, plain_text, read_field
from lotsen.kb.yamlio import Located, YamlError, load_yaml
from lotsen.texts import say

FORM_KEYS = {
    *("id", "title", "source", "notice", "steps", "preconditions", "conditions", "texts", "next_steps", "stops"),
    "case",
}
NOTICE_KEYS = {"title", "text", "lines", "begin"}
STEP_KEYS = {"id", "title", "intro", "fields", "variants", "source"}


def read_forms(
    directory: Path,
    rel: Callable[[Path], str],
    error: Error,
    sources_of: SourcesOf,
    id_ok: Callable[[str], bool],
    legal_of: LegalOf | None = None,
) -> dict[str, m.FormSpec]:
    """Every knowledge/forms/*.yaml; problems go to `error` (file, line, Swedish message)."""
    forms: dict[str, m.FormSpec] = {}
    for path in sorted((directory / "forms").glob("*.yaml")):
        name = rel(path)
        try:
            doc = load_yaml(path, name)
        except YamlError as exc:
            error(m.Where(exc.file, exc.line), exc.message)
            continue
        form = _form(doc, name, error, sources_of, id_ok)
        if form is not None:
            form = read_extras(doc, form, name, error, sources_of, id_ok, legal_of or (lambda value: ((), None)))
            form = read_case(doc, form, name, error, id_ok)
        if form is None:
            continue
        if form.id in forms:
            error(form.where, say("kb_check.forms.form_twice", form=repr(form.id), where=forms[form.id].where))
            continue
        forms[form.id] = form
    return forms


def _form(doc: Any, name: str, error: Error, sources_of: SourcesOf, id_ok: Callable[[str], bool]) -> m.FormSpec | None:
    where = m.Where(name, getattr(doc, "line", 1))
    if not isinstance(doc, Located):
        error(where, say("kb_check.forms.form_start"))
        return None
    unknown = set(doc) - FORM_KEYS
    if unknown:
        error(
            where,
            say("kb_check.forms.form_unknown_key", key=repr(sorted(unknown)[0]), allowed=", ".join(sorted(FORM_KEYS))),
        )
    form_id, title = doc.get("id"), doc.get("title")
    if not isinstance(form_id, str) or not id_ok(form_id):
        error(where, say("kb_check.forms.form_bad_id", form=repr(form_id)))
        return None
    if not isinstance(title, str) or not title.strip():
        error(where, say("kb_check.forms.form_no_title", form=form_id))
        return None
    sources: tuple[m.SourceRef, ...] = ()
    if "source" in doc:
        found, problem = sources_of(doc["source"])
        if problem:
            error(where, f"{form_id}: {problem}")
        else:
            sources = found
    notice = None
    if "notice" in doc:
        spec = doc["notice"]
        lines = spec.get("lines", []) if isinstance(spec, dict) else None
        if (
            not isinstance(spec, dict)
            or set(spec) - NOTICE_KEYS
            or not isinstance(lines, list)
            or not all(isinstance(spec.get(k), str) and spec[k].strip() for k in ("title", "text", "begin"))
            or not all(isinstance(line, str) and line.strip() for line in lines)
        ):
            error(
                m.Where(name, getattr(spec, "line", where.line)),
                say("kb_check.forms.notice", form=form_id),
            )
        else:
            notice = m.Notice(
                spec["title"].strip(),
                " ".join(spec["text"].split()),
                tuple(" ".join(line.split()) for line in lines),
                spec["begin"].strip(),
            )
    steps_doc = doc.get("steps")
    if not isinstance(steps_doc, list) or not steps_doc:
        error(where, say("kb_check.forms.no_steps", form=form_id))
        return None
    steps: list[m.StepSpec] = []
    seen: set[str] = set()
    for step_doc in steps_doc:
        step = _step(step_doc, name, where, form_id, seen, error, id_ok)
        if step is not None:
            steps.append(step)
    return m.FormSpec(form_id, title.strip(), tuple(steps), sources, where, notice)


def _step(
    doc: Any, name: str, parent: m.Where, form_id: str, seen: set[str], error: Error, id_ok: Callable[[str], bool]
) -> m.StepSpec | None:
    where = m.Where(name, getattr(doc, "line", parent.line))
    if not isinstance(doc, Located) or set(doc) - STEP_KEYS or not isinstance(doc.get("fields"), list):
        error(where, say("kb_check.forms.step_keys", form=form_id))
        return None
    step_id, title = doc.get("id"), doc.get("title")
    if not isinstance(step_id, str) or not id_ok(step_id) or not isinstance(title, str) or not title.strip():
        error(where, say("kb_check.forms.step_id_title", form=form_id))
        return None
    fields = [f for f in (read_field(d, name, where, form_id, seen, error) for d in doc["fields"]) if f is not None]
    if not fields:
        error(where, say("kb_check.forms.step_no_fields", form=form_id, step=repr(step_id)))
        return None
    return m.StepSpec(step_id, title.strip(), tuple(fields), plain_text(doc, "intro"), where)
