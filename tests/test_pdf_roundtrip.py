"""Every law and plan of the sample corpus, printed as a typeset PDF, ingests like its source."""

import re
from pathlib import Path

import pytest
from samplefiles import typeset_pdf

from ingest.pipeline import prepare_file

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared" / "corpus"
CORPUS = SHARED if SHARED.is_dir() else REPO_ROOT / "data" / "corpus"
SOURCES = sorted(p for p in [*CORPUS.glob("*.md"), *CORPUS.glob("*.txt")] if p.name != "README.md")


def _sections(path: Path, source: str) -> dict[tuple[str, ...], str]:
    doc = prepare_file(path, source)
    out: dict[tuple[str, ...], str] = {}
    for chunk in doc.chunks:  # a long section split in two is compared as a whole
        # Spacing is not compared: "总　则" in a Markdown heading, "总则" once printed.
        path = tuple(re.sub(r"\s", "", p) for p in chunk.section_path)
        out[path] = out.get(path, "") + re.sub(r"\s", "", chunk.text)
    return out


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_a_typeset_pdf_gives_the_same_title_and_sections(source: Path, tmp_path: Path) -> None:
    pdf = tmp_path / f"{source.stem}.pdf"
    # The district plans are pages scraped from a website: what is printed is their text
    # without the site's chrome.
    text = source.read_text(encoding="utf-8")
    pdf.write_bytes(typeset_pdf(prepare_file(source, source.name).text
                                if source.suffix == ".txt" else text))
    assert prepare_file(pdf, pdf.name).meta.title == prepare_file(source, source.name).meta.title
    want, got = _sections(source, source.name), _sections(pdf, pdf.name)
    same = sum(got.get(path) == text for path, text in want.items())
    # Paragraph breaks inside an article that ends a page exactly at the line's end cannot
    # be told from a wrap: allow one section in twenty to differ.
    assert same >= 0.95 * len(want), [p for p in want if got.get(p) != want[p]][:5]
