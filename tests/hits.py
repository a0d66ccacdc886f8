"""A retrieved passage for tests of answering: only what the test is about needs saying."""

from kb.records import SearchHit


def passage(chunk_id: int, text: str, score: float = 1.0, *, title: str = "条例",
            section_path: tuple[str, ...] = (), source: str = "a.md") -> SearchHit:
    """A SearchHit of document 1 with the given text and fused score."""
    return SearchHit(chunk_id=chunk_id, doc_id=1, text=text, title=title, source=source,
                     section_path=section_path, score=score)
