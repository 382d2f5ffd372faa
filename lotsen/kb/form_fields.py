"""One field of a form file (knowledge/forms/*.yaml): its keys, kind, pick list, limits and
cross-field rule, read with file and line. Field *kinds* and their validators are code (lotsen.fields).
"""

from __future__ import annotations

from typing import Any, Callable, get_args

from lotsen.fields import CHOICE_KINDS, MAX_VALUE_LENGTH, TEXT_KINDS, FieldKind
from lotsen.kb import model as m
from lotsen.kb.yamlio import Located
from lotsen.texts import say

MUNICIPALITIES = "kommuner"  # `choices: kommuner`: the municipalities in geography.yaml
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


def plain_text(doc: Located, key: str) -> str:
    value = doc.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def read_field(doc: Any, name: str, parent: m.Where, form_id: str, seen: set[str], error: Error) -> m.FieldSpec | None:
    where = m.Where(name, getattr(doc, "line", parent.line))
    if not isinstance(doc, Located):
        error(where, say("kb_check.forms.field_not_mapping", form=form_id))
        return None
    unknown = set(doc) - FIELD_KEYS
    if unknown:
        error(
            where,
            say(
                "kb_check.forms.field_unknown_key",
                form=form_id,
                key=repr(sorted(unknown)[0]),
                allowed=", ".join(sorted(FIELD_KEYS)),
            ),
        )
        return None
    field_id, label, kind = doc.get("id"), doc.get("label"), str(doc.get("kind"))
    if not isinstance(field_id, str) or not field_id.replace("_", "").isalnum() or not field_id.islower():
        error(where, say("kb_check.forms.field_bad_id", form=form_id, field=repr(field_id)))
        return None
    if field_id in seen:
        error(where, say("kb_check.forms.field_twice", form=form_id, field=repr(field_id)))
        return None
    seen.add(field_id)
    if not isinstance(label, str) or not label.strip():
        error(where, say("kb_check.forms.field_no_label", form=form_id, field=repr(field_id)))
        return None
    if kind not in KINDS:
        error(
            where,
            say(
                "kb_check.forms.field_kind",
                form=form_id,
                field=repr(field_id),
                kind=repr(kind),
                allowed=", ".join(KINDS),
            ),
        )
        return None
    choices = doc.get("choices", "")
    if (kind in CHOICE_KINDS) != bool(choices) or not isinstance(choices, str):
        if kind in CHOICE_KINDS:
            error(where, say("kb_check.forms.choices_needed", form=form_id, field=repr(field_id), kind=kind))
        else:
            error(where, say("kb_check.forms.choices_not_for_kind", form=form_id, field=repr(field_id), kind=kind))
        return None
    numbers = {}
    for key, default in (("min_length", 0), ("max_length", 500)):
        value = doc.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VALUE_LENGTH:
            error(
                where,
                say("kb_check.forms.length", form=form_id, field=repr(field_id), key=key, maximum=MAX_VALUE_LENGTH),
            )
            return None
        numbers[key] = value
    if numbers["min_length"] > numbers["max_length"] or (
        kind not in TEXT_KINDS and ("min_length" in doc or "max_length" in doc)
    ):
        error(where, say("kb_check.forms.lengths", form=form_id, field=repr(field_id)))
        return None
    flags = {}
    for key in ("required", "allow_future"):
        value = doc.get(key, False)
        if not isinstance(value, bool):
            error(where, say("kb_check.forms.flag", form=form_id, field=repr(field_id), key=key))
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
            error(where, say("kb_check.forms.required_when_keys", form=form_id, field=repr(field_id)))
            return None
        rule = m.RequiredWhen(spec["field"], spec["value"], spec["message"].strip())
    return m.FieldSpec(
        field_id,
        label.strip(),
        kind,
        flags["required"],
        choices,
        plain_text(doc, "help"),
        plain_text(doc, "placeholder"),
        numbers["min_length"],
        numbers["max_length"],
        flags["allow_future"],
        rule,
        where,
    )
