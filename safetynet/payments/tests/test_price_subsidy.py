"""Price-linked temporary subsidy (价格临时补贴): a one-off payroll for the named categories when
the CPI trigger fires, on top of the month's regular payroll."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from safetynet.api.tests import conftest as api_conftest
from safetynet.core import testing
from safetynet.eligibility.models import RegionalStandard
from safetynet.payments import services
from safetynet.payments.models import EntitlementEvent, PaymentLine, Payroll
from safetynet.payments.testing import grant

api_as = api_conftest.api_as  # the shared fixture
DEC = dt.date(2026, 12, 1)


def subsidy(carol, cpi="3.6", month=DEC):
    return services.price_subsidy_build(actor=carol, county_code=testing.COUNTY, month=month, cpi=cpi)


def test_below_the_trigger_nothing_is_stored(personas, county_households):
    grant(personas.carol, county_households[0])
    with pytest.raises(ValidationError, match="未达到启动条件"):
        subsidy(personas.carol, cpi="3.4")
    with pytest.raises(ValidationError):
        subsidy(personas.carol, cpi="abc")
    assert not Payroll.objects.exists()


def test_every_covered_member_is_paid_once_on_top_of_the_regular_month(personas, county_households):
    a, b, c, d = county_households
    grant(personas.carol, a)  # dibao, two members
    grant(personas.carol, b, amounts=("400.00",))  # dibao, one member with an amount
    grant(personas.carol, c, program="tekun", amounts=("900.00", "0.00"))  # tekun: one paid part
    ent = grant(personas.carol, d)
    services.entitlement_change(
        actor=personas.carol,
        entitlement=ent,
        kind=EntitlementEvent.Kind.SUSPEND,
        month=DEC,
        reason="外出待核实",
    )
    payroll, created = subsidy(personas.carol)
    assert created and payroll.kind == Payroll.Kind.PRICE_SUBSIDY and payroll.program == "price_subsidy"
    # 2 + 1 + 1 persons × 30.00 (national default [A]); the suspended household is not paid
    assert payroll.line_count == 4 and payroll.total == Decimal("120.00")
    assert set(payroll.lines.values_list("kind", flat=True)) == {"subsidy"}
    assert payroll.job.params["cpi"] == "3.6" and payroll.job.params["threshold"] == "3.5"
    again, created = subsidy(personas.carol, cpi="4.0")
    assert not created and again.pk == payroll.pk and PaymentLine.objects.count() == 4
    # the regular December payroll is not blocked by the subsidy lines
    regular, _c = services.payroll_build(
        actor=personas.carol,
        county_code=testing.COUNTY,
        program="dibao",
        month=DEC,
        cutoff=dt.date(2026, 12, 31),
    )
    assert regular.line_count == 3
    # the database refuses a second subsidy line for the same part and month
    line = payroll.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            payroll=regular,
            entitlement_id=line.entitlement_id,
            person_id=line.person_id,
            for_month=DEC,
            kind="subsidy",
            township_code=line.township_code,
            amount=Decimal("30.00"),
        )
    # same path: check → approve → bank files
    services.payroll_check(actor=personas.carol, payroll=payroll)
    services.payroll_approve(actor=personas.carol, payroll=payroll)
    files = services.bank_files_build(actor=personas.carol, payroll=payroll, layout="yikatong")
    assert sum(f.total for f in files) == Decimal("120.00")
    assert "社会救助" in bytes(files[0].content).decode()


def test_a_regional_amount_and_categories_override_the_national_defaults(personas, county_households):
    grant(personas.carol, county_households[0])
    grant(personas.carol, county_households[2], program="tekun", amounts=("900.00",))
    for key, value in (("payments.price_subsidy.amount", "55"), ("payments.price_subsidy.covers.tekun", "0")):
        RegionalStandard.objects.create(
            region_id=testing.COUNTY,
            region_code=testing.COUNTY,
            key=key,
            effective_from=dt.date(2026, 1, 1),
            value=Decimal(value),
            reference="县政府文件",
            status="approved",
        )
    trigger = services.price_subsidy_trigger(county_code=testing.COUNTY, month=DEC, cpi="3.5")
    assert trigger["fires"] and trigger["amount"] == "55.00" and "tekun" not in trigger["categories"]
    assert trigger["paid_here"] == ["dibao"] and "orphan" in trigger["not_paid_here"]
    payroll, _c = subsidy(personas.carol, cpi="3.5")
    assert payroll.line_count == 2 and payroll.total == Decimal("110.00")


def test_the_command(personas, county_households, capsys):
    grant(personas.carol, county_households[0])
    call_command("payroll", "price-subsidy", "--county", testing.COUNTY, "--month", "2026-12", "--cpi", "3.5")
    assert "created, lines=2 total=60.00" in capsys.readouterr().out
    call_command("payroll", "price-subsidy", "--county", testing.COUNTY, "--month", "2026-12", "--cpi", "3.5")
    assert "exists" in capsys.readouterr().out
    with pytest.raises(CommandError, match="未达到启动条件"):
        call_command(
            "payroll", "price-subsidy", "--county", testing.COUNTY, "--month", "2027-01", "--cpi", "1.2"
        )


def test_through_the_api_and_the_page(api_as, client, personas, county_households):
    grant(personas.carol, county_households[0])
    r = api_as("carol").post("/payments/price-subsidy-payrolls", {"month": "2026-12", "cpi": "2.0"})
    assert r.status_code in (400, 422) and "未达到启动条件" in r.content.decode()
    r = api_as("carol").post("/payments/price-subsidy-payrolls", {"month": "2026-12", "cpi": "3.8"})
    assert r.status_code == 200 and r.json()["total"] == "60.00"
    client.force_login(personas.carol)
    from django.urls import reverse

    r = client.post(reverse("payments:price_subsidy_build"), {"month": "2026-12", "cpi": "3.8"})
    assert r.status_code == 302 and Payroll.objects.filter(kind="price_subsidy").count() == 1
    client.force_login(personas.alice)
    assert (
        client.post(reverse("payments:price_subsidy_build"), {"month": "2027-01", "cpi": "3.8"}).status_code
        == 403
    )
