"""Question answering on the accuracy sets (tests/accuracy/*.yaml) against the shipped
knowledge base, through what a user's message goes through (typed commands, then
lotsen.features.qa.decide). `strict` = a direct answer card with the right content.

The tuning sets (digest_questions_a/b, blind_questions, tuning_situational, tuning2_questions,
tuning3_questions, tuning4_questions, tuning5_questions, tuning6_questions, tuning7_questions,
tuning8_questions, tuning9_questions, tuning10_questions, tuning11_questions, tuning12_questions, tuning13_questions,
tuning14_questions, tuning15_questions, tuning16_questions, tuning17_questions, tuning18_questions,
tuning19_questions, tuning20_questions, tuning21_questions … tuning128_questions) may be used to tune
the matcher; the held-out sets
(heldout_questions, heldout2_questions) never are, and their floors are what has been reached, not
targets to tune for."""

from pathlib import Path

import pytest

from lotsen.kb import load_knowledge_base
from lotsen.matching import Matcher
from scripts.accuracy import evaluate, load_questions, rate

ROOT = Path(__file__).resolve().parent.parent
# Held-out set 2: sanity bounds that catch a broken matcher, deliberately below what it reaches
# (scripts.accuracy reports the exact figures). Floors at the reached values turned the held-out
# set into a gate that accepted or rejected tuning changes one question at a time: selection on
# the held-out set, which it must never be used for. Failures show no held-out question.
HELDOUT2_STRICT_IN_SCOPE = 0.70
HELDOUT2_STRICT_SITUATIONAL = 0.50
HELDOUT2_WRONG_MAX_SHARE = 0.08
HELDOUT2_REFUSED = 0.80


@pytest.fixture(scope="module")
def outcomes():
    matcher = Matcher(load_knowledge_base(ROOT / "knowledge"))
    return evaluate(matcher, load_questions())


def report(outcomes, label):
    failed = [
        f"{o.question!r} → {o.kind} {o.got or '-'} (väntat {'|'.join(o.expect)})" for o in outcomes if not o.passed
    ]
    print(f"\n{label}: {sum(o.passed for o in outcomes)}/{len(outcomes)} = {rate(outcomes):.1%}")
    return failed


def test_every_expected_entry_exists():
    """An expected id is an entry, or a glossary answer `ordlista-<concept id>` (lotsen.features.qa)."""
    kb = load_knowledge_base(ROOT / "knowledge")
    missing = [
        q["q"]
        for q in load_questions()
        for expected in (q.get("expect_any") or [q.get("expect", "none")])
        if expected not in kb.entries
        and expected.removeprefix("ordlista-") not in (kb.concepts if expected.startswith("ordlista-") else ())
        and expected not in ("none", "smalltalk")
    ]
    assert missing == []


def test_digest_questions_pass_rate(outcomes):
    digest = [o for o in outcomes if o.origin.startswith("digest")]
    assert len(digest) >= 40
    failed = report(digest, "DIGEST §9")
    assert rate(digest) >= 0.95, failed


def test_paraphrases_pass_rate(outcomes):
    other = [o for o in outcomes if o.origin == "paraphrase"]
    assert len(other) >= 60
    failed = report(other, "Egna omformuleringar")
    assert rate(other) >= 0.90, failed


def test_blind_paraphrases_pass_rate(outcomes):
    """Written from the entries' titles and answers only, without seeing the phrasings."""
    blind = [o for o in outcomes if o.origin == "blind"]
    assert len(blind) >= 100
    failed = report(blind, "Blinda omformuleringar")
    assert rate(blind) >= 0.93, failed  # 0.87 until session 5, 0.91 until session 6; 114/120 now


def test_situational_tuning_questions(outcomes):
    """Descriptions of a client's situation in 20+ words get a direct answer."""
    situational = [o for o in outcomes if o.file == "tuning_situational" and o.category == "situational"]
    assert len(situational) >= 40
    failed = report(situational, "Situationer (tuning)")
    assert rate(situational) >= 0.90, failed  # 0.85 until session 5; 37/40 now


def test_situational_questions_of_tuning_set_3(outcomes):
    """Written from the seeds the way staff type, never copied into the knowledge base: how the
    matcher generalises to descriptions of a client's situation."""
    situational = [o for o in outcomes if o.file == "tuning3_questions" and o.category == "situational"]
    assert len(situational) >= 50
    failed = report(situational, "Situationer (tuning 3)")
    assert rate(situational) >= 0.83, failed  # 0.75 until session 6; 52/60 now


# Tuning sets 4 (session 5), 5 (session 6), 6 and 7 (session 7), 8 (session 8) and 9 (session 9),
# written from the seeds independently of the knowledge base's phrasings: they have floors of their
# own (below, at what was reached less a question or two) rather than the pooled confidently-wrong
# share. 6, 7, 8 and 9 are fresh sets of the kind the bot met worst (short questions for one aspect,
# questions the documents are silent on). tuning8 and tuning9 are validation sets whose questions
# phrase writers must not see: their failures give counts only. tuning10 and tuning11 (session 10)
# are fresh tuning sets whose failures phrase writers read; tuning12 (session 10) is a third
# validation set, written after them, whose failures nobody reads. tuning13 and tuning14 (session 11)
# are fresh tuning sets like tuning10 and 11; tuning15 (session 11) is a fourth validation set.
# tuning16 (session 13) is a fresh tuning set and tuning17 (session 13) a fifth validation set.
# In session 14 tuning9 and tuning12 became tuning sets: their failures were read and fixed;
# tuning18, tuning19 and tuning20 (session 14) are fresh tuning sets, each measured before it was read;
# so are tuning21 … tuning34 (session 15; tuning25, 26, 29, 31, 33 and 34 are mostly short questions).
# So are tuning35 … tuning46 (session 16; all but tuning38, 40, 43 and 46 are mostly short questions):
# tuning41 … tuning46 were measured on the session's rules before anyone read them, and so were
# tuning47 … tuning52 (written on 43a81e1) on the next round's.
# tuning53 … tuning58 (session 17, written on 0de1cdd) were measured on it before anyone read them.
# So were tuning59 … tuning64 (session 17, written on be75c2b), on it and on the next round's code.
# tuning65 … tuning70 (session 18, written on 0b4e065) were measured on it before anyone read them;
# the round on tuning65 … 67 was then measured on tuning68 … 70 before their failures were read.
# tuning71 … tuning76 (session 18, written on 29c5e2f, the first round's code) were measured on it and on
# the session's start (0b4e065) before anyone read them.
# So were tuning77 … tuning82 (session 18, written on 741ef5f, the second round's code).
# And tuning83 … tuning88 (session 18, written on 690da9f, the third round's code).
# tuning89 … tuning96 (session 19, written on 2da1111) were measured on it before anyone read them.
# So were tuning97 … tuning104 (session 19), on f704a0e, the first round's code.
# And tuning105 … tuning112 (session 19), on c7a0ace, the second round's code (Decision.cutoff_missing).
# And tuning113 … tuning120 (session 19), on ff15de3, the third round's code.
# And tuning121 … tuning128 (session 19), on 2b9ee39, the fourth round's code.
TUNING4_STRICT_IN_SCOPE = (
    0.80  # 99/120 now (0.79 until session 11, 0.75 until session 8; 60.0 % in session 5 before tuning)
)
TUNING4_STRICT_SITUATIONAL = 0.75  # 69/90 now (0.73 until session 11, 0.71 until session 10; 0.67 until session 8)
TUNING4_WRONG_MAX = 5  # 1/135 now (6 until session 10; 10 until session 6)
TUNING5_STRICT_IN_SCOPE = 0.89  # 110/122 now (0.88 until session 11, 0.86 until session 10; 97/121 at the start of session 6); 0.90 until session 19 (109/122: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING5_STRICT_SITUATIONAL = 0.86  # 79/90 now (0.86 until session 11, 0.83 until session 10; 68/90 at the start of session 6); 0.88 until session 19 (78/90: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING5_WRONG_MAX = (
    3  # 0/150 now (4 until session 12, 5 until session 10; 15 at the start: silences answered by a neighbour)
)
TUNING6_STRICT_IN_SCOPE = 0.88  # 110/124 now (0.87 until session 13, 0.84 until session 12, 0.82 until session 11, 0.77 until session 10; 89/124 when it was written, before any tuning)
TUNING6_STRICT_SITUATIONAL = 0.75  # 34/45 now (0.64 until session 10; 22/45)
TUNING6_WRONG_MAX = 5  # 2/156 now (7 until session 12, 8 until session 11; 17: silences answered by a neighbour, who pays, other counties)
TUNING7_STRICT_IN_SCOPE = 0.86  # 107/124 now (0.86 until session 13, 0.84 until session 12, 0.83 until session 11, 0.81 until session 10; 99/124 when it was written); 0.87 until session 19 (107/124: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING7_STRICT_SITUATIONAL = 0.76  # 46/60 now (0.75 until session 12, 0.73 until session 11, 0.70 until session 10; 42/60); 0.78 until session 19 (46/60: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING7_WRONG_MAX = 3  # 1/154 now (4 until session 12, 15 when it was written)
TUNING8_STRICT_IN_SCOPE = 0.91  # 133/140 now (0.90 until session 13, 0.87 until session 11, 0.85 until session 10; 119/140 when it was written)
TUNING8_STRICT_SITUATIONAL = 0.80  # 36/40 now (0.77 until session 11, 0.72 until session 10; 28/40)
TUNING8_WRONG_MAX = 5  # 0/170 now (6 until session 11, 7 until session 10; 8 when it was written)
TUNING9_STRICT_IN_SCOPE = 0.88  # 126/140 now (0.79 until session 14, when its failures were first read); 106/140 = 75.7 % when it was written (session 9)
TUNING9_STRICT_SITUATIONAL = 0.72  # 29/40 now (0.55 until session 14); 22/40 when it was written
TUNING9_WRONG_MAX = 4  # 0/170 now (9 until session 14); 11 when it was written
TUNING10_STRICT_IN_SCOPE = 0.92  # 162/169 now (0.91 until session 13, 0.88 until session 12); 129/169 = 76.3 % when it was written (session 10, before any tuning)
TUNING10_STRICT_SITUATIONAL = 0.72  # 34/40 now (0.70 until session 12); 21/40 = 52.5 % when it was written
TUNING10_WRONG_MAX = (
    3  # 1/189 now (4 until session 13, 6 until session 12, 7 until session 11); 12/189 when it was written
)
TUNING11_STRICT_IN_SCOPE = 0.94  # 160/169 now (0.93 until session 13, 0.92 until session 11); 138/169 = 81.7 % when it was written (session 10, before any tuning)
TUNING11_STRICT_SITUATIONAL = 0.85  # 36/40 now (0.82 until session 11); 24/40 = 60.0 % when it was written
TUNING11_WRONG_MAX = 2  # 0/189 now (3 until session 12, 4 until session 11); 10/189 when it was written
TUNING12_STRICT_IN_SCOPE = (
    0.86  # 141/160 now (0.77 until session 14, when its failures were first read); 117/160 when it was written
)
TUNING12_STRICT_SITUATIONAL = 0.70  # 29/40 now (0.60 until session 14); 21/40 = 52.5 % when it was written
TUNING12_WRONG_MAX = 3  # 1/180 now (8 until session 14); 9/180 when it was written
TUNING13_STRICT_IN_SCOPE = (
    0.90  # 160/170 now (0.89 until session 12); 145/170 = 85.3 % when it was written (session 11, before any tuning)
)
TUNING13_STRICT_SITUATIONAL = 0.75  # 34/40 now; 27/40 when it was written
TUNING13_WRONG_MAX = 4  # 1/190 now (5 until session 12); 7/190 when it was written
TUNING14_STRICT_IN_SCOPE = (
    0.87  # 152/170 now (0.86 until session 12); 137/170 = 80.6 % when it was written (session 11, before any tuning)
)
TUNING14_STRICT_SITUATIONAL = 0.54  # 25/40 now; 21/40 when it was written
TUNING14_WRONG_MAX = 2  # 1/190 now (4 until session 12); 11/190 when it was written
TUNING15_STRICT_IN_SCOPE = 0.87  # 149/167 now (0.86 until session 13); 140/167 = 83.8 % when it was written (session 11; validation, never read)
TUNING15_STRICT_SITUATIONAL = 0.67  # 30/40 now; 25/40 when it was written
TUNING15_WRONG_MAX = 8  # 5/187 now (10 until session 13); 11/187 when it was written
TUNING16_STRICT_IN_SCOPE = 0.87  # 146/156 now; 131/156 = 84.0 % when it was written (session 13, before any tuning)
TUNING16_STRICT_SITUATIONAL = 0.67  # 33/40 now; 26/40 when it was written
TUNING16_WRONG_MAX = 8  # 0/186 now; 9/186 when it was written
TUNING17_STRICT_IN_SCOPE = (
    0.83  # 137/156 now; 132/156 = 84.6 % when it was written (session 13; validation, never read)
)
TUNING17_STRICT_SITUATIONAL = 0.65  # 28/40 now; 27/40 when it was written
TUNING17_WRONG_MAX = 11  # 6/186 now; 9/186 when it was written
TUNING18_STRICT_IN_SCOPE = 0.91  # 146/158 now; 139/158 on the session-14 start code, before it was read
TUNING18_STRICT_SITUATIONAL = 0.80  # 34/40 now
TUNING18_WRONG_MAX = 8  # 4/188 now; 7/188 on the session-14 start code
TUNING19_STRICT_IN_SCOPE = 0.93  # 157/165 now; 144/165 on the session-14 start code, 148/165 before it was read
TUNING19_STRICT_SITUATIONAL = 0.90  # 37/40 now
TUNING19_WRONG_MAX = 4  # 0/195 now; 6/195 on the session-14 start code, 4/195 before it was read
TUNING20_STRICT_IN_SCOPE = 0.90  # 151/165 now; 145/165 when it was written (on 303037b, mid-session 14)
TUNING20_STRICT_SITUATIONAL = 0.80  # 32/40 now
TUNING20_WRONG_MAX = 3  # 0/195 now; 3/195 when it was written
TUNING21_STRICT_IN_SCOPE = 0.82  # 128/152 now; 127/152 when it was written (on bb883bd, session 15)
TUNING21_STRICT_SITUATIONAL = 0.57  # 24/40 now
TUNING21_WRONG_MAX = 8  # 3/182 now; 9/182 when it was written
TUNING22_STRICT_IN_SCOPE = 0.85  # 141/159 now; 134/159 when it was written (on bb883bd, session 15)
TUNING22_STRICT_SITUATIONAL = 0.67  # 31/40 now
TUNING22_WRONG_MAX = 4  # 1/189 now; 7/189 when it was written
TUNING23_STRICT_IN_SCOPE = 0.86  # 143/161 now; 139/161 when it was written (on bb883bd, session 15)
TUNING23_STRICT_SITUATIONAL = 0.62  # 26/40 now
TUNING23_WRONG_MAX = 8  # 3/191 now; 11/191 when it was written
TUNING24_STRICT_IN_SCOPE = 0.85  # 136/156 now; 134/156 when it was written (on bb883bd, session 15)
TUNING24_STRICT_SITUATIONAL = 0.60  # 26/40 now
TUNING24_WRONG_MAX = 7  # 5/186 now; 8/186 when it was written
TUNING25_STRICT_IN_SCOPE = 0.94  # 153/159 now; 149/159 when it was written (on c9a0fed, session 15)
TUNING25_STRICT_SITUATIONAL = 0.80  # 9/10 now
TUNING25_WRONG_MAX = 2  # 0/189 now; 3/189 when it was written
TUNING26_STRICT_IN_SCOPE = 0.88  # 144/161 now; 143/161 when it was written (on c9a0fed, session 15)
TUNING26_STRICT_SITUATIONAL = 0.50  # 6/10 now
TUNING26_WRONG_MAX = 2  # 1/191 now; 4/191 when it was written
TUNING27_STRICT_IN_SCOPE = 0.82  # 137/156 now; 130/156 when it was written (on c9a0fed, session 15)
TUNING27_STRICT_SITUATIONAL = 0.55  # 26/40 now
TUNING27_WRONG_MAX = 4  # 0/186 now; 4/186 when it was written
TUNING28_STRICT_IN_SCOPE = 0.82  # 127/153 now; 124/153 when it was written (on c9a0fed, session 15)
TUNING28_STRICT_SITUATIONAL = 0.57  # 23/40 now
TUNING28_WRONG_MAX = 6  # 4/183 now; 11/183 when it was written
TUNING29_STRICT_IN_SCOPE = 0.91  # 147/159 now; 146/159 when it was written (on c9a0fed, session 15)
TUNING29_STRICT_SITUATIONAL = 0.70  # 7/10 now
TUNING29_WRONG_MAX = 3  # 1/189 now; 5/189 when it was written
TUNING30_STRICT_IN_SCOPE = 0.86  # 142/157 now; 135/157 when it was written (on c9a0fed, session 15)
TUNING30_STRICT_SITUATIONAL = 0.70  # 31/40 now
TUNING30_WRONG_MAX = 6  # 3/187 now; 11/187 when it was written
TUNING31_STRICT_IN_SCOPE = 0.89  # 146/159 now; 144/159 when it was written (on 67b8079, session 15)
TUNING31_STRICT_SITUATIONAL = 0.30  # 5/10 now
TUNING31_WRONG_MAX = 4  # 1/189 now; 3/189 when it was written
TUNING32_STRICT_IN_SCOPE = 0.86  # 131/151 now; 131/151 when it was written (on 67b8079, session 15)
TUNING32_STRICT_SITUATIONAL = 0.62  # 25/40 now; 0.65 until session 19 (25/40: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING32_WRONG_MAX = 6  # 2/181 now; 6/181 when it was written
TUNING33_STRICT_IN_SCOPE = 0.91  # 141/153 now; 140/153 when it was written (on 10c1645, session 15)
TUNING33_STRICT_SITUATIONAL = 0.50  # 5/10 now
TUNING33_WRONG_MAX = 2  # 1/183 now; 4/183 when it was written
TUNING34_STRICT_IN_SCOPE = 0.89  # 141/156 now; 141/156 when it was written (on 10c1645, session 15)
TUNING34_STRICT_SITUATIONAL = 0.60  # 6/10 now
TUNING34_WRONG_MAX = 7  # 2/186 now; 7/186 when it was written
TUNING35_STRICT_IN_SCOPE = 0.88  # 144/162 now; 144/162 when it was written (on 951cdaf, session 16)
TUNING35_STRICT_SITUATIONAL = 0.50  # 5/10 now
TUNING35_WRONG_MAX = 2  # 0/192 now; 2/192 when it was written
TUNING36_STRICT_IN_SCOPE = 0.88  # 136/150 now; 133/150 when it was written (on 951cdaf, session 16)
TUNING36_STRICT_SITUATIONAL = 0.50  # 7/10 now
TUNING36_WRONG_MAX = 8  # 3/180 now; 8/180 when it was written
TUNING37_STRICT_IN_SCOPE = 0.88  # 146/160 now; 143/160 when it was written (on 951cdaf, session 16)
TUNING37_STRICT_SITUATIONAL = 0.60  # 7/10 now
TUNING37_WRONG_MAX = 6  # 2/190 now; 6/190 when it was written
TUNING38_STRICT_IN_SCOPE = 0.90  # 142/155 now; 142/155 when it was written (on 951cdaf, session 16)
TUNING38_STRICT_SITUATIONAL = 0.70  # 29/40 now
TUNING38_WRONG_MAX = 3  # 0/185 now; 3/185 when it was written
TUNING39_STRICT_IN_SCOPE = 0.93  # 154/161 now; 151/161 when it was written (on 951cdaf, session 16)
TUNING39_STRICT_SITUATIONAL = 0.70  # 8/10 now
TUNING39_WRONG_MAX = 6  # 1/191 now; 6/191 when it was written
TUNING40_STRICT_IN_SCOPE = 0.89  # 155/165 now; 150/165 when it was written (on 951cdaf, session 16)
TUNING40_STRICT_SITUATIONAL = 0.70  # 32/40 now
TUNING40_WRONG_MAX = 5  # 0/195 now; 5/195 when it was written
TUNING41_STRICT_IN_SCOPE = 0.88  # 146/159 now; 141/159 when it was written (on 951cdaf, session 16)
TUNING41_STRICT_SITUATIONAL = 0.70  # 8/10 now
TUNING41_WRONG_MAX = 8  # 2/189 now; 8/189 when it was written
TUNING42_STRICT_IN_SCOPE = 0.86  # 144/162 now; 142/162 when it was written (on 951cdaf, session 16)
TUNING42_STRICT_SITUATIONAL = 0.60  # 7/10 now
TUNING42_WRONG_MAX = 5  # 2/192 now; 4/192 when it was written
# tuning43's figures are on its corrected labels (ten situational labels had shifted by one)
TUNING43_STRICT_IN_SCOPE = 0.86  # 140/158 now; 139/158 when it was written (on 951cdaf, session 16)
TUNING43_STRICT_SITUATIONAL = 0.75  # 30/40 now
TUNING43_WRONG_MAX = 4  # 0/188 now; 4/188 when it was written
TUNING44_STRICT_IN_SCOPE = 0.90  # 142/152 now; 139/152 when it was written (on 951cdaf, session 16)
TUNING44_STRICT_SITUATIONAL = 0.50  # 7/10 now
TUNING44_WRONG_MAX = 5  # 0/182 now; 5/182 when it was written
TUNING45_STRICT_IN_SCOPE = 0.88  # 149/163 now; 147/163 when it was written (on 951cdaf, session 16)
TUNING45_STRICT_SITUATIONAL = 0.50  # 6/10 now
TUNING45_WRONG_MAX = 9  # 4/193 now; 9/193 when it was written
TUNING46_STRICT_IN_SCOPE = 0.82  # 135/155 now; 129/155 when it was written (on 951cdaf, session 16)
TUNING46_STRICT_SITUATIONAL = 0.65  # 29/40 now
TUNING46_WRONG_MAX = 10  # 3/185 now; 10/185 when it was written
TUNING47_STRICT_IN_SCOPE = 0.88  # 146/163 now; 147/163 when it was written (on 43a81e1, session 16)
TUNING47_STRICT_SITUATIONAL = 0.80  # 9/10 now
TUNING47_WRONG_MAX = 3  # 1/193 now; 2/193 when it was written
TUNING48_STRICT_IN_SCOPE = 0.91  # 144/153 now; 142/153 when it was written (on 43a81e1, session 16)
TUNING48_STRICT_SITUATIONAL = 0.70  # 8/10 now
TUNING48_WRONG_MAX = 5  # 3/183 now; 4/183 when it was written
TUNING49_STRICT_IN_SCOPE = 0.87  # 136/150 now; 131/150 when it was written (on 43a81e1, session 16)
TUNING49_STRICT_SITUATIONAL = 0.70  # 8/10 now
TUNING49_WRONG_MAX = 8  # 3/180 now; 8/180 when it was written
TUNING50_STRICT_IN_SCOPE = 0.86  # 142/162 now; 140/162 when it was written (on 43a81e1, session 16)
TUNING50_STRICT_SITUATIONAL = 0.60  # 26/40 now
TUNING50_WRONG_MAX = 7  # 2/192 now; 7/192 when it was written
TUNING51_STRICT_IN_SCOPE = 0.89  # 152/165 now; 149/165 when it was written (on 43a81e1, session 16)
TUNING51_STRICT_SITUATIONAL = 0.50  # 6/10 now
TUNING51_WRONG_MAX = 4  # 1/195 now; 4/195 when it was written
TUNING52_STRICT_IN_SCOPE = 0.89  # 139/156 now; 139/156 when it was written (on 43a81e1, session 16)
TUNING52_STRICT_SITUATIONAL = 0.75  # 30/40 now
TUNING52_WRONG_MAX = 4  # 2/186 now; 4/186 when it was written
TUNING53_STRICT_IN_SCOPE = 0.9  # 146/161 now; 148/161 when it was written (on 0de1cdd, session 17)
TUNING53_STRICT_SITUATIONAL = 0.72  # 29/40 now; 0.75 until session 19 (29/40: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING53_WRONG_MAX = 2  # 1/191 now; 1/191 when it was written
TUNING54_STRICT_IN_SCOPE = 0.86  # 130/150 now; 131/150 when it was written (on 0de1cdd, session 17)
TUNING54_STRICT_SITUATIONAL = 0.65  # 26/40 now
TUNING54_WRONG_MAX = 7  # 5/180 now; 6/180 when it was written
TUNING55_STRICT_IN_SCOPE = 0.9  # 139/150 now; 137/150 when it was written (on 0de1cdd, session 17)
TUNING55_STRICT_SITUATIONAL = 0.72  # 30/40 now
TUNING55_WRONG_MAX = 5  # 2/180 now; 5/180 when it was written
TUNING56_STRICT_IN_SCOPE = 0.88  # 144/160 now; 144/160 when it was written (on 0de1cdd, session 17)
TUNING56_STRICT_SITUATIONAL = 0.72  # 29/40 now; 0.75 until session 19 (29/40: a right answer became a suggestion as session 19's phrasings moved the scores)
TUNING56_WRONG_MAX = 5  # 2/190 now; 4/190 when it was written
TUNING57_STRICT_IN_SCOPE = 0.88  # 143/160 now; 143/160 when it was written (on 0de1cdd, session 17)
TUNING57_STRICT_SITUATIONAL = 0.62  # 26/40 now
TUNING57_WRONG_MAX = 3  # 1/190 now; 3/190 when it was written
TUNING58_STRICT_IN_SCOPE = 0.84  # 135/158 now; 134/158 when it was written (on 0de1cdd, session 17)
TUNING58_STRICT_SITUATIONAL = 0.62  # 25/40 now
TUNING58_WRONG_MAX = 4  # 1/188 now; 4/188 when it was written
TUNING59_STRICT_IN_SCOPE = 0.82  # 132/156 now; 129/156 when it was written (on be75c2b, session 17)
TUNING59_STRICT_SITUATIONAL = 0.55  # 23/40 now
TUNING59_WRONG_MAX = 10  # 5/186 now; 10/186 when it was written
TUNING60_STRICT_IN_SCOPE = 0.89  # 142/159 now; 144/159 when it was written (on be75c2b, session 17)
TUNING60_STRICT_SITUATIONAL = 0.7  # 28/40 now
TUNING60_WRONG_MAX = 5  # 3/189 now; 5/189 when it was written
TUNING61_STRICT_IN_SCOPE = 0.85  # 139/161 now; 139/161 when it was written (on be75c2b, session 17)
TUNING61_STRICT_SITUATIONAL = 0.67  # 28/40 now
TUNING61_WRONG_MAX = 5  # 2/191 now; 5/191 when it was written
TUNING62_STRICT_IN_SCOPE = 0.84  # 137/159 now; 134/159 when it was written (on be75c2b, session 17)
TUNING62_STRICT_SITUATIONAL = 0.67  # 29/40 now
TUNING62_WRONG_MAX = 11  # 6/189 now; 11/189 when it was written
TUNING63_STRICT_IN_SCOPE = 0.86  # 137/153 now; 135/153 when it was written (on be75c2b, session 17)
TUNING63_STRICT_SITUATIONAL = 0.7  # 30/40 now
TUNING63_WRONG_MAX = 4  # 2/183 now; 3/183 when it was written
TUNING64_STRICT_IN_SCOPE = 0.87  # 143/162 now; 143/162 when it was written (on be75c2b, session 17)
TUNING64_STRICT_SITUATIONAL = 0.67  # 27/40 now
TUNING64_WRONG_MAX = 4  # 1/192 now; 4/192 when it was written
TUNING65_STRICT_IN_SCOPE = 0.93  # 148/158 now; 147/158 when it was written (on 0b4e065, session 18)
TUNING65_STRICT_SITUATIONAL = 0.87  # 35/40 now
TUNING65_WRONG_MAX = 4  # 1/188 now; 4/188 when it was written
TUNING66_STRICT_IN_SCOPE = 0.87  # 135/154 now; 135/154 when it was written (on 0b4e065, session 18)
TUNING66_STRICT_SITUATIONAL = 0.75  # 31/40 now; 0.77 until session 19 (30/40: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING66_WRONG_MAX = 4  # 0/184 now; 4/184 when it was written
TUNING67_STRICT_IN_SCOPE = 0.84  # 136/159 now; 135/159 when it was written (on 0b4e065, session 18)
TUNING67_STRICT_SITUATIONAL = 0.70  # 28/40 now
TUNING67_WRONG_MAX = 3  # 1/189 now; 3/189 when it was written
TUNING68_STRICT_IN_SCOPE = 0.84  # 134/155 now; 130/154 when it was written (on 0b4e065, session 18)
TUNING68_STRICT_SITUATIONAL = 0.62  # 27/40 now
TUNING68_WRONG_MAX = 7  # 3/184 now; 7/184 when it was written
TUNING69_STRICT_IN_SCOPE = 0.89  # 144/161 now; 146/161 when it was written (on 0b4e065, session 18)
TUNING69_STRICT_SITUATIONAL = 0.70  # 28/40 now; 0.72 until session 19 (28/40: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING69_WRONG_MAX = 2  # 1/191 now; 1/191 when it was written
TUNING70_STRICT_IN_SCOPE = 0.89  # 145/159 now; 144/159 when it was written (on 0b4e065, session 18)
TUNING70_STRICT_SITUATIONAL = 0.75  # 31/40 now
TUNING70_WRONG_MAX = 5  # 2/189 now; 5/189 when it was written
TUNING71_STRICT_IN_SCOPE = 0.88  # 140/154 now; 138/154 when it was written (on 29c5e2f, session 18)
TUNING71_STRICT_SITUATIONAL = 0.76  # 33/39 now
TUNING71_WRONG_MAX = 2  # 1/184 now; 2/184 when it was written
TUNING72_STRICT_IN_SCOPE = 0.86  # 140/159 now; 137/157 when it was written (on 29c5e2f, session 18)
TUNING72_STRICT_SITUATIONAL = 0.77  # 31/40 now; 0.80 until session 19 (31/40: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING72_WRONG_MAX = 4  # 1/189 now; 4/189 when it was written
TUNING73_STRICT_IN_SCOPE = 0.82  # 135/161 now; 135/161 when it was written (on 29c5e2f, session 18)
TUNING73_STRICT_SITUATIONAL = 0.72  # 30/40 now
TUNING73_WRONG_MAX = 5  # 4/191 now; 4/191 when it was written
TUNING74_STRICT_IN_SCOPE = 0.82  # 127/151 now; 127/151 when it was written (on 29c5e2f, session 18)
TUNING74_STRICT_SITUATIONAL = 0.57  # 24/40 now
TUNING74_WRONG_MAX = 6  # 3/181 now; 5/181 when it was written
TUNING75_STRICT_IN_SCOPE = 0.85  # 140/161 now; 137/161 when it was written (on 29c5e2f, session 18)
TUNING75_STRICT_SITUATIONAL = 0.65  # 27/40 now
TUNING75_WRONG_MAX = 3  # 1/191 now; 3/191 when it was written
TUNING76_STRICT_IN_SCOPE = 0.86  # 136/156 now; 137/156 when it was written (on 29c5e2f, session 18)
TUNING76_STRICT_SITUATIONAL = 0.67  # 28/40 now; 0.70 until session 19 (27/40: a right answer became a suggestion as session 19's phrasings moved the scores)
TUNING76_WRONG_MAX = 1  # 0/186 now; 0/186 when it was written
TUNING77_STRICT_IN_SCOPE = 0.88  # 143/159 now; 143/159 when it was written (on 741ef5f, session 18)
TUNING77_STRICT_SITUATIONAL = 0.67  # 28/40 now
TUNING77_WRONG_MAX = 3  # 2/189 now; 2/189 when it was written
TUNING78_STRICT_IN_SCOPE = 0.87  # 137/156 now; 137/156 when it was written (on 741ef5f, session 18)
TUNING78_STRICT_SITUATIONAL = 0.75  # 30/40 now
TUNING78_WRONG_MAX = 2  # 1/186 now; 2/186 when it was written
TUNING79_STRICT_IN_SCOPE = 0.88  # 140/156 now; 139/155 when it was written (on 741ef5f, session 18)
TUNING79_STRICT_SITUATIONAL = 0.77  # 31/40 now
TUNING79_WRONG_MAX = 3  # 1/186 now; 2/186 when it was written
TUNING80_STRICT_IN_SCOPE = 0.80  # 131/157 now; 126/157 when it was written (on 741ef5f, session 18)
TUNING80_STRICT_SITUATIONAL = 0.65  # 29/40 now
TUNING80_WRONG_MAX = 5  # 2/187 now; 5/187 when it was written
TUNING81_STRICT_IN_SCOPE = 0.84  # 130/151 now; 130/150 when it was written (on 741ef5f, session 18)
TUNING81_STRICT_SITUATIONAL = 0.72  # 30/40 now
TUNING81_WRONG_MAX = 2  # 1/183 now; 1/183 when it was written
TUNING82_STRICT_IN_SCOPE = 0.87  # 135/151 now; 134/151 when it was written (on 741ef5f, session 18)
TUNING82_STRICT_SITUATIONAL = 0.70  # 30/40 now
TUNING82_WRONG_MAX = 6  # 3/181 now; 6/181 when it was written
TUNING83_STRICT_IN_SCOPE = 0.88  # 138/154 now; 137/154 when it was written (on 690da9f, session 18)
TUNING83_STRICT_SITUATIONAL = 0.75  # 31/40 now; 0.77 until session 19 (30/40: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING83_WRONG_MAX = 5  # 2/184 now; 5/184 when it was written
TUNING84_STRICT_IN_SCOPE = 0.87  # 141/158 now; 141/158 when it was written (on 690da9f, session 18)
TUNING84_STRICT_SITUATIONAL = 0.70  # 29/40 now
TUNING84_WRONG_MAX = 6  # 4/188 now; 5/188 when it was written
TUNING85_STRICT_IN_SCOPE = 0.86  # 135/154 now; 134/154 when it was written (on 690da9f, session 18)
TUNING85_STRICT_SITUATIONAL = 0.70  # 30/41 now
TUNING85_WRONG_MAX = 1  # 1/184 now; 1/184 when it was written
TUNING86_STRICT_IN_SCOPE = 0.78  # 128/158 now; 125/158 when it was written (on 690da9f, session 18)
TUNING86_STRICT_SITUATIONAL = 0.67  # 30/40 now
TUNING86_WRONG_MAX = 9  # 5/188 now; 9/188 when it was written
TUNING87_STRICT_IN_SCOPE = 0.86  # 136/153 now; 134/153 when it was written (on 690da9f, session 18)
TUNING87_STRICT_SITUATIONAL = 0.72  # 31/40 now
TUNING87_WRONG_MAX = 4  # 2/183 now; 3/183 when it was written
TUNING88_STRICT_IN_SCOPE = 0.80  # 123/150 now; 120/145 when it was written (on 690da9f, session 18)
TUNING88_STRICT_SITUATIONAL = 0.72  # 30/40 now
TUNING88_WRONG_MAX = 4  # 3/183 now; 4/183 when it was written
TUNING89_STRICT_IN_SCOPE = 0.86  # 134/154 now; 134/154 when it was written (on 2da1111, session 19)
TUNING89_STRICT_SITUATIONAL = 0.70  # 29/40 now; 0.72 until session 19 (28/40: a long answer whose best entry lacks the question's most distinctive word needs 0.82)
TUNING89_WRONG_MAX = 1  # 0/184 now; 1/184 when it was written
TUNING90_STRICT_IN_SCOPE = 0.86  # 134/153 now; 132/153 when it was written (on 2da1111, session 19)
TUNING90_STRICT_SITUATIONAL = 0.65  # 26/40 now
TUNING90_WRONG_MAX = 4  # 2/183 now; 4/183 when it was written
TUNING91_STRICT_IN_SCOPE = 0.86  # 134/152 now; 131/152 when it was written (on 2da1111, session 19)
TUNING91_STRICT_SITUATIONAL = 0.62  # 26/40 now
TUNING91_WRONG_MAX = 2  # 0/182 now; 2/182 when it was written
TUNING92_STRICT_IN_SCOPE = 0.87  # 141/159 now; 140/159 when it was written (on 2da1111, session 19)
TUNING92_STRICT_SITUATIONAL = 0.67  # 28/40 now
TUNING92_WRONG_MAX = 1  # 0/189 now; 0/189 when it was written
TUNING93_STRICT_IN_SCOPE = 0.89  # 150/162 now; 145/162 when it was written (on 2da1111, session 19)
TUNING93_STRICT_SITUATIONAL = 0.70  # 31/40 now
TUNING93_WRONG_MAX = 3  # 0/192 now; 3/192 when it was written
TUNING94_STRICT_IN_SCOPE = 0.88  # 146/161 now; 141/161 when it was written (on 2da1111, session 19)
TUNING94_STRICT_SITUATIONAL = 0.70  # 30/40 now
TUNING94_WRONG_MAX = 5  # 1/191 now; 5/191 when it was written
TUNING95_STRICT_IN_SCOPE = 0.90  # 139/153 now; 140/153 when it was written (on 2da1111, session 19)
TUNING95_STRICT_SITUATIONAL = 0.75  # 30/40 now
TUNING95_WRONG_MAX = 2  # 1/183 now; 2/183 when it was written
TUNING96_STRICT_IN_SCOPE = 0.82  # 138/164 now; 135/164 when it was written (on 2da1111, session 19)
TUNING96_STRICT_SITUATIONAL = 0.55  # 23/40 now
TUNING96_WRONG_MAX = 6  # 1/194 now; 6/194 when it was written
TUNING97_STRICT_IN_SCOPE = 0.90  # 143/156 now; 143/156 when it was first measured (on f704a0e, session 19)
TUNING97_STRICT_SITUATIONAL = 0.77  # 32/40 now
TUNING97_WRONG_MAX = 4  # 1/186 now; 4/186 when it was first measured
TUNING98_STRICT_IN_SCOPE = 0.85  # 136/156 now; 134/156 when it was first measured (on f704a0e, session 19)
TUNING98_STRICT_SITUATIONAL = 0.70  # 30/40 now
TUNING98_WRONG_MAX = 3  # 1/186 now; 3/186 when it was first measured
TUNING99_STRICT_IN_SCOPE = 0.93  # 151/160 now; 151/160 when it was first measured (on f704a0e, session 19)
TUNING99_STRICT_SITUATIONAL = 0.85  # 35/40 now
TUNING99_WRONG_MAX = 1  # 0/190 now; 1/190 when it was first measured
TUNING100_STRICT_IN_SCOPE = 0.89  # 143/158 now; 141/158 when it was first measured (on f704a0e, session 19)
TUNING100_STRICT_SITUATIONAL = 0.77  # 32/40 now
TUNING100_WRONG_MAX = 1  # 0/188 now; 1/188 when it was first measured
TUNING101_STRICT_IN_SCOPE = 0.85  # 133/153 now; 132/153 when it was first measured (on f704a0e, session 19)
TUNING101_STRICT_SITUATIONAL = 0.72  # 30/40 now
TUNING101_WRONG_MAX = 2  # 1/183 now; 2/183 when it was first measured
TUNING102_STRICT_IN_SCOPE = 0.88  # 143/159 now; 141/159 when it was first measured (on f704a0e, session 19)
TUNING102_STRICT_SITUATIONAL = 0.80  # 33/40 now
TUNING102_WRONG_MAX = 4  # 2/189 now; 4/189 when it was first measured
TUNING103_STRICT_IN_SCOPE = 0.87  # 139/157 now; 135/157 when it was first measured (on f704a0e, session 19)
TUNING103_STRICT_SITUATIONAL = 0.67  # 28/40 now
TUNING103_WRONG_MAX = 7  # 1/187 now; 7/187 when it was first measured
TUNING104_STRICT_IN_SCOPE = 0.86  # 136/155 now; 135/155 when it was first measured (on f704a0e, session 19)
TUNING104_STRICT_SITUATIONAL = 0.65  # 27/40 now
TUNING104_WRONG_MAX = 2  # 0/185 now; 2/185 when it was first measured
TUNING105_STRICT_IN_SCOPE = 0.87  # 145/164 now; 144/164 when it was first measured (on c7a0ace, session 19)
TUNING105_STRICT_SITUATIONAL = 0.72  # 29/40 now
TUNING105_WRONG_MAX = 1  # 0/194 now; 1/194 when it was first measured
TUNING106_STRICT_IN_SCOPE = 0.91  # 147/158 now; 145/158 when it was first measured (on c7a0ace, session 19)
TUNING106_STRICT_SITUATIONAL = 0.75  # 31/40 now
TUNING106_WRONG_MAX = 2  # 1/188 now; 2/188 when it was first measured
TUNING107_STRICT_IN_SCOPE = 0.85  # 137/158 now; 136/158 when it was first measured (on c7a0ace, session 19)
TUNING107_STRICT_SITUATIONAL = 0.65  # 27/40 now
TUNING107_WRONG_MAX = 4  # 2/188 now; 4/188 when it was first measured
TUNING108_STRICT_IN_SCOPE = 0.89  # 142/157 now; 141/157 when it was first measured (on c7a0ace, session 19)
TUNING108_STRICT_SITUATIONAL = 0.72  # 30/40 now
TUNING108_WRONG_MAX = 1  # 0/187 now; 1/187 when it was first measured
TUNING109_STRICT_IN_SCOPE = 0.88  # 144/161 now; 144/161 when it was first measured (on c7a0ace, session 19)
TUNING109_STRICT_SITUATIONAL = 0.72  # 30/40 now
TUNING109_WRONG_MAX = 1  # 0/191 now; 0/191 when it was first measured
TUNING110_STRICT_IN_SCOPE = 0.92  # 139/150 now; 137/150 when it was first measured (on c7a0ace, session 19)
TUNING110_STRICT_SITUATIONAL = 0.74  # 30/39 now; 0.76 until session 19 (29/39: a right answer became a suggestion as session 19's phrasings moved the scores)
TUNING110_WRONG_MAX = 6  # 3/181 now; 6/181 when it was first measured
TUNING111_STRICT_IN_SCOPE = 0.92  # 146/156 now; 145/156 when it was first measured (on c7a0ace, session 19)
TUNING111_STRICT_SITUATIONAL = 0.75  # 31/40 now
TUNING111_WRONG_MAX = 2  # 0/186 now; 2/186 when it was first measured
TUNING112_STRICT_IN_SCOPE = 0.88  # 145/161 now; 146/161 when it was first measured (on c7a0ace, session 19)
TUNING112_STRICT_SITUATIONAL = 0.70  # 29/40 now
TUNING112_WRONG_MAX = 1  # 0/191 now; 1/191 when it was first measured
TUNING113_STRICT_IN_SCOPE = 0.87  # 141/159 now; 141/159 when it was first measured (on ff15de3, session 19)
TUNING113_STRICT_SITUATIONAL = 0.75  # 31/40 now
TUNING113_WRONG_MAX = 2  # 1/189 now; 1/189 when it was first measured
TUNING114_STRICT_IN_SCOPE = 0.87  # 141/159 now; 140/159 when it was first measured (on ff15de3, session 19)
TUNING114_STRICT_SITUATIONAL = 0.70  # 29/40 now
TUNING114_WRONG_MAX = 1  # 0/189 now; 1/189 when it was first measured
TUNING115_STRICT_IN_SCOPE = 0.85  # 137/160 now; 135/160 when it was first measured (on ff15de3, session 19)
TUNING115_STRICT_SITUATIONAL = 0.60  # 25/40 now
TUNING115_WRONG_MAX = 4  # 2/190 now; 4/190 when it was first measured
TUNING116_STRICT_IN_SCOPE = 0.88  # 137/153 now; 137/153 when it was first measured (on ff15de3, session 19)
TUNING116_STRICT_SITUATIONAL = 0.70  # 29/40 now
TUNING116_WRONG_MAX = 6  # 5/183 now; 5/183 when it was first measured
TUNING117_STRICT_IN_SCOPE = 0.86  # 142/161 now; 142/161 when it was first measured (on ff15de3, session 19)
TUNING117_STRICT_SITUATIONAL = 0.70  # 29/40 now
TUNING117_WRONG_MAX = 2  # 1/191 now; 1/191 when it was first measured
TUNING118_STRICT_IN_SCOPE = 0.88  # 143/159 now; 139/159 when it was first measured (on ff15de3, session 19)
TUNING118_STRICT_SITUATIONAL = 0.80  # 33/40 now
TUNING118_WRONG_MAX = 4  # 0/189 now; 4/189 when it was first measured
TUNING119_STRICT_IN_SCOPE = 0.86  # 141/160 now; 140/160 when it was first measured (on ff15de3, session 19)
TUNING119_STRICT_SITUATIONAL = 0.72  # 30/40 now
TUNING119_WRONG_MAX = 3  # 1/190 now; 3/190 when it was first measured
TUNING120_STRICT_IN_SCOPE = 0.89  # 146/161 now; 146/161 when it was first measured (on ff15de3, session 19)
TUNING120_STRICT_SITUATIONAL = 0.71  # 29/39 now
TUNING120_WRONG_MAX = 1  # 0/191 now; 1/191 when it was first measured
TUNING121_STRICT_IN_SCOPE = 0.91  # 143/154 now; 142/154 when it was first measured (on 2b9ee39, session 19)
TUNING121_STRICT_SITUATIONAL = 0.82  # 34/40 now
TUNING121_WRONG_MAX = 3  # 2/184 now; 3/184 when it was first measured
TUNING122_STRICT_IN_SCOPE = 0.86  # 141/160 now; 139/160 when it was first measured (on 2b9ee39, session 19)
TUNING122_STRICT_SITUATIONAL = 0.67  # 28/40 now
TUNING122_WRONG_MAX = 2  # 0/190 now; 2/190 when it was first measured
TUNING123_STRICT_IN_SCOPE = 0.90  # 147/160 now; 146/160 when it was first measured (on 2b9ee39, session 19)
TUNING123_STRICT_SITUATIONAL = 0.77  # 32/40 now
TUNING123_WRONG_MAX = 1  # 0/190 now; 1/190 when it was first measured
TUNING124_STRICT_IN_SCOPE = 0.87  # 144/162 now; 143/162 when it was first measured (on 2b9ee39, session 19)
TUNING124_STRICT_SITUATIONAL = 0.70  # 29/40 now
TUNING124_WRONG_MAX = 4  # 1/192 now; 4/192 when it was first measured
TUNING125_STRICT_IN_SCOPE = 0.89  # 145/160 now; 144/160 when it was first measured (on 2b9ee39, session 19)
TUNING125_STRICT_SITUATIONAL = 0.82  # 34/40 now
TUNING125_WRONG_MAX = 1  # 0/190 now; 1/190 when it was first measured
TUNING126_STRICT_IN_SCOPE = 0.87  # 146/165 now; 146/165 when it was first measured (on 2b9ee39, session 19)
TUNING126_STRICT_SITUATIONAL = 0.67  # 28/40 now
TUNING126_WRONG_MAX = 2  # 1/195 now; 2/195 when it was first measured
TUNING127_STRICT_IN_SCOPE = 0.84  # 137/159 now; 137/159 when it was first measured (on 2b9ee39, session 19)
TUNING127_STRICT_SITUATIONAL = 0.65  # 27/40 now
TUNING127_WRONG_MAX = 2  # 1/189 now; 2/189 when it was first measured
TUNING128_STRICT_IN_SCOPE = 0.90  # 146/160 now; 146/160 when it was first measured (on 2b9ee39, session 19)
TUNING128_STRICT_SITUATIONAL = 0.82  # 34/40 now
TUNING128_WRONG_MAX = 3  # 2/190 now; 3/190 when it was first measured
# Sets written from the seeds whose floors have not been set yet. They stay out of the pooled
# confidently-wrong share below, whose failure message lists questions, until they get floors of
# their own above.
NO_FLOORS_YET: tuple[str, ...] = ()
# Validation sets whose floor failures give counts, not questions.
COUNTS_ONLY = (
    "tuning8_questions",
    "tuning15_questions",
    "tuning17_questions",
)


# Each set with floors of its own: (file, at least this many questions, strict in scope,
# situational, confidently wrong at most).
FLOORS = [
    ("tuning4_questions", 130, TUNING4_STRICT_IN_SCOPE, TUNING4_STRICT_SITUATIONAL, TUNING4_WRONG_MAX),
    ("tuning5_questions", 145, TUNING5_STRICT_IN_SCOPE, TUNING5_STRICT_SITUATIONAL, TUNING5_WRONG_MAX),
    ("tuning6_questions", 150, TUNING6_STRICT_IN_SCOPE, TUNING6_STRICT_SITUATIONAL, TUNING6_WRONG_MAX),
    ("tuning7_questions", 150, TUNING7_STRICT_IN_SCOPE, TUNING7_STRICT_SITUATIONAL, TUNING7_WRONG_MAX),
    ("tuning8_questions", 165, TUNING8_STRICT_IN_SCOPE, TUNING8_STRICT_SITUATIONAL, TUNING8_WRONG_MAX),
    ("tuning9_questions", 165, TUNING9_STRICT_IN_SCOPE, TUNING9_STRICT_SITUATIONAL, TUNING9_WRONG_MAX),
    ("tuning10_questions", 185, TUNING10_STRICT_IN_SCOPE, TUNING10_STRICT_SITUATIONAL, TUNING10_WRONG_MAX),
    ("tuning11_questions", 185, TUNING11_STRICT_IN_SCOPE, TUNING11_STRICT_SITUATIONAL, TUNING11_WRONG_MAX),
    ("tuning12_questions", 180, TUNING12_STRICT_IN_SCOPE, TUNING12_STRICT_SITUATIONAL, TUNING12_WRONG_MAX),
    ("tuning13_questions", 185, TUNING13_STRICT_IN_SCOPE, TUNING13_STRICT_SITUATIONAL, TUNING13_WRONG_MAX),
    ("tuning14_questions", 185, TUNING14_STRICT_IN_SCOPE, TUNING14_STRICT_SITUATIONAL, TUNING14_WRONG_MAX),
    ("tuning15_questions", 185, TUNING15_STRICT_IN_SCOPE, TUNING15_STRICT_SITUATIONAL, TUNING15_WRONG_MAX),
    ("tuning16_questions", 185, TUNING16_STRICT_IN_SCOPE, TUNING16_STRICT_SITUATIONAL, TUNING16_WRONG_MAX),
    ("tuning17_questions", 185, TUNING17_STRICT_IN_SCOPE, TUNING17_STRICT_SITUATIONAL, TUNING17_WRONG_MAX),
    ("tuning18_questions", 185, TUNING18_STRICT_IN_SCOPE, TUNING18_STRICT_SITUATIONAL, TUNING18_WRONG_MAX),
    ("tuning19_questions", 190, TUNING19_STRICT_IN_SCOPE, TUNING19_STRICT_SITUATIONAL, TUNING19_WRONG_MAX),
    ("tuning20_questions", 190, TUNING20_STRICT_IN_SCOPE, TUNING20_STRICT_SITUATIONAL, TUNING20_WRONG_MAX),
    ("tuning21_questions", 180, TUNING21_STRICT_IN_SCOPE, TUNING21_STRICT_SITUATIONAL, TUNING21_WRONG_MAX),
    ("tuning22_questions", 185, TUNING22_STRICT_IN_SCOPE, TUNING22_STRICT_SITUATIONAL, TUNING22_WRONG_MAX),
    ("tuning23_questions", 185, TUNING23_STRICT_IN_SCOPE, TUNING23_STRICT_SITUATIONAL, TUNING23_WRONG_MAX),
    ("tuning24_questions", 180, TUNING24_STRICT_IN_SCOPE, TUNING24_STRICT_SITUATIONAL, TUNING24_WRONG_MAX),
    ("tuning25_questions", 185, TUNING25_STRICT_IN_SCOPE, TUNING25_STRICT_SITUATIONAL, TUNING25_WRONG_MAX),
    ("tuning26_questions", 185, TUNING26_STRICT_IN_SCOPE, TUNING26_STRICT_SITUATIONAL, TUNING26_WRONG_MAX),
    ("tuning27_questions", 180, TUNING27_STRICT_IN_SCOPE, TUNING27_STRICT_SITUATIONAL, TUNING27_WRONG_MAX),
    ("tuning28_questions", 180, TUNING28_STRICT_IN_SCOPE, TUNING28_STRICT_SITUATIONAL, TUNING28_WRONG_MAX),
    ("tuning29_questions", 185, TUNING29_STRICT_IN_SCOPE, TUNING29_STRICT_SITUATIONAL, TUNING29_WRONG_MAX),
    ("tuning30_questions", 185, TUNING30_STRICT_IN_SCOPE, TUNING30_STRICT_SITUATIONAL, TUNING30_WRONG_MAX),
    ("tuning31_questions", 185, TUNING31_STRICT_IN_SCOPE, TUNING31_STRICT_SITUATIONAL, TUNING31_WRONG_MAX),
    ("tuning32_questions", 180, TUNING32_STRICT_IN_SCOPE, TUNING32_STRICT_SITUATIONAL, TUNING32_WRONG_MAX),
    ("tuning33_questions", 180, TUNING33_STRICT_IN_SCOPE, TUNING33_STRICT_SITUATIONAL, TUNING33_WRONG_MAX),
    ("tuning34_questions", 185, TUNING34_STRICT_IN_SCOPE, TUNING34_STRICT_SITUATIONAL, TUNING34_WRONG_MAX),
    ("tuning35_questions", 190, TUNING35_STRICT_IN_SCOPE, TUNING35_STRICT_SITUATIONAL, TUNING35_WRONG_MAX),
    ("tuning36_questions", 180, TUNING36_STRICT_IN_SCOPE, TUNING36_STRICT_SITUATIONAL, TUNING36_WRONG_MAX),
    ("tuning37_questions", 190, TUNING37_STRICT_IN_SCOPE, TUNING37_STRICT_SITUATIONAL, TUNING37_WRONG_MAX),
    ("tuning38_questions", 185, TUNING38_STRICT_IN_SCOPE, TUNING38_STRICT_SITUATIONAL, TUNING38_WRONG_MAX),
    ("tuning39_questions", 190, TUNING39_STRICT_IN_SCOPE, TUNING39_STRICT_SITUATIONAL, TUNING39_WRONG_MAX),
    ("tuning40_questions", 195, TUNING40_STRICT_IN_SCOPE, TUNING40_STRICT_SITUATIONAL, TUNING40_WRONG_MAX),
    ("tuning41_questions", 185, TUNING41_STRICT_IN_SCOPE, TUNING41_STRICT_SITUATIONAL, TUNING41_WRONG_MAX),
    ("tuning42_questions", 190, TUNING42_STRICT_IN_SCOPE, TUNING42_STRICT_SITUATIONAL, TUNING42_WRONG_MAX),
    ("tuning43_questions", 185, TUNING43_STRICT_IN_SCOPE, TUNING43_STRICT_SITUATIONAL, TUNING43_WRONG_MAX),
    ("tuning44_questions", 180, TUNING44_STRICT_IN_SCOPE, TUNING44_STRICT_SITUATIONAL, TUNING44_WRONG_MAX),
    ("tuning45_questions", 190, TUNING45_STRICT_IN_SCOPE, TUNING45_STRICT_SITUATIONAL, TUNING45_WRONG_MAX),
    ("tuning46_questions", 185, TUNING46_STRICT_IN_SCOPE, TUNING46_STRICT_SITUATIONAL, TUNING46_WRONG_MAX),
    ("tuning47_questions", 190, TUNING47_STRICT_IN_SCOPE, TUNING47_STRICT_SITUATIONAL, TUNING47_WRONG_MAX),
    ("tuning48_questions", 180, TUNING48_STRICT_IN_SCOPE, TUNING48_STRICT_SITUATIONAL, TUNING48_WRONG_MAX),
    ("tuning49_questions", 180, TUNING49_STRICT_IN_SCOPE, TUNING49_STRICT_SITUATIONAL, TUNING49_WRONG_MAX),
    ("tuning50_questions", 190, TUNING50_STRICT_IN_SCOPE, TUNING50_STRICT_SITUATIONAL, TUNING50_WRONG_MAX),
    ("tuning51_questions", 195, TUNING51_STRICT_IN_SCOPE, TUNING51_STRICT_SITUATIONAL, TUNING51_WRONG_MAX),
    ("tuning52_questions", 185, TUNING52_STRICT_IN_SCOPE, TUNING52_STRICT_SITUATIONAL, TUNING52_WRONG_MAX),
    ("tuning53_questions", 190, TUNING53_STRICT_IN_SCOPE, TUNING53_STRICT_SITUATIONAL, TUNING53_WRONG_MAX),
    ("tuning54_questions", 179, TUNING54_STRICT_IN_SCOPE, TUNING54_STRICT_SITUATIONAL, TUNING54_WRONG_MAX),
    ("tuning55_questions", 179, TUNING55_STRICT_IN_SCOPE, TUNING55_STRICT_SITUATIONAL, TUNING55_WRONG_MAX),
    ("tuning56_questions", 189, TUNING56_STRICT_IN_SCOPE, TUNING56_STRICT_SITUATIONAL, TUNING56_WRONG_MAX),
    ("tuning57_questions", 189, TUNING57_STRICT_IN_SCOPE, TUNING57_STRICT_SITUATIONAL, TUNING57_WRONG_MAX),
    ("tuning58_questions", 187, TUNING58_STRICT_IN_SCOPE, TUNING58_STRICT_SITUATIONAL, TUNING58_WRONG_MAX),
    ("tuning59_questions", 185, TUNING59_STRICT_IN_SCOPE, TUNING59_STRICT_SITUATIONAL, TUNING59_WRONG_MAX),
    ("tuning60_questions", 188, TUNING60_STRICT_IN_SCOPE, TUNING60_STRICT_SITUATIONAL, TUNING60_WRONG_MAX),
    ("tuning61_questions", 190, TUNING61_STRICT_IN_SCOPE, TUNING61_STRICT_SITUATIONAL, TUNING61_WRONG_MAX),
    ("tuning62_questions", 188, TUNING62_STRICT_IN_SCOPE, TUNING62_STRICT_SITUATIONAL, TUNING62_WRONG_MAX),
    ("tuning63_questions", 182, TUNING63_STRICT_IN_SCOPE, TUNING63_STRICT_SITUATIONAL, TUNING63_WRONG_MAX),
    ("tuning64_questions", 191, TUNING64_STRICT_IN_SCOPE, TUNING64_STRICT_SITUATIONAL, TUNING64_WRONG_MAX),
    ("tuning65_questions", 187, TUNING65_STRICT_IN_SCOPE, TUNING65_STRICT_SITUATIONAL, TUNING65_WRONG_MAX),
    ("tuning66_questions", 183, TUNING66_STRICT_IN_SCOPE, TUNING66_STRICT_SITUATIONAL, TUNING66_WRONG_MAX),
    ("tuning67_questions", 188, TUNING67_STRICT_IN_SCOPE, TUNING67_STRICT_SITUATIONAL, TUNING67_WRONG_MAX),
    ("tuning68_questions", 183, TUNING68_STRICT_IN_SCOPE, TUNING68_STRICT_SITUATIONAL, TUNING68_WRONG_MAX),
    ("tuning69_questions", 190, TUNING69_STRICT_IN_SCOPE, TUNING69_STRICT_SITUATIONAL, TUNING69_WRONG_MAX),
    ("tuning70_questions", 188, TUNING70_STRICT_IN_SCOPE, TUNING70_STRICT_SITUATIONAL, TUNING70_WRONG_MAX),
    ("tuning71_questions", 183, TUNING71_STRICT_IN_SCOPE, TUNING71_STRICT_SITUATIONAL, TUNING71_WRONG_MAX),
    ("tuning72_questions", 188, TUNING72_STRICT_IN_SCOPE, TUNING72_STRICT_SITUATIONAL, TUNING72_WRONG_MAX),
    ("tuning73_questions", 190, TUNING73_STRICT_IN_SCOPE, TUNING73_STRICT_SITUATIONAL, TUNING73_WRONG_MAX),
    ("tuning74_questions", 180, TUNING74_STRICT_IN_SCOPE, TUNING74_STRICT_SITUATIONAL, TUNING74_WRONG_MAX),
    ("tuning75_questions", 190, TUNING75_STRICT_IN_SCOPE, TUNING75_STRICT_SITUATIONAL, TUNING75_WRONG_MAX),
    ("tuning76_questions", 185, TUNING76_STRICT_IN_SCOPE, TUNING76_STRICT_SITUATIONAL, TUNING76_WRONG_MAX),
    ("tuning77_questions", 188, TUNING77_STRICT_IN_SCOPE, TUNING77_STRICT_SITUATIONAL, TUNING77_WRONG_MAX),
    ("tuning78_questions", 185, TUNING78_STRICT_IN_SCOPE, TUNING78_STRICT_SITUATIONAL, TUNING78_WRONG_MAX),
    ("tuning79_questions", 185, TUNING79_STRICT_IN_SCOPE, TUNING79_STRICT_SITUATIONAL, TUNING79_WRONG_MAX),
    ("tuning80_questions", 186, TUNING80_STRICT_IN_SCOPE, TUNING80_STRICT_SITUATIONAL, TUNING80_WRONG_MAX),
    ("tuning81_questions", 182, TUNING81_STRICT_IN_SCOPE, TUNING81_STRICT_SITUATIONAL, TUNING81_WRONG_MAX),
    ("tuning82_questions", 180, TUNING82_STRICT_IN_SCOPE, TUNING82_STRICT_SITUATIONAL, TUNING82_WRONG_MAX),
    ("tuning83_questions", 183, TUNING83_STRICT_IN_SCOPE, TUNING83_STRICT_SITUATIONAL, TUNING83_WRONG_MAX),
    ("tuning84_questions", 187, TUNING84_STRICT_IN_SCOPE, TUNING84_STRICT_SITUATIONAL, TUNING84_WRONG_MAX),
    ("tuning85_questions", 183, TUNING85_STRICT_IN_SCOPE, TUNING85_STRICT_SITUATIONAL, TUNING85_WRONG_MAX),
    ("tuning86_questions", 187, TUNING86_STRICT_IN_SCOPE, TUNING86_STRICT_SITUATIONAL, TUNING86_WRONG_MAX),
    ("tuning87_questions", 182, TUNING87_STRICT_IN_SCOPE, TUNING87_STRICT_SITUATIONAL, TUNING87_WRONG_MAX),
    ("tuning88_questions", 182, TUNING88_STRICT_IN_SCOPE, TUNING88_STRICT_SITUATIONAL, TUNING88_WRONG_MAX),
    ("tuning89_questions", 184, TUNING89_STRICT_IN_SCOPE, TUNING89_STRICT_SITUATIONAL, TUNING89_WRONG_MAX),
    ("tuning90_questions", 183, TUNING90_STRICT_IN_SCOPE, TUNING90_STRICT_SITUATIONAL, TUNING90_WRONG_MAX),
    ("tuning91_questions", 182, TUNING91_STRICT_IN_SCOPE, TUNING91_STRICT_SITUATIONAL, TUNING91_WRONG_MAX),
    ("tuning92_questions", 189, TUNING92_STRICT_IN_SCOPE, TUNING92_STRICT_SITUATIONAL, TUNING92_WRONG_MAX),
    ("tuning93_questions", 192, TUNING93_STRICT_IN_SCOPE, TUNING93_STRICT_SITUATIONAL, TUNING93_WRONG_MAX),
    ("tuning94_questions", 191, TUNING94_STRICT_IN_SCOPE, TUNING94_STRICT_SITUATIONAL, TUNING94_WRONG_MAX),
    ("tuning95_questions", 183, TUNING95_STRICT_IN_SCOPE, TUNING95_STRICT_SITUATIONAL, TUNING95_WRONG_MAX),
    ("tuning96_questions", 194, TUNING96_STRICT_IN_SCOPE, TUNING96_STRICT_SITUATIONAL, TUNING96_WRONG_MAX),
    ("tuning97_questions", 186, TUNING97_STRICT_IN_SCOPE, TUNING97_STRICT_SITUATIONAL, TUNING97_WRONG_MAX),
    ("tuning98_questions", 186, TUNING98_STRICT_IN_SCOPE, TUNING98_STRICT_SITUATIONAL, TUNING98_WRONG_MAX),
    ("tuning99_questions", 190, TUNING99_STRICT_IN_SCOPE, TUNING99_STRICT_SITUATIONAL, TUNING99_WRONG_MAX),
    ("tuning100_questions", 188, TUNING100_STRICT_IN_SCOPE, TUNING100_STRICT_SITUATIONAL, TUNING100_WRONG_MAX),
    ("tuning101_questions", 183, TUNING101_STRICT_IN_SCOPE, TUNING101_STRICT_SITUATIONAL, TUNING101_WRONG_MAX),
    ("tuning102_questions", 189, TUNING102_STRICT_IN_SCOPE, TUNING102_STRICT_SITUATIONAL, TUNING102_WRONG_MAX),
    ("tuning103_questions", 187, TUNING103_STRICT_IN_SCOPE, TUNING103_STRICT_SITUATIONAL, TUNING103_WRONG_MAX),
    ("tuning104_questions", 185, TUNING104_STRICT_IN_SCOPE, TUNING104_STRICT_SITUATIONAL, TUNING104_WRONG_MAX),
    ("tuning105_questions", 194, TUNING105_STRICT_IN_SCOPE, TUNING105_STRICT_SITUATIONAL, TUNING105_WRONG_MAX),
    ("tuning106_questions", 188, TUNING106_STRICT_IN_SCOPE, TUNING106_STRICT_SITUATIONAL, TUNING106_WRONG_MAX),
    ("tuning107_questions", 188, TUNING107_STRICT_IN_SCOPE, TUNING107_STRICT_SITUATIONAL, TUNING107_WRONG_MAX),
    ("tuning108_questions", 187, TUNING108_STRICT_IN_SCOPE, TUNING108_STRICT_SITUATIONAL, TUNING108_WRONG_MAX),
    ("tuning109_questions", 191, TUNING109_STRICT_IN_SCOPE, TUNING109_STRICT_SITUATIONAL, TUNING109_WRONG_MAX),
    ("tuning110_questions", 181, TUNING110_STRICT_IN_SCOPE, TUNING110_STRICT_SITUATIONAL, TUNING110_WRONG_MAX),
    ("tuning111_questions", 186, TUNING111_STRICT_IN_SCOPE, TUNING111_STRICT_SITUATIONAL, TUNING111_WRONG_MAX),
    ("tuning112_questions", 191, TUNING112_STRICT_IN_SCOPE, TUNING112_STRICT_SITUATIONAL, TUNING112_WRONG_MAX),
    ("tuning113_questions", 189, TUNING113_STRICT_IN_SCOPE, TUNING113_STRICT_SITUATIONAL, TUNING113_WRONG_MAX),
    ("tuning114_questions", 189, TUNING114_STRICT_IN_SCOPE, TUNING114_STRICT_SITUATIONAL, TUNING114_WRONG_MAX),
    ("tuning115_questions", 190, TUNING115_STRICT_IN_SCOPE, TUNING115_STRICT_SITUATIONAL, TUNING115_WRONG_MAX),
    ("tuning116_questions", 183, TUNING116_STRICT_IN_SCOPE, TUNING116_STRICT_SITUATIONAL, TUNING116_WRONG_MAX),
    ("tuning117_questions", 191, TUNING117_STRICT_IN_SCOPE, TUNING117_STRICT_SITUATIONAL, TUNING117_WRONG_MAX),
    ("tuning118_questions", 189, TUNING118_STRICT_IN_SCOPE, TUNING118_STRICT_SITUATIONAL, TUNING118_WRONG_MAX),
    ("tuning119_questions", 190, TUNING119_STRICT_IN_SCOPE, TUNING119_STRICT_SITUATIONAL, TUNING119_WRONG_MAX),
    ("tuning120_questions", 191, TUNING120_STRICT_IN_SCOPE, TUNING120_STRICT_SITUATIONAL, TUNING120_WRONG_MAX),
    ("tuning121_questions", 184, TUNING121_STRICT_IN_SCOPE, TUNING121_STRICT_SITUATIONAL, TUNING121_WRONG_MAX),
    ("tuning122_questions", 190, TUNING122_STRICT_IN_SCOPE, TUNING122_STRICT_SITUATIONAL, TUNING122_WRONG_MAX),
    ("tuning123_questions", 190, TUNING123_STRICT_IN_SCOPE, TUNING123_STRICT_SITUATIONAL, TUNING123_WRONG_MAX),
    ("tuning124_questions", 192, TUNING124_STRICT_IN_SCOPE, TUNING124_STRICT_SITUATIONAL, TUNING124_WRONG_MAX),
    ("tuning125_questions", 190, TUNING125_STRICT_IN_SCOPE, TUNING125_STRICT_SITUATIONAL, TUNING125_WRONG_MAX),
    ("tuning126_questions", 195, TUNING126_STRICT_IN_SCOPE, TUNING126_STRICT_SITUATIONAL, TUNING126_WRONG_MAX),
    ("tuning127_questions", 189, TUNING127_STRICT_IN_SCOPE, TUNING127_STRICT_SITUATIONAL, TUNING127_WRONG_MAX),
    ("tuning128_questions", 190, TUNING128_STRICT_IN_SCOPE, TUNING128_STRICT_SITUATIONAL, TUNING128_WRONG_MAX),
]
OWN_FLOORS = tuple(name for name, *_ in FLOORS)


@pytest.mark.parametrize("name, minimum, in_scope, situational, wrong_max", FLOORS)
def test_tuning_sets_written_from_the_seeds_keep_their_floors(
    outcomes, name, minimum, in_scope, situational, wrong_max
):
    questions = [o for o in outcomes if o.file == name]
    assert len(questions) >= minimum

    def why(group: list, title: str) -> str:
        if name in COUNTS_ONLY:
            return f"{name}, {title}: {sum(o.passed for o in group)}/{len(group)}"
        return report(group, f"{name}, {title}")

    scope = [o for o in questions if o.in_scope]
    assert rate(scope) >= in_scope, why(scope, "inom området")
    described = [o for o in questions if o.category == "situational"]
    assert rate(described) >= situational, why(described, "situationer")
    wrong = [f"{o.question!r} → {o.got}" for o in questions if o.wrong]
    assert len(wrong) <= wrong_max, len(wrong) if name in COUNTS_ONLY else wrong


def test_confidently_wrong_answers_are_rare(outcomes):
    tuning = [o for o in outcomes if not o.file.startswith("heldout") and o.file not in OWN_FLOORS + NO_FLOORS_YET]
    wrong = [f"{o.question!r} → {o.got} (väntat {'|'.join(o.expect)})" for o in tuning if o.wrong]
    assert len(wrong) <= len(tuning) * 0.015, wrong


def test_a_wrong_entry_is_never_given_as_a_confident_answer_for_digest_questions(outcomes):
    wrong = [o for o in outcomes if o.origin.startswith("digest") and o.wrong]
    assert wrong == []


def test_off_topic_questions_are_never_answered_and_mostly_refused(outcomes):
    off = [o for o in outcomes if o.category == "offtopic" and not o.file.startswith("heldout")]
    assert len(off) >= 15

    def shown(o) -> str:  # a validation set's question is not shown
        return o.file if o.file in COUNTS_ONLY else o.question

    assert [shown(o) for o in off if o.kind == "answer"] == []
    refused = [o for o in off if o.kind == "offtopic"]
    # 0.9 until session 5; 166 of 168 (98.8 %) with lotsen/domain.py
    assert len(refused) >= 0.95 * len(off), [shown(o) for o in off if o.kind != "offtopic"]


# tuning_offtopic2 (h9off): off-topic questions that share words with the domain, and in-domain
# questions that look off-topic. Floors at what has been reached.
TUNING_OFFTOPIC2_REFUSED = 0.95
TUNING_OFFTOPIC2_SHORT = 0.85  # 19/21 now (0.66 until session 7)


def test_off_topic_look_alikes_are_refused_and_in_domain_look_alikes_still_answered(outcomes):
    """tuning_offtopic2: "vad tjänar en arbetsförmedlare" is refused, "vad tjänar samhället på
    förbundets insatser" is answered (lotsen/domain.py, offtopic in lotsen/data/conversation.yaml)."""
    tuning = [o for o in outcomes if o.file == "tuning_offtopic2_questions"]
    off = [o for o in tuning if o.category == "offtopic"]
    assert len(off) >= 60
    assert [o.question for o in off if o.kind == "answer"] == []
    refused = [o for o in off if o.kind == "offtopic"]
    assert len(refused) >= TUNING_OFFTOPIC2_REFUSED * len(off), [o.question for o in off if o.kind != "offtopic"]
    short = [o for o in tuning if o.category == "short"]
    assert len(short) >= 20
    assert [o.question for o in short if o.kind == "offtopic"] == []  # never refused
    assert rate(short) >= TUNING_OFFTOPIC2_SHORT, report(short, "Inom området men ser ut att ligga utanför")


OFF_TOPIC = [
    "vad tycker du om fotboll",
    "hur blir vädret i morgon",
    "hur bakar man surdegsbröd",
    "vad är klockan",
    "kan du boka min semester",
    "vad blir det för lunch idag",
    "skriv en dikt om hösten",
    "vem vann melodifestivalen",
]


def test_off_topic_questions_never_get_a_confident_answer():
    matcher = Matcher(load_knowledge_base(ROOT / "knowledge"))
    answered = [(q, matcher.match(q).best.entry_id) for q in OFF_TOPIC if matcher.match(q).level == "answer"]
    assert answered == []


def test_small_talk_gets_a_polite_reply(outcomes):
    talk = [o for o in outcomes if o.category == "smalltalk" and not o.file.startswith("heldout")]
    assert talk and [o.question for o in talk if not o.passed] == []


def test_held_out_questions(outcomes):
    """Written from titles and answers only and never used to tune phrasings or the matcher."""
    held_out = [o for o in outcomes if o.origin == "heldout"]
    assert len(held_out) >= 80
    failed = report(held_out, "Hållna utanför")
    assert rate(held_out) >= 0.93, failed  # 0.89 until session 6; 77/80 now
    unanswerable = [o for o in held_out if o.expect == ("none",)]
    assert len(unanswerable) >= 10 and all(o.kind != "answer" for o in unanswerable)


def test_held_out_set_2_is_sane(outcomes):
    """The frozen held-out set 2 (issue 9), never used for tuning: only sanity bounds (see
    HELDOUT2_*), and a failure names no question, so that the test cannot guide tuning."""
    held = [o for o in outcomes if o.file == "heldout2_questions"]
    assert len(held) >= 150
    scope = [o for o in held if o.in_scope]
    situational = [o for o in held if o.category == "situational"]
    off = [o for o in held if o.category == "offtopic"]
    sane = {
        "strict in scope": rate(scope) >= HELDOUT2_STRICT_IN_SCOPE,
        "strict situational": rate(situational) >= HELDOUT2_STRICT_SITUATIONAL,
        "confidently wrong": sum(o.wrong for o in held) <= HELDOUT2_WRONG_MAX_SHARE * len(held),
        "off-topic never answered": not any(o.kind == "answer" for o in off),
        "off-topic refused": sum(o.kind == "offtopic" for o in off) >= HELDOUT2_REFUSED * len(off),
    }
    assert all(sane.values()), [name for name, ok in sane.items() if not ok]


# Cross-validation over the knowledge base's own phrasings (scripts.crossval): phrasings the
# matcher has not seen, some 2,700 short ones. Floors below what was reached in session 8
# (72.1 % strict, 7.2 % confidently wrong; 70.3 % and 10.3 % at its start).
CROSSVAL_SHORT_STRICT = 0.70
CROSSVAL_SHORT_WRONG_MAX_SHARE = 0.08


def test_phrasings_the_matcher_has_not_seen_are_answered_and_seldom_wrongly():
    from scripts.crossval import folds

    short = [o for o in folds(ROOT / "knowledge", 10) if o.category == "short"]
    assert len(short) >= 2500
    assert rate(short) >= CROSSVAL_SHORT_STRICT
    assert sum(o.wrong for o in short) <= CROSSVAL_SHORT_WRONG_MAX_SHARE * len(short)
