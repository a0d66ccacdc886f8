"""Shortened words of everyday speech spelled out by the indexed words (女工 → 女职工)."""

from hypothesis import given
from hypothesis import strategies as st

from kb.quoting import best_sentences
from kb.tokenize import spelled_out

VOCABULARY = {"女职工": 5.0, "保安人员": 4.0, "交通警": 6.0, "职工": 2.0, "七十八": 7.0}


def test_an_unknown_word_is_spelled_out_by_a_word_one_character_longer():
    assert spelled_out(["女工"], VOCABULARY) == ["女职工"]
    assert spelled_out(["保安员"], VOCABULARY) == ["保安人员"]
    assert spelled_out(["保员"], VOCABULARY) == []  # 保安人员 is two characters longer
    assert spelled_out(["交警", "下井"], VOCABULARY) == ["交通警"]


def test_known_words_numbers_and_single_characters_are_left_alone():
    assert spelled_out(["职工", "七八", "女", "_女工", "abc"], VOCABULARY) == []


def test_words_must_share_the_first_and_last_characters_in_order():
    # 女工作 holds 女, 工 in order but does not end in 工; 工女职 holds both out of order.
    vocabulary = {**VOCABULARY, "女工作": 1.0, "工女职": 1.0, "女装工": 1.0}
    assert sorted(spelled_out(["女工"], vocabulary)) == ["女职工", "女装工"]


@given(st.lists(st.text(alphabet="女职工保安人员交通警七八十", min_size=1, max_size=5),
                max_size=6),
       st.lists(st.text(alphabet="女职工保安人员交通警七八十", min_size=2, max_size=6),
                max_size=6))
def test_spelled_out_words_are_longer_indexed_words_holding_an_unknown_one(tokens, words):
    vocabulary = dict.fromkeys(words, 1.0)
    for longer in spelled_out(tokens, vocabulary):
        assert longer in vocabulary
        assert any(t not in vocabulary and len(longer) == len(t) + 1 and longer[0] == t[0]
                   and longer[-1] == t[-1] for t in tokens)


def test_asked_in_the_everyday_word_the_sentence_with_the_statutory_one_is_quoted():
    text = ("第二十九条 矿山企业不得录用未成年人从事矿山井下劳动。\n"
            "矿山企业对女职工按照国家规定实行特殊劳动保护，不得分配女职工从事矿山井下劳动。")
    idf = {"女职工": 6.0, "矿山": 2.0, "井下": 3.0, "劳动": 1.0, "企业": 1.0}
    assert "不得分配女职工" in best_sentences("矿上能不能安排女工下井干活？", text, idf)
    assert "不得分配女职工" not in best_sentences("矿上能不能安排女工下井干活？", text)
