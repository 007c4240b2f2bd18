"""Public notices, decision letters and case files as PDFs: what they say, what they must not
say, and what bad input is refused with."""

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from safetynet.applications import letters
from safetynet.applications.letters import (
    AppealRights,
    Approval,
    Attachment,
    CaseFileData,
    FailedRule,
    LetterData,
    MemberPart,
    NoticeData,
    NoticeLine,
    Refusal,
    RulesSnapshot,
    Section,
)
from safetynet.core.testing import make_id_number

ID_NUMBER = make_id_number("320111", "19800101", 7)
PHONE = "13812345678"


def pages_of(content: bytes) -> list[str]:
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def text_of(content: bytes) -> str:
    return "".join(pages_of(content))


def embedded(content: bytes) -> bool:
    reader = PdfReader(io.BytesIO(content))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is None or "/FontFile2" not in descriptor.get_object():
                return False
    return True


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- public notice ---------------------------------------------------------------------------


def household_record(name: str, size: int, amount: str) -> dict:
    """A wider record than a notice may show, as a caller might hand it over."""
    return {
        "applicant_name": name,
        "household_size": size,
        "monthly_amount": Decimal(amount),
        "village": "东风村",
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "address": "东风村五组 18 号",
        "disability": "肢体残疾二级",
        "illness": "尿毒症",
    }


def notice(**changes) -> NoticeData:
    data = NoticeData(
        program="最低生活保障",
        township="城关镇人民政府",
        village="东风村",
        start=dt.date(2026, 8, 3),
        end=dt.date(2026, 8, 9),
        lines=tuple(
            NoticeLine.from_mapping(household_record(*row))
            for row in [("张伟", 3, "1234.50"), ("李秀英", 1, "680"), ("王建国", 4, "2010.00")]
        ),
        objection_phone="0551-6221 3456",
        objection_address="城关镇人民政府社会事务办公室",
        issued_on=dt.date(2026, 8, 3),
        legal_basis="《最低生活保障审核确认办法》第十九条",
    )
    return dataclasses.replace(data, **changes)


def test_the_notice_names_the_households_the_period_and_how_to_object():
    content = letters.render_public_notice(notice())
    text = text_of(content)
    for expected in [
        "东风村最低生活保障审核确认公示",
        "城关镇人民政府",
        "公示期：2026年8月3日至2026年8月9日（共7天）",
        "张伟",
        "李秀英",
        "王建国",
        "1,234.50",
        "680.00",
        "2,010.00",
        "合计3户8人",
        "联系电话：0551-62213456",
        "城关镇人民政府社会事务办公室",
        "2026年8月3日",
    ]:
        assert expected in text, expected
    assert embedded(content)


def test_the_notice_shows_no_identity_number_phone_address_or_health_even_when_handed_them():
    text = text_of(letters.render_public_notice(notice()))
    for secret in [ID_NUMBER, ID_NUMBER[-4:], PHONE, PHONE[-4:], "五组", "残疾", "尿毒症"]:
        assert secret not in text, secret


def test_a_notice_line_has_no_field_for_an_identity_number():
    with pytest.raises(TypeError):
        NoticeLine(
            applicant_name="张伟",
            household_size=1,
            monthly_amount=Decimal(1),
            village="东风村",
            id_number="1",
        )  # type: ignore[call-arg]
    assert {f.name for f in dataclasses.fields(NoticeLine)} == {
        "applicant_name",
        "household_size",
        "monthly_amount",
        "village",
    }


def test_a_number_smuggled_into_a_name_is_refused():
    line = NoticeLine(f"张伟{ID_NUMBER}", 1, Decimal("100"), "东风村")
    with pytest.raises(ValidationError) as excinfo:
        letters.render_public_notice(notice(lines=(line,)))
    assert "lines[1].applicant_name" in errors_of(excinfo)


def test_a_notice_without_lines_or_with_a_backwards_period_lists_every_problem():
    with pytest.raises(ValidationError) as excinfo:
        letters.render_public_notice(notice(lines=(), end=dt.date(2026, 8, 1), objection_phone=""))
    errors = errors_of(excinfo)
    assert set(errors) >= {"lines", "end", "objection_phone"}
    assert "公示名单不能为空" in errors["lines"][0]


def test_a_bad_line_is_named_by_its_position():
    lines = (NoticeLine("张伟", 0, Decimal("-5"), ""),)
    with pytest.raises(ValidationError) as excinfo:
        letters.render_public_notice(notice(lines=lines))
    assert set(errors_of(excinfo)) == {
        "lines[1].household_size",
        "lines[1].monthly_amount",
        "lines[1].village",
    }


# --- decision letters ------------------------------------------------------------------------


def approval_letter(**changes) -> LetterData:
    decision = Approval(
        program="最低生活保障",
        covered_persons=("张伟", "刘芳", "张小明"),
        monthly_amount=Decimal("1334.50"),
        first_payment_month=dt.date(2026, 9, 1),
        next_review_date=dt.date(2027, 8, 31),
        member_parts=(
            MemberPart("张伟", Decimal("411.50")),
            MemberPart("刘芳", Decimal("411.50")),
            MemberPart("张小明", Decimal("511.50"), "含未成年人分类施保 100.00 元"),
        ),
        report_reference="《最低生活保障审核确认办法》第三十条",
    )
    data = LetterData(
        document_number="示民救〔2026〕123号",
        authority="示范县民政局",
        township="城关镇人民政府",
        addressee_name="张伟",
        household_number="H32011100100100001",
        village="城关镇东风村",
        decision=decision,
        decided_on=dt.date(2026, 8, 20),
        application_date=dt.date(2026, 7, 6),
    )
    return dataclasses.replace(data, **changes)


def refusal_letter(**changes) -> LetterData:
    decision = Refusal(
        program="最低生活保障",
        reasons=("经家庭经济状况核对，你户月人均收入高于当地低保标准。",),
        failed_rules=(
            FailedRule(
                "月人均收入低于当地最低生活保障标准", "审核确认办法 第13条", "月人均收入高于标准 120 元"
            ),
        ),
        **changes,
    )
    return dataclasses.replace(approval_letter(), document_number="示民救〔2026〕124号", decision=decision)


def test_an_approval_letter_states_the_number_amounts_start_duties_and_review():
    content = letters.render_decision_letter(approval_letter())
    text = text_of(content)
    for expected in [
        "最低生活保障审核确认决定书",
        "示民救〔2026〕123号",
        "张伟（家庭编号：H32011100100100001，城关镇东风村）",
        "准予你户享受最低生活保障，保障人数3人：张伟、刘芳、张小明",
        "月保障金额1,334.50元",
        "511.50",
        "含未成年人分类施保100.00元",
        "自2026年9月起按月发放",
        "家庭人口、收入、财产状况发生变化的，应当及时如实告知城关镇人民政府",
        "下次复核时间：2027年8月31日",
        "示范县民政局",
        "2026年8月20日",
        "（印章）",
    ]:
        assert expected in text, expected
    assert "行政复议" not in text
    assert embedded(content)


def test_member_parts_must_add_up_to_the_household_amount():
    letter = approval_letter()
    parts = letter.decision.member_parts[:2]
    with pytest.raises(ValidationError) as excinfo:
        letters.render_decision_letter(
            dataclasses.replace(letter, decision=dataclasses.replace(letter.decision, member_parts=parts))
        )
    assert "823.00" in errors_of(excinfo)["decision.member_parts"][0]


def test_payment_cannot_start_in_the_month_of_the_decision():
    letter = approval_letter()
    decision = dataclasses.replace(letter.decision, first_payment_month=dt.date(2026, 8, 1))
    with pytest.raises(ValidationError) as excinfo:
        letters.render_decision_letter(dataclasses.replace(letter, decision=decision))
    assert "decision.first_payment_month" in errors_of(excinfo)


def test_a_refusal_gives_reasons_the_failed_rule_and_the_right_to_appeal():
    content = letters.render_decision_letter(
        refusal_letter(appeal=AppealRights(reconsideration_body="示范县人民政府", court="示范县人民法院"))
    )
    text = text_of(content)
    for expected in [
        "示民救〔2026〕124号",
        "不予批准你户的最低生活保障申请",
        "月人均收入高于当地低保标准",
        "月人均收入低于当地最低生活保障标准",
        "审核确认办法第13条",
        "月人均收入高于标准120元",
        "自收到本决定书之日起60日内向示范县人民政府申请行政复议",
        "《中华人民共和国行政复议法》第二十条",
        "6个月内向示范县人民法院提起行政诉讼",
        "《中华人民共和国行政诉讼法》第四十六条",
    ]:
        assert expected in text, expected
    assert embedded(content)


def test_the_appeal_periods_are_data():
    text = text_of(
        letters.render_decision_letter(refusal_letter(appeal=AppealRights(reconsideration_days=90)))
    )
    assert "90日内向有管辖权的行政复议机关申请行政复议" in text


def test_a_refusal_without_reasons_is_refused():
    letter = refusal_letter()
    with pytest.raises(ValidationError) as excinfo:
        letters.render_decision_letter(
            dataclasses.replace(
                letter, decision=dataclasses.replace(letter.decision, reasons=()), document_number=""
            )
        )
    assert set(errors_of(excinfo)) == {"decision.reasons", "document_number"}


def test_failed_rules_come_from_the_rules_explanation():
    entry = {
        "eligible": False,
        "tests": [
            {"label_zh": "人均货币财产不超过上限", "reference": "审核确认办法 第14条", "passed": True},
            {
                "label_zh": "机动车符合规定",
                "reference": "审核确认办法 第14条",
                "passed": False,
                "value": 1,
                "operator": "<=",
                "threshold": 0,
            },
        ],
        "distance": {"zh": "名下机动车 1 辆"},
    }
    (rule,) = letters.failed_rules_from_explanation(entry)
    assert rule == FailedRule("机动车符合规定", "审核确认办法 第14条", "名下机动车 1 辆")
    assert FailedRule.from_test(entry["tests"][1]).detail == "核定值 1，要求 ≤ 0"


# --- case file -------------------------------------------------------------------------------


def three_page_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for number in (1, 2, 3):
        canvas.setFont("Helvetica", 20)
        canvas.drawString(72, 700, f"AUTHORISATION-SCAN-{number}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGBA", (600, 380), (200, 220, 255, 255)).save(buffer, "PNG")
    return buffer.getvalue()


EXPLANATION = {
    "label_zh": "最低生活保障",
    "eligible": True,
    "monthly_amount": 1334.5,
    "tests": [
        {
            "code": "DB_INCOME",
            "label_zh": "月人均收入低于低保标准",
            "value": 755.17,
            "operator": "<",
            "threshold": 1200,
            "passed": True,
            "reference": "审核确认办法 第13条",
        },
        {
            "code": "DB_VEHICLE",
            "label_zh": "机动车符合规定",
            "value": 0,
            "operator": "<=",
            "threshold": 0,
            "passed": True,
            "reference": "审核确认办法 第14条",
        },
    ],
    "distance": {"zh": "月人均收入低于标准 444.83 元"},
}


def case_file(**changes) -> CaseFileData:
    data = CaseFileData(
        household_number="H32011100100100001",
        applicant_name="张伟",
        village="东风村",
        township="城关镇人民政府",
        case_number="A2026-000123",
        program="最低生活保障",
        opened_on=dt.date(2026, 7, 6),
        decided_on=dt.date(2026, 8, 20),
        outcome="批准",
        compiled_on=dt.date(2026, 8, 25),
        compiled_by="王丽",
        authority="示范县民政局",
        application=Section(
            fields=(("申请日期", dt.date(2026, 7, 6)), ("申请人证件号码", ID_NUMBER), ("联系电话", PHONE)),
            table_header=("姓名", "关系"),
            table_rows=(("张伟", "本人"), ("刘芳", "配偶")),
            attachments=(Attachment("户口簿", png()),),
        ),
        authorisations=Section(
            paragraphs=("全体家庭成员已签署授权书。",),
            attachments=(Attachment("授权书", three_page_pdf()),),
        ),
        visits=Section(paragraphs=("2026年7月10日入户调查，调查人员两名。",)),
        rules=Section(
            rules=(
                RulesSnapshot.from_explanation(EXPLANATION, month=dt.date(2026, 8, 1), rules_version="0.1.0"),
            )
        ),
    )
    return dataclasses.replace(data, **changes)


def test_a_case_file_has_a_cover_contents_and_every_section():
    content = letters.render_case_file(case_file())
    pages = pages_of(content)
    assert "一户一档" in pages[0] and "A2026-000123" in pages[0] and "2026年8月20日" in pages[0]
    assert "目录" in pages[1]
    text = "".join(pages)
    for heading in [
        "一、申请材料",
        "二、授权核对书",
        "三、入户调查记录",
        "四、家庭经济状况核对报告",
        "五、评估结果（规则快照）",
        "六、公示",
        "七、审核确认决定",
    ]:
        assert heading in pages[1] and heading in "".join(pages[2:]), heading
    assert "本案无此项材料" in text  # verification, notice, decision are empty here
    assert "月人均收入低于低保标准" in text and "审核确认办法第13条" in text and "0.1.0" in text
    assert embedded_chinese_fonts(content)


def embedded_chinese_fonts(content: bytes) -> bool:
    """Every font of the pages the case file laid out itself (not the attachment's) is embedded."""
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/BaseFont"] == "/Helvetica":  # the attached test scan's own font
                continue
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            names.add(str(font["/BaseFont"]))
    return bool(names)


def test_an_attached_pdf_becomes_pages_of_the_case_file_in_its_section():
    without = letters.render_case_file(
        case_file(authorisations=Section(paragraphs=("全体家庭成员已签署授权书。",)))
    )
    content = letters.render_case_file(case_file())
    pages = pages_of(content)
    assert len(pages) == len(pages_of(without)) + 3
    found = [i for i, page in enumerate(pages) if "AUTHORISATION-SCAN-" in page]
    assert len(found) == 3 and found == list(range(found[0], found[0] + 3))
    for offset, index in enumerate(found, start=1):
        assert f"AUTHORISATION-SCAN-{offset}" in pages[index]
        assert f"第{index + 1}页共{len(pages)}页" in pages[index]
    assert "二、授权核对书" in pages[found[0] - 1]
    assert "三、入户调查记录" in pages[found[-1] + 1]
    reader = PdfReader(io.BytesIO(content))
    entries = {}
    for item in reader.outline:
        for entry in item if isinstance(item, list) else [item]:
            entries[entry.title] = reader.get_destination_page_number(entry)
    assert entries["附件 2：授权书"] == found[0]


def test_an_image_is_placed_on_a_page_of_its_section():
    reader = PdfReader(io.BytesIO(letters.render_case_file(case_file())))
    with_images = [i for i, page in enumerate(reader.pages) if page.images]
    assert len(with_images) == 1
    assert "附件1：户口簿" in "".join(reader.pages[with_images[0]].extract_text().split())


def test_identity_numbers_and_phones_are_masked_in_the_case_file():
    text = text_of(letters.render_case_file(case_file()))
    assert ID_NUMBER not in text and PHONE not in text
    assert ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:] in text
    assert "138****5678" in text


def test_an_attachment_that_is_neither_pdf_nor_image_is_refused_by_name():
    bad = Section(attachments=(Attachment("说明.docx", b"PK\x03\x04 not a pdf"),))
    with pytest.raises(ValidationError) as excinfo:
        letters.render_case_file(case_file(verification=bad))
    (message,) = errors_of(excinfo)["verification.attachments[1]"]
    assert "说明.docx" in message


def test_the_same_case_gives_the_same_bytes():
    assert letters.render_case_file(case_file()) == letters.render_case_file(case_file())
