"""Log rows (question log, navigator counts) are group-committed (SqlStore.log): each caller
still returns only once its row is committed, concurrent callers share transactions, one bad
row fails only its own caller, and inside a unit of work a log row is part of it. Both backends."""

from __future__ import annotations

import asyncio

import pytest

from lotsen.storage import connect

BAD_ROW = [("INSERT INTO answered (at, entry_id) VALUES (?, ?)", ("2026-11-23T08:00:00+00:00", None))]


async def count(store, sql: str) -> int:
    async with store.read() as c:
        return int(next(iter((await c.one(sql)).values())))


async def test_concurrent_log_rows_are_all_committed_in_fewer_transactions(store, monkeypatch):
    batches: list[int] = []
    write_batch = store._write_batch

    async def counting(statements):
        batches.append(len(statements))
        await write_batch(statements)

    monkeypatch.setattr(store, "_write_batch", counting)

    async def one(i: int) -> int:
        await store.questions.record_answered(f"entry-{i}")
        return await count(store, f"SELECT COUNT(*) FROM answered WHERE entry_id = 'entry-{i}'")

    seen = await asyncio.gather(
        *(one(i) for i in range(40)), store.navigator.record("situation", ["kommun", "sgi"], [])
    )
    assert seen[:40] == [1] * 40  # each call returned with its own row already committed
    assert await count(store, "SELECT COUNT(*) FROM answered") == 40
    assert await count(store, "SELECT COUNT(*) FROM navigator_counts") == 3
    assert sum(batches) == 43 and len(batches) < 41  # grouped, not one transaction per row


async def test_a_bad_row_fails_only_its_own_caller(store):
    results = await asyncio.gather(
        store.questions.record_answered("a"),
        store.log(BAD_ROW),
        store.questions.record_unanswered("Vad är SIP?", "vad ar sip", "none"),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], Exception)
    assert await count(store, "SELECT COUNT(*) FROM answered") == 1
    assert await count(store, "SELECT COUNT(*) FROM unanswered") == 1


async def test_inside_a_unit_of_work_a_log_row_is_part_of_it(store):
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.questions.record_answered("rolled-back")
            raise RuntimeError("the unit of work fails")
    async with store.transaction() as tx:
        await tx.questions.record_answered("kept")
    assert await count(store, "SELECT COUNT(*) FROM answered WHERE entry_id = 'kept'") == 1
    assert await count(store, "SELECT COUNT(*) FROM answered") == 1


async def test_log_rows_survive_a_reopen(database, clock):
    store = await connect(database, clock=clock)
    try:
        await asyncio.gather(*(store.questions.record_answered(f"e{i}") for i in range(10)))
    finally:
        await store.close()
    again = await connect(database, clock=clock)
    try:
        assert await count(again, "SELECT COUNT(*) FROM answered") == 10
    finally:
        await again.close()
