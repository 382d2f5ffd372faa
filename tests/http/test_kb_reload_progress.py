"""A large knowledge base's reload over HTTP: the coordinator sees its progress, and the old
knowledge base answers until the new one is ready (issue 17).

A reload that is built in a child process (lotsen.kb.reload.builds_isolated: a large knowledge
base; here the threshold is lowered so the fixture counts as large) takes longer than Teams waits
for a reply, so "ladda om kunskapsbasen" is answered at once, and two messages follow in the same
chat: when the new version answers (with its number of questions), and the result with the
quality warnings when they are checked. The child is held at a gate until the test has asked a
question, so "during the reload" is certain, not a matter of timing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lotsen.kb import isolated, reload
from tests.support.fake_connector import Call
from tests.support.teams import COORDINATOR, Replies
from tests.support.upkeep import NEW_ENTRY, append, copy_kb, services, start_on

NEW_QUESTION = "hur remitterar jag till arenagruppen"
NEW_ANSWER = "Skicka en anmälan till den sammankallande i Arena-gruppen."


@pytest.fixture
async def large(connector, tmp_path, monkeypatch):
    """The bot on an editable copy of the fixture knowledge base, counted as large; its reload
    builder (a forked copy of this process) waits for the file `gate` before it builds."""
    gate = tmp_path / "gate"
    build = isolated._build_and_send

    def held(out, args, previous, cache):
        for _ in range(600):
            if gate.exists():
                break
            __import__("time").sleep(0.05)
        return build(out, args, previous, cache)

    monkeypatch.setattr(reload, "ISOLATE_ABOVE_BYTES", 0)
    monkeypatch.setattr(isolated, "_build_and_send", held)
    kb_dir = copy_kb(tmp_path)
    teams = await start_on(connector, tmp_path, kb_dir)
    teams.kb_dir, teams.gate = kb_dir, gate
    yield teams
    await services(teams).drain()
    await teams.http.close()


async def posted_to(teams, conversation: str, mark: int, count: int, timeout: float = 60.0) -> list[Call]:
    """The first `count` messages the bot posted on its own in `conversation` since `mark`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = [
            c
            for c in teams.connector.since(mark)
            if c.method == "send" and c.conversation.split(";")[0] == conversation and c.body.get("type") == "message"
        ]
        if len(found) >= count or loop.time() > deadline:
            return found
        await asyncio.sleep(0.05)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the builder is forked")
async def test_coordinator_sees_progress_and_the_old_base_answers_meanwhile(large):
    append(large.kb_dir / "qa" / "test.yaml", NEW_ENTRY)
    started = await large.send("ladda om kunskapsbasen", person=COORDINATOR, conversation="personal-samordnare")
    assert started.texts == [
        "Jag laddar om kunskapsbasen. Den är stor, så det tar en stund. Boten svarar med den nuvarande versionen "
        "tills den nya är klar. Jag skriver här när den nya används och när kvalitetskontrollen är klar."
    ]
    mark = len(large.connector.calls)

    # During the reload: the old knowledge base answers (it has no entry for this question),
    # and a second reload is refused politely instead of starting another build.
    during = await large.send(NEW_QUESTION)
    assert during.messages and NEW_ANSWER not in during.all_text()
    busy = await large.send("ladda om kunskapsbasen", person=COORDINATOR, conversation="personal-samordnare")
    assert busy.texts == ["Kunskapsbasen laddas redan om. Vänta en stund och försök igen."]
    assert await posted_to(large, "personal-samordnare", mark, 1, timeout=0.5) == []

    Path(large.gate).touch()
    progress = await posted_to(large, "personal-samordnare", mark, 2)
    assert len(progress) == 2, [c.body for c in progress]
    first, last = Replies(progress[:1]), Replies(progress[1:])
    assert first.texts == [
        "Den nya versionen används nu: 7 frågor. Kvalitetskontrollen pågår, jag skriver här när den är klar."
    ]
    result = last.all_text()
    assert "Kunskapsbasen är omladdad" in result and "Boten använder nu den nya versionen: 7 frågor" in result
    assert "Frågor och svar: 1 ny (arena-remiss)" in result
    assert NEW_ANSWER in (await large.send(NEW_QUESTION)).all_text()
    health = await (await large.http.get("/healthz")).json()
    assert health["knowledge_base"]["entries"] == 7


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the builder is forked")
async def test_a_refused_large_reload_is_reported_in_the_chat(large):
    append(large.kb_dir / "qa" / "test.yaml", '  - id: halvfardig\n    question: "Utan svar"\n')
    large.gate.touch()
    mark = len(large.connector.calls)
    started = await large.send("ladda om", person=COORDINATOR, conversation="personal-samordnare")
    assert started.texts and started.texts[0].startswith("Jag laddar om kunskapsbasen.")
    [refused] = await posted_to(large, "personal-samordnare", mark, 1)
    text = Replies([refused]).all_text()
    assert "Kunskapsbasen laddades inte om" in text and "fältet 'answer' saknas" in text
    assert "Personal på socialtjänsten" in (await large.send("vem kallar till sip")).all_text()
