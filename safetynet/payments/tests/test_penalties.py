"""Fines for fraud: notice → hearing (requested and held, or waived) → decision; the allowed
multiple by the date of the conduct: 1–3× before 2026-07-01, up to 2× from then (§11.11)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safetynet.api.tests import conftest as api_conftest
from safetynet.core.models import ChangeLog
from safetynet.payments import services
from safetynet.payments.models import Penalty

api_as = api_conftest.api_as  # the shared fixtures

NOTICE = dt.date(2026, 11, 2)
AFTER_PERIOD = dt.date(2026, 11, 20)


def notify(personas, household, conduct_on, amount="1200.00"):
    return services.penalty_notify(
        actor=personas.carol,
        household=household,
        conduct_on=conduct_on,
        amount_obtained=amount,
        facts="隐瞒家庭成员工资收入，骗取低保金",
        notice_on=NOTICE,
    )


def test_conduct_before_july_2026_allows_one_to_three_times(personas, household_a):
    p = notify(personas, household_a, dt.date(2026, 3, 1))
    assert (p.multiple_min, p.multiple_max) == (Decimal(1), Decimal(3))
    assert "第68条" in p.rate_reference
    for bad in ("3.5", "0.5"):
        with pytest.raises(ValidationError) as exc:
            services.penalty_decide(
                actor=personas.carol, penalty=p, multiple=bad, reason="情节较重", decided_on=AFTER_PERIOD
            )
        assert "超出允许范围" in str(exc.value) and "1–3" in str(exc.value)
    p = services.penalty_decide(
        actor=personas.carol,
        penalty=p,
        multiple="3",
        reason="情节较重",
        decided_on=AFTER_PERIOD,
        document_number="示民罚〔2026〕1号",
    )
    assert p.state == Penalty.State.DECIDED and p.fine_amount == Decimal("3600.00")


def test_conduct_from_july_2026_allows_up_to_two_times(personas, household_a):
    p = notify(personas, household_a, dt.date(2026, 7, 1))
    assert p.multiple_max == Decimal(2) and "第73条" in p.rate_reference
    with pytest.raises(ValidationError) as exc:
        services.penalty_decide(
            actor=personas.carol, penalty=p, multiple="2.5", reason="情节较重", decided_on=AFTER_PERIOD
        )
    assert "2026-07-01" in str(exc.value) and "2" in str(exc.value)
    with pytest.raises(ValidationError):
        services.penalty_decide(
            actor=personas.carol, penalty=p, multiple="0", reason="x", decided_on=AFTER_PERIOD
        )
    p = services.penalty_decide(
        actor=personas.carol, penalty=p, multiple="0.5", reason="主动退回", decided_on=AFTER_PERIOD
    )
    assert p.fine_amount == Decimal("600.00")


def test_the_hearing_comes_before_the_decision(personas, household_a):
    p = notify(personas, household_a, dt.date(2026, 8, 1))
    assert p.hearing_deadline == NOTICE + dt.timedelta(days=5)
    # within the period to ask for a hearing: no decision yet
    with pytest.raises(ValidationError) as exc:
        services.penalty_decide(actor=personas.carol, penalty=p, multiple="1", reason="x", decided_on=NOTICE)
    assert "申请听证期限" in str(exc.value)
    p = services.penalty_hearing(actor=personas.carol, penalty=p, action="request", on=dt.date(2026, 11, 5))
    with pytest.raises(ValidationError) as exc:
        services.penalty_decide(
            actor=personas.carol, penalty=p, multiple="1", reason="x", decided_on=AFTER_PERIOD
        )
    assert "须先举行听证" in str(exc.value)
    with pytest.raises(ValidationError):
        services.penalty_hearing(actor=personas.carol, penalty=p, action="held", on=dt.date(2026, 11, 12))
    p = services.penalty_hearing(
        actor=personas.carol,
        penalty=p,
        action="held",
        on=dt.date(2026, 11, 12),
        record="当事人陈述：已退回部分款项",
    )
    p = services.penalty_decide(
        actor=personas.carol, penalty=p, multiple="1", reason="听证后维持", decided_on=AFTER_PERIOD
    )
    assert p.state == Penalty.State.DECIDED and p.hearing_record
    with pytest.raises(ValidationError):
        services.penalty_hearing(actor=personas.carol, penalty=p, action="waive")
    assert ChangeLog.objects.filter(object_type="payments.penalty", object_id=str(p.pk)).count() == 4


def test_waived_hearing_and_late_request(personas, household_a):
    p = notify(personas, household_a, dt.date(2026, 8, 1))
    with pytest.raises(ValidationError) as exc:
        services.penalty_hearing(actor=personas.carol, penalty=p, action="request", on=dt.date(2026, 11, 30))
    assert "超过期限" in str(exc.value)
    p = services.penalty_hearing(actor=personas.carol, penalty=p, action="waive", record="当事人书面放弃听证")
    p = services.penalty_decide(actor=personas.carol, penalty=p, multiple="2", reason="x", decided_on=NOTICE)
    assert p.fine_amount == Decimal("2400.00")


def test_bad_input_and_roles(personas, household_a):
    with pytest.raises(PermissionDenied):
        notify(
            type(personas)(**{**personas.__dict__, "carol": personas.alice}), household_a, dt.date(2026, 8, 1)
        )
    with pytest.raises(ValidationError) as exc:
        services.penalty_notify(
            actor=personas.carol,
            household=household_a,
            conduct_on=dt.date(2026, 12, 1),
            amount_obtained="-5",
            facts=" ",
            notice_on=NOTICE,
        )
    assert set(exc.value.message_dict) == {"amount_obtained", "facts", "conduct_on"}
    assert not Penalty.objects.exists()


def test_pages(client, personas, household_a):
    from django.urls import reverse

    client.force_login(personas.carol)
    r = client.post(
        reverse("payments:penalties"),
        {
            "household": household_a.number,
            "conduct_on": "2026-08-01",
            "amount_obtained": "1000",
            "facts": "虚报收入",
            "notice_on": "2026-11-02",
        },
    )
    p = Penalty.objects.get()
    assert r.url == reverse("payments:penalty", args=[p.pk])
    page = client.get(r.url).content.decode()
    assert "第73条" in page and "2026-11-07" in page
    client.post(r.url, {"action": "waive", "record": "书面放弃"})
    r2 = client.post(
        r.url, {"action": "decide", "multiple": "3", "reason": "x", "on": "2026-11-20"}, follow=True
    )
    assert "超出允许范围" in r2.content.decode()
    client.post(r.url, {"action": "decide", "multiple": "1.5", "reason": "情节一般", "on": "2026-11-20"})
    p.refresh_from_db()
    assert p.fine_amount == Decimal("1500.00")
    assert "1500.00" in client.get(reverse("payments:penalties")).content.decode()
    # the same page in English (Django i18n, Chinese msgids)
    english = client.get(reverse("payments:penalty", args=[p.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Fines for fraud" in english and "Date of the conduct" in english
    # unknown household: a clear message, nothing stored
    r3 = client.post(
        reverse("payments:penalties"), {"household": "H000", "conduct_on": "2026-08-01"}, follow=True
    )
    assert "找不到家庭编号" in r3.content.decode() and Penalty.objects.count() == 1


def test_api(api_as, personas, household_a):
    carol = api_as("carol")
    body = carol.post(
        "/payments/penalties",
        {
            "household": household_a.number,
            "conduct_on": "2026-03-01",
            "amount_obtained": "1000",
            "facts": "虚报收入",
            "notice_on": "2026-11-02",
        },
    ).json()
    assert body["multiple_max"] == "3.00" and body["state"] == "notified"
    pk = body["id"]
    assert (
        carol.post(f"/payments/penalties/{pk}/hearing", {"action": "request", "on": "2026-11-04"}).json()[
            "state"
        ]
        == "requested"
    )
    assert (
        carol.post(
            f"/payments/penalties/{pk}/hearing", {"action": "held", "on": "2026-11-10", "record": "听证笔录"}
        ).status_code
        == 200
    )
    bad = carol.post(
        f"/payments/penalties/{pk}/decide", {"multiple": "4", "reason": "x", "decided_on": "2026-11-20"}
    )
    assert bad.status_code == 422 and "1–3" in bad.content.decode()
    ok = carol.post(
        f"/payments/penalties/{pk}/decide", {"multiple": "2.5", "reason": "x", "decided_on": "2026-11-20"}
    )
    assert ok.json()["fine_amount"] == "2500.00"
    assert api_as("alice").get("/payments/penalties").status_code == 200
    assert api_as("alice").post(f"/payments/penalties/{pk}/hearing", {"action": "waive"}).status_code == 403


@pytest.mark.browser
def test_the_county_officer_fines_in_a_browser(live_server, new_page, personas, household_a, tmp_path):
    """Notice → waived hearing → a refused multiple (clear message) → the decision, in Chromium."""
    from tests.browser.test_household_browser import sign_in

    page = new_page()
    sign_in(page, live_server.url, personas.carol)
    page.goto(live_server.url + "/payments/penalties/")
    page.fill("#penalty-form input[name=household]", household_a.number)
    page.fill("#penalty-form input[name=conduct_on]", "2026-08-01")
    page.fill("#penalty-form input[name=amount_obtained]", "1000")
    page.fill("#penalty-form input[name=notice_on]", "2026-11-02")
    page.fill("#penalty-form textarea[name=facts]", "隐瞒工资收入")
    page.click("#penalty-form button[type=submit]")
    page.wait_for_selector("#penalty-range")
    assert "2" in page.inner_text("#penalty-range") and "已告知" in page.inner_text("#penalty-state")
    page.select_option("#hearing-form select[name=action]", "waive")
    page.click("#hearing-form button[type=submit]")
    page.wait_for_selector("text=放弃听证")
    page.fill("#decide-form input[name=multiple]", "3")
    page.fill("#decide-form textarea[name=reason]", "情节严重")
    page.click("#decide-form button[type=submit]")
    page.wait_for_selector("text=超出允许范围")
    page.fill("#decide-form input[name=multiple]", "2")
    page.fill("#decide-form textarea[name=reason]", "情节严重")
    page.click("#decide-form button[type=submit]")
    page.wait_for_selector("#penalty-fine")
    assert "2000.00" in page.inner_text("#penalty-fine")
    page.screenshot(path=str(tmp_path / "penalty.png"), full_page=True)
