"""Uploads (type by content, size, SHA-256), the public notice's masking (only name, household
size, amount and village, on the record, the HTML page and the PDF), the county's numbering, and
the case file export."""

import datetime as dt
import hashlib
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError

from safetynet.applications import services as s
from safetynet.applications.models import Document, NoticeLine
from safetynet.applications.tests.factories import (
    PDF,
    TODAY,
    Upload,
    apply,
    approval,
    png_bytes,
    to_opinion,
    to_review,
)
from safetynet.core import testing

pytestmark = pytest.mark.usefixtures("calendar", "rules")


def test_an_upload_is_typed_by_its_content_and_its_hash_is_kept(personas, household_a):
    case = apply(personas, household_a).cases.get()
    content = png_bytes()
    document = s.document_upload(
        actor=personas.alice, case=case, kind="hukou", upload=Upload(content, "hukou.pdf")
    )
    assert document.content_type == "image/png"  # the name said .pdf; the content is a PNG
    assert document.sha256 == hashlib.sha256(content).hexdigest() and document.size == len(content)
    assert document.file.name.endswith(".png")


def test_a_bad_upload_is_refused_with_every_problem_listed_and_nothing_stored(
    personas, household_a, settings
):
    case = apply(personas, household_a).cases.get()
    with pytest.raises(ValidationError) as err:
        s.document_upload(
            actor=personas.alice,
            case=case,
            kind="nonsense",
            upload=Upload(b"MZ\x90\x00 not a scan", "scan.jpg"),
        )
    assert set(err.value.message_dict) == {"kind", "file"}
    assert "不是图片" in str(err.value.message_dict["file"])
    settings.SAFETYNET_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as err:
        s.document_upload(
            actor=personas.alice, case=case, kind="income", upload=Upload(PDF + b"0" * 2000, "big.pdf")
        )
    assert "超过大小上限" in str(err.value)
    assert not Document.objects.exists()


def test_a_caseworker_of_another_township_cannot_upload_to_the_case(personas, household_a):
    from safetynet.applications.models import Case

    case = apply(personas, household_a).cases.get()
    with pytest.raises(Case.DoesNotExist):
        s.document_upload(actor=personas.bob, case=case, kind="hukou", upload=Upload(PDF, "a.pdf"))


def test_the_notice_line_holds_only_what_the_law_allows(personas, household_a):
    case = to_opinion(personas, apply(personas, household_a).cases.get())
    notice = s.notice_publish(
        actor=personas.alice,
        village_code=case.region_code,
        case_ids=[case.pk],
        contact_phone="0512-5550000",
        contact_address="东河镇人民政府民政办",
        today=TODAY,
    )
    line = notice.lines.get()
    assert (line.applicant_name, line.household_size, str(line.amount), line.village_name) == (
        "张伟",
        2,
        "760.00",
        "柳树村",
    )
    stored = {f.name for f in NoticeLine._meta.concrete_fields}
    assert stored == {
        "id",
        "notice",
        "case",
        "applicant_name",
        "household_size",
        "amount",
        "program_label",
        "village_name",
    }


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_the_notice_pdf_shows_no_identity_number_phone_or_address(personas, household_a, tmp_path):
    from safetynet.applications import printing

    case = to_opinion(personas, apply(personas, household_a).cases.get())
    notice = s.notice_publish(
        actor=personas.alice,
        village_code=case.region_code,
        case_ids=[case.pk],
        contact_phone="0512-5550000",
        contact_address="东河镇人民政府民政办",
        today=TODAY,
    )
    path = tmp_path / "notice.pdf"
    path.write_bytes(printing.render_notice(notice))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "张伟" in text and "柳树村" in text and "760" in text
    head_id = testing.make_id_number(birth="19700305", seq=1)
    for secret in (head_id, head_id[-4:] + "\n", "13812345678", "5678", "柳树村3组12号", "6228"):
        assert secret not in text


def test_decision_numbers_follow_the_countys_sequence_without_gaps_or_repeats(personas, household_a):
    from safetynet.registry.services import household_create

    day = TODAY + dt.timedelta(days=8)
    numbers = []
    other = household_create(
        actor=personas.alice, data=testing.household_input(head_name="王五", seq=2), reason="建档"
    )
    for household in (household_a, other):
        case = to_review(personas, apply(personas, household).cases.get())
        numbers.append(
            s.case_approve(actor=personas.carol, case=case, data=approval(case), today=day).document_number
        )
    assert numbers == ["示民救〔2026〕1号", "示民救〔2026〕2号"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_the_case_file_exports_as_one_pdf_with_the_attached_report(personas, household_a, tmp_path):
    from safetynet.applications import printing
    from safetynet.applications.selectors import case_get

    case = to_review(personas, apply(personas, household_a).cases.get())
    s.case_approve(actor=personas.carol, case=case, data=approval(case), today=TODAY + dt.timedelta(days=8))
    content = printing.render_case_file(
        case_get(user=personas.carol, pk=case.pk), compiled_by="卡罗", today=TODAY
    )
    path = tmp_path / "file.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("一户一档", "入户调查记录", "核对报告", "公示", "审核确认决定", "示民救〔2026〕1号"):
        assert expected in text
