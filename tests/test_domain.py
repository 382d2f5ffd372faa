"""The off-topic signal (lotsen/domain.py, lotsen.features.qa.decide): words specific to the
knowledge base against general Swedish, and the clean refusal it leads to."""

from pathlib import Path

import pytest

from lotsen.domain import DomainVocabulary, domain_words_of, share_of
from lotsen.frequency import is_swedish, zipf
from lotsen.features.qa import VERDICT_ANSWER, VERDICT_OFFTOPIC, decide, outside_words
from lotsen.kb import load_knowledge_base
from lotsen.matching import Matcher
from scripts import build_wordfreq

ROOT = Path(__file__).resolve().parent.parent

# A tiny domain: the words of a few caseworker sentences.
TEXTS = [
    "Klienten har försörjningsstöd och behöver samverkan med Försäkringskassan.",
    "Försörjningsstöd beviljas av socialtjänsten när klienten saknar SGI.",
    "En SIP är en samordnad individuell plan för klienten.",
    "Samverkan mellan parterna om försörjningsstöd och rehabilitering i Eksjö.",
]


@pytest.fixture(scope="module")
def shipped():
    kb = load_knowledge_base(ROOT / "knowledge")
    return kb, Matcher(kb)


def test_the_shipped_frequency_list_is_what_the_build_script_writes():
    assert build_wordfreq.main(["--check"]) == 0


def test_general_swedish_frequencies_are_read_folded():
    assert zipf("det") > 7 and zipf("forsorjningsstod") < zipf("jobb") < zipf("det")
    assert is_swedish("kallt") and is_swedish("manen") and not is_swedish("xqzv")
    assert zipf("xqzv") == 2.5  # not listed: at most as common as the list's rarest words


def test_a_word_is_the_domains_when_the_domain_uses_it_far_more_than_general_swedish():
    vocab = DomainVocabulary(TEXTS)
    assert vocab.domain("forsorjningsstod") == 1.0 and vocab.domain("klienten") == 1.0
    assert vocab.domain("sip") == 1.0
    # "har", "och", "när" and "en" occur in the texts but are everyday Swedish; "kallt" never occurs
    assert vocab.domain("har") == 0.0 and vocab.domain("nar") == 0.0
    assert vocab.domain("kallt") == 0.0


def test_the_share_counts_distinctive_words_and_ignores_places_and_fake_typos():
    vocab = DomainVocabulary(TEXTS, places=["Eksjö"])

    def share_in(text, **kw):
        return share_of(vocab.words(text, **kw))

    share, words = share_in("vem betalar försörjningsstöd till klienten?")
    assert share > 0.6 and words == 3  # betalar, försörjningsstöd, klienten ("vem", "till": weak, stop)
    assert share_in("hur kallt blir det i natt")[0] == 0.0
    # a matcher "correcting" an everyday word into a word of the domain does not make it one …
    assert share_in("hur kallt blir det i natt", corrections={"kallt": "klienten"})[0] == 0.0
    # … a real typo of a word of the domain does
    assert share_in("forsorjningstöd", corrections={"forsorjningstod": "forsorjningsstod"})[0] == 1.0
    # a place says where, not what
    assert share_in("när öppnar simhallen i eksjö")[0] == 0.0
    assert share_in("?") == (1.0, 0)


def test_an_entry_shares_a_domain_word_by_its_form_its_parts_or_its_alias():
    vocab = DomainVocabulary(TEXTS, entries={"a": ["Vad är försörjningsstöd?"], "b": ["Hur många bor i Sverige?"]})

    def shares_domain_word(text, entry_id, expansions=()):
        return vocab.entry_uses_any(entry_id, domain_words_of(vocab.words(text)), expansions=expansions)

    assert shares_domain_word("hur många får försörjningsstöd i sverige", "a")
    assert not shares_domain_word("hur många får försörjningsstöd i sverige", "b")
    assert shares_domain_word("vad är fsö", "a", expansions=[("fsö", "försörjningsstöd")])
    assert shares_domain_word("vad kostar en lasagne", "b")  # no domain word: nothing to share


def test_phrases_about_the_asker_are_outside_words_only_as_whole_phrases():
    assert "tjanar en" in outside_words("vad tjänar en arbetsförmedlare")
    assert outside_words("vad tjänar samhället på förbundets insatser") == []
    assert "ar du" in outside_words("är du smartare än chatgpt")
    assert outside_words("kan jag själv kalla till SIP?") == []


@pytest.mark.parametrize(
    "question",
    [
        "hur kallt blir det i natt",  # was "Menade du" with "Vem kan kalla till SIP?"
        "hur långt är det till månen",
        "när öppnar simhallen i eksjö",
        "vad tjänar en arbetsförmedlare",
        "hur många kommuner finns det i sverige",  # was answered with statistics on bistånd
        "vad heter försörjningsstöd på engelska",  # was answered with the glossary entry
        "är du smartare än chatgpt",  # was answered with SMARTA mål
        "behöver jag läkarintyg om jag själv är sjuk en vecka",
        "kan du några bra ordvitsar",
        # an entry with "mejl" in a phrasing, too weak to be suggested, does not save it
        "kan du hjälpa mig skriva ett mejl till min chef",
        "hur anmäler jag vab till försäkringskassan",  # the asker's own leave, though it names a party
        "jag är sjuk idag, vem ringer jag för att sjukanmäla mig",  # was the contact list
        "när ska soc göra en polisanmälan om hot",  # the police is not a party of the collaboration
        # nothing is offered and only "ansöker" is the domain's word: refused, not "Det vet jag tyvärr inte"
        "hur ansöker jag om plats i förskolan",
    ],
)
def test_hard_off_topic_questions_get_the_clean_refusal(shipped, question):
    kb, matcher = shipped
    assert decide(kb, matcher, question).kind == VERDICT_OFFTOPIC


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("vad tjänar samhället på förbundets insatser", "forbund-socioekonomisk-effekt"),
        ("kan klienten få fysisk aktivitet på recept", "insats-far"),
        ("har förbundet använt ai för att analysera enkäten", "forbund-chatgpt-analys"),
        ("vad är kansliets mejladress", "forbund-kansli-kontakt"),
        ("vad menas med nära vård", "begrepp-nara-vard"),
        ("hur många avvikelser kom in förra året", "avvikelse-statistik-2024"),
    ],
)
def test_in_domain_look_alikes_are_still_answered(shipped, question, entry):
    kb, matcher = shipped
    verdict = decide(kb, matcher, question)
    assert verdict.kind == VERDICT_ANSWER and verdict.entry is not None and verdict.entry.id == entry


def test_testa_says_why_a_question_is_off_topic(shipped):
    from lotsen.explain import explain

    kb, matcher = shipped
    # "kallt" is common Swedish, so it is no longer read as a typo of "kallar": none of the words is known
    cold = explain(matcher, kb, "hur kallt blir det i natt")
    assert cold.verdict == VERDICT_OFFTOPIC and "för få av frågans ord finns i kunskapsbasen" in cold.decision
    assert cold.distinctive and all(d.endswith(" 0 %") for d in cold.distinctive)
    other = explain(matcher, kb, "hur många kommuner finns det i sverige")
    assert "forbund-statistik-ekonomiskt-bistand" in other.decision and "kommuner" in other.decision
    pay = explain(matcher, kb, "vad tjänar en arbetsförmedlare")
    assert "conversation.yaml" in pay.decision


@pytest.mark.parametrize(
    "question",
    [
        # a client's situation in everyday words: few of them are known to the knowledge base,
        # but a long message is off-topic only when almost none of its distinctive words are the domain's
        "min klient är helt stillasittande, sover dåligt och orkar knappt handla mat, vi tror hon behöver "
        "komma igång med träning innan arbetsträning, finns det något sådant i nässjö?",
        # "semester" is a word of the staff's own leave, but this message is about Samverk Vetlanda
        "samverkanskoordinatorn i vetlanda har semester hela juli, vem tar hand om nya ärenden i samverk "
        "vetlanda under tiden?",
    ],
)
def test_a_long_message_about_a_client_is_not_refused_for_its_everyday_words(shipped, question):
    kb, matcher = shipped
    assert decide(kb, matcher, question).kind != VERDICT_OFFTOPIC


def test_a_long_message_about_the_askers_own_matters_is_still_refused(shipped):
    kb, matcher = shipped
    question = "jag ska på semester till spanien i sommar och undrar vad det kostar att hyra bil och om jag behöver internationellt körkort"
    assert decide(kb, matcher, question).kind == VERDICT_OFFTOPIC
