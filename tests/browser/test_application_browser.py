"""The review workflow in a real browser (headless Chromium): a caseworker takes a window
application for dibao through every step to the approval letter, with the county officer
seeing it in her worklist in between; and a refusal with its letter.

The rules engine is the real one (regional demo standards seeded for the city). The 7-day notice
period is made to have passed by moving the notice's dates back, as the calendar would.

Run: ``.venv/bin/pytest -q -m browser tests/browser/test_application_browser.py``.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pyotp
import pytest
from django.utils import timezone

from safetynet.core import testing

pytestmark = pytest.mark.browser

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n160\n%%EOF\n"
)


@pytest.fixture
def setup(personas, household_a, settings, tmp_path):
    """Calendar, demo standards, a household filed before this month, media in a temp folder."""
    from safetynet.core.services import calendar_seed_from_library
    from safetynet.eligibility.services import standards_seed
    from safetynet.registry.models import Membership

    settings.MEDIA_ROOT = tmp_path / "media"
    calendar_seed_from_library(years=range(2025, 2027))
    standards_seed(actor=None, region_code=testing.CITY, effective_from=dt.date(2026, 1, 1))
    Membership.objects.filter(household=household_a).update(start_date=dt.date(2026, 1, 1))
    report = tmp_path / "核对报告.pdf"
    report.write_bytes(PDF)
    return report


def sign_in(page, base_url: str, user) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", testing.PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/accounts/login/totp/$"))
    user.refresh_from_db()
    page.fill("#id_code", pyotp.TOTP(user.totp_secret).now())
    page.click("button[type=submit].primary")
    page.wait_for_url(base_url + "/")


def shot(page, name: str) -> None:
    """With SAFETYNET_SCREENSHOT_DIR set, keep a full-page screenshot (docs, visual checks)."""
    folder = os.environ.get("SAFETYNET_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def submit(page) -> None:
    page.click("main form button[type=submit].primary")


def act(page, label: str) -> None:
    """Click a step button on the case page and submit its form (no fields needed)."""
    page.click(f'.steps >> text="{label}"')
    submit(page)
    page.wait_for_url(re.compile(r"/applications/cases/\d+/$"))


def record(page, label: str) -> None:
    page.click(f"section[aria-labelledby=todo] p.small a:has-text('{label}')")


def window_application(page, base: str, household) -> str:
    """At the window: find the household, apply for dibao, materials and commitment, accept."""
    page.goto(base + "/applications/new/")
    page.fill("#id_number", household.number)
    page.click("text=查找家庭")
    page.check("input[name=programs][value=dibao]")
    page.check("input[name=materials][value=application_form]")
    page.check("input[name=materials][value=hukou]")
    page.check("#id_commitment_signed")
    page.click("text=登记申请")
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    assert "已受理申请" in page.inner_text("main")
    page.click("table >> a[href*='/applications/cases/']")
    page.wait_for_url(re.compile(r"/applications/cases/\d+/$"))
    return page.url


def to_assessed(page, case_url: str, report_path) -> None:
    """受理 → 授权核对 → 调查 → 核对报告 → 规则评估."""
    page.goto(case_url)
    act(page, "受理")
    assert "已受理待授权" in page.inner_text("#case-state")
    for name in ("张伟", "李芳"):
        record(page, "核对授权")
        page.select_option("#id_person", label=name)
        page.select_option("#id_signed_by", label=name)
        page.select_option("#id_role", "self")
        page.fill("#id_purpose", "最低生活保障审核确认")
        page.fill("#id_esign_record", f"ES-{name}")
        submit(page)
        page.wait_for_url(case_url)
    act(page, "授权核对手续齐全")
    act(page, "启动调查并申请信息核对")
    record(page, "调查记录")
    page.select_option("#id_kind", "home")
    page.fill("#id_investigators", "艾丽\n王干事")
    page.fill("#id_family_signatures", "张伟")
    page.fill("#id_findings", "夫妻务农，家中无大件财产")
    submit(page)
    page.wait_for_url(case_url)
    record(page, "核对报告")
    page.fill("#id_summary", "未发现存款、车辆、房产等超标财产")
    page.set_input_files("#id_upload", str(report_path))
    submit(page)
    page.wait_for_url(case_url)
    act(page, "调查核实完成，规则评估")
    assert "已评估待初审" in page.inner_text("#case-state")


def test_a_dibao_application_goes_from_the_window_to_the_approval_letter(
    live_server, new_page, personas, household_a, setup
):
    from safetynet.applications.models import Case, PublicNotice

    base = live_server.url
    page = new_page()
    sign_in(page, base, personas.alice)
    case_url = window_application(page, base, household_a)
    to_assessed(page, case_url, setup)
    assert "符合条件" in page.inner_text("section[aria-labelledby=assessment]")
    shot(page, "case-assessed")

    page.click('.steps >> text="提出初审意见"')
    page.select_option("#id_eligible", "1")
    page.fill("#id_opinion", "家庭人均收入低于当地低保标准，拟同意纳入低保。")
    submit(page)
    page.wait_for_url(case_url)

    # 公示: the village's notice, only name, size, amount and village
    page.goto(base + "/applications/notices/new/?village=" + household_a.region_code)
    page.fill("#id_contact_phone", "0512-5550000")
    page.fill("#id_contact_address", "东河镇人民政府民政办")
    page.click("text=发布公示（7天）")
    page.wait_for_url(re.compile(r"/applications/notices/\d+/$"))
    sheet = page.inner_text("article.sheet")
    assert "张伟" in sheet and "柳树村" in sheet
    assert testing.make_id_number(birth="19700305", seq=1) not in page.content()
    notice_url = page.url
    shot(page, "notice")
    # seven days pass
    today = timezone.localdate()
    PublicNotice.objects.update(
        start_date=today - dt.timedelta(days=8), end_date=today - dt.timedelta(days=2)
    )
    page.goto(notice_url)  # a notice past its end is closed on access; the case moves on
    assert "已结束" in page.inner_text("main")
    case = Case.objects.get()
    assert case.state == "review"

    # the county officer sees it in her worklist
    officer = new_page(viewport={"width": 390, "height": 844})  # on a phone
    sign_in(officer, base, personas.carol)
    assert "审核确认待办" in officer.inner_text("main")
    shot(officer, "home-phone")
    officer.goto(base + "/applications/")
    assert case.number in officer.inner_text("table.worklist")
    shot(officer, "worklist-phone")
    officer.click(f"text={case.number}")
    officer.click('.steps >> text="批准"')
    officer.select_option("#id_payee_kind", "household")
    shot(officer, "approve-phone")
    submit(officer)
    officer.wait_for_url(case_url)
    text = officer.inner_text("main")
    assert "已批准待送达" in text and "示民救〔" in text
    with officer.expect_popup() as popup:
        officer.click("#letter-link")
    letter = popup.value
    assert "application/pdf" in (letter.evaluate("document.contentType") or "")

    # back at the township: deliver the letter
    page.goto(case_url)
    act(page, "决定书已送达")
    assert "已送达（办结）" in page.inner_text("#case-state")
    shot(page, "case-notified")
    case.refresh_from_db()
    assert case.outcome == "approved" and case.entitlement_active
    assert [t.action for t in case.transitions.all()][-4:] == ["publish", "close_notice", "approve", "notify"]


def test_a_refusal_with_its_reasons_and_letter(live_server, new_page, personas, household_a, setup):
    from safetynet.applications.models import Case
    from safetynet.registry.services import declaration_record

    declaration_record(
        actor=personas.alice,
        household=household_a,
        what="income",
        kind="wages",
        amount="60000",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 11, 30),
        reason="工资收入",
        person=household_a.head,
    )
    base = live_server.url
    page = new_page()
    sign_in(page, base, personas.alice)
    case_url = window_application(page, base, household_a)
    to_assessed(page, case_url, setup)
    assert "不符合条件" in page.inner_text("section[aria-labelledby=assessment]")
    page.click('.steps >> text="提出初审意见"')
    page.select_option("#id_eligible", "0")
    page.fill("#id_opinion", "家庭人均收入高于当地低保标准。")
    submit(page)
    page.wait_for_url(case_url)
    act(page, "报县级审核确认")

    officer = new_page()
    sign_in(officer, base, personas.carol)
    officer.goto(case_url)
    officer.click('.steps >> text="不予批准"')
    submit(officer)  # without reasons: the form says what is missing, nothing changes
    assert "不予批准须写明理由" in officer.inner_text("main")
    assert Case.objects.get().state == "review"
    officer.fill("#id_reasons", "家庭月人均收入高于当地最低生活保障标准")
    submit(officer)
    officer.wait_for_url(case_url)
    text = officer.inner_text("main")
    assert "不予批准待送达" in text and "月人均收入低于低保标准" in text  # the failed rule, named
    case = Case.objects.get()
    decision = case.decisions.get()
    assert decision.kind == "refuse" and decision.letter_id and decision.failed_rules
