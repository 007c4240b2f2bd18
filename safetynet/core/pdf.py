"""PDF building blocks shared by every printed document (公示、决定书、一户一档).

ReportLab lays the pages out; the Chinese fonts are EMBEDDED (subset) so a document prints the
same on any machine. ReportLab embeds TrueType outlines only: Debian's ``fonts-noto-cjk`` is
CFF-based OpenType and cannot be used here (fpdf2 can embed it, but subsetting the CFF font takes
about two seconds a document). The fonts come from Debian packages found by a list of known
paths: ``fonts-arphic-uming`` (AR PL UMing, 宋体-style body text) and ``fonts-wqy-microhei``
(WenQuanYi Micro Hei, 黑体-style headings); either alone is enough, both look better. A character
missing from the chosen font is drawn from the next registered font that has it.

Output is deterministic: the same data gives the same bytes (ReportLab's invariant mode, the PDF
dates set from the document's own date), so a stored document's SHA-256 can be re-derived.

Attached PDFs are spliced in with ``pypdf``: the layout reserves one blank page per attached page
(``AttachedPdf``), so page numbers and the table of contents stay right, then each reserved page
is replaced by the attached page with the archive's page number drawn in its top right corner
(the attachment keeps its own footer).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate
from reportlab.platypus.tableofcontents import TableOfContents

log = logging.getLogger(__name__)

PAGE_SIZE = A4
MARGIN_X = 25 * mm
MARGIN_TOP = 25 * mm
MARGIN_BOTTOM = 22 * mm
FRAME_WIDTH = PAGE_SIZE[0] - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_SIZE[1] - MARGIN_TOP - MARGIN_BOTTOM
_FRAME_PADDING = 6  # ReportLab's default frame padding, each side
CONTENT_WIDTH = FRAME_WIDTH - 2 * _FRAME_PADDING  # what a table may span

# ---------------------------------------------------------------------------------------------
# Fonts


@dataclass(frozen=True)
class FontFile:
    """A known location of a Chinese TrueType font and the Debian package that installs it."""

    path: str
    subfont: int  # index inside a .ttc collection
    package: str
    family: str  # "serif" (宋体/明体) or "sans" (黑体)


# Order matters: the first file found of each family is used for that family; the other family
# stands in when one is missing. Every file found is also a fallback for missing characters.
# uming.ttc subfont 0 is "AR PL UMing CN" (simplified-Chinese glyph forms).
FONT_FILES: tuple[FontFile, ...] = (
    FontFile("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "fonts-arphic-uming", "serif"),
    FontFile("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0, "fonts-arphic-gbsn00lp", "serif"),
    FontFile("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "fonts-wqy-microhei", "sans"),
    FontFile("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "fonts-wqy-zenhei", "sans"),
    FontFile("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0, "fonts-droid-fallback", "sans"),
)
RECOMMENDED_PACKAGES = ("fonts-arphic-uming", "fonts-wqy-microhei")


class ChineseFontMissing(RuntimeError):
    """No embeddable Chinese TrueType font is installed."""


@dataclass(frozen=True)
class Fonts:
    serif: str  # registered ReportLab font name for body text
    sans: str  # ... for headings
    files: dict[str, str]  # registered name -> file path
    chain: tuple[str, ...]  # every registered name, in fallback order


@functools.cache
def fonts() -> Fonts:
    """Register the Chinese fonts with ReportLab once per process and return their names."""
    found = [f for f in FONT_FILES if os.path.isfile(f.path)]
    if not found:
        raise ChineseFontMissing(
            _(
                "没有找到可嵌入 PDF 的中文 TrueType 字体（查找了：%(paths)s）。"
                "请安装 Debian 软件包：apt-get install %(packages)s。"
                "注意：fonts-noto-cjk 是 CFF 轮廓字体，ReportLab 无法嵌入。"
            )
            % {"paths": "、".join(f.path for f in FONT_FILES), "packages": " ".join(RECOMMENDED_PACKAGES)}
        )
    files: dict[str, str] = {}
    families: dict[str, str] = {}
    for number, font in enumerate(found):
        name = f"SafetyNet-{number}"
        pdfmetrics.registerFont(TTFont(name, font.path, subfontIndex=font.subfont))
        files[name] = font.path
        families.setdefault(font.family, name)
    first = next(iter(files))
    serif, sans = families.get("serif", first), families.get("sans", first)
    chain = (serif, sans) + tuple(n for n in files if n not in (serif, sans))
    return Fonts(serif=serif, sans=sans, files=files, chain=tuple(dict.fromkeys(chain)))


@functools.cache
def _cmap(name: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph)


def markup(text: object, font: str) -> str:
    """Text as Paragraph markup: XML-escaped, line breaks kept, and every run of characters the
    font lacks wrapped in the first registered font that has them (生僻字 in names)."""
    text = "" if text is None else str(text)
    chain = fonts().chain
    have = _cmap(font)
    out: list[str] = []
    run_font, run = font, list[str]()

    def flush() -> None:
        if run:
            piece = escape("".join(run))
            out.append(piece if run_font == font else f'<font face="{run_font}">{piece}</font>')
            run.clear()

    for ch in text:
        if ch == "\n":
            flush()
            out.append("<br/>")
            continue
        target = font
        if ord(ch) > 0x7E and ord(ch) not in have:
            target = next((n for n in chain if ord(ch) in _cmap(n)), font)
            if target == font:
                log.warning("no installed font has the character %r (U+%04X)", ch, ord(ch))
        if target != run_font:
            flush()
            run_font = target
        run.append(ch)
    flush()
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Styles and small flowables


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle  # level-0 section heading (goes into the table of contents)
    subheading: ParagraphStyle
    body: ParagraphStyle
    body_indent: ParagraphStyle  # first line indented two characters (公文 paragraphs)
    small: ParagraphStyle
    right: ParagraphStyle
    center: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    cell_alert: ParagraphStyle  # a failed test, a problem
    cell_head: ParagraphStyle
    toc: tuple[ParagraphStyle, ...]


@functools.cache
def styles() -> Styles:
    f = fonts()

    def s(name: str, **kw) -> ParagraphStyle:
        kw.setdefault("fontName", f.serif)
        kw.setdefault("fontSize", 12)
        kw.setdefault("leading", kw["fontSize"] * 1.6)
        kw.setdefault("wordWrap", "CJK")
        return ParagraphStyle(name, **kw)

    return Styles(
        title=s("sn-title", fontName=f.sans, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=6),
        subtitle=s("sn-subtitle", fontSize=12, alignment=TA_CENTER, spaceAfter=12),
        heading=s("sn-heading", fontName=f.sans, fontSize=15, leading=22, spaceBefore=10, spaceAfter=6),
        subheading=s(
            "sn-subheading", fontName=f.sans, fontSize=12.5, leading=19, spaceBefore=6, spaceAfter=3
        ),
        body=s("sn-body", alignment=TA_JUSTIFY, spaceAfter=3),
        body_indent=s("sn-body-indent", alignment=TA_JUSTIFY, firstLineIndent=24, spaceAfter=3),
        small=s("sn-small", fontSize=9.5, leading=14, textColor=colors.HexColor("#333333")),
        right=s("sn-right", alignment=TA_RIGHT),
        center=s("sn-center", alignment=TA_CENTER),
        cell=s("sn-cell", fontSize=10.5, leading=15, alignment=TA_LEFT),
        cell_right=s("sn-cell-right", fontSize=10.5, leading=15, alignment=TA_RIGHT),
        cell_center=s("sn-cell-center", fontSize=10.5, leading=15, alignment=TA_CENTER),
        cell_alert=s("sn-cell-alert", fontSize=10.5, leading=15, textColor=colors.HexColor("#B03A2E")),
        cell_head=s("sn-cell-head", fontName=f.sans, fontSize=10.5, leading=15, alignment=TA_CENTER),
        toc=(
            s("sn-toc0", fontSize=12, leading=22, leftIndent=0),
            s("sn-toc1", fontSize=11, leading=18, leftIndent=24),
        ),
    )


def para(text: object, style: ParagraphStyle, *, toc_level: int | None = None) -> Paragraph:
    """A paragraph of plain text (escaped) in ``style``; ``toc_level`` puts it in the table of
    contents and the PDF outline."""
    p = Paragraph(markup(text, style.fontName), style)
    if toc_level is not None:
        p._sn_toc = (toc_level, str(text))  # type: ignore[attr-defined]
    return p


def yuan(amount: Decimal | int | float) -> str:
    """``Decimal("1234.5")`` → ``"1,234.50"`` (yuan, two decimals, thousands separated)."""
    return f"{Decimal(amount).quantize(Decimal('0.01')):,.2f}"


def date_zh(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def month_zh(value: dt.date) -> str:
    return f"{value.year}年{value.month}月"


_NUMERALS = "零一二三四五六七八九"


def ordinal_zh(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (numbering of points in a letter, up to 99)."""
    if n < 10:
        return _NUMERALS[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[units] if units else "")


GRID = colors.HexColor("#555555")
HEAD_FILL = colors.HexColor("#EEEEEE")


def grid_table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[float],
    *,
    right: Iterable[int] = (),
    center: Iterable[int] = (),
    footer: Sequence[object] | None = None,
) -> Table:
    """A ruled table whose header repeats on every page. ``right`` and ``center`` list the
    columns aligned so (amounts right, counts centred); ``widths`` are fractions of the content
    width. A cell may be a ready flowable (``para(text, styles().cell_alert)``)."""
    st = styles()
    align = {**{i: st.cell_right for i in right}, **{i: st.cell_center for i in center}}

    def row(values: Sequence[object]) -> list[Flowable]:
        return [
            v if isinstance(v, Flowable) else para(v, align.get(i, st.cell)) for i, v in enumerate(values)
        ]

    data = [[para(h, st.cell_head) for h in header]] + [row(r) for r in rows]
    if footer is not None:
        data.append(row(footer))
    table = Table(data, colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), fonts().serif),  # else the table sets Helvetica (not embedded)
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if footer is not None:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), HEAD_FILL))
    table.setStyle(TableStyle(commands))
    return table


def field_table(pairs: Iterable[tuple[str, object]], *, label_width: float = 0.28) -> Table:
    """Label / value rows (a form-like block: 家庭编号 | 3201...)."""
    st = styles()
    data = [[para(label, st.cell_head), para(value, st.cell)] for label, value in pairs]
    table = Table(data, colWidths=[label_width * CONTENT_WIDTH, (1 - label_width) * CONTENT_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts().serif),
                ("GRID", (0, 0), (-1, -1), 0.6, GRID),
                ("BACKGROUND", (0, 0), (0, -1), HEAD_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


class SealPlaceholder(Flowable):
    """Where the issuing authority's seal goes: a dashed circle of the usual seal size (4.2 cm)
    centred on the signature block above it (authority and date, two lines in ``style``), with
    the placeholder text inside. Takes no room of its own."""

    def __init__(self, text: str, signature: str, style: ParagraphStyle, diameter: float = 42 * mm) -> None:
        super().__init__()
        self.text = text
        self.signature = signature
        self.style = style
        self.diameter = diameter

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, 0

    def draw(self) -> None:
        c = self.canv
        r = self.diameter / 2
        width = pdfmetrics.stringWidth(self.signature, self.style.fontName, self.style.fontSize)
        x = self.width - width / 2
        y = self.style.leading  # middle of the two lines drawn just above
        c.saveState()
        c.setStrokeColor(colors.HexColor("#C0392B"))
        c.setFillColor(colors.HexColor("#C0392B"))
        c.setDash(3, 3)
        c.setLineWidth(0.8)
        c.circle(x, y, r)
        c.setFont(fonts().serif, 10)
        c.drawCentredString(x, y + r - 16, self.text)
        c.restoreState()


class AttachedPdf(Flowable):
    """Reserves whole pages for the pages of an attached PDF; ``build`` splices them in."""

    def __init__(self, content: bytes, pages: int) -> None:
        super().__init__()
        self.content = content
        self.pages = pages
        self.first_page: int | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # As tall as an empty frame: it never shares a page and the next flowable starts afresh.
        return availWidth, FRAME_HEIGHT - 2 * _FRAME_PADDING - 0.1

    def split(self, availWidth: float, availHeight: float) -> list:
        return []

    def draw(self) -> None:
        self.first_page = self.canv.getPageNumber()
        # The attached page keeps its own footer; the archive's page number goes to the top.
        pages: set[int] = getattr(self.canv, "attached_pages", set())
        pages.add(self.canv.getPageNumber())


def attached_pdf(content: bytes) -> list[Flowable]:
    """One ``AttachedPdf`` per page of ``content`` (a PDF already checked by ``pdf_page_count``)."""
    marker = AttachedPdf(content, pdf_page_count(content))
    return [marker] + [AttachedPdf(b"", 0) for _ in range(marker.pages - 1)]


def pdf_reader(content: bytes, *, label: str = ""):
    """A ``pypdf`` reader over ``content``. A PDF protected only against editing (an empty
    open password, common for documents from other departments) is opened; one that cannot be
    read (damaged, or needing a password) is a ValidationError naming ``label``."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("附件“%(l)s”是加密的 PDF，无法并入档案，请上传未加密的文件") % {"l": label}
            )
        len(reader.pages)  # reads the page tree: a damaged file fails here, not while splicing
        return reader
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError) as exc:
        raise ValidationError(_("附件“%(l)s”不是可读取的 PDF（%(e)s）") % {"l": label, "e": exc}) from exc


def pdf_page_count(content: bytes, *, label: str = "") -> int:
    """Pages of a PDF (see ``pdf_reader`` for what is refused)."""
    return len(pdf_reader(content, label=label).pages)


# ---------------------------------------------------------------------------------------------
# Documents


@dataclass(frozen=True)
class DocumentInfo:
    """What goes into the PDF's properties and the running footer."""

    title: str
    date: dt.date  # the document's own date: also its PDF creation date (deterministic output)
    author: str = ""  # the issuing authority
    subject: str = ""
    footer: str = ""  # left part of the footer; the page number is on the right
    numbered_from: int = 1  # first page that shows the footer (2: a cover page without one)


def _dated_canvas(info: DocumentInfo) -> type[Canvas]:
    stamp = f"D:{info.date:%Y%m%d}000000+08'00'"

    class DatedCanvas(Canvas):
        """The PDF's creation and modification dates are the document's own date, so the same
        data gives the same bytes."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._doc.setDateFormatter(lambda *a: stamp)
            self.attached_pages: set[int] = set()  # pages reserved for an attached PDF

    return DatedCanvas


class _PageTotal(Flowable):
    """Makes ``multiBuild`` lay the story out again until the total number of pages printed in
    the footer ("共 N 页") is the number of pages the layout produced."""

    def __init__(self, doc: _Document) -> None:
        super().__init__()
        self.doc = doc
        self.seen: int | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass

    def isIndexing(self) -> int:
        return 1

    def beforeBuild(self) -> None:
        self.doc.page_total = self.seen

    def afterBuild(self) -> None:
        self.seen = self.doc.page

    def isSatisfied(self) -> bool:
        return self.seen == self.doc.page_total

    def notify(self, kind: str, stuff: object) -> None:
        pass  # multiBuild tells every indexing flowable about every entry


class _Document(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, info: DocumentInfo) -> None:
        super().__init__(
            buffer,
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=info.title,
            author=info.author,
            subject=info.subject,
            creator="SafetyNet",
            producer="SafetyNet (ReportLab)",
            invariant=1,
            lang="zh-CN",
            displayDocTitle=1,
            initialFontName=fonts().serif,
            initialFontSize=12,
        )
        self.info = info
        self.page_total: int | None = None
        pad = _FRAME_PADDING
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, FRAME_HEIGHT, pad, pad, pad, pad, id="body")
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=self._footer)])
        self._outline = 0

    def _footer(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        info, page = self.info, canvas.getPageNumber()
        if page < info.numbered_from:
            return
        canvas.saveState()
        canvas.setFont(fonts().serif, 9)
        canvas.setFillColor(colors.HexColor("#444444"))
        number = f"第 {page} 页  共 {self.page_total or '?'} 页"
        if page in getattr(canvas, "attached_pages", ()):
            # Over an attached page: top right, clear of the attachment's own footer.
            canvas.drawRightString(PAGE_SIZE[0] - 12 * mm, PAGE_SIZE[1] - 9 * mm, f"{info.footer}  {number}")
        else:
            y = MARGIN_BOTTOM - 10 * mm
            if info.footer:
                canvas.drawString(MARGIN_X, y, info.footer)
            canvas.drawRightString(PAGE_SIZE[0] - MARGIN_X, y, number)
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        entry = getattr(flowable, "_sn_toc", None)
        if entry is None:
            return
        level, text = entry
        self._outline += 1
        key = f"sn-{self._outline}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        self.notify("TOCEntry", (level, text, self.page, key))

    def beforeDocument(self) -> None:
        self._outline = 0


def table_of_contents() -> TableOfContents:
    toc = TableOfContents(dotsMinLevel=0)
    toc.levelStyles = list(styles().toc)
    toc.tableStyle = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), fonts().serif),  # else Helvetica, not embedded
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return toc


def build(story: list[Flowable], info: DocumentInfo) -> bytes:
    """Lay out ``story`` on A4 pages and return the PDF: footer with "第 n 页 共 N 页", outline
    (bookmarks) from the headings, the table of contents if the story has one, attached PDFs
    spliced in. Two layout passes at least (the total page count, the table of contents)."""
    fonts()
    buffer = io.BytesIO()
    doc = _Document(buffer, info)
    doc.multiBuild([_PageTotal(doc), *story], canvasmaker=_dated_canvas(info))
    content = buffer.getvalue()
    attached = [f for f in story if isinstance(f, AttachedPdf) and f.pages]
    return splice(content, [(f.first_page, f.content) for f in attached]) if attached else content


def splice(base: bytes, inserts: Sequence[tuple[int | None, bytes]]) -> bytes:
    """Replace the reserved pages of ``base`` (1-based first page, content) by the attached
    PDF's pages, each with the reserved page (its page number) drawn on top."""
    from pypdf import PageObject, PdfReader, PdfWriter, Transformation

    reader = PdfReader(io.BytesIO(base))
    replaced: dict[int, PageObject] = {}
    for first, content in inserts:
        if first is None:
            raise RuntimeError("an attached PDF was not laid out")
        for offset, page in enumerate(pdf_reader(content).pages):
            replaced[first - 1 + offset] = page
    writer = PdfWriter()
    for index, own in enumerate(reader.pages):
        attached = replaced.get(index)
        if attached is None:
            writer.add_page(own)
            continue
        added = writer.add_page(attached)
        added.transfer_rotation_to_content()
        box = added.mediabox
        # The reserved page carries only the page number in its top right corner: align corners.
        dx, dy = float(box.right) - PAGE_SIZE[0], float(box.top) - PAGE_SIZE[1]
        added.merge_transformed_page(own, Transformation().translate(dx, dy))
    # Keep the outline (bookmarks) of the laid-out document.
    _copy_outline(reader, writer)
    writer.add_metadata({k: v for k, v in (reader.metadata or {}).items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _copy_outline(reader, writer) -> None:
    def walk(items, parent=None) -> None:
        last = parent
        for item in items:
            if isinstance(item, list):
                walk(item, last)
                continue
            page = reader.get_destination_page_number(item)
            last = writer.add_outline_item(title=item.title, page_number=page, parent=parent)

    walk(reader.outline)
