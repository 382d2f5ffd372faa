"""The coordinator side of a deviation report, over HTTP the way Teams sends it (fixture KB).

Routing to a connected channel (a proactive post at the connector) and to the fallback contact
list, the status card updated in place (Action.Execute invoke and Action.Submit fallback), the
reporter's feedback in their personal chat, and coordinator-only access by Entra object id.
"""

from __future__ import annotations

import json

import pytest

from bot.app_factory import SERVICES
from lotsen.assistant import NOT_ALLOWED
from tests.support.reports import CHANNEL_CONV, CHANNEL_ID, channel_data, file_deviation, in_channel, mention_entities
from tests.support.teams import CASEWORKER, COORDINATOR, OTHER, action, card_nodes, card_strings
from tests.support.db import sql

CARD = "application/vnd.microsoft.card.adaptive"


def db(teams):
    return sql(teams.app[SERVICES].store)


def case_row(teams, reference="AVV-2026-0001"):
    return db(teams).execute("SELECT * FROM cases WHERE reference = ?", (reference,)).fetchone()


def events(teams, reference="AVV-2026-0001"):
    return [
        tuple(r)
        for r in db(teams)
        .execute(
            "SELECT e.status, e.comment, e.actor_aad FROM case_events e JOIN cases c ON c.id = e.case_id "
            "WHERE c.reference = ? ORDER BY e.id",
            (reference,),
        )
        .fetchall()
    ]


def receipt_text(replies) -> str:
    receipts = [c for c in replies.cards if "Tack! Uppgifterna är sparade." in card_strings(c)]
    assert receipts, f"no receipt card; got {replies.all_text()!r}"
    return card_strings(receipts[-1])


def channel_posts(replies):
    """New messages the bot posted into the coordinators' channel (a send, not a reply)."""
    return [c for c in replies if c.method == "send" and c.conversation == CHANNEL_ID]


def personal_sends(replies, conversation="personal-1"):
    return [c for c in replies if c.method == "send" and c.conversation == conversation]


async def connect_channel(teams, command="koppla kanal avvikelser Vetlanda"):
    replies = await in_channel(teams, command)
    assert "Klart!" in replies.all_text(), replies.all_text()
    return replies


async def filed_in_channel(teams, *, feedback=True, **kw):
    """Connect the Vetlanda channel, file a report; returns (channel card call, receipt replies)."""
    await connect_channel(teams)
    replies = await file_deviation(teams, feedback=feedback, **kw)
    (post,) = channel_posts(replies)
    return post, replies


def card_of(call) -> dict:
    (attachment,) = call.body["attachments"]
    assert attachment["contentType"] == CARD
    return attachment["content"]


def status_inputs(status, comment=""):
    return {"verb": "case.status", "reference": "AVV-2026-0001", "status": status, "comment": comment}


def in_thread(card_id: str) -> dict:
    """Where a press on the channel card comes from: the thread of that post."""
    return {
        "conversation": f"{CHANNEL_ID};messageid={card_id}",
        "conversation_type": "channel",
        "channel_data": channel_data(),
        "reply_to_id": card_id,
    }


# --- 1. routing and the receipt ------------------------------------------------------------------


async def test_a_mention_in_a_channel_connects_it(teams_small):
    replies = await in_channel(teams_small, "koppla kanal avvikelser Vetlanda")
    assert replies.texts == [
        "Klart! Nya avvikelser för Vetlanda skickas hit från och med nu. Rapporter som "
        "redan har kommit in ser du med **lista avvikelser vetlanda**."
    ]
    row = db(teams_small).execute("SELECT * FROM channel_links").fetchone()
    assert (row["kind"], row["target"], row["linked_by"]) == ("avvikelse", "vetlanda", COORDINATOR.aad)
    assert json.loads(row["conversation_ref"])["conversation"]["id"] == CHANNEL_CONV


@pytest.mark.parametrize(
    "text",
    [
        "<at>Samverkanslotsen</at> koppla kanal avvikelser Vetlanda",
        "<at>Samverkanslotsen</at>&nbsp;koppla kanalen för avvikelser i Vetlanda.",
        "<at>Samverkanslotsen</at> Koppla kanal avvikelser vetlanda kommun",
    ],
)
async def test_mention_variants_are_understood(teams_small, text):
    replies = await teams_small.send(
        text,
        person=COORDINATOR,
        conversation=CHANNEL_CONV,
        conversation_type="channel",
        channel_data=channel_data(),
        entities=mention_entities(),
    )
    assert "Klart! Nya avvikelser för Vetlanda" in replies.all_text()


async def test_connecting_is_done_in_the_channel_not_in_a_personal_chat(teams_small):
    replies = await teams_small.send("koppla kanal avvikelser Vetlanda", person=COORDINATOR)
    assert "Koppla kanal gör du i den Teams-kanal som ska ta emot ärendena" in replies.all_text()
    assert db(teams_small).execute("SELECT COUNT(*) FROM channel_links").fetchone()[0] == 0


async def test_an_unknown_kommun_is_said_plainly(teams_small):
    replies = await in_channel(teams_small, "koppla kanal avvikelser Atlantis")
    assert replies.texts == [
        "Jag känner inte igen kommunen ”atlantis”. Skriv kommunens namn, t.ex. Vetlanda, eller **alla**."
    ]


async def test_a_report_is_posted_to_the_connected_channel_as_a_new_post(teams_small):
    await connect_channel(teams_small)
    replies = await file_deviation(teams_small)
    posts = channel_posts(replies)
    assert len(posts) == 1, [(c.method, c.conversation) for c in replies]
    # POST /v3/conversations/{channel}/activities: a new post in the channel, not a reply in the
    # thread where "koppla kanal" was typed
    assert posts[0].activity_id == ""
    assert not [c for c in replies if c.conversation.startswith(CHANNEL_ID) and c.method != "send"]
    text = card_strings(card_of(posts[0]))
    for expected in (
        "Avvikelse i samverkan AVV-2026-0001",
        "Status: Mottagen",
        "Vetlanda",
        "Kim Handläggare",
        "Arbetsförmedlingen uteblev från ett planerat SIP-möte",
        "Kommun; Arbetsförmedlingen",
        "Allvarlig – risk för konsekvenser för individen",
        "Spara status",
    ):
        assert expected in text, expected
    receipt = receipt_text(replies)
    assert "Avvikelse i samverkan: skickad\nSkickad till Samverkanskoordinator i Vetlanda" in receipt
    assert "Status\nMottagen – skickad till Samverkanskoordinator i Vetlanda" in receipt
    assert (
        "Rapporten har skickats till Samverkanskoordinator i Vetlanda och finns nu i kanalen för avvikelser "
        "i Vetlanda i Teams, där den följs upp."
    ) in receipt
    assert "Avvikelser i Vetlanda följs också upp i Samverk Vetlanda arbetsgrupp." in receipt
    assert "mejla" not in receipt.lower()
    row = case_row(teams_small)
    assert row["channel_activity_id"] == posts[0].new_id
    assert json.loads(row["routed_to"])["contact_title"] == "Samverkanskoordinator i Vetlanda"


async def test_without_a_channel_the_report_is_stored_and_the_reporter_gets_the_contacts(teams_small):
    replies = await file_deviation(teams_small)
    assert not [c for c in replies if c.conversation != "personal-1"]  # nothing posted anywhere else
    receipt = receipt_text(replies)
    # Honest: not "skickad", and whom to e-mail, with the contact as buttons.
    assert (
        "Avvikelse i samverkan: sparad\nIngen kanal är kopplad för Vetlanda – mejla Samverkanskoordinator i Vetlanda"
        in receipt
    )
    assert "Status\nMottagen – inte skickad till någon kanal, mejla Samverkanskoordinator i Vetlanda" in receipt
    assert "Skickad till" not in receipt
    assert "Samverkanskoordinator · Exempel Exempelsson · samverkan.vetlanda@exempel.se · 070-174 06 10" in receipt
    assert "Avvikelser i Vetlanda följs också upp i Samverk Vetlanda arbetsgrupp." in receipt
    card = [c for c in replies.cards if "Tack! Uppgifterna är sparade." in card_strings(c)][-1]
    urls = {n["title"]: n["url"] for n in card_nodes(card) if n.get("type") == "Action.OpenUrl"}
    assert urls == {
        "E-post": "mailto:samverkan.vetlanda@exempel.se?subject=AVV-2026-0001",
        "Ring": "tel:+46701740610",
        "Chatta i Teams": "https://teams.microsoft.com/l/chat/0/0?users=samverkan.vetlanda@exempel.se",
    }
    row = case_row(teams_small)
    assert row["status"] == "mottagen" and row["channel_activity_id"] is None


async def test_if_the_channel_cannot_be_reached_the_reporter_is_told_whom_to_notify(teams_small):
    await connect_channel(teams_small)
    refuse = teams_small.connector.refuse = {CHANNEL_ID}  # e.g. the bot was removed from the team
    replies = await file_deviation(teams_small)
    assert refuse and [c.conversation for c in replies if c.method == "send"] == []
    receipt = receipt_text(replies)
    assert "Kanalen för Vetlanda gick inte att nå just nu – mejla Samverkanskoordinator i Vetlanda" in receipt
    assert "Rapporten är sparad men har inte nått någon. Mejla eller ring Samverkanskoordinator i Vetlanda" in receipt
    assert "samverkan.vetlanda@exempel.se" in receipt
    row = case_row(teams_small)
    assert row["status"] == "mottagen" and row["channel_activity_id"] is None


async def test_a_kommun_without_its_own_rule_goes_to_the_default_contact_list(teams_small):
    replies = await file_deviation(teams_small, kommun="gnosjo")
    receipt = receipt_text(replies)
    assert "Ingen kanal är kopplad för Gnosjö – mejla Samordningsförbundens kansli" in receipt
    assert "ange referensen AVV-2026-0001" in receipt
    assert "Förbundschef · kansli@exempel.se" in receipt
    assert "Samverk" not in receipt  # Gnosjö is not a Höglandet kommunområde


async def test_a_channel_for_one_kommun_does_not_receive_another_kommuns_reports(teams_small):
    await connect_channel(teams_small)
    replies = await file_deviation(teams_small, kommun="aneby")
    assert channel_posts(replies) == []
    assert "Ingen kanal är kopplad för Aneby – mejla" in receipt_text(replies)


async def test_a_channel_for_all_kommuner_receives_the_rest(teams_small):
    await connect_channel(teams_small, "koppla kanal avvikelser alla")
    replies = await file_deviation(teams_small, kommun="gnosjo")
    assert len(channel_posts(replies)) == 1
    assert "finns nu i kanalen för avvikelser i alla kommuner i Teams" in receipt_text(replies)


async def test_disconnecting_stops_the_posts(teams_small):
    await connect_channel(teams_small)
    replies = await in_channel(teams_small, "koppla bort kanal avvikelser Vetlanda")
    assert replies.texts == ["Kanalen tar inte längre emot avvikelser för Vetlanda."]
    replies = await file_deviation(teams_small)
    assert channel_posts(replies) == []


# --- 2. status on the channel card -----------------------------------------------------------------


async def test_action_execute_returns_the_refreshed_card_and_tells_the_reporter(teams_small):
    post, _ = await filed_in_channel(teams_small)
    status, body, replies = await teams_small.invoke(
        "case.status",
        status_inputs("under-utredning", "Tas upp i Samverk Vetlanda den 4 december."),
        person=COORDINATOR,
        **in_thread(post.new_id),
    )
    assert status == 200 and body["statusCode"] == 200 and body["type"] == CARD
    text = card_strings(body["value"])
    assert "Status: Under utredning" in text
    assert "Under utredning – Tas upp i Samverk Vetlanda den 4 december." in text  # history
    assert case_row(teams_small)["status"] == "under-utredning"
    assert events(teams_small)[-1] == ("under-utredning", "Tas upp i Samverk Vetlanda den 4 december.", COORDINATOR.aad)
    (note,) = personal_sends(replies)
    assert note.body["text"] == (
        "Din avvikelserapport AVV-2026-0001 har fått status: **Under utredning**. "
        "Kommentar: Tas upp i Samverk Vetlanda den 4 december."
    )
    # the refreshed card is the answer: nothing else is posted or updated in the channel
    assert [c for c in replies if c.conversation.startswith(CHANNEL_ID)] == []


async def test_action_submit_fallback_updates_the_card_in_place(teams_small):
    post, _ = await filed_in_channel(teams_small)
    card = card_of(post)
    save = action(card, "Spara status")
    assert save["type"] == "Action.Execute" and save["fallback"]["type"] == "Action.Submit"
    replies = await teams_small.click(
        save["fallback"],
        {"status": "atgardad", "comment": "Rutinen är förtydligad."},
        person=COORDINATOR,
        **in_thread(post.new_id),
    )
    (update,) = replies.updates
    assert update.activity_id == post.new_id  # PUT …/activities/{the channel card}
    assert update.conversation.startswith(CHANNEL_ID)
    assert "Status: Åtgärdad" in card_strings(card_of(update))
    assert "AVV-2026-0001 har nu status Åtgärdad." in replies.texts
    assert case_row(teams_small)["status"] == "atgardad"
    (note,) = personal_sends(replies)
    assert "har fått status: **Åtgärdad**. Kommentar: Rutinen är förtydligad." in note.body["text"]


async def test_the_whole_way_mottagen_to_avslutad(teams_small):
    post, _ = await filed_in_channel(teams_small)
    seen = []
    for status, title in (("under-utredning", "Under utredning"), ("atgardad", "Åtgärdad"), ("avslutad", "Avslutad")):
        _, body, replies = await teams_small.invoke(
            "case.status", status_inputs(status), person=COORDINATOR, **in_thread(post.new_id)
        )
        assert f"Status: {title}" in card_strings(body["value"])
        seen += [c.body["text"] for c in personal_sends(replies)]
    assert [s.split("status: ")[1] for s in seen] == ["**Under utredning**.", "**Åtgärdad**.", "**Avslutad**."]
    assert [e[0] for e in events(teams_small)] == ["mottagen", "under-utredning", "atgardad", "avslutad"]


async def test_an_unreachable_reporter_does_not_undo_the_status_change(teams_small):
    post, _ = await filed_in_channel(teams_small)
    teams_small.connector.refuse.add("personal-1")
    _, body, replies = await teams_small.invoke(
        "case.status", status_inputs("avslutad", "Klart."), person=COORDINATOR, **in_thread(post.new_id)
    )
    assert "Status: Avslutad" in card_strings(body["value"])
    assert case_row(teams_small)["status"] == "avslutad"
    assert [c for c in replies if c.method == "send"] == []  # nothing (no apology either) was posted anywhere


async def test_no_message_to_the_reporter_who_did_not_ask_for_feedback(teams_small):
    post, _ = await filed_in_channel(teams_small, feedback=False)
    _, body, replies = await teams_small.invoke(
        "case.status", status_inputs("avslutad", "Klart."), person=COORDINATOR, **in_thread(post.new_id)
    )
    assert "Status: Avslutad" in card_strings(body["value"])
    assert case_row(teams_small)["status"] == "avslutad"
    assert personal_sends(replies) == [] and [c for c in replies if c.method == "send"] == []


async def test_a_comment_without_a_new_status_is_saved_but_not_sent(teams_small):
    post, _ = await filed_in_channel(teams_small)
    _, body, replies = await teams_small.invoke(
        "case.status",
        status_inputs("mottagen", "Väntar på svar från AF."),
        person=COORDINATOR,
        **in_thread(post.new_id),
    )
    assert "Mottagen – Väntar på svar från AF." in card_strings(body["value"])
    assert events(teams_small)[-1][:2] == ("mottagen", "Väntar på svar från AF.")
    assert personal_sends(replies) == []


async def test_a_personnummer_in_the_comment_is_refused(teams_small):
    post, _ = await filed_in_channel(teams_small)
    _, body, replies = await teams_small.invoke(
        "case.status", status_inputs("atgardad", "Gäller 19121212-1212."), person=COORDINATOR, **in_thread(post.new_id)
    )
    assert "Ta bort personnumret" in card_strings(body["value"])
    assert case_row(teams_small)["status"] == "mottagen" and len(events(teams_small)) == 1
    assert "19121212" not in json.dumps(body) and personal_sends(replies) == []


async def test_a_status_from_a_copy_of_the_card_also_updates_the_channel_card(teams_small):
    post, _ = await filed_in_channel(teams_small)
    listing = await teams_small.send("lista avvikelser", person=COORDINATOR, conversation="personal-coord")
    shown = await teams_small.click(
        action(listing.cards[0], "Visa AVV-2026-0001"), person=COORDINATOR, conversation="personal-coord"
    )
    copy = shown.cards[0]
    assert "Avvikelse i samverkan AVV-2026-0001" in card_strings(copy)
    replies = await teams_small.click(
        action(copy, "Spara status")["fallback"],
        {"status": "under-utredning"},
        person=COORDINATOR,
        conversation="personal-coord",
        reply_to_id="copy-card-1",
    )
    updated = {c.activity_id: c for c in replies.updates}
    assert set(updated) == {"copy-card-1", post.new_id}
    assert updated[post.new_id].conversation == CHANNEL_ID
    assert "Status: Under utredning" in card_strings(card_of(updated[post.new_id]))


async def test_feedback_for_a_report_filed_in_a_group_chat_goes_to_the_personal_chat(teams_small):
    # the caseworker has filed before in their personal chat, so the bot can reach them there
    await file_deviation(teams_small, feedback=False)
    post, replies = await filed_in_channel(
        teams_small, conversation="19:group-chat@thread.v2", conversation_type="groupChat"
    )
    assert "AVV-2026-0002" in receipt_text(replies)
    _, _, replies = await teams_small.invoke(
        "case.status",
        dict(status_inputs("avslutad"), reference="AVV-2026-0002"),
        person=COORDINATOR,
        **in_thread(post.new_id),
    )
    assert [c.conversation for c in replies if c.method in ("send", "reply")] == ["personal-1"]


# --- 4. only coordinators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "lista avvikelser",
        "lista avvikelser vetlanda",
        "sammanställning",
        "sammanställning 2026 vetlanda",
        "exportera avvikelser 2026",
    ],
)
async def test_others_are_refused_every_report_command(teams_small, command):
    await file_deviation(teams_small)
    for where in (
        {},
        {
            "conversation": CHANNEL_CONV,
            "conversation_type": "channel",
            "channel_data": channel_data(),
            "entities": mention_entities(),
        },
    ):
        text = f"<at>Samverkanslotsen</at> {command}" if where else command
        replies = await teams_small.send(text, person=OTHER, **where)
        assert replies.texts == [NOT_ALLOWED] and replies.cards == []
        assert "AVV-2026" not in replies.all_text()
    replies = await teams_small.send(command, person=COORDINATOR)
    assert NOT_ALLOWED not in replies.all_text()


async def test_others_cannot_connect_a_channel(teams_small):
    replies = await in_channel(teams_small, "koppla kanal avvikelser Vetlanda", person=OTHER)
    assert replies.texts == [NOT_ALLOWED]
    assert db(teams_small).execute("SELECT COUNT(*) FROM channel_links").fetchone()[0] == 0
    audit = db(teams_small).execute("SELECT actor, outcome FROM audit WHERE event = 'admin_denied'").fetchall()
    assert [tuple(a) for a in audit] == [(OTHER.aad, "denied")]


async def test_others_cannot_change_status_by_invoke_or_submit(teams_small):
    post, _ = await filed_in_channel(teams_small)
    before = dict(case_row(teams_small))
    status, body, replies = await teams_small.invoke(
        "case.status", status_inputs("avslutad", "Stängd av mig."), person=OTHER, **in_thread(post.new_id)
    )
    # the refusal is the answer to the person who pressed, not a message to the whole channel
    assert status == 200 and body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": NOT_ALLOWED,
    }
    assert list(replies) == []
    replies = await teams_small.click(
        action(card_of(post), "Spara status")["fallback"],
        {"status": "avslutad", "comment": "Stängd av mig."},
        person=OTHER,
        **in_thread(post.new_id),
    )
    assert replies.texts == [NOT_ALLOWED] and replies.updates == []
    assert dict(case_row(teams_small)) == before
    assert events(teams_small) == [("mottagen", "", CASEWORKER.aad)]
    assert personal_sends(replies) == []
    denied = (
        db(teams_small)
        .execute("SELECT COUNT(*) FROM audit WHERE event = 'admin_denied' AND actor = ?", (OTHER.aad,))
        .fetchone()[0]
    )
    assert denied == 2


async def test_the_same_display_name_is_not_enough(teams_small):
    assert OTHER.name == COORDINATOR.name and OTHER.aad != COORDINATOR.aad
    await file_deviation(teams_small)
    replies = await teams_small.send(value={"verb": "case.show", "reference": "AVV-2026-0001"}, person=OTHER)
    assert replies.texts == [NOT_ALLOWED] and replies.cards == []
    replies = await teams_small.send(value={"verb": "case.show", "reference": "AVV-2026-0001"}, person=COORDINATOR)
    assert "Avvikelse i samverkan AVV-2026-0001" in replies.all_text()


# --- row 43: a replayed status change is recorded once ---------------------------------------------


@pytest.mark.parametrize("kind", ["invoke", "submit"])
async def test_a_replayed_status_change_is_recorded_once(teams_small, kind):
    post, _ = await filed_in_channel(teams_small)
    if kind == "invoke":
        activity = teams_small.activity(
            type_="invoke",
            name="adaptiveCard/action",
            person=COORDINATOR,
            activity_id="act-status-1",
            value={
                "action": {"type": "Action.Execute", "verb": "case.status", "data": status_inputs("avslutad", "Klart.")}
            },
            **in_thread(post.new_id),
        )
    else:
        activity = teams_small.activity(
            value=status_inputs("avslutad", "Klart."),
            person=COORDINATOR,
            activity_id="act-status-1",
            **in_thread(post.new_id),
        )
    first_status, first, first_body = await teams_small.post(activity)
    assert first_status in (200, 201) and len(personal_sends(first)) == 1
    # Teams retries the same activity, and later someone replays the captured request
    for _ in range(2):
        status, again, body = await teams_small.post(activity)
        assert status in (200, 201)
        assert personal_sends(again) == []  # the reporter is not told twice
        if kind == "invoke":
            assert "Status: Avslutad" in card_strings(body["value"])
    assert [e[0] for e in events(teams_small)] == ["mottagen", "avslutad"]
    assert db(teams_small).execute("SELECT COUNT(*) FROM audit WHERE event = 'duplicate_suppressed'").fetchone()[0] == 2


async def test_a_new_activity_with_the_same_change_is_recorded_again(teams_small):
    post, _ = await filed_in_channel(teams_small)
    for _ in range(2):
        await teams_small.invoke(
            "case.status",
            status_inputs("mottagen", "Påminnelse skickad."),
            person=COORDINATOR,
            **in_thread(post.new_id),
        )
    assert [e[1] for e in events(teams_small)] == ["", "Påminnelse skickad.", "Påminnelse skickad."]


async def test_replay_protection_is_kept_longer_than_a_token_lives(tmp_path):
    from datetime import datetime, timedelta, timezone

    from lotsen.background import Background
    from lotsen.storage import SEEN_WINDOW, connect

    now = [datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)]
    store = await connect(tmp_path / "s.sqlite3", clock=lambda: now[0])
    housekeeping = Background(type("S", (), {"store": store})(), handle_signals=False, schedule_digest=False)
    try:
        assert SEEN_WINDOW >= timedelta(hours=1, minutes=5)
        async with store.transaction() as tx:
            assert await tx.seen.mark("k")
        now[0] += timedelta(hours=2)
        await housekeeping.housekeep()
        async with store.transaction() as tx:
            assert not await tx.seen.mark("k")  # still remembered after 2 h
        now[0] += SEEN_WINDOW
        await housekeeping.housekeep()
        async with store.transaction() as tx:
            assert await tx.seen.mark("k")
    finally:
        await store.close()
