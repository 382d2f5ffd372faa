"""A case kind is data: its title (the form's `title:`), reference prefix, nouns, notification
title and status titles are the `case:` block of knowledge/forms/<kind>.yaml, read when the
application is built (bot.composition.case_kinds), and every reader uses that registry.

The test copies the fixture knowledge base, renames the deviation kind, its reference prefix and
its first status, starts the bot on the copy and files a report over HTTP: the receipt, "mina
ärenden", "status <referens>" and the case card in the coordinators' channel show the new names."""

from __future__ import annotations

import re
import shutil

import pytest

from lotsen.kb import load_knowledge_base
from lotsen.kb.loader import check_knowledge_base
from tests.conftest import FIXTURE_KB, make_settings, start_bot
from tests.support.kinds import PREFIX
from tests.support.reports import CHANNEL_ID, deviation_values, in_channel
from tests.support.teams import action, card_strings

TITLE = "Samverkansbrist"
STATUS = "Inkommen till förbundet"


def knowledge_with(tmp_path, *changes: tuple[str, str], form: str = "avvikelse"):
    copy = tmp_path / "kb"
    if not copy.exists():
        shutil.copytree(FIXTURE_KB, copy)
    path = copy / "forms" / f"{form}.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return copy


RENAMED = (
    ('title: "Avvikelse i samverkan"', f'title: "{TITLE}"'),
    ("prefix: AVV", "prefix: BRIST"),
    ('noun: "Rapporten"', 'noun: "Anmälan"'),
    ('mottagen: "Mottagen"', f'mottagen: "{STATUS}"'),
)


def card_of(call) -> dict:
    (attachment,) = call.body["attachments"]
    return attachment["content"]


async def test_a_renamed_kind_shows_in_the_receipt_my_cases_status_and_channel_card(connector, tmp_path):
    kb_dir = knowledge_with(tmp_path, *RENAMED)
    teams = await start_bot(connector, make_settings(tmp_path, knowledge_dir=kb_dir))
    try:
        assert "Klart!" in (await in_channel(teams, "koppla kanal avvikelser Vetlanda")).all_text()
        card = (
            await teams.click(action((await teams.send("rapportera avvikelse")).cards[-1], "Fyll i rapporten"))
        ).cards[-1]
        assert TITLE in card_strings(card)
        steps = deviation_values()
        for inputs in steps:
            card = (await teams.click(action(card, "Granska" if inputs is steps[-1] else "Nästa"), inputs)).cards[-1]
        replies = await teams.click(action(card, "Skicka"))
        receipt = replies.all_text()
        assert "BRIST-2026-0001" in receipt and TITLE in receipt and STATUS in receipt, receipt
        assert "Anmälan har skickats till" in receipt, receipt
        (post,) = [c for c in replies if c.method == "send" and c.conversation == CHANNEL_ID]
        channel_card = card_strings(card_of(post))
        assert TITLE in channel_card and STATUS in channel_card, channel_card

        mine = (await teams.send("mina ärenden")).all_text()
        assert f"{TITLE} · " in mine and "BRIST-2026-0001" in mine and STATUS in mine, mine
        status = (await teams.send("status BRIST-2026-0001")).all_text()
        assert f"{TITLE} BRIST-2026-0001" in status and STATUS in status, status
        assert "Avvikelse i samverkan" not in mine + status + receipt
    finally:
        await teams.http.close()


def test_the_shipped_forms_give_the_prefixes_the_tests_file_with():
    from bot.composition import build_flows, case_kinds
    from lotsen.settings import ROOT

    for kb in (load_knowledge_base(ROOT / "knowledge"), load_knowledge_base(FIXTURE_KB)):
        kinds = case_kinds(build_flows(), kb)
        assert {k.id: k.prefix for k in kinds} == PREFIX
        assert kinds["avvikelse"].title == "Avvikelse i samverkan"
        assert list(kinds["arena"].statuses) == ["mottagen", "bokad", "avbojd", "genomford"]


@pytest.mark.parametrize(
    "form, change, message",
    [
        ("avvikelse", ("prefix: AVV", "prefix: avv"), "avvikelse: case.prefix 'avv' ska vara 2–10 versaler A–Z"),
        ("sip", ("prefix: SIP", "prefix: ARENA"), "sip: case.prefix ARENA används redan av formuläret arena"),
        ("arena", ('  noun: "Förfrågan"\n', ""), "arena: case har precis nycklarna prefix, noun"),
        ("arena", ('    bokad: "Bokad"', "    Bokad: Bokad"), "arena: case.statuses ska vara värde: titel"),
        ("sip", ('    mottagen: "Mottagen"\n', ""), "sip: case.statuses börjar med mottagen"),
        ("avvikelse", ('  digest: "Avvikelser i samverkan"', "  digest: 3"), "avvikelse: case.digest ska vara en text"),
    ],
)
def test_the_check_names_file_and_line_of_a_bad_case_block(tmp_path, form, change, message):
    kb_dir = knowledge_with(tmp_path, change, form=form)
    kb, problems = check_knowledge_base(kb_dir)
    assert kb is None
    (problem,) = problems
    assert problem.file == f"kb/forms/{form}.yaml" and message in problem.message, problem
    lines = (kb_dir / "forms" / f"{form}.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("case:") + 1
    assert start < problem.line <= start + 11, (problem.line, lines[problem.line - 1])  # in the case: block


def test_a_form_without_a_case_block_is_refused(tmp_path):
    path = FIXTURE_KB / "forms" / "sip.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("case:\n")
    end = text.index("preconditions:")
    kb_dir = knowledge_with(tmp_path, (text[start:end], ""), form="sip")
    kb, problems = check_knowledge_base(kb_dir)
    assert kb is None and [p.file for p in problems] == ["kb/forms/sip.yaml"]
    assert "sip: case saknas" in problems[0].message


def test_the_coordinators_guide_shows_what_the_check_prints_for_the_forms(tmp_path):
    """docs/koordinatorer.md's examples of form errors are what `scripts.kb check` prints."""
    from lotsen.settings import ROOT

    kb_dir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb_dir)
    arena = kb_dir / "forms" / "arena.yaml"
    old = '        label: "Din fråga (avidentifierad)"\n        kind: textarea'
    assert old in arena.read_text(encoding="utf-8")
    arena.write_text(arena.read_text(encoding="utf-8").replace(old, old.replace("textarea", "fritext")), "utf-8")
    sip = kb_dir / "forms" / "sip.yaml"
    sip.write_text(sip.read_text(encoding="utf-8").replace("prefix: SIP", "prefix: ARENA"), encoding="utf-8")
    kb, problems = check_knowledge_base(kb_dir)
    guide = (ROOT / "docs" / "koordinatorer.md").read_text(encoding="utf-8")
    assert kb is None and len(problems) == 2
    for p in problems:  # the line number in the example may lag behind the shipped file
        assert re.search(re.escape(p.file) + r":\d+: fel: " + re.escape(p.message), guide), str(p)
    for needle in ("forms/arena.yaml", "forms/sip.yaml", "case.prefix", "statuses", "ladda om kunskapsbasen"):
        assert needle in guide, needle
