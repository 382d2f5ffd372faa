"""A form's `case:` block (knowledge/forms/<kind>.yaml): the case kind it files, as data.

    case:
      prefix: AVV                      # references AVV-2026-0001 (stored: never change it)
      noun: "Rapporten"                # the receipt's subject
      plural: "avvikelser"             # what a connected channel receives
      notify: "Din avvikelserapport"   # the reporter's note when the status changes
      digest: "Avvikelser i samverkan" # the weekly digest's heading
      statuses:                        # value (stored: never change it): title
        mottagen: "Mottagen"           # first: the status a case is filed with

The kind's title is the form's `title:`. The composition root builds one lotsen.casekinds.CaseKind
per form from it when the application is built; problems are reported with file and line.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Callable

from lotsen.kb import model as m
from lotsen.texts import say

CASE_KEYS = ("prefix", "noun", "plural", "notify", "digest", "statuses")
FILED = "mottagen"  # the status every case is filed with (lotsen.storage)
PREFIX_RE = re.compile(r"^[A-Z]{2,10}$")

Error = Callable[[m.Where, str], None]


def read_case(doc: Any, form: m.FormSpec, name: str, error: Error, id_ok: Callable[[str], bool]) -> m.FormSpec:
    """The form with its `case:` block read (a form without one files no case: reported)."""
    node = doc.get("case") if isinstance(doc, dict) else None
    if node is None:
        error(form.where, say("form_case.missing", form=form.id))
        return form
    at = m.Where(name, getattr(node, "line", form.where.line))
    if not isinstance(node, dict) or set(node) != set(CASE_KEYS):
        error(at, say("form_case.keys", form=form.id, keys=", ".join(CASE_KEYS)))
        return form
    prefix = node["prefix"]
    if not isinstance(prefix, str) or not PREFIX_RE.match(prefix):
        error(at, say("form_case.prefix", form=form.id, prefix=repr(prefix)))
        return form
    texts: dict[str, str] = {}
    for key in ("noun", "plural", "notify", "digest"):
        value = node[key]
        if not isinstance(value, str) or not value.strip():
            error(at, say("form_case.text", form=form.id, key=key))
            return form
        texts[key] = " ".join(value.split())
    statuses = node["statuses"]
    here = m.Where(name, getattr(statuses, "line", at.line))
    if (
        not isinstance(statuses, dict)
        or not statuses
        or not all(isinstance(k, str) and id_ok(k) for k in statuses)
        or not all(isinstance(v, str) and v.strip() for v in statuses.values())
    ):
        error(here, say("form_case.statuses", form=form.id))
        return form
    if next(iter(statuses)) != FILED:
        error(here, say("form_case.filed_first", form=form.id, status=FILED))
        return form
    titles = {k: " ".join(v.split()) for k, v in statuses.items()}  # a dict: the knowledge base is pickled
    return replace(form, case=m.CaseSpec(prefix, statuses=titles, where=at, **texts))


def check_cases(kb: m.KnowledgeBase, error: Error) -> None:
    """Two forms never file cases with the same reference prefix."""
    seen: dict[str, m.FormSpec] = {}
    for form in kb.forms.values():
        if form.case is None:
            continue
        other = seen.setdefault(form.case.prefix, form)
        if other is not form:
            error(form.case.where, say("form_case.prefix_taken", form=form.id, prefix=form.case.prefix, other=other.id))
