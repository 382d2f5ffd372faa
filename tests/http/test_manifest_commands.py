"""Every command the Teams app package offers in its command menu does what its title says."""

import json
from pathlib import Path

import pytest

from tests.support.teams import BOT, CASEWORKER, COORDINATOR

MANIFEST = Path(__file__).resolve().parents[2] / "manifest" / "manifest.template.json"
COMMANDS = [
    (scope, command["title"])
    for command_list in json.loads(MANIFEST.read_text(encoding="utf-8"))["bots"][0]["commandLists"]
    for scope in command_list["scopes"]
    for command in command_list["commands"]
]
EXPECTED = {
    "hjälp": "Det här kan jag hjälpa dig med",
    "rapportera avvikelse": "Rapportera en avvikelse i samverkan",
    "begär arena": "Arena-konsultation",
    "begär sip": "SIP-möte",
    "vem kontaktar jag": "Vem kontaktar jag?",
    "koppla kanal": "Klart!",
    "lista avvikelser": "Avvikelser",
    "sammanställning": "Sammanställning",
    "obesvarade frågor": "Obesvarade frågor",
}
NOT_UNDERSTOOD = ("Det vet jag tyvärr inte", "Menade du", "Det här kan bara samverkanskoordinatorer göra")


def test_the_menu_has_the_commands_we_expect():
    assert {title for _, title in COMMANDS} == set(EXPECTED)


@pytest.mark.parametrize("scope, title", COMMANDS)
async def test_each_menu_command_works_in_its_scope(teams_small, scope, title):
    person = COORDINATOR if scope == "team" else CASEWORKER
    kw = {}
    text = title
    if scope == "team":
        conversation = "19:koordinatorer@thread.tacv2"
        kw = dict(
            conversation=conversation,
            conversation_type="channel",
            channel_data={"team": {"id": "team-1"}, "channel": {"id": conversation}},
            entities=[{"type": "mention", "text": "<at>Samverkanslotsen</at>", "mentioned": BOT}],
        )
        text = f"<at>Samverkanslotsen</at> {title}" + (" avvikelser vetlanda" if title == "koppla kanal" else "")
        if title != "koppla kanal":  # lists are only shown in a connected coordinators' channel
            connected = await teams_small.send(
                "<at>Samverkanslotsen</at> koppla kanal avvikelser vetlanda", person=person, **kw
            )
            assert "Klart!" in connected.all_text()
    elif scope == "groupChat":
        kw = dict(conversation="19:grupp@thread.v2", conversation_type="groupChat")
    replies = await teams_small.send(text, person=person, **kw)
    shown = replies.all_text()
    assert EXPECTED[title] in shown, shown[:300]
    assert not any(marker in shown for marker in NOT_UNDERSTOOD), shown[:300]
