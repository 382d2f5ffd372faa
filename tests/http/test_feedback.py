"""👎 asks what was wrong and offers a person; coordinators see the reason — over HTTP."""

import json

from bot.app_factory import SERVICES
from tests.support.db import sql
from tests.support.teams import COORDINATOR, action, card_strings, submit_actions


def store(teams):
    return teams.app[SERVICES].store


def shown(replies):
    """The card on screen after a press: the updated card, else the new one."""
    if replies.updates:
        return replies.updates[-1].body["attachments"][0]["content"]
    return replies.cards[-1]


async def test_thumbs_down_asks_what_was_wrong_and_offers_a_person(teams_small, caplog):
    answer = (await teams_small.send("vem kallar till sip")).cards[0]
    asked = await teams_small.click(action(answer, "👎"))
    card = asked.cards[0]
    text = card_strings(card)
    assert "Vad var fel med svaret?" in text
    for title in ("Fel svar", "Svaret saknas", "Svårt att förstå", "Annat"):
        assert title in text
    assert [a["title"] for a in submit_actions(card)] == ["Skicka", "Fråga en person"]
    person = await teams_small.click(action(card, "Fråga en person"))
    assert "vilken kommun?" in person.all_text()  # the routed contact list (asks the kommun the first time)

    # No reason chosen: the card comes back with the error, nothing stored yet.
    again = await teams_small.click(action(card, "Skicka"), {"reason": "", "kommentar": ""}, reply_to_id="reason-card")
    assert "⚠ Välj vad som var fel." in card_strings(shown(again))
    # A personnummer in the comment: refused, masked, never stored or logged.
    caplog.set_level("DEBUG")
    masked = await teams_small.click(
        action(card, "Skicka"),
        {"reason": "saknas", "kommentar": "Gäller 19121212-1212 som inte fick hjälp"},
        reply_to_id="reason-card",
    )
    refused = shown(masked)
    assert "Ta bort personnumret" in card_strings(refused)
    assert "Gäller ▇▇▇▇▇▇▇▇-▇▇▇▇ som inte fick hjälp" in json.dumps(refused, ensure_ascii=False)
    assert "19121212" not in json.dumps(refused) and "19121212" not in caplog.text
    done = await teams_small.click(
        action(card, "Skicka"), {"reason": "svaret-saknas", "kommentar": "Tolk nämns inte."}, reply_to_id="reason-card"
    )
    assert "Tack för att du säger till" in card_strings(shown(done)) and "Svaret saknas" in card_strings(shown(done))
    assert "Fråga en person" in card_strings(shown(done))
    rows = [tuple(r) for r in sql(store(teams_small)).execute("SELECT entry_id, vote, reason, comment FROM feedback")]
    assert rows == [("sip-vem-kallar", "down", "svaret-saknas", "Tolk nämns inte.")]
    assert "19121212" not in json.dumps([tuple(r) for r in sql(store(teams_small)).execute("SELECT * FROM feedback")])

    # Coordinators see the reason in "feedback" and in the digest.
    listing = card_strings((await teams_small.send("feedback", person=COORDINATOR)).cards[0])
    assert "varför: svaret saknas 1" in listing and "”Tolk nämns inte.”" in listing
    from lotsen import digest
    from zoneinfo import ZoneInfo

    services = teams_small.app[SERVICES]
    built = await digest.build_digest(services.store, services.clock())
    lines = "\n".join(digest.digest_lines(built, services.knowledge.snapshot.kb, ZoneInfo("Europe/Stockholm")))
    assert "svaret saknas 1" in lines


async def test_thumbs_up_is_just_thanks(teams_small):
    answer = (await teams_small.send("vem kallar till sip")).cards[0]
    replies = await teams_small.click(action(answer, "👍"))
    assert replies.texts == ["Tack för din återkoppling! 👍"] and not replies.cards
