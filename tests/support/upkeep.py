"""Helpers for the coordinators' upkeep tests: an editable copy of the fixture knowledge
base, a bot started on it, and a coordinator's message in a Teams channel."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bot.app_factory import SERVICES
from lotsen.context import Services
from tests.conftest import FIXTURE_KB, make_settings, start_bot
from tests.support.teams import BOT, COORDINATOR, Person, Replies, TeamsClient

DIGEST_CHANNEL_CONV = "19:samverk-koordinatorer@thread.tacv2"
DIGEST_TEAM_ID = "19:team-samverk@thread.tacv2"

NEW_ENTRY = """
  - id: arena-remiss
    question: "Hur skickar jag en remiss till Arena?"
    phrasings:
      - "remiss till arena hur"
      - "hur remitterar jag till arenagruppen"
      - "skicka remiss arena"
      - "anmäla ärende till arena"
    answer: "Skicka en anmälan till den sammankallande i Arena-gruppen."
    source: {doc: rsrf-modell, section: "ARENA"}
    reviewed: 2026-11-01
    owner: "Arena-gruppen"
"""


def copy_kb(tmp_path: Path, name: str = "knowledge") -> Path:
    """An editable copy of tests/fixtures/kb (the real knowledge/ is never edited by tests)."""
    target = tmp_path / name
    shutil.copytree(FIXTURE_KB, target)
    return target


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


async def start_on(connector, tmp_path: Path, knowledge_dir: Path, **overrides: Any) -> TeamsClient:
    settings = make_settings(tmp_path, knowledge_dir=knowledge_dir, **overrides)
    return await start_bot(connector, settings)


def services(teams: TeamsClient) -> Services:
    return teams.app[SERVICES]


def channel_data() -> dict[str, Any]:
    return {
        "tenant": {"id": "00000000-0000-0000-0000-000000000001"},
        "team": {"id": DIGEST_TEAM_ID},
        "channel": {"id": DIGEST_CHANNEL_CONV},
    }


async def in_channel(teams: TeamsClient, text: str, person: Person = COORDINATOR) -> Replies:
    """@Samverkanslotsen <text> in the coordinators' channel."""
    entities = [
        {"type": "mention", "text": "<at>Samverkanslotsen</at>", "mentioned": {"id": BOT["id"], "name": BOT["name"]}}
    ]
    return await teams.send(
        f"<at>Samverkanslotsen</at> {text}",
        person=person,
        conversation=DIGEST_CHANNEL_CONV,
        conversation_type="channel",
        channel_data=channel_data(),
        entities=entities,
    )


# Short, vague questions; the matcher is tuned by others, so tests pick whichever of these it
# currently answers with "Menade du …?" instead of relying on one of them.
VAGUE = (
    "sip",
    "arena sip",
    "fk sip",
    "kallelse fk",
    "samordning",
    "krav",
    "kommuner",
    "möte",
    "hur bokar jag tolk till mötet",
    "hur skickar jag en remiss till arena",
)


def vague_question(teams: TeamsClient) -> str:
    """A question the bot currently answers with "Menade du …?" (level suggest)."""
    from lotsen.features.qa import glossary_entry
    from lotsen.matching import SUGGEST

    knowledge = services(teams).knowledge
    for question in VAGUE:
        if knowledge.matcher.match(question).level == SUGGEST and glossary_entry(knowledge.kb, question) is None:
            return question
    raise AssertionError("none of the vague questions gives 'Menade du …?' any more; add one to VAGUE")
