"""What staff asked (grouping, periods), the digest's content, and its weekly schedule."""

from __future__ import annotations

import asyncio

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from lotsen import cases, channels, digest, insights
from lotsen.schedule import ScheduleError, WeeklySchedule
from lotsen.settings import Settings, SettingsError
from lotsen.storage import connect
from lotsen.text import normalise
from tests.support.db import sql
from tests.support.kinds import file_test_case, fixture_kinds

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)  # Monday 08:00 in Stockholm


class Clock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock():
    return Clock(NOW - timedelta(days=2))


@pytest.fixture
async def store(tmp_path, clock):
    s = await connect(tmp_path / "db.sqlite3", clock=clock)
    yield s
    await s.close()


async def ask(store, question, kind="none", offered=None, ref=None):
    await store.questions.record_unanswered(question, normalise(question), kind, offered, ref)


async def test_unanswered_groups_by_normalised_text_most_frequent_first(store, clock):
    await ask(store, "Hur bokar jag tolk?")
    await ask(store, "hur bokar jag TOLK")
    await ask(store, "Var parkerar jag?")
    await ask(store, "sip", "suggest", ["sip-vem-kallar", "sip-af-fk-delta"], "r1")  # nothing chosen
    await ask(store, "sip!", "suggest", ["sip-vem-kallar"], "r2")
    await store.questions.resolve_suggestion("r2")  # chosen: answered, not counted
    await ask(store, "arena?", "suggest", ["arena-kommuner"], "r3")
    await store.questions.resolve_suggestion("r3", kind="suggest_rejected")  # "Ingen av dessa"
    clock.moment = NOW - timedelta(days=40)
    await ask(store, "Hur bokar jag tolk?")  # outside the last 30 days
    groups = await insights.unanswered(store, insights.Period.last_days(NOW, 30))
    assert [(g.question, g.count) for g in groups][0] == ("hur bokar jag TOLK", 2)
    by_norm = {g.norm: g for g in groups}
    assert set(by_norm) == {"hur bokar jag tolk", "var parkerar jag", "sip", "arena"}
    assert by_norm["sip"].entries == ["sip-vem-kallar", "sip-af-fk-delta"] and by_norm["sip"].kinds == {"suggest": 1}
    assert by_norm["arena"].kinds == {"suggest_rejected": 1}
    assert (await insights.unanswered(store, insights.Period.last_days(NOW, 60)))[0].count == 3
    counts = await insights.counts(store, insights.Period.last_days(NOW, 30))
    assert counts.unanswered == 5


async def test_feedback_groups_by_question_and_entry(store):
    await store.questions.record_feedback(
        "sip-vem-kallar", "down", "Vem kallar till SIP?", normalise("Vem kallar till SIP?")
    )
    await store.questions.record_feedback(
        "sip-vem-kallar", "down", "vem kallar till sip", normalise("vem kallar till sip")
    )
    await store.questions.record_feedback("arena-kommuner", "down", "arena", "arena")
    await store.questions.record_feedback("arena-kommuner", "up", "arena", "arena")
    groups = await insights.feedback(store, insights.Period.last_days(NOW, 30))
    assert [(g.norm, g.count, g.entries) for g in groups] == [
        ("vem kallar till sip", 2, ["sip-vem-kallar"]),
        ("arena", 1, ["arena-kommuner"]),
    ]
    counts = await insights.counts(store, insights.Period.last_days(NOW, 30))
    assert (counts.feedback_up, counts.feedback_down) == (1, 3)


async def test_digest_counts_questions_feedback_and_new_cases_by_status(store, clock):
    await store.questions.record_answered("sip-vem-kallar")
    await store.questions.record_answered("arena-kommuner")
    await ask(store, "Hur bokar jag tolk?")
    await ask(store, "hur bokar jag tolk")
    await ask(store, "Var parkerar jag?")
    await store.questions.record_feedback("sip-vem-kallar", "down", "vem kallar till sip", "vem kallar till sip")
    for n in range(3):
        case, _ = await file_test_case(store, "avvikelse", f"f{n}", "vetlanda")
        if n == 0:
            await cases.change_status(store, case, "under-utredning", "koordinator")
    await file_test_case(store, "sip", "s1", "aneby")
    clock.moment = NOW - timedelta(days=9)
    await file_test_case(store, "arena", "old", "habo")  # before the week
    d = await digest.build_digest(store, NOW, kinds=fixture_kinds())
    assert (d.counts.answered, d.counts.unanswered, d.counts.feedback_down) == (2, 3, 1)
    assert [(g.question, g.count) for g in d.unanswered] == [("hur bokar jag tolk", 2), ("Var parkerar jag?", 1)]
    by_kind = {c.kind: c for c in d.cases}
    assert by_kind["avvikelse"].total == 3
    assert by_kind["avvikelse"].by_status == [("Mottagen", 2), ("Under utredning", 1)]
    assert by_kind["sip"].total == 1 and by_kind["arena"].total == 0
    text = "\n".join(digest.digest_lines(d, None, STOCKHOLM))
    assert "Veckosammanfattning 16–23 november 2026" in text
    assert "Besvarade frågor: 2" in text and "Inte besvarade: 3" in text
    assert "2 × hur bokar jag tolk" in text
    assert "Avvikelser i samverkan: 3 (Mottagen 2, Under utredning 1)" in text and "Arena-förfrågningar: 0" in text
    card = digest.digest_card(d, None, STOCKHOLM)
    assert card["type"] == "AdaptiveCard"


def test_weekly_schedule_parsing_and_next_run():
    schedule = WeeklySchedule.parse("mon 08:00", "Europe/Stockholm")
    assert schedule.next_after(datetime(2026, 11, 23, 6, 59, tzinfo=timezone.utc)) == datetime(
        2026, 11, 23, 8, 0, tzinfo=STOCKHOLM
    )
    assert schedule.next_after(datetime(2026, 11, 23, 7, 0, tzinfo=timezone.utc)) == datetime(
        2026, 11, 30, 8, 0, tzinfo=STOCKHOLM
    )
    # across the change to summer time the digest still comes at 08:00 local time
    spring = WeeklySchedule.parse("sön 08:00", "Europe/Stockholm").next_after(
        datetime(2026, 3, 28, 12, tzinfo=timezone.utc)
    )
    assert spring.utcoffset() == timedelta(hours=2) and spring.hour == 8 and spring.day == 29
    assert WeeklySchedule.parse("Fredag 16.30", "UTC").weekday == 4
    assert WeeklySchedule.parse("off", "Europe/Stockholm") is None
    for bad in ("måndag", "mon 8", "xyz 08:00", "mon 25:00"):
        with pytest.raises(ScheduleError):
            WeeklySchedule.parse(bad, "Europe/Stockholm")


def test_settings_read_and_validate_digest_and_review_variables():
    s = Settings.from_env({"DIGEST_SCHEDULE": "tis 07:30", "DIGEST_TIMEZONE": "UTC", "KB_REVIEW_DAYS": "180"})
    assert (s.digest_schedule, s.digest_timezone, s.kb_review_days) == ("tis 07:30", "UTC", 180)
    assert s.digest.weekday == 1
    defaults = Settings.from_env({})
    assert (defaults.digest_schedule, defaults.digest_timezone, defaults.kb_review_days) == (
        "mon 08:00",
        "Europe/Stockholm",
        365,
    )
    with pytest.raises(SettingsError, match="DIGEST_SCHEDULE"):
        Settings.from_env({"DIGEST_SCHEDULE": "varje måndag"})
    with pytest.raises(SettingsError, match="DIGEST_TIMEZONE"):
        Settings.from_env({"DIGEST_TIMEZONE": "Europe/Gnosjo"})
    with pytest.raises(SettingsError, match="KB_REVIEW_DAYS"):
        Settings.from_env({"KB_REVIEW_DAYS": "0"})
    assert Settings.from_env({"DIGEST_SCHEDULE": "off"}).digest is None


class FakeMessenger:
    def __init__(self):
        self.sent = []

    async def send(self, conversation_ref, card=None, text=None):
        self.sent.append((conversation_ref["conversation"]["id"], card))
        return f"act-{len(self.sent)}"


async def test_the_schedule_sends_once_per_slot(store, clock, tmp_path):
    await channels.link(store, "sammanfattning", "*", {"conversation": {"id": "19:kanal"}}, "koordinator", "kanalen")
    clock.moment = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)  # an hour before Monday 08:00
    from lotsen.knowledge import Knowledge
    from tests.conftest import FIXTURE_KB

    messenger = FakeMessenger()
    services = SimpleNamespace(
        store=store,
        clock=clock,
        messenger=messenger,
        knowledge=Knowledge(FIXTURE_KB),
        kinds=fixture_kinds(),
        settings=Settings(digest_timezone="Europe/Stockholm"),
    )
    naps = []

    async def sleep(seconds):
        naps.append(seconds)
        clock.moment += timedelta(seconds=seconds)
        if clock.moment > datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc):
            raise StopAsyncIteration  # stop the endless loop after the second Monday

    with pytest.raises(StopAsyncIteration):
        await digest.run_schedule(services, WeeklySchedule.parse("mon 08:00", "Europe/Stockholm"), sleep=sleep)
    assert [conv for conv, _ in messenger.sent] == ["19:kanal", "19:kanal"]
    assert max(naps) <= 900
    slots = [r[0] for r in sql(store).execute("SELECT target FROM audit WHERE event = 'digest_sent'")]
    assert slots == ["2026-11-23T08:00:00+01:00", "2026-11-30T08:00:00+01:00"]
    # a second process (or a restart) reaching the same slot does not post it again
    again = await digest.send_digest(services, now=NOW, slot="2026-11-23T08:00:00+01:00")
    assert again.already_sent and len(messenger.sent) == 2


async def test_the_digest_command_previews_from_the_database(tmp_path, monkeypatch, capsys):
    from scripts import digest as digest_cli
    from tests.conftest import FIXTURE_KB

    monkeypatch.setenv("KNOWLEDGE_DIR", str(FIXTURE_KB))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    store = await connect(tmp_path / "samverkanslotsen.sqlite3")
    await store.questions.record_answered("sip-vem-kallar")
    await ask(store, "Var parkerar jag?")
    await store.questions.record_feedback("sip-vem-kallar", "down", "sip kallelse", "sip kallelse")
    await store.close()
    assert await asyncio.to_thread(digest_cli.main, []) == 0
    out = capsys.readouterr().out
    assert out.startswith("Veckosammanfattning ")
    assert "Besvarade frågor: 1" in out and "1 × Var parkerar jag?" in out
    assert "1 × sip kallelse (svaret: Vem kallar till SIP?)" in out
    assert await asyncio.to_thread(digest_cli.main, ["--card"]) == 0
    assert '"type": "AdaptiveCard"' in capsys.readouterr().out
    assert await asyncio.to_thread(digest_cli.main, ["--data-dir", str(tmp_path / "saknas")]) == 1


async def test_a_digest_slot_is_claimed_only_with_its_posts_queued(store, clock, monkeypatch):
    """The slot claim and the outbox rows are one transaction: if queueing fails, the slot stays
    free, so the next run (or another instance) sends it; nothing is half done."""
    from lotsen.knowledge import Knowledge
    from lotsen.storage.portable.repositories import SqlOutbox
    from tests.conftest import FIXTURE_KB

    await channels.link(store, "sammanfattning", "*", {"conversation": {"id": "19:kanal"}}, "koordinator", "kanalen")
    messenger = FakeMessenger()
    services = SimpleNamespace(
        store=store,
        clock=clock,
        messenger=messenger,
        knowledge=Knowledge(FIXTURE_KB),
        kinds=fixture_kinds(),
        settings=Settings(digest_timezone="Europe/Stockholm"),
    )
    slot = "2026-11-23T08:00:00+01:00"

    async def refuse(self, *args, **kwargs):
        raise RuntimeError("outbox table locked")

    with monkeypatch.context() as patched:
        patched.setattr(SqlOutbox, "enqueue", refuse)
        with pytest.raises(RuntimeError):
            await digest.send_digest(services, now=NOW, slot=slot)
    db = sql(store)
    assert db.execute("SELECT COUNT(*) FROM job_claims").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    assert messenger.sent == []
    sent = await digest.send_digest(services, now=NOW, slot=slot)  # the next run sends it, once
    assert not sent.already_sent and [conv for conv, _ in messenger.sent] == ["19:kanal"]
    assert db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'digest'").fetchone()[0] == 1
