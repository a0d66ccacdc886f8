"""Questions generated from the knowledge base: real citations, safe distractors, drafts."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quizzes
from ingest.records import Chunk
from kb.records import DocumentInfo, Duty
from kb.store import KnowledgeBase
from kb.units import unit_matches
from quizzes.cli import main
from quizzes.generate import (
    CATEGORY,
    Citation,
    Corpus,
    alternatives,
    clause_candidates,
    clause_questions,
    duty_questions,
    generate_questions,
    make_fill_in,
    make_single_choice,
    make_true_false,
    store_generated,
)
from quizzes.generate_corpus import is_broad
from quizzes.generate_text import find_elements, normalize

REPORT = (
    "事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，"
    "应当于1小时内向事故发生地县级以上人民政府安全生产监督管理部门和负有安全生产监督管理"
    "职责的有关部门报告。"
)
CITE = Citation("生产安全事故报告和调查处理条例", "报告条例.md", ("第二章 事故报告", "第九条"),
                "行政法规")


def _corpus(*texts: str) -> Corpus:
    return Corpus((f"doc{i}.md", t) for i, t in enumerate(texts))


def _clause(text: str, containing: str):
    return next(c for c in clause_candidates(text) if containing in c.text)


def _element(clause, kind: str, text: str | None = None):
    return next(e for e in clause.elements if e.kind == kind and text in (None, e.text))


def _quoted(question: quizzes.Question) -> str:
    """The clause quoted on the explanation's first line: 《标题》第X条：“…”"""
    first = question.explanation.split("\n")[0]
    match = re.search(r"：“(.*)”", first)
    assert match, question.explanation
    return match.group(1)


# ----- pure functions on literal clauses ---------------------------------------------------


def test_clause_candidates_find_numbers_modals_and_actors():
    clauses = clause_candidates("第九条 " + REPORT)
    texts = [c.text for c in clauses]
    assert texts[0] == REPORT.rstrip("。")  # the whole sentence first, without 第九条
    assert "事故发生后，事故现场有关人员应当立即向本单位负责人报告" in texts
    first = clauses[0]
    number = _element(first, "number")
    assert (number.text, number.group, number.value, number.suffix) == ("1小时", "小时", 1.0, "内")
    assert _element(first, "actor").text == "事故现场有关人员"
    assert [e.text for e in first.elements if e.kind == "modal"] == ["应当", "应当"]
    for clause in clauses:
        assert ("第九条 " + REPORT)[clause.start: clause.start + len(clause.text)] == clause.text


@pytest.mark.parametrize(
    ("text", "kind", "found", "group", "values"),
    [
        ("处5000元以上2万元以下的罚款", "range", "5000元以上2万元以下", "元", (5000, 20000)),
        ("处十万元以上五十万元以下的罚款", "range", "十万元以上五十万元以下", "元",
         (100000, 500000)),
        ("自受理申请之日起三十日内作出决定", "number", "三十日", "日", (30, None)),
        ("造成30人以上死亡的事故", "number", "30人", "人", (30, None)),
        ("每年至少进行一次应急演练", "freq", "每年至少进行一次", "年", (1, None)),
    ],
)
def test_elements_of_numbers(text, kind, found, group, values):
    element = next(e for e in find_elements(text) if e.kind == kind)
    assert (element.text, element.group, element.value, element.value2) == (found, group, *values)


@pytest.mark.parametrize("text", ["2020年9月14日印发", "处其上一年年收入40%的罚款", "第三十条规定"])
def test_dates_ordinals_and_last_year_are_not_quantities(text):
    assert all(e.kind != "number" or e.text == "40%" for e in find_elements(text))
    assert not any(e.text in ("2020年", "14日", "一年", "三十条") for e in find_elements(text))


def test_headings_short_and_long_clauses_are_not_candidates():
    assert clause_candidates("第二章 生产经营单位的安全生产保障") == []
    assert clause_candidates("单位应当报告。") == []  # shorter than 15 characters
    long = "生产经营单位应当" + "加强安全管理、" * 30 + "确保安全。"
    assert clause_candidates(long) == []


def test_fill_in_blanks_the_number_and_accepts_both_numeral_styles():
    clause = _clause(REPORT, "1小时")
    q = make_fill_in(clause, _element(clause, "number"), CITE)
    assert q is not None and q.qtype == quizzes.QuestionType.FILL
    assert q.stem.startswith("根据《生产安全事故报告和调查处理条例》第九条，")
    assert "应当于____小时内向" in q.stem
    assert q.key == ("1", "一")
    assert quizzes.is_correct(q, "1") and quizzes.is_correct(q, "一")
    assert _quoted(q) == clause.text and q.status == quizzes.Status.DRAFT
    assert (q.source_doc, q.source_section) == ("报告条例.md", "第二章 事故报告 › 第九条")
    assert q.problems() == []


def test_single_choice_distractors_are_same_unit_numbers_never_attested_ones():
    other = ("接到报告的部门应当于2小时内向上级部门报告。事故调查组应当在12小时内完成初步调查。"
             "事故单位应当在24小时内提交书面报告。")
    same_rule_other_number = REPORT.replace("1小时", "3小时")  # another law says 3 hours
    corpus = _corpus(REPORT, other, same_rule_other_number)
    clause = _clause(REPORT, "1小时")
    number = _element(clause, "number")
    for seed in range(20):
        q = make_single_choice(clause, number, CITE, corpus, random.Random(seed))
        assert q is not None and len(q.options) == 4
        assert q.options["ABCD".index(q.key[0])] == "1小时"
        assert all(o.endswith("小时") for o in q.options)
        assert "3小时" not in q.options  # the corpus says 3小时 in the same words
        assert "____内向事故发生地" in q.stem


def test_true_false_changes_one_element_and_the_altered_statement_is_not_in_the_corpus():
    corpus = _corpus(REPORT, "应当于2小时内向有关部门报告。应当在12小时内完成。")
    clause = _clause(REPORT, "1小时")
    altered = make_true_false(clause, _element(clause, "number"), CITE, corpus, random.Random(0))
    assert altered is not None and altered.key == ("错误",)
    statement = altered.stem.removeprefix(CITE.context()).removesuffix("。")
    assert "1小时" not in statement and not corpus.contains(statement)
    assert "改为" in altered.explanation
    true = make_true_false(clause, None, CITE, corpus, random.Random(0))
    assert true is not None and true.key == ("正确",)
    assert corpus.contains(true.stem.removeprefix(CITE.context()).removesuffix("。"))


def test_modal_flips_and_single_choice_modals():
    text = "生产经营单位不得使用应当淘汰的危及生产安全的工艺、设备。"
    corpus = _corpus(text)
    clause = _clause(text, "不得")
    q = make_true_false(clause, _element(clause, "modal", "不得"), CITE, corpus, random.Random(1))
    assert q is not None and "生产经营单位可以使用" in q.stem and q.key == ("错误",)
    choice = make_single_choice(clause, _element(clause, "modal", "不得"), CITE, corpus,
                                random.Random(1))
    assert choice is not None and set(choice.options) == {"不得", "可以", "应当", "有权"}
    # 应当 is guessed from the sentence; no single choice, and no flip without an actor.
    obligation = _clause("事故调查报告应当由负责事故调查的人民政府批复。", "应当")
    modal = _element(obligation, "modal", "应当")
    assert make_single_choice(obligation, modal, CITE, corpus, random.Random(0)) is None
    assert make_true_false(obligation, modal, CITE, corpus, random.Random(0)) is None


def test_actor_distractors_are_same_kind_and_never_a_class_or_alias():
    texts = [
        "施工单位应当在施工现场建立消防安全责任制度。",
        "建设单位应当向施工单位提供施工现场及毗邻区域内的资料。",
        "工程监理单位应当审查施工组织设计中的安全技术措施。",
        "勘察单位应当按照法律、法规和工程建设强制性标准进行勘察。",
        "设计单位应当按照法律、法规和工程建设强制性标准进行设计。",
        "生产经营单位应当保证本单位安全生产投入的有效实施。",
    ]
    corpus = Corpus(("建设工程条例.md", t) for t in texts)
    clause = _clause(texts[0], "施工单位")
    actor = _element(clause, "actor")
    alts = alternatives(actor, corpus, random.Random(0), "建设工程条例.md")
    assert set(alts) == {"建设单位", "工程监理单位", "勘察单位", "设计单位"}
    assert "生产经营单位" not in alts  # a class: every 施工单位 is one
    assert is_broad("县级以上地方各级人民政府") and not is_broad("市人民政府")
    assert is_broad("上级人民政府") and is_broad("政府有关部门")
    broad = _clause(texts[5], "有效实施")
    assert make_single_choice(broad, _element(broad, "actor"), CITE, corpus,
                              random.Random(0)) is None


def test_prohibitions_by_jinzhi_are_true_false_only_and_titles_are_not_rules():
    text = "禁止在城市市区内的居民区燃放烟花爆竹和携带烟花爆竹进入公共场所。"
    clause = _clause(text, "禁止")
    modal = _element(clause, "modal", "禁止")
    assert make_single_choice(clause, modal, CITE, _corpus(text), random.Random(0)) is None
    q = make_true_false(clause, modal, CITE, _corpus(text), random.Random(0))
    assert q is not None and "允许在城市市区" in q.stem
    repeal = "《北京市关于禁止燃放烟花爆竹的规定》自本规定施行之日起同时废止。"
    assert not any(e.kind == "modal" for e in find_elements(repeal))
    assert all(c.refers for c in clause_candidates(repeal))


def test_only_articles_of_regulations_give_clause_questions():
    prose = "到2025年，全区生产安全事故死亡人数较2020年下降15%，应当完成市级指标。"
    plan = Citation("某区安全生产规划", "plan.txt", ("二、发展目标",), "规划")
    article = Citation("某条例", "law.md", ("第三条",), "地方性法规")
    corpus = _corpus(prose)
    assert clause_questions([(plan, prose)], corpus) == []
    assert clause_questions([(article, prose)], corpus)


class _TwoCopiesKB:
    """A knowledge base holding one law twice, as Markdown and as a gazette PDF."""

    TEXT = "第十条 " + REPORT

    def documents(self) -> list[DocumentInfo]:
        def doc(i: int, source: str, fmt: str) -> DocumentInfo:
            return DocumentInfo(i, source, "某条例", "行政法规", "", "", "", "", "", fmt, str(i),
                                len(self.TEXT), 1, "")

        return [doc(1, "pdf/某条例.pdf", "pdf"), doc(2, "某条例.md", "md")]

    def chunks(self, doc_id: int) -> list[Chunk]:
        return [Chunk(self.TEXT, ("第二章 事故报告", "第十条"))]

    def all_duties(self) -> list[Duty]:
        return []

    def all_units(self) -> list[str]:
        return []


def test_a_law_stored_twice_is_asked_once_from_its_text_copy():
    questions = generate_questions(_TwoCopiesKB(), seed=3)  # type: ignore[arg-type]
    assert questions
    assert {q.source_doc for q in questions} == {"某条例.md"}
    per_type = Counter(q.qtype for q in questions)
    assert all(n == 1 for n in per_type.values())


def test_ambiguous_blanks_and_references_are_rejected():
    twice = "从业人员超过一百人的应当设置机构，不超过一百人的应当配备专职人员。"
    clause = _clause(twice, "一百人")
    reasons: Counter = Counter()
    assert make_fill_in(clause, _element(clause, "number"), CITE, reasons) is None
    assert reasons["element occurs more than once"] == 1
    refers = _clause("违反本法第二十条规定的，处二万元以上十万元以下的罚款。", "罚款")
    assert refers.refers
    assert make_single_choice(refers, _element(refers, "range"), CITE, _corpus(refers.text),
                              random.Random(0)) is None
    listing = _clause("生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款：", "罚款")
    assert listing.refers


_LEGAL_CHARS = list(
    "第一二三十百千条章款0123456789应当不得可以有权必须禁止单位部门人员日小时万元以上下内"
    "每年至少次，。；：:\n （）()、的生产经营"
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(_LEGAL_CHARS) | st.characters(), max_size=300))
def test_clause_candidates_never_crash(text):
    for clause in clause_candidates(text):
        assert text[clause.start: clause.start + len(clause.text)] == clause.text
        for element in clause.elements:
            assert clause.text[element.start: element.end] == element.text


# ----- the whole knowledge base -------------------------------------------------------------


@pytest.fixture(scope="module")
def kb(sample_kb_dir: Path) -> KnowledgeBase:
    return KnowledgeBase(sample_kb_dir)


@pytest.fixture(scope="module")
def generated(kb: KnowledgeBase) -> list[quizzes.Question]:
    return generate_questions(kb, seed=7)


@pytest.fixture(scope="module")
def corpus_text(kb: KnowledgeBase) -> str:
    return "\x00".join(normalize(c.text) for d in kb.documents() for c in kb.chunks(d.id))


def test_every_kind_is_generated_and_all_start_as_drafts(generated):
    kinds = Counter(("duty" if q.category != CATEGORY else q.qtype.value) for q in generated)
    assert kinds["duty"] >= 20 and kinds["fill"] >= 5
    assert kinds["single"] >= 20 and kinds["truefalse"] >= 20
    assert all(q.status == quizzes.Status.DRAFT and q.problems() == [] for q in generated)
    assert all(q.source_doc and q.source_section and q.explanation for q in generated)
    verdicts = Counter(q.key[0] for q in generated if q.qtype == quizzes.QuestionType.TRUE_FALSE)
    assert verdicts["正确"] > 0 and verdicts["错误"] > verdicts["正确"]


def test_clause_questions_quote_a_real_clause_of_the_cited_section(kb, generated):
    docs = {d.source: d for d in kb.documents()}
    for q in (q for q in generated if q.category == CATEGORY):
        doc = docs[q.source_doc]
        assert q.explanation.startswith(f"《{doc.title}》")
        quote = _quoted(q)
        section = [c.text for c in kb.chunks(doc.id) if c.section == q.source_section]
        assert any(quote in text for text in section), (q.source_section, quote)
        if q.qtype == quizzes.QuestionType.FILL:
            assert any(k in quote for k in q.key)
            assert q.stem.replace("____", q.key[0]).endswith(quote + "。")
        elif q.qtype == quizzes.QuestionType.SINGLE:
            key = q.options["ABCD".index(q.key[0])]
            assert key in quote
            assert q.stem.replace("____", key).endswith(quote + "。")


def test_true_false_statements_are_in_the_corpus_exactly_when_true(kb, generated, corpus_text):
    docs = {d.source: d for d in kb.documents()}
    items = [q for q in generated if q.qtype == quizzes.QuestionType.TRUE_FALSE]
    for q in items:
        doc = docs[q.source_doc]
        cite = Citation(doc.title, doc.source, tuple(q.source_section.split(" › ")), doc.kind)
        assert q.stem.startswith(cite.context())
        statement = normalize(q.stem.removeprefix(cite.context()).removesuffix("。"))
        if q.key == ("正确",):
            assert statement in corpus_text and statement == normalize(_quoted(q))
        else:
            assert statement not in corpus_text, q.stem


def test_no_distractor_is_also_correct(generated, corpus_text):
    singles = [q for q in generated if q.qtype == quizzes.QuestionType.SINGLE
               and q.category == CATEGORY]
    for q in singles:
        key = "ABCD".index(q.key[0])
        quote = _quoted(q)
        for i, option in enumerate(q.options):
            if i != key:
                # A value seen elsewhere in the stem would confuse (modals are common words).
                assert option not in quote or "义务与禁止" in q.tags
                assert normalize(quote.replace(q.options[key], option, 1)) not in corpus_text


def test_duty_questions_ask_for_the_lead_and_offer_units_not_responsible(kb, generated):
    duties = kb.all_duties()
    asked = [q for q in generated if q.category != CATEGORY]
    assert asked
    for q in asked:
        duty = next(d for d in duties if f"“{d.task}”" in q.stem)
        task = duty.task
        key = q.options["ABCD".index(q.key[0])]
        assert key == duty.lead and q.source_doc == duty.source
        for option in q.options:
            if option != key:
                assert not any(unit_matches(option, u) for u in duty.units)
                same_task = [d for d in duties if d.task == task]
                assert not any(unit_matches(option, u) for d in same_task for u in d.units)


def test_duty_distractors_are_units_of_the_same_kind_not_named_for_the_task():
    def duty(task: str, lead: str, *others: str) -> Duty:
        return Duty(task, lead, others, 1, "某区实施方案", "plan.txt", ("三、任务", task), task)

    duties = [
        duty("加强危险化学品安全监管", "区应急管理局", "区市场监管局", "各街镇"),
        duty("加强危险化学品安全监管", "区应急管理局", "区生态环境局"),  # same task, again
        duty("加强校园安全", "区教委", "区卫生健康委", "公安海淀分局"),
        duty("加强水务安全", "区水务局", "区园林绿化局"),
        duty("加强消防安全", "海淀消防救援支队", "区城管执法局"),
        duty("加强体育场馆安全", "区体育局", "区文化和旅游局"),
    ]
    units = sorted({u for d in duties for u in d.units})
    for seed in range(10):
        questions = duty_questions(duties, units, rng=random.Random(seed))
        q = next(q for q in questions if "危险化学品" in q.stem)
        options = set(q.options)
        assert q.options["ABCD".index(q.key[0])] == "区应急管理局"
        assert not options & {"区市场监管局", "区生态环境局", "各街镇"}
        assert all(o.endswith(("局", "委")) for o in options)


def test_duty_question_names_an_outline_section_without_its_number():
    def duty(task: str, lead: str, section: str) -> Duty:
        return Duty(task, lead, (), 1, "某区生产安全事故应急预案", "plan.txt",
                    ("2 组织体系", section), f"{lead}：负责{task}。")

    duties = [duty("事故现场治安警戒和交通管制", "区公安分局", "2.3 成员单位职责"),
              duty("伤员医疗救治", "区卫生健康委", "2.3 成员单位职责"),
              duty("特种设备事故的应急处置", "区市场监管局", "2.3 成员单位职责"),
              duty("应急救援经费保障", "区财政局", "2.4 保障单位职责")]
    questions = duty_questions(duties, sorted(d.lead for d in duties), rng=random.Random(0))
    stems = [q.stem for q in questions]
    assert "根据《某区生产安全事故应急预案》“成员单位职责”部分，负责“伤员医疗救治”的是哪个单位？" \
        in stems, stems


def test_generation_is_deterministic_and_limit_draws_every_kind(kb, generated):
    assert generate_questions(kb, seed=7) == generated
    few = generate_questions(kb, limit=12, seed=7)
    assert len(few) == 12 and set(few) <= set(generated)
    kinds = Counter(("duty" if q.category != CATEGORY else q.qtype.value) for q in few)
    assert set(kinds) == {"duty", "fill", "single", "truefalse"}


def test_storing_twice_adds_nothing_the_second_time(tmp_path, generated):
    with quizzes.connect(tmp_path / "bank.db") as db:
        assert store_generated(db, generated) == (len(generated), 0)
        assert store_generated(db, generated) == (0, len(generated))
        stored = quizzes.list_questions(db)
        assert len(stored) == len(generated)
        assert {q.status for q in stored} == {quizzes.Status.DRAFT}


def test_cli_generate_dry_run_then_store(tmp_path, sample_kb_dir, capsys):
    db = tmp_path / "cli.db"
    args = ["--db", str(db), "generate", "--kb", str(sample_kb_dir), "--limit", "8"]
    assert main([*args, "--dry-run", "--show", "1"]) == 0
    out = capsys.readouterr().out
    assert "共生成 8 道草稿题" in out and "试运行" in out and "答案:" in out
    with quizzes.connect(db) as database:
        assert quizzes.list_questions(database) == []
    assert main(args) == 0
    assert "已存入 8 道草稿题" in capsys.readouterr().out
    assert main(args) == 0
    assert "已存入 0 道草稿题，跳过题库中已有的 8 道" in capsys.readouterr().out
    assert main(["--db", str(db), "generate", "--kb", str(tmp_path / "none")]) == 1
