"""The outbox repository's contract (lotsen/storage/base.py `Outbox`), on SQLite and PostgreSQL.

What delivery (lotsen.outbox) relies on: a message queued in a transaction that rolls back does
not exist; a due message is handed to one claimer only, also across instances (PostgreSQL:
`FOR UPDATE SKIP LOCKED`, so a claimer never waits for rows another instance holds); a failed
attempt is due again at the time it was given; bounded attempts end in a dead letter that a
coordinator can put back in the queue; a delivered message is never handed out again."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from lotsen.outbox import LEASE, MAX_ATTEMPTS, Outbox
from lotsen.storage import connect
from lotsen.turn import DeliveryError

REF = {"conversation": {"id": "19:kanal@thread.tacv2"}, "serviceUrl": "http://127.0.0.1:1/"}


class Boom(Exception):
    pass


async def queue(store, n: int, kind: str = "case_post") -> list[int]:
    return [
        await store.outbox.enqueue(kind, REF, text=f"meddelande {i}", meta={"reference": f"AVV-2026-{i:04d}"})
        for i in range(1, n + 1)
    ]


# --- writing -------------------------------------------------------------------------------------


async def test_a_message_round_trips(store, clock):
    (message_id,) = [
        await store.outbox.enqueue(
            "case_post",
            REF,
            card={"type": "AdaptiveCard", "body": []},
            meta={"reference": "AVV-2026-0001", "label": "Avvikelser"},
        )
    ]
    row = await store.outbox.get(message_id)
    assert (row["kind"], row["status"], row["attempts"]) == ("case_post", "pending", 0)
    assert row["conversation_ref"] == REF and row["card"] == {"type": "AdaptiveCard", "body": []}
    assert row["meta"] == {"reference": "AVV-2026-0001", "label": "Avvikelser"} and row["text"] is None
    assert await store.outbox.counts() == {"pending": 1}


async def test_a_message_queued_in_a_transaction_that_rolls_back_does_not_exist(store):
    queued: list[int] = []
    with pytest.raises(Boom):
        async with store.transaction() as tx:
            queued.append(await tx.outbox.enqueue("case_post", REF, text="med ärendet"))
            await tx.audit.record("case_filed", "aad-1", "AVV-2026-0001")
            raise Boom  # e.g. filing the case failed after the post was queued
    assert queued and await store.outbox.get(queued[0]) is None
    assert await store.outbox.counts() == {} and await store.outbox.claim_due(LEASE) == []
    assert await store.audit.entries("case_filed") == []  # nothing of the unit of work stayed


async def test_a_message_queued_in_a_transaction_is_due_after_the_commit(store):
    async with store.transaction() as tx:
        message_id = await tx.outbox.enqueue("reporter_note", REF, text="Ditt ärende har fått status")
    assert [m["id"] for m in await store.outbox.claim_due(LEASE)] == [message_id]


# --- claiming ------------------------------------------------------------------------------------


async def test_a_claimed_message_is_leased_until_the_lease_ends(store, clock):
    ids = await queue(store, 3)
    assert [m["id"] for m in await store.outbox.claim_due(LEASE, limit=2)] == ids[:2]  # oldest first
    assert [m["id"] for m in await store.outbox.claim_due(LEASE)] == ids[2:]
    assert await store.outbox.claim_due(LEASE) == [] and await store.outbox.claim(ids[0], LEASE) is None
    clock.moment += LEASE + timedelta(seconds=1)  # the claimer died mid-send: due again
    assert [m["id"] for m in await store.outbox.claim_due(LEASE)] == ids


async def test_claiming_one_message_is_exclusive(store):
    (message_id,) = await queue(store, 1)
    claimed = await asyncio.gather(*(store.outbox.claim(message_id, LEASE) for _ in range(5)))
    assert sum(1 for m in claimed if m is not None) == 1


async def test_two_instances_claiming_at_once_never_get_the_same_message(database, clock):
    one, two = await connect(database, clock=clock), await connect(database, clock=clock)
    try:
        ids = await queue(one, 40)

        async def drain(store) -> list[int]:
            got: list[int] = []
            while batch := await store.outbox.claim_due(LEASE, limit=3):
                got += [m["id"] for m in batch]
                await asyncio.sleep(0)
            return got

        by_one, by_two = await asyncio.gather(drain(one), drain(two))
        assert not set(by_one) & set(by_two)  # never both
        assert sorted(by_one + by_two) == ids  # and none left behind
        singles = await asyncio.gather(*(s.outbox.claim(i, LEASE) for i in ids[:5] for s in (one, two)))
        assert singles == [None] * 10  # all leased
    finally:
        await one.close()
        await two.close()


async def test_a_claimer_skips_rows_another_instance_holds_without_waiting(database, clock):
    if not database.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: claims are serialised by the database lock")
    one, two = await connect(database, clock=clock), await connect(database, clock=clock)
    try:
        ids = await queue(one, 4)
        async with one.transaction() as tx:  # instance one is mid-claim, its row locks held
            held = [m["id"] for m in await tx.outbox.claim_due(LEASE, limit=2)]
            other = await asyncio.wait_for(two.outbox.claim_due(LEASE), 5)  # SKIP LOCKED: no waiting
            assert held == ids[:2] and [m["id"] for m in other] == ids[2:]
        assert await two.outbox.claim_due(LEASE) == []
    finally:
        await one.close()
        await two.close()


# --- failing, dead letters, retrying -------------------------------------------------------------


async def test_a_failed_attempt_is_due_again_at_its_time(store, clock):
    (message_id,) = await queue(store, 1)
    await store.outbox.claim(message_id, LEASE)
    assert await store.outbox.retry_at(message_id, timedelta(seconds=30), 502, "HTTP 502") == 1
    row = await store.outbox.get(message_id)
    assert (row["status"], row["attempts"], row["last_status"], row["last_error"]) == ("pending", 1, 502, "HTTP 502")
    clock.moment += timedelta(seconds=29)
    assert await store.outbox.claim_due(LEASE) == []  # not before its time
    clock.moment += timedelta(seconds=1)
    assert [m["attempts"] for m in await store.outbox.claim_due(LEASE)] == [1]
    assert await store.outbox.retry_at(message_id, timedelta(seconds=5), 429, "HTTP 429") == 2


async def test_a_message_given_up_is_listed_and_not_handed_out(store, clock):
    dead, gone, ok = await queue(store, 3)
    await store.outbox.give_up(dead, "dead", 400, "HTTP 400")
    await store.outbox.give_up(gone, "inactive", 403, "HTTP 403")
    assert [(m["id"], m["status"], m["last_status"]) for m in await store.outbox.failed()] == [
        (dead, "dead", 400),
        (gone, "inactive", 403),
    ]
    clock.moment += timedelta(days=1)
    assert [m["id"] for m in await store.outbox.claim_due(LEASE)] == [ok]
    assert await store.outbox.counts() == {"dead": 1, "inactive": 1, "pending": 1}


async def test_a_coordinators_retry_puts_dead_letters_back_but_not_delivered_messages(store, clock):
    dead, delivered = await queue(store, 2)
    await store.outbox.give_up(dead, "dead", 502, "HTTP 502")
    await store.outbox.claim(delivered, LEASE)
    await store.outbox.delivered(delivered, "act-1")
    assert await store.outbox.requeue_failed() == 1
    row = await store.outbox.get(dead)
    assert (row["status"], row["attempts"]) == ("pending", 0)  # a fresh set of attempts
    assert [m["id"] for m in await store.outbox.claim_due(LEASE)] == [dead]
    assert await store.outbox.requeue_failed() == 0


async def test_a_delivered_message_is_never_handed_out_again(store, clock):
    (message_id,) = await queue(store, 1)
    assert await store.outbox.claim(message_id, LEASE) is not None
    await store.outbox.delivered(message_id, "act-7")
    row = await store.outbox.get(message_id)
    assert (row["status"], row["activity_id"], row["attempts"]) == ("delivered", "act-7", 1)
    assert row["delivered_at"]
    clock.moment += timedelta(days=30)
    assert await store.outbox.claim_due(LEASE) == [] and await store.outbox.claim(message_id, LEASE) is None
    assert await store.outbox.failed() == [] and await store.outbox.counts() == {"delivered": 1}


# --- the delivery policy on each backend (lotsen.outbox.Outbox over the repository) -------------


class Connector:
    """A messenger that fails with the given errors first, then delivers."""

    def __init__(self, *errors: DeliveryError):
        self.errors = list(errors)
        self.sent: list[str] = []

    async def send(self, ref, card=None, text=None):
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(text)
        return f"act-{len(self.sent)}"


async def test_retries_are_scheduled_bounded_and_dead_lettered_then_retried(store, clock):
    connector = Connector(*[DeliveryError(502) for _ in range(MAX_ATTEMPTS)])
    outbox = Outbox(store, connector, rng=random.Random(5))
    alerts: list[str] = []
    outbox.alert = lambda message, verdict: alerts.append(verdict)
    message_id = await outbox.add("case_post", REF, text="AVV-2026-0001")
    assert await outbox.send_now(message_id) is None
    for attempt in range(1, MAX_ATTEMPTS):
        row = await store.outbox.get(message_id)
        assert (row["status"], row["attempts"]) == ("pending", attempt)
        clock.moment += timedelta(seconds=301)  # past any backoff (at most MAX_DELAY)
        await outbox.deliver_due()
    row = await store.outbox.get(message_id)
    assert (row["status"], row["attempts"], row["last_status"]) == ("dead", MAX_ATTEMPTS, 502)
    assert alerts == ["dead"] and connector.sent == []
    assert [e.target for e in await store.audit.entries("delivery_dead")] == [f"outbox:{message_id}:case_post"]
    assert await outbox.retry_failed() == 1 and await outbox.deliver_due() == 1
    assert connector.sent == ["AVV-2026-0001"]
    clock.moment += timedelta(days=1)
    assert await outbox.deliver_due() == 0 and connector.sent == ["AVV-2026-0001"]  # not re-sent


async def test_429_waits_for_retry_after_and_403_is_not_retried(store, clock):
    connector = Connector(DeliveryError(429, 7.0), DeliveryError(403))
    outbox = Outbox(store, connector)
    first = await outbox.add("case_post", REF, text="a")
    assert await outbox.send_now(first) is None
    clock.moment += timedelta(seconds=6)
    assert await outbox.deliver_due() == 0 and (await store.outbox.get(first))["attempts"] == 1  # not yet
    clock.moment += timedelta(seconds=1)
    assert await outbox.deliver_due() == 0  # the 403
    row = await store.outbox.get(first)
    assert (row["status"], row["attempts"], row["last_status"]) == ("inactive", 2, 403)
    clock.moment += timedelta(days=1)
    assert await outbox.deliver_due() == 0 and connector.sent == []


async def test_two_instances_delivering_the_same_queue_send_each_message_once(database, clock):
    one, two = await connect(database, clock=clock), await connect(database, clock=clock)
    try:
        ids = await queue(one, 30)
        a, b = Connector(), Connector()
        delivered = await asyncio.gather(
            Outbox(one, a).deliver_due(),
            Outbox(two, b).deliver_due(),
            Outbox(one, a).deliver_due(),
            Outbox(two, b).deliver_due(),
        )
        while sum(delivered) < len(ids) and (more := await Outbox(two, b).deliver_due()):
            delivered.append(more)
        sent = a.sent + b.sent
        assert sorted(sent) == sorted(f"meddelande {i}" for i in range(1, 31))  # each once
        assert len(sent) == len(set(sent)) == sum(delivered)
        assert await one.outbox.counts() == {"delivered": 30}
    finally:
        await one.close()
        await two.close()


# --- conversations Teams refused (403/404) -------------------------------------------------------


async def test_a_refused_conversation_is_marked_and_its_channel_link_shows_it(store, clock):
    channel = {"conversation": {"id": "19:kanal@thread.tacv2;messageid=5"}, "_label": "kanalen för avvikelser"}
    await store.channels.link("avvikelse", "vetlanda", channel, "coord")
    assert (await store.channels.get("avvikelse", "vetlanda")).active
    assert await store.conversations.mark_inactive("19:kanal@thread.tacv2", 403, "case_post") is True
    assert await store.conversations.mark_inactive("19:kanal@thread.tacv2", 404, "digest") is False  # already
    gone = await store.conversations.inactive("19:kanal@thread.tacv2")
    assert (gone["last_status"], gone["kind"], gone["since"]) == (403, "case_post", "2026-11-23T08:00:00+00:00")
    link = await store.channels.get("avvikelse", "vetlanda")  # a thread of the channel counts as the channel
    assert link.active is False and link.inactive_since == "2026-11-23T08:00:00+00:00"
    assert [x.active for x in await store.channels.all()] == [False]
    assert [g["conversation_id"] for g in await store.conversations.all_inactive()] == ["19:kanal@thread.tacv2"]


async def test_connecting_the_channel_again_reactivates_it_and_requeues_what_was_held(store, clock):
    ids = await queue(store, 2)  # both for REF's conversation
    other = await store.outbox.enqueue("reporter_note", {"conversation": {"id": "a:personal"}}, text="x")
    for message_id in ids:
        await store.outbox.give_up(message_id, "inactive", 403, "HTTP 403")
    await store.outbox.give_up(other, "inactive", 404, "HTTP 404")
    await store.conversations.mark_inactive("19:kanal@thread.tacv2", 403, "case_post")
    await store.conversations.mark_inactive("a:personal", 404, "reporter_note")
    await store.channels.link("avvikelse", "*", REF, "coord")  # "koppla kanal" again in that channel
    assert await store.conversations.inactive("19:kanal@thread.tacv2") is None
    assert (await store.channels.get("avvikelse", "*")).active
    assert [(m["id"], m["attempts"]) for m in await store.outbox.claim_due(LEASE)] == [(ids[0], 0), (ids[1], 0)]
    assert [m["id"] for m in await store.outbox.failed()] == [other]  # another conversation: still held
    assert await store.conversations.reactivate("a:personal") == 1
    assert await store.outbox.failed() == [] and await store.conversations.all_inactive() == []


async def test_a_coordinators_retry_tries_refused_conversations_again(store, clock):
    (message_id,) = await queue(store, 1)
    await store.outbox.give_up(message_id, "inactive", 403, "HTTP 403")
    await store.conversations.mark_inactive("19:kanal@thread.tacv2", 403, "case_post")
    assert await store.outbox.requeue_failed() == 1
    assert await store.conversations.inactive("19:kanal@thread.tacv2") is None
    assert [m["id"] for m in await store.outbox.claim_due(LEASE)] == [message_id]


async def test_a_message_for_a_refused_conversation_is_held_without_an_attempt(store, clock):
    connector = Connector()
    outbox = Outbox(store, connector)
    alerts: list[str] = []
    outbox.alert = lambda message, verdict: alerts.append(verdict)
    await store.conversations.mark_inactive("19:kanal@thread.tacv2", 403, "case_post")
    message_id = await outbox.add("case_post", REF, text="AVV-2026-0002")
    assert await outbox.send_now(message_id) is None and connector.sent == []
    row = await store.outbox.get(message_id)
    assert (row["status"], row["last_status"], row["last_error"]) == ("inactive", 403, "conversation inactive")
    assert alerts == ["held"] and [e.event for e in await store.audit.entries("delivery_held")] == ["delivery_held"]
    assert await store.conversations.reactivate("19:kanal@thread.tacv2") == 1
    assert await outbox.deliver_due() == 1 and connector.sent == ["AVV-2026-0002"]
