"""Load `knowledge/` into a KnowledgeBase, reporting every problem with file and line.

Errors make the knowledge base unusable (the bot refuses to start, a reload is refused).
Quality warnings (see lotsen.kb.quality) never block.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from lotsen.kb import model as m
from lotsen.kb.form_checks import check_forms
from lotsen.kb.forms import read_forms
from lotsen.kb.yamlio import Located, YamlError, load_yaml
from lotsen.texts import say
from lotsen.vagvisare.schema import check_navigator, read_navigator

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FLOW_ACTIONS = ("avvikelse", "arena", "sip")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str
    level: str = "error"  # error | warning
    code: str = ""  # warnings: the kind (see lotsen.kb.quality.WARNING_KINDS)
    subject: str = ""  # warnings: what it is about (an entry id, a contact list id …)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeBaseError(Exception):
    """The knowledge base has errors; `problems` lists them with file and line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = say("kb_check.has_errors", count=len(problems))
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in problems[:50]))


# --- field kinds -------------------------------------------------------------------------

Checker = Callable[[Any], tuple[Any, str | None]]


def _text(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not value.strip():
        return None, say("kb_check.value.empty_text")
    return value.strip(), None


def _opt_text(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return "", None
    if not isinstance(value, str):
        return None, say("kb_check.value.text")
    return value.strip(), None


def _ident(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str) or not ID_RE.match(value):
        return None, say("kb_check.value.bad_id", id=repr(value))
    return value, None


def _bool(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, bool):
        return None, say("kb_check.value.bool")
    return value, None


def _text_list(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return (), None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None, say("kb_check.value.texts")
    return tuple(v.strip() for v in value), None


def _id_list(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return (), None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and ID_RE.match(v) for v in value):
        return None, say("kb_check.value.ids")
    return tuple(value), None


def _date(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    if isinstance(value, date):
        return value, None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value), None
        except ValueError:
            pass
    return None, say("kb_check.value.date")


def _url(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return "", None
    if not isinstance(value, str) or not re.fullmatch(r"https://[^\s()<>\[\]]+", value.strip()):
        return None, say("kb_check.value.url")
    return value.strip(), None


def _sources(value: Any) -> tuple[Any, str | None]:
    items = value if isinstance(value, list) else [value]
    refs = []
    for item in items:
        if not isinstance(item, dict) or set(item) - {"doc", "section"} or "doc" not in item:
            return None, say("kb_check.value.source_shape")
        doc, section = item.get("doc"), item.get("section", "")
        if not isinstance(doc, str) or not isinstance(section, str):
            return None, say("kb_check.value.source_not_texts")
        refs.append(m.SourceRef(doc=doc.strip(), section=section.strip()))
    if not refs:
        return None, say("kb_check.value.source_missing")
    return tuple(refs), None


def _legal(value: Any) -> tuple[Any, str | None]:
    """legal_note: an id, {id, cited}, or a list of those."""
    items = value if isinstance(value, list) else [value]
    refs = []
    for item in items:
        if isinstance(item, str) and ID_RE.match(item):
            refs.append(m.LegalRef(note=item))
        elif (
            isinstance(item, dict)
            and "id" in item
            and not set(item) - {"id", "cited"}
            and isinstance(item["id"], str)
            and ID_RE.match(item["id"])
            and isinstance(item.get("cited", ""), str)
        ):
            refs.append(m.LegalRef(note=item["id"], cited=str(item.get("cited", "")).strip()))
        else:
            example = '{id: …, cited: "' + say("kb_check.value.legal_note_cited") + '"}'
            return None, say("kb_check.value.legal_note", example=example)
    return tuple(refs), None


def _municipality_scope(value: Any) -> tuple[Any, str | None]:
    if value == "*":
        return ("*",), None
    return _id_list(value)


def _contacts(value: Any) -> tuple[Any, str | None]:
    if value is None:
        return (), None
    if not isinstance(value, list):
        return None, say("kb_check.value.contacts")
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"role", "name", "email", "phone"}:
            return None, say("kb_check.value.contact_keys")
        if not isinstance(item.get("role"), str) or not item["role"].strip():
            return None, say("kb_check.value.contact_role")
        if any(not isinstance(item.get(k, ""), str) for k in ("name", "email", "phone")):
            return None, say("kb_check.value.contact_texts")
        out.append(m.Contact(**{k: str(v).strip() for k, v in item.items()}))
    return tuple(out), None


REQUIRED, OPTIONAL = True, False

SPECS: dict[str, dict[str, tuple[bool, Checker]]] = {
    "sources": {
        "id": (REQUIRED, _ident),
        "file": (REQUIRED, _text),
        "title": (REQUIRED, _text),
        "url": (OPTIONAL, _url),
    },
    "parties": {
        "id": (REQUIRED, _ident),
        "name": (REQUIRED, _text),
        "summary": (REQUIRED, _text),
        "short": (OPTIONAL, _opt_text),
        "aliases": (OPTIONAL, _text_list),
        "does": (OPTIONAL, _text_list),
        "does_not": (OPTIONAL, _text_list),
        "preconditions": (OPTIONAL, _text_list),
        "legal_refs": (OPTIONAL, _text_list),
        "sip": (OPTIONAL, _opt_text),
        "source": (REQUIRED, _sources),
        "legal_note": (OPTIONAL, _legal),
    },
    "concepts": {
        "id": (REQUIRED, _ident),
        "term": (REQUIRED, _text),
        "definition": (REQUIRED, _text),
        "expansion": (OPTIONAL, _opt_text),
        "aliases": (OPTIONAL, _text_list),
        "source": (REQUIRED, _sources),
        "legal_note": (OPTIONAL, _legal),
    },
    "processes": {
        "id": (REQUIRED, _ident),
        "name": (REQUIRED, _text),
        "summary": (REQUIRED, _text),
        "aliases": (OPTIONAL, _text_list),
        "steps": (OPTIONAL, _text_list),
        "municipalities": (OPTIONAL, _id_list),
        "example_only": (OPTIONAL, _bool),
        "source": (REQUIRED, _sources),
    },
    "efforts": {
        "id": (REQUIRED, _ident),
        "name": (REQUIRED, _text),
        "summary": (REQUIRED, _text),
        "aliases": (OPTIONAL, _text_list),
        "target_group": (OPTIONAL, _opt_text),
        "criteria": (OPTIONAL, _text_list),
        "municipalities": (OPTIONAL, _id_list),
        "financed_by": (OPTIONAL, _opt_text),
        "source": (REQUIRED, _sources),
    },
    "forbund": {
        "id": (REQUIRED, _ident),
        "name": (REQUIRED, _text),
        "in_seeds": (REQUIRED, _bool),
        "source": (OPTIONAL, _sources),
    },
    "municipalities": {
        "id": (REQUIRED, _ident),
        "name": (REQUIRED, _text),
        "forbund": (OPTIONAL, _opt_text),
        "forbund_in_seeds": (REQUIRED, _bool),
        "arena": (OPTIONAL, _bool),
        "kommunomrade": (OPTIONAL, _bool),
        "aliases": (OPTIONAL, _text_list),
        "samverk_groups": (OPTIONAL, _text_list),
        "source": (OPTIONAL, _sources),
    },
    "contact_lists": {
        "id": (REQUIRED, _ident),
        "title": (REQUIRED, _text),
        "description": (OPTIONAL, _opt_text),
        "party": (OPTIONAL, _opt_text),
        "contacts": (REQUIRED, _contacts),
        "link": (OPTIONAL, _opt_text),
        "source": (OPTIONAL, _sources),
    },
    "purposes": {
        "id": (REQUIRED, _ident),
        "title": (REQUIRED, _text),
        "needs_municipality": (OPTIONAL, _bool),
    },
    "routes": {
        "purpose": (REQUIRED, _ident),
        "municipalities": (REQUIRED, _municipality_scope),
        "contact_list": (REQUIRED, _ident),
    },
    "entries": {
        "id": (REQUIRED, _ident),
        "question": (REQUIRED, _text),
        "phrasings": (REQUIRED, _text_list),
        "answer": (REQUIRED, _text),
        "source": (REQUIRED, _sources),
        "party": (OPTIONAL, _id_list),
        "related": (OPTIONAL, _id_list),
        "contact_purpose": (OPTIONAL, _opt_text),
        "actions": (OPTIONAL, _id_list),
        "gap": (OPTIONAL, _bool),
        "reviewed": (OPTIONAL, _date),
        "owner": (OPTIONAL, _opt_text),
        "legal_note": (OPTIONAL, _legal),
    },
    # inlart.yaml: what coordinators taught from the chat (lotsen/teach.py writes it)
    "phrasings": {
        "entry": (REQUIRED, _ident),
        "phrasing": (REQUIRED, _text),
        "by": (OPTIONAL, _opt_text),
        "name": (OPTIONAL, _opt_text),
        "at": (OPTIONAL, _opt_text),
    },
    "out_of_scope": {
        "question": (REQUIRED, _text),
        "by": (OPTIONAL, _opt_text),
        "name": (OPTIONAL, _opt_text),
        "at": (OPTIONAL, _opt_text),
    },
    "legal_notes": {
        "id": (REQUIRED, _ident),
        "title": (REQUIRED, _text),
        "text": (REQUIRED, _text),
        "basis": (OPTIONAL, _opt_text),
        "checked": (OPTIONAL, _date),
    },
}

# file name → the top-level keys it may hold. qa/*.yaml hold "entries".
FILES: dict[str, tuple[str, ...]] = {
    "sources.yaml": ("sources",),
    "parties.yaml": ("parties",),
    "concepts.yaml": ("concepts",),
    "processes.yaml": ("processes",),
    "efforts.yaml": ("efforts",),
    "geography.yaml": ("forbund", "municipalities"),
    "contacts.yaml": ("contact_lists",),
    "routing.yaml": ("purposes", "routes"),
}
# Files that may be left out.
OPTIONAL_FILES: dict[str, tuple[str, ...]] = {
    "legal_notes.yaml": ("legal_notes",),
    "inlart.yaml": ("phrasings", "out_of_scope"),
}


# What reading each file gave, per file name (relative to the knowledge folder's parent):
# (name, allowed keys, content digest) and its checked records (kind, values, where) and its
# problems. The values are immutable once checked (strings, tuples, dates and model objects;
# _build copies the dict), so records are shared between loads. One version per file name is
# kept. A cache belongs to whoever loads the same folder again (lotsen.knowledge.Knowledge owns
# the bot's); without one, every file is parsed.
ReadCache = dict[
    str, tuple[tuple[str, tuple[str, ...], bytes], list[tuple[str, dict[str, Any], "m.Where"]], list["Problem"]]
]


class _Collector:
    def __init__(self, root: Path, cache: ReadCache | None = None):
        self.root = root
        self.cache = cache
        self.problems: list[Problem] = []
        self.records: dict[str, list[tuple[dict[str, Any], m.Where]]] = {kind: [] for kind in SPECS}
        self.lists: dict[str, m.PickList] = {}

    def error(self, where: m.Where, message: str) -> None:
        self.problems.append(Problem(where.file, where.line, message))

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def read(self, path: Path, allowed: tuple[str, ...]) -> None:
        """Read one file's records (and its problems). A file read before with the same name
        and content is not parsed again: its checked records are taken from the cache (a
        reload after a coordinator's edit of one file re-reads only that one)."""
        name = self.rel(path)
        if self.cache is None:
            self._read(path, name, allowed)
            return
        try:
            data = path.read_bytes()
        except OSError:
            data = None
        key = (name, allowed, hashlib.blake2b(data).digest()) if data is not None else None
        cached = self.cache.get(name)
        if key is not None and cached is not None and cached[0] == key:
            for kind, values, where in cached[1]:
                self.records[kind].append((values, where))
            self.problems.extend(cached[2])
            return
        counts = {kind: len(records) for kind, records in self.records.items()}
        problems = len(self.problems)
        self._read(path, name, allowed)
        if key is not None:
            read = [(kind, v, w) for kind, records in self.records.items() for v, w in records[counts[kind] :]]
            self.cache[name] = (key, read, self.problems[problems:])

    def _read(self, path: Path, name: str, allowed: tuple[str, ...]) -> None:
        try:
            doc = load_yaml(path, name)
        except YamlError as exc:
            self.problems.append(Problem(exc.file, exc.line, exc.message))
            return
        if doc is None:
            return
        if not isinstance(doc, Located):
            self.error(m.Where(name, 1), say("kb_check.file.start", keys=" / ".join(k + ":" for k in allowed)))
            return
        for key, items in doc.items():
            if key not in allowed:
                self.error(
                    m.Where(name, doc.line), say("kb_check.file.unknown_key", key=repr(key), allowed=", ".join(allowed))
                )
                continue
            if not isinstance(items, list):
                self.error(m.Where(name, doc.line), say("kb_check.file.not_a_list", key=key))
                continue
            for item in items:
                self.record(key, item, m.Where(name, getattr(item, "line", doc.line)))

    def record(self, kind: str, item: Any, where: m.Where) -> None:
        spec = SPECS[kind]
        if not isinstance(item, dict):
            self.error(where, say("kb_check.file.not_a_mapping", kind=kind))
            return
        values: dict[str, Any] = {}
        ok = True
        for key in item:
            if key not in spec:
                self.error(where, say("kb_check.file.unknown_field", key=repr(key), kind=kind, allowed=", ".join(spec)))
                ok = False
        for key, (required, check) in spec.items():
            if key not in item:
                if required:
                    self.error(where, say("kb_check.file.missing_field", key=repr(key)))
                    ok = False
                continue
            value, problem = check(item[key])
            if problem:
                label = item.get("id", "") if isinstance(item.get("id"), str) else ""
                if label:
                    self.error(where, say("kb_check.file.bad_value_in", key=key, id=label, problem=problem))
                else:
                    self.error(where, say("kb_check.file.bad_value", key=key, problem=problem))
                ok = False
            else:
                values[key] = value
        if ok:
            self.records[kind].append((values, where))


_MODELS: dict[str, type] = {
    "sources": m.Source,
    "parties": m.Party,
    "concepts": m.Concept,
    "processes": m.Process,
    "efforts": m.Effort,
    "forbund": m.Forbund,
    "municipalities": m.Municipality,
    "contact_lists": m.ContactList,
    "purposes": m.Purpose,
    "routes": m.Route,
    "entries": m.Entry,
    "legal_notes": m.LegalNote,
}


def _build(kind: str, values: dict[str, Any], where: m.Where) -> Any:
    """A checked record as its model object (YAML's singular `source`/`party` → plural fields)."""
    v = dict(values)
    if "source" in v:
        v["sources"] = v.pop("source")
    if "legal_note" in v:
        v["legal"] = v.pop("legal_note")
    if kind == "municipalities":
        v["forbund"] = v.get("forbund") or None
    if kind == "entries":
        v["parties"] = v.pop("party", ())
    return _MODELS[kind](where=where, **v)


def load_knowledge_base(directory: Path | str, cache: ReadCache | None = None) -> m.KnowledgeBase:
    """Load and check everything; raise KnowledgeBaseError listing every error."""
    kb, problems = check_knowledge_base(directory, cache)
    if kb is None:
        raise KnowledgeBaseError(problems)
    return kb


def check_knowledge_base(
    directory: Path | str, cache: ReadCache | None = None
) -> tuple[m.KnowledgeBase | None, list[Problem]]:
    """Load and check; returns (kb or None, errors). Never raises for bad content. With a
    `cache` (what an earlier load of the same folder read), unchanged files are not parsed."""
    root = Path(directory)
    col = _Collector(root, cache)
    if not root.is_dir():
        return None, [Problem(str(root), 0, say("kb_check.file.no_folder"))]
    for fname, allowed in FILES.items():
        path = root / fname
        if not path.exists():
            col.problems.append(Problem(col.rel(path), 0, say("kb_check.file.missing")))
            continue
        col.read(path, allowed)
    for fname, allowed in OPTIONAL_FILES.items():
        if (root / fname).exists():
            col.read(root / fname, allowed)
    qa_files = sorted((root / "qa").glob("*.yaml"))
    if not qa_files:
        col.problems.append(Problem(col.rel(root / "qa"), 0, say("kb_check.file.no_entries")))
    for path in qa_files:
        col.read(path, ("entries",))
    forms_path = root / "forms.yaml"
    if forms_path.exists():
        _read_lists(col, forms_path)
    forms = read_forms(root, col.rel, col.error, _sources, lambda text: bool(ID_RE.match(text)), _legal)
    navigator = None
    nav_path = root / "vagvisare.yaml"
    if nav_path.exists():
        navigator = read_navigator(nav_path, col.rel(nav_path), col.error)

    built: dict[str, dict[str, Any]] = {}
    routes: list[m.Route] = []
    taught: list[m.Taught] = []
    for kind, records in col.records.items():
        if kind == "routes":
            routes = [_build(kind, v, w) for v, w in records]
            continue
        if kind in ("phrasings", "out_of_scope"):
            taught += [
                m.Taught(
                    kind,
                    v.get("phrasing") or v.get("question") or "",
                    v.get("entry", ""),
                    v.get("by") or "",
                    v.get("name") or "",
                    v.get("at") or "",
                    w,
                )
                for v, w in records
            ]
            continue
        table: dict[str, Any] = {}
        for values, where in records:
            obj = _build(kind, values, where)
            if obj.id in table:
                col.error(where, say("kb_check.references.duplicate_id", id=repr(obj.id), where=table[obj.id].where))
                continue
            table[obj.id] = obj
        built[kind] = table

    kb = m.KnowledgeBase(
        sources=built["sources"],
        parties=built["parties"],
        concepts=built["concepts"],
        processes=built["processes"],
        efforts=built["efforts"],
        forbund=built["forbund"],
        municipalities=built["municipalities"],
        contact_lists=built["contact_lists"],
        purposes=built["purposes"],
        routes=tuple(routes),
        lists=col.lists,
        directory=str(root),
        legal_notes=built["legal_notes"],
        entries=_with_taught(built["entries"], taught, col),
        taught=tuple(taught),
        forms=forms,
        navigator=navigator,
    )
    _check_references(kb, col)
    check_forms(kb, col.error)
    if navigator is not None:
        # Entries from a qa file that did not load are not "missing": do not repeat that error per rule.
        qa_dir = col.rel(root / "qa")
        qa_complete = not any(p.file.startswith(qa_dir) for p in col.problems)
        check_navigator(kb, navigator, col.error, check_entries=qa_complete)
    errors = [p for p in col.problems if p.level == "error"]
    return (None if errors else kb), errors


def _with_taught(entries: dict[str, m.Entry], taught: list[m.Taught], col: _Collector) -> dict[str, m.Entry]:
    """Entries with the phrasings coordinators taught from the chat added."""
    from dataclasses import replace

    out = dict(entries)
    for item in taught:
        if item.kind != "phrasings":
            continue
        entry = out.get(item.entry)
        if entry is None:
            col.error(item.where, say("kb_check.references.taught_unknown_entry", entry=repr(item.entry)))
            continue
        if item.question not in entry.phrasings:
            out[item.entry] = replace(entry, phrasings=entry.phrasings + (item.question,))
    return out


def _read_lists(col: _Collector, path: Path) -> None:
    """forms.yaml: `lists: {list-id: {title, source?, options: [{value, title}]}}`."""
    name = col.rel(path)
    try:
        doc = load_yaml(path, name)
    except YamlError as exc:
        col.problems.append(Problem(exc.file, exc.line, exc.message))
        return
    if not isinstance(doc, Located) or set(doc) != {"lists"} or not isinstance(doc["lists"], dict):
        col.error(m.Where(name, getattr(doc, "line", 1)), say("kb_check.lists.top"))
        return
    for list_id, spec in doc["lists"].items():
        where = m.Where(name, getattr(spec, "line", doc.line))
        if not isinstance(list_id, str) or not ID_RE.match(list_id):
            col.error(where, say("kb_check.lists.bad_id", list=repr(list_id)))
            continue
        if not isinstance(spec, dict) or set(spec) - {"title", "source", "options"} or "options" not in spec:
            col.error(where, say("kb_check.lists.keys", list=list_id))
            continue
        sources: tuple[m.SourceRef, ...] = ()
        if "source" in spec:
            sources, problem = _sources(spec["source"])
            if problem:
                col.error(where, say("kb_check.lists.problem", list=list_id, problem=problem))
                continue
        options: list[m.Option] = []
        for item in spec["options"] if isinstance(spec["options"], list) else [None]:
            item_where = m.Where(name, getattr(item, "line", where.line))
            if not isinstance(item, dict) or set(item) != {"value", "title"}:
                col.error(item_where, say("kb_check.lists.option_keys", list=list_id))
                continue
            value, title = item["value"], item["title"]
            if not isinstance(value, str) or not ID_RE.match(value):
                col.error(item_where, say("kb_check.lists.bad_value", list=list_id, value=repr(value)))
                continue
            if not isinstance(title, str) or not title.strip():
                col.error(item_where, say("kb_check.lists.no_title", list=list_id, value=repr(value)))
                continue
            if any(o.value == value for o in options):
                col.error(item_where, say("kb_check.lists.value_twice", list=list_id, value=repr(value)))
                continue
            options.append(m.Option(value, title.strip()))
        if not options:
            col.error(where, say("kb_check.lists.no_options", list=list_id))
            continue
        title = spec.get("title")
        if not isinstance(title, str):
            title = list_id
        col.lists[list_id] = m.PickList(list_id, title, tuple(options), sources, where)


def _check_references(kb: m.KnowledgeBase, col: _Collector) -> None:
    def check_sources(obj: Any) -> None:
        for ref in getattr(obj, "sources", ()):
            if ref.doc not in kb.sources:
                col.error(obj.where, say("kb_check.references.unknown_source", doc=repr(ref.doc)))

    for table in (
        kb.parties,
        kb.concepts,
        kb.processes,
        kb.efforts,
        kb.forbund,
        kb.municipalities,
        kb.contact_lists,
        kb.entries,
        kb.lists,
    ):
        for obj in table.values():
            check_sources(obj)
    for table in (kb.parties, kb.concepts, kb.entries):
        for obj in table.values():
            for ref in obj.legal:
                if ref.note not in kb.legal_notes:
                    col.error(obj.where, say("kb_check.references.unknown_legal_note", id=obj.id, note=repr(ref.note)))
    for muni in kb.municipalities.values():
        if muni.forbund and muni.forbund not in kb.forbund:
            col.error(muni.where, say("kb_check.references.unknown_forbund", forbund=repr(muni.forbund)))
    for obj in list(kb.processes.values()) + list(kb.efforts.values()):
        for mid in obj.municipalities:
            if mid not in kb.municipalities:
                col.error(obj.where, say("kb_check.references.unknown_municipality", municipality=repr(mid)))
    for cl in kb.contact_lists.values():
        if cl.party and cl.party not in kb.parties:
            col.error(cl.where, say("kb_check.references.unknown_party", party=repr(cl.party)))
    for route in kb.routes:
        if route.purpose not in kb.purposes:
            col.error(route.where, say("kb_check.references.route_unknown_purpose", purpose=repr(route.purpose)))
        if route.contact_list not in kb.contact_lists:
            col.error(route.where, say("kb_check.references.unknown_contact_list", list=repr(route.contact_list)))
        for mid in route.municipalities:
            if mid != "*" and mid not in kb.municipalities:
                col.error(route.where, say("kb_check.references.unknown_municipality", municipality=repr(mid)))
    for purpose in kb.purposes.values():
        if not any(r.purpose == purpose.id and r.municipalities == ("*",) for r in kb.routes):
            col.error(purpose.where, say("kb_check.references.no_default_route", purpose=repr(purpose.id)))
    for entry in kb.entries.values():
        if len(entry.phrasings) < 1:
            col.error(entry.where, say("kb_check.references.no_phrasing", id=entry.id))
        for pid in entry.parties:
            if pid not in kb.parties:
                col.error(entry.where, say("kb_check.references.entry_unknown_party", id=entry.id, party=repr(pid)))
        for rid in entry.related:
            if rid not in kb.entries:
                col.error(entry.where, say("kb_check.references.unknown_related", id=entry.id, related=repr(rid)))
            elif rid == entry.id:
                col.error(entry.where, say("kb_check.references.related_to_itself", id=entry.id))
        if entry.contact_purpose and entry.contact_purpose not in kb.purposes:
            col.error(
                entry.where,
                say("kb_check.references.unknown_purpose", id=entry.id, purpose=repr(entry.contact_purpose)),
            )
        for action in entry.actions:
            if action not in FLOW_ACTIONS:
                col.error(
                    entry.where,
                    say(
                        "kb_check.references.unknown_action",
                        id=entry.id,
                        action=repr(action),
                        allowed=", ".join(FLOW_ACTIONS),
                    ),
                )
