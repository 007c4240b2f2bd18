"""Temporary assistance: staged payments of one approval, paid once (payroll or standby cash),
the township standby-fund ledger and its reconciliation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from safetynet.api.tests import conftest as api_conftest
from safetynet.applications.models import Case, Decision, EmergencyPayment
from safetynet.core import testing
from safetynet.core.models import ChangeLog
from safetynet.payments import services
from safetynet.payments.models import PaymentLine, Payroll, StandbyEntry, TemporaryStage
from safetynet.payments.testing import make_household

api_as = api_conftest.api_as  # the shared fixture
NOV, DEC, JAN = dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)
TODAY = dt.date(2026, 11, 30)


def temporary_case(household, *, n: int, program="temporary_expenditure") -> Case:
    return Case.objects.create(
        number=f"LS-TEST-{n}",
        household=household,
        region_code=household.region_code,
        township_code=household.region_code[:9] + "000",
        program=program,
        state="approved",
        opened_on=dt.date(2026, 11, 2),
        step_entered_on=dt.date(2026, 11, 20),
    )


def temporary_decision(case: Case, *, amount="3000.00", stages=None, standby_cash=None) -> Decision:
    return Decision.objects.create(
        case=case,
        kind="approve",
        decided_on=dt.date(2026, 11, 20),
        amount=Decimal(amount),
        stages=stages if stages is not None else [],
        standby_cash=standby_cash or [],
        first_payment_month=NOV,
        reasons="大病支出",
    )


@pytest.fixture
def staged(personas):
    hh = make_household(personas.alice, seq=31)
    case = temporary_case(hh, n=1)
    return temporary_decision(
        case,
        stages=[
            {"month": "2026-11", "amount": "1000.00"},
            {"month": "2026-12", "amount": "1000.00"},
            {"month": "2027-01", "amount": "1000.00"},
        ],
    )


def test_a_staged_decision_becomes_one_row_per_stage_once(personas, staged):
    stages = services.temporary_from_decision(actor=personas.carol, decision=staged)
    assert [(s.seq, s.month, s.amount) for s in stages] == [
        (1, NOV, Decimal("1000.00")),
        (2, DEC, Decimal("1000.00")),
        (3, JAN, Decimal("1000.00")),
    ]
    assert services.temporary_from_decision(actor=personas.carol, decision=staged) == stages
    assert TemporaryStage.objects.count() == 3
    s = stages[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        TemporaryStage.objects.create(
            decision=staged,
            case=s.case,
            household=s.household,
            entitlement=s.entitlement,
            seq=1,
            month=dt.date(2027, 2, 1),
            amount=Decimal(5),
            county_code=s.county_code,
            township_code=s.township_code,
            region_code=s.region_code,
        )
    # the carrier entitlement is never in a monthly payroll
    assert s.entitlement.program == "temporary_expenditure"
    with pytest.raises(ValidationError):
        services.payroll_build(
            actor=personas.carol, county_code=testing.COUNTY, program=s.entitlement.program, month=DEC
        )


def test_the_temporary_payroll_pays_each_due_stage_once(personas, staged):
    payroll, created = services.temporary_payroll_build(
        actor=personas.carol, county_code=testing.COUNTY, month=DEC
    )
    assert created and payroll.kind == Payroll.Kind.TEMPORARY
    # November's stage (no November payroll) and December's; January's waits
    assert payroll.line_count == 2 and payroll.total == Decimal("2000.00")
    assert sorted(payroll.lines.values_list("for_month", flat=True)) == [NOV, DEC]
    again, created = services.temporary_payroll_build(
        actor=personas.carol, county_code=testing.COUNTY, month=DEC
    )
    assert not created and again.pk == payroll.pk and PaymentLine.objects.count() == 2
    services.payroll_check(actor=personas.carol, payroll=payroll)
    services.payroll_approve(actor=personas.carol, payroll=payroll)
    files = services.bank_files_build(actor=personas.carol, payroll=payroll)
    assert len(files) == 1 and files[0].line_count == 1 and files[0].total == Decimal("2000.00")
    jan, _c = services.temporary_payroll_build(actor=personas.carol, county_code=testing.COUNTY, month=JAN)
    assert jan.line_count == 1 and jan.total == Decimal("1000.00")
    # a paid stage cannot be paid in cash as well
    stage = TemporaryStage.objects.get(seq=1)
    assert services.stage_status(stage) == "已纳入名册"
    services.standby_topup(
        actor=personas.alice,
        township_code=testing.TOWNSHIP_A,
        amount="5000",
        entry_date=TODAY,
        reference="拨[2026]1",
    )
    with pytest.raises(ValidationError, match="不能重复发放"):
        services.standby_cash_pay(
            actor=personas.alice,
            stage=stage,
            entry_date=TODAY,
            receipt="R1",
            paid_to="户主31",
            signatures="艾丽、户主31",
        )


def test_the_database_refuses_a_stage_paid_both_ways(personas, staged):
    services.temporary_payroll_build(actor=personas.carol, county_code=testing.COUNTY, month=NOV)
    stage = TemporaryStage.objects.get(seq=1)
    entry = StandbyEntry.objects.create(
        township_code=testing.TOWNSHIP_A,
        county_code=testing.COUNTY,
        kind="cash",
        entry_date=TODAY,
        amount=stage.amount,
        reference="R-X",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TemporaryStage.objects.filter(pk=stage.pk).update(cash_entry=entry)


def test_cash_from_the_standby_fund(personas):
    hh = make_household(personas.alice, seq=32)
    decision = temporary_decision(
        temporary_case(hh, n=2),
        amount="800.00",
        stages=[{"month": "2026-11", "amount": "800.00", "method": "cash"}],
    )
    [stage] = services.temporary_from_decision(actor=personas.alice, decision=decision)
    assert stage.method == "cash"
    kw = dict(
        actor=personas.alice,
        stage=stage,
        entry_date=TODAY,
        receipt="SJ-001",
        paid_to="户主32",
        signatures="艾丽、户主32",
    )
    with pytest.raises(ValidationError, match="余额"):
        services.standby_cash_pay(**kw)
    with pytest.raises(ValidationError):
        services.standby_topup(
            actor=personas.alice,
            township_code=testing.TOWNSHIP_A,
            amount="-5",
            entry_date=TODAY,
            reference="x",
        )
    services.standby_topup(
        actor=personas.alice,
        township_code=testing.TOWNSHIP_A,
        amount="1000",
        entry_date=TODAY,
        reference="拨付1",
    )
    with pytest.raises(ValidationError, match="已登记"):
        services.standby_topup(
            actor=personas.alice,
            township_code=testing.TOWNSHIP_A,
            amount="1000",
            entry_date=TODAY,
            reference="拨付1",
        )
    with pytest.raises(ValidationError) as exc:
        services.standby_cash_pay(**{**kw, "receipt": " "})
    assert "receipt" in exc.value.message_dict
    entry = services.standby_cash_pay(**kw)
    assert entry.amount == Decimal("800.00") and services.standby_balance(testing.TOWNSHIP_A) == Decimal(
        "200.00"
    )
    with pytest.raises(ValidationError, match="不能重复发放"):
        services.standby_cash_pay(**{**kw, "receipt": "SJ-002"})
    # never in a payroll
    payroll, _c = services.temporary_payroll_build(
        actor=personas.carol, county_code=testing.COUNTY, month=DEC
    )
    assert payroll.line_count == 0
    # bob (township B) cannot use township A's fund
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.standby_topup(
            actor=personas.bob, township_code=testing.TOWNSHIP_A, amount="1", entry_date=TODAY, reference="b"
        )
    assert ChangeLog.objects.filter(object_type="payments.standbyentry").count() >= 2


def test_help_first_cash_is_recorded_once_and_reconciled_against_the_decision(personas):
    hh = make_household(personas.alice, seq=33)
    case = temporary_case(hh, n=3, program="temporary_emergency")
    EmergencyPayment.objects.create(
        case=case,
        amount=Decimal("500.00"),
        paid_on=TODAY,
        paid_to="户主33",
        signatures="艾丽、户主33",
        reason="火灾",
    )
    services.standby_topup(
        actor=personas.alice,
        township_code=testing.TOWNSHIP_A,
        amount="2000",
        entry_date=TODAY,
        reference="拨付2",
    )
    assert services.standby_record_help_first(actor=personas.alice, township_code=testing.TOWNSHIP_A) == 1
    assert services.standby_record_help_first(actor=personas.alice, township_code=testing.TOWNSHIP_A) == 0
    rec = services.standby_reconcile(
        actor=personas.alice, township_code=testing.TOWNSHIP_A, as_of=TODAY, counted_balance="1400"
    )
    assert rec.book_balance == Decimal("1500.00") and rec.difference == Decimal("-100.00")
    assert [u["basis"] for u in rec.report["unjustified"]] == ["先行救助尚未补办审批"]
    # the approval (1,500 of which 500 already paid in cash) justifies the cash; stages pay the rest
    decision = temporary_decision(
        case,
        amount="1500.00",
        stages=[{"month": "2026-12", "amount": "1000.00"}],
        standby_cash=[{"amount": "500.00"}],
    )
    [stage] = services.temporary_from_decision(actor=personas.carol, decision=decision)
    assert stage.amount == Decimal("1000.00")
    rec = services.standby_reconcile(
        actor=personas.alice, township_code=testing.TOWNSHIP_A, as_of=TODAY, counted_balance="1500"
    )
    assert rec.difference == 0 and rec.report["unjustified"] == []
    with pytest.raises(ValidationError):
        services.standby_reconcile(
            actor=personas.alice, township_code=testing.TOWNSHIP_A, as_of=TODAY, counted_balance="abc"
        )


def test_a_decision_of_the_old_contract_nets_help_first_cash(personas):
    """Without the workflow's ``standby_cash`` field, help-first cash is deducted here."""
    from types import SimpleNamespace

    from safetynet.payments.services.temporary import _stage_plan

    hh = make_household(personas.alice, seq=34)
    case = temporary_case(hh, n=4, program="temporary_emergency")
    EmergencyPayment.objects.create(
        case=case, amount=Decimal("300.00"), paid_on=TODAY, paid_to="x", signatures="y", reason="z"
    )
    old = SimpleNamespace(
        case_id=case.pk, stages=[], amount=Decimal("1000.00"), first_payment_month=NOV, decided_on=TODAY
    )
    assert [(p["month"], p["amount"]) for p in _stage_plan(old)] == [(NOV, Decimal("700.00"))]
    # with the field, the stages are already net: none given means nothing left to pay
    assert _stage_plan(temporary_decision(case, amount="300.00", standby_cash=[{"amount": "300.00"}])) == []


def test_the_standby_page_for_the_township_caseworker(client, personas):
    hh = make_household(personas.alice, seq=35, members=1)
    decision = temporary_decision(
        temporary_case(hh, n=5),
        amount="600.00",
        stages=[{"month": "2026-11", "amount": "600.00", "method": "cash"}],
    )
    client.force_login(personas.alice)
    url = reverse("payments:standby")
    page = client.get(url).content.decode()
    assert "备用金" in page and "600.00" in page  # the sync found the decision; the stage is due
    r = client.post(
        url, {"action": "topup", "amount": "1000", "entry_date": "2026-11-30", "reference": "拨付3"}
    )
    assert r.status_code == 302
    stage = TemporaryStage.objects.get(decision=decision)
    client.post(
        url,
        {
            "action": "cash",
            "stage": stage.pk,
            "entry_date": "2026-11-30",
            "receipt": "SJ-9",
            "paid_to": "户主35",
            "signatures": "艾丽",
        },
    )
    assert services.standby_balance(testing.TOWNSHIP_A) == Decimal("400.00")
    client.post(url, {"action": "reconcile", "as_of": "2026-11-30", "counted_balance": "400"})
    page = client.get(url).content.decode()
    assert 'id="standby-balance">400.00' in page and "SJ-9" in page
    r = client.post(
        url, {"action": "topup", "amount": "abc", "entry_date": "2026-11-30", "reference": "拨付4"}
    )
    assert StandbyEntry.objects.filter(reference="拨付4").count() == 0
    assert client.get(reverse("payments:temporary")).status_code == 200


def test_temporary_payroll_and_stages_through_the_api(api_as, personas, staged):
    carol = api_as("carol")
    r = carol.post("/payments/temporary-payrolls", {"month": "2026-12"})
    assert r.status_code == 200, r.content
    assert r.json()["total"] == "2000.00"
    stages = api_as("alice").get("/payments/temporary-stages").json()
    assert len(stages) == 3 and all("*" in s["account"] for s in stages)
    r = api_as("alice").post(
        f"/payments/standby/{testing.TOWNSHIP_A}/topups",
        {"amount": "100", "entry_date": "2026-11-30", "reference": "拨付9"},
    )
    assert r.status_code == 200, r.content
    assert api_as("alice").get(f"/payments/standby/{testing.TOWNSHIP_A}").json()["balance"] == "100.00"


def test_the_command_and_the_county_page_build_the_temporary_payroll(client, personas, staged, capsys):
    from django.core.management import call_command

    call_command("payroll", "temporary", "--month", "2026-11")
    assert f"{testing.COUNTY} temporary 2026-11: created, lines=1 total=1000.00" in capsys.readouterr().out
    client.force_login(personas.carol)
    page = client.get(reverse("payments:payrolls")).content.decode()
    assert 'id="temporary-form"' in page and 'id="price-subsidy-form"' in page and "临时救助" in page
    r = client.post(reverse("payments:temporary_build"), {"month": "2026-12"})
    payroll = Payroll.objects.get(kind="temporary", month=DEC)
    assert r.url == reverse("payments:payroll", args=[payroll.pk]) and payroll.total == Decimal("1000.00")
    client.post(r.url, {"action": "check"})
    assert "1000.00" in client.get(r.url).content.decode()
    client.force_login(personas.alice)
    assert client.post(reverse("payments:temporary_build"), {"month": "2027-01"}).status_code == 403
