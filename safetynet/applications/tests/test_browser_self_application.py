"""A resident applies for their own household on a phone (headless Chromium), and the township
caseworker finds the application in her worklist and accepts it at the window.

Run: ``.venv/bin/pytest -q -m browser safetynet/applications/tests/test_browser_self_application.py``.
"""

from __future__ import annotations

import os
import re

import pyotp
import pytest

from safetynet.core import testing

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("calendar")]


@pytest.fixture
def chromium(browser):
    """The shared headless Chromium (root conftest.py)."""
    return browser


def _page(chromium, **options):
    options.setdefault("locale", "zh-CN")
    context = chromium.new_context(**options)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _sign_in(page, base: str, user, *, totp: bool) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", testing.PASSWORD)
    page.click("button[type=submit].primary")
    if totp:
        page.wait_for_url(re.compile(r"/accounts/login/totp/$"))
        user.refresh_from_db()
        page.fill("#id_code", pyotp.TOTP(user.totp_secret).now())
        page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")


def test_a_resident_applies_on_a_phone_and_the_township_accepts(live_server, chromium, personas, household_a):
    from safetynet.accounts.roles import Role
    from safetynet.accounts.services import user_create
    from safetynet.applications.models import Application
    from safetynet.registry.models import Membership

    head = Membership.objects.get(household=household_a, relation="self")
    erin = user_create(
        actor=None,
        username="erin",
        password=testing.PASSWORD,
        role=Role.RESIDENT,
        household_id=household_a.pk,
        display_name="张伟",
        with_totp=False,
    )
    erin.person_id = head.person_id
    erin.save(update_fields=["person"])
    base = live_server.url

    context, phone = _page(chromium, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    _sign_in(phone, base, erin, totp=False)
    phone.click("main a.button:has-text('提交申请')")  # from the home page
    phone.wait_for_url(base + "/applications/apply/")
    assert "申请社会救助" in phone.inner_text("main")
    # no horizontal scrolling on a phone
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.check("input[name=programs][value=dibao]")
    phone.check("input[name=programs][value=temporary_expenditure]")
    phone.fill("#id_note", "丈夫重病住院，家中无其他收入")
    phone.click("main form button[type=submit].primary")  # the promise is not ticked yet
    assert "请阅读并勾选承诺" in phone.inner_text("main")
    assert not Application.objects.exists()
    phone.check("#id_commitment_signed")
    phone.click("main form button[type=submit].primary")
    phone.wait_for_url(base + "/applications/apply/")
    text = phone.inner_text("main")
    assert "已提交申请" in text and "最低生活保障" in text and "已提交待受理" in text
    if os.environ.get("SAFETYNET_SCREENSHOT_DIR"):
        phone.screenshot(
            path=os.path.join(os.environ["SAFETYNET_SCREENSHOT_DIR"], "self-apply-phone.png"), full_page=True
        )
    context.close()

    application = Application.objects.get()
    assert application.channel == "self"
    dibao = application.cases.get(program="dibao")
    context, desk = _page(chromium, viewport={"width": 1280, "height": 900})
    _sign_in(desk, base, personas.alice, totp=True)
    desk.goto(base + "/applications/")
    assert dibao.number in desk.inner_text("table.worklist")
    desk.click(f"text={dibao.number}")
    desk.wait_for_url(re.compile(r"/applications/cases/\d+/$"))
    assert "群众自助申请" in desk.inner_text("main")
    desk.click('.steps >> text="受理"')
    desk.click("main form button[type=submit].primary")
    desk.wait_for_url(re.compile(r"/applications/cases/\d+/$"))
    assert "已受理待授权" in desk.inner_text("#case-state")
    context.close()
