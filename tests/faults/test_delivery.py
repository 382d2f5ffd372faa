"""Fault injection on delivery (fault matrix rows 52–54, issue 12 "Done when"): the fake Bot
Connector answers 429/502/403/404/timeouts on demand; every message the bot sends on its own
goes through the outbox (lotsen.outbox) and arrives exactly once, or is shown to coordinators."""

from __future__ import annotations

import asyncio
import sqlite3
import random
import time

import pytest

from bot.app_factory import SERVICES
from lotsen import outbox as outbox_module
from lotsen.outbox import MAX_ATTEMPTS, Outbox, backoff, classify
from lotsen.storage import Store
from lotsen.storage import connect as open_store
from lotsen.turn import DeliveryError
from tests.support.db import sql, write
from tests.support.reports import CHANNEL_ID, file_deviation, in_channel
from tests.support.teams import COORDINATOR, card_strings


def channel_sends(connector):
    return [c for c in connector.calls if c.method == "send" and c.conversation.startswith(CHANNEL_ID)]


async def eventually(predicate, timeout: float = 30.0) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError("not within %.0f s" % timeout)
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def store(teams) -> Store:
    return teams.app[SERVICES].store


async def connect(teams):
    assert "Klart!" in (await in_channel(teams, "koppla kanal avvikelser Vetlanda")).all_text()


# --- Done when: two 502s, or one 429 with Retry-After: 1 → exactly once within 30 s ---------------


@pytest.mark.parametrize("faults", [(502, 502), (("retry-after", 1),)], ids=["two-502", "429-retry-after-1"])
async def test_a_channel_post_meeting_faults_arrives_exactly_once(teams_small, faults):
    await connect(teams_small)
    teams_small.connector.fail_next(CHANNEL_ID, *faults)
    started = time.monotonic()
    receipt = await file_deviation(teams_small)
    await eventually(lambda: len(channel_sends(teams_small.connector)) >= 1)
    elapsed = time.monotonic() - started
    await asyncio.sleep(1.5)  # nothing more arrives later
    (post,) = channel_sends(teams_small.connector)
    assert "AVV-2026-0001" in card_strings(post.body["attachments"][0]["content"])
    assert "AVV-2026-0001" in receipt.all_text()  # the reporter has the receipt
    assert len(teams_small.connector.refused) == len(faults)
    assert elapsed < 30
    row = sql(store(teams_small)).execute("SELECT status, attempts FROM outbox WHERE kind = 'case_post'").fetchone()
    assert row["status"] == "delivered"


async def test_a_post_the_turn_could_not_deliver_is_delivered_by_the_worker(teams_small):
    await connect(teams_small)
    teams_small.connector.fail_next(CHANNEL_ID, 502, 502, 502, 502)  # more than the turn's own retries
    receipt = await file_deviation(teams_small)
    text = receipt.all_text()
    assert "AVV-2026-0001" in text and "så snart det går" in text and "registrerad" in text
    waited = await eventually(lambda: len(channel_sends(teams_small.connector)) >= 1)
    await asyncio.sleep(1.5)
    assert len(channel_sends(teams_small.connector)) == 1
    assert waited < 30
    case = sql(store(teams_small)).execute("SELECT channel_activity_id, routed_to FROM cases").fetchone()
    assert case["channel_activity_id"] == channel_sends(teams_small.connector)[0].new_id  # buttons work later


async def test_a_restart_mid_retry_still_delivers_once(connector, tmp_path, monkeypatch):
    from tests.conftest import FIXTURE_KB, make_settings, start_bot

    settings = make_settings(tmp_path, knowledge_dir=FIXTURE_KB)
    teams = await start_bot(connector, settings)
    await connect(teams)
    connector.fail_next(CHANNEL_ID, 502, 502, 502, 502, 502, 502)
    monkeypatch.setattr(outbox_module, "BASE_DELAY", 30.0)  # the first process will not get to retry
    await file_deviation(teams)
    await teams.http.close()  # the process stops with the post still in the outbox
    pending = sqlite3.connect(settings.database_path, isolation_level=None)
    pending.row_factory = sqlite3.Row
    (row,) = pending.execute("SELECT status, attempts FROM outbox WHERE kind = 'case_post'").fetchall()
    assert row["status"] == "pending" and row["attempts"] >= 1
    pending.execute("UPDATE outbox SET next_at = '2000-01-01T00:00:00+00:00'")  # due after the restart
    pending.close()
    connector.faults.clear()
    restarted = await start_bot(connector, settings)
    try:
        await eventually(lambda: len(channel_sends(connector)) >= 1)
        await asyncio.sleep(1.5)
        assert len(channel_sends(connector)) == 1
    finally:
        await restarted.http.close()


# --- rows 53/54: refused for good ---------------------------------------------------------------


async def test_bot_removed_from_the_channel_marks_it_inactive_and_coordinators_see_it(teams_small):
    await connect(teams_small)
    assert (
        "Klart!"
        in (
            await in_channel(teams_small, "koppla kanal sammanfattning", conversation="19:koordinatorer@thread.tacv2")
        ).all_text()
    )
    teams_small.connector.refuse.add(CHANNEL_ID)
    receipt = await file_deviation(teams_small)
    assert "har inte nått någon" in receipt.all_text()  # the reporter is told whom to notify
    row = sql(store(teams_small)).execute("SELECT status, attempts FROM outbox WHERE kind = 'case_post'").fetchone()
    assert (row["status"], row["attempts"]) == ("inactive", 1)  # 403: no retry
    await eventually(
        lambda: any(
            "kunde inte levereras" in (c.body.get("text") or "")
            for c in teams_small.connector.calls
            if c.conversation.startswith("19:koordinatorer")
        )
    )
    status = await teams_small.send("leveranser", person=COORDINATOR)
    shown = status.all_text()
    assert "1 meddelande kunde inte levereras." in shown and "AVV-2026-0001" in shown
    # the bot is added back; a coordinator retries
    teams_small.connector.refuse.clear()
    retried = await teams_small.send(value={"verb": "outbox.retry"}, person=COORDINATOR)
    assert "försöker leverera 1 meddelande igen" in retried.all_text()
    await eventually(lambda: len(channel_sends(teams_small.connector)) == 1)
    assert "Alla meddelanden har levererats." in (await teams_small.send("leveranser", person=COORDINATOR)).all_text()


async def test_the_reporters_note_survives_a_502(teams_small):
    from tests.http.test_deviation_followup import in_thread, personal_sends, status_inputs

    await connect(teams_small)
    await file_deviation(teams_small)
    post = channel_sends(teams_small.connector)[0]
    teams_small.connector.fail_next("personal-1", 502, 502, 502)
    mark = len(teams_small.connector.calls)
    await teams_small.invoke(
        "case.status", status_inputs("avslutad", "Klart."), person=COORDINATOR, **in_thread(post.new_id)
    )
    await eventually(lambda: len(personal_sends(teams_small.connector.calls[mark:])) == 1)
    await asyncio.sleep(1.5)
    (note,) = personal_sends(teams_small.connector.calls[mark:])
    assert "har fått status: **Avslutad**" in note.body["text"]


# --- the policy, unit by unit --------------------------------------------------------------------


def test_classification():
    rng = random.Random(1)
    assert classify(DeliveryError(429, 7.0), 0, rng) == ("retry", 7.0)
    for status in (408, 412, 500, 502, 503, 504, None):
        verdict, delay = classify(DeliveryError(status), 2, rng)
        assert verdict == "retry" and 0 <= delay <= 4.0
    assert classify(DeliveryError(403), 0, rng)[0] == "inactive"
    assert classify(DeliveryError(404), 0, rng)[0] == "inactive"
    assert classify(DeliveryError(400), 0, rng)[0] == "dead"
    assert classify(DeliveryError(413), 0, rng)[0] == "dead"
    assert classify(DeliveryError(502), MAX_ATTEMPTS - 1, rng)[0] == "dead"  # bounded


def test_full_jitter_spreads_the_retries():
    rng = random.Random(7)
    delays = [backoff(5, rng) for _ in range(1000)]
    assert 0 <= min(delays) < 2 and 30 < max(delays) <= 32  # uniform in [0, 2^5]
    assert max(backoff(30, rng) for _ in range(100)) <= outbox_module.MAX_DELAY


class Flaky:
    def __init__(self, *errors):
        self.errors = list(errors)
        self.sent = []

    async def send(self, ref, card=None, text=None):
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(text)
        return f"a{len(self.sent)}"


async def test_retries_are_bounded_and_then_dead_lettered(tmp_path):
    db = await open_store(tmp_path / "s.sqlite3")
    messenger = Flaky(*[DeliveryError(502) for _ in range(MAX_ATTEMPTS)])
    outbox = Outbox(db, messenger, rng=random.Random(3))
    alerts = []
    outbox.alert = lambda message, verdict: alerts.append(verdict)
    message_id = await outbox.add("reporter_note", {"conversation": {"id": "p"}}, text="hej")
    assert await outbox.send_now(message_id) is None
    for _ in range(MAX_ATTEMPTS):
        await write(db, "UPDATE outbox SET next_at = '2000-01-01T00:00:00+00:00' WHERE status = 'pending'")
        await outbox.deliver_due()
    row = await db.outbox.get(message_id)
    assert (row["status"], row["attempts"]) == ("dead", MAX_ATTEMPTS) and messenger.sent == []
    assert alerts == ["dead"]
    assert await outbox.retry_failed() == 1 and await outbox.deliver_due() == 1 and messenger.sent == ["hej"]
