"""What a request form (Arena, SIP) adds to a form file: preconditions, variants, texts, next
steps and stop cards, each problem reported with file and line."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

from lotsen.kb import model as m
from lotsen.kb.form_fields import Error, LegalOf, SourcesOf, read_field
from lotsen.texts import say

STOP_ACTIONS = ("conditions", "cancel", "switch", "general-question")  # what a stop card's button does
VARIANT_KEYS = {"when", "label", "help", "placeholder", "required", "intro"}
STOP_KEYS = {"title", "lines", "contacts", "actions", "source", "legal_note"}


def read_extras(
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
            error(at, say("kb_check.forms.not_text", form=fid, key=what))
            return ""
        return node.strip() if "\n\n" in node else " ".join(node.split())

    def condition(node: Any, at: m.Where) -> str:
        value = node.get("if", "") if isinstance(node, dict) else ""
        if not isinstance(value, str) or (value and not id_ok(value.removeprefix("not ").replace("_", "-"))):
            error(at, say("kb_check.forms.condition", form=fid))
            return ""
        return value

    def lines(node: Any, at: m.Where, what: str) -> tuple[m.Line, ...]:
        if not isinstance(node, list):
            error(at, say("kb_check.forms.not_texts", form=fid, key=what))
            return ()
        out = []
        for item in node:
            here = where_of(item, at)
            if isinstance(item, dict):
                if set(item) - {"text", "if", "source"}:
                    error(here, say("kb_check.forms.line_keys", form=fid, key=what))
                    continue
                out.append(
                    m.Line(
                        text(item.get("text"), here, "text"),
                        condition(item, here),
                        refs(item.get("source"), here),
                        here,
                    )
                )
            else:
                out.append(m.Line(text(item, here, what), where=here))
        return tuple(out)

    def variants(node: Any, at: m.Where, allowed: set[str]) -> tuple[m.Variant, ...]:
        if node is None:
            return ()
        if not isinstance(node, list):
            error(at, say("kb_check.forms.variants_list", form=fid))
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
                when_example = "{" + say("kb_check.forms.variant_when_example") + "}"
                keys = ", ".join(sorted(allowed - {"when"}))
                error(here, say("kb_check.forms.variant_keys", form=fid, when=when_example, keys=keys))
                continue
            required = item.get("required")
            if required is not None and not isinstance(required, bool):
                error(here, say("kb_check.forms.variant_required", form=fid))
                continue
            texts = {k: text(item[k], here, k) for k in ("label", "help", "placeholder", "intro") if k in item}
            out.append(m.Variant(tuple(when.items()), required=required, where=here, **texts))
        return tuple(out)

    # Steps and fields: variants and step sources (the rest was read by forms._step and read_field).
    steps = []
    step_docs = {d["id"]: d for d in doc.get("steps", []) if isinstance(d, dict) and isinstance(d.get("id"), str)}
    for step in form.steps:
        step_doc = step_docs.get(step.id, {})
        field_docs = {
            d["id"]: d for d in step_doc.get("fields", []) if isinstance(d, dict) and isinstance(d.get("id"), str)
        }
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
            error(at, say("kb_check.forms.preconditions_keys", form=fid))
        else:
            seen: set[str] = set()
            asked = [f for f in (read_field(d, name, at, fid, seen, error) for d in pre["fields"]) if f is not None]
            form = replace(form, preconditions=m.PreconditionsSpec(lines(pre["about"], at, "about"), tuple(asked)))

    conditions: dict[str, str] = {}
    node = doc.get("conditions", {})
    if not isinstance(node, dict) or not all(
        isinstance(k, str) and id_ok(k.replace("_", "-")) and isinstance(v, str) and v.strip() for k, v in node.items()
    ):
        error(where_of(node, form.where), say("kb_check.forms.conditions", form=fid))
    else:
        conditions = {k: " ".join(v.split()) for k, v in node.items()}
    form = replace(form, conditions=conditions)

    texts: dict[str, str] = {}
    node = doc.get("texts", {})
    if not isinstance(node, dict):
        error(form.where, say("kb_check.forms.texts", form=fid))
    else:
        for key, value in node.items():
            texts[str(key)] = text(value, where_of(node, form.where), f"texts.{key}")
    form = replace(form, texts=texts)
    if "next_steps" in doc:
        form = replace(form, next_steps=lines(doc["next_steps"], form.where, "next_steps"))

    stops: dict[str, m.Stop] = {}
    node = doc.get("stops", {})
    if not isinstance(node, dict):
        error(form.where, say("kb_check.forms.stops", form=fid, keys="{title, lines, …}"))
        node = {}
    for code, spec in node.items():
        at = where_of(spec, form.where)
        if not isinstance(spec, dict) or set(spec) - STOP_KEYS or "title" not in spec or "lines" not in spec:
            error(
                at,
                say(
                    "kb_check.forms.stop_keys",
                    form=fid,
                    stop=repr(code),
                    keys=", ".join(sorted(STOP_KEYS - {"title", "lines"})),
                ),
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
                error(here, say("kb_check.forms.contact_keys", form=fid))
                continue
            contacts.append(
                m.StopContact(
                    item["purpose"],
                    text(item["title"], here, "title"),
                    text(item["text"], here, "text") if "text" in item else "",
                    condition(item, here),
                    refs(item.get("source"), here),
                    here,
                )
            )
        for item in spec.get("actions", []):
            here = where_of(item, at)
            if (
                not isinstance(item, dict)
                or set(item) - {"do", "title", "style", "if"}
                or not all(isinstance(item.get(k), str) for k in ("do", "title"))
            ):
                error(here, say("kb_check.forms.action_keys", form=fid))
                continue
            if item["do"] not in STOP_ACTIONS:
                error(
                    here,
                    say("kb_check.forms.action_do", form=fid, do=repr(item["do"]), allowed=", ".join(STOP_ACTIONS)),
                )
                continue
            actions.append(
                m.StopAction(
                    item["do"],
                    text(item["title"], here, "title"),
                    str(item.get("style", "")),
                    condition(item, here),
                    here,
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
