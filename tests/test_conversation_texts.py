"""Small talk and off-topic words (lotsen/data/conversation.yaml) as question answering reads them."""

from lotsen.features.qa import outside_words, smalltalk_reply


def test_short_messages_of_small_talk_words_get_the_reply_of_their_strongest_word():
    thanks, ack = smalltalk_reply("tack"), smalltalk_reply("ok")
    assert thanks and ack and thanks != ack
    assert smalltalk_reply("toppen, tack!") == thanks  # thanks win over an acknowledgement
    assert smalltalk_reply("okej då") == ack
    assert smalltalk_reply("👍") == ack
    assert smalltalk_reply("tack så hemskt mycket för svaret") == thanks


def test_a_message_with_a_question_in_it_is_not_small_talk():
    assert smalltalk_reply("tack, men vem kallar till SIP?") == ""
    assert smalltalk_reply("för det") == ""  # fillers alone are nothing
    assert smalltalk_reply("?") == ""


def test_off_topic_words_match_compounds_and_keep_the_diacritics_of_short_words():
    assert outside_words("vad kostar ett busskort") == ["busskort"]
    assert outside_words("lösenordet har gått ut") == ["losenordet"]
    assert outside_words("när går tåget?") == ["taget"]
    # "ett tag" is not "ett tåg"; "passar" is not "pass"
    assert outside_words("skickade in en avvikelse för ett tag sen") == []
    assert outside_words("passar klienten för SE-Höglandet?") == []
