"""Contacts as actions (e-mail, phone, Teams chat) and the remembered kommun, over HTTP."""

from bot.app_factory import SERVICES
from tests.support.db import sql
from tests.support.teams import CASEWORKER, COORDINATOR, action, card_nodes, card_strings, submit_actions


def open_urls(card) -> dict[str, list[str]]:
    """Action.OpenUrl buttons by title: {title: [url, …]}."""
    found: dict[str, list[str]] = {}
    for node in card_nodes(card):
        if node.get("type") == "Action.OpenUrl":
            found.setdefault(node["title"], []).append(node["url"])
    return found


def settings_rows(teams):
    return [
        tuple(r)
        for r in sql(teams.app[SERVICES].store)
        .execute("SELECT user_key, municipality FROM user_settings ORDER BY user_key")
        .fetchall()
    ]


async def test_contacts_are_buttons_for_e_mail_phone_and_teams_chat(teams_small):
    card = (await teams_small.send("vem kontaktar jag om ett gemensamt ärende i Vetlanda")).cards[0]
    assert "Samverkanskoordinator i Vetlanda" in card_strings(card)
    urls = open_urls(card)
    assert urls["E-post"][0] == "mailto:samverkan.vetlanda@exempel.se"
    assert urls["Ring"][0] == "tel:+46701740610"  # "070-174 06 10"
    assert urls["Chatta i Teams"][0] == "https://teams.microsoft.com/l/chat/0/0?users=samverkan.vetlanda@exempel.se"
    # the address and number stay readable (and copyable) as text too
    assert "samverkan.vetlanda@exempel.se · 070-174 06 10" in card_strings(card)


async def test_the_kommun_is_asked_once_remembered_per_person_and_changeable(teams_small):
    question = "vem ska jag kontakta om ett gemensamt ärende i lokal samverkan"
    first = (await teams_small.send(question)).cards[0]
    assert "vilken kommun?" in card_strings(first)
    shown = await teams_small.click(action(first, "Visa kontakter"), {"municipality": "vetlanda"})
    assert "Samverkanskoordinator i Vetlanda" in shown.all_text()
    assert "Jag kommer ihåg din kommun" in shown.all_text()
    assert settings_rows(teams_small) == [(CASEWORKER.aad, "vetlanda")]  # the kommun, nothing else

    # Next time: no question, straight to Vetlanda's list.
    again = await teams_small.send(question)
    assert "vilken kommun?" not in again.all_text()
    assert "Samverkanskoordinator i Vetlanda" in again.all_text()
    # The same from an answer card's "Vem kontaktar jag?" (a purpose that depends on the kommun).
    answer = (await teams_small.send("vem kallar till sip")).cards[0]
    from_answer = await teams_small.click(action(answer, "Vem kontaktar jag?"))
    assert "vilken kommun?" not in from_answer.all_text()

    # Someone else is still asked: the kommun is per person.
    other = await teams_small.send(question, person=COORDINATOR)
    assert "vilken kommun?" in other.all_text()

    # "byt kommun" changes it.
    change = (await teams_small.send("byt kommun")).cards[0]
    assert "Jag har sparat Vetlanda" in card_strings(change)
    saved = await teams_small.click(action(change, "Spara kommun"), {"municipality": "gnosjo"})
    assert "Jag använder Gnosjö" in saved.all_text()
    assert settings_rows(teams_small) == [(CASEWORKER.aad, "gnosjo")]
    after = await teams_small.send(question)
    assert "länsgemensamma kontakten" in after.all_text()  # Gnosjö has no list of its own

    # "Byt kommun" on the contacts card asks again and remembers the new choice.
    pick = await teams_small.click(action(after.cards[0], "Byt kommun"))
    chosen = await teams_small.click(action(pick.cards[0], "Visa kontakter"), {"municipality": "vetlanda"})
    assert "Samverkanskoordinator i Vetlanda" in chosen.all_text()
    assert settings_rows(teams_small) == [(CASEWORKER.aad, "vetlanda")]


async def test_a_kommun_named_in_the_question_wins_and_is_remembered(teams_small):
    await teams_small.send("Vem kontaktar jag om Arena i Jönköping?")
    assert settings_rows(teams_small) == [(CASEWORKER.aad, "jonkoping")]
    replies = await teams_small.send("vem kontaktar jag om arena")
    assert "Arena-konsultation – Jönköping" in replies.all_text()


async def test_byt_kommun_refuses_an_unknown_kommun(teams_small):
    change = (await teams_small.send("byt kommun")).cards[0]
    assert "Välj din kommun" in card_strings(change)
    replies = await teams_small.click(action(change, "Spara kommun"), {"municipality": "atlantis"})
    assert replies.texts == ["Välj en kommun i listan."]
    assert settings_rows(teams_small) == []


# Questions beat triggers (issue 9, part 4), with the real knowledge base.
async def test_asking_whom_to_contact_gets_the_answer_first_and_then_the_contact_list(teams):
    replies = await teams.send("jobbar i gislaved, vem kontaktar jag om samverkan kring en klient?")
    first, second = replies.cards[0], replies.cards[1]
    # the entry that answers the question (the documents do not name Gislaved) …
    assert card_strings(first).startswith("Vem kontaktar jag för samverkan i Gislaved, Gnosjö, Värnamo eller Vaggeryd?")
    assert "Källa:" in card_strings(first)
    # … and the contact list the person asked for, for the kommun named
    assert "Gislaved" in card_strings(second)
    assert "länsgemensamma kontakten" in replies.all_text()


async def test_asking_whom_to_call_about_something_outside_the_domain_is_refused(teams):
    replies = await teams.send("mitt lösenord till datorn har gått ut, vem ringer jag?")
    text = replies.all_text()
    assert "Det ligger utanför vad jag kan svara på" in text
    assert "vilken kommun?" not in text and "Visa kontakter" not in text


async def test_a_described_situation_that_mentions_a_contact_person_is_a_question(teams):
    replies = await teams.send(
        "klienten vill att hennes mamma och hennes kontaktperson från boendet ska vara med på sip-mötet "
        "som vi bokat nästa vecka, går det bra?"
    )
    text = replies.all_text()
    # what any described situation gets (here Vägvisaren's reading of it), not a contact list
    assert "Så här uppfattade jag situationen" in text
    assert "vilken kommun?" not in text and "Visa kontakter" not in text


async def test_the_bare_contact_command_still_opens_the_contact_picker(teams):
    replies = await teams.send("vem kontaktar jag?")
    assert len(replies.cards) == 1  # no answer card before it
    assert "Visa kontakter" in [a.get("title") for a in submit_actions(replies.cards[0])]
