"""The outbox is written in the same transaction as the state change that causes it (issue 12):
a filed case and its channel post, a status change and the reporter's notification, a digest
slot and its posts — both or neither are stored, so a crash between the commit and the queueing
cannot lose a message, and a failing first delivery attempt leaves the message queued."""

from __future__ import annotations

from bot.app_factory import SERVICES
from lotsen.storage.portable.repositories import SqlOutbox
from tests.faults.test_delivery import channel_sends, connect, eventually, store
from tests.support.db import sql
from tests.support.reports import file_deviation
from tests.support.teams import CASEWORKER, COORDINATOR, action


class Boom(Exception):
    pass


async def test_a_case_whose_channel_post_cannot_be_queued_is_not_filed(teams_small, monkeypatch):
    await connect(teams_small)

    async def refuse(self, *args, **kwargs):
        raise Boom("outbox table locked")

    monkeypatch.setattr(SqlOutbox, "enqueue", refuse)
    receipt = await file_deviation(teams_small)
    text = receipt.all_text()
    assert "Rapporten är inte registrerad – försök igen" in text and "finns kvar" in text
    db = sql(store(teams_small))
    assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0  # neither the case ...
    assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0  # ... nor its post
    assert db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 1  # the draft is kept
    assert channel_sends(teams_small.connector) == []
    monkeypatch.undo()  # storage is back: "Skicka" again files it once and posts it once
    again = await teams_small.click(
        action(receipt.cards[-1], "Skicka"), person=CASEWORKER, conversation="personal-1", conversation_type="personal"
    )
    assert "AVV-2026-0001" in again.all_text()
    await eventually(lambda: len(channel_sends(teams_small.connector)) == 1)
    assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'case_post'").fetchone()[0] == 1


async def test_a_filing_that_fails_after_queueing_leaves_no_channel_post(teams_small, monkeypatch):
    await connect(teams_small)

    from dialogs import casework

    queue = casework.queue_case_post

    async def queued_then_fails(ctx, tx, case):
        message_id = await queue(ctx, tx, case)
        assert message_id is not None  # the post was written ... and then the filing fails
        raise Boom("disk full at commit")

    monkeypatch.setattr(casework, "queue_case_post", queued_then_fails)
    receipt = await file_deviation(teams_small)
    assert "inte registrerad – försök igen" in receipt.all_text()
    db = sql(store(teams_small))
    assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0


async def test_the_channel_post_is_queued_even_if_the_first_send_raises(teams_small, monkeypatch):
    await connect(teams_small)
    messenger = teams_small.app[SERVICES].messenger
    real_send = messenger.send
    calls = {"n": 0}

    async def crashes_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("connection reset in the middle of the first attempt")
        return await real_send(*args, **kwargs)

    monkeypatch.setattr(messenger, "send", crashes_once)
    receipt = await file_deviation(teams_small)
    assert "AVV-2026-0001" in receipt.all_text()
    row = sql(store(teams_small)).execute("SELECT status, kind FROM outbox WHERE kind = 'case_post'").fetchone()
    assert row is not None  # committed with the case
    db = sql(store(teams_small))

    def delivered() -> bool:  # the row is marked after the connector answered: wait for both
        return db.execute("SELECT status FROM outbox WHERE kind = 'case_post'").fetchone()[0] == "delivered"

    await eventually(lambda: len(channel_sends(teams_small.connector)) == 1 and delivered())  # by the worker
    assert len(channel_sends(teams_small.connector)) == 1
    assert db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1


async def test_a_status_change_whose_note_cannot_be_queued_is_not_saved(teams_small, monkeypatch):
    from tests.http.test_deviation_followup import in_thread, status_inputs

    await connect(teams_small)
    await file_deviation(teams_small)
    post = channel_sends(teams_small.connector)[0]

    async def refuse(self, *args, **kwargs):
        raise Boom("outbox table locked")

    monkeypatch.setattr(SqlOutbox, "enqueue", refuse)
    await teams_small.invoke(
        "case.status", status_inputs("avslutad", "Klart."), person=COORDINATOR, **in_thread(post.new_id)
    )
    db = sql(store(teams_small))
    assert db.execute("SELECT status FROM cases").fetchone()[0] != "avslutad"  # neither the change ...
    assert db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'reporter_note'").fetchone()[0] == 0  # ... nor the note
