"""The Arena and SIP forms are data (knowledge/forms/arena.yaml, sip.yaml): a coordinator rewords a
stop card or a field label in YAML only and the bot says the new words; a broken form file is
reported with file and line; every condition a form file names is one the flow supplies."""

from __future__ import annotations

import shutil

import pytest

from dialogs import arena, sip
from lotsen.kb.loader import KnowledgeBaseError, load_knowledge_base
from tests.conftest import FIXTURE_KB, make_settings, start_bot
from tests.http.test_request_flow import SIP_TRIAGE, Chat, heading
from tests.support.teams import card_strings

NEW_TITLE = "Fråga individen om SIP först"
NEW_LABEL = "Vilka har insatser som ska samordnas i SIP:en?"


def edited(tmp_path, name: str, old: str, new: str):
    copy = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, copy)
    path = copy / "forms" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


async def test_a_stop_card_and_a_label_reworded_in_yaml_reach_the_chat(connector, tmp_path):
    kb_dir = edited(tmp_path, "sip.yaml", 'title: "Individen behöver säga ja till SIP"', f'title: "{NEW_TITLE}"')
    text = (kb_dir / "forms" / "sip.yaml").read_text(encoding="utf-8")
    (kb_dir / "forms" / "sip.yaml").write_text(
        text.replace('label: "Vilka har insatser som behöver samordnas?"', f'label: "{NEW_LABEL}"'), encoding="utf-8"
    )
    teams = await start_bot(connector, make_settings(tmp_path, knowledge_dir=kb_dir))
    try:
        chat = Chat(teams)
        await chat.say("kalla till SIP")
        assert NEW_LABEL in card_strings(chat.card)
        await chat.press("Fortsätt", {**SIP_TRIAGE, "samtycke": "false"})
        assert heading(chat.card) == NEW_TITLE
        assert "Individen har sagt ja nu" in card_strings(chat.card)  # the rest of the card as before
    finally:
        await teams.http.close()


def test_a_broken_stop_card_is_reported_with_file_and_line(tmp_path):
    kb_dir = edited(
        tmp_path,
        "arena.yaml",
        '      - {do: switch, title: "Begär SIP i stället", style: positive}',
        '      - {do: fly, title: "Begär SIP i stället", style: positive}',
    )
    with pytest.raises(KnowledgeBaseError) as failed:
        load_knowledge_base(kb_dir)
    assert "forms/arena.yaml:" in str(failed.value) and "'fly'" in str(failed.value)


@pytest.mark.parametrize("module", [arena, sip])
def test_every_condition_in_a_form_file_is_supplied_by_its_flow(module):
    form = load_knowledge_base(FIXTURE_KB).forms[module.KIND]
    named = {line.condition for line in form.next_steps}
    for stop in form.stops.values():
        named |= {line.condition for line in stop.lines}
        named |= {c.condition for c in stop.contacts} | {a.condition for a in stop.actions}
    named = {c.removeprefix("not ") for c in named if c}
    assert named <= set(module.CONDITIONS), named - set(module.CONDITIONS)
