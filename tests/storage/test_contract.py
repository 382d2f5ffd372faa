"""One contract for the repositories (lotsen/storage/base.py), run on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from lotsen import cases
from lotsen.storage import CaseFilter, DraftConflict, connect
from tests.support.kinds import PREFIX

TTL = timedelta(hours=72)


async def file(store, form_id: str, kind: str = "avvikelse", **extra):
    return await cases.file_case(
        store,
        kind=kind,
        prefix=PREFIX[kind],
        form_id=form_id,
        municipality=extra.pop("municipality", "vetlanda"),
        reporter_aad=extra.pop("reporter_aad", "aad-1"),
        reporter_name="Anna",
        reporter_ref=None,
        wants_feedback=False,
        data={"values": {"x": "å"}},
        **extra,
    )


# --- drafts ---------------------------------------------------------------------------------------


async def test_a_draft_round_trips_with_a_version(store):
    assert await store.drafts.get("k") is None
    v1 = await store.drafts.save("k", "avvikelse", {"step": 0, "text": "Åsa"}, TTL)
    found = await store.drafts.get("k")
    assert (found.flow, found.data, found.version) == ("avvikelse", {"step": 0, "text": "Åsa"}, v1)
    v2 = await store.drafts.save("k", "avvikelse", {"step": 1}, TTL, expected_version=v1)
    assert v2 > v1 and (await store.drafts.get("k")).data == {"step": 1}


async def test_a_stale_draft_save_is_refused(store):
    v1 = await store.drafts.save("k", "avvikelse", {"step": 0}, TTL)
    await store.drafts.save("k", "avvikelse", {"step": 1}, TTL, expected_version=v1)  # the other submit won
    with pytest.raises(DraftConflict):
        await store.drafts.save("k", "avvikelse", {"step": 9}, TTL, expected_version=v1)
    assert (await store.drafts.get("k")).data == {"step": 1}


async def test_a_new_draft_replaces_the_old_and_delete_removes_it(store):
    await store.drafts.save("k", "avvikelse", {"step": 3}, TTL)
    await store.drafts.save("k", "sip", {"step": 0}, TTL)
    assert (await store.drafts.get("k")).flow == "sip"
    assert await store.drafts.delete("k") is True
    assert await store.drafts.delete("k") is False and await store.drafts.get("k") is None


async def test_expired_drafts_are_invisible_and_purged(store, clock):
    await store.drafts.save("old", "avvikelse", {}, timedelta(hours=1))
    await store.drafts.save("new", "avvikelse", {}, timedelta(hours=5))
    clock.moment += timedelta(hours=2)
    assert await store.drafts.get("old") is None and await store.drafts.get("new") is not None
    assert await store.drafts.purge_expired() == 1
    assert (await store.table_counts())["drafts"] == 1


# --- cases ----------------------------------------------------------------------------------------


async def test_filing_is_once_per_form_with_sequential_references(store):
    await store.drafts.save("person|1", "avvikelse", {}, TTL)
    first, created = await file(store, "f1", draft_key="person|1", routed_to={"purpose": "avvikelse"})
    assert created and first.reference == "AVV-2026-0001" and first.status == "mottagen"
    assert first.routed_to == {"purpose": "avvikelse"} and first.data == {"values": {"x": "å"}}
    again, created = await file(store, "f1")
    assert not created and again.reference == "AVV-2026-0001"
    assert (await file(store, "f2"))[0].reference == "AVV-2026-0002"
    assert (await file(store, "s1", kind="sip"))[0].reference == "SIP-2026-0001"  # per kind
    assert await store.drafts.get("person|1") is None  # removed with the filing
    counts = await store.table_counts()
    assert (counts["cases"], counts["case_events"]) == (3, 3)
    assert [e.target for e in await store.audit.entries("case_filed")] == [
        "AVV-2026-0001",
        "AVV-2026-0002",
        "SIP-2026-0001",
    ]


async def test_references_restart_each_year(store, clock):
    await file(store, "a")
    clock.moment = clock.moment.replace(year=2027, month=1, day=1, hour=0)  # 01:00 in Sweden
    assert (await file(store, "b"))[0].reference == "AVV-2027-0001"


async def test_a_failed_transaction_leaves_nothing_and_uses_no_number(store):
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await file(tx, "f1")
            await tx.audit.record("more", "x")
            raise RuntimeError("routing failed")
    counts = await store.table_counts()
    assert (counts["cases"], counts["audit"], counts["case_events"]) == (0, 0, 0)
    assert (await file(store, "f1"))[0].reference == "AVV-2026-0001"


async def test_calls_on_the_store_join_the_open_transaction(store):
    async with store.transaction() as tx:
        await file(tx, "f1")
        assert (await store.cases.by_form("f1")) is not None  # same transaction: sees its own write
        await store.audit.record("inside", "x")
    assert [e.event for e in await store.audit.entries()] == ["case_filed", "inside"]


async def test_lookups_status_changes_and_history(store, clock):
    case, _ = await file(store, "f1")
    assert (await store.cases.get("AVV-2026-0001")).form_id == "f1"
    assert (await store.cases.by_form("f1")).reference == case.reference
    assert await store.cases.get("AVV-2026-9999") is None
    clock.moment += timedelta(hours=1)
    changed = await cases.change_status(store, case, "avslutad", "coord", "klart", {"datum": "2026-12-01"})
    assert changed.status == "avslutad" and changed.data["handling"] == {"datum": "2026-12-01"}
    assert changed.updated_at > changed.created_at
    history = await cases.events(store, changed)
    assert [(e.status, e.actor_aad, e.comment) for e in history] == [
        ("mottagen", "aad-1", ""),
        ("avslutad", "coord", "klart"),
    ]
    await cases.set_routing(store, changed, {"channel": "kanalen"}, {"conversation": {"id": "19:x"}}, "act-1")
    stored = await store.cases.get(case.reference)
    assert (stored.routed_to, stored.channel_ref, stored.channel_activity_id) == (
        {"channel": "kanalen"},
        {"conversation": {"id": "19:x"}},
        "act-1",
    )


async def test_listing_and_counting_filters(store, clock):
    await file(store, "a", municipality="vetlanda")
    clock.moment += timedelta(days=1)
    b, _ = await file(store, "b", municipality="aneby", reporter_aad="aad-2")
    await file(store, "s", kind="sip", municipality="aneby")
    await cases.change_status(store, b, "avslutad", "coord")
    everything = CaseFilter(kinds=("avvikelse",))
    assert [c.form_id for c in await store.cases.list(everything)] == ["b", "a"]  # most recent first
    assert [c.form_id for c in await store.cases.list(everything, limit=1)] == ["b"]
    assert await store.cases.count(everything) == 2
    assert await store.cases.count(CaseFilter(kinds=("avvikelse", "sip"), municipality="aneby")) == 2
    assert await store.cases.count(CaseFilter(kinds=("avvikelse",), status="avslutad")) == 1
    assert await store.cases.count(CaseFilter(kinds=("avvikelse",), statuses=("mottagen", "avslutad"))) == 2
    day = "2026-11-24T00:00:00+00:00"
    assert [c.form_id for c in await store.cases.list(CaseFilter(kinds=("avvikelse",), created_from=day))] == ["b"]
    assert [c.form_id for c in await store.cases.list(CaseFilter(kinds=("avvikelse",), created_before=day))] == ["a"]
    assert (await store.cases.latest_by_reporter("aad-1", ("sip", "arena"))).form_id == "s"
    assert await store.cases.latest_by_reporter("aad-3", ("sip",)) is None


# --- channels, conversations, questions, audit, jobs -------------------------------------------


async def test_channel_links(store):
    ref = {"conversation": {"id": "19:kanal"}, "_label": "kanalen"}
    await store.channels.link("avvikelse", "vetlanda", ref, "coord")
    await store.channels.link("avvikelse", "vetlanda", {**ref, "_label": "nya"}, "coord2")  # re-link replaces
    link = await store.channels.get("avvikelse", "vetlanda")
    assert (link.label, link.linked_by) == ("nya", "coord2")
    await store.channels.link("arena", "*", ref, "coord")
    assert [(link.kind, link.target) for link in await store.channels.all()] == [
        ("arena", "*"),
        ("avvikelse", "vetlanda"),
    ]
    assert [link.kind for link in await store.channels.all("arena")] == ["arena"]
    assert await store.channels.unlink("arena", "*", "coord") is True
    assert await store.channels.unlink("arena", "*", "coord") is False
    outcomes = [(e.event, e.outcome) for e in await store.audit.entries() if e.event.startswith("channel")]
    assert outcomes == [("channel_linked", "ok")] * 3 + [("channel_unlinked", "ok"), ("channel_unlinked", "none")]


async def test_conversation_references(store):
    assert await store.conversations.get("personal|a") is None
    await store.conversations.save("personal|a", {"conversation": {"id": "1"}})
    await store.conversations.save("personal|a", {"conversation": {"id": "2"}})
    assert await store.conversations.get("personal|a") == {"conversation": {"id": "2"}}


async def test_the_question_log(store, clock):
    q = store.questions
    await q.record_answered("sip-vem-kallar")
    await q.record_unanswered("Var parkerar jag?", "var parkerar jag", "none")
    await q.record_unanswered("sip", "sip", "suggest", ["a", "b"], "r1")
    await q.record_unanswered("arena", "arena", "suggest", ["c"], "r2")
    assert await q.resolve_suggestion("r1") is True and await q.resolve_suggestion("r1") is False
    assert await q.resolve_suggestion("r2", kind="suggest_rejected") is True
    assert await q.question_for_suggestion("r2") == "arena" and await q.question_for_suggestion("x") == ""
    await q.record_feedback("sip-vem-kallar", "down", "Vem kallar?", "vem kallar")
    await q.record_feedback("sip-vem-kallar", "up", None, None)
    start, end = "2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00"
    rows = await q.unanswered_rows(start, end)
    assert sorted((r["question"], r["kind"]) for r in rows) == [
        ("Var parkerar jag?", "none"),
        ("arena", "suggest_rejected"),
    ]
    assert [r["entry_id"] for r in await q.feedback_rows(start, end, "down")] == ["sip-vem-kallar"]
    assert await q.counts(start, end) == {"answered": 1, "unanswered": 2, "feedback_up": 1, "feedback_down": 1}
    assert await q.counts("2027-01-01T00:00:00+00:00", "2027-02-01T00:00:00+00:00") == {
        "answered": 0,
        "unanswered": 0,
        "feedback_up": 0,
        "feedback_down": 0,
    }


async def test_a_job_slot_is_claimed_once(store):
    assert await store.jobs.claim("digest", "2026-11-23T08:00") is True
    assert await store.jobs.claim("digest", "2026-11-23T08:00") is False
    assert await store.jobs.claim("purge", "2026-11-23T08:00") is True


# --- several instances on one database -----------------------------------------------------------


async def test_two_instances_filing_the_same_form_at_once_file_one_case(database, clock):
    one, two = await connect(database, clock=clock), await connect(database, clock=clock)
    try:
        for n in range(10):
            results = await asyncio.gather(file(one, f"form-{n}"), file(two, f"form-{n}"))
            assert sorted(created for _, created in results) == [False, True]
            assert results[0][0].reference == results[1][0].reference
        assert (await one.table_counts())["cases"] == 10
    finally:
        await one.close()
        await two.close()


async def test_concurrent_filings_on_several_instances_get_distinct_sequential_references(database, clock):
    stores = [await connect(database, clock=clock) for _ in range(3)]
    try:
        filed = await asyncio.gather(*(file(stores[n % 3], f"form-{n}") for n in range(30)))
        references = sorted(case.reference for case, _ in filed)
        assert references == [f"AVV-2026-{n:04d}" for n in range(1, 31)]
    finally:
        for s in stores:
            await s.close()


async def test_a_stale_draft_from_another_instance_is_refused(database, clock):
    one, two = await connect(database, clock=clock), await connect(database, clock=clock)
    try:
        v = await one.drafts.save("k", "avvikelse", {"step": 0}, TTL)
        seen_by_two = await two.drafts.get("k")
        await one.drafts.save("k", "avvikelse", {"step": 1}, TTL, expected_version=v)
        with pytest.raises(DraftConflict):
            await two.drafts.save("k", "avvikelse", {"step": 5}, TTL, expected_version=seen_by_two.version)
    finally:
        await one.close()
        await two.close()


async def test_a_job_is_claimed_by_one_instance(database, clock):
    stores = [await connect(database, clock=clock) for _ in range(4)]
    try:
        won = await asyncio.gather(*(s.jobs.claim("digest", "2026-11-23T08:00") for s in stores))
        assert sorted(won) == [False, False, False, True]
    finally:
        for s in stores:
            await s.close()


async def test_the_schema_version_is_the_number_of_migrations(store):
    assert await store.schema_version() == store.latest_version == store.opened_version >= 2
    await store.ping()


async def test_a_person_s_remembered_kommun(store):
    assert await store.users.municipality("personal|a") is None
    await store.users.set_municipality("personal|a", "vetlanda")
    await store.users.set_municipality("personal|a", "aneby")
    assert await store.users.municipality("personal|a") == "aneby"
    await store.users.set_municipality("personal|a", None)
    assert await store.users.municipality("personal|a") is None


async def test_a_reason_is_added_to_a_vote(store):
    await store.questions.record_feedback("e1", "down", "fråga", "fraga", ref="v1")
    assert await store.questions.set_feedback_reason("v1", "fel-svar", "Svaret gällde en annan kommun") is True
    assert await store.questions.set_feedback_reason("nope", "fel-svar", None) is False


async def test_a_replayed_status_change_is_recorded_once(store):
    from lotsen.storage import AlreadyRecorded

    case, _ = await file(store, "f1")
    await cases.change_status(store, case, "avslutad", "coord", "klart", once_key="conv|act-1")
    with pytest.raises(AlreadyRecorded) as replay:
        await cases.change_status(store, case, "avslutad", "coord", "klart", once_key="conv|act-1")
    assert replay.value.case.status == "avslutad"
    assert len(await cases.events(store, case)) == 2
    assert await store.seen.mark("x") is True and await store.seen.mark("x") is False
    assert await store.seen.purge("2999-01-01T00:00:00+00:00") == 2
