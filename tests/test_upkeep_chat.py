"""Coordinators' upkeep in chat, over HTTP the way Teams sends it: "testa:", reload,
"obesvarade frågor", "feedback" and the weekly digest (a proactive message captured at
the fake connector). Only coordinators (by Entra object id) reach any of it."""

from __future__ import annotations

import pytest

from lotsen import cases
from lotsen.assistant import NOT_ALLOWED
from lotsen.matching import Thresholds
from tests.support.db import sql
from tests.support.teams import CASEWORKER, COORDINATOR, OTHER, action, card_strings, submit_actions
from tests.support.kinds import file_test_case
from tests.support.upkeep import (
    DIGEST_CHANNEL_CONV,
    NEW_ENTRY,
    append,
    copy_kb,
    in_channel,
    line_of,
    replace,
    services,
    start_on,
    vague_question,
)

PNR = "19121212-1212"


@pytest.fixture
async def bot(connector, tmp_path):
    """The bot on an editable copy of the fixture knowledge base."""
    kb_dir = copy_kb(tmp_path)
    teams = await start_on(connector, tmp_path, kb_dir)
    teams.kb_dir = kb_dir
    yield teams
    await teams.http.close()


def no_answer(text: str) -> bool:
    """The bot does not answer: "vet inte", or (on the tiny fixture knowledge base, whose words
    hardly tell what it is about) the off-topic refusal – either way no answer card."""
    return "Det vet jag tyvärr inte" in text or "Det ligger utanför vad jag kan svara på" in text


# --- testa: --------------------------------------------------------------------------------------


async def test_testa_shows_matching_entries_scores_and_why(teams_small):
    replies = await teams_small.send("testa: vad gör fkassan för personer utan sgi", person=COORDINATOR)
    assert len(replies.cards) == 1
    text = card_strings(replies.cards[0])
    assert "Testa en fråga" in text and "vad gör fkassan för personer utan sgi" in text
    assert "Boten svarar med ”Vad gör Försäkringskassan för personer utan SGI?” (fk-samordnar), poäng" in text
    assert "fkassan → Försäkringskassan" in text  # the alias that was used
    assert "1. Vad gör Försäkringskassan för personer utan SGI? – poäng" in text
    assert "fk-samordnar (kb/qa/test.yaml:2)" in text  # where to fix it
    assert "forsakringskass, gor, perso, sgi, vad" in text  # the shared words
    # why this entry (the parts of its score) and why this confidence (threshold and lead)
    assert "Poängens delar" in text and "av bästa formuleringen" in text and "förklarar" in text
    th = Thresholds()  # the calibrated thresholds, as the card writes them
    answer, margin = f"{th.answer:.2f}".replace(".", ","), round(th.margin * 100)
    assert f"Varför säkert: poängen är minst {answer} och försprånget till nästa fråga är" in text
    assert f"Gränser: svar från poäng {answer} med {margin} % försprång" in text


async def test_testa_explains_typos_and_suggestions(teams_small):
    text = (await teams_small.send(f"Testa: {vague_question(teams_small)}", person=COORDINATOR)).all_text()
    assert "Boten är osäker och frågar ”Menade du …?” med ”" in text
    text = (await teams_small.send("testa: vem kalar till sip", person=COORDINATOR)).all_text()
    assert "kalar → kallar" in text
    text = (await teams_small.send("testa: var parkerar jag bilen", person=COORDINATOR)).all_text()
    assert "ligger utanför vad den kan svara på" in text and "Okända ord" in text
    assert "av frågans ord finns i kunskapsbasen" in text
    text = (await teams_small.send("testa: tack!", person=COORDINATOR)).all_text()
    assert "svarar kort och artigt" in text
    text = (await teams_small.send("testa: vem kontaktar jag om arena i jönköping", person=COORDINATOR)).all_text()
    assert "Obs! Skriver någon precis så här svarar boten med kontaktfrågor" in text
    assert "skriv" in (await teams_small.send("testa:", person=COORDINATOR)).all_text().lower()


@pytest.mark.parametrize(
    "text",
    [
        "testa: vem kallar till sip",
        "ladda om kunskapsbasen",
        "obesvarade frågor",
        "feedback 7",
        "skicka sammanfattning",
    ],
)
async def test_others_are_politely_refused(teams_small, text):
    for person in (OTHER, CASEWORKER):
        replies = await teams_small.send(text, person=person)
        assert replies.texts == [NOT_ALLOWED] and replies.cards == []
    denied = sql(services(teams_small).store).execute("SELECT COUNT(*) FROM audit WHERE event = 'admin_denied'")
    assert denied.fetchone()[0] == 2


async def test_card_buttons_are_refused_for_others_too(teams_small):
    for value in (
        {"verb": "upkeep.test", "q": "sip"},
        {"verb": "upkeep.unanswered", "days": 7},
        {"verb": "upkeep.feedback", "days": 7},
    ):
        replies = await teams_small.send(value=value, person=OTHER)
        assert replies.texts == [NOT_ALLOWED] and replies.cards == []


# --- ladda om kunskapsbasen ---------------------------------------------------------------------------


async def test_reload_picks_up_a_valid_change_without_restart(bot):
    question = "hur remitterar jag till arenagruppen"
    assert no_answer((await bot.send(question)).all_text())
    append(bot.kb_dir / "qa" / "test.yaml", NEW_ENTRY)
    replies = await bot.send("Ladda om kunskapsbasen", person=COORDINATOR)
    assert replies.typing
    text = replies.all_text()
    assert "Kunskapsbasen är omladdad" in text and "7 frågor" in text
    assert "Frågor och svar: 1 ny (arena-remiss)" in text
    answer = await bot.send(question)
    assert "Skicka en anmälan till den sammankallande i Arena-gruppen." in answer.all_text()
    health = await (await bot.http.get("/healthz")).json()
    assert health["knowledge_base"]["entries"] == 7


async def test_an_invalid_change_is_refused_and_the_old_base_keeps_answering(bot):
    append(bot.kb_dir / "qa" / "test.yaml", NEW_ENTRY + '  - id: halvfardig\n    question: "Utan svar"\n')
    replace(bot.kb_dir / "routing.yaml", "contact_list: lan-default", "contact_list: finns-inte")
    text = (await bot.send("ladda om", person=COORDINATOR)).all_text()
    assert "Kunskapsbasen laddades inte om" in text and "fortsätter med den gamla" in text
    assert (
        f"knowledge/qa/test.yaml:{line_of(bot.kb_dir / 'qa' / 'test.yaml', 'id: halvfardig')}: fältet 'answer' saknas"
        in text
    )
    assert "knowledge/routing.yaml:" in text and "kontaktlistan 'finns-inte' finns inte i contacts.yaml" in text
    assert "Personal på socialtjänsten" in (await bot.send("vem kallar till sip")).all_text()
    assert no_answer((await bot.send("hur remitterar jag till arenagruppen")).all_text())
    outcomes = sql(services(bot).store).execute("SELECT outcome FROM audit WHERE event = 'kb_reload'").fetchall()
    assert [r[0] for r in outcomes] == ["refused"]


async def test_conversations_in_progress_survive_a_reload(bot):
    answer = (await bot.send("vem kallar till sip")).cards[0]
    started = await bot.send("rapportera avvikelse")
    step = await bot.click(action(started.cards[-1], "Fyll i rapporten"))
    assert step.cards  # the first step of the form: a draft now exists
    # the entry the answer card is about, and its related entry, go away in the reload
    text = (bot.kb_dir / "qa" / "test.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: sip-vem-kallar")
    end = text.index("  - id: sip-af-fk-delta")
    text = text[:start] + text[end:]
    text = text.replace("    related: [sip-vem-kallar]\n", "")
    (bot.kb_dir / "qa" / "test.yaml").write_text(text, encoding="utf-8")
    reloaded = (await bot.send("ladda om kunskapsbasen", person=COORDINATOR)).all_text()
    assert "1 borttagen (sip-vem-kallar)" in reloaded
    # the draft form is still there
    resumed = await bot.send("fortsätt")
    assert "Här är formuläret du höll på med" in resumed.all_text() and resumed.cards
    # buttons on the old answer card still get a friendly reply, and feedback is still recorded
    assert "Tack för att du säger till" in (await bot.click(action(answer, "👎"))).all_text()
    contacts = await bot.click(action(answer, "Vem kontaktar jag?"))
    assert "Vilken kommun" in contacts.all_text() or "kontakt" in contacts.all_text().lower()
    # a "Menade du …?" button offering the removed entry, pressed after the reload
    gone = await bot.send(value={"verb": "qa.show", "id": "sip-vem-kallar", "via": "suggestion", "ref": "gammal"})
    assert gone.texts == ["Den frågan finns inte längre i kunskapsbasen. Skriv din fråga igen, så letar jag på nytt."]
    row = sql(services(bot).store).execute("SELECT entry_id, question FROM feedback").fetchone()
    assert tuple(row) == ("sip-vem-kallar", "vem kallar till sip")


# --- obesvarade frågor / feedback ----------------------------------------------------------------------


async def test_unanswered_questions_are_kept_grouped_and_redacted(teams_small):
    await teams_small.send("Var parkerar jag bilen?")
    await teams_small.send("var parkerar jag BILEN")
    await teams_small.send(f"Får jag skriva {PNR} i en fråga om tolk?")
    vague = vague_question(teams_small)
    suggested = await teams_small.send(vague)  # "Menade du …?" and nothing chosen
    assert "Menade du" in suggested.all_text()
    offered = [a["title"] for a in submit_actions(suggested.cards[0])][:-1]
    chosen = (await teams_small.send(vague + "?")).cards[0]  # the same again, but this time …
    await teams_small.click(submit_actions(chosen)[0])  # … a suggestion was chosen: answered
    stored = [r[0] for r in sql(services(teams_small).store).execute("SELECT question FROM unanswered")]
    assert not any(PNR in q or "19121212" in q for q in stored)

    replies = await teams_small.send("obesvarade frågor", person=COORDINATOR)
    card = replies.cards[0]
    text = card_strings(card)
    assert "Obesvarade frågor" in text and "Senaste 30 dagarna: 4 frågor, 3 olika" in text
    bolded = [b["items"][0]["text"] for b in card["body"] if b.get("type") == "Container"]
    assert bolded[0] == "var parkerar jag BILEN"  # the most frequent first, latest wording
    assert "2 gånger" in text and "inget svar alls" in text
    assert f"erbjöd ”Menade du”: {offered[0]} (" in text
    assert r"\[personnummer borttaget\]" in text and "19121212" not in str(card)  # markdown-escaped
    # each with a button to test it
    tested = await teams_small.click(action(card, "Testa frågan"), person=COORDINATOR)
    assert "Testa en fråga" in tested.all_text() and "var parkerar jag BILEN" in tested.all_text()
    # a period can be given
    assert "Senaste 7 dagarna" in (await teams_small.send("obesvarade frågor 7 dagar", person=COORDINATOR)).all_text()


async def test_negative_feedback_is_kept_with_the_question_asked(teams_small):
    first = (await teams_small.send("Vem kallar till SIP?")).cards[0]
    await teams_small.click(action(first, "👎"))
    second = (await teams_small.send("vem kallar till sip")).cards[0]
    await teams_small.click(action(second, "👎"))
    third = (await teams_small.send(f"vem kallar till sip för {PNR}")).cards[0]
    await teams_small.click(action(third, "👎"))
    other = (await teams_small.send("vilka kommuner har arena")).cards[0]
    await teams_small.click(action(other, "👎"))
    await teams_small.click(action(other, "👍"))
    # card data comes back from the client: a forged question is redacted too
    await teams_small.send(value={"verb": "feedback", "entry": "arena-kommuner", "vote": "down", "q": f"x {PNR}"})
    stored = [r[0] for r in sql(services(teams_small).store).execute("SELECT question FROM feedback")]
    assert not any("19121212" in q for q in stored)

    card = (await teams_small.send("feedback", person=COORDINATOR)).cards[0]
    text = card_strings(card)
    assert "Negativ återkoppling (👎)" in text and "5 👎 och 1 👍" in text
    bolded = [b["items"][0]["text"] for b in card["body"] if b.get("type") == "Container"]
    assert bolded[0] == "vem kallar till sip"
    assert "2 gånger" in text and "svaret: Vem kallar till SIP? (sip-vem-kallar)" in text
    assert r"x \[personnummer borttaget\]" in text
    tested = await teams_small.click(action(card, "Testa frågan"), person=COORDINATOR)
    assert "Boten svarar med ”Vem kallar till SIP?”" in tested.all_text()


# --- veckosammanfattning ---------------------------------------------------------------------------------


async def test_the_digest_is_posted_to_the_connected_channel(teams_small, connector):
    linked = await in_channel(teams_small, "koppla kanal sammanfattning")
    assert "Veckosammanfattningen skickas hit" in linked.all_text()
    await teams_small.send("vem kallar till sip")
    answered = (await teams_small.send("vilka kommuner har arena")).cards[0]
    await teams_small.click(action(answered, "👎"))
    await teams_small.send("Var parkerar jag bilen?")
    await teams_small.send("var parkerar jag bilen")
    store = services(teams_small).store
    for n in range(2):
        case, _ = await file_test_case(
            store, "avvikelse", f"form-{n}", "vetlanda", reporter_aad=CASEWORKER.aad, reporter_name=CASEWORKER.name
        )
    await cases.change_status(store, case, "under-utredning", COORDINATOR.aad)
    await file_test_case(store, "arena", "form-a", "habo", reporter_aad=CASEWORKER.aad, reporter_name=CASEWORKER.name)

    replies = await teams_small.send("skicka sammanfattning", person=COORDINATOR)
    assert replies.texts == ["Veckosammanfattningen är skickad till kanalen för veckosammanfattningen."]
    posted = [c for c in replies if c.method == "send" and c.conversation == DIGEST_CHANNEL_CONV]
    assert len(posted) == 1, [(c.method, c.conversation) for c in replies]
    card = posted[0].body["attachments"][0]["content"]
    text = card_strings(card)
    assert "Veckosammanfattning" in text
    facts = {f["title"]: f["value"] for b in card["body"] if b.get("type") == "FactSet" for f in b["facts"]}
    assert facts["Besvarade frågor"] == "2" and facts["Inte besvarade"] == "2"
    assert facts["Återkoppling"] == "0 👍 · 1 👎"
    assert "2 × var parkerar jag bilen" in text
    assert "1 × vilka kommuner har arena (svaret: Vilka kommuner ingår i Arena?)" in text
    assert facts["Avvikelser i samverkan"] == "2 (Mottagen 1, Under utredning 1)"
    assert facts["Arena-förfrågningar"] == "1 (Mottagen 1)" and facts["SIP-förfrågningar"] == "0"
    # the buttons open the lists for a coordinator
    shown = await teams_small.click(action(card, "Visa obesvarade frågor"), person=COORDINATOR)
    assert "Senaste 7 dagarna" in shown.all_text()


async def test_the_digest_without_a_channel_is_shown_as_a_preview(teams_small):
    replies = await teams_small.send("skicka sammanfattning", person=COORDINATOR)
    assert "Ingen kanal är kopplad för veckosammanfattningen" in replies.texts[0]
    assert "koppla kanal sammanfattning" in replies.texts[0]
    assert "Veckosammanfattning" in card_strings(replies.cards[0])
    assert not [c for c in replies if c.method == "send"]


async def test_the_scheduled_digest_reaches_the_channel(teams_small, connector):
    from datetime import datetime, timedelta, timezone

    from lotsen import digest
    from lotsen.schedule import WeeklySchedule

    await in_channel(teams_small, "koppla kanal sammanfattning")
    svc = services(teams_small)
    moment = [datetime(2026, 11, 23, 6, 59, tzinfo=timezone.utc)]
    svc.clock = lambda: moment[0]

    async def sleep(seconds):
        moment[0] += timedelta(seconds=seconds)
        if moment[0] > datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc):
            raise StopAsyncIteration

    mark = len(connector.calls)
    with pytest.raises(StopAsyncIteration):
        await digest.run_schedule(svc, WeeklySchedule.parse("mon 08:00", "Europe/Stockholm"), sleep=sleep)
    posted = [c for c in connector.since(mark) if c.method == "send" and c.conversation == DIGEST_CHANNEL_CONV]
    assert len(posted) == 1
    assert "Veckosammanfattning" in card_strings(posted[0].body["attachments"][0]["content"])
