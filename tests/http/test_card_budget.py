"""Fault matrix row 55: a card over Teams' size budget reaches the user as a shortened card
(with a note), never as a generic apology."""

from __future__ import annotations

import cards.render as render_module
from bot.app_factory import SERVICES
from cards.render import OVERSIZE_NOTE, card_size
from lotsen import cases
from tests.support.reports import seed_case
from tests.support.teams import COORDINATOR, card_strings


async def test_an_oversized_case_card_is_shown_shortened(teams_small, monkeypatch):
    store = teams_small.app[SERVICES].store
    case = seed_case(store, beskrivning="Lång beskrivning av vad som hände. " * 55)
    for _ in range(5):
        case = cases.change_status(store, case, "mottagen", COORDINATOR.aad, "Kommentar med många ord. " * 38)
    monkeypatch.setattr(render_module, "MAX_CARD_BYTES", 12 * 1024)  # as if Teams' limit were lower
    replies = await teams_small.send(value={"verb": "case.show", "reference": case.reference}, person=COORDINATOR)
    text = replies.all_text()
    assert "Något gick fel" not in text
    (card,) = replies.cards
    assert card_size(card) <= 12 * 1024
    shown = card_strings(card)
    assert case.reference in shown
    assert OVERSIZE_NOTE in shown or " …" in shown  # shortened texts, or trailing parts dropped
    assert any(a.get("title") == "Spara status" for a in card.get("actions", []))  # still usable
