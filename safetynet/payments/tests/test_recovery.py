"""Recovery by offset against future payments (a dated share per month, never below zero),
the balance on the household page, and the funding shares in the payroll check report."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safetynet.api.tests import conftest as api_conftest
from safetynet.core import testing
from safetynet.eligibility.models import RegionalStandard
from safetynet.payments import services
from safetynet.payments.models import Recovery, RecoveryOffset, Repayment
from safetynet.payments.testing import grant, make_household

api_as = api_conftest.api_as  # the shared fixture

DEC, JAN, FEB, MAR = (dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1), dt.date(2027, 3, 1))


def regional(key, value, region=testing.COUNTY, since=dt.date(2021, 7, 1)):
    from safetynet.regions.models import Region

    RegionalStandard.objects.create(
        region=Region.objects.get(code=region),
        region_code=region,
        key=key,
        value=value,
        effective_from=since,
        reference="示民发〔2026〕20号",
        status=RegionalStandard.Status.APPROVED,
    )


def build(carol, month):
    payroll, _created = services.payroll_build(
        actor=carol, county_code=testing.COUNTY, program="dibao", month=month
    )
    services.payroll_check(actor=carol, payroll=payroll)
    return services.payroll_approve(actor=carol, payroll=payroll)


@pytest.fixture
def recovery(personas):
    hh = make_household(personas.alice, seq=51)
    ent = grant(personas.carol, hh, amounts=("300.00", "200.00"), first=DEC)
    rec = services.recovery_open(
        actor=personas.carol,
        household=hh,
        months=[{"month": "2026-10", "amount": "600.00"}],
        reason="复核发现隐瞒工资收入，多发10月低保金",
        method=Recovery.Method.OFFSET,
        instalment="400.00",
        entitlement=ent,
    )
    return hh, ent, rec


def test_offset_keeps_back_at_most_the_share_and_the_balance_falls(client, personas, recovery):
    hh, ent, rec = recovery
    dec = build(personas.carol, DEC)
    # 500 due; the instalment is 400 but at most 50 % of the payment may be kept back
    assert dec.total == Decimal("250.00")
    assert all(line.amount >= 0 for line in dec.lines.all())
    off = RecoveryOffset.objects.get(payroll=dec)
    assert (off.gross, off.amount) == (Decimal("500.00"), Decimal("250.00"))
    assert off.repayment.source == f"offset:{dec.pk}"
    rec.refresh_from_db()
    assert rec.balance == Decimal("350.00")
    assert dec.check_report["offset_total"] == "250.00"
    assert dec.check_report["offsets"] == [
        {"entitlement": ent.number, "gross": "500.00", "amount": "250.00", "reason": rec.reason}
    ]
    # building the same month again offsets nothing more
    again, created = services.payroll_build(
        actor=personas.carol, county_code=testing.COUNTY, program="dibao", month=DEC
    )
    assert not created and RecoveryOffset.objects.count() == 1
    build(personas.carol, JAN)
    feb = build(personas.carol, FEB)
    rec.refresh_from_db()
    assert rec.balance == 0 and feb.total == Decimal("400.00")  # only the last 100 kept back
    assert build(personas.carol, MAR).total == Decimal("500.00")
    assert Repayment.objects.filter(recovery=rec).count() == 3
    # the household page shows the balance
    client.force_login(personas.carol)
    page = client.get(reverse("payments:household_panel", args=[hh.pk])).content.decode()
    assert 'id="recovery-balance">0.00<' in page


def test_a_regional_share_overrides_the_national_default(personas, recovery):
    regional("payments.offset.max_share", "0.20")
    dec = build(personas.carol, DEC)
    assert dec.total == Decimal("400.00")


def test_a_schedule_recovery_is_not_offset(personas):
    hh = make_household(personas.alice, seq=52)
    grant(personas.carol, hh, amounts=("300.00", "200.00"), first=DEC)
    rec = services.recovery_open(
        actor=personas.carol,
        household=hh,
        months=[{"month": "2026-10", "amount": "600.00"}],
        reason="多发",
        method=Recovery.Method.SCHEDULE,
        instalment="100.00",
    )
    assert build(personas.carol, DEC).total == Decimal("500.00")
    rec.refresh_from_db()
    assert rec.balance == Decimal("600.00")
    services.recovery_repay(actor=personas.carol, recovery=rec, amount="100.00", paid_on=DEC)
    rec.refresh_from_db()
    assert rec.balance == Decimal("500.00")


def test_funding_shares_in_the_check_report_and_on_the_entitlement(personas):
    hh = make_household(personas.alice, seq=53)
    ent = grant(personas.carol, hh, amounts=("333.33", "200.00"), first=DEC)
    assert ent.funding == {"central": "0.60", "provincial": "0.25", "county": "0.15"}
    report = build(personas.carol, DEC).check_report
    funding = {f["level"]: f for f in report["funding"]}
    assert sum(Decimal(f["amount"]) for f in funding.values()) == Decimal("533.33")
    assert funding["central"]["amount"] == "320.00" and funding["central"]["source"] == "national"
    # a province sets its own shares from January
    for level, value in (("central", "0.50"), ("provincial", "0.30"), ("county", "0.20")):
        regional(f"payments.funding.dibao.{level}", value, region=testing.PROVINCE, since=JAN)
    funding = {f["level"]: f for f in build(personas.carol, JAN).check_report["funding"]}
    assert funding["central"]["share"] == "0.5000" and funding["central"]["source"] == testing.PROVINCE
    assert funding["county"]["amount"] == str(Decimal("533.33") - Decimal("266.67") - Decimal("160.00"))
    # shares that do not add up to 1 are refused with a message naming the program and month
    regional("payments.funding.dibao.county", "0.30", region=testing.COUNTY, since=FEB)
    from safetynet.payments.parameters import funding_shares

    with pytest.raises(ValidationError) as exc:
        funding_shares(program="dibao", region_code=testing.COUNTY, month=FEB)
    assert "合计为 1.1" in str(exc.value)


def test_recovery_pages_and_api(client, api_as, personas):
    hh = make_household(personas.alice, seq=54)
    grant(personas.carol, hh, amounts=("300.00", "200.00"), first=DEC)
    client.force_login(personas.alice)
    url = reverse("payments:recoveries")
    r = client.post(
        url,
        {
            "household": hh.number,
            "month": "2026-10",
            "amount": "abc",
            "method": "offset",
            "instalment": "100",
            "reason": "多发",
        },
        follow=True,
    )
    assert "第 1 行金额应为数字" in r.content.decode() and not Recovery.objects.exists()
    client.post(
        url,
        {
            "household": hh.number,
            "month": "2026-10",
            "amount": "300",
            "method": "offset",
            "instalment": "100",
            "reason": "多发",
        },
    )
    rec = Recovery.objects.get()
    assert rec.method == "offset" and rec.entitlement is not None
    client.post(url, {"action": "repay", "recovery": rec.pk, "amount": "50", "paid_on": "2026-11-30"})
    rec.refresh_from_db()
    assert rec.balance == Decimal("250.00")
    assert "250.00" in client.get(url).content.decode()
    carol = api_as("carol")
    listed = carol.get("/payments/recoveries").json()
    assert listed[0]["balance"] == "250.00" and listed[0]["repayments"][0]["source"] == "cash"
    made = carol.post(
        "/payments/recoveries",
        {
            "household": hh.number,
            "months": [{"month": "2026-11", "amount": "100"}],
            "reason": "多发",
            "method": "schedule",
            "instalment": "50",
        },
    )
    assert made.status_code == 200, made.content
    assert (
        carol.post(
            f"/payments/recoveries/{made.json()['id']}/repay", {"amount": "500", "paid_on": "2026-11-30"}
        ).status_code
        == 422
    )
