"""A caseworker files an "avvikelse i samverkan" over HTTP, the way Teams sends it."""

import asyncio
import json

import pytest

from bot.app_factory import SERVICES
from tests.conftest import FIXTURE_KB, make_settings, start_bot
from tests.support.teams import action, card_strings, submit_actions
from tests.support.db import sql, write

STEP1 = {
    "datum": "2026-11-20",
    "kommun": "vetlanda",
    "organisation": "kommun",
    "parter": "kommun,arbetsformedlingen",
    "insats": "sip",
}
STEP2 = {
    "beskrivning": "Arbetsförmedlingen kom inte till SIP-mötet och ingen ny tid bokades.",
    "allvarlighet": "allvarlig",
    "orsaker": "kommunikation,mote-ej-genomfort",
    "orsak_annat": "",
    "konsekvenser": "sip-forsvaras,dubbelarbete",
    "konsekvens_annat": "",
}
STEP3 = {
    "sip": "kallad-part-uteblev",
    "losningar": "sip-tidigt",
    "losning_text": "",
    "atgarder": "dialog",
    "atgard_text": "",
    "aterkoppling": "true",
}
FORM_CARD = "form-card-1"  # the id Teams gave the card the caseworker is filling in
FREE_TEXT = {"beskrivning": 2, "orsak_annat": 2, "konsekvens_annat": 2, "losning_text": 3, "atgard_text": 3}


def db(teams):
    return sql(teams.app[SERVICES].store)


def updated_card(replies):
    assert replies.updates, f"expected the card to be updated in place; got {replies.all_text()!r}"
    call = replies.updates[-1]
    assert call.activity_id == FORM_CARD
    return call.body["attachments"][0]["content"]


async def open_form(teams):
    notice = (await teams.send("Jag vill rapportera en avvikelse")).cards[0]
    replies = await teams.click(action(notice, "Fyll i rapporten"))
    return replies.cards[0]


async def fill(teams, card, step, inputs, button="Nästa"):
    return await teams.click(action(card, button), inputs, reply_to_id=FORM_CARD)


async def to_review(teams):
    card = await open_form(teams)
    card = updated_card(await fill(teams, card, 1, STEP1))
    card = updated_card(await fill(teams, card, 2, STEP2))
    return updated_card(await fill(teams, card, 3, STEP3, "Granska"))


@pytest.mark.parametrize(
    "text",
    [
        "jag vill rapportera en avvikelse",
        "avvikelse i samverkan",
        "Rapportera avvikelse!",
        "rapportera en avvikelese",
        "ny avvikelse",
        "anmäla avvikelser",
    ],
)
async def test_the_flow_starts_from_text(teams_small, text):
    card = (await teams_small.send(text)).cards[0]
    text = card_strings(card)
    assert "Rapportera en avvikelse i samverkan" in text
    assert "avidentifierad" in text and "inga personnummer" in text
    assert "Allvarlig" in text and "egen (eller rätt) försörjning" in text
    assert (
        "Källa: [Höglandets samordningsförbund – årsredovisning 2024](https://www.finsamjonkopingslan.se) – ”Bilaga 6"
        in text
    )


async def test_a_question_about_deviations_is_answered_not_started(teams_small):
    replies = await teams_small.send("vad är en allvarlig avvikelse")
    text = replies.all_text()
    assert "En situation som riskerar få konsekvenser" in text
    start = action(replies.cards[0], "Rapportera en avvikelse")
    assert "Rapportera en avvikelse i samverkan" in (await teams_small.click(start)).all_text()


async def test_the_flow_starts_from_the_welcome_and_help_cards(teams_small):
    welcome = (await teams_small.install()).cards[0]
    assert "avidentifierad" in (await teams_small.click(action(welcome, "Rapportera avvikelse"))).all_text()
    help_card = (await teams_small.send("hjälp")).cards[0]
    assert "avidentifierad" in (await teams_small.click(action(help_card, "Rapportera avvikelse"))).all_text()


async def test_happy_path_files_one_report_and_replaces_the_form_with_a_receipt(teams_small):
    card = await open_form(teams_small)
    assert "Steg 1 av 3: Om händelsen" in card_strings(card)
    card = updated_card(await fill(teams_small, card, 1, STEP1))
    assert "Steg 2 av 3: Vad hände" in card_strings(card)
    card = updated_card(await fill(teams_small, card, 2, STEP2))
    assert "Steg 3 av 3: Förslag och återkoppling" in card_strings(card)
    review = updated_card(await fill(teams_small, card, 3, STEP3, "Granska"))
    text = card_strings(review)
    for expected in (
        "Avvikelse i samverkan: granska",
        "Vetlanda",
        "Kommun; Arbetsförmedlingen",
        "SIP – samordnad individuell plan",
        "Arbetsförmedlingen kom inte till SIP-mötet",
        "Bristande kommunikation och/eller informationsutbyte",
        "Ja – kallat till SIP men en part uteblev",
        "Dialog mellan berörda parter",
    ):
        assert expected in text, expected
    assert [a["title"] for a in submit_actions(review)][-2:] == ["Skicka", "Avbryt"]
    assert db(teams_small).execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0

    replies = await teams_small.click(action(review, "Skicka"), reply_to_id=FORM_CARD)
    assert replies.typing  # shown before the filing work
    receipt = updated_card(replies)
    text = card_strings(receipt)
    assert "Tack! Uppgifterna är sparade." in text and "AVV-2026-0001" in text
    assert submit_actions(receipt) == [] and "actions" not in receipt
    row = db(teams_small).execute("SELECT * FROM cases").fetchone()
    assert row["reference"] == "AVV-2026-0001" and row["kind"] == "avvikelse"
    assert row["municipality"] == "vetlanda" and row["status"] == "mottagen" and row["wants_feedback"] == 1
    values = json.loads(row["data"])["values"]
    assert values["parter"] == ["kommun", "arbetsformedlingen"] and values["datum"] == "2026-11-20"
    assert db(teams_small).execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0


async def test_required_fields_are_checked_on_the_server_with_input_kept(teams_small):
    card = await open_form(teams_small)
    partial = dict(STEP1, kommun="", parter="")
    card = updated_card(await fill(teams_small, card, 1, partial))
    text = card_strings(card)
    assert "Rätta 2 fält nedan." in text
    assert "⚠ Välj ett alternativ." in text and "⚠ Välj minst ett alternativ." in text
    inputs = {e["id"]: e.get("value") for e in card["body"] if e.get("id")}
    assert inputs["datum"] == "2026-11-20" and inputs["insats"] == "sip"  # what was typed is kept


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("datum", "2999-01-01", "Datumet kan inte vara i framtiden."),
        ("datum", "1999-12-31", "Datumet kan inte vara tidigare än"),
        ("datum", "20 nov", "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ("kommun", "atlantis", "Välj ett av alternativen i listan."),
        ("parter", "kommun,hemliga-tjansten", "Välj bara bland alternativen i listan."),
    ],
)
async def test_step_one_validation_errors(teams_small, field, value, message):
    card = await open_form(teams_small)
    card = updated_card(await fill(teams_small, card, 1, dict(STEP1, **{field: value})))
    assert message in card_strings(card)
    assert "Steg 1 av 3" in card_strings(card)


async def test_unknown_extra_fields_are_rejected(teams_small):
    card = await open_form(teams_small)
    card = updated_card(await fill(teams_small, card, 1, dict(STEP1, reporter_id="admin")))
    assert "Formuläret innehöll okända fält" in card_strings(card)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"beskrivning": "för kort"}, "minst 20 tecken"),
        ({"beskrivning": "x" * 2001}, "högst 2000 tecken"),
        ({"orsaker": "annat", "orsak_annat": ""}, "Du valde Annat: beskriv orsaken kort."),
        ({"konsekvenser": "annat", "konsekvens_annat": ""}, "Du valde Annat: beskriv konsekvensen kort."),
        ({"allvarlighet": ""}, "Välj ett alternativ."),
    ],
)
async def test_step_two_validation_errors(teams_small, changes, message):
    card = await open_form(teams_small)
    card = updated_card(await fill(teams_small, card, 1, STEP1))
    card = updated_card(await fill(teams_small, card, 2, dict(STEP2, **changes)))
    text = card_strings(card)
    assert message in text and "Steg 2 av 3" in text


@pytest.mark.parametrize("field", sorted(FREE_TEXT))
@pytest.mark.parametrize(
    "number",
    ["19121212-1212", "121212-1212", "900161-2382", "199001612382", "12-12-12-1212", "121212/1212", "1212 12-1212"],
)
async def test_personnummer_in_any_free_text_field_is_refused_and_never_stored(teams_small, field, number):
    card = await open_form(teams_small)
    card = updated_card(await fill(teams_small, card, 1, STEP1))
    step = FREE_TEXT[field]
    if step == 3:
        card = updated_card(await fill(teams_small, card, 2, STEP2))
    base = dict(STEP2 if step == 2 else STEP3)
    text_value = f"Klienten med nummer {number} fick inget stöd från någon part."
    base[field] = text_value
    if field == "orsak_annat":
        base["orsaker"] = "annat"
    if field == "konsekvens_annat":
        base["konsekvenser"] = "annat"
    replies = await fill(teams_small, card, step, base, "Granska" if step == 3 else "Nästa")
    card = updated_card(replies)
    text = card_strings(card)
    assert "Ta bort personnumret eller samordningsnumret" in text
    assert number not in json.dumps(card)  # not even echoed back into the input
    digits = "".join(c for c in number if c.isdigit())[-10:]
    for table in ("drafts", "cases", "audit", "unanswered"):
        dump = json.dumps([tuple(r) for r in db(teams_small).execute(f"SELECT * FROM {table}").fetchall()])
        assert digits not in dump.replace("-", "").replace(" ", ""), table
    assert db(teams_small).execute("SELECT COUNT(*) FROM audit WHERE event = 'pii_blocked'").fetchone()[0] == 1


@pytest.mark.parametrize(
    "harmless",
    [
        "Ring 070-123 45 67 efter kl 10",
        "Mötet 2024-11-23 ställdes in",
        "Org.nr 556036-0793 var fel",
        "Ärendenummer 121212-1213 i diariet",
        "Se AVV-2026-0007 och 2024-1234 i listan",
    ],
)
async def test_look_alikes_pass_the_guard(teams_small, harmless):
    card = await open_form(teams_small)
    card = updated_card(await fill(teams_small, card, 1, STEP1))
    beskrivning = f"{harmless}, samverkan fungerade inte."
    card = updated_card(await fill(teams_small, card, 2, dict(STEP2, beskrivning=beskrivning)))
    assert "Steg 3 av 3" in card_strings(card)
    draft = db(teams_small).execute("SELECT data FROM drafts").fetchone()[0]
    assert json.loads(draft)["values"]["beskrivning"] == beskrivning


async def test_back_and_edit_keep_what_was_entered(teams_small):
    card = await open_form(teams_small)
    card = updated_card(await fill(teams_small, card, 1, STEP1))
    back = updated_card(await teams_small.click(action(card, "Tillbaka"), reply_to_id=FORM_CARD))
    inputs = {e["id"]: e.get("value") for e in back["body"] if e.get("id")}
    assert inputs["kommun"] == "vetlanda" and inputs["parter"] == "kommun,arbetsformedlingen"
    review = await to_review(teams_small)
    edit = updated_card(await teams_small.click(action(review, "Ändra vad hände"), reply_to_id=FORM_CARD))
    assert "Steg 2 av 3" in card_strings(edit)
    inputs = {e["id"]: e.get("value") for e in edit["body"] if e.get("id")}
    assert inputs["beskrivning"] == STEP2["beskrivning"]


async def test_cancel_with_the_button_ends_the_flow_and_stores_nothing(teams_small):
    card = await open_form(teams_small)
    card = updated_card(await fill(teams_small, card, 1, STEP1))
    replies = await teams_small.click(action(card, "Avbryt"), reply_to_id=FORM_CARD)
    assert "Inget har sparats" in card_strings(updated_card(replies))
    assert db(teams_small).execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0
    stale = await fill(teams_small, card, 2, STEP2)
    assert "Formuläret finns inte längre" in stale.all_text()


async def test_typing_avbryt_at_any_point_ends_the_flow(teams_small):
    card = await open_form(teams_small)
    updated_card(await fill(teams_small, card, 1, STEP1))
    replies = await teams_small.send("Avbryt")
    assert replies.texts == ["Avbrutet. Inget har sparats. Du kan börja om när du vill."]
    assert db(teams_small).execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0
    assert "inget påbörjat formulär" in (await teams_small.send("avbryt")).all_text()


async def test_a_question_mid_flow_is_answered_and_the_form_can_be_resumed(teams_small):
    card = await open_form(teams_small)
    updated_card(await fill(teams_small, card, 1, STEP1))
    replies = await teams_small.send("vem kallar till sip")
    assert "Individen kan själv önska en SIP" in replies.all_text()
    assert "Du har ett påbörjat formulär" in replies.all_text()
    resumed = await teams_small.send("fortsätt")
    assert "Steg 2 av 3: Vad hände" in resumed.all_text()


async def test_a_draft_survives_a_restart(connector, tmp_path):
    settings = make_settings(tmp_path, knowledge_dir=FIXTURE_KB)
    first = await start_bot(connector, settings)
    card = await open_form(first)
    card = updated_card(await fill(first, card, 1, STEP1))
    await first.http.close()  # the bot process goes away mid-draft

    second = await start_bot(connector, settings)
    try:
        card = updated_card(await fill(second, card, 2, STEP2))
        assert "Steg 3 av 3" in card_strings(card)
        review = updated_card(await fill(second, card, 3, STEP3, "Granska"))
        receipt = updated_card(await second.click(action(review, "Skicka"), reply_to_id=FORM_CARD))
        assert "AVV-2026-0001" in card_strings(receipt)
    finally:
        await second.http.close()


async def test_an_expired_draft_says_so(teams_small):
    card = await open_form(teams_small)
    await write(teams_small.app[SERVICES].store, "UPDATE drafts SET expires_at = '2000-01-01T00:00:00+00:00'")
    replies = await fill(teams_small, card, 1, STEP1)
    assert "Formuläret finns inte längre (det kan ha avbrutits eller gått ut)" in replies.all_text()


async def test_a_card_from_an_older_form_is_recognised(teams_small):
    old = await open_form(teams_small)
    await open_form(teams_small)  # started again: a new form id
    replies = await fill(teams_small, old, 1, STEP1)
    assert "Det kortet hör till ett äldre formulär" in replies.all_text()
    assert "Steg 1 av 3" in replies.all_text()


async def test_double_click_files_exactly_one_report(teams_small):
    review = await to_review(teams_small)
    first = await teams_small.click(action(review, "Skicka"), reply_to_id=FORM_CARD)
    second = await teams_small.click(action(review, "Skicka"), reply_to_id=FORM_CARD)
    assert "AVV-2026-0001" in first.all_text()
    # the same receipt again, not a message that reads like a failure
    assert second.texts == []
    assert card_strings(second.updates[-1].body["attachments"][0]["content"]) == card_strings(
        first.updates[-1].body["attachments"][0]["content"]
    )
    assert db(teams_small).execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1


async def test_concurrent_submits_file_exactly_one_report(teams_small):
    review = await to_review(teams_small)
    send = action(review, "Skicka")
    results = await asyncio.gather(*(teams_small.click(send, reply_to_id=FORM_CARD) for _ in range(4)))
    assert db(teams_small).execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1
    assert all("AVV-2026-0001" in r.all_text() for r in results)


async def test_a_redelivered_activity_files_exactly_one_report(teams_small):
    review = await to_review(teams_small)
    activity = teams_small.activity(
        value=dict(action(review, "Skicka")["data"]), reply_to_id=FORM_CARD, activity_id="teams-redelivers-this-id"
    )
    _, first, _ = await teams_small.post(activity)
    _, again, _ = await teams_small.post(activity)
    assert "AVV-2026-0001" in first.all_text() and "AVV-2026-0001" in again.all_text()
    assert db(teams_small).execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1


async def test_references_count_up(teams_small):
    for expected in ("AVV-2026-0001", "AVV-2026-0002"):
        review = await to_review(teams_small)
        receipt = updated_card(await teams_small.click(action(review, "Skicka"), reply_to_id=FORM_CARD))
        assert expected in card_strings(receipt)


async def test_altered_card_data_cannot_skip_a_step(teams_small):
    card = await open_form(teams_small)
    forged = dict(action(card, "Nästa")["data"], step=2, **STEP3)  # claims to be the last step
    replies = await teams_small.send(value=forged, reply_to_id=FORM_CARD)
    text = card_strings(updated_card(replies))
    assert "Steg 1 av 3" in text and "Formuläret innehöll okända fält" in text


async def test_a_report_with_missing_required_values_is_not_filed(teams_small):
    review = await to_review(teams_small)
    store = teams_small.app[SERVICES].store
    key, flow, data = sql(store).execute("SELECT key, flow, data FROM drafts").fetchone()
    draft = json.loads(data)
    draft["values"]["beskrivning"] = ""  # as if a step had been skipped
    await write(store, "UPDATE drafts SET data = ? WHERE key = ?", (json.dumps(draft), key))
    replies = await teams_small.click(action(review, "Skicka"), reply_to_id=FORM_CARD)
    assert "Några obligatoriska uppgifter saknas" in replies.all_text()
    assert "Steg 2 av 3" in replies.all_text()
    assert sql(store).execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0


def input_after(card, field_id):
    """The input with this id and the element right after it (where its error is shown)."""
    body = card["body"]
    for i, element in enumerate(body):
        if element.get("id") == field_id:
            return element, body[i + 1] if i + 1 < len(body) else {}
    raise AssertionError(f"no input {field_id!r}")


async def test_a_personnummer_keeps_the_text_masked_and_the_error_by_the_field(teams_small, caplog):
    caplog.set_level("DEBUG")
    card = await open_form(teams_small)
    card = updated_card(await fill(teams_small, card, 1, STEP1))
    written = "Klienten 19121212-1212 fick ingen ny tid efter att Arbetsförmedlingen uteblev."
    card = updated_card(await fill(teams_small, card, 2, dict(STEP2, beskrivning=written)))
    field, after = input_after(card, "beskrivning")
    assert field["value"] == "Klienten ▇▇▇▇▇▇▇▇-▇▇▇▇ fick ingen ny tid efter att Arbetsförmedlingen uteblev."
    assert after["text"].startswith("⚠ Ta bort personnumret") and after["color"] == "Attention"
    # the other fields of the step keep what was entered
    assert input_after(card, "allvarlighet")[0]["value"] == "allvarlig"
    # Sent again unchanged: still refused, the mask must be rewritten.
    card = updated_card(await fill(teams_small, card, 2, dict(STEP2, beskrivning=field["value"])))
    assert (
        input_after(card, "beskrivning")[1]["text"]
        == "⚠ Ta bort tecknen ▇ (där personnumret stod) och skriv om meningen utan numret."
    )
    fixed = "Klienten fick ingen ny tid efter att Arbetsförmedlingen uteblev."
    card = updated_card(await fill(teams_small, card, 2, dict(STEP2, beskrivning=fixed)))
    assert "Steg 3 av 3" in card_strings(card)
    # The number itself: never stored, never logged, never echoed.
    for table in ("drafts", "audit"):
        dump = json.dumps([tuple(r) for r in db(teams_small).execute(f"SELECT * FROM {table}").fetchall()])
        assert "19121212" not in dump and "1212-1212" not in dump, table
    assert "19121212" not in caplog.text and "1212-1212" not in caplog.text
