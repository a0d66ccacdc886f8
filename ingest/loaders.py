"""Read supported files (txt, md, html, pdf, docx) into RawText, or fail with IngestError."""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import docx
from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from ingest.clean import MENU_MIN_ITEMS
from ingest.docx_numbering import Numbering
from ingest.records import IngestError, RawText
from ingest.tables import is_task_table, table_lines

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx"})

# Page separator in the text of a PDF: clean.fix_pdf_text uses it to find running
# headers and footers, which repeat at the edges of pages.
PAGE_BREAK = "\f"

# Tags whose content is never document text. Not <form>: ASP.NET pages wrap the whole
# body in one.
_DROP_TAGS = ("script", "style", "noscript", "nav", "template", "iframe", "svg", "object", "head",
              "button", "select")
# Page banners and footers, except the header of an <article>/<main>, which holds its title.
_PAGE_TAGS = ("header", "footer")
# Tags that start and end a line of text.
_BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "tbody",
    "thead", "tfoot", "section", "article", "main", "aside", "blockquote", "pre", "dl", "dt",
    "dd", "figure", "figcaption", "address", "caption", "center", "hr", "body", "html",
})
_CELL_TAGS = frozenset({"td", "th"})
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_SAMPLE_CHARS = 200_000  # how much of a text file the junk check looks at
_CHUNK = 1 << 20
# One document's text is at most this long. The longest sample regulation has about 26,000
# characters; embedding two million takes about half an hour on two cores, and a longer file
# is almost surely not one regulation. Text files are read only up to this limit, so memory
# stays bounded whatever the file size.
MAX_DOC_CHARS = 2_000_000
# HTML, PDF and DOCX are parsed whole in memory, so their size is checked before opening.
MAX_FILE_BYTES = {".html": 20 << 20, ".htm": 20 << 20, ".pdf": 100 << 20, ".docx": 100 << 20}


def read_file(path: Path) -> RawText:
    """Read one file into text, dispatching on its suffix.

    Args:
        path: a .txt, .md, .html/.htm, .pdf or .docx file.

    Returns:
        The extracted text, its format ("txt", "md", "html", "pdf", "docx") and, for
        text formats, the encoding detected. PDF pages are separated by "\\f".

    Raises:
        IngestError: unsupported suffix, unreadable or empty file, binary content under a
            text suffix, encrypted / corrupt PDF, PDF without a text layer, broken DOCX.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise unsupported_type(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if size == 0:
        raise IngestError(path, "empty file")
    limit = MAX_FILE_BYTES.get(suffix)
    if limit is not None and size > limit:
        raise IngestError(path, f"file too large ({size / 2**20:.1f} MB; limit {limit >> 20} MB)"
                                f" / 文件过大（上限 {limit >> 20} MB）")
    if suffix == ".pdf":
        raw = _read_pdf(path)
    elif suffix == ".docx":
        raw = _read_docx(path)
    elif suffix in (".html", ".htm"):
        raw = _read_html(path, _read_bytes(path))
    else:
        text, encoding = _read_text_file(path)
        raw = RawText(text, "md" if suffix == ".md" else "txt", encoding)
    if not re.search(r"\S", raw.text):  # not .strip(): that would copy a large text
        raise IngestError(path, "no text in file")
    if len(raw.text) > MAX_DOC_CHARS:
        raise _too_long(path)
    return raw


def _too_long(path: Path | str) -> IngestError:
    return IngestError(path, f"text too long (more than {MAX_DOC_CHARS:,} characters); split"
                             f" the file / 文本过长（超过 {MAX_DOC_CHARS:,} 字），请拆分后再导入")


def unsupported_type(path: Path) -> IngestError:
    """The error for a file of a type that cannot be read (.doc, .xlsx), naming the file."""
    supported = " ".join(sorted(SUPPORTED_SUFFIXES))
    return IngestError(path, f"unsupported file type {path.suffix.lower() or '(no suffix)'!r}"
                             f" (不支持的文件类型; 支持 {supported})")


def iter_files(paths: Iterable[Path | str],
               skipped: list[Path] | None = None) -> Iterator[tuple[Path, Path]]:
    """Expand files and folders into the files to ingest.

    Folders are walked recursively: a folder's files in sorted order, then its subfolders
    in sorted order. Hidden files and folders (name starting with ".") and files with
    unsupported suffixes are skipped. A file named
    explicitly is always yielded, so that read_file can report why it is unsupported.

    Args:
        paths: files and/or folders.
        skipped: if given, the files a folder walk leaves out for their type are appended
            to it, so that the user can be told (a folder of downloads holding a .doc).

    Yields:
        (file, root) pairs: root is the folder given, or the parent of a file given, so
        ``file.relative_to(root)`` names the file relative to what was ingested.

    Raises:
        IngestError: a path does not exist.
    """
    for given in paths:
        given = Path(given)
        if given.is_file():
            yield given, given.parent
        elif given.is_dir():
            for file in _walk(given):
                if file.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield file, given
                elif skipped is not None:
                    skipped.append(file)
        else:
            raise IngestError(given, "no such file or directory")


def _walk(root: Path) -> Iterator[Path]:
    """Non-hidden files under root: each folder's files, then its subfolders."""
    for folder, dirs, files in os.walk(root):
        # Sort and prune in place so os.walk visits folders in order and skips hidden ones.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            # A folder's README describes the collection; it is not one of its documents.
            if not (name.startswith(".") or Path(name).stem.upper() == "README"):
                yield Path(folder) / name


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read file: {exc.strerror or exc}") from exc


def decode_text(data: bytes, path: Path | str = "<bytes>") -> tuple[str, str]:
    """Decode the bytes of a text file: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030.

    Args:
        data: the file's bytes.
        path: used in error messages only.

    Returns:
        (text, encoding name). A leading BOM is removed.

    Raises:
        IngestError: the bytes look binary (NUL bytes, control characters, junk).
    """
    def chunks() -> Iterator[bytes]:
        return (data[i:i + _CHUNK] for i in range(0, len(data), _CHUNK))

    return _decode(chunks, data[:3], path)


def _read_text_file(path: Path) -> tuple[str, str]:
    """Decode a text file chunk by chunk.

    Decoding a whole file at once briefly needs about four times its size (the decoder
    over-allocates); chunks keep the peak near the size of the text itself, twice.
    """

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                yield chunk

    try:
        with path.open("rb") as f:
            head = f.read(3)
        return _decode(chunks, head, path)
    except OSError as exc:
        raise IngestError(path, f"cannot read file: {exc.strerror or exc}") from exc


def _decode(chunks: Callable[[], Iterator[bytes]], head: bytes, path: Path | str
            ) -> tuple[str, str]:
    """Try each plausible encoding on a fresh stream of chunks; return the first that fits."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]  # the BOM says so; UTF-16 text is full of NUL bytes
    else:
        candidates = ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        parts: list[str] = []
        n_chars = 0
        try:
            for chunk in chunks():
                if encoding != "utf-16" and b"\x00" in chunk:
                    raise IngestError(path, "binary content (NUL bytes) in a text file")
                parts.append(decoder.decode(chunk))
                n_chars += len(parts[-1])
                if n_chars > MAX_DOC_CHARS:  # stop reading: memory stays bounded
                    raise _too_long(path)
            parts.append(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            continue
        text = "".join(parts)
        del parts
        if _looks_like_text(text, strict_scripts=encoding == "gb18030"):
            if encoding == "utf-8-sig":
                encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
            return text.removeprefix("\ufeff"), encoding
    raise IngestError(path, "binary content or unknown encoding (not UTF-8, UTF-16 or GB18030)")


def _looks_like_text(text: str, strict_scripts: bool) -> bool:
    """Whether decoded text is plausibly text rather than binary decoded by luck.

    GB18030 decodes most byte sequences, so text decoded with it must also be mostly in
    the scripts a Chinese document uses. Only a sample is checked: files can be large.
    """
    if "\x00" in text:
        return False
    sample = text[:_SAMPLE_CHARS] + text[-_SAMPLE_CHARS:] if len(text) > 2 * _SAMPLE_CHARS else text
    chars = [c for c in sample if not c.isspace()]
    if not chars:
        return True
    bad = sum(1 for c in chars if unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs"))
    if bad > len(chars) * 0.01:
        return False
    if strict_scripts:
        odd = sum(1 for c in chars if not _is_common_char(c))
        return odd <= len(chars) * 0.05
    return True


def _is_common_char(c: str) -> bool:
    """ASCII, Latin-1, general punctuation, CJK symbols/ideographs/compatibility, fullwidth."""
    o = ord(c)
    return (o < 0x100 or 0x2000 <= o <= 0x27FF or 0x3000 <= o <= 0x303F
            or 0x4E00 <= o <= 0x9FFF or 0xFF00 <= o <= 0xFFEF or 0xF900 <= o <= 0xFAFF)


def _read_html(path: Path, data: bytes) -> RawText:
    text, encoding = _decode_html(data, path)
    soup = BeautifulSoup(text, "html.parser")
    hints = _title_hints(soup)  # before _html_text drops the <head>
    return RawText(_html_text(soup), "html", encoding, hints)


def _title_hints(soup: BeautifulSoup) -> tuple[str, ...]:
    """The title a page gives in its <head>: the ArticleTitle that government sites' CMSs
    write, then the parts of <title> ("中华人民共和国防汛条例_法律法规_某市水务局")."""
    meta = soup.find("meta", attrs={"name": re.compile("^articletitle$", re.I)})
    hints = [str(meta.get("content", "")).strip()] if meta is not None else []
    if soup.title is not None:
        hints += re.split(r"\s*[_|｜\-–—·]\s*", soup.title.get_text(strip=True))
    return tuple(dict.fromkeys(h for h in hints if h))


def _decode_html(data: bytes, path: Path) -> tuple[str, str]:
    """Use the charset the page declares if it decodes cleanly, else sniff like text files."""
    match = _META_CHARSET.search(data[:4096])
    if match and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = match.group(1).decode("ascii").lower()
        if declared in ("gb2312", "gbk"):
            declared = "gb18030"  # superset; pages labelled gb2312 often use GBK characters
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            if _looks_like_text(text, strict_scripts=False):
                return text, declared
    return decode_text(data, path)


class _Break(NavigableString):
    """A line or cell boundary inserted around HTML block elements."""


def _html_text(soup: BeautifulSoup) -> str:
    """Visible text of a parsed page, one line per block element, no markup."""
    skipped = (Comment, Declaration, Doctype, ProcessingInstruction)
    hidden = [*soup.find_all(_DROP_TAGS), *soup.find_all(hidden=True),
              *soup.find_all(style=_HIDDEN_STYLE),
              *(t for t in soup.find_all(_PAGE_TAGS) if not t.find_parent(["article", "main"])),
              *(t for t in soup.find_all(["ul", "ol"]) if _is_link_menu(t))]
    for tag in hidden:
        if not tag.decomposed:  # it may sit inside a tag removed before it
            tag.decompose()
    _render_task_tables(soup)
    for tag in soup.find_all(_HEADING_TAGS):
        if tag.get_text(strip=True):  # the author's heading: marked like Markdown's "## "
            tag.insert(0, _Break("#" * int(tag.name[1]) + " "))
    for tag in soup.find_all([*_BLOCK_TAGS, "br"]):
        tag.insert_before(_Break("\n"))
        tag.insert_after(_Break("\n"))
    for tag in soup.find_all(list(_CELL_TAGS)):
        tag.insert_after(_Break(" "))
    parts: list[str] = []
    for node in soup.find_all(string=True):
        if isinstance(node, _Break):
            parts.append(str(node))
        elif isinstance(node, skipped):
            continue
        elif node.find_parent("pre") is not None:
            parts.append(str(node))
        else:
            # Browsers collapse whitespace in ordinary text: a newline in the source is
            # not a line break. Non-breaking spaces are kept.
            parts.append(re.sub(r"[ \t\r\n\f]+", " ", str(node)))
    lines = (line.strip(" ") for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _is_link_menu(tag: Tag) -> bool:
    """A list whose items are each one link and nothing else: a site's menu (首页, 机构设置,
    法律法规 …, whatever its section names) or a sidebar of related documents."""
    items = tag.find_all("li", recursive=False)
    return len(items) >= MENU_MIN_ITEMS and all(
        (text := li.get_text(strip=True)) and (link := li.find("a")) is not None
        and link.get_text(strip=True) == text for li in items)


def _render_task_tables(soup: BeautifulSoup) -> None:
    """Replace each task table (牵头单位/配合单位 columns) by its lines (ingest.tables)."""
    for table in soup.find_all("table"):
        if table.find("table") is not None:  # a layout table around other tables
            continue
        rows = []
        for tr in table.find_all("tr"):
            cells: list[str] = []
            for cell in tr.find_all(["td", "th"], recursive=False):
                cells.append(cell.get_text(" ", strip=True))
                span = str(cell.get("colspan", "1"))
                cells += [""] * (min(int(span), 50) - 1 if span.isdigit() and span != "0" else 0)
            rows.append(cells)
        if not is_task_table(rows):
            continue
        rendered = soup.new_tag("div")
        for line in table_lines(rows):
            paragraph = soup.new_tag("p")
            paragraph.string = line
            rendered.append(paragraph)
        table.replace_with(rendered)


def _read_pdf(path: Path) -> RawText:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            # Many official PDFs are encrypted only to restrict printing: an empty user
            # password opens them. Anything else needs a password we do not have.
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise IngestError(path, f"encrypted PDF; cannot decrypt: {exc}") from exc
            if not opened:
                raise IngestError(path, "encrypted PDF (password required) / 加密的PDF，需要密码")
        pages: list[str] = []
        n_chars = 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            n_chars += len(pages[-1])
            if n_chars > MAX_DOC_CHARS:
                raise _too_long(path)
    except IngestError:
        raise
    except FileNotDecryptedError as exc:
        raise IngestError(path, "encrypted PDF (password required) / 加密的PDF，需要密码") from exc
    except Exception as exc:  # pypdf raises many types on damaged files
        raise IngestError(
            path, f"corrupt or truncated PDF / PDF文件损坏: {type(exc).__name__}: {exc}"
        ) from exc
    if not pages:
        raise IngestError(path, "PDF has no pages / PDF没有页面")
    if not any(p.strip() for p in pages):
        raise IngestError(
            path, "PDF has no text layer (scanned image?) — needs OCR / 无文字层，需要OCR识别"
        )
    return RawText(PAGE_BREAK.join(pages), "pdf")


def _read_docx(path: Path) -> RawText:
    try:
        document = docx.Document(str(path))
        numbering = Numbering(document)  # "第一条", "一、" that Word numbers automatically
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_rows(block))
            else:
                lines.append(_heading_mark(block) + numbering.label(block) + block.text)
    except Exception as exc:  # zipfile, lxml and python-docx errors on damaged files
        raise IngestError(
            path, f"not a readable .docx (corrupt, encrypted or old .doc?): {type(exc).__name__}"
        ) from exc
    return RawText("\n".join(lines), "docx")


def _heading_mark(paragraph: Paragraph) -> str:
    """"## " for a paragraph in the style Heading 2 (标题 2): the author's heading, which
    chunking takes as a section even without a number (see ingest.chunking.parse_blocks)."""
    name = paragraph.style.name if paragraph.style is not None else ""
    m = re.fullmatch(r"(?:Heading|heading|标题)\s*([1-9])", name or "")
    return "#" * min(int(m.group(1)), 6) + " " if m and paragraph.text.strip() else ""


def _table_rows(table: Table) -> list[str]:
    """The table's lines (see ingest.tables.table_lines); merged cells appear once."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen = set()
        for cell in row.cells:
            # A horizontally merged cell is returned once per grid column it spans.
            cells.append("" if id(cell._tc) in seen else cell.text)
            seen.add(id(cell._tc))
        rows.append(cells)
    return table_lines(rows)
