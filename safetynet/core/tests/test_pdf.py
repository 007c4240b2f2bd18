"""The PDF building blocks: embedded Chinese fonts, text that survives extraction, page totals,
attached PDFs spliced in with the right page numbers, deterministic output."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak

from safetynet.core import pdf

INFO = pdf.DocumentInfo(title="测试文书", date=dt.date(2026, 8, 3), author="示范县民政局", footer="测试页脚")


def text_of(content: bytes) -> list[str]:
    """Text of each page, whitespace removed (Chinese lines wrap anywhere)."""
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def fonts_of(content: bytes) -> list[dict]:
    found = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            found.append(
                {
                    "name": str(font["/BaseFont"]),
                    "embedded": any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")),
                }
            )
    return found


def simple_pdf(*markers: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for marker in markers:
        canvas.setFont("Helvetica", 20)
        canvas.drawString(72, 700, marker)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_a_chinese_truetype_font_is_found_and_registered():
    fonts = pdf.fonts()
    assert fonts.serif in fonts.chain and fonts.sans in fonts.chain
    assert all(path.endswith((".ttc", ".ttf")) for path in fonts.files.values())


def test_every_font_in_a_document_is_embedded_and_the_chinese_text_extracts():
    st = pdf.styles()
    story = [
        pdf.para("最低生活保障审核确认", st.title),
        pdf.para("示民救〔2026〕123号：张伟、李秀英", st.body),
    ]
    content = pdf.build(story, INFO)
    fonts = fonts_of(content)
    assert fonts and all(f["embedded"] for f in fonts), fonts
    assert not any("Helvetica" in f["name"] for f in fonts)
    text = text_of(content)[0]
    assert "最低生活保障审核确认" in text
    assert "示民救〔2026〕123号：张伟、李秀英" in text


def test_the_footer_shows_the_page_number_and_the_total():
    st = pdf.styles()
    story = [
        pdf.para("第一页", st.body),
        PageBreak(),
        pdf.para("第二页", st.body),
        PageBreak(),
        pdf.para("末页", st.body),
    ]
    pages = text_of(pdf.build(story, INFO))
    assert len(pages) == 3
    assert "测试页脚" in pages[0] and "第1页共3页" in pages[0]
    assert "第3页共3页" in pages[2]


def test_a_cover_page_has_no_footer_when_numbering_starts_at_two():
    st = pdf.styles()
    info = pdf.DocumentInfo(title="档案", date=dt.date(2026, 8, 3), footer="一户一档", numbered_from=2)
    pages = text_of(pdf.build([pdf.para("封面", st.title), PageBreak(), pdf.para("正文", st.body)], info))
    assert "一户一档" not in pages[0] and "第2页共2页" in pages[1]


def test_the_same_story_gives_the_same_bytes_and_the_document_date():
    st = pdf.styles()
    first = pdf.build([pdf.para("公示", st.body)], INFO)
    second = pdf.build([pdf.para("公示", st.body)], INFO)
    assert first == second
    assert PdfReader(io.BytesIO(first)).metadata["/CreationDate"].startswith("D:20260803")


def test_markup_escapes_and_takes_missing_characters_from_another_font():
    fonts = pdf.fonts()
    assert pdf.markup("<张&三>\n二", fonts.serif) == "&lt;张&amp;三&gt;<br/>二"
    serif, others = pdf._cmap(fonts.serif), [n for n in fonts.chain if n != fonts.serif]
    rare = next(
        (chr(c) for n in others for c in sorted(pdf._cmap(n) - serif) if 0x4E00 <= c <= 0x9FFF),
        None,
    )
    if rare is None:
        pytest.skip("only one Chinese font installed: nothing to fall back to")
    marked = pdf.markup(f"张{rare}", fonts.serif)
    assert marked.startswith("张<font face=") and marked.endswith(f">{rare}</font>")


def test_a_missing_font_names_the_debian_packages(monkeypatch):
    monkeypatch.setattr(pdf, "FONT_FILES", (pdf.FontFile("/nonexistent/font.ttc", 0, "x", "serif"),))
    pdf.fonts.cache_clear()
    try:
        with pytest.raises(pdf.ChineseFontMissing) as excinfo:
            pdf.fonts()
        message = str(excinfo.value)
        assert "fonts-arphic-uming" in message and "fonts-wqy-microhei" in message
        assert "/nonexistent/font.ttc" in message
    finally:
        monkeypatch.undo()
        pdf.fonts.cache_clear()
        pdf.fonts()


def test_attached_pdf_pages_are_spliced_in_place_with_the_archive_page_number():
    st = pdf.styles()
    attachment = simple_pdf("ATTACHED-1", "ATTACHED-2", "ATTACHED-3")
    story = [
        pdf.para("正文开始", st.heading, toc_level=0),
        *pdf.attached_pdf(attachment),
        pdf.para("附件之后", st.heading, toc_level=0),
    ]
    content = pdf.build(story, INFO)
    pages = text_of(content)
    assert len(pages) == 5
    assert "正文开始" in pages[0]
    for number, page in enumerate(pages[1:4], start=1):
        assert f"ATTACHED-{number}" in page
        assert f"第{number + 1}页共5页" in page  # the archive's numbering, drawn over the attachment
    assert "附件之后" in pages[4] and "第5页共5页" in pages[4]
    reader = PdfReader(io.BytesIO(content))
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    assert outline == {"正文开始": 0, "附件之后": 4}


def encrypted(content: bytes, *, user: str, owner: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(content))
    writer.encrypt(user_password=user, owner_password=owner)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_an_unreadable_or_password_protected_pdf_is_a_validation_error_naming_it():
    with pytest.raises(ValidationError) as excinfo:
        pdf.pdf_page_count(b"%PDF-1.4 broken", label="核对报告")
    assert "核对报告" in excinfo.value.messages[0]
    with pytest.raises(ValidationError) as excinfo:
        pdf.pdf_page_count(encrypted(simple_pdf("SECRET"), user="pw", owner="pw"), label="加密件")
    assert "加密" in excinfo.value.messages[0] and "加密件" in excinfo.value.messages[0]


def test_a_pdf_protected_only_against_editing_is_spliced_in():
    attachment = encrypted(simple_pdf("LOCKED-1", "LOCKED-2"), user="", owner="owner")
    assert pdf.pdf_page_count(attachment) == 2
    pages = text_of(pdf.build([pdf.para("正文", pdf.styles().body), *pdf.attached_pdf(attachment)], INFO))
    assert len(pages) == 3 and "LOCKED-1" in pages[1] and "LOCKED-2" in pages[2]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (31, "三十一")],
)
def test_ordinals_in_chinese(value, expected):
    assert pdf.ordinal_zh(value) == expected


def test_money_and_dates():
    from decimal import Decimal

    assert pdf.yuan(Decimal("1234.5")) == "1,234.50"
    assert pdf.yuan(0) == "0.00"
    assert pdf.date_zh(dt.date(2026, 8, 3)) == "2026年8月3日"
    assert pdf.month_zh(dt.date(2026, 9, 1)) == "2026年9月"
