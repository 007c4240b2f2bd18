"""The staff UI in a real browser: sign in with password and TOTP, file a household with two
members through the form, see it on its page; a caseworker of another township gets 404.

Run: ``.venv/bin/pytest -q -m browser tests/browser``. With ``SAFETYNET_SCREENSHOT=docs/img/household.png``
the last test also writes the README screenshot of a realistic household page.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pyotp
import pytest

from safetynet.core import testing

pytestmark = pytest.mark.browser

HEAD_ID = testing.make_id_number(birth="19650412", seq=31)
SPOUSE_ID = testing.make_id_number(birth="19680921", seq=32, male=False)


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


def test_a_caseworker_files_a_household_with_two_members_and_sees_it(live_server, new_page, personas):
    page = new_page()
    sign_in(page, live_server.url, personas.alice)
    assert "东河镇" in page.content()  # the home page shows the caseworker's region

    page.click("text=新建家庭档案")
    page.select_option("#id_village", testing.VILLAGE_A1)
    page.fill("#id_address", "柳树村5组3号")
    page.select_option("#id_hukou_type", "rural")
    page.fill("#id_phone", "13900001111")
    page.fill("#id_members-0-name", "王强")
    page.fill("#id_members-0-id_number", HEAD_ID)
    page.fill("#id_members-1-name", "刘梅")
    page.fill("#id_members-1-id_number", SPOUSE_ID)
    page.fill("#id_reason", "申请低保建档")
    page.click("text=保存家庭档案")

    page.wait_for_url(re.compile(r"/registry/households/\d+/$"))
    body = page.inner_text("main")
    assert "已建立家庭档案" in body
    assert "王强户" in body and "刘梅" in body and "配偶" in body
    assert HEAD_ID not in body  # masked on the page…
    assert HEAD_ID[:4] + "*" * 10 + HEAD_ID[-4:] in body

    # …and shown in full on request (htmx), which is written to the access log.
    head_row = page.locator("tr", has_text="王强")
    head_row.get_by_role("button", name="显示完整").first.click()
    page.wait_for_selector(f".revealed >> text={HEAD_ID}")
    from safetynet.core.models import AccessLog

    assert AccessLog.objects.filter(actor=personas.alice, field="id_number").count() == 1

    # The search finds it by name prefix.
    page.goto(live_server.url + "/registry/households/?name=王")
    assert "王强" in page.inner_text("table.results")


def test_a_caseworker_of_township_b_gets_404_on_that_household(live_server, new_page, personas, household_a):
    page = new_page()
    sign_in(page, live_server.url, personas.bob)
    response = page.goto(f"{live_server.url}/registry/households/{household_a.pk}/")
    assert response.status == 404
    assert "不在您的管辖范围内" in page.inner_text("main")
    assert household_a.head_name not in page.content()


def test_a_phone_sized_screen_shows_members_as_cards(live_server, new_page, personas, household_a):
    page = new_page(viewport={"width": 390, "height": 844})
    sign_in(page, live_server.url, personas.alice)
    page.goto(f"{live_server.url}/registry/households/{household_a.pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
    assert page.locator("table.members thead").bounding_box()["height"] <= 1  # headers hidden, cells labelled


def test_the_language_switch_shows_the_pages_in_english(live_server, new_page, personas, household_a):
    page = new_page()
    sign_in(page, live_server.url, personas.alice)
    page.goto(f"{live_server.url}/registry/households/{household_a.pk}/")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("text=Household members")
    assert page.url.endswith(f"/registry/households/{household_a.pk}/")
    assert "Household search" in page.inner_text("nav")
    assert page.get_attribute("html", "lang") == "en"


def _realistic_household(actor):
    from safetynet.registry import services as s
    from safetynet.registry.services import HouseholdInput, MemberInput, PersonInput

    mk = testing.make_id_number
    data = HouseholdInput(
        region_code=testing.VILLAGE_A1,
        address="柳树村三组12号",
        hukou_type="rural",
        phone="13851234567",
        bank_name="江苏农村商业银行",
        account_holder="王建国",
        account_number="6228480012345678901",
        members=[
            MemberInput(
                PersonInput(
                    name="王建国",
                    id_number=mk(birth="19630412", seq=31),
                    hukou_type="rural",
                    employment="farming",
                    serious_illness=True,
                    illness_name="尿毒症",
                    work_capacity="partial",
                ),
                relation="self",
            ),
            MemberInput(
                PersonInput(
                    name="李秀英",
                    id_number=mk(birth="19650921", seq=32, male=False),
                    hukou_type="rural",
                    employment="farming",
                    disability_category="physical",
                    disability_grade=2,
                    work_capacity="partial",
                ),
                relation="spouse",
            ),
            MemberInput(
                PersonInput(
                    name="王小雨",
                    id_number=mk(birth="20090305", seq=33, male=False),
                    hukou_type="rural",
                    schooling="senior",
                    full_time_student=True,
                    work_capacity="none",
                    employment="na",
                ),
                relation="child",
            ),
            MemberInput(
                PersonInput(
                    name="王德福",
                    id_number=mk(birth="19380115", seq=34),
                    hukou_type="rural",
                    work_capacity="none",
                    employment="na",
                ),
                relation="parent",
            ),
        ],
    )
    h = s.household_create(actor=actor, data=data, reason="申请低保，入户登记")
    people = {m.person.name: m.person for m in h.memberships.select_related("person")}
    s.supporter_add(
        actor=actor,
        household=h,
        person=PersonInput(name="王建军", id_number=mk(birth="19670708", seq=35)),
        relation="sibling",
        duty="shanyang",
        reason="在外地工作的兄弟，对父亲负有赡养义务",
        address="江苏省苏州市工业园区",
        supported=people["王德福"],
    )
    y0, y1 = dt.date(2025, 12, 1), dt.date(2026, 11, 30)
    for kind, amount, who, note in [
        ("business", "6800", "王建国", "种植水稻4亩"),
        ("pension", "2520", "王德福", "城乡居民养老金"),
        ("support_received", "3600", "王德福", "王建军每月300元"),
    ]:
        s.declaration_record(
            actor=actor,
            household=h,
            what="income",
            kind=kind,
            amount=amount,
            period_start=y0,
            period_end=y1,
            reason="申请时申报",
            person=people[who],
            note=note,
        )
    s.declaration_record(
        actor=actor,
        household=h,
        what="asset",
        kind="dwelling",
        amount="60000",
        period_start=y1,
        period_end=y1,
        reason="申请时申报",
        area="110",
        note="自建房",
    )
    s.declaration_record(
        actor=actor,
        household=h,
        what="expense",
        kind="medical",
        amount="38500",
        period_start=y0,
        period_end=y1,
        reason="申请时申报",
        person=people["王建国"],
        note="血液透析自付部分",
    )
    s.declaration_record(
        actor=actor,
        household=h,
        what="expense",
        kind="schooling",
        amount="3200",
        period_start=y0,
        period_end=y1,
        reason="申请时申报",
        person=people["王小雨"],
        note="高中住宿费、教材费",
    )
    s.household_update(
        actor=actor, household=h, reason="户主提供新的手机号", changes={"phone": "13951234567"}
    )
    return h


@pytest.mark.skipif(
    not os.environ.get("SAFETYNET_SCREENSHOT"),
    reason="set SAFETYNET_SCREENSHOT=docs/img/household.png to write it",
)
def test_readme_screenshot_of_a_household_page(live_server, new_page, personas):
    household = _realistic_household(personas.alice)
    page = new_page(viewport={"width": 1200, "height": 1400}, device_scale_factor=1)
    sign_in(page, live_server.url, personas.alice)
    page.goto(f"{live_server.url}/registry/households/{household.pk}/")
    page.locator("tr", has_text="王建国").get_by_role("button", name="显示完整").first.click()
    page.wait_for_selector(".revealed")
    page.screenshot(
        path=os.environ["SAFETYNET_SCREENSHOT"]
    )  # the top of the page: members, supporters, declarations
