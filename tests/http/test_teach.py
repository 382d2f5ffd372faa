"""Coordinators teach the bot from chat: "Koppla till svar…", "Markera som utanför", "Ångra" — over HTTP."""

import shutil

import yaml

from bot.app_factory import SERVICES
from tests.support.db import sql
from tests.conftest import FIXTURE_KB, make_settings, start_bot
from tests.support.teams import CASEWORKER, COORDINATOR, action, card_strings


async def test_link_an_unanswered_question_to_an_entry_then_undo(connector, tmp_path):
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, kb_dir)
    teams = await start_bot(connector, make_settings(tmp_path, knowledge_dir=kb_dir))
    try:
        question = "vem ordnar lokal för planeringen"
        first = await teams.send(question)
        assert "skolan kan kalla" not in first.all_text()  # not answered

        listing = (await teams.send("obesvarade frågor", person=COORDINATOR)).cards[0]
        assert question in card_strings(listing)
        pick = (await teams.click(action(listing, "Koppla till svar…"), person=COORDINATOR)).cards[0]
        assert "Koppla till svar" in card_strings(pick)
        done = await teams.click(action(pick, "Koppla"), {"entry": "sip-vem-kallar"}, person=COORDINATOR)
        assert "är nu en formulering av ”Vem kallar till SIP?”" in done.all_text()

        # Written to inlart.yaml with who and when, live at once (reloaded), and off the list.
        data = yaml.safe_load((kb_dir / "inlart.yaml").read_text(encoding="utf-8"))
        [taught] = data["phrasings"]
        assert taught["entry"] == "sip-vem-kallar" and taught["phrasing"] == question
        assert taught["by"] == COORDINATOR.aad and taught["name"] == COORDINATOR.name and taught["at"].startswith("20")
        answered = await teams.send(question)
        assert "skolan kan kalla" in answered.all_text()  # the answer of sip-vem-kallar
        again = card_strings((await teams.send("obesvarade frågor", person=COORDINATOR)).cards[0])
        assert question not in again

        # Ångra: the phrasing is removed again and the question is back in the list.
        undo = await teams.click(
            action(done.cards[0] if done.cards else done.updates[-1].body["attachments"][0]["content"], "Ångra"),
            person=COORDINATOR,
        )
        assert "Ångrat" in undo.all_text()
        assert yaml.safe_load((kb_dir / "inlart.yaml").read_text(encoding="utf-8"))["phrasings"] == []
        assert question in card_strings((await teams.send("obesvarade frågor", person=COORDINATOR)).cards[0])
        events = [
            r[0]
            for r in sql(teams.app[SERVICES].store).execute(
                "SELECT event FROM audit WHERE event LIKE 'teach%' ORDER BY id"
            )
        ]
        assert events == ["teach_phrasing", "teach_undo"]
    finally:
        await teams.http.close()


async def test_mark_out_of_scope_and_only_coordinators_may(connector, tmp_path):
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, kb_dir)
    teams = await start_bot(connector, make_settings(tmp_path, knowledge_dir=kb_dir))
    try:
        await teams.send("hur bakar man surdegsbröd")
        listing = (await teams.send("obesvarade frågor", person=COORDINATOR)).cards[0]
        button = action(listing, "Markera som utanför")
        refused = await teams.click(button, person=CASEWORKER)
        assert refused.texts == [
            "Det här kan bara samverkanskoordinatorer göra. Kontakta din samverkanskoordinator om du behöver hjälp."
        ]
        assert not (kb_dir / "inlart.yaml").exists()
        done = await teams.click(button, person=COORDINATOR)
        assert "Markerad som utanför" in done.all_text()
        data = yaml.safe_load((kb_dir / "inlart.yaml").read_text(encoding="utf-8"))
        assert [q["question"] for q in data["out_of_scope"]] == ["hur bakar man surdegsbröd"]
        assert "surdeg" not in card_strings((await teams.send("obesvarade frågor", person=COORDINATOR)).cards[0])
    finally:
        await teams.http.close()


async def test_a_taught_phrasing_for_a_missing_entry_is_an_error_with_file_and_line(tmp_path):
    from lotsen.kb.loader import check_knowledge_base

    kb_dir = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, kb_dir)
    (kb_dir / "inlart.yaml").write_text(
        'phrasings:\n  - {entry: finns-inte, phrasing: "hej"}\nout_of_scope: []\n', encoding="utf-8"
    )
    kb, errors = check_knowledge_base(kb_dir)
    assert kb is None and len(errors) == 1
    assert str(errors[0]).startswith("knowledge/inlart.yaml:2") and "finns-inte" in str(errors[0])
