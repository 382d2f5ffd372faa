"""Fault matrix row 54: Teams answers 403/404 for a conversation (the bot was removed from the
team, the channel or the chat). The conversation is marked inactive in storage, nothing more is
tried there, the coordinators are told in plain Swedish which channel it is and how to connect
it again, what was meant for it waits visibly ("leveranser"), and connecting the channel again
sends what waited, each once."""

from __future__ import annotations

import json

from tests.faults.test_delivery import channel_sends, connect, eventually, store
from tests.support.db import sql
from tests.support.reports import CHANNEL_ID, file_deviation, in_channel
from tests.support.teams import COORDINATOR

COORDINATORS = "19:koordinatorer@thread.tacv2"
RECONNECT = "@Samverkanslotsen koppla kanal avvikelser Vetlanda"


def texts_to(connector, conversation: str) -> list[str]:
    return [c.body.get("text") or "" for c in connector.calls if c.conversation.startswith(conversation)]


def posts_of(connector, reference: str) -> list:
    return [c for c in channel_sends(connector) if reference in json.dumps(c.body, ensure_ascii=False)]


async def test_a_channel_that_refuses_is_marked_inactive_held_announced_and_reactivated(teams_small):
    await connect(teams_small)
    assert (
        "Klart!" in (await in_channel(teams_small, "koppla kanal sammanfattning", conversation=COORDINATORS)).all_text()
    )
    connector = teams_small.connector
    connector.refuse.add(CHANNEL_ID)  # 403: the bot was removed from the team
    before = connector.requested.count(CHANNEL_ID)  # the answer to "koppla kanal"

    first = await file_deviation(teams_small)
    assert "AVV-2026-0001" in first.all_text() and "har inte nått någon" in first.all_text()  # whom to tell
    tried = connector.requested.count(CHANNEL_ID)
    assert tried == before + 1  # 403 is not retried
    link = await store(teams_small).channels.get("avvikelse", "vetlanda")
    assert link.active is False and link.inactive_since  # the link itself, not only the message
    assert (await store(teams_small).conversations.inactive(CHANNEL_ID))["last_status"] == 403

    # the coordinators are told which channel, and what to do
    await eventually(lambda: any("AVV-2026-0001" in t for t in texts_to(connector, COORDINATORS)))
    (alert,) = [t for t in texts_to(connector, COORDINATORS) if "AVV-2026-0001" in t]
    assert "kunde inte levereras" in alert and "kanalen för avvikelser i Vetlanda" in alert
    assert "tar inte längre emot meddelanden" in alert and RECONNECT in alert

    # a later case for that channel is not tried; it waits, visibly
    second = await file_deviation(teams_small)
    assert "AVV-2026-0002" in second.all_text()
    assert connector.requested.count(CHANNEL_ID) == tried  # nothing more sent there
    rows = (
        sql(store(teams_small))
        .execute("SELECT status, last_error FROM outbox WHERE kind = 'case_post' ORDER BY id")
        .fetchall()
    )
    assert [r["status"] for r in rows] == ["inactive", "inactive"] and rows[1]["last_error"] == "conversation inactive"
    await eventually(lambda: any("AVV-2026-0002" in t for t in texts_to(connector, COORDINATORS)))
    (held,) = [t for t in texts_to(connector, COORDINATORS) if "AVV-2026-0002" in t]
    assert "väntar" in held and RECONNECT in held

    status = (await teams_small.send("leveranser", person=COORDINATOR)).all_text()
    assert "2 meddelanden kunde inte levereras." in status
    assert "AVV-2026-0001" in status and "AVV-2026-0002" in status
    assert "kanalen för avvikelser i Vetlanda** tar inte emot meddelanden" in status and RECONNECT in status

    # the bot is added back to the team and the channel connected again: what waited is sent, once
    connector.refuse.clear()
    assert "Klart!" in (await in_channel(teams_small, "koppla kanal avvikelser Vetlanda")).all_text()
    assert (await store(teams_small).channels.get("avvikelse", "vetlanda")).active
    await eventually(
        lambda: len(posts_of(connector, "AVV-2026-0001")) == 1 and len(posts_of(connector, "AVV-2026-0002")) == 1
    )
    await eventually(
        lambda: (
            sql(store(teams_small))
            .execute("SELECT COUNT(*) FROM outbox WHERE kind = 'case_post' AND status = 'delivered'")
            .fetchone()[0]
            == 2
        )
    )
    assert len(channel_sends(connector)) == 2
    assert "Alla meddelanden har levererats." in (await teams_small.send("leveranser", person=COORDINATOR)).all_text()
    third = await file_deviation(teams_small)  # and new cases go straight there again
    assert "finns nu i kanalen för avvikelser i Vetlanda" in third.all_text()
    assert len(posts_of(connector, "AVV-2026-0003")) == 1


async def test_a_reporter_who_removed_the_bot_is_not_written_to_and_coordinators_know(teams_small):
    from tests.http.test_deviation_followup import in_thread, status_inputs

    await connect(teams_small)
    connector = teams_small.connector
    await file_deviation(teams_small)
    post = channel_sends(connector)[0]
    connector.fail_next("personal-1", 404)  # the reporter uninstalled the app
    await teams_small.invoke(
        "case.status", status_inputs("avslutad", "Klart."), person=COORDINATOR, **in_thread(post.new_id)
    )
    await eventually(
        lambda: (
            sql(store(teams_small)).execute("SELECT status FROM outbox WHERE kind = 'reporter_note'").fetchone()[0]
            == "inactive"
        )
    )
    assert (await store(teams_small).conversations.inactive("personal-1"))["last_status"] == 404
    # no digest channel: the coordinators hear it in the connected channel that still works
    await eventually(
        lambda: any("AVV-2026-0001" in t and "personlig chatt" in t for t in texts_to(connector, CHANNEL_ID))
    )
    status = (await teams_small.send("leveranser", person=COORDINATOR)).all_text()
    assert "besked till den som rapporterade AVV-2026-0001" in status and "Kontakta personen på annat sätt" in status
