"""A coordinator adds an optional free-text field to the deviation form by editing YAML only.

The test copies the fixture knowledge base, adds the field to knowledge/forms/avvikelse.yaml,
starts the bot on the copy and files a report over HTTP with the new field filled in. The
answer must then show up wherever the report is shown: the review, the card posted to the
coordinators' channel, the yearly compilation and the CSV export for Excel.
"""

from __future__ import annotations

import asyncio
import csv
import io
import shutil

from scripts import export_cases
from tests.conftest import FIXTURE_KB, make_settings, start_bot
from tests.support.reports import CHANNEL_ID, deviation_values, in_channel
from tests.support.teams import action, card_strings

LABEL = "Vad kan parterna lära sig av händelsen?"
ANSWER = "Boka nästa SIP-möte innan det första avslutas."
NEW_FIELD = f"""      - id: lardomar
        label: "{LABEL}"
        kind: textarea
        max_length: 800
        placeholder: "Till exempel en rutin som saknades"
"""


def knowledge_with_new_field(tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, copy)
    form = copy / "forms" / "avvikelse.yaml"
    text = form.read_text(encoding="utf-8")
    anchor = "      - {id: aterkoppling,"
    assert anchor in text
    form.write_text(text.replace(anchor, NEW_FIELD + anchor), encoding="utf-8")
    return copy


def card_of(call) -> dict:
    (attachment,) = call.body["attachments"]
    return attachment["content"]


async def test_a_field_added_in_yaml_is_asked_reviewed_posted_compiled_and_exported(connector, tmp_path):
    kb_dir = knowledge_with_new_field(tmp_path)
    settings = make_settings(tmp_path, knowledge_dir=kb_dir)
    teams = await start_bot(connector, settings)
    try:
        assert "Klart!" in (await in_channel(teams, "koppla kanal avvikelser Vetlanda")).all_text()

        card = (
            await teams.click(action((await teams.send("rapportera avvikelse")).cards[-1], "Fyll i rapporten"))
        ).cards[-1]
        steps = deviation_values()
        steps[2]["lardomar"] = ANSWER
        for inputs in steps:
            if LABEL in card_strings(card):
                assert "Till exempel en rutin som saknades" in card_strings(card)  # the placeholder, from YAML
            button = "Granska" if inputs is steps[-1] else "Nästa"
            card = (await teams.click(action(card, button), inputs)).cards[-1]
        review = card_strings(card)
        assert LABEL in review and ANSWER in review, review

        replies = await teams.click(action(card, "Skicka"))
        assert "AVV-2026-0001" in replies.all_text()
        (post,) = [c for c in replies if c.method == "send" and c.conversation == CHANNEL_ID]
        channel_card = card_strings(card_of(post))
        assert LABEL in channel_card and ANSWER in channel_card, channel_card

        compilation = card_strings((await in_channel(teams, "sammanställning")).cards[-1])
        assert LABEL in compilation and ANSWER in compilation, compilation
    finally:
        await teams.http.close()

    out = tmp_path / "export.csv"
    argv = ["--out", str(out), "--data-dir", str(settings.data_dir), "--knowledge-dir", str(kb_dir)]
    assert await asyncio.to_thread(export_cases.main, argv, out=io.StringIO()) == 0
    header, row = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline=""), delimiter=";"))
    assert dict(zip(header, row))[LABEL] == ANSWER


def test_the_knowledge_base_check_names_file_and_line_of_a_bad_field(tmp_path):
    from lotsen.kb.loader import check_knowledge_base

    kb_dir = knowledge_with_new_field(tmp_path)
    form = kb_dir / "forms" / "avvikelse.yaml"
    text = form.read_text(encoding="utf-8").replace(
        "kind: textarea\n        max_length: 800", "kind: fritext\n        max_length: 800"
    )
    form.write_text(text, encoding="utf-8")
    line = text.splitlines().index("      - id: lardomar") + 1
    kb, problems = check_knowledge_base(kb_dir)
    assert kb is None
    assert [(p.file, p.line) for p in problems] == [("kb/forms/avvikelse.yaml", line)]
    assert "okänd kind 'fritext'" in problems[0].message
