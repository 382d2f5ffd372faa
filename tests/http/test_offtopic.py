"""Off-topic questions that share words with the domain, over HTTP the way Teams sends them
(issue 9, part 6): the clean refusal, not a "Menade du …?" and not a wrong answer; and an
in-domain question that looks off-topic is still answered."""

from tests.support.teams import card_strings, submit_actions

REFUSAL = "Det ligger utanför vad jag kan svara på"


def titles(card) -> list[str]:
    return [a.get("title") for a in submit_actions(card)]


async def test_a_question_about_the_askers_own_pay_is_refused_although_it_names_a_party(teams):
    replies = await teams.send("vad tjänar en arbetsförmedlare?")
    text = replies.all_text()
    assert REFUSAL in text
    assert "Menade du" not in text and "Det vet jag tyvärr inte" not in text
    assert "Hur når jag Arbetsförmedlingen i samverkan kring en klient?" not in text
    assert "Vem kallar till SIP?" in titles(replies.cards[0])  # what the bot can do, to press


async def test_general_knowledge_is_refused_instead_of_answered_from_an_entry_about_something_else(teams):
    # the knowledge base's statistics entry mentions Sverige; it does not answer how many municipalities there are
    replies = await teams.send("hur många kommuner finns det i sverige?")
    text = replies.all_text()
    assert REFUSAL in text
    assert "Vad säger statistiken om långvarigt ekonomiskt bistånd?" not in text


async def test_everyday_words_the_matcher_could_correct_into_the_domain_are_refused(teams):
    # "kallt" is not a typo of "kalla": no "Menade du: Vem kan kalla till SIP?"
    replies = await teams.send("hur kallt blir det i natt?")
    text = replies.all_text()
    assert REFUSAL in text and "Menade du" not in text
    assert "Vem kan kalla till SIP?" not in text  # the entry's title (the refusal's example is "Vem kallar …")


async def test_an_in_domain_question_with_an_off_topic_looking_word_is_answered(teams):
    # "tjänar" is also what a bot refuses for pay questions; here it is about the förbund's effect
    replies = await teams.send("vad tjänar samhället på förbundets insatser?")
    text = replies.all_text()
    assert REFUSAL not in text
    assert card_strings(replies.cards[0]).startswith("Hur räknar förbundet socioekonomiska effekter?")
    assert "Källa:" in text
