"""Swedish-aware matching on the small fixture knowledge base."""

from dataclasses import replace
from pathlib import Path

import pytest

from lotsen.kb import load_knowledge_base
from lotsen.matching import ANSWER, NONE, SUGGEST, Matcher
from lotsen.text import content_tokens, fold, normalise, stem

FIXTURE = Path(__file__).parent / "fixtures" / "kb"


@pytest.fixture(scope="module")
def matcher():
    return Matcher(load_knowledge_base(FIXTURE))


def best(matcher, text):
    result = matcher.match(text)
    assert result.level == ANSWER, (text, result.level, [(c.entry_id, c.score) for c in result.candidates])
    return result.best.entry_id


def test_folding_and_stemming():
    assert fold("Arbetsförmedlingen") == "arbetsformedlingen"
    assert stem("försäkringskassan") == stem("forsakringskassa") == stem("Försäkringskassans")
    assert stem("avvikelserna") == stem("avvikelse")
    assert stem("kallar") == stem("kallas") == stem("kalla")
    assert normalise("  Vem  KALLAR till SIP? ") == "vem kallar till sip"


@pytest.mark.parametrize(
    "question",
    [
        "Vem kallar till SIP?",
        "vem kallar till sip",  # case
        "VEM KALLAR TILL EN SIP",
        "sip vem kallar",  # word order
        "vem kalar till sip",  # typo
        "vem får kalla till samordnad individuell plan",  # expansion of the abbreviation
    ],
)
def test_variants_find_the_same_entry(matcher, question):
    assert best(matcher, question) == "sip-vem-kallar"


def test_a_filler_word_is_no_evidence(shipped):
    # "egentligen" is a stopword (session 28): a phrasing of the SIP plan's entry ("vad som
    # egentligen är bestämt") took "när ska man göra sip egentligen", asked in two sets
    assert content_tokens("när ska man göra sip egentligen") == content_tokens("när ska man göra sip")
    result = shipped.match("när ska man göra sip egentligen")
    assert result.level == ANSWER and result.best.entry_id == "sip-nar-lag"


def test_diacritics_and_abbreviations(matcher):
    assert best(matcher, "vad gor forsakringskassan for personer utan sgi") == "fk-samordnar"
    assert best(matcher, "vad gör FK för dem utan SGI") == "fk-samordnar"
    assert best(matcher, "fkassan samordning rehab") == "fk-samordnar"


def test_alias_from_the_glossary(matcher):
    result = matcher.match("vad gör fk för personer med sig 0")
    assert ("sig 0", "SGI sjukpenninggrundande inkomst") in result.expansions
    assert result.best.entry_id == "fk-samordnar"


def test_typo_is_corrected_and_explained(matcher):
    result = matcher.match("vilka kommuner ingår i arenaa")
    assert result.corrections.get("arenaa") == "arena"
    assert result.best.entry_id == "arena-kommuner"


def test_unrelated_question_gets_nothing(matcher):
    assert matcher.match("hur bakar man surdegsbröd").level == NONE
    assert matcher.match("").level == NONE


def test_vague_question_is_not_presented_as_an_answer(matcher):
    result = matcher.match("sip")
    assert result.level in (SUGGEST, NONE)
    assert result.level != ANSWER


def test_explanation_lists_shared_words(matcher):
    result = matcher.match("måste arbetsförmedlingen delta på sip")
    top = result.best
    assert top.entry_id == "sip-af-fk-delta"
    assert {"delt", "sip"} <= set(top.shared) or {"delta", "sip"} <= set(top.shared) or "sip" in top.shared
    assert 0 < top.score <= 1


SHIPPED = Path(__file__).resolve().parent.parent / "knowledge"


@pytest.fixture(scope="module")
def shipped():
    return Matcher(load_knowledge_base(SHIPPED))


def test_a_tie_the_fitted_decision_finds_more_likely_wrong_is_offered_not_answered(shipped):
    """Two entries within tie_margin of each other, and the fitted decision gives the first less
    than tie_probability: both are offered ("Menade du …?"), and testa: says why."""
    from lotsen.explain import explain

    text = "vem betalar vad i samordningsförbundet"
    result = shipped.match(text)
    th = shipped.thresholds
    assert result.margin < th.tie_margin and result.probability < th.tie_probability
    assert result.level == SUGGEST and result.reason == "tie"
    assert {c.entry_id for c in result.candidates[:2]} == {
        "forbund-hoglandet-medlemmar-finansiering",
        "forbund-vad-ar-samordningsforbund",
    }
    assert "Två frågor ligger nästan lika nära" in explain(shipped, shipped.kb, text).decision
    # Without the fitted decision the hand thresholds alone decide, as before.
    bare = Matcher(shipped.kb, decision=None)
    assert bare.match(text).reason != "tie"


@pytest.mark.parametrize(
    ("text", "cut", "whole", "entry"),
    [
        ("blir det fler ansökn om sjukersättning pga modellen", "ansokn", "ansokningar", "rsrf-implementering"),
        ("är vi på ek bist klientens arbetsgivare??", "bist", "bistand", "soc-arbetsgivaransvar"),
        ("samverkanskoord hur mkt tjänst", "samverkanskoord", "samverkanskoordinator", "samverkanskoordinator-roll"),
    ],
)
def test_a_word_cut_short_as_in_notes_is_read_as_the_word_it_begins(shipped, text, cut, whole, entry):
    result = shipped.match(text)
    assert result.corrections.get(cut) == whole  # shown by testa: as "ansokn → ansokningar"
    assert result.level == ANSWER and result.best.entry_id == entry


@pytest.mark.parametrize(
    "text",
    [
        "var sitter höglandets förbunds kansli",  # a genitive, not "förbunds|chef"
        "jag är remittent från fk i sävsjö",  # a whole word, not "remittent|gruppen"
        "vilka konsekvenser fick avvikelsera",  # a typo for "avvikelserna", not "avvikelse|rapport"
        "finns det någon kontaktväg för det",  # the same word as "kontaktvägar"
    ],
)
def test_only_a_cut_before_a_vowel_is_completed(shipped, text):
    completed = {w: c for w, c in shipped.match(text).corrections.items() if c.startswith(w)}
    assert completed == {}


def test_an_entry_about_another_place_is_marked_and_scored_lower(shipped):
    result = shipped.match("hur ser samverkan ut i eksjö", limit=8)
    found = {c.entry_id: c for c in result.candidates}
    assert result.best.entry_id == "forbund-samverk-eksjo"
    assert found["forbund-samverk-eksjo"].place_match == 1.0 and found["forbund-samverk-eksjo"].place_ok == 1.0
    others = [
        c for c in result.candidates if c.entry_id.startswith("forbund-samverk-") and c.entry_id != result.best.entry_id
    ]
    assert others and all(c.place_ok == 0.0 and c.place_match == 0.0 for c in others if "eksjo" not in c.entry_id)


def test_the_final_score_is_a_weighted_mean_of_the_evidence(shipped):
    from lotsen.matching import RANKER, Candidate, Ranker

    full = Candidate("x", 0.0, "", overlap=1.0, fuzzy=1.0, key=1.0, intent=1.0, forms=1.0, rel_bm=1.0, base=1.0)
    assert RANKER.score(full, None, False) == 1.0
    ask = Candidate("x", 0.0, "", overlap=1.0, key=1.0, base=1.0)
    assert RANKER.score(full, ask, True) == 1.0
    # A long message's asking clause that does not support the entry lowers its share.
    assert RANKER.score(full, None, True) < 1.0
    # Without a Ranker the Weights blend is the score.
    plain = Matcher(load_knowledge_base(SHIPPED), ranker=None)
    assert plain.match("vem kallar till sip").best.score == plain.match("vem kallar till sip").best.base
    assert Ranker().score(full, None, False) == 1.0


def test_a_long_description_is_answered_only_when_its_best_entry_is_probably_right(shipped):
    text = (
        "jag har en klient med ångest och försörjningsstöd som säger att hon inte orkar praktiken, "
        "jag tvivlar lite, hur får jag underlag från vården om vad hon klarar?"
    )
    result = shipped.match(text)
    assert result.reason.endswith("+ask")
    assert 0.0 < result.confidence <= 1.0
    if result.level == ANSWER and result.reason.startswith("clear-long"):
        assert result.confidence >= shipped.thresholds.long_confidence


def test_a_word_made_up_by_typo_correction_does_not_make_a_question_topical(shipped):
    # "världens" used to be corrected towards "vårdens" and "köpa" towards "kpa"; they are common
    # Swedish words, so they are no longer corrected at all (TYPO_KEEP_ZIPF), and the questions stay off-topic.
    for question in ("vilken är världens längsta flod", "vilken bil är bäst att köpa just nu"):
        result = shipped.match(question)
        assert not result.corrections and not result.topical, question
        assert result.off_topic, question
    assert shipped.match("vad gör vården för en klient med ohälsa").topical


def test_a_long_question_the_fitted_decision_finds_likely_is_answered_and_explained(shipped):
    """The fitted answer decision (lotsen.matching.DECISION): a long question no hand threshold
    answers is answered when the model's probability that its best entry is right reaches the
    cut-off, and "testa:" says so in the model's own terms."""
    from lotsen.explain import explain
    from lotsen.matching import DECISION_SIGNALS

    text = "vad ska vi ha kommit fram till efter sip-mötet, vad ska planen innehålla"
    # Hand thresholds no score reaches, so that only the model can answer (which questions the
    # shipped thresholds leave to it changes with every knowledge-base edit).
    th = shipped.thresholds
    strict = replace(th, answer=1.01, sure=1.01, long_answer=1.01)
    matcher = Matcher(shipped.kb, thresholds=strict)
    result = matcher.match(text)
    assert set(result.evidence) == set(DECISION_SIGNALS)
    assert result.level == ANSWER and result.reason.startswith("likely-long")
    assert result.best.entry_id == "sip-resultat"
    assert result.probability >= matcher.decision.cutoff
    # Without the model, the same question is only a "Menade du …?".
    plain = Matcher(shipped.kb, thresholds=strict, decision=None).match(text)
    assert plain.level != ANSWER and plain.probability == 0.0
    decision = explain(matcher, shipped.kb, text).decision
    assert "den inlärda bedömningen ger" in decision and "sannolikhet att bästa frågan är rätt" in decision
    assert "talar för" in decision or "talar emot" in decision


def test_a_long_answer_the_fitted_decision_finds_unlikely_is_offered_instead(shipped):
    """The fitted decision's cut-off holds for the thresholds' long answers too (session 17): a
    description of a client that the hand thresholds answer is a "Menade du …?" when the model gives
    it less than the cut-off, and "testa:" says why. The cut-off is raised just above the question's
    probability here, so the test does not hang on one question's probability under today's
    phrasings (session 17's and then a tuning68 example moved as phrasings were added)."""
    from dataclasses import replace

    from lotsen.explain import explain

    text = (
        "min klient har ekb och psykisk ohälsa och ingen sgi, hon vill jobba men behöver stöd, finns det "
        "någon insats på höglandet som passar henne?"
    )
    answered = shipped.match(text)
    assert answered.level == ANSWER and answered.reason.startswith("clear-long")
    strict = Matcher(shipped.kb, decision=replace(shipped.decision, cutoff=answered.probability + 0.01))
    result = strict.match(text)
    assert result.level == SUGGEST and result.best.entry_id == answered.best.entry_id
    # Without the model the thresholds answer it.
    assert Matcher(shipped.kb, decision=None).match(text).reason.startswith("clear-long")
    why = explain(strict, shipped.kb, text).decision
    probability = f"{round(answered.probability * 100)} %"
    assert f"Den inlärda bedömningen för långa frågor ger {probability} sannolikhet" in why
    assert f"(svar från {round((answered.probability + 0.01) * 100)} %)" in why


def test_a_long_answer_without_the_question_s_distinctive_word_needs_the_higher_cut_off(shipped):
    """Session 19: on questions measured before anyone read them, long answers the model gave
    0.76–0.82 were right only 7 times in 10, and mostly when the best entry lacked the question's
    most distinctive word; such an answer needs `cutoff_missing`. "vi ska anställa en ny
    rehabkoordinator … hur stor tjänst rekommenderar regionen …" was answered with how many
    municipalities the county has. Since session 24 "hur stor tjänst" asks how large a post is (a
    facet), so the example asks what the region recommends, and since session 27 "antal" asks a
    count, so it says "per listade patienter". The cut-offs are set around the
    question's own probability, so the test does not hang on today's phrasings."""
    from dataclasses import replace

    from lotsen.explain import explain

    text = "vi ska anställa en ny rehabkoordinator på vårdcentralen, vad rekommenderar regionen per listade patienter?"
    result = shipped.match(text)
    assert result.evidence["missing"] == 1.0 and result.level != ANSWER
    p = shipped.match(text).probability
    # The fitted decision alone (the risk check, which would also offer it, is tested below).
    lenient = Matcher(shipped.kb, decision=replace(shipped.decision, cutoff=p - 0.01, cutoff_missing=None), risk=None)
    assert lenient.match(text).level == ANSWER
    strict = Matcher(shipped.kb, decision=replace(shipped.decision, cutoff=p - 0.01, cutoff_missing=p + 0.01))
    offered = strict.match(text)
    assert offered.level == SUGGEST and offered.best.entry_id == lenient.match(text).best.entry_id
    assert f"(svar från {round((p + 0.01) * 100)} %)" in explain(strict, shipped.kb, text).decision
    # The best entry has the distinctive word: the lower cut-off holds.
    assert shipped.decision.cutoff_for({"missing": 0.0}) == shipped.decision.cutoff == 0.76
    assert shipped.decision.cutoff_for({"missing": 1.0}) == 0.82


def test_a_long_answer_says_what_the_fitted_decision_gives_it(shipped):
    from lotsen.explain import explain

    text = (
        "min klient har ekb och psykisk ohälsa och ingen sgi, hon vill jobba men behöver stöd, finns det "
        "någon insats på höglandet som passar henne?"
    )
    result = shipped.match(text)
    assert result.level == ANSWER and result.reason.startswith("clear-long")
    assert result.best.entry_id == "insats-se-malgrupp" and result.probability >= shipped.decision.cutoff
    why = explain(shipped, shipped.kb, text).decision
    assert "Den inlärda bedömningen ger" in why and "(svar från 76 %)" in why


def test_the_fitted_decision_never_answers_a_weak_long_question(shipped):
    """A long question whose best entry scores under the suggestion threshold is never answered by
    the model, however far ahead its best entry is (a lone weak candidate is not evidence)."""
    text = (
        "klienten är helt inaktiv och orkar knappt gå ut, vi tror att han behöver komma igång med fysisk "
        "aktivitet innan något annat, finns det någon insats för det på höglandet?"
    )
    # The model alone: the hand rule for a lone candidate whose asking clause agrees (lone-long,
    # test below) is switched off here.
    matcher = Matcher(shipped.kb, thresholds=replace(shipped.thresholds, lone_answer=1.01))
    result = matcher.match(text)
    if result.best.score < shipped.thresholds.suggest:
        assert result.level != ANSWER


# --- facets: a question asking for a sum, a time or a number (lotsen/data/facets.yaml) -----------


@pytest.mark.parametrize(
    "text, facet",
    [
        ("vad kostar en plats på kpf för en annan kommun", "ett belopp"),
        ("hur lång är handläggningstiden för sjukersättning hos fk", "en tid"),
        ("hur många gånger får en klient utebli från anvisad praktik innan försörjningsstödet sänks", "ett antal"),
        ("vem finansierar kpf", "vem som betalar"),  # what KPF is says nothing of it
        ("behövs tolk på sip, vem bokar och betalar", "vem som betalar"),  # was who convenes a SIP
        ("kan fk betala för kpf", "vem som betalar"),  # what KPF is says nothing of it
        ("hur lång kö är det till se höglandet i nässjö just nu", "en väntetid"),
        # "Stödet är inte tidsbegränsat" says how long SE's support lasts, not how long the queue is
        ("hur lång är kön till se-coacherna", "en väntetid"),
        ("hur lång är väntetiden till vuxenpsykiatrin", "en väntetid"),  # "långa väntetider" names no time
        ("vad heter samverkanskoordinatorn i eksjö", "ett namn"),  # the documents name no staff
        # "Länet har 13 kommuner" is a number, but not of vårdcentraler
        ("hur många vårdcentraler finns det i jönköpings län", "ett antal vårdcentraler"),
        # IT-spåret's 19 deltagare are the whole effort's, not Värnamo's
        ("hur många deltagare har it-spåret haft i värnamo", "ett antal för Värnamo"),
        # "antal" asks a count as "hur många" does; SE's method names no number for Nässjö (session 27)
        ("max antal deltagare samtidigt i se nässjö", "ett antal för Nässjö"),
        # IT-spåret's results say nothing of what a participant is paid (was answered)
        ("vad får deltagarna i it-spåret för ersättning", "en ersättning"),
        # the beredningsgrupp prepares applications; no deadline is named (was answered)
        ("när är sista ansökningsdag för att söka medel från samordningsförbundet för en ny insats", "ett datum"),
        ("åldersgräns för ips", "en åldersgräns"),  # what IPS is names no age (was answered)
        # the steering group's entry says who sits in it, not how often it meets (was answered)
        ("hur ofta träffas styrgruppen för förrehab", "hur ofta något sker"),
        # Gävle's routine: "Vid behov blir det avstämning" says nothing of how often the routine is
        # checked; a past meeting asks a date; a budget asks a sum (session 28, asked in several sets)
        ("hur ofta kontrolleras gävle-rutinen", "hur ofta något sker"),
        ("sip-nätverket vetlanda sävsjö, när träffades det 2024?", "ett datum"),
        ("vilken budget har samordningsförbundet södra vätterbygden", "ett belopp"),
        ("kpf pris per utredning", "ett belopp"),  # what KPF is names no price (session 28)
        # session 29: when a sum is paid asks a date, not who pays; when a law comes into force or a
        # report is published asks a date; an address asks for contact details; "upp till vilken
        # ålder" asks an upper age limit (each was answered by an entry that names none)
        ("när på året ska kommunerna betala in medlemsbidraget till hsf", "ett datum"),
        ("när träder nya socialtjänstlagen i kraft", "ett datum"),
        ("när publiceras årsredovisningen för 2024 på hemsidan?", "ett datum"),
        ("vilken adress har kpf-teamet på arbetsmarknadsavdelningen i jönköping?", "kontaktuppgifter"),
        ("upp till vilken ålder gäller kaa, kommunens aktivitetsansvar", "en övre åldersgräns"),
        # session 30: "Välfärdsguiden är en webbplats som …" gives no address; "10 timmar i veckan"
        # counts no weeks (both were answered)
        ("vad är webbadressen till välfärdsguiden?", "en webbadress"),
        ("hur många veckor är förrehab", "ett antal veckor"),
        # SE's results name no age: a count of an age group is not given (session 30, was answered)
        ("hur många av SE-deltagarna 2024 var under 30 år", "ett antal i en åldersgrupp"),
        # "ungdomar som avbryter sina gymnasiestudier" names no age (session 30, was answered)
        ("vilken åldersgräns gäller för kommunala aktivitetsansvaret", "en åldersgräns"),
        # "vad betalar …" asks a sum; who pays for IT-spåret names none (session 30, was answered)
        ("vad betalar vi för it-spåret per år?", "ett belopp"),
        # the documents predate the new socialtjänstlag; SIP's entry only notes that it replaced the
        # old one (session 30, was answered)
        ("vad säger nya socialtjänstlagen 2025 om aktivitetskrav för fsb", "vad den nya socialtjänstlagen säger"),
        # a count that names no thing is still a count: "halvtid (50 %)" and "sedan januari 2024" are
        # none (session 30, was answered)
        ("hur många fick jobb via IPS i tranås 2024", "ett antal"),
        # what a rehabkoordinator does gives no telephone number (was answered)
        ("telefonnummer till rehabkoordinatorn på nässjö vc", "kontaktuppgifter"),
        # no document says how a decision is appealed
        ("kan klienten överklaga remittentgruppens beslut om se", "hur man överklagar"),
        # the entry on FK's application names no form number (was answered)
        ("vilket blankettnummer har fk:s ansökan om samordning av rehabiliteringsinsatser", "ett nummer"),
        # what Välfärdsguiden is names no language (was answered)
        ("vilka språk finns välfärdsguiden på", "vilka språk"),
        # the three förbund's entry says the documents do not list Finnveden's members, not what Habo pays
        ("hur mycket betalar habo kommun till södra vätterbygdens samordningsförbund", "ett belopp"),
        # what a flerpartsmöte is names no time limit (was answered)
        ("finns det någon tidsgräns för när fk måste återkoppla efter ett flerpartsmöte", "en tid"),
        # who pays for IT-spåret says nothing of who pays the journeys to it (was answered)
        ("vem betalar resorna till it-spåret", "vem som betalar för resorna"),
        # what the efforts cost says nothing of the audit's cost (session 23; was answered)
        ("vad kostade revisionen 2024", "ett belopp för revisionen"),
        # what the status or the benefit is names no code (session 23; were answered)
        ("vilken kod sätter vi i af-systemet för as med förhinder", "en kod"),
        ("vilken icd kod krävs för sjukersättning vid utmattningssyndrom", "en kod"),
        # session 23: who leads an inquiry; a talk's speaker ("utan namn", anonymously, names
        # nobody); whether participants are insured (were answered)
        ("vem leder utredningen om aktivitetsplikt S 2022:E?", "ett namn"),
        ("vem utreder dir 2022:124", "ett namn"),
        ("vad heter sammankallande i arena just nu", "ett namn"),  # the role is described, not named
        ("vem föreläste om samtycke och sekretess i samverkan 2024", "ett namn"),
        ("är deltagarna försäkrade om de skadar sig under träningen i förrehab", "en försäkring"),
        # who sits on the board says nothing of their fees (was answered)
        ("vilket arvode får ledamöterna i förbundsstyrelsen", "en ersättning"),
        # a form's number is asked before contact details: "vilket nummer har …" (was answered)
        ("vilket nummer har fk:s blankett för ansökan om samordning", "ett nummer"),
        # the förbund's plans for 2025 give no last day to sign up (was answered)
        ("sista dag att anmäla sig till hsf:s inspirationsdag 2026", "ett datum"),
        # the law's paragraphs give no year ("år" read as typed: folded it is "är")
        ("vilket år blev sip lagstadgat", "ett årtal"),
        # "en vårdcentral" names none; the documents name only kinds of vårdcentraler (was answered)
        ("vilken vårdcentral i tranås är med i pilotprojektet", "vilken vårdcentral"),
        # secrecy needs consent, but no paragraph of the law is named (was answered)
        ("vilken paragraf i offentlighets- och sekretesslagen gäller mellan soc och vc", "en paragraf"),
        # AMIE's entry names sjuk- och aktivitetsersättning as what is applied for later, not as pay (was answered)
        ("vilken ersättning får klienten under arbetsträning på amie", "en ersättning"),
        # "en arbetsterapeut ansvarar" is an article, not a count (was answered)
        ("hur många arbetsterapeuter jobbar på amie", "ett antal arbetsterapeuter"),
        # the place is the question's own word although an alias's expansion makes the question long:
        # the contributions of Höglandet's six members say nothing of Habo (was answered)
        ("hur mycket betalar habo i medlemsavgift till samordningsförbundet", "ett belopp för Habo"),
        # that the rehabkoordinator scans the form in names no journal system (was answered)
        ("vilket journalsystem skannar rehabkoordinatorn in samtyckesblanketten i", "vilket system"),
        # the three förbund's entry names no chair of Södra Vätterbygden (was answered)
        ("vem är ordförande i södra vätterbygdens samordningsförbund", "ett namn"),
        # the board's meetings of 2024 say nothing of the next one (was answered)
        ("när är nästa styrelsemöte i hsf", "när nästa tillfälle är"),
        # what SGI is says nothing of how it is calculated (was answered)
        ("hur räknas sgi ut", "hur det räknas ut"),
        # "AF is the right support for one who has the right to a-kassa" names no a-kassa (was answered)
        ("vilken a-kassa ska min klient gå med i", "vilken a-kassa"),
        # Samverk Rehab's entry says who meets and how often, not at what time (was answered)
        ("vilken tid på dagen har samverk rehab i aneby sina möten", "ett klockslag"),
        # what IPS is says nothing of the benefit during the job (was answered)
        ("får en ips deltagare behålla aktivitetsersättningen när hen börjar jobba", "om ersättningen får behållas"),
        # the remittentgrupp's task names no form; IT-spåret's results say nothing of applying (were answered)
        ("vilken blankett använder remittentgruppen i eksjö när någon skrivs ut ur se", "en blankett"),
        ("finns det en blankett för att söka till it-spåret", "en blankett"),
        # what SE is says nothing of a move; AMIE's entry names no insurance; SE's results no salary
        ("vad händer om deltagaren flyttar mitt i se-höglandet", "vad som händer vid en flytt"),
        ("vilken försäkring gäller för klienten under arbetsträning på amie", "en försäkring"),
        ("vilken lön har en se-coach på höglandet", "ett belopp"),
        # the effort's whole cost is not a sum per participant; nor the members' contributions per inhabitant
        ("vad kostar förrehabilitering i hälsocenter per deltagare", "ett belopp per deltagare"),
        ("räknas kommunernas medlemsbidrag till hsf per invånare", "ett belopp per deltagare"),
        ("vad kostar en plats på it-spåret per elev", "ett belopp per deltagare"),  # session 22
        ("lön för en se-coach", "ett belopp"),
        ("se-coach lön", "ett belopp"),
        ("maxbelopp bostadstillägg till sjukersättning", "ett belopp"),
        ("får klienten ersättning under arbetsprövningen i kpf", "en ersättning"),
        ("vad händer med kpf om klienten flyttar till en annan kommun", "vad som händer vid en flytt"),
        ("sou 2020:24 vad heter den", "ett namn"),  # the documents give only the inquiry's number
        # session 23: an inquiry's title, a head teacher, "nån ersättning"
        ("sou 2020:24 titel?", "ett namn"),
        ("vem är rektor på ädelfors folkhögskola", "ett namn"),
        ("får deltagare i förrehab på hälsocenter nån ersättning", "en ersättning"),
        # since when: "sen när …", "när började …" ask for a year
        ("sen när använder tranås instrument x", "ett årtal"),
        ("när började habo vara med i arena", "ett årtal"),
        ("när infördes sip i lagen", "ett årtal"),  # session 24: "när infördes/bildades/grundades …"
        # a list for one municipality needs an answer naming it (session 24: which vårdenheter
        # Arena includes answered it; Arena's definition names Habo, the answer does not)
        ("vilka vårdcentraler finns i habo", "en lista för Habo"),
        # what a kommunområde is says each has a coordinator, not how large the post is (session 24)
        ("hur stor tjänst är samverkanskoordinatorn per kommunområde", "hur stor tjänsten är"),
        # "hur mycket ska … betala" asks an amount, not who pays (session 24: the 2025 budget answered it)
        ("hur mycket ska aneby betala till förbundet 2025", "ett belopp för Aneby"),
        # the documents name no staff: not the chief, nor who gave a talk; "nämns" (mentioned) is not a name
        ("vem är förbundschef", "ett namn"),
        ("vilka föreläste på inspirationsdagen i olsbergs arena", "ett namn"),
        ("vem höll juridikföreläsningen om samtycke och sekretess", "ett namn"),
        ("juridikforelasningen om samtycke o sekretess vem holl den", "ett namn"),  # session 24, chat order
        ("vem är chef för psykiatriska kliniken höglandet", "ett namn"),
        # what the intyg routine says names no fee; SE's results no pay; the consent form's route no channel
        ("får läkaren ta betalt för ett intyg till socialtjänsten", "ett belopp"),
        ("vad får en se-deltagare för lön under praktiken", "ett belopp"),
        ("får jag mejla samtyckesblanketten till vårdcentralen eller måste den skickas med post", "hur det skickas"),
        # what a SIP results in names no signature; the SIP form's time limits say nothing of keeping it
        ("måste klienten skriva under sip-planen", "en underskrift"),
        ("hur länge ska en sip sparas innan den gallras", "hur länge det sparas"),
        # the municipalities' labour-market units are named, their heads are not
        ("vem är chef för arbetsmarknadsavdelningen i jönköpings kommun", "ett namn"),
        # FK's application asks for a current läkarintyg, not how old it may be
        ("hur gammalt får läkarintyget vara som skickas med fk:s samordningsansökan", "en åldersgräns"),
        # session 19: the present tense of a fee, a chapter of the law, a text message and the
        # definite form of a form's number ask the same (were answered)
        ("tar läkaren betalt för intyg till socialtjänsten", "ett belopp"),
        ("vilket kapitel i osl reglerar sekretessen mellan soc och vården", "en paragraf"),
        ("får en sip-kallelse skickas via sms", "hur det skickas"),
        ("vad är blankettnumret på fk:s ansökan om samordning av rehabiliteringsinsatser", "ett nummer"),
        # session 19: how to get a login, an interpreter, taking part from a distance, an e-service
        ("hur får jag inloggning till arena kontaktlistan", "hur man får inloggning"),
        # session 20: "hur gör jag för att få …" asks how a login is got too
        ("hur gör jag för att få inloggning till arena kontaktlistan", "hur man får inloggning"),
        ("får man ta med tolk till arena", "tolk"),
        ("kan fk:s kontaktperson vara med på sip via teams", "att delta på distans"),
        ("vilken e-tjänst ska klienten använda för att söka sjukersättning", "vilket system"),
    ],
)
def test_a_question_asking_for_a_sum_a_time_or_a_number_the_entry_does_not_name_is_not_answered(shipped, text, facet):
    result = shipped.match(text)
    assert result.level != ANSWER and result.reason == "facet" and result.facet is not None
    assert result.facet.label == facet
    from lotsen.explain import explain

    assert (
        f"Frågan frågar efter {facet}, men svaret på bästa frågan innehåller inget sådant"
        in explain(shipped, shipped.kb, text).decision
    )


def test_keeping_a_benefit_when_saying_no_to_an_effort_is_not_answered_by_the_effort(shipped):
    # Session 18: the SE entries' new phrasings leave this under the answer threshold before the
    # facet check ("low" rather than "facet"); either way the effort's entry does not answer it.
    result = shipped.match("får klienten behålla försörjningsstödet om hen tackar nej till en plats i se-höglandet")
    assert result.level != ANSWER


def test_a_number_for_the_whole_effort_still_answers_a_question_that_names_no_place(shipped):
    assert shipped.match("hur många deltagare har it-spåret haft").level == ANSWER


@pytest.mark.parametrize(
    "text, entry",
    [
        ("hur många avvikelser kom in 2024", "avvikelse-statistik-2024"),  # the answer has the number
        ("hur mycket betalar regionen till förbundet", "forbund-bidrag-per-part-2024"),  # … the sum
        ("avvikelse hur lång tid har jag på mig", "avvikelse-tidsgrans"),  # gap: the documents are silent
        # "hur mycket … kan arbeta" asks who assesses work capacity, not for a sum
        ("vem avgör hur mycket min klient kan arbeta", "vem-bedomer-arbetsformaga"),
        ("vem betalar för it-spåret", "insats-it-sparet"),  # "Länets tre förbund och regionen betalar."
        # the effort's cost is listed; "vad kostar det" names nothing after the verb (session 23)
        ("vad kostade se-höglandet 2024", "forbund-kostnad-insatser-2024"),
        ("uppdrag samverkan vad kostar det", "forbund-kostnad-insatser-2024"),
        ("hur många kommuner finns det i jönköpings län", "forbund-13-kommuner"),  # "Länet har 13 kommuner"
        ("hur många deltagare har en se-coach", "insats-se-metod"),  # "cirka 20 personer": alike words
        ("hur många möten hade remittentgruppen", "insats-se-remittentgrupp-kommuner"),  # "Antal möten 2024: …"
        # session 29: "sju möten" after "styrelsen" counts styrelsemöten; "nio ledamöter"; "Varje person
        # som går … till egen försörjning ger … 16 200 kr i månaden" is a sum per person (each was offered)
        ("hur många styrelsemöten hade hsf 2024", "forbund-styrelse"),
        ("hur många ledamöter har hsf:s styrelse", "forbund-styrelse"),
        ("socioekonomisk effekt per person som går till jobb", "forbund-socioekonomisk-effekt"),
        ("hur ofta träffas samverk eksjö", "forbund-samverk-eksjo"),  # "… med jämna mellanrum"
        # who pays, not how much: the members' shares answer it (was offered for want of a sum)
        ("vem står för kostnaderna för hsf", "forbund-hoglandet-medlemmar-finansiering"),
        # not_asking: who decides a number; long queues mentioned as a fact (both were offered)
        ("vem avgör hur många procent min klient kan jobba", "vem-bedomer-arbetsformaga"),
        ("långa väntetider i vuxenpsykiatrin vad gör regionen", "psykiatrin-i-samverkan"),
        ("hur mycket har antalet sjukskrivna med bistånd ökat", "forbund-statistik-ohalsa-bistand"),  # "… 42 %"
        ("hur mycket ökade sjukskrivna med ek bistånd 2010-2019", "forbund-statistik-ohalsa-bistand"),  # session 29
        ("avvikelser i samverkan hur många 2024", "avvikelse-statistik-2024"),  # a year is no counted thing
        ("hur mycket coachtid har se sävsjö", "insats-se-kommuner"),  # a time, not a sum (session 29)
        # where FK's contact persons are listed answers a request for one's number
        ("telefonnummer till fk:s kontaktperson i habo", "fk-kontaktperson-hitta"),
        ("hsf kansli mejladress", "forbund-kansli-kontakt"),
        # an entry saying the documents are silent answers the facets of the kinds it is about
        ("hur många kommuner är med i finnvedens samordningsförbund", "forbund-lanets-tre-forbund"),
        ("hur ofta träffas arena", "arena-remissrutin"),
        ("vilka är medlemmar i hsf", "forbund-hoglandet-medlemmar-finansiering"),  # "är", not "år"
        ("vilka vårdcentraler är med i samverk vetlanda", "forbund-samverk-vetlanda"),  # "… vårdcentralerna …"
        # what is paid for is named in the answer or the phrasings
        ("vem betalar för it-spåret", "insats-it-sparet"),
        ("vilka paragrafer i sfb gäller samordningen", "begrepp-lagrum"),  # "… 30 kap. 8 § SFB …"
        # the board's entry says the names are in the annual report; a SIP meeting's chair is a role
        ("vem är ordförande i samordningsförbundet", "forbund-styrelse"),
        ("vem är ordförande på sip-mötet", "sip-blankett-tidsgranser"),
        ("vad räknas som allvarlig avvikelse", "avvikelse-allvarlig"),  # what counts, not how it is calculated
        # FK's application names its form, and the SE referral entry its template
        ("vilken blankett skickar man till fk för samordning", "fk-samordning-ansokan"),
        ("finns det en mall för remiss till se-höglandet", "insats-se-remiss-innehall"),
        # keeping a full-time sick-listing is not keeping a benefit
        (
            "läkaren vill skriva ut min klient på deltid, ska vi be om att hon får behålla heltidssjukskrivning",
            "rsrf-deltidssjukskrivning",
        ),
        # a written consent is a signature ("Ja, personen måste ge skriftligt samtycke")
        ("behöver vi klientens underskrift för arena", "arena-samtycke"),
        # a list asked for a place the answer names, or for no place at all (session 24)
        ("vilka arbetsmarknadsenheter finns i tranås", "arbetsmarknadsenheter-kommuner"),
        ("kpf jkpg vilka yrken finns i teamet", "insats-kpf"),
        ("samverkanskoordinator hur stor tjänst", "samverkanskoordinator-roll"),  # "… på halvtid …"
        ("står sip i nya socialtjänstlagen", "sip-nar-lag"),  # SIP in the new law: its note answers (session 30)
    ],
)
def test_an_entry_that_names_the_sum_time_or_number_or_says_the_documents_are_silent_answers(shipped, text, entry):
    result = shipped.match(text)
    assert result.facet is None and result.best.entry_id == entry


def test_facets_are_read_from_data_and_match_folded_text():
    from lotsen.facets import answers, asked, facets, fold_answer

    assert [f.name for f in facets()] == [
        "payer",
        "per_unit",
        "participant_cost",
        "amount",
        "benefit",
        "travel",
        "next_time",
        "time_of_day",
        "date",
        "year",
        "max_age",
        "age",
        "frequency",
        "retention",
        "wait",
        "duration",
        "previous",
        "name",
        "person",
        "calculation",
        "reference",
        "code",
        "form",
        "paragraph",
        "system",
        "web",
        "contact",
        "access",
        "apply",
        "opening",
        "venue",
        "interpreter",
        "remote",
        "extent",
        "listing",
        "which_vardcentral",
        "keep",
        "channel",
        "move",
        "signature",
        "insurance",
        "which_akassa",
        "language",
        "appeal",
        "new_law",
        "age_group",
        "count",
    ]
    amount = asked("vad kostar det")
    assert amount is not None and amount.label == "ett belopp"
    assert answers(amount, "bidraget var 1 200 tkr") and not answers(amount, "kpf ar en utredning")
    # "%" survives folding as "pct": a post of "50 %" says how large it is, but is no sum (session 27)
    extent = asked("hur stor tjanst har ips-coachen")
    assert extent is not None and extent.name == "extent"
    assert answers(extent, fold_answer("en IPS-coach på 50 % inom SE")) and not answers(
        extent, "en ips coach pa 50 inom se"
    )
    assert not answers(amount, fold_answer("ersättningen är 64 % av inkomsten"))
    # a group that meets "vid behov" says how often; a step taken "vid behov" does not (session 28)
    often = asked("hur ofta traffas gruppen")
    assert often is not None and often.name == "frequency"
    assert answers(often, fold_answer("Gruppen träffas vid behov."))
    assert not answers(often, fold_answer("Vid behov blir det avstämning med läkaren."))
    assert asked("hur mycket klarar hon att arbeta") is None
    assert asked("vad gor forsakringskassan for min klient") is None  # an insurance is not Försäkringskassan
    assert asked("han ar forsakrad och har nedsatt arbetsformaga") is None  # being insured, as a fact
    assert asked("flyttar klienten till eksjo") is None  # a move only "mitt i" something
    assert asked("vad kostar it-sparet per ar").name == "amount"  # a year is not a participant
    assert asked("vi vill inte mejla fram och tillbaka, vilket forum ska vi anvanda") is None
    assert asked("hur lange ska sip-planen sparas").name == "retention"  # before a duration
    assert asked("hur lange varar en sip").name == "duration"
    assert answers(asked("maste klienten skriva under"), "personen maste ge skriftligt samtycke")
    age = asked("min klient med aktivitetsersattning fyller 30 snart, vad hander da")
    assert age is not None and age.name == "age"
    assert asked("vad heter arbetsmarknadsenheten i nassjo") is None  # a unit's name, not a person's
    assert asked("vilka samordningsforbund finns i jonkopings lan") is None  # the county is no municipality
    assert asked("kan fk betala arbetshjalpmedel").name == "payer"
    assert asked("hur mycket ska aneby betala till forbundet").name == "amount"
    benefit = asked("far deltagarna nagon ersattning")
    assert benefit is not None and benefit.name == "benefit"
    assert asked("nar ar sjukersattning aktuellt") is None  # sjukersättning is a thing of its own
    assert answers(benefit, "deltagarna har aktivitetsstod") and not answers(benefit, "ett stod i grupp")
    person = asked("vem ar rehabkoordinator pa vardcentralen i habo")  # session 21: a person for one place
    assert person is not None and person.name == "person"
    assert asked("vem ar samverkanskoordinator for min kommun") is None  # "min kommun" names no place
    assert answers(person, "de star pa arena-listan") and not answers(person, "hen tar emot samtycket")
    assert asked("hur lang ar en kpf-utredning").name == "duration"
    assert asked("vad har fk:s blankett for ansokan om samordning for nummer").name == "reference"
    assert asked("vad far arbetsgivaren betalt for en arbetstraningsplats").name == "amount"
    assert asked("far jag skicka blanketten med vanlig e post").name == "channel"  # folded, "e-post" is "e post"
    assert asked("vad betalar klienten i patientavgift").name == "amount"
    assert asked("kan klienten fa resersattning till sip-motet").name == "travel"
    assert asked("behover klienten bankid for att ansoka om samordning").name == "access"
    travel = asked("betalar fk resorna till arbetstraningen")  # session 21: the documents never mention travel
    assert travel is not None and travel.name == "travel"
    assert answers(travel, "hon far reseersattning") and not answers(travel, "deltagarna har aktivitetsstod")
    contact = asked("vad har arbetsformedlingen i nassjo for telefonnummer")
    assert contact is not None and contact.name == "contact"
    assert answers(contact, "listan kraver inloggning") and not answers(contact, "rehabkoordinatorn tar emot samtycket")
    date = asked("vilket datum ar motet")
    assert date is not None and answers(date, "motet ar den 5 april") and not answers(date, "en gang i manaden")
    # session 30: a web address is answered by an address, not by "… är en webbplats som …"
    web = asked("vad ar webbadressen till valfardsguiden")
    assert web is not None and web.name == "web"
    assert answers(web, "mer finns pa www finsamjonkopingslan se") and not answers(
        web, "valfardsguiden ar en webbplats"
    )
    assert asked("lank till insatskatalogen").name == "web"


def test_a_count_is_of_the_thing_the_question_counts():
    from lotsen.facets import counted, counts
    from lotsen.text import fold, stem

    assert counted("hur manga vardcentraler finns det") == "vardcentraler"
    assert counted("hur manga olika insatser finns") == "insatser"
    assert counted("hur manga har en coach") == ""  # people, unnamed: any number answers
    assert counted("se hoglandet hur manga till jobb 2024") == ""  # a preposition: people, unnamed
    assert counted("vad ar sip") == ""
    assert counts(stem("kommuner"), fold("Länet har 13 kommuner."))
    assert not counts(stem("vårdcentraler"), fold("Länet har 13 kommuner och olika antal vårdcentraler."))
    assert counts(
        stem("möten"), fold("År 2024 hade styrelsen sju möten, varav fyra digitala.")
    )  # not only the first number
    assert counts(stem("grupper"), fold("Det finns fyra samverkansgrupper."))  # a compound ending in it
    assert counts(stem("deltagare"), fold("En coach har cirka 20 personer."))  # a word of the same group
    assert counts(stem("möten"), fold("Antal möten 2024:\n- Aneby: 6"))
    # session 29: a compound counts as its head when its first part stands just before the number;
    # "ggr" counts gånger
    assert counts(stem("styrelsemöten"), fold("År 2024 hade styrelsen sju möten, varav fyra digitala."))
    assert not counts(
        stem("samverkansträffar"), fold("Arbetsgruppen med medarbetare träffas minst fyra gånger per år.")
    )
    assert counts(stem("ggr"), fold("Styrgruppen träffas tre gånger per år."))
    # session 30: a count naming no thing needs a number that counts: not a year, share, sum or time
    from lotsen.facets import counts_anything

    assert counts_anything(fold("42 av 74 gick till arbete")) and counts_anything(fold("Tre coacher finns."))
    assert not counts_anything(fold("En IPS-coach på halvtid (50 %) sedan januari 2024, i 10 månader."))
    # session 30: a rate's words name no thing counted: "10 timmar i veckan" counts timmar, not veckor
    assert not counts(stem("veckor"), fold("Sedan ska hen kunna delta 10 timmar i veckan."))
    assert counts(stem("timmar"), fold("Sedan ska hen kunna delta 10 timmar i veckan."))
    assert counts(stem("veckor"), fold("Utredningen tar fyra veckor i snitt."))


def test_a_long_situation_that_only_one_entry_explains_is_answered_though_its_score_is_low(shipped):
    """The issue's case: a 25-word description scores low with any entry, but when one entry
    alone is near (every other under the suggestion floor) and the asking clause agrees, it is
    answered (reason lone-long), and "testa:" says why."""
    from lotsen.explain import explain

    text = (
        "en man 27 med autism och stort it-intresse har suttit på sitt rum sedan skolan och har fsö, föräldrarna "
        "är oroliga. finns det någon insats som kan passa honom?"
    )
    result = shipped.match(text)
    assert result.best.score < shipped.thresholds.suggest  # no other rule would answer it
    assert result.level == ANSWER and result.reason.startswith("lone-long")
    assert result.best.entry_id == "insats-it-sparet" and len(result.candidates) == 1
    assert "bara en fråga i kunskapsbasen ligger nära" in explain(shipped, shipped.kb, text).decision
    # Without the asking clause's agreement or with another entry near, it is not answered.
    short = "man 27 med autism, stort it-intresse, hemma sedan skolan"
    assert shipped.match(short).reason != "lone-long"


MAIL_TO_THE_BOSS = (
    "kan du hjälpa mig skriva ett mejl till min chef om att jag vill ha semester vecka 29 till 32? en kollega "
    "vill också ha de veckorna, hur skriver jag det snällt så det inte blir bråk"
)


def test_a_lone_entry_that_explains_little_of_a_long_message_does_not_answer_it(shipped):
    """Session 25: a long message about a holiday e-mail had only "how to file a deviation" near
    (the asking clause agreeing, through "mejl" and "skriver"), which explains 13 % of it; a lone
    entry needs to explain Thresholds.lone_focus of the message."""
    from dataclasses import replace

    result = shipped.match(MAIL_TO_THE_BOSS)
    assert result.level != ANSWER and result.best.focus < shipped.thresholds.lone_focus
    # The thresholds alone (the risk check would offer it too).
    lenient = Matcher(shipped.kb, thresholds=replace(shipped.thresholds, lone_focus=0.0), risk=None)
    assert lenient.match(MAIL_TO_THE_BOSS).reason.startswith("lone-long")


# --- a short question naming something the knowledge base has never heard of ---------------------


@pytest.mark.parametrize(
    "text",
    [
        "kan man få bostadstillägg samtidigt som sjukersättning",  # not what sjukersättning is
        "hur rapporterar jag en avvikelse i bokföringen",  # not a deviation in samverkan
    ],
)
def test_a_short_question_with_a_word_the_knowledge_base_never_uses_is_offered_not_answered(shipped, text):
    from lotsen.explain import explain

    result = shipped.match(text)
    assert result.level != ANSWER and result.reason == "unknown-word"
    decision = explain(shipped, shipped.kb, text).decision
    assert "innehåller ordet ”" in decision and "som inte finns någonstans i kunskapsbasen" in decision


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("när kan sjukersättning bli aktuellt", "sjukersattning-nar"),  # every word is known
        ("vad är förrehabiliteringen i hälsocenter", "insats-forrehab"),  # a compound of known words
        # session 29: a compound that splits into known words is no unknown word, though no text
        # writes it whole (both were offered with "Jag hittar inget svar om ”…”")
        ("avvikelseblanketten vart skickar jag den", "avvikelse-anmala"),
        ("vem kallar till sip i tranåsprocessen", "sip-vem-kallar"),
    ],
)
def test_known_words_and_compounds_of_them_are_not_unknown_words(shipped, text, entry):
    result = shipped.match(text)
    assert result.level == ANSWER and result.best.entry_id == entry


def test_a_typo_of_a_known_word_is_not_an_unknown_word(shipped):
    result = shipped.match("vem är försäkringskasan")
    assert result.corrections and result.reason != "unknown-word"


# --- a place outside Jönköpings län (lotsen/data/elsewhere.yaml) ---------------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("har kalmar län också rätt stöd rätt försörjning", "Kalmar"),
        ("vilka regler gäller för sip i region östergötland", "Östergötland"),
    ],
)
def test_a_question_about_another_county_is_offered_not_answered(shipped, text, place):
    from lotsen.explain import explain

    result = shipped.match(text)
    assert result.level != ANSWER and result.reason == "elsewhere" and result.missing == place
    assert f"Frågan gäller {place}, som ligger utanför Jönköpings län" in explain(shipped, shipped.kb, text).decision


def test_an_entry_that_names_the_place_still_answers(shipped):
    # the knowledge base has Region Gävleborg's routine: Gävle is not "elsewhere" for it
    result = shipped.match("varför slutade gävleborg skriva läkarintyg för försörjningsstöd")
    assert result.reason != "elsewhere" and result.best.entry_id.startswith("gavle-")


def test_places_elsewhere_are_whole_words_of_folded_text():
    from lotsen.facets import places_elsewhere

    assert [p.name for p in places_elsewhere("finns arena i malmos kommun")] == ["Malmö"]  # genitive -s
    assert places_elsewhere("lundagard") == [] and places_elsewhere("vad ar en lunda") == []
    assert [p.name for p in places_elsewhere("sip i vastra gotaland")] == ["Västra Götaland"]


def test_an_abbreviation_weighs_as_one_word_not_as_every_word_of_its_expansion(shipped):
    """ "sip" expands to "samordnad individuell plan" so that entries writing it out are found,
    but the expansion's words are not three more words of evidence: an entry that only knows
    what a SIP is explains the abbreviation, not "vem startar"."""
    analysed = shipped._analyse("vem startar en sip", correct=True)
    assert {stem("samordnad"), stem("individuell"), stem("plan")} <= set(analysed.stems)
    assert analysed.expanded == {stem("samordnad"), stem("individuell"), stem("plan")}
    result = shipped.match("vem startar en sip", limit=8)
    focus = {c.entry_id: c.fuzzy for c in result.candidates}
    assert focus["sip-vem-kallar"] == 1.0
    assert focus["sip-vad-ar"] < 0.5  # it was 0.65 while the expansion counted as three words
    assert result.best.entry_id == "sip-vem-kallar" and result.margin >= 0.2


@pytest.mark.parametrize(
    "text, place",
    [
        ("rehabprocessen i eksjö", "eksjö"),
        ("rehabprocess i nässjö", "nässjö"),
        # "lokala samverkansgruppen" is LSG's alias, but it names no place of its own (session 30:
        # LSG's expansion named Tranås, so the question named both and Tranås's groups were answered)
        ("hur får jag upp ärendet i den lokala samverkansgruppen i nässjö", "nässjö"),
    ],
)
def test_a_short_question_about_a_place_is_not_answered_by_an_entry_about_another(shipped, text, place):
    """Tranås's rehabilitation process does not answer a question about Eksjö's: it is offered."""
    from lotsen.explain import explain

    result = shipped.match(text)
    assert result.level == SUGGEST and result.reason == "other-place" and result.other_place == place
    assert result.best.entry_id in ("tranas-rehabprocess", "forbund-samverk-tranas")
    assert (
        f"Frågan är kort och nämner {place}, men bästa frågan handlar om en annan ort"
        in explain(shipped, shipped.kb, text).decision
    )


@pytest.mark.parametrize(
    "text, entry",
    [
        ("hur stor budget har finnvedens samordningsförbund", "forbund-ekonomi-2024"),
        ("har finnvedens samordningsförbund supported employment", "insats-se-vad-ar"),
        # a sentence of eight words or more (session 24: were answered with Höglandet's figures)
        ("hur många avvikelser i samverkan kom in i finnvedens förbund 2024", "avvikelse-statistik-2024"),
    ],
)
def test_a_short_question_about_a_forbund_the_documents_barely_describe_is_not_answered_by_another(
    shipped, text, entry
):
    """Session 21: Höglandet's budget does not answer a question about Finnveden's (geography's
    `in_seeds: false`); it is offered, and the card says which förbund it has nothing for."""
    from lotsen.features.qa import Verdict, _suggestions_intro

    result = shipped.match(text)
    assert result.level == SUGGEST and result.reason == "other-place"
    assert result.best.entry_id == entry and result.other_place == "Finnvedens samordningsförbund"
    intro = _suggestions_intro(Verdict("suggest", result=result))
    assert intro.startswith("Jag hittar inget svar för Finnvedens samordningsförbund på det du frågar.")
    assert shipped.match("vilka kommuner ingår i finnvedens samordningsförbund").level == ANSWER  # it names them all


@pytest.mark.parametrize(
    "text, thing, entry",
    [
        # how SE-Höglandet went in 2024 says nothing of KPF (was answered)
        ("hur många deltagare gick igenom kpf förra året", "kpf", "insats-se-resultat"),
        # running activities in parallel says nothing of komvux (was answered)
        ("får man plugga på komvux och ha ekb samtidigt", "komvux", "parallella-insatser"),
        # a name typed as it is, no alias (session 23): SE-Höglandet's results say nothing of Arena
        ("hur många fick jobb via arena 2024", "arena", "insats-se-resultat"),
        ("hur många klienter gick till jobb efter arenan 2024", "arenan", "insats-se-resultat"),
    ],
)
def test_a_short_question_naming_an_effort_or_term_the_entry_never_mentions_is_offered(shipped, text, thing, entry):
    from lotsen.explain import explain

    result = shipped.match(text)
    assert result.level == SUGGEST and result.reason == "other-thing" and result.other_thing == thing
    assert result.best.entry_id == entry
    assert f"Frågan är kort och nämner ”{thing}”, men bästa frågans svar nämner det inte" in (
        explain(shipped, shipped.kb, text).decision
    )


@pytest.mark.parametrize(
    "text, entry",
    [
        ("far anhöriga vara med på sip", "sip-vem-deltar"),  # "far" is "får" typed plainly, not FaR
        ("vad kostar kpf", None),  # the entry about KPF mentions it: the facet decides, not this rule
        ("hur många deltagare hade se-höglandet 2024", "insats-se-resultat"),  # the entry names SE
        # ekonomiskt bistånd is the background of many entries, not what this question asks about
        (
            "min klient har ekb och är inskriven på af men sjuk, kan hon mista a-kassan",
            "af-arbetssokande-med-forhinder",
        ),
        # a glossary term the answers write as an ordinary word ("Kund" is Gävle's word for the client)
        ("kan kunden själv begära en sip", "sip-vem-kallar"),
        # "styr" stems as "styrelse" does, but is not the board's name; nor is "räknas" Räkna med oss
        ("vilken lag styr samordningsförbunden", "forbund-vad-ar-samordningsforbund"),
        ("vad räknas som försörjningshinder", "begrepp-forsorjningshinder"),
    ],
)
def test_an_effort_or_term_the_entry_mentions_or_a_common_word_alias_is_no_other_thing(shipped, text, entry):
    result = shipped.match(text)
    assert result.reason != "other-thing"
    if entry:
        assert result.level == ANSWER and result.best.entry_id == entry


def test_a_short_question_about_another_year_than_the_entry_is_offered(shipped):
    """The deviations of 2024 do not answer how many came in 2023; a year the entry names still
    answers, and "sou 2020:24" is a report's number, not a year."""
    from lotsen.explain import explain

    text = "hur många avvikelser i samverkan kom in 2023"
    result = shipped.match(text)
    assert result.level == SUGGEST and result.reason == "other-year" and result.missing == "2023"
    assert result.best.entry_id == "avvikelse-statistik-2024"
    assert "Frågan är kort och gäller 2023, men bästa frågans svar gäller ett annat år" in (
        explain(shipped, shipped.kb, text).decision
    )
    assert shipped.match("hur många avvikelser kom in 2024").level == ANSWER
    assert shipped.match("sou 2020:24 vad handlar den om").reason != "other-year"
    # "Enligt rapporterna 2024: …" dates the answer although a colon follows the year (was answered)
    coaches = shipped.match("hur många se-coacher har aneby 2026")
    assert coaches.reason == "other-year" and coaches.best.entry_id == "insats-se-kommuner"


def test_a_short_question_about_a_year_is_not_answered_by_an_undated_entry(shipped):
    """Session 29: when SIP is made by law names no year, so it does not say how many SIPs were
    made on Höglandet in 2024 (was answered); the suggestions card and "testa:" say why."""
    from lotsen.explain import explain

    text = "antal sip upprättade på höglandet 2024"
    result = shipped.match(text)
    assert result.level == SUGGEST and result.reason == "undated-year" and result.missing == "2024"
    assert "Frågan är kort och gäller 2024, men bästa frågans svar nämner inget år" in (
        explain(shipped, shipped.kb, text).decision
    )
    assert shipped.match("när ska man göra en sip").level == ANSWER  # no year asked, still answered


def test_a_short_question_naming_no_place_whose_best_entries_are_about_different_places_is_offered(shipped):
    """Session 30: "hur ofta ses samverkanskoordinatorerna" names no municipality, and the two best
    entries are Nässjö's and Sävsjö's groups (was answered with Nässjö's); "testa:" says why. A
    question naming the place is still answered."""
    from lotsen.explain import explain

    text = "hur ofta ses samverkanskoordinatorerna och var"
    result = shipped.match(text)
    assert result.level == SUGGEST and result.reason == "which-place"
    assert {c.entry_id for c in result.candidates[:2]} == {"forbund-samverk-nassjo", "forbund-samverk-savsjo"}
    assert (
        "nämner ingen ort, men de två bästa frågorna gäller olika orter" in explain(shipped, shipped.kb, text).decision
    )
    assert shipped.match("hur ofta träffas samverk nässjö").level == ANSWER


def test_a_rare_glossary_term_the_best_entry_never_mentions_is_what_a_short_question_asks_about(shipped):
    """Session 30: "anställningsstöd" and "lönebidrag" are glossary terms no answer explains; SE's
    method (not time-limited support) does not answer how long an employer gets anställningsstöd,
    nor SE's results how many got a job with lönebidrag. A common word is no such term."""
    result = shipped.match("hur länge kan en arbetsgivare få anställningsstöd")
    assert result.level == SUGGEST and result.reason == "other-thing" and result.other_thing == "anställningsstöd"
    result = shipped.match("hur många av se-deltagarna fick lönebidrag 2024")
    assert result.level == SUGGEST and result.reason == "other-thing"
    # was offered for want of a sum (session 15), now for the term: SE's method never names lönebidrag
    result = shipped.match("hur mycket lönebidrag kan arbetsgivaren få för en se-deltagare")
    assert result.level == SUGGEST and result.reason == "other-thing" and result.other_thing == "lönebidrag"
    assert shipped.match("hur länge får man vara med i se-höglandet").level == ANSWER


def test_how_to_apply_or_refer_needs_an_answer_that_says_how(shipped):
    """Session 25: "hur anmäler jag en klient till förrehab" is not answered by what förrehab is,
    whose answer says nothing of a referral; how one gets into SE-Höglandet (the remittentgrupp)
    and how to apply to FK still answer, and a description of a situation ending in how to
    refer is not held to it (the facet is asked by short questions only)."""
    from lotsen.facets import asked

    facet = asked("hur anmaler jag en klient till forrehab i halsocenter")
    assert facet is not None and facet.name == "apply"
    result = shipped.match("hur anmaler jag en klient till forrehab i halsocenter")
    assert result.level == SUGGEST and result.reason == "facet" and result.facet.name == "apply"
    assert result.best.entry_id == "insats-forrehab"
    for text, entry in (
        ("hur kommer man in i se höglandet", "insats-se-remiss"),
        ("hur ansöker man om samordning av rehabiliteringsinsatser hos fk", "fk-samordning-ansokan"),
        ("hur anmäler jag en avvikelse i samverkan", "avvikelse-anmala"),
    ):
        answered = shipped.match(text)
        assert answered.level == ANSWER and answered.best.entry_id == entry, text
    long = shipped._unanswered_facet(
        "min klient ar 27 och vill jobba, har kontakt med af och psykiatrin och far forsorjningsstod, "
        "hur anmaler jag honom till forrehab",
        "insats-forrehab",
        long=True,
    )
    assert long is None


def test_who_ran_something_before_needs_an_answer_that_says_what_came_before(shipped):
    """Session 25: "vem drev it-spåret innan ädelfors" is not answered by who runs IT-spåret now;
    who goes first in a queue, or who gets consent before a referral, is no such question."""
    from lotsen.facets import answers, asked

    result = shipped.match("vem drev it-spåret innan ädelfors")
    assert result.level == SUGGEST and result.facet is not None and result.facet.name == "previous"
    assert result.best.entry_id == "insats-it-sparet"
    assert asked("kö till se höglandet vem går före") is None
    assert asked("vem inhamtar samtycke innan se-remiss") is None
    assert answers(asked("vem var utforare av it-sparet fore folkhogskolan"), "tidigare drevs det av …")


def test_a_count_of_those_taking_part_needs_a_number_of_people(shipped):
    """Session 25: "hur många deltog på medlemssamrådet i februari 2024" counts people; the
    answer's "den 23 februari" and "2024" are no such count. "14 personer deltog" is."""
    from lotsen.facets import counted

    assert counted("hur manga deltog pa medlemssamradet") == "deltagare"
    assert counted("hur manga var med pa strategidagen") == "deltagare"
    assert counted("hur manga har en coach") == ""
    result = shipped.match("hur många deltog på medlemssamrådet i februari 2024")
    assert result.level == SUGGEST and result.reason == "facet"
    assert result.best.entry_id == "forbund-medlemssamrad-konferenser"
    assert shipped.match("hur många deltog i sip-utbildningen i eksjö").level == ANSWER


def test_whether_someone_took_part_needs_an_answer_that_names_them(shipped):
    """Session 25: "var kuratorer med på sip-utbildningen i eksjö" is not answered by who took
    part when the answer never names kuratorer ("kurs" shares the stem "kur"); whether AF and FK
    were is. A place is not who took part ("är vetlanda med i arena")."""
    result = shipped.match("var kuratorer med på sip-utbildningen i eksjö")
    assert result.level == SUGGEST and result.reason == "other-thing" and result.other_thing == "kuratorer"
    assert shipped.match("var af och fk med på sip-utbildningen i eksjö").level == ANSWER
    assert shipped._absent_member("är vetlanda med i arena", "arena-vad-ar") == ""
    # an abbreviation counts as named when the entry writes it out: "ek bist" is ekonomiskt bistånd
    text = "sitter ek bist med i samverk samsa"
    result = shipped.match(text)
    assert shipped._absent_member(text, "forbund-samverk-aneby") == "ek"  # without its expansion
    assert shipped._absent_member(text, "forbund-samverk-aneby", result.expansions) == ""
    assert shipped._absent_member("hur många deltog", "arena-vad-ar") == ""


def test_a_count_of_an_abbreviation_s_compound_counts_its_head(shipped):
    """Session 25: "hur många ips-deltagare hade tranås 2024" counts deltagare (folding makes the
    hyphen a space, and "ips" alone was counted, which "50 % IPS" seemed to answer); "samstart-eleverna"
    is no abbreviation's compound, and "it-spår deltagare" counts its last word."""
    from lotsen.facets import counted

    def count(text: str) -> str:
        return counted(normalise(text), text)

    assert count("hur många ips-deltagare hade tranås 2024") == "deltagare"
    assert count("hur många se-deltagare var sjukskrivna") == "deltagare"
    assert count("hur många sip gjordes i tranås") == "sip"
    assert count("hur många av samstart-eleverna i vetlanda fick jobb") == "samstart"
    result = shipped.match("hur många ips-deltagare hade tranås 2024")
    assert result.level == SUGGEST and result.reason == "facet" and result.best.entry_id == "insats-ips"


def test_a_count_of_those_with_a_property_needs_an_answer_naming_it(shipped):
    """Session 25: "hur många se-deltagare var sjukskrivna under 2024" is not answered by how many
    took part when the answer never says sjukskrivna; "… var inskrivna …" is."""
    result = shipped.match("hur många se-deltagare var sjukskrivna under 2024")
    assert result.level == SUGGEST and result.reason == "other-thing" and result.other_thing == "sjukskrivna"
    assert shipped.match("hur många deltagare var inskrivna i se-höglandet 2024").level == ANSWER


def test_an_upper_age_limit_and_where_a_meeting_is_held_are_facets(shipped):
    """Session 25: "max ålder för att gå it-spåret" is not answered by "från 19 år", nor "i vilken
    lokal hålls arenamötena" by who convenes Arena; "vilken lokal samverkansgrupp" asks for a local
    group, and "var hålls it-spåret" where the course is."""
    from lotsen.facets import asked

    assert asked("max alder for att ga it-sparet").name == "max_age"
    assert asked("vilken maxalder galler for it-sparet").name == "max_age"
    assert shipped.match("max ålder för att gå it-spåret?").level == SUGGEST
    assert asked("i vilken lokal halls arenamotena").name == "venue"
    assert shipped.match("i vilken lokal hålls arenamötena").level == SUGGEST
    assert asked("vilken lokal samverkansgrupp har vi i nassjo") is None
    assert shipped.match("var hålls it-spåret").level == ANSWER


def test_what_it_costs_the_participant_needs_an_answer_saying_so(shipped):
    """Session 25: "kostar det något för deltagaren att vara med i se-höglandet" is not answered by
    what the förbund paid for SE-Höglandet in 2024; "gratis" or a fee would answer it."""
    from lotsen.facets import answers, asked

    facet = asked("kostar det nagot for deltagaren att vara med i se-hoglandet")
    assert facet is not None and facet.name == "participant_cost"
    assert answers(facet, "insatsen ar kostnadsfri for deltagaren") and not answers(facet, "se kostade 3 975 750 kr")
    result = shipped.match("kostar det något för deltagaren att vara med i se-höglandet")
    assert result.level == SUGGEST and result.reason == "facet"
    assert asked("vad kostade se-hoglandet 2024").name == "amount"


def test_opening_hours_and_which_ages_are_facets(shipped):
    """Session 25: "vilka dagar har hälsocenter i nässjö öppet …" is not answered by what förrehab
    is, nor "förrehab … vilka åldrar gäller" by an answer naming no age."""
    from lotsen.facets import answers, asked

    opening = asked("vilka dagar har halsocenter i nassjo oppet for forrehab-deltagare")
    assert opening is not None and opening.name == "opening"
    assert answers(opening, "lektionerna ar klockan 10-15") and not answers(opening, "ett projekt for personer")
    assert shipped.match("vilka dagar har hälsocenter i nässjö öppet för förrehab-deltagare").level == SUGGEST
    assert asked("dialogmoten om aktivitetsersattning vilka aldrar galler").name == "age"
    assert shipped.match("förrehab i hälsocenter vilka åldrar gäller").level == SUGGEST
    # session 26: Tranås's entry gives the ages of its dialogue meetings (20–29 år), so it answers
    answer = shipped.match("dialogmöten om aktivitetsersättning vilka åldrar gäller")
    assert answer.level == ANSWER and answer.best.entry_id == "tranas-samarbete-vardcentral"


def test_a_deadline_and_a_telephone_hour_are_facets(shipped):
    """Session 26: "sista datum ansöka projektmedel hsf" is not answered by what the beredningsgrupp
    does (no date), nor "har fk:s kontaktpersoner någon särskild telefontid" by how to find them."""
    from lotsen.facets import answers, asked

    assert asked("sista datum ansoka projektmedel hsf").name == "date"
    assert asked("finns det nan deadline for att soka projektmedel fran forbundet").name == "date"
    assert shipped.match("sista datum ansöka projektmedel hsf").level == SUGGEST
    telephone = asked("har fk:s kontaktpersoner nagon sarskild telefontid for varden")
    assert telephone is not None and telephone.name == "opening"
    assert answers(telephone, "telefontid mandag klockan 9") and not answers(telephone, "fraga din chef")
    assert shipped.match("har fk:s kontaktpersoner någon särskild telefontid för vården").level == SUGGEST


def test_a_close_runner_up_naming_the_year_asked_about_answers(shipped):
    """Session 25: "… strukturerat efterstöd i se 2024" is answered by SE-Höglandet's results for
    2024, not by the method (which names no year) that scored a little higher; the method is
    offered under the answer, and "testa:" says why. A runner-up about another place, or about
    no place when the best entry is about the one asked, does not take over."""
    from lotsen.explain import explain

    text = "hur många var i strukturerat efterstöd i se 2024"
    result = shipped.match(text)
    assert result.level == ANSWER and result.reason == "year-answer" and result.missing == "2024"
    assert [c.entry_id for c in result.candidates[:2]] == ["insats-se-resultat", "insats-se-metod"]
    assert "Frågan är kort och gäller 2024. Frågan med högst poäng nämner inte det året" in (
        explain(shipped, shipped.kb, text).decision
    )
    assert shipped.match("inspirationsdagen 2024 när och tema").best.entry_id == "insats-inspirationsdag"
    # without a year, the method answers
    assert shipped.match("vad är strukturerat efterstöd i se").best.entry_id == "insats-se-metod"
    from lotsen.matching import Candidate

    def runner_up(second: float, **where: float) -> str:
        ranked = [
            Candidate("insats-se-metod", 0.65, "", place_match=where.get("best_place", 0.0)),
            Candidate(
                "insats-se-resultat", second, "", place_match=where.get("place", 0.0), place_ok=where.get("ok", 1.0)
            ),
        ]
        dated = shipped._dated_runner_up("hur många i efterstöd 2024", ranked)
        return dated.entry_id if dated else ""

    assert runner_up(0.60) == "insats-se-resultat"
    assert runner_up(0.50) == ""  # not close: 0.50 < 0.85 × 0.65
    assert runner_up(0.60, ok=0.0) == ""  # about another place
    assert runner_up(0.60, best_place=1.0) == ""  # the best is about the place asked, the runner-up is not
    assert runner_up(0.60, best_place=1.0, place=1.0) == "insats-se-resultat"
    assert shipped._dated_runner_up("hur många i efterstöd", shipped.match("efterstöd").candidates) is None


@pytest.mark.parametrize(
    "text, entry",
    [
        # Arena is in Jönköping, Habo and Mullsjö: who convenes it does not answer for Värnamo, the
        # entry saying the documents do not describe Värnamo does (was who convenes Arena)
        ("vem kallar till arena i värnamo", "kontakt-ovriga-kommuner"),
        # … nor for Eksjö, which the documents describe: the entry saying where Arena is answers
        ("vem kallar till arena i eksjö", "arena-vad-ar"),
        (
            "jag jobbar i vaggeryd, finns det någon samverkanskoordinator eller samverk-grupp här och vem är "
            "det som kallar till mötena?",
            "kontakt-ovriga-kommuner",
        ),
    ],
)
def test_a_forum_asked_about_where_the_documents_do_not_place_it_is_answered_by_an_entry_naming_the_place(
    shipped, text, entry
):
    from lotsen.explain import explain

    result = shipped.match(text)
    assert result.level == ANSWER and result.reason.startswith("not-here-answer")
    assert result.best.entry_id == entry
    place = result.other_place_typed
    assert f"Frågan nämner {place} och något som underlagen bara beskriver för andra kommuner" in (
        explain(shipped, shipped.kb, text).decision
    )


def test_a_forum_asked_about_where_no_close_entry_places_it_is_offered_and_says_why(shipped):
    from lotsen.explain import explain
    from lotsen.features.qa import VERDICT_SUGGEST, _suggestions_intro, decide

    text = "samtycke arena gislaved"  # Arena's consent routine, with Gislaved where there is no Arena
    verdict = decide(shipped.kb, shipped, text)
    assert verdict.kind == VERDICT_SUGGEST and verdict.result.reason == "not-here"
    assert _suggestions_intro(verdict).startswith(
        "Jag hittar inget svar för Gislaved på det du frågar. Underlagen beskriver det bara för andra kommuner."
    )
    assert (
        "Bästa frågans svar nämner varken Gislaved eller var det finns" in explain(shipped, shipped.kb, text).decision
    )


def test_a_forum_asked_about_where_it_is_is_answered_as_before(shipped):
    result = shipped.match("vem kallar till arena i jönköping")
    assert result.level == ANSWER and result.reason == "clear" and result.best.entry_id == "arena-sammankallande"


def test_an_effort_s_name_counts_only_when_its_words_stand_together(shipped):
    """ "vårdens uppdrag i jönköpings samverkansmodell" has the words of Uppdrag Samverkan (a
    Höglandet effort) apart: it is not asked about in Jönköping, so the party's own entry answers
    (it was answered with Jönköping's model); the name itself still counts."""
    result = shipped.match("vårdens uppdrag i jönköpings samverkansmodell")
    # Since session 19's phrasings the party's entry also scores highest by itself (reason "clear").
    assert result.level == ANSWER and result.best.entry_id == "regionen-ansvar"
    assert shipped.match("uppdrag samverkan i vaggeryd").best.entry_id == "kontakt-ovriga-kommuner"


@pytest.mark.parametrize(
    "text",
    [
        "vårdens ansvar i jönköpingsmodellen",  # was the model's overview
        "vardens uppdrag i jönköpingsmodellen",
        "vårdens ansvar i jönköpings samverkansmodell",
        "vad ansvarar vården för i jönköpingsmodellen",  # session 21: asked with a verb
    ],
)
def test_a_short_question_for_a_party_s_responsibility_is_answered_by_that_party_s_entry(shipped, text):
    from lotsen.explain import explain

    result = shipped.match(text)
    assert result.level == ANSWER and result.reason == "party" and result.missing == "regionen"
    assert result.best.entry_id == "regionen-ansvar"
    assert "Frågan gäller vad Region Jönköpings län" in explain(shipped, shipped.kb, text).decision


def test_what_a_party_s_responsibility_is_for_chooses_among_its_entries(shipped):
    """ "vårdens ansvar efter samtycke i jönköpingsmodellen" asks for vården's part after the
    consent, not for vården's responsibility in general (it was answered with regionen-ansvar)."""
    assert shipped._asked_party("vårdens ansvar efter samtycke i jönköpingsmodellen") == (
        "regionen",
        "vardens ansvar efter samtycke",
    )
    result = shipped.match("vårdens ansvar efter samtycke i jönköpingsmodellen")
    assert result.level == ANSWER and result.best.entry_id == "varden-svar-efter-samtycke"


def test_a_party_s_responsibility_asked_without_the_possessive(shipped):
    # was answered with Jönköping's model as a whole
    result = shipped.match("af ansvar i jönköpingsmodellen")
    assert result.level == ANSWER and result.reason.startswith("party") and result.missing == "arbetsformedlingen"
    assert result.best.entry_id == "af-ratt-forsorjning"
    # was answered with what the parties' staff think of each other's support (since session 17 AF's
    # entry leads by itself: its phrasings ask for AF's responsibility for the målgrupp)
    result = shipped.match("af ansvar för målgruppen utan sgi")
    assert result.level == ANSWER and result.best.entry_id == "af-ratt-forsorjning"
    # "vad gör vården" asks what vården does in a situation, not for its responsibility
    assert shipped._asked_party("min klient på ekb kommer till vc och vill ha intyg, vad gör vården") is None


@pytest.mark.parametrize(
    "text, entry",
    [
        ("regionens ansvar i rsrf", "regionen-ansvar"),  # already the party's entry
        ("socialtjänstens roll i rsrf", "soc-arbetsgivaransvar"),
        # no entry of FK's is near: the model's overview, whose answer has FK's part, stays
        ("fk:s ansvar i jönköpingsmodellen", "jonkoping-samverkansmodell"),
    ],
)
def test_a_party_s_responsibility_keeps_an_answer_of_that_party_or_when_none_is_near(shipped, text, entry):
    result = shipped.match(text)
    assert result.level == ANSWER and result.reason != "party" and result.best.entry_id == entry


def test_a_short_question_about_the_place_an_entry_is_about_is_answered(shipped):
    result = shipped.match("tranås rehabprocess")
    assert result.level == ANSWER and result.best.entry_id == "tranas-rehabprocess"


def test_chat_spellings_of_function_words_are_function_words(shipped):
    for typed, written in (("vad e en sip", "vad är en sip"), ("fk o af på sip", "fk och af på sip")):
        assert shipped._analyse(typed, correct=True).stems == shipped._analyse(written, correct=True).stems


@pytest.mark.parametrize(
    "text, entry",
    [
        ("vad menas med organisatoriska mellanrum", "begrepp-organisatoriska-mellanrum"),  # "Vad menas med …?"
        ("vad är förrehabilitering i hälsocenter", "insats-forrehab"),  # "Vad är …?"
    ],
)
def test_an_entry_whose_title_defines_a_glossary_term_answers_what_it_means(shipped, text, entry):
    """The glossary's short definition gives way to an entry whose title defines the term
    (lotsen/data/conversation.yaml, qa.defining_openings)."""
    from lotsen.features.qa import decide

    verdict = decide(shipped.kb, shipped, text)
    assert verdict.kind == "answer" and verdict.entry is not None and verdict.entry.id == entry


@pytest.mark.parametrize(
    "text, entry",
    [
        ("samverk eksjö", "forbund-samverk-eksjo"),  # was Samverk in general (a glossary alias)
        ("samverk tranås", "forbund-samverk-tranas"),  # was the glossary's definition of Samverk
        ("vilka är med i samverk vetlanda", "forbund-samverk-vetlanda"),  # was "Menade du": one word
        ("vad är sip", "sip-vad-ar"),  # the general term still gets its definition
        ("vad betyder finsamlagen", "ordlista-finsam"),  # another name, not a place's: what Finsam is
        # Chat order, the term first: an entry defining it, or the glossary when no entry answers
        ("samverk höglandet, vad är det för något?", "forbund-samverk-hoglandet"),  # was Uppdrag Samverkan
        ("treserva def", "ordlista-treserva"),  # no entry answers: the glossary's definition
        ("samverk höglandet vad e det", "forbund-samverk-hoglandet"),  # "e" is chat for "är" (was Uppdrag Samverkan)
        ("vad e treserva", "ordlista-treserva"),
        (
            "va e salutogent förhållningssätt",
            "ordlista-salutogent-forhallningssatt",
        ),  # "va" for "vad" (was rsrf-rutiner)
        ("arbetssökande med förhinder, vad innebär det", "af-arbetssokande-med-forhinder"),  # its entry answers
        ("arbetssökande med förhinder, vad betyder det", "ordlista-arbetssokande-med-forhinder"),  # as "vad betyder …"
        # … but an entry that neither names nor explains the term gives way to the definition
        ("salutogent förhållningssätt vad menas", "ordlista-salutogent-forhallningssatt"),  # was rsrf-rutiner
        # "… i praktiken" asks what it means in practice: an entry neither naming nor explaining it
        # gives way to the definition (session 26, was rsrf-rutiner); an entry defining it keeps it
        ("salutogent förhållningssätt vad betyder det i praktiken", "ordlista-salutogent-forhallningssatt"),
        ("parallella insatser vad betyder det i praktiken", "parallella-insatser"),
        (
            "salutogent förhållningssätt, vad menas i modellen",
            "ordlista-salutogent-forhallningssatt",
        ),  # was rsrf-rutiner
        ("salutogent forhallningssatt, vad menar modellen", "ordlista-salutogent-forhallningssatt"),  # was rsrf-rutiner
        ("salutogent förhållningssätt vad menas i rsrf", "ordlista-salutogent-forhallningssatt"),  # was rsrf-rutiner
        # session 30: the whole model's name as context (both were rsrf-rutiner)
        ("salutogent förhållningssätt, vad menas i samverkansmodellen", "ordlista-salutogent-forhallningssatt"),
        ("salutogent förhållningssätt vad menas i rätt stöd rätt försörjning", "ordlista-salutogent-forhallningssatt"),
        # the term before a relative clause (session 30; was what staff know of the model)
        ("vad är reko som modellen presenterades för", "begrepp-reko-ku"),
        (
            "salutogent forhallningssatt betyder",
            "ordlista-salutogent-forhallningssatt",
        ),  # bare "betyder" (was rsrf-rutiner)
        # the term as the matcher corrected its typo (was rsrf-rutiner)
        ("salutogent förhållningsätt vad betyder det", "ordlista-salutogent-forhallningssatt"),
        # "vilken lag är det", "vad är det för grupp" ask what the term is (were the inquiry; the groups in general)
        ("finsamlagen vilken lag är det", "ordlista-finsam"),
        ("samverk höglandet vad är det för grupp", "ordlista-samverk-hoglandet"),
        ("sgi 0 betyder", "begrepp-sgi"),  # … and an entry about the term keeps it
        # "… vad är det" asks what the term is, as "vad är …" does, even when an answer names it
        ("rehabiliteringsplan vad är det", "ordlista-rehabiliteringsplan"),  # was rsrf-rutiner
        ("vad är en aktiv rehabplan", "ordlista-rehabiliteringsplan"),
        # A bare term and a place: the entry about the term in that place
        ("amie tranås", "insats-amie"),  # was "Vad står AMIE, KNUT … för?"
        ("finsamlagen", "ordlista-finsam"),  # no place: what Finsam is
        # a short term typed as it is spelt: not corrected to MIX, and "Vad är MIX?" does not define it
        ("MI?", "ordlista-mi"),  # was begrepp-mix
        ("mi vad är det", "ordlista-mi"),
        # "… står för?" asks what an abbreviation stands for (was how HSF is financed)
        ("hsf står för?", "ordlista-hsf"),
        # "… egentligen" still asks what the term is (was rsrf-vad-ar)
        ("vad e sgi egentligen", "begrepp-sgi"),
        # a name only one concept claims (session 23): an IPS-coach is IPS's, not the SE-coach's
        # definition; a samtyckesblankett is the form's, not what consent is
        ("vad är ips-coach", "insats-ips"),  # was ordlista-se-coach
        ("vad är en samtyckesblankett", "ordlista-samtyckesblankett"),  # was ordlista-samtycke
        # a term within the model or another term: its definition (session 23; were the routines
        # and the needs groups' entry, whose answers name the term)
        ("vad menas med salutogent förhållningssätt i modellen", "ordlista-salutogent-forhallningssatt"),
        (
            "vad menas med salutogent förhållningssätt i rätt stöd rätt försörjning",
            "ordlista-salutogent-forhallningssatt",
        ),
        ("vad är behovsgruppering i mix", "ordlista-behovsgruppering"),
        # the term, then a second question (session 26): the entry defining the term, or one whose
        # answer names it when none defines it, or the definition
        (
            "Vad är Välfärdsguiden och vem är lokal redaktör på Höglandet?",
            "insats-valfardsguiden",
        ),  # was forbund-forbundschef
        ("Vad är en arbetssökande med förhinder och vad riskerar hen?", "af-arbetssokande-med-forhinder"),
        ("vad är likställighetsprincipen och var står den", "ordlista-likstallighetsprincipen"),  # was offered
    ],
)
def test_a_glossary_term_asked_about_gets_the_entry_or_definition_it_asks_for(shipped, text, entry):
    """ "samverk eksjö" is one of Samverk's names in the glossary, but it asks for the group in
    Eksjö: the entry whose title names it answers, and the place counts as a word of the question."""
    from lotsen.features.qa import decide

    verdict = decide(shipped.kb, shipped, text)
    assert verdict.kind == "answer" and verdict.entry is not None and verdict.entry.id == entry


@pytest.mark.parametrize(
    "text, entry, offered",
    [
        # the definition, with the entry the matcher ranked first one click away (session 24)
        (
            "arbetssökande med förhinder, vad betyder det",
            "ordlista-arbetssokande-med-forhinder",
            ["af-arbetssokande-med-forhinder"],
        ),
        ("rh2 betyder", "ordlista-rh2", ["begrepp-behovsgrupper"]),
        ("vad är treserva", "ordlista-treserva", []),  # no entry was good enough to offer
        ("vad är sip", "sip-vad-ar", ["sip-resultat"]),  # the entry defining SIP, over the best one
    ],
)
def test_a_definition_offers_the_entry_it_was_chosen_over(shipped, text, entry, offered):
    from lotsen.features.qa import decide

    verdict = decide(shipped.kb, shipped, text)
    assert verdict.kind == "answer" and verdict.entry is not None and verdict.entry.id == entry
    assert [e.id for e in verdict.alternatives] == offered


def test_the_asking_clause_of_a_long_message_keeps_a_colon_inside_a_word():
    """ "FK:s blankett" and "sip:en" are one word each: the clause that asks is not cut at the colon."""
    from lotsen.matching import ask_clause

    text = (
        "Läkare på vårdcentral i Gislaved. Socialtjänsten ber mig fylla i ett läkarintyg för en klient "
        "fast det inte ska till FK. Får jag använda FK:s blankett till det?"
    )
    assert ask_clause(text) == "Får jag använda FK:s blankett till det"
    assert ask_clause(
        "en lång beskrivning av en klient som har fsö och ingen sgi sedan flera år: vem ska kalla till sip:en?"
    ) == ("vem ska kalla till sip:en")


def test_a_common_swedish_word_is_never_corrected_into_a_word_of_the_knowledge_base(shipped):
    # "fixa" was read as a typo of "fia", "starta" of "smarta" (SMARTA-mål)
    assert "fixa" not in shipped.match("fk ska väl fixa rehabiliteringen? klienten har ingen sgi").corrections
    assert shipped.match("socialtjänsten ska väl fixa rehabiliteringen").corrections == {}
    assert shipped.match("vem ska starta en sip").corrections == {}
    assert shipped.match("försäkringskasan").corrections == {"forsakringskasan": "forsakringskassan"}  # a real typo


def test_when_asked_first_is_the_question_word(shipped):
    """ "När" is a stopword (a conjunction too), but first in a question it asks when, like "vem"
    asks who: "när måste man ha sip" is about when a SIP is required, not who takes part."""
    result = shipped.match("nar maste man ha sip")
    assert result.best.entry_id == "sip-nar-lag"
    by_id = {c.entry_id: c for c in shipped.match("nar maste man ha sip", limit=8).candidates}
    assert by_id["sip-nar-lag"].intent > 0 and by_id["sip-vem-deltar"].intent == 0
    # not first: a conjunction, no question word
    assert all(c.intent == 0 for c in shipped.match("kallar soc när klienten vill ha sip", limit=8).candidates)


def test_a_name_that_is_its_own_canonical_form_is_read_as_one_name(shipped):
    """ "Samverk Höglandet" is the glossary's name of the coordinators' forum: the alias "samverk"
    inside it does not make the question about Uppdrag Samverkan (was answered with that entry)."""
    analysed = shipped._analyse("samverk höglandet vad gör de", correct=True)
    assert analysed.expansions == [] and "uppdrag" not in analysed.stems
    result = shipped.match("samverk höglandet vad gör de")
    assert result.level == ANSWER and result.best.entry_id == "forbund-samverk-hoglandet"
    # an alias of the same words that does expand still does ("uppdrag samverkan" → the effort)
    assert ("uppdrag samverkan", "Uppdrag Samverkan (Samverk)") in shipped._analyse(
        "uppdrag samverkan vad ingår", correct=True
    ).expansions
    assert shipped._analyse("samverk eksjö", correct=True).expansions  # "samverk eksjö" is an alias of Samverk


@pytest.mark.parametrize(
    "text, entry",
    [
        ("samverk höglandet vad gör dom", "forbund-samverk-hoglandet"),  # was SE-Höglandet's
        ("amie tranås vad gör dom", "insats-amie"),
    ],
)
def test_dom_is_chat_for_de_and_not_a_word_to_match(shipped, text, entry):
    """Session 21: "dom" is how "de"/"dem" is typed in chat, so it is a stopword like them; it made
    a phrasing with "dom" win over the entry the question names. So are "nån", "sånt", "mej" …
    ("någon", "sådant", "mig" are)."""
    from lotsen.text import STOPWORDS

    assert {"dom", "nån", "nånting", "ngn", "sånt", "mej", "dej"} <= STOPWORDS
    assert "nåra" not in STOPWORDS  # folded it is "nara", as "nära" (nära vård) is
    result = shipped.match(text)
    assert result.level == ANSWER and result.best.entry_id == entry


@pytest.mark.parametrize(
    "text, entry, fact",
    [
        # Session 26: facts of the seeds the glossary had and the entry asked for did not
        (
            "vem var värd för medlemssamrådet i februari 2024",
            "forbund-medlemssamrad-konferenser",
            "Arbetsförmedlingen som värd",
        ),
        ("vem köper hsf it-stöd och dataskyddsombud av", "forbund-organisation", "Höglandsförbundet"),
        ("var dokumenteras muntligt samtycke i gävle", "gavle-rutin-utan-lakarintyg", "dokumenteras i Treserva"),
        ("vilka vårdcentraler ingår i samverk vetlanda", "forbund-samverk-vetlanda", "Vitala vårdcentral"),
        ("när görs behovsgrupperingen i mix", "begrepp-behovsgrupper", "mellan del II och del III"),
        ("syftet med individärenden i arena", "arena-allmanna-fragor", "slippa skickas runt"),
    ],
)
def test_an_entry_answers_with_the_fact_the_documents_give(shipped, text, entry, fact):
    result = shipped.match(text)
    assert result.level == ANSWER and result.best.entry_id == entry
    assert fact in shipped.kb.entries[entry].answer


@pytest.mark.parametrize(
    "text",
    [
        # Session 26: one entry near, scoring just over the old lone_answer (0.25), was answered
        "Jag har en balkong som vetter mot norr och får nästan ingen sol. Vilka växter klarar sig bra i skugga "
        "och behöver inte vattnas varje dag?",
        "Jag ska ha kickoff med min arbetsgrupp i vår och vill boka en aktivitet för ungefär femton personer i "
        "närheten av Nässjö, gärna något utomhus. Har du några förslag på vad vi kan göra?",
        # … and one with a word of matters outside the bot (lotsen/data/conversation.yaml), answered
        # only because no other entry was near, is refused like a short one
        "Jag ska ha utvecklingssamtal med mina medarbetare nästa vecka och vill ha tips på hur man ställer öppna "
        "frågor och får igång ett bra samtal. Har du förslag på en struktur för samtalet?",
        # … and so is one that no other entry scored at all ("smartast" was read as SMARTA mål)
        "Jag ska köpa ny bil och står mellan en laddhybrid och en ren elbil, pendlar ca 6 mil om dagen mellan "
        "Vetlanda och Eksjö. Vad är smartast ekonomiskt och hur funkar det med laddning på vintern?",
        # … and so is one whose words are mostly not the domain's (session 27: "räknas" got Räkna med oss!)
        "Vi ska spela padel med kollegorna på fredag efter jobbet och jag har aldrig provat. Hur räknas "
        "poängen och vad är de viktigaste reglerna att kunna?",
    ],
)
def test_an_everyday_message_with_one_entry_barely_near_is_not_answered(shipped, text):
    from lotsen.features.qa import VERDICT_ANSWER, decide

    assert decide(shipped.kb, shipped, text).kind != VERDICT_ANSWER
