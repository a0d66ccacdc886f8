"""Data shared by tests/test_access.py and tests/test_e2e_access.py.

A training database whose secrets are unique marker strings (so "not on the page" is a plain
substring check), and hostile documents for a knowledge base.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from pathlib import Path

import quizzes
from quizzes import Answer, FeedbackMode, Question, QuestionType, QuizSettings, Trainer

TRAINER, PASSWORD = "王老师", "access-password-1"
QUIZ_TITLE = "访问控制测验"
IMMEDIATE_TITLE = "即时反馈测验"
FILL_STEM = "动火作业前必须办理什么手续？"
KEY_MARK = "答案标记KEY7741"  # the key of the fill-in question
EXPLAIN_FILL = "解析标记XYZ123"
EXPLAIN_SINGLE = "解析标记ABC456"
DRAFT_MARK = "草稿标记DRAFT9"  # a draft: no trainee ever sees it
BANK_MARK = "题库标记BANK5"  # approved but in no quiz: only trainers see it
OTHER_TRAINEE, OTHER_NUMBER = "李四标记OTHER", "OTHER999"  # has a submitted attempt
OTHER_PLAYER = "选手标记OTHER"  # joined the live session
DASHBOARD_WORDS = ("交卷人数", "及格率", "平均得分率", "题目分析", "学员记录", "全部作答记录")
# Everything a trainee must never be shown before answering (keys and explanations), nor at
# all (other people's results, unpublished questions).
SECRETS = (KEY_MARK, EXPLAIN_FILL, EXPLAIN_SINGLE, DRAFT_MARK, BANK_MARK, OTHER_TRAINEE,
           OTHER_NUMBER, OTHER_PLAYER)

PWN = "window.__pwned=1"
HOSTILE_STEM = (f'<img src=x onerror="{PWN};alert(1)">危险品题干<script>{PWN}</script>'
                "[点我](javascript:alert(1))")
HOSTILE_OPTIONS = (f'<b onclick="{PWN}">甲</b>', "[乙](javascript:alert(1))",
                   "丙 :red[红] $x$ <u>下划线</u>")
HOSTILE_NAME = f'<img src=x onerror="{PWN}">王五'
PERCENT_STEM, UNDERSCORE_STEM = "浓度达到 100% 时应当撤离吗？", "型号 A_B 的设备需要检验吗？"

# Documents whose text holds markup. The HTML page's own tags are dropped by the loader, and
# what it shows as text (entities) arrives as literal "<script>…" in the chunk text.
HOSTILE_HTML = f"""<!DOCTYPE html>
<html><head><title>恶意网页</title><script>{PWN}; alert("head")</script></head>
<body onload="{PWN}">
<h1>测试市危险化学品仓库防火管理规定</h1>
<script>{PWN}; alert(1)</script>
<p onclick="{PWN}">第一条 危险化学品仓库的管理单位应当每日巡查库区消防设施。\
<img src=x onerror="{PWN};alert(2)"></p>
<p>第二条 仓库管理单位应当在库区入口张贴 &lt;script&gt;{PWN}&lt;/script&gt; 警示标志，\
并设置 &lt;img src=x onerror="{PWN}"&gt; 防火隔离带。\
<a href="javascript:{PWN};alert(3)">点击这里</a></p>
<p>第三条 违反本规定的，由应急管理部门责令改正 [点我](javascript:alert(4)) 并处罚款。</p>
<iframe src="javascript:alert(5)"></iframe>
<svg onload="alert(6)"><text>svg</text></svg>
</body></html>
"""
HTML_TITLE = "测试市危险化学品仓库防火管理规定"
HTML_QUESTION = "仓库管理单位应当在库区入口张贴什么？"
HOSTILE_TXT = f"""测试市液化石油气钢瓶充装安全管理办法

第一条 钢瓶充装单位应当对每只钢瓶进行充装前检查 <script>{PWN}</script> 并建立充装记录。

第二条 充装单位应当在充装区设置 <img src=x onerror="{PWN}"> 静电接地装置，\
[点我](javascript:alert(1)) 定期检测。

第三条 充装记录应当保存 <a href="javascript:alert(1)">两年</a> 以上，**不得**涂改 `代码` \
$x^2$ :red[红字] <b onclick="alert(1)">加粗</b>。
"""
TXT_TITLE = "测试市液化石油气钢瓶充装安全管理办法"
TXT_QUESTION = "钢瓶充装单位应当在充装区设置什么装置？"
# Literal text that must be shown as text (from the HTML page's entities and the TXT file).
LITERALS = (f"<script>{PWN}</script>", f'<img src=x onerror="{PWN}">',
            "[点我](javascript:alert(1))")


def navigation_url_paths(app: Path) -> set[str]:
    """The url path of every st.Page in app.py ("" for the default page), as Streamlit
    derives it: the url_path given, or the file name without extension."""
    paths = set()
    for node in ast.walk(ast.parse(app.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.Page":
            words = {k.arg: ast.literal_eval(k.value) for k in node.keywords
                     if isinstance(k.value, ast.Constant)}
            stem = Path(ast.literal_eval(node.args[0])).stem
            paths.add("" if words.get("default") else words.get("url_path", stem))
    return paths


def write_hostile_documents(folder: Path) -> list[Path]:
    """The hostile HTML page and TXT file, written into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    html, txt = folder / "恶意网页.html", folder / "恶意文本.txt"
    html.write_text(HOSTILE_HTML, encoding="utf-8")
    txt.write_text(HOSTILE_TXT, encoding="utf-8")
    return [html, txt]


@dataclass(frozen=True)
class Seeded:
    """What seed_training() stored."""

    trainer: Trainer
    fill_id: int
    single_id: int  # the hostile stem and options, key B
    quiz_id: int  # fill + single, feedback after submitting, attempts unlimited
    immediate_id: int  # the same two questions, immediate feedback
    other_trainee_id: int
    other_attempt_id: int
    session_id: int  # live session of quiz_id, in the lobby, OTHER_PLAYER joined
    join_code: str


def seed_training(db_path: Path) -> Seeded:
    """A training database with a trainer, marked questions, quizzes, results and a session."""
    with quizzes.connect(db_path) as db:
        trainer = quizzes.add_trainer(db, TRAINER, PASSWORD)
        made = [
            Question(QuestionType.FILL, FILL_STEM, key=KEY_MARK, explanation=EXPLAIN_FILL),
            Question(QuestionType.SINGLE, HOSTILE_STEM, key="B", options=HOSTILE_OPTIONS,
                     explanation=EXPLAIN_SINGLE),
            Question(QuestionType.TRUE_FALSE, BANK_MARK, key="对"),
            Question(QuestionType.TRUE_FALSE, PERCENT_STEM, key="对"),
            Question(QuestionType.TRUE_FALSE, UNDERSCORE_STEM, key="对"),
        ]
        ids = [quizzes.add_question(db, replace(q, status="approved")).id for q in made]
        quizzes.add_question(db, Question(QuestionType.TRUE_FALSE, DRAFT_MARK, key="错"))
        quiz = quizzes.create_quiz(db, QUIZ_TITLE, question_ids=ids[:2],
                                   settings=QuizSettings(max_attempts=None))
        immediate = quizzes.create_quiz(
            db, IMMEDIATE_TITLE, question_ids=ids[:2],
            settings=QuizSettings(feedback=FeedbackMode.IMMEDIATE, max_attempts=None))
        other = quizzes.identify_trainee(db, OTHER_TRAINEE, OTHER_NUMBER)
        attempt = quizzes.start_attempt(db, quiz.id, other)
        quizzes.submit_attempt(db, attempt.id, [Answer(ids[0], KEY_MARK), Answer(ids[1], "B")])
        session = quizzes.open_live_session(db, quiz.id)
        quizzes.join_live_session(db, session.join_code, OTHER_PLAYER)
    return Seeded(trainer, ids[0], ids[1], quiz.id, immediate.id, other.id, attempt.id,
                  session.id, session.join_code)
