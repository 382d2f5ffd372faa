"""The card catalogue: every card the bot can send, in every state, is a valid Adaptive Card.

The catalogue (tests/support/catalog.py) builds the cards through the real feature functions
and flow classes over the fixture knowledge base. Each card is checked with

1. the Adaptive Cards 1.5 JSON schema, unique ids and the size budget (cards.render.check_card);
2. Microsoft's renderer library, all cards in one Node process (cards.jsvalidate).

A template in cards/templates that no catalogue card was rendered from fails the test: add
the new card (and its states) to tests/support/catalog.py. To look at the cards:
`python -m scripts.card_gallery --png` (writes test-artifacts/cards/).
"""

from __future__ import annotations

import pytest

from cards.jsvalidate import JsValidatorUnavailable, validate_cards_js
from cards.render import check_card, template_names
from tests.support.catalog import CatalogCard, build_catalog, covered_templates


@pytest.fixture(scope="module")
def catalog() -> list[CatalogCard]:
    return build_catalog()


def test_every_template_is_in_the_catalogue(catalog):
    missing = sorted(set(template_names()) - covered_templates(catalog))
    assert not missing, (
        f"card templates that no catalogue card is rendered from: {', '.join(missing)}. "
        "Add a builder for them (every state the bot can send) to tests/support/catalog.py."
    )


def test_the_catalogue_covers_each_template_in_several_states(catalog):
    names = {c.name for c in catalog}
    assert len(names) == len(catalog)
    # The states the issue asks for, by name: a renamed or lost state should be noticed.
    for expected in (
        "welcome",
        "help/caseworker",
        "help/coordinator",
        "answer/plain",
        "answer/gap",
        "answer/related",
        "answer/flow-avvikelse",
        "answer/flow-arena",
        "answer/flow-sip",
        "suggestions",
        "fallback/unknown",
        "contacts/specific",
        "contacts/default",
        "ask_municipality/with-purposes",
        "ask_municipality/for-purpose",
        "notice/deviation-start",
        "deviation/step-1-empty",
        "deviation/step-1-filled",
        "deviation/step-1-errors",
        "deviation/step-2-empty",
        "deviation/step-2-filled",
        "deviation/step-2-errors",
        "deviation/step-3-empty",
        "deviation/step-3-filled",
        "deviation/step-3-errors",
        "deviation/review",
        "deviation/receipt",
        "deviation/receipt-already",
        "case_card/avvikelse-mottagen",
        "case_card/avvikelse-errors",
        "request/chooser",
        "request/arena-stop-not-covered",
        "request/sip-receipt",
    ):
        assert expected in names, f"the catalogue lost the state {expected!r}"


def test_every_card_passes_the_schema_and_size_budget(catalog):
    problems = {c.name: check_card(c.card) for c in catalog}
    assert {name: p for name, p in problems.items() if p} == {}


def test_every_card_passes_microsofts_renderer_library(catalog):
    try:
        results = validate_cards_js([c.card for c in catalog])
    except JsValidatorUnavailable as exc:  # a missing tool is a failure here, not a skip
        pytest.fail(f"cannot run Microsoft's adaptivecards library: {exc}")
    messages = {c.name: m for c, m in zip(catalog, results) if m}
    assert messages == {}, f"{len(messages)} of {len(catalog)} cards have renderer messages"
