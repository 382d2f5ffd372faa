"""Following filed cases in chat: "status <referens>", "mina ärenden", "lista förfrågningar" — over HTTP."""

import re

from bot.app_factory import SERVICES
from lotsen import cases
from tests.support.db import sql
from tests.support.reports import file_deviation, seed_case
from tests.support.teams import CASEWORKER, COORDINATOR, OTHER, action, card_strings


def store(teams):
    return teams.app[SERVICES].store


async def test_status_of_my_own_case_and_nobody_elses(teams_small):
    receipt = await file_deviation(teams_small)
    reference = re.search(r"AVV-\d{4}-\d{4}", receipt.all_text()).group(0)
    case = await cases.get_case(store(teams_small), reference)
    await cases.change_status(store(teams_small), case, "under-utredning", COORDINATOR.aad, "Vi har kontaktat AF.")

    mine = await teams_small.send(f"status {reference.lower()}")
    text = mine.all_text()
    assert f"Avvikelse i samverkan {reference}" in text and "Status: Under utredning" in text
    assert "Under utredning – Vi har kontaktat AF." in text  # the history with the coordinator's comment
    assert "Vetlanda" in text
    assert "Hantera" not in text  # not the coordinators' card

    # Someone else (even with the same display name as a coordinator) learns nothing.
    other = await teams_small.send(f"status {reference}", person=OTHER)
    assert other.texts == [
        f"Jag hittar inget ärende med referensen {reference} som du har skickat in. Kontrollera "
        "referensen, eller skriv **mina ärenden** för att se dina."
    ]
    assert not other.cards
    missing = await teams_small.send("status AVV-2026-9999", person=OTHER)
    assert missing.texts[0].startswith("Jag hittar inget ärende med referensen AVV-2026-9999")  # same answer
    denied = (
        sql(store(teams_small)).execute("SELECT actor, target FROM audit WHERE event = 'case_lookup_denied'").fetchall()
    )
    assert [tuple(r) for r in denied] == [(OTHER.aad, reference)]

    # A coordinator gets the full case card, with the handling inputs.
    coordinator = await teams_small.send(f"status {reference}", person=COORDINATOR)
    assert "Hantera (samverkanskoordinatorer)" in coordinator.all_text()


async def test_mina_arenden_lists_only_my_reports_and_requests_with_status(teams_small):
    s = store(teams_small)
    mine_dev = await seed_case(s, status="atgardad")
    mine_sip = await seed_case(s, kind="sip", municipality="jonkoping", status="bokad")
    theirs = await seed_case(s, reporter=OTHER)
    replies = await teams_small.send("mina ärenden")
    card = replies.cards[0]
    text = card_strings(card)
    assert "Mina ärenden" in text and "2 ärenden, senaste först." in text
    assert mine_dev.reference in text and mine_sip.reference in text and theirs.reference not in text
    assert "Status: Åtgärdad" in text and "Status: Bokad" in text
    assert "SIP-möte · " in text and "Jönköping" in text
    shown = await teams_small.click(action(card, f"Visa {mine_sip.reference}"))
    assert f"SIP-möte {mine_sip.reference}" in shown.all_text() and "Status: Bokad" in shown.all_text()
    # an altered button for someone else's case shows nothing
    forged = await teams_small.send(value={"verb": "case.mine", "reference": theirs.reference})
    assert forged.texts[0].startswith(f"Jag hittar inget ärende med referensen {theirs.reference}")
    empty = await teams_small.send("mina ärenden", person=COORDINATOR)
    assert "Du har inte skickat in några avvikelser eller förfrågningar ännu." in empty.all_text()


async def test_coordinators_list_arena_and_sip_requests_in_chat(teams_small):
    s = store(teams_small)
    arena = await seed_case(s, kind="arena", municipality="jonkoping")
    sip_booked = await seed_case(s, kind="sip", municipality="vetlanda", status="bokad")
    sip_new = await seed_case(s, kind="sip", municipality="jonkoping")
    await seed_case(s)  # a deviation: never in this list

    every = card_strings((await teams_small.send("lista förfrågningar", person=COORDINATOR)).cards[0])
    assert "Förfrågningar: Arena och SIP" in every and "3 förfrågningar" in every
    assert all(c.reference in every for c in (arena, sip_booked, sip_new))

    sip = card_strings((await teams_small.send("lista förfrågningar sip", person=COORDINATOR)).cards[0])
    assert sip_booked.reference in sip and sip_new.reference in sip and arena.reference not in sip

    narrow = card_strings(
        (await teams_small.send("lista förfrågningar sip jönköping mottagna", person=COORDINATOR)).cards[0]
    )
    assert sip_new.reference in narrow and sip_booked.reference not in narrow and arena.reference not in narrow
    assert "Jönköping" in narrow and "Mottagen" in narrow

    booked = card_strings((await teams_small.send("lista förfrågningar bokade", person=COORDINATOR)).cards[0])
    assert sip_booked.reference in booked and sip_new.reference not in booked

    bad = await teams_small.send("lista förfrågningar blåbär", person=COORDINATOR)
    assert "Jag förstod inte ”blabar”" in bad.texts[0] and "lista förfrågningar arena jönköping" in bad.texts[0]

    refused = await teams_small.send("lista förfrågningar", person=CASEWORKER)
    assert refused.texts == [
        "Det här kan bara samverkanskoordinatorer göra. Kontakta din samverkanskoordinator om du behöver hjälp."
    ]
