"""Fault matrix row 25: lists of cases and questions only in a personal chat or a connected
coordinators' channel, never in a group chat or an ordinary channel (where people who are not
coordinators read along)."""

from __future__ import annotations

import pytest

from bot.app_factory import SERVICES
from lotsen.assistant import NOT_HERE
from tests.support.db import sql
from tests.support.reports import in_channel, seed_case
from tests.support.teams import COORDINATOR

LISTS = ["lista avvikelser", "sammanställning", "exportera avvikelser", "obesvarade frågor", "feedback"]


def denials(teams):
    return (
        sql(teams.app[SERVICES].store)
        .execute("SELECT actor, target FROM audit WHERE event = 'admin_scope_denied'")
        .fetchall()
    )


@pytest.mark.parametrize("command", LISTS)
async def test_lists_are_refused_in_a_group_chat(teams_small, command):
    await seed_case(teams_small.app[SERVICES].store)
    replies = await teams_small.send(
        command, person=COORDINATOR, conversation="19:grupp@thread.v2", conversation_type="groupChat"
    )
    assert replies.all_text() == NOT_HERE
    assert not replies.cards  # no list, no count
    assert [tuple(r) for r in denials(teams_small)][0][0] == COORDINATOR.aad


@pytest.mark.parametrize("command", LISTS)
async def test_lists_are_refused_in_an_ordinary_channel(teams_small, command):
    await seed_case(teams_small.app[SERVICES].store)
    replies = await in_channel(teams_small, command, conversation="19:allmant@thread.tacv2;messageid=7")
    assert replies.all_text() == NOT_HERE and not replies.cards


async def test_lists_are_shown_in_a_personal_chat_and_in_a_connected_channel(teams_small):
    await seed_case(teams_small.app[SERVICES].store)
    personal = await teams_small.send("lista avvikelser", person=COORDINATOR)
    assert personal.cards and NOT_HERE not in personal.all_text()
    assert "Klart!" in (await in_channel(teams_small, "koppla kanal avvikelser Vetlanda")).all_text()
    # another thread of the connected channel
    connected = await in_channel(
        teams_small, "lista avvikelser", conversation="19:avvikelser-vetlanda@thread.tacv2;messageid=42"
    )
    assert connected.cards and NOT_HERE not in connected.all_text()
    assert denials(teams_small) == []


async def test_the_list_buttons_follow_the_same_rule(teams_small):
    replies = await teams_small.send(
        value={"verb": "upkeep.unanswered", "days": "30"},
        person=COORDINATOR,
        conversation="19:grupp@thread.v2",
        conversation_type="groupChat",
    )
    assert replies.all_text() == NOT_HERE
