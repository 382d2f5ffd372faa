"""Who-does-what conversations over HTTP, the way Teams sends them (fixture knowledge base)."""

import json

from bot.app_factory import SERVICES
from lotsen.assistant import NOT_ALLOWED
from tests.conftest import make_settings, start_bot
from tests.support.teams import BOT, CASEWORKER, COORDINATOR, action, card_strings, submit_actions
from tests.support.db import sql


def store(teams):
    return teams.app[SERVICES].store


async def test_welcome_once_when_the_bot_is_added(teams_small):
    replies = await teams_small.install()
    assert len(replies.cards) == 1
    text = card_strings(replies.cards[0])
    assert "Hej! Jag är Samverkanslotsen" in text
    assert "Skriv aldrig namn eller personnummer" in text
    titles = [a["title"] for a in submit_actions(replies.cards[0])]
    assert titles == [
        "Vägvisaren: vad gör jag med min klient?",
        "Rapportera avvikelse",
        "Begär Arena eller SIP",
        "Vem kontaktar jag?",
        "Hjälp",
    ]
    # in a group chat, another person joining later is not welcomed again
    joined = teams_small.activity(
        type_="conversationUpdate",
        membersAdded=[COORDINATOR.account()],
        conversation="19:grupp@thread.v2",
        conversation_type="groupChat",
    )
    status, replies, _ = await teams_small.post(joined)
    assert status in (200, 201) and replies.messages == []


async def test_help_lists_what_the_bot_can_do(teams_small):
    replies = await teams_small.send("hjälp")
    card = replies.cards[0]
    text = card_strings(card)
    assert "Det här kan jag hjälpa dig med" in text
    assert "För samverkanskoordinatorer" not in text
    example = action(card, "Vem kallar till SIP?")
    answered = await teams_small.click(example)
    assert "Personal på socialtjänsten" in answered.all_text()
    coordinator_help = await teams_small.send("Hjälp!", person=COORDINATOR)
    assert "För samverkanskoordinatorer" in coordinator_help.all_text()


async def test_the_coordinator_help_has_sections_whose_buttons_run_the_commands(teams_small):
    card = (await teams_small.send("hjälp", person=COORDINATOR)).cards[0]
    text = card_strings(card)
    for section in ("Avvikelser och förfrågningar", "Kunskapsbasen", "Veckosammanfattning"):
        assert section in text
    listed = await teams_small.click(action(card, "Lista förfrågningar"), person=COORDINATOR)
    assert "Förfrågningar: Arena och SIP" in listed.all_text()
    unanswered = await teams_small.click(action(card, "Obesvarade frågor"), person=COORDINATOR)
    assert "Obesvarade frågor" in unanswered.all_text()
    # The same button data from anyone else: refused like the typed command.
    refused = await teams_small.click(action(card, "Lista avvikelser"))
    assert refused.texts == [NOT_ALLOWED]
    forged = await teams_small.send(
        value={"verb": "help.run", "command": "koppla bort kanal avvikelser alla"}, person=COORDINATOR
    )
    assert forged.texts == ["Jag känner inte igen den knappen. Skriv **hjälp** för att se vad jag kan."]


async def test_a_question_gets_a_sourced_answer_card(teams_small):
    replies = await teams_small.send("vad gör forsakringskassan för personer utan SGI?")
    assert len(replies.cards) == 1
    card = replies.cards[0]
    text = card_strings(card)
    assert "Vad gör Försäkringskassan för personer utan SGI?" in text
    assert "samordna rehabiliteringsinsatser, men utför inte rehabilitering" in text
    assert "Ansvarig" in text and "Försäkringskassan" in text
    assert "Källa: Rätt stöd, rätt försörjning – modellen – ”Försäkringskassan”" in text
    assert ".txt" not in text  # no file names
    titles = [a["title"] for a in submit_actions(card)]
    assert titles == ["Vem kallar till SIP?", "Vem kontaktar jag?", "👍", "👎"]
    assert sql(store(teams_small)).execute("SELECT entry_id FROM answered").fetchall()[0][0] == "fk-samordnar"


async def test_answer_offers_the_flow_it_is_about(teams_small):
    replies = await teams_small.send("vem kallar till sip")
    titles = [a["title"] for a in submit_actions(replies.cards[0])]
    assert "Begär SIP-möte" in titles


async def test_follow_up_button_shows_the_related_entry(teams_small):
    card = (await teams_small.send("vad gör fk för personer utan sgi")).cards[0]
    replies = await teams_small.click(action(card, "Vem kallar till SIP?"))
    assert "Individen kan själv önska en SIP" in replies.all_text()


async def test_menade_du_offers_close_candidates_and_records_the_choice(teams_small):
    replies = await teams_small.send("måste sip")
    card = replies.cards[0]
    assert "Menade du …?" in card_strings(card)
    choices = [a for a in submit_actions(card) if a["data"]["verb"] == "qa.show"]
    assert 1 <= len(choices) <= 3
    row = sql(store(teams_small)).execute("SELECT kind, resolved, question FROM unanswered").fetchone()
    assert tuple(row) == ("suggest", 0, "måste sip")
    chosen = await teams_small.click(choices[0])
    assert chosen.cards and "Källa:" in card_strings(chosen.cards[0])
    assert sql(store(teams_small)).execute("SELECT resolved FROM unanswered").fetchone()[0] == 1


async def test_none_of_these_gives_the_honest_fallback(teams_small):
    card = (await teams_small.send("måste sip")).cards[0]
    replies = await teams_small.click(action(card, "Ingen av dessa"))
    assert "Det vet jag tyvärr inte" in replies.all_text()
    assert sql(store(teams_small)).execute("SELECT kind FROM unanswered").fetchone()[0] == "suggest_rejected"


async def test_unknown_question_gets_i_dont_know_with_a_contact(teams_small):
    # about the domain, but nothing in the knowledge base answers it (off-topic: see below)
    replies = await teams_small.send("hur länge gäller en sip i vetlanda? 19121212-1212")
    text = replies.all_text()
    assert "Det vet jag tyvärr inte" in text
    assert "jag gissar inte" in text
    assert "Samverkanskoordinator i Vetlanda" in text  # the municipality named in the question
    shown = action(replies.cards[0], "Visa kontakter")
    contacts = await teams_small.click(shown)
    assert "samverkan.vetlanda@exempel.se" in contacts.all_text()
    stored = sql(store(teams_small)).execute("SELECT question, kind FROM unanswered").fetchone()
    assert stored["kind"] == "none"
    assert "19121212" not in stored["question"] and "[personnummer borttaget]" in stored["question"]


async def test_feedback_is_recorded(teams_small):
    card = (await teams_small.send("vem kallar till sip")).cards[0]
    replies = await teams_small.click(action(card, "👎"))
    assert "Tack för att du säger till" in replies.all_text()
    replies = await teams_small.click(action(card, "👍"))
    assert "Tack för din återkoppling" in replies.all_text()
    rows = sql(store(teams_small)).execute("SELECT entry_id, vote FROM feedback ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("sip-vem-kallar", "down"), ("sip-vem-kallar", "up")]


async def test_vem_kontaktar_jag_goes_straight_to_the_routed_list(teams_small):
    replies = await teams_small.send("Vem kontaktar jag om Arena i Jönköping?")
    text = replies.all_text()
    assert "Arena – sammankallande" in text and "arena@exempel.se" in text
    assert "Arena-konsultation – Jönköping" in text


async def test_contact_question_asks_for_the_municipality_when_it_matters(teams_small):
    replies = await teams_small.send("vem ska jag kontakta om ett gemensamt ärende i lokal samverkan")
    card = replies.cards[0]
    assert "vilken kommun?" in card_strings(card)
    shown = await teams_small.click(action(card, "Visa kontakter"), {"municipality": "vetlanda"})
    assert "Samverkanskoordinator i Vetlanda" in shown.all_text()
    other = await teams_small.click(action(card, "Visa kontakter"), {"municipality": "gnosjo"})
    text = other.all_text()
    assert "Samordningsförbundens kansli" in text and "länsgemensamma kontakten" in text


async def test_vem_kontaktar_jag_button_from_an_answer(teams_small):
    card = (await teams_small.send("vilka kommuner ingår i arena")).cards[0]
    replies = await teams_small.click(action(card, "Vem kontaktar jag?"))
    assert "Arena-konsultation: vilken kommun?" in replies.all_text()


async def test_card_submit_without_text_or_verb_gets_a_clear_reply(teams_small):
    for value in ({}, {"verb": "okänt.verb"}, "en sträng", ["lista"]):
        replies = await teams_small.send(value=value)
        assert replies.texts == [
            "Jag kunde inte läsa det du skickade från kortet. Försök igen, eller skriv **hjälp** för att börja om."
        ], value


async def test_mention_is_stripped_in_channels(teams_small):
    replies = await teams_small.send(
        "<at>Samverkanslotsen</at> vem kallar till SIP?",
        conversation="19:channel@thread.tacv2",
        conversation_type="channel",
        channel_data={"team": {"id": "team-1"}, "channel": {"id": "19:channel@thread.tacv2"}},
        entities=[{"type": "mention", "text": "<at>Samverkanslotsen</at>", "mentioned": BOT}],
    )
    assert "Individen kan själv önska en SIP" in replies.all_text()


async def test_empty_and_overlong_messages(teams_small):
    assert "Skriv en fråga" in (await teams_small.send("   ")).all_text()
    assert "för långt" in (await teams_small.send("a" * 2500)).all_text()


async def test_replies_go_to_the_conversation_and_user_that_asked(teams_small):
    replies = await teams_small.send("vem kallar till sip", conversation="personal-xyz")
    call = replies[0]
    assert call.method == "reply" and call.conversation == "personal-xyz"
    assert call.body["recipient"]["id"] == CASEWORKER.id


async def test_http_front_door(teams_small):
    http = teams_small.http
    response = await http.post("/api/messages", data="hej", headers={"Content-Type": "text/plain"})
    assert response.status == 415
    response = await http.post("/api/messages", data="{nej", headers={"Content-Type": "application/json"})
    assert response.status == 400
    response = await http.post("/api/messages", data="[]", headers={"Content-Type": "application/json"})
    assert response.status == 400
    response = await http.get("/api/messages")
    assert response.status == 405
    health = await (await http.get("/healthz")).json()
    assert health["status"] == "ok" and health["knowledge_base"]["loaded"] is True
    assert health["knowledge_base"]["entries"] == 6 and health["mode"] == "local"


async def test_with_credentials_every_request_needs_a_token(connector, tmp_path):
    settings = make_settings(
        tmp_path, app_id="11111111-2222-3333-4444-555555555555", app_password="hemligt", host="0.0.0.0"
    )
    teams = await start_bot(connector, settings)
    try:
        activity = teams.activity(text="vem kallar till sip")
        response = await teams.http.post(
            "/api/messages", data=json.dumps(activity), headers={"Content-Type": "application/json"}
        )
        assert response.status == 401
        for bad in (
            "Bearer not-a-jwt",
            "Basic dXNlcjpwYXNz",
            "Bearer ",
            # an unsigned token ("alg": "none") claiming to be from the Bot Framework
            "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.",
        ):
            response = await teams.http.post(
                "/api/messages",
                data=json.dumps(activity),
                headers={"Content-Type": "application/json", "Authorization": bad},
            )
            assert response.status == 401, bad
        assert connector.calls == []  # no reply was sent without a valid token
    finally:
        await teams.http.close()


async def test_only_allowed_tenants_are_served(connector, tmp_path):
    from tests.support.teams import TENANT

    settings = make_settings(tmp_path, allowed_tenant_ids=(TENANT,))
    teams = await start_bot(connector, settings)
    try:
        ours = await teams.send("vem kallar till sip")
        assert ours.cards
        foreign = teams.activity(
            text="vem kallar till sip", channel_data={"tenant": {"id": "99999999-0000-0000-0000-000000000000"}}
        )
        foreign["conversation"]["tenantId"] = "99999999-0000-0000-0000-000000000000"
        status, replies, _ = await teams.post(foreign)
        assert status in (200, 201) and list(replies) == []
        audit = (
            sql(teams.app[SERVICES].store)
            .execute("SELECT target FROM audit WHERE event = 'tenant_rejected'")
            .fetchall()
        )
        assert [r[0] for r in audit] == ["99999999-0000-0000-0000-000000000000"]
    finally:
        await teams.http.close()


async def test_the_source_is_one_compact_line_linked_to_the_public_document(teams_small):
    """Each document once, by title, its sections after it; linked where sources.yaml gives a URL."""
    card = (await teams_small.send("vad är en allvarlig avvikelse")).cards[0]
    lines = [s for s in card_strings(card).split("\n") if s.startswith("Källa:")]
    assert lines == [
        "Källa: [Höglandets samordningsförbund – årsredovisning 2024](https://www.finsamjonkopingslan.se)"
        " – ”Bilaga 6”, ”Uppdrag Samverkan”; Rätt stöd, rätt försörjning – modellen – ”SIP”"
    ]


async def test_every_glossary_term_can_be_looked_up(teams_small):
    replies = await teams_small.send("Vad betyder SGI?")
    text = replies.all_text()
    assert "Vad betyder SGI?" in text
    assert "sjukpenninggrundande inkomst" in text and "Inkomsten som sjukpenningen räknas på." in text
    assert "Källa: Rätt stöd, rätt försörjning – modellen – ”Målgrupp”" in text
    assert "Vad betyder SGI?" in (await teams_small.send("sig 0")).all_text()  # an alias works too
    # not a term, nor anything the bot is for: a clean refusal (issue 9), not a guess
    assert "Det ligger utanför vad jag kan svara på" in (await teams_small.send("vad är en flygande matta")).all_text()


async def test_welcome_in_a_personal_chat_when_teams_lists_only_the_user(teams_small):
    activity = teams_small.activity(type_="conversationUpdate", membersAdded=[CASEWORKER.account()])
    _, replies, _ = await teams_small.post(activity)
    assert len(replies.cards) == 1 and "Hej! Jag är Samverkanslotsen" in card_strings(replies.cards[0])


async def test_testa_reads_verdict_first_then_top_entries_with_why_and_details_collapsed(teams_small):
    card = (await teams_small.send("testa: vem kallar till sip", person=COORDINATOR)).cards[0]
    body = card["body"]
    assert body[0]["text"] == "Testa en fråga" and body[2]["weight"] == "Bolder"  # the verdict right after the heading
    visible = [b for b in body if b.get("isVisible", True)]
    visible_text = card_strings({"body": visible})
    assert "1. Vem kallar till SIP?" in visible_text and "Varför: liknar formuleringen" in visible_text
    assert "Poängens delar" not in visible_text and "Gränser" not in visible_text  # the numbers only in the details
    details = next(b for b in body if b.get("id") == "details")
    assert details["isVisible"] is False and "Poängens delar" in card_strings(details)
    toggle = card["actions"][0]
    assert toggle["type"] == "Action.ToggleVisibility" and toggle["targetElements"] == ["details"]
