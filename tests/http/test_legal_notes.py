"""Answers citing the old socialtjänstlag carry the legal note, over HTTP as Teams sends them
(real knowledge base): the source's reference as written, the new law and its date, and
"kontrollera aktuell lagtext" – on answer cards and on glossary cards."""

from tests.support.teams import card_strings


async def test_which_law_requires_a_sip_answers_with_the_source_and_the_new_law(teams):
    replies = await teams.send("Vilken lag säger att vi ska göra en SIP?")
    assert len(replies.cards) == 1
    text = card_strings(replies.cards[0])
    assert "När ska en SIP upprättas och vilken lag gäller?" in text
    assert "2 kap § 7 SoL" in text and "16 kap § 4 HSL" in text  # what the source says
    assert "Ny socialtjänstlag" in text and "SFS 2025:400" in text and "1 juli 2025" in text
    assert "Kontrollera aktuell lagtext" in text


async def test_the_glossary_card_for_sol_carries_the_note(teams):
    replies = await teams.send("vad är SoL")
    text = card_strings(replies.cards[0])
    assert "socialtjänstlagen" in text.lower()
    assert "Källan hänvisar till Socialtjänstlagen 4 kap. 4 § 2001:453" in text
    assert "SFS 2025:400" in text


async def test_an_answer_without_the_old_law_has_no_note(teams):
    replies = await teams.send("vem kallar till sip")
    text = card_strings(replies.cards[0])
    assert "SFS 2025:400" not in text and "Ny socialtjänstlag" not in text


async def test_passed_directive_dates_are_said_to_have_passed(teams):
    replies = await teams.send("vilka utredningar ligger bakom rätt stöd rätt försörjning")
    text = card_strings(replies.cards[0])
    assert "Dir. 2022:124" in text and "Datumen har passerat" in text
