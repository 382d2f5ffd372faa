"""Two bot instances behind one PostgreSQL database, driven over HTTP the way Teams does.

Each instance is its own `create_app` with its own Services (stores, locks, caches); only the
DATABASE_URL is shared, as with two containers behind a load balancer. Skipped without a
PostgreSQL server in the PG* environment (`make test` starts one), an error under CI=true.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import pytest

from tests.conftest import FIXTURE_KB, make_settings, start_bot
from tests.http.test_deviation_flow import FORM_CARD, STEP1, STEP2, STEP3
from tests.storage.conftest import fresh_postgres_database
from tests.support.teams import Person, Replies, action, card_strings

REFERENCE = re.compile(r"AVV-\d{4}-\d{4}")


@pytest.fixture
async def two_instances(connector, tmp_path):
    url, drop = await fresh_postgres_database()
    bots = []
    try:
        for n in (1, 2):
            settings = replace(make_settings(tmp_path / f"instance{n}", knowledge_dir=FIXTURE_KB), database_url=url)
            bots.append(await start_bot(connector, settings))
        yield bots, url
    finally:
        for bot in bots:
            await bot.http.close()
        await drop()


def rows(url: str, query: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def updates_in(connector, conversation: str, mark: int = 0) -> list[dict]:
    """The cards the bot put in place of the form card in one conversation, in order."""
    return [
        c.body["attachments"][0]["content"]
        for c in connector.since(mark)
        if c.method == "update"
        and c.conversation.split(";")[0] == conversation
        and c.activity_id == FORM_CARD
        and c.body.get("attachments")
    ]


def mine(replies: Replies, conversation: str) -> Replies:
    """Only the calls to one conversation (other users' turns run at the same time)."""
    return Replies(c for c in replies if c.conversation.split(";")[0] == conversation)


async def fill_form(bots, conversation: str, person: Person, connector) -> dict:
    """Open the form on one instance and answer each step on the other, alternately; returns the
    review card."""
    kw = dict(conversation=conversation, person=person)
    notice = mine(await bots[0].send("Jag vill rapportera en avvikelse", **kw), conversation).cards[0]
    card = mine(await bots[1].click(action(notice, "Fyll i rapporten"), **kw), conversation).cards[0]
    for i, (inputs, button, heading) in enumerate(
        [
            (STEP1, "Nästa", "Steg 2 av 3"),
            (STEP2, "Nästa", "Steg 3 av 3"),
            (STEP3, "Granska", "Avvikelse i samverkan: granska"),
        ]
    ):
        mark = len(connector.calls)
        await bots[i % 2].click(action(card, button), inputs, reply_to_id=FORM_CARD, **kw)
        card = updates_in(connector, conversation, mark)[-1]
        assert heading in card_strings(card), card_strings(card)
    return card


async def test_a_form_alternating_between_instances_is_filed_once_on_a_double_submit(two_instances, connector):
    bots, url = two_instances
    person = Person("29:alternating", "aaaaaaaa-0000-0000-0000-00000000a001", "Kim Handläggare")
    review = await fill_form(bots, "personal-alt", person, connector)
    assert "Arbetsförmedlingen kom inte till SIP-mötet" in card_strings(review)  # steps from both instances
    mark = len(connector.calls)
    send = action(review, "Skicka")
    await asyncio.gather(
        *(bot.click(send, reply_to_id=FORM_CARD, conversation="personal-alt", person=person) for bot in bots)
    )
    receipts = updates_in(connector, "personal-alt", mark)
    assert len(receipts) >= 2, "both instances answer the click"
    references = [set(REFERENCE.findall(card_strings(card))) for card in receipts]
    assert all(refs == {"AVV-2026-0001"} for refs in references), references  # the same reference on both
    assert all("Tack! Uppgifterna är sparade." in card_strings(card) for card in receipts)
    assert rows(url, "SELECT reference, kind, municipality FROM cases") == [("AVV-2026-0001", "avvikelse", "vetlanda")]
    assert rows(url, "SELECT COUNT(*) FROM drafts") == [(0,)]


async def test_twenty_users_file_concurrently_across_instances(two_instances, connector):
    bots, url = two_instances
    users = [
        (f"personal-u{i:02d}", Person(f"29:user{i:02d}", f"aaaaaaaa-0000-0000-0000-{i:012d}", f"Användare {i}"))
        for i in range(20)
    ]

    async def one_user(i: int, conversation: str, person: Person) -> set[str]:
        ordered = bots if i % 2 == 0 else bots[::-1]  # half start on each instance
        review = await fill_form(ordered, conversation, person, connector)
        send = action(review, "Skicka")
        await asyncio.gather(
            *(bot.click(send, reply_to_id=FORM_CARD, conversation=conversation, person=person) for bot in ordered)
        )  # a double submit, one to each instance
        receipts = [
            c for c in updates_in(connector, conversation) if "Tack! Uppgifterna är sparade." in card_strings(c)
        ]
        assert len(receipts) >= 2, conversation
        return {ref for card in receipts for ref in REFERENCE.findall(card_strings(card))}

    seen = await asyncio.gather(*(one_user(i, conv, person) for i, (conv, person) in enumerate(users)))
    assert all(len(refs) == 1 for refs in seen), seen  # every user saw one reference, on both replies
    references = [refs.pop() for refs in seen]
    assert len(set(references)) == 20, references  # distinct per user
    stored = rows(url, "SELECT reference, reporter_aad FROM cases ORDER BY reference")
    assert len(stored) == 20
    assert sorted(r for r, _ in stored) == sorted(references)
    assert sorted(references) == [f"AVV-2026-{n:04d}" for n in range(1, 21)]
    assert rows(url, "SELECT COUNT(*) FROM drafts") == [(0,)]
    assert len({aad for _, aad in stored}) == 20  # one case per user
