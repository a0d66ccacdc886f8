"""Files made by tests: PDFs with a real text layer (typeset too), encrypted ones, scans, and
DOCX files numbered by Word."""

from __future__ import annotations

import io
import re

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from PIL import Image
from pypdf import PdfReader, PdfWriter


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF whose pages show the given lines as real (extractable) text.

    Uses the standard CJK font STSong-Light with the UniGB-UTF16-H encoding, so text is
    written as UTF-16BE and any PDF reader (and pypdf) maps it back to Unicode.
    """
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H"
        b" /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >>"
        b" /FontDescriptor 5 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    kids = []
    for lines in pages:
        ops = [b"BT /F1 12 Tf 16 TL 72 770 Td"]
        ops += [b"<%s> Tj T*" % line.encode("utf-16-be").hex().encode() for line in lines]
        stream = b"\n".join([*ops, b"ET"])
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
                       b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                       % len(objects))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def encrypted_pdf(lines: list[str], user_password: str = "secret") -> bytes:
    """A text PDF encrypted with RC4-128; an empty user password opens it without asking."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([lines]))))
    writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A one-page PDF holding only an image, as a scanner makes: no text layer."""
    out = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(out, "PDF")
    return out.getvalue()


def typeset_pdf(text: str, width: int = 34, lines_per_page: int = 38) -> bytes:
    """A document as a typeset PDF prints it: paragraphs wrapped at `width` characters (an
    article's first line indented), the title as running header from page 2, a page number
    "— n —" at each page's foot. Markdown heading marks and comments are left out."""
    paragraphs = [re.sub(r"^#+\s*", "", ln).strip() for ln in text.splitlines()]
    paragraphs = [p for p in paragraphs if p and not p.startswith("<!--")]
    lines: list[str] = []
    for p in paragraphs:
        if re.match(r"第[一二三四五六七八九十百零]+条", p):
            p = "\u3000\u3000" + p
        lines += [p[i:i + width] for i in range(0, len(p), width)]
    pages = []
    for start in range(0, len(lines), lines_per_page):
        header = [paragraphs[0]] if pages else []
        pages.append([*header, *lines[start:start + lines_per_page], f"— {len(pages) + 1} —"])
    return make_pdf(pages)


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def numbered_docx(path, paragraphs: list[tuple[str, int | None, int]],
                  levels: dict[int, list[tuple[str, str, str]]]) -> None:
    """A DOCX whose labels come from Word's automatic numbering, not from the text.

    Args:
        path: where to save it.
        paragraphs: (text, numId or None, level) in order; a negative numId numbers the
            paragraph through a paragraph style carrying numbering -numId.
        levels: numId -> its levels as (numFmt, lvlText, suff), e.g.
            [("chineseCounting", "第%1条", "space")].
    """
    document = docx.Document()
    numbering = document.part.numbering_part.element
    for num_id, lvls in levels.items():
        body = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:suff w:val="{suff}"/><w:lvlText w:val="{text}"/></w:lvl>'
            for i, (fmt, text, suff) in enumerate(lvls))
        abstract_id = 100 + num_id
        first_num = numbering.find(qn("w:num"))  # abstractNums must precede the nums
        abstract = parse_xml(f'<w:abstractNum {W_NS} w:abstractNumId="{abstract_id}">'
                             f"{body}</w:abstractNum>")
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        numbering.append(parse_xml(f'<w:num {W_NS} w:numId="{num_id}"><w:abstractNumId '
                                   f'w:val="{abstract_id}"/></w:num>'))
    styles: dict[int, object] = {}
    for text, num_id, level in paragraphs:
        if num_id is not None and num_id < 0:  # numbered through a paragraph style
            if num_id not in styles:
                style = document.styles.add_style(f"Numbered{-num_id}", 1)  # paragraph style
                style.base_style = document.styles["Normal"]
                style.element.get_or_add_pPr().append(parse_xml(
                    f'<w:numPr {W_NS}><w:numId w:val="{-num_id}"/></w:numPr>'))
                styles[num_id] = style
            document.add_paragraph(text, style=styles[num_id])
            continue
        paragraph = document.add_paragraph(text)
        if num_id is not None:
            paragraph._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {W_NS}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/>'
                "</w:numPr>"))
    document.save(path)
