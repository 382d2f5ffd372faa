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

from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, get_args

from lotsen.fields import CHOICE_KINDS, MAX_VALUE_LENGTH, TEXT_KINDS, FieldKind
from lotsen.kb import model as m
from lotsen.kb.case_block import check_cases, read_case
from lotsen.kb.yamlio import Located, YamlError, load_yaml

MUNICIPALITIES = "kommuner"  # `choices: kommuner`: the municipalities in geography.yaml
FORM_KEYS = {"id", "title", "source", "notice", "steps", "preconditions", "texts", "next_steps", "stops", "case"}
NOTICE_KEYS = {"title", "text", "lines", "begin"}
STEP_KEYS = {"id", "title", "intro", "fields", "variants", "source"}
STOP_ACTIONS = ("conditions", "cancel", "switch", "general-question")  # what a stop card's button does
VARIANT_KEYS = {"when", "label", "help", "placeholder", "required", "intro"}
STOP_KEYS = {"title", "lines", "contacts", "actions", "source", "legal_note"}
FIELD_KEYS = {
    "id",
    "label",
    "kind",
    "required",
    "choices",
    "help",
    "placeholder",
    "min_length",
    "max_length",
    "allow_future",
    "required_when",
    "variants",
}
KINDS = get_args(FieldKind)

Error = Callable[[m.Where, str], None]
SourcesOf = Callable[[Any], tuple[Any, "str | None"]]
LegalOf = Callable[[Any], tuple[Any, "str | None"]]


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
            form = _extras(doc, form, name, error, sources_of, id_ok, legal_of or (lambda value: ((), None)))
            form = read_case(doc, form, name, error, id_ok)
        if form is None:
            continue
        if form.id in forms:
            error(form.where, f"formuläret {form.id!r} finns redan ({forms[form.id].where})")
            continue
        forms[form.id] = form
    return forms


def _form(doc: Any, name: str, error: Error, sources_of: SourcesOf, id_ok: Callable[[str], bool]) -> m.FormSpec | None:
    where = m.Where(name, getattr(doc, "line", 1))
    if not isinstance(doc, Located):
        error(where, "ett formulär ska börja med id:, title: och steps:")
        return None
    unknown = set(doc) - FORM_KEYS
    if unknown:
        error(where, f"okänd nyckel {sorted(unknown)[0]!r} (tillåtna: {', '.join(sorted(FORM_KEYS))})")
    form_id, title = doc.get("id"), doc.get("title")
    if not isinstance(form_id, str) or not id_ok(form_id):
        error(where, f"ogiltigt formulär-id {form_id!r}")
        return None
    if not isinstance(title, str) or not title.strip():
        error(where, f"{form_id}: title saknas")
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
                f"{form_id}: notice har title, text, begin (texter) och kan ha lines (en lista med texter)",
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
        error(where, f"{form_id}: steps ska vara en lista med minst ett steg")
        return None
    steps: list[m.StepSpec] = []
    seen: set[str] = set()
    for step_doc in steps_doc:
        step = _step(step_doc, name, where, form_id, seen, error, id_ok)
        if step is not None:
            steps.append(step)
    return m.FormSpec(form_id, title.strip(), tuple(steps), sources, where, notice)


def _text(doc: Located, key: str) -> str:
    value = doc.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _step(
    doc: Any, name: str, parent: m.Where, form_id: str, seen: set[str], error: Error, id_ok: Callable[[str], bool]
) -> m.StepSpec | None:
    where = m.Where(name, getattr(doc, "line", parent.line))
    if not isinstance(doc, Located) or set(doc) - STEP_KEYS or not isinstance(doc.get("fields"), list):
        error(where, f"{form_id}: ett steg har id, title, fields och kan ha intro")
        return None
    step_id, title = doc.get("id"), doc.get("title")
    if not isinstance(step_id, str) or not id_ok(step_id) or not isinstance(title, str) or not title.strip():
        error(where, f"{form_id}: steget behöver ett giltigt id och en title")
        return None
    fields = [f for f in (_field(d, name, where, form_id, seen, error) for d in doc["fields"]) if f is not None]
    if not fields:
        error(where, f"{form_id}: steget {step_id!r} har inga giltiga fält")
        return None
    return m.StepSpec(step_id, title.strip(), tuple(fields), _text(doc, "intro"), where)


def _field(doc: Any, name: str, parent: m.Where, form_id: str, seen: set[str], error: Error) -> m.FieldSpec | None:
    where = m.Where(name, getattr(doc, "line", parent.line))
    if not isinstance(doc, Located):
        error(where, f"{form_id}: varje fält är en mappning med id, label och kind")
        return None
    unknown = set(doc) - FIELD_KEYS
    if unknown:
        error(where, f"{form_id}: okänt fält {sorted(unknown)[0]!r} (tillåtna: {', '.join(sorted(FIELD_KEYS))})")
        return None
    field_id, label, kind = doc.get("id"), doc.get("label"), str(doc.get("kind"))
    if not isinstance(field_id, str) or not field_id.replace("_", "").isalnum() or not field_id.islower():
        error(where, f"{form_id}: ogiltigt fält-id {field_id!r} (små bokstäver, siffror och _)")
        return None
    if field_id in seen:
        error(where, f"{form_id}: fältet {field_id!r} finns två gånger")
        return None
    seen.add(field_id)
    if not isinstance(label, str) or not label.strip():
        error(where, f"{form_id}: fältet {field_id!r} saknar label")
        return None
    if kind not in KINDS:
        error(where, f"{form_id}: fältet {field_id!r} har okänd kind {kind!r} (tillåtna: {', '.join(KINDS)})")
        return None
    choices = doc.get("choices", "")
    if (kind in CHOICE_KINDS) != bool(choices) or not isinstance(choices, str):
        error(
            where,
            f"{form_id}: {field_id!r}: choices (en lista i forms.yaml eller kommuner) "
            f"{'behövs' if kind in CHOICE_KINDS else 'passar inte'} för kind {kind}",
        )
        return None
    numbers = {}
    for key, default in (("min_length", 0), ("max_length", 500)):
        value = doc.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VALUE_LENGTH:
            error(where, f"{form_id}: {field_id!r}: {key} ska vara ett heltal 0–{MAX_VALUE_LENGTH}")
            return None
        numbers[key] = value
    if numbers["min_length"] > numbers["max_length"] or (
        kind not in TEXT_KINDS and ("min_length" in doc or "max_length" in doc)
    ):
        error(
            where,
            f"{form_id}: {field_id!r}: min_length/max_length gäller textfält, och min får inte vara större än max",
        )
        return None
    flags = {}
    for key in ("required", "allow_future"):
        value = doc.get(key, False)
        if not isinstance(value, bool):
            error(where, f"{form_id}: {field_id!r}: {key} ska vara true eller false")
            return None
        flags[key] = value
    rule = None
    if "required_when" in doc:
        spec = doc["required_when"]
        if (
            not isinstance(spec, dict)
            or set(spec) != {"field", "value", "message"}
            or not all(isinstance(v, str) and v.strip() for v in spec.values())
        ):
            error(where, f"{form_id}: {field_id!r}: required_when har field, value och message")
            return None
        rule = m.RequiredWhen(spec["field"], spec["value"], spec["message"].strip())
    return m.FieldSpec(
        field_id,
        label.strip(),
        kind,
        flags["required"],
        choices,
        _text(doc, "help"),
        _text(doc, "placeholder"),
        numbers["min_length"],
        numbers["max_length"],
        flags["allow_future"],
        rule,
        where,
    )


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


# --- what a request form adds: preconditions, variants, texts, next steps, stop cards ------------


def _extras(
    doc: Any,
    form: m.FormSpec,
    name: str,
    error: Error,
    sources_of: SourcesOf,
    id_ok: Callable[[str], bool],
    legal_of: LegalOf,
) -> m.FormSpec:
    """The parts a form with preconditions (Arena, SIP) has; each problem is reported with its line."""
    fid = form.id

    def where_of(node: Any, parent: m.Where) -> m.Where:
        return m.Where(name, getattr(node, "line", parent.line))

    def refs(node: Any, at: m.Where) -> tuple[m.SourceRef, ...]:
        if node is None:
            return ()
        found, problem = sources_of(node)
        if problem:
            error(at, f"{fid}: {problem}")
            return ()
        return tuple(found)

    def text(node: Any, at: m.Where, what: str) -> str:
        if not isinstance(node, str) or not node.strip():
            error(at, f"{fid}: {what} ska vara en text")
            return ""
        return node.strip() if "\n\n" in node else " ".join(node.split())

    def condition(node: Any, at: m.Where) -> str:
        value = node.get("if", "") if isinstance(node, dict) else ""
        if not isinstance(value, str) or (value and not id_ok(value.removeprefix("not ").replace("_", "-"))):
            error(at, f"{fid}: if: ska vara ett villkor, till exempel kommunomrade eller not kommunomrade")
            return ""
        return value

    def lines(node: Any, at: m.Where, what: str) -> tuple[m.Line, ...]:
        if not isinstance(node, list):
            error(at, f"{fid}: {what} ska vara en lista med texter")
            return ()
        out = []
        for item in node:
            here = where_of(item, at)
            if isinstance(item, dict):
                if set(item) - {"text", "if", "source"}:
                    error(here, f"{fid}: en rad i {what} har text och kan ha if och source")
                    continue
                out.append(
                    m.Line(text(item.get("text"), here, "text"), condition(item, here), refs(item.get("source"), here))
                )
            else:
                out.append(m.Line(text(item, here, what)))
        return tuple(out)

    def variants(node: Any, at: m.Where, allowed: set[str]) -> tuple[m.Variant, ...]:
        if node is None:
            return ()
        if not isinstance(node, list):
            error(at, f"{fid}: variants ska vara en lista")
            return ()
        out = []
        for item in node:
            here = where_of(item, at)
            when = item.get("when") if isinstance(item, dict) else None
            if (
                not isinstance(item, dict)
                or set(item) - allowed
                or not isinstance(when, dict)
                or not when
                or not all(isinstance(k, str) and isinstance(v, str) for k, v in when.items())
            ):
                error(here, f"{fid}: en variant har when: {{fält: värde}} och {', '.join(sorted(allowed - {'when'}))}")
                continue
            required = item.get("required")
            if required is not None and not isinstance(required, bool):
                error(here, f"{fid}: required ska vara true eller false")
                continue
            texts = {k: text(item[k], here, k) for k in ("label", "help", "placeholder", "intro") if k in item}
            out.append(m.Variant(tuple(when.items()), required=required, **texts))
        return tuple(out)

    # Steps and fields: variants and step sources (the rest was read by _step and _field).
    steps = []
    step_docs = {d.get("id"): d for d in doc.get("steps", []) if isinstance(d, dict)}
    for step in form.steps:
        step_doc = step_docs.get(step.id, {})
        field_docs = {d.get("id"): d for d in step_doc.get("fields", []) if isinstance(d, dict)}
        fields = tuple(
            replace(f, variants=variants(field_docs.get(f.id, {}).get("variants"), f.where, VARIANT_KEYS - {"intro"}))
            for f in step.fields
        )
        steps.append(
            replace(
                step,
                fields=fields,
                variants=variants(step_doc.get("variants"), step.where, {"when", "intro"}),
                sources=refs(step_doc.get("source"), step.where),
            )
        )
    form = replace(form, steps=tuple(steps))

    pre = doc.get("preconditions")
    if pre is not None:
        at = where_of(pre, form.where)
        if not isinstance(pre, dict) or set(pre) != {"about", "fields"} or not isinstance(pre["fields"], list):
            error(at, f"{fid}: preconditions har about (texter) och fields (fält)")
        else:
            seen: set[str] = set()
            asked = [f for f in (_field(d, name, at, fid, seen, error) for d in pre["fields"]) if f is not None]
            form = replace(form, preconditions=m.PreconditionsSpec(lines(pre["about"], at, "about"), tuple(asked)))

    texts: dict[str, str] = {}
    node = doc.get("texts", {})
    if not isinstance(node, dict):
        error(form.where, f'{fid}: texts ska vara nyckel: "text"')
    else:
        for key, value in node.items():
            texts[str(key)] = text(value, where_of(node, form.where), f"texts.{key}")
    form = replace(form, texts=texts)
    if "next_steps" in doc:
        form = replace(form, next_steps=lines(doc["next_steps"], form.where, "next_steps"))

    stops: dict[str, m.Stop] = {}
    node = doc.get("stops", {})
    if not isinstance(node, dict):
        error(form.where, f"{fid}: stops ska vara verdikt: {{title, lines, …}}")
        node = {}
    for code, spec in node.items():
        at = where_of(spec, form.where)
        if not isinstance(spec, dict) or set(spec) - STOP_KEYS or "title" not in spec or "lines" not in spec:
            error(
                at,
                f"{fid}: stoppet {code!r} har title och lines och kan ha {', '.join(sorted(STOP_KEYS - {'title', 'lines'}))}",
            )
            continue
        contacts, actions = [], []
        for item in spec.get("contacts", []):
            here = where_of(item, at)
            if (
                not isinstance(item, dict)
                or set(item) - {"purpose", "title", "text", "if", "source"}
                or not all(isinstance(item.get(k), str) for k in ("purpose", "title"))
            ):
                error(here, f"{fid}: en kontakt har purpose och title och kan ha text, if och source")
                continue
            contacts.append(
                m.StopContact(
                    item["purpose"],
                    text(item["title"], here, "title"),
                    text(item["text"], here, "text") if "text" in item else "",
                    condition(item, here),
                    refs(item.get("source"), here),
                )
            )
        for item in spec.get("actions", []):
            here = where_of(item, at)
            if (
                not isinstance(item, dict)
                or set(item) - {"do", "title", "style", "if"}
                or not all(isinstance(item.get(k), str) for k in ("do", "title"))
            ):
                error(here, f"{fid}: en knapp har do och title och kan ha style och if")
                continue
            if item["do"] not in STOP_ACTIONS:
                error(here, f"{fid}: do: {item['do']!r} finns inte (tillåtna: {', '.join(STOP_ACTIONS)})")
                continue
            actions.append(
                m.StopAction(
                    item["do"], text(item["title"], here, "title"), str(item.get("style", "")), condition(item, here)
                )
            )
        legal: tuple[m.LegalRef, ...] = ()
        if "legal_note" in spec:
            found, problem = legal_of(spec["legal_note"])
            if problem:
                error(at, f"{fid}: {problem}")
            else:
                legal = tuple(found)
        stops[str(code)] = m.Stop(
            str(code),
            text(spec["title"], at, "title"),
            lines(spec["lines"], at, "lines"),
            tuple(contacts),
            tuple(actions),
            refs(spec.get("source"), at),
            legal,
            at,
        )
    return replace(form, stops=stops)


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
            # A stop card's sources are cited like an answer's: an id missing in sources.yaml shows as the id.
