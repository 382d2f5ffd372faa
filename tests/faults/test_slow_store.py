"""Row 44: a slow store does not stall every user. While one caseworker's filing waits seconds
on the database, another user's plain question is answered; the filing user still gets the
receipt (the case is filed once)."""

from __future__ import annotations

import asyncio
import time

from lotsen import cases
from tests.faults.test_delivery import store
from tests.support.db import sql
from tests.support.reports import review_deviation
from tests.support.teams import CASEWORKER, OTHER, action

DELAY = 3.0


async def test_a_slow_filing_does_not_stall_another_users_question(teams_small, monkeypatch):
    card = await review_deviation(teams_small)
    file_case = cases.file_case

    async def slow_file_case(*args, **kwargs):
        await asyncio.sleep(DELAY)  # the database answers slowly (a long lock, a slow disk)
        return await file_case(*args, **kwargs)

    monkeypatch.setattr(cases, "file_case", slow_file_case)
    started = time.monotonic()
    filing = asyncio.ensure_future(
        teams_small.click(
            action(card, "Skicka"), person=CASEWORKER, conversation="personal-1", conversation_type="personal"
        )
    )
    await asyncio.sleep(0.3)
    answer = await teams_small.send("vem kallar till sip", person=OTHER, conversation="personal-2")
    assert not filing.done()  # the question was answered while the filing still waited on the store
    assert "sip" in answer.all_text().lower()
    receipt = await filing
    assert time.monotonic() - started < 15  # within Teams' budget for a turn
    assert "AVV-2026-0001" in receipt.all_text()
    assert sql(store(teams_small)).execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1


# --- rows 44/47: the store takes longer than the filing budget ---------------------------------


async def test_a_filing_over_the_budget_says_not_registered_keeps_the_draft_and_files_once(
    connector, tmp_path, monkeypatch
):
    from tests.conftest import FIXTURE_KB, make_settings, start_bot
    from tests.faults.test_delivery import channel_sends, connect, eventually
    from tests.support.teams import card_strings

    teams = await start_bot(connector, make_settings(tmp_path, knowledge_dir=FIXTURE_KB, filing_budget_seconds=1.0))
    try:
        await connect(teams)
        card = await review_deviation(teams)
        file_case = cases.file_case
        slow = {"calls": 0}

        async def first_filing_is_slow(*args, **kwargs):
            slow["calls"] += 1
            if slow["calls"] == 1:
                await asyncio.sleep(DELAY)  # the database answers slowly, inside the transaction
            return await file_case(*args, **kwargs)

        monkeypatch.setattr(cases, "file_case", first_filing_is_slow)
        db = sql(store(teams))
        started = time.monotonic()
        replies = await teams.click(
            action(card, "Skicka"), person=CASEWORKER, conversation="personal-1", conversation_type="personal"
        )
        answered = time.monotonic() - started
        text = replies.all_text()
        assert answered < 2.5  # the budget (1 s here, 10 s by default), well inside Teams' 15 s
        assert "Rapporten är inte registrerad – försök igen" in text and "AVV-" not in text
        assert any("Skicka" in card_strings(c) for c in replies.cards)  # the review card again
        assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 1  # what was filled in is kept
        # the slow store completes late, in the background: filed once, posted once
        await eventually(lambda: db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1, 15)
        await eventually(lambda: len(channel_sends(connector)) == 1, 15)
        # the person presses "Skicka" again, as told: the same case, not a second one
        again = await teams.click(
            action(card, "Skicka"), person=CASEWORKER, conversation="personal-1", conversation_type="personal"
        )
        assert "AVV-2026-0001" in again.all_text()
        await asyncio.sleep(1.0)
        assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM audit WHERE event = 'case_filed'").fetchone()[0] == 1
        assert len(channel_sends(connector)) == 1  # posted once
    finally:
        await teams.http.close()


async def test_a_retry_while_the_slow_filing_still_runs_files_once(connector, tmp_path, monkeypatch):
    from bot.app_factory import SERVICES
    from tests.conftest import FIXTURE_KB, make_settings, start_bot

    teams = await start_bot(connector, make_settings(tmp_path, knowledge_dir=FIXTURE_KB, filing_budget_seconds=1.0))
    try:
        card = await review_deviation(teams)
        file_case = cases.file_case

        async def slow_file_case(*args, **kwargs):
            await asyncio.sleep(1.5)
            return await file_case(*args, **kwargs)

        monkeypatch.setattr(cases, "file_case", slow_file_case)
        where = {"person": CASEWORKER, "conversation": "personal-1", "conversation_type": "personal"}
        first = await teams.click(action(card, "Skicka"), **where)
        second = await teams.click(action(card, "Skicka"), **where)  # at once: the first still waits
        assert "inte registrerad – försök igen" in first.all_text()
        monkeypatch.setattr(cases, "file_case", file_case)
        db = sql(store(teams))
        for _ in range(100):
            if db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] and not teams.app[SERVICES].pending:
                break
            await asyncio.sleep(0.1)
        third = await teams.click(action(card, "Skicka"), **where)
        assert "AVV-2026-0001" in third.all_text() or "AVV-2026-0001" in second.all_text()
        assert [tuple(r) for r in db.execute("SELECT reference FROM cases")] == [("AVV-2026-0001",)]
    finally:
        await teams.http.close()
