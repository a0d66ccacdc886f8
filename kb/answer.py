"""Extractive answers with citations, and honest refusals when the evidence is weak."""

from __future__ import annotations

import re

from kb.records import Answer, Citation, SearchHit
from kb.tokenize import bigram_tokens, jieba_tokens

REFUSAL_TEXT = "知识库中没有找到与此问题相关的规定。"
_SENTENCE = re.compile(r"[^。；！？!?;\n]+[。；！？!?;]?")


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, in order, each an exact substring of it."""
    return [s for s in (m.group(0).strip() for m in _SENTENCE.finditer(text)) if s]


def _overlap(question_terms: set[str], sentence: str) -> float:
    terms = set(jieba_tokens(sentence)) | set(bigram_tokens(sentence))
    if not question_terms:
        return 0.0
    # Longer matched terms say more than single characters.
    return sum(len(t.lstrip("_")) for t in question_terms & terms) / sum(
        len(t.lstrip("_")) for t in question_terms)


def best_sentences(question: str, passage: str, max_sentences: int = 2) -> str:
    """The sentence(s) of a passage that best answer the question, as one exact substring.

    The best-matching sentence is taken, with the next one when it is short or when the
    best ends with a colon (an enumeration follows).
    """
    sentences = split_sentences(passage)
    if not sentences:
        return ""
    q_terms = set(jieba_tokens(question)) | set(bigram_tokens(question))
    scores = [_overlap(q_terms, s) for s in sentences]
    best = max(range(len(sentences)), key=lambda i: (scores[i], -i))
    start = passage.find(sentences[best])
    end = start + len(sentences[best])
    taken = 1
    while (taken < max_sentences and best + taken < len(sentences)
           and (end - start < 30 or passage[end - 1] in ":：")):
        nxt = sentences[best + taken]
        end = passage.find(nxt, end) + len(nxt)
        taken += 1
    return passage[start:end]


def to_citation(hit: SearchHit, sentence: str = "") -> Citation:
    """A citation for a hit, with the answering sentence marked."""
    return Citation(chunk_id=hit.chunk_id, title=hit.title, source=hit.source,
                    section_path=hit.section_path, text=hit.text, sentence=sentence,
                    score=hit.score)


def compose_answer(question: str, hits: list[SearchHit], confidence: float,
                   threshold: float) -> Answer:
    """Build the answer record from ranked hits and a confidence.

    Args:
        question: the question.
        hits: ranked passages.
        confidence: how sure retrieval is that hits[0] answers the question (0..1).
        threshold: below it the answer is a refusal showing the closest passages.
    """
    if not hits or confidence < threshold:
        related = [to_citation(h) for h in hits[:3]]
        return Answer(question, REFUSAL_TEXT, related, refused=True, confidence=confidence)
    top = hits[0]
    sentence = best_sentences(question, top.text)
    citations = [to_citation(top, sentence)]
    citations += [to_citation(h, best_sentences(question, h.text)) for h in hits[1:3]]
    return Answer(question, sentence or top.text, citations, refused=False,
                  confidence=confidence)
