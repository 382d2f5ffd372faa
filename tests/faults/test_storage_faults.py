"""Fault matrix rows 44 and 47: the report store is locked or fails while a report is filed.

The user is told plainly that the report is NOT registered, the draft is kept, nothing is
half-stored, and pressing "Skicka" again later files it exactly once."""

from __future__ import annotations

import sqlite3

from bot.app_factory import SERVICES
from tests.support.reports import review_deviation
from tests.support.teams import action, card_strings


def count(teams, sql: str) -> int:
    return teams.app[SERVICES].store.db.execute(sql).fetchone()[0]


async def test_a_locked_database_while_filing_keeps_the_draft_and_says_so(teams_small):
    store = teams_small.app[SERVICES].store
    review = await review_deviation(teams_small)
    store.db.execute("PRAGMA busy_timeout=200")  # the test need not wait the production 5 s
    locker = sqlite3.connect(str(store.path), isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        replies = await teams_small.click(action(review, "Skicka"))
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    text = replies.all_text()
    assert "Rapporten är inte registrerad – försök igen" in text
    assert "skickad" not in text.lower() and "AVV-" not in text
    assert count(teams_small, "SELECT COUNT(*) FROM cases") == 0
    assert count(teams_small, "SELECT COUNT(*) FROM audit WHERE event = 'case_filed'") == 0
    assert count(teams_small, "SELECT COUNT(*) FROM drafts") == 1  # what was filled in is kept
    # the review card is shown again, so "Skicka" is one press away
    assert any("Skicka" in card_strings(c) for c in replies.cards)
    store.db.execute("PRAGMA busy_timeout=5000")
    again = await teams_small.click(action(review, "Skicka"))
    assert "AVV-2026-0001" in again.all_text()
    assert count(teams_small, "SELECT COUNT(*) FROM cases") == 1
    assert count(teams_small, "SELECT COUNT(*) FROM drafts") == 0
