"""Headless tests of the training pages (AppTest) against a real SQLite file per test."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from apptesting import click, login, proto_strings
from streamlit.testing.v1 import AppTest

import quizzes
from app_pages.common import escape_markdown
from app_pages.training import clock, retry_message
from quizzes import Answer, FeedbackMode, Question, QuestionType, QuizSettings, Trainer

REPO_ROOT = Path(__file__).resolve().parents[1]
PAGES = REPO_ROOT / "app_pages"
TRAINER_PAGES = ("train_bank.py", "train_quizzes.py", "train_live.py", "train_stats.py")
TRAINER_NAME, PASSWORD = "王老师", "correct-horse-9"
SECRET_STEM = "只有培训师才能看到的题干"
QUIZ_TITLE = "消防安全月考"
FILL_KEY = "应急预案演练"  # the key of the fill-in question: must not leak early
EXPLANATION = "解析标记：每年至少组织一次"
OTHER_TRAINEE = "李四不该被看到"
GOOD_CSV = (
    "题型,题干,选项A,选项B,选项C,答案,解析,分类\n"
    "单选,导入的单选题干,甲,乙,丙,B,导入解析,导入分类\n"
    "判断,导入的判断题干,,,,对,,导入分类\n"
).encode()
BAD_CSV = (
    "题型,题干,选项A,选项B,答案\n"
    "单选,缺答案的题,甲,乙,\n"
    "单选,答案越界的题,甲,乙,D\n"
).encode()


@dataclass(frozen=True)
class Seed:
    """What the seeded database holds."""

    trainer: Trainer
    single_id: int  # key B, options 110/119/120
    truefalse_id: int  # key 正确
    fill_id: int  # key FILL_KEY
    draft_id: int
    quiz_id: int  # single + true/false, after-submit feedback


@pytest.fixture
def seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seed:
    """A fresh database (``$SAFETY_QUIZ_DB``) with a trainer, questions and a quiz."""
    monkeypatch.setenv("SAFETY_QUIZ_DB", str(tmp_path / "quizzes.db"))
    with quizzes.connect() as db:
        trainer = quizzes.add_trainer(db, TRAINER_NAME, PASSWORD)
        made = [
            Question(QuestionType.SINGLE, f"{SECRET_STEM}：火警电话是", key="B",
                     options=("110", "119", "120"), explanation=EXPLANATION, category="消防"),
            Question(QuestionType.TRUE_FALSE, "特种作业人员必须持证上岗", key="对",
                     explanation="持证上岗是法定要求", category="消防"),
            Question(QuestionType.FILL, "企业每年至少组织一次什么活动？", key=FILL_KEY,
                     explanation=EXPLANATION),
        ]
        ids = [quizzes.add_question(db, replace(q, status="approved")).id for q in made]
        draft = quizzes.add_question(db, Question(
            QuestionType.SINGLE, "生成的草稿题", key="A", options=("对的", "错的"),
            source_doc="中华人民共和国安全生产法", source_section="第二章"))
        quiz = quizzes.create_quiz(db, QUIZ_TITLE, question_ids=ids[:2])
    return Seed(trainer, ids[0], ids[1], ids[2], draft.id, quiz.id)


def run_page(name: str, *, trainer: Trainer | None = None, query: dict[str, str] | None = None,
             state: dict[str, object] | None = None) -> AppTest:
    """Run one page script, optionally logged in, with query parameters or session state."""
    at = AppTest.from_file(str(PAGES / name), default_timeout=30)
    if trainer is not None:
        at.session_state["train_trainer"] = trainer
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def unescape(markdown: str) -> str:
    """Undo escape_markdown (backslash before ASCII punctuation)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def page_text(at: AppTest) -> str:
    """Everything the page sends to the browser as text (elements, labels, table cells)."""
    parts = []
    for root in (at.main, at.sidebar):
        for node in root:
            if getattr(node, "proto", None) is not None:
                parts.extend(proto_strings(node.proto))
    parts += [df.value.to_csv() for df in at.dataframe]
    return unescape("\n".join(parts))


# ----- pure helpers -----------------------------------------------------------------------


def test_clock_and_retry_message() -> None:
    assert clock(0) == "00:00" and clock(-3) == "00:00"
    assert clock(61.2) == "01:02" and clock(3600) == "1:00:00"
    assert retry_message(0.2) == "尝试次数过多，请 1 秒后再试。"
    assert "4 秒" in retry_message(3.5)


# ----- trainer login --------------------------------------------------------------------


@pytest.mark.parametrize("page", TRAINER_PAGES)
def test_trainer_pages_refuse_without_login(seed: Seed, page: str) -> None:
    with quizzes.connect() as db:
        code = quizzes.open_live_session(db, seed.quiz_id).join_code
    at = run_page(page, state={"live_host_session": 1})  # even a stale session id shows nothing
    assert [t.label for t in at.text_input] == ["培训师名称", "密码"]
    assert not at.dataframe and not at.tabs and not at.selectbox and not at.sidebar.button
    text = page_text(at)
    assert "请先登录" in text
    for secret in (SECRET_STEM, QUIZ_TITLE, code, "生成的草稿题"):
        assert secret not in text


def test_login_wrong_password_fails_right_password_works(seed: Seed) -> None:
    at = run_page("train_bank.py")
    login(at, TRAINER_NAME, "wrong-password")
    assert "培训师名称或密码错误" in page_text(at)
    assert "train_trainer" not in at.session_state
    assert SECRET_STEM not in page_text(at)
    login(at, TRAINER_NAME, PASSWORD)
    assert at.session_state["train_trainer"] == seed.trainer
    assert not at.text_input(key="bank_f_search").value  # the bank's filters, not the login
    assert SECRET_STEM in page_text(at)
    assert TRAINER_NAME in page_text(at)
    at.sidebar.button(key="train_logout").click().run()
    assert "train_trainer" not in at.session_state
    assert SECRET_STEM not in page_text(at) and "请先登录" in page_text(at)


def test_repeated_wrong_passwords_show_the_retry_delay(seed: Seed) -> None:
    at = run_page("train_stats.py")
    for _ in range(quizzes.auth.FREE_FAILURES):
        login(at, TRAINER_NAME, "wrong-password")
    assert "秒后再试" in page_text(at)
    login(at, TRAINER_NAME, PASSWORD)  # locked: even the right password is refused for now
    assert "train_trainer" not in at.session_state and "秒后再试" in page_text(at)


# ----- 题库 -------------------------------------------------------------------------------


def test_questions_imported_via_the_library_appear_in_the_bank(seed: Seed,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "题目.csv"
    path.write_bytes(GOOD_CSV)
    with quizzes.connect() as db:
        assert quizzes.import_file(db, path).ok
    at = run_page("train_bank.py", trainer=seed.trainer)
    table = at.dataframe[0].value
    assert {"导入的单选题干", "导入的判断题干"} <= set(table["题干"])
    at.selectbox(key="bank_f_category").set_value("导入分类").run()
    assert set(at.dataframe[0].value["题干"]) == {"导入的单选题干", "导入的判断题干"}
    at.text_input(key="bank_f_search").input("判断").run()
    assert list(at.dataframe[0].value["题干"]) == ["导入的判断题干"]


def test_upload_lists_every_problem_and_imports_nothing(seed: Seed) -> None:
    at = run_page("train_bank.py", trainer=seed.trainer)
    at.file_uploader[0].set_value([("坏题目.csv", BAD_CSV, "text/csv")]).run()
    click(at, "导入")
    assert "坏题目.csv：发现 2 个问题，未导入任何题目" in page_text(at)
    problems = at.dataframe[-1].value
    assert list(problems["行"]) == [2, 3] and set(problems["列"]) == {"答案"}
    with quizzes.connect() as db:
        assert len(quizzes.list_questions(db)) == 4  # the seeded ones only
    at.file_uploader[0].set_value([("好题目.csv", GOOD_CSV, "text/csv")]).run()
    click(at, "导入")
    assert "好题目.csv：已导入 2 道题" in page_text(at)
    assert "导入的单选题干" in set(at.dataframe[0].value["题干"])


def test_draft_is_edited_and_approved(seed: Seed) -> None:
    at = run_page("train_bank.py", trainer=seed.trainer)
    prefix = f"draft_{seed.draft_id}"
    assert "中华人民共和国安全生产法 › 第二章" in page_text(at)
    at.text_area(key=f"{prefix}_stem").input("审核后的题干")
    at.text_input(key=f"{prefix}_key").input("C")  # points at no option: refused
    click(at, "保存并审核通过")
    assert "答案 C 指向空的选项" in page_text(at)
    at.text_input(key=f"{prefix}_key").input("B")
    click(at, "保存并审核通过")
    assert f"题目 {seed.draft_id}：已审核通过" in page_text(at)
    with quizzes.connect() as db:
        stored = quizzes.get_question(db, seed.draft_id)
    assert (stored.stem, stored.key, stored.status) == ("审核后的题干", ("B",), "approved")
    assert "没有待审核的草稿" in page_text(at)


def test_add_question_by_hand(seed: Seed) -> None:
    at = run_page("train_bank.py", trainer=seed.trainer)
    at.selectbox(key="bank_new_0_type").set_value(QuestionType.MULTIPLE)
    at.text_area(key="bank_new_0_stem").input("手工添加的多选题")
    at.text_area(key="bank_new_0_options").input("隔离\n窒息\n冷却")
    at.text_input(key="bank_new_0_key").input("A,C")
    click(at, "添加到题库")
    assert "已添加题目" in page_text(at)
    with quizzes.connect() as db:
        [added] = quizzes.list_questions(db, search="手工添加")
    assert (added.key, added.options, added.status) == (("A", "C"), ("隔离", "窒息", "冷却"),
                                                        "approved")


# ----- 测验管理 ---------------------------------------------------------------------------


def test_create_fixed_and_random_quizzes(seed: Seed) -> None:
    at = run_page("train_quizzes.py", trainer=seed.trainer)
    assert QUIZ_TITLE in set(at.dataframe[0].value["标题"])
    at.text_input(key="quiz_new_0_title").input("固定卷")
    at.multiselect(key="quiz_new_0_fixed").set_value([seed.truefalse_id, seed.single_id])
    at.number_input(key="quiz_new_0_minutes").set_value(10)
    at.checkbox(key="quiz_new_0_shuffle_o").check()
    at.radio(key="quiz_new_0_feedback").set_value(FeedbackMode.IMMEDIATE)
    click(at, "创建测验")
    assert "已创建测验" in page_text(at) and "固定卷" in set(at.dataframe[0].value["标题"])
    at.text_input(key="quiz_new_1_title").input("随机卷")
    at.radio(key="quiz_new_1_mode").set_value("随机抽题").run()
    at.number_input(key="quiz_new_1_count").set_value(5)
    click(at, "创建测验")
    assert "符合条件的已审核题目只有 3 道" in page_text(at)  # refused, with the reason
    at.number_input(key="quiz_new_1_count").set_value(2)
    at.multiselect(key="quiz_new_1_categories").set_value(["消防"])
    click(at, "创建测验")
    with quizzes.connect() as db:
        made = {q.title: q for q in quizzes.list_quizzes(db)}
    fixed, drawn = made["固定卷"], made["随机卷"]
    assert fixed.question_ids == (seed.truefalse_id, seed.single_id)
    assert fixed.settings.time_limit_s == 600 and fixed.settings.shuffle_options
    assert fixed.settings.feedback == FeedbackMode.IMMEDIATE
    assert drawn.is_random and drawn.draw[0].count == 2 and drawn.draw[0].categories == ("消防",)


# ----- 自助测验 ---------------------------------------------------------------------------


def take(at: AppTest) -> AppTest:
    """Answer the seeded quiz: the single choice right (B), the true/false wrong."""
    click(at, "开始作答")
    text = page_text(at)
    assert SECRET_STEM in text and EXPLANATION not in text and "正确答案" not in text
    at.radio[0].set_value(1).run()  # B. 119
    at.radio[1].set_value("错误").run()
    assert "已作答 2 / 2 题" in page_text(at)
    return at


def test_trainee_takes_a_quiz_and_sees_only_their_own_score(seed: Seed) -> None:
    with quizzes.connect() as db:
        other = quizzes.identify_trainee(db, OTHER_TRAINEE, "E999")
        attempt = quizzes.start_attempt(db, seed.quiz_id, other)
        quizzes.submit_attempt(db, attempt.id, [Answer(seed.single_id, "A")])
    at = run_page("train_self.py")
    at.text_input(key="self_name").input("张三")
    at.text_input(key="self_number").input("e001")
    click(at, "开始")
    take(at)
    click(at, "交卷")
    score = {m.label: m.value for m in at.metric}
    assert score["得分"] == "1 / 2" and score["答对"] == "1 / 2" and score["结果"] == "不及格"
    text = page_text(at)
    assert EXPLANATION in text and "正确答案：正确" in text  # review after submitting
    assert OTHER_TRAINEE not in text
    click(at, "返回测验列表")
    history = at.dataframe[0].value
    assert list(history["测验"]) == [QUIZ_TITLE] and list(history["得分"]) == ["1 / 2"]
    assert OTHER_TRAINEE not in page_text(at)
    click(at, "开始作答")  # one attempt allowed
    assert "已达到允许的作答次数" in page_text(at)


def test_immediate_feedback_shows_the_key_only_after_answering(seed: Seed) -> None:
    with quizzes.connect() as db:
        settings = QuizSettings(feedback=FeedbackMode.IMMEDIATE, time_limit_s=600)
        quiz = quizzes.create_quiz(db, "即时反馈卷", question_ids=[seed.single_id],
                                   settings=settings)
        trainee = quizzes.identify_trainee(db, "张三", "E001")
    at = run_page("train_self.py", state={"self_trainee": trainee})
    at.selectbox(key="self_quiz").set_value(quiz.id).run()
    click(at, "开始作答")
    assert "剩余时间 10:00" in page_text(at) or "剩余时间 09:5" in page_text(at)
    assert EXPLANATION not in page_text(at)
    at.radio[0].set_value(0).run()  # A: wrong, not yet confirmed
    assert EXPLANATION not in page_text(at)
    click(at, "确认答案")
    text = page_text(at)
    assert "回答错误。正确答案：B" in text and EXPLANATION in text
    assert at.radio[0].disabled


def test_an_expired_attempt_is_handed_in(seed: Seed) -> None:
    with quizzes.connect() as db:
        quiz = quizzes.create_quiz(db, "限时卷", question_ids=[seed.single_id],
                                   settings=QuizSettings(time_limit_s=60))
        trainee = quizzes.identify_trainee(db, "张三", "E001")
        attempt = quizzes.start_attempt(db, quiz.id, trainee, now=1_000_000.0)
    at = run_page("train_self.py", state={"self_trainee": trainee, "self_attempt": attempt.id})
    assert {m.label: m.value for m in at.metric}["得分"] == "0 / 1"


# ----- 现场答题 / 加入答题 ---------------------------------------------------------------


@pytest.fixture
def live_quiz(seed: Seed) -> int:
    """A quiz for live sessions: the fill-in question first, then the single choice."""
    with quizzes.connect() as db:
        return quizzes.create_quiz(db, "现场竞赛", question_ids=[seed.fill_id,
                                                                 seed.single_id]).id


def spy(monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...]) -> list[str]:
    """Record calls of the quizzes functions that return keys."""
    calls: list[str] = []
    for name in names:
        real: Callable = getattr(quizzes, name)

        def wrapper(*args: object, _real: Callable = real, _name: str = name,
                    **kwargs: object) -> object:
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(quizzes, name, wrapper)
    return calls


def test_participant_sees_no_key_before_answering(seed: Seed, live_quiz: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with quizzes.connect() as db:
        session = quizzes.open_live_session(db, live_quiz)
    calls = spy(monkeypatch, ("live_feedback", "live_reveal", "get_question", "attempt_review"))
    at = run_page("train_join.py", query={"code": session.join_code})
    assert at.text_input(key="live_join_code").value == session.join_code
    at.text_input(key="live_join_nickname").input("小王")
    click(at, "加入")
    assert "等待培训师开始" in page_text(at)
    with quizzes.connect() as db:
        quizzes.next_live_question(db, session.id)
    at.run()
    text = page_text(at)
    assert "企业每年至少组织一次什么活动" in text
    assert FILL_KEY not in text and EXPLANATION not in text and not calls
    at.text_input(key=f"live_q{session.id}_0").input("应急预案 演练")
    click(at, "提交答案")
    text = page_text(at)
    assert "已提交答案" in text and "正确" not in text and FILL_KEY not in text and not calls
    with quizzes.connect() as db:
        quizzes.reveal_live_question(db, session.id)
    at.run()
    text = page_text(at)
    assert "回答正确" in text and EXPLANATION in text and calls == ["live_feedback"]
    assert {m.label: m.value for m in at.metric}["我的名次"] == "1 / 1"
    with quizzes.connect() as db:
        quizzes.finish_live_session(db, session.id)
    at.run()
    assert "答题结束" in page_text(at) and list(at.dataframe[0].value["昵称"]) == ["小王"]


def test_participant_join_errors_are_shown(seed: Seed, live_quiz: int) -> None:
    with quizzes.connect() as db:
        session = quizzes.open_live_session(db, live_quiz)
        quizzes.join_live_session(db, session.join_code, "小王")
    at = run_page("train_join.py")
    at.text_input(key="live_join_code").input(session.join_code)
    at.text_input(key="live_join_nickname").input("小王")
    click(at, "加入")
    assert "昵称「小王」已被使用" in page_text(at) and "live_me" not in at.session_state
    at.text_input(key="live_join_code").input("12345")
    at.text_input(key="live_join_nickname").input("小李")
    click(at, "加入")
    assert "没有进行中的直播答题" in page_text(at)


def test_host_leads_a_session_to_the_final_leaderboard(seed: Seed, live_quiz: int) -> None:
    at = run_page("train_live.py", trainer=seed.trainer)
    at.selectbox(key="live_quiz").set_value(live_quiz).run()
    click(at, "开启现场答题")
    with quizzes.connect() as db:
        [session] = quizzes.list_live_sessions(db)
        fast = quizzes.join_live_session(db, session.join_code, "**快手**<b>")
        slow = quizzes.join_live_session(db, session.join_code, "慢手")
    at.run()
    text = page_text(at)
    assert session.join_code in text and f"/join?code={session.join_code}" in text
    assert "已加入 2 人" in text
    assert escape_markdown("**快手**<b>") in "\n".join(m.value for m in at.markdown)
    click(at, "开始")
    assert "企业每年至少组织一次什么活动" in page_text(at) and FILL_KEY not in page_text(at)
    with quizzes.connect() as db:
        quizzes.answer_live_question(db, fast.id, 0, FILL_KEY, time_ms=1200)
        quizzes.answer_live_question(db, slow.id, 0, "不知道", time_ms=800)
    at.run()
    assert {m.label: m.value for m in at.metric}["已作答"] == "2 / 2"
    click(at, "公布答案")
    text = page_text(at)
    assert f"正确答案：{FILL_KEY}" in text and "1 / 2 人答对" in text
    assert list(at.dataframe[0].value["昵称"]) == ["**快手**<b>", "慢手"]
    click(at, "下一题")
    with quizzes.connect() as db:
        quizzes.answer_live_question(db, slow.id, 1, "B", time_ms=500)
    click(at, "公布答案")
    click(at, "查看最终排名")
    text = page_text(at)
    assert "最终排名" in text and session.join_code not in text
    board = at.dataframe[0].value
    assert list(board["昵称"]) == ["慢手", "**快手**<b>"]  # 1 right in 0.5 s beats 1 in 1.2 s
    assert list(board["名次"]) == [1, 2]
    click(at, "再开一场")
    assert "开启现场答题" in [b.label for b in at.button]


# ----- 统计 -------------------------------------------------------------------------------


def test_dashboard_shows_results_items_live_and_history(seed: Seed, live_quiz: int) -> None:
    with quizzes.connect() as db:
        for name, number, given in (("张三", "E1", "B"), ("李四", "E2", "A"), ("王五", "E3", "B")):
            trainee = quizzes.identify_trainee(db, name, number)
            attempt = quizzes.start_attempt(db, seed.quiz_id, trainee)
            quizzes.submit_attempt(db, attempt.id, [Answer(seed.single_id, given),
                                                    Answer(seed.truefalse_id, True)])
        session = quizzes.open_live_session(db, live_quiz)
        player = quizzes.join_live_session(db, session.join_code, "现场选手")
        quizzes.next_live_question(db, session.id)
        quizzes.answer_live_question(db, player.id, 0, FILL_KEY)
        quizzes.finish_live_session(db, session.id)
    at = run_page("train_stats.py", trainer=seed.trainer)
    assert "还没有学员交卷" in page_text(at)  # the newest quiz (the live one) is picked first
    at.selectbox(key="stats_quiz").set_value(seed.quiz_id)
    at.selectbox(key="stats_items_quiz").set_value(seed.quiz_id).run()
    results, attempts, items, live, history = (df.value for df in at.dataframe)
    assert len(attempts) == 3
    assert list(results["姓名"]) == ["张三", "李四", "王五"]
    assert list(results["得分"]) == ["2 / 2", "1 / 2", "2 / 2"]
    flags = dict(zip(items["题目ID"], items["提示"], strict=True))
    assert "过易 (F>95)" in flags[seed.truefalse_id]  # everyone got it right
    assert list(live["昵称"]) == ["现场选手"] and list(live["答对"]) == [1]
    assert list(history["测验"]) == [QUIZ_TITLE]
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("下载 Excel (.xlsx)") >= 4 and labels.count("下载 CSV") >= 4
