"""Routing: (purpose, municipality) → the right contact list. Rules live in knowledge/routing.yaml."""

from __future__ import annotations

from dataclasses import dataclass

from lotsen.kb.model import ContactList, KnowledgeBase, Route


@dataclass(frozen=True)
class Routed:
    contact_list: ContactList
    route: Route
    specific: bool  # True: a rule for this municipality; False: the "*" default


def route(kb: KnowledgeBase, purpose: str, municipality: str | None) -> Routed | None:
    """The most specific rule wins: an explicit municipality beats the "*" default."""
    default: Route | None = None
    for rule in kb.routes:
        if rule.purpose != purpose:
            continue
        if municipality and municipality in rule.municipalities:
            return Routed(kb.contact_lists[rule.contact_list], rule, True)
        if rule.municipalities == ("*",) and default is None:
            default = rule
    if default is None:
        return None
    return Routed(kb.contact_lists[default.contact_list], default, False)
