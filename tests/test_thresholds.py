"""A number the question states against a passage's thresholds (kb.thresholds), and the quote."""

from hits import passage
from hypothesis import given
from hypothesis import strategies as st

from kb.quoting import answer_test, best_quote
from kb.retrieve import MISFIT_PENALTY, demote_misfits
from kb.thresholds import question_amounts, threshold_fit, thresholds


def test_a_question_states_its_case_with_a_number():
    assert question_amounts("工厂出了事故死了一个人，会被判多重？") == [(1, "人", "死")]
    assert question_amounts("预计两万人来看的演唱会要向谁申请？") == [(20000, "人", "")]
    assert question_amounts("我们厂有120名工人") == [(120, "人", "")]
    assert question_amounts("损失了五百万元算什么事故") == [(5_000_000, "元", "")]
    # A range the question asks about is not its own case.
    assert question_amounts("预计参加人数在5000人以上的活动由谁许可？") == []
    assert question_amounts("安全生产许可证的有效期是几年") == []
    assert question_amounts("工地出了事故死了一个工人") == [(1, "人", "死")]


def test_thresholds_of_people_and_money():
    pair, = thresholds("预计参加人数在1000人以上5000人以下的")
    assert pair.admits(1000) and pair.admits(4999) and not pair.admits(5000)
    over, below = thresholds("从业人员超过一百人的，应当设置安全生产管理机构；从业人员在一百人以下的，"
                             "应当配备专职或者兼职的安全生产管理人员。")
    assert over.admits(101) and not over.admits(100)
    assert below.admits(99) and not below.admits(120)
    at_most, = thresholds("不超过一百人的")
    assert at_most.admits(100) and not at_most.admits(101)
    at_least, = thresholds("不少于一百人")
    assert at_least.admits(100) and not at_least.admits(99)
    money, = thresholds("造成直接经济损失五百万元以上")
    assert money.unit == "元" and money.admits(5_000_000)
    assert thresholds("第三十一条 处三年以下有期徒刑") == []  # years are not people or money


@given(st.integers(1, 9000), st.integers(1, 9000))
def test_a_pair_takes_in_its_low_end_and_leaves_out_its_high_end(low, span):
    pair, = thresholds(f"{low}人以上{low + span}人以下")
    assert pair.admits(low) and not pair.admits(low + span) and not pair.admits(low - 1)


def test_deaths_are_not_injuries():
    question = "一起事故死了3个人，按规定算哪一级事故？"
    grade = "（三）较大事故，是指造成3人以上10人以下死亡，或者10人以上50人以下重伤的事故；"
    assert threshold_fit(question, grade) == 1
    assert threshold_fit(question, "（四）一般事故，是指造成3人以下死亡，或者10人以下重伤的事故。") == -1
    assert threshold_fit(question, "接到死亡事故或者一次重伤3人以上的事故报告后") == 0
    assert threshold_fit("安全生产许可证的有效期是几年", grade) == 0


def test_the_clause_whose_threshold_takes_in_the_number_is_quoted():
    three = passage(1, "第七条 实施刑法第一百三十四条规定的行为，因而发生安全事故，具有下列情形之一"
                       "的，对相关责任人员，处三年以上七年以下有期徒刑：\n（一）造成死亡三人以上或者"
                       "重伤十人以上，负事故主要责任的；", 1.0)
    one = passage(2, "第六条 实施刑法第一百三十四条规定的行为，因而发生安全事故，具有下列情形之一的，"
                     "应当认定为“发生重大伤亡事故”，对相关责任人员，处三年以下有期徒刑或者拘役：\n"
                     "（一）造成死亡一人以上，或者重伤三人以上的；", 0.9)
    i, quote = best_quote("工厂出了安全事故死了一个人，相关责任人一般会被判多重？", [three, one], None)
    assert i == 1 and "三年以下有期徒刑或者拘役" in quote


SEVEN = ("第七条 …具有下列情形之一的，对相关责任人员，处三年以上七年以下有期徒刑：\n"
         "（一）造成死亡三人以上或者重伤十人以上，负事故主要责任的；")
SIX = ("第六条 …具有下列情形之一的，对相关责任人员，处三年以下有期徒刑或者拘役：\n"
       "（一）造成死亡一人以上，或者重伤三人以上的；")


def test_a_hit_whose_thresholds_leave_out_the_number_asked_about_is_lowered():
    seven, six = passage(1, SEVEN, 5.4), passage(2, SIX, 4.5)
    moved = demote_misfits([seven, six], "生产事故死了一个人，负有责任的人会被判几年？")
    assert [h.chunk_id for h in moved] == [2, 1] and moved[1].score == 5.4 - MISFIT_PENALTY
    # A hit that fits is not raised (a chunk may fit by a rule it does not answer with), and a
    # question stating no number leaves the order as it is.
    assert demote_misfits([seven, six], "死了五个人会被判几年？") == [seven, six]
    assert demote_misfits([seven, six], "会被判几年？") == [seven, six]
    # The named document's hits stay first.
    named = passage(3, SEVEN, 1.0, title="最高法解释")
    assert demote_misfits([named, six], "死了一个人会被判几年？", {"最高法解释"})[0].chunk_id == 3


def test_asked_a_prison_term_a_passage_must_sentence_one():
    states = answer_test("工地出了事故死了一个工人，现场负责人会判几年？")
    assert states(SIX)
    assert not states("受刑事处罚的，自刑罚执行完毕之日起，5年内不得担任主要负责人。")
