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
    filing = asyncio.ensure_future(teams_small.click(action(card, "Skicka"), person=CASEWORKER,
                                                     conversation="personal-1", conversation_type="personal"))
    await asyncio.sleep(0.3)
    answer = await teams_small.send("vem kallar till sip", person=OTHER, conversation="personal-2")
    assert not filing.done()  # the question was answered while the filing still waited on the store
    assert "sip" in answer.all_text().lower()
    receipt = await filing
    assert time.monotonic() - started < 15  # within Teams' budget for a turn
    assert "AVV-2026-0001" in receipt.all_text()
    assert sql(store(teams_small)).execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1
