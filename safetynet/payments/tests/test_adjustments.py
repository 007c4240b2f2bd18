"""提标: raising the standard recomputes every affected entitlement in one batch, with one
adjustment record, a line per household, an increase event per entitlement and back-pay of the
difference for months already paid, in the next payroll; idempotent."""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from safetynet.api.tests import conftest as api_conftest
from safetynet.applications.tests.conftest import calendar, rules  # noqa: F401 — fixtures
from safetynet.core import testing
from safetynet.eligibility.models import RegionalStandard
from safetynet.payments import services
from safetynet.payments.models import (
    AdjustmentLine,
    EntitlementEvent,
    PaymentLine,
    StandardAdjustment,
)
from safetynet.payments.services.adjustments import _rules_delta
from safetynet.payments.testing import grant, make_household

api_as = api_conftest.api_as  # the shared fixture

OCT, NOV, DEC = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def standard(value, since, key="dibao_standard_rural", region=testing.COUNTY):
    from safetynet.regions.models import Region

    return RegionalStandard.objects.create(
        region=Region.objects.get(code=region),
        region_code=region,
        key=key,
        value=value,
        effective_from=since,
        reference="示民发〔2026〕12号",
        status=RegionalStandard.Status.APPROVED,
    )


def paid_payroll(carol, month):
    payroll, _created = services.payroll_build(
        actor=carol, county_code=testing.COUNTY, program="dibao", month=month
    )
    services.payroll_check(actor=carol, payroll=payroll)
    return services.payroll_approve(actor=carol, payroll=payroll)


@pytest.fixture
def raised(personas):
    """Rural standard 800 since 2021, raised to 900 from October 2026; two households on dibao
    from October, October and November already paid at the old amount."""
    standard(800, dt.date(2021, 1, 1))
    standard(900, OCT)
    h1 = make_household(personas.alice, seq=31)
    h2 = make_household(personas.bob, seq=32, village=testing.VILLAGE_B1)
    e1 = grant(personas.carol, h1, amounts=("300.00", "200.00"), first=OCT)
    e2 = grant(personas.carol, h2, amounts=("150.00", "150.00"), first=OCT)
    paid_payroll(personas.carol, OCT)
    paid_payroll(personas.carol, NOV)
    return SimpleNamespace(h1=h1, h2=h2, e1=e1, e2=e2)


def test_raise_recomputes_every_entitlement_with_one_record_and_a_line_per_household(personas, raised):
    adj, created = services.standard_raise(
        actor=personas.carol,
        region_code=testing.COUNTY,
        program="dibao",
        from_month=OCT,
        document_number="示民发〔2026〕12号",
    )
    assert created and StandardAdjustment.objects.count() == 1
    assert adj.household_count == 2
    lines = {ln.entitlement_id: ln for ln in adj.lines.all()}
    one = lines[raised.e1.pk]
    # standard × covered persons − income: each covered member's part rises by the standard's rise
    assert (one.old_amount, one.new_amount, one.difference) == (
        Decimal("500.00"),
        Decimal("700.00"),
        Decimal("200.00"),
    )
    assert one.months == ["2026-10", "2026-11"] and one.backpay_amount == Decimal("400.00")
    assert adj.monthly_increase == Decimal("400.00") and adj.backpay_total == Decimal("800.00")
    # an increase event per entitlement, naming the adjustment; the cached state follows
    ev = EntitlementEvent.objects.filter(entitlement=raised.e1).order_by("-seq").first()
    assert ev.kind == "increase" and adj.number in ev.reason and ev.effective_month == OCT
    raised.e1.refresh_from_db()
    assert raised.e1.monthly_amount == Decimal("700.00")
    assert sorted(raised.e1.parts.values_list("amount", flat=True)) == [Decimal("300.00"), Decimal("400.00")]
    assert services.entitlement_replay(raised.e1, month=DEC)["amount"] == Decimal("700.00")


def test_running_twice_changes_nothing(personas, raised):
    services.standard_raise(actor=personas.carol, region_code=testing.COUNTY, program="dibao", from_month=OCT)
    events = EntitlementEvent.objects.count()
    adj, created = services.standard_raise(
        actor=personas.carol, region_code=testing.COUNTY, program="dibao", from_month=OCT
    )
    assert not created and StandardAdjustment.objects.count() == 1
    assert EntitlementEvent.objects.count() == events and AdjustmentLine.objects.count() == 2
    # the same rise run again for a township below finds nothing left to change
    adj2, _created = services.standard_raise(
        actor=personas.carol, region_code=testing.TOWNSHIP_A, program="dibao", from_month=OCT
    )
    assert EntitlementEvent.objects.count() == events and adj2.household_count == 0


def test_months_paid_at_the_old_standard_get_backpay_in_the_next_payroll(personas, raised):
    services.standard_raise(actor=personas.carol, region_code=testing.COUNTY, program="dibao", from_month=OCT)
    payroll = paid_payroll(personas.carol, DEC)
    regular = payroll.lines.filter(kind="regular")
    adjust = payroll.lines.filter(kind=PaymentLine.Kind.ADJUST)
    assert sum(x.amount for x in regular) == Decimal("1200.00")  # 700 + 500 at the new standard
    assert sorted({f"{x.for_month:%Y-%m}" for x in adjust}) == ["2026-10", "2026-11"]
    assert sum(x.amount for x in adjust) == Decimal("800.00")
    assert payroll.total == Decimal("2000.00")
    assert payroll.check_report["adjust_backpay_total"] == "800.00"
    assert set(AdjustmentLine.objects.values_list("backpay_payroll", flat=True)) == {payroll.pk}
    # paid once: a later payroll has no further adjustment lines
    jan = paid_payroll(personas.carol, dt.date(2027, 1, 1))
    assert not jan.lines.filter(kind=PaymentLine.Kind.ADJUST).exists()
    # the database refuses a second back-pay line for the same part, month and payroll
    line = adjust.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            payroll=payroll,
            entitlement_id=line.entitlement_id,
            person_id=line.person_id,
            for_month=line.for_month,
            kind=PaymentLine.Kind.ADJUST,
            township_code=line.township_code,
            amount=1,
        )


def test_taper_and_stopped_entitlements_keep_their_amounts(personas):
    standard(800, dt.date(2021, 1, 1))
    standard(900, DEC)
    hh = make_household(personas.alice, seq=41)
    ent = grant(
        personas.carol,
        hh,
        amounts=("300.00", "200.00"),
        first=OCT,
        taper=[{"month": "2026-12", "amount": "250.00"}, {"month": "2027-01", "amount": "0"}],
    )
    adj, _created = services.standard_raise(
        actor=personas.carol, region_code=testing.COUNTY, program="dibao", from_month=DEC
    )
    assert adj.household_count == 0 and adj.skipped[0]["entitlement"] == ent.number
    assert services.entitlement_replay(ent, month=DEC)["amount"] == Decimal("250.00")


def test_no_approved_raise_is_refused_with_a_clear_message(personas):
    standard(800, dt.date(2021, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.standard_raise(
            actor=personas.carol, region_code=testing.COUNTY, program="dibao", from_month=OCT
        )
    assert "没有已批准生效的新低保标准" in str(exc.value)
    # a proposed (not approved) standard does not count
    row = standard(900, OCT)
    row.status = RegionalStandard.Status.PROPOSED
    row.save()
    with pytest.raises(ValidationError):
        services.standard_raise(
            actor=personas.carol, region_code=testing.COUNTY, program="dibao", from_month=OCT
        )


def test_the_decisions_own_formula_through_the_rules_package():
    """With a rules snapshot the household is evaluated again with the new standard: the base
    rises by 100 × 3 covered persons and the classified top-ups (60 % of the standard in this
    household) by 60 — 360 in all, added to the decision's member parts."""
    example = Path(__file__).resolve().parents[3] / "rules/openfisca_cn_assistance/situation_examples"
    situation = json.loads((example / "beijing_family_of_three.json").read_text())
    ent = SimpleNamespace(program="dibao", case=SimpleNamespace(snapshot=SimpleNamespace(inputs=situation)))
    parts = [
        {"person_id": 1, "amount": "2000.00"},
        {"person_id": 2, "amount": "1000.00"},
        {"person_id": 3, "amount": "1020.00"},
    ]
    delta = _rules_delta(ent, parts, {"urban": Decimal(1550), "rural": Decimal(1550)})
    assert sum(delta.values()) == Decimal("360.00")
    assert _rules_delta(ent, parts, {"urban": Decimal(1450), "rural": Decimal(1450)}) == {}


def test_command_raise_standard(personas, raised, capsys):
    call_command(
        "payroll", "raise-standard", "--region", testing.COUNTY, "--from", "2026-10", "--program", "dibao"
    )
    out = capsys.readouterr().out
    assert "created" in out and "households=2" in out
    call_command(
        "payroll", "raise-standard", "--region", testing.COUNTY, "--from", "2026-10", "--program", "dibao"
    )
    assert "nothing changed" in capsys.readouterr().out
    assert StandardAdjustment.objects.count() == 1


def test_pages_and_api(client, personas, raised):
    from django.urls import reverse

    client.force_login(personas.carol)
    r = client.post(
        reverse("payments:adjustments"),
        {"region": testing.COUNTY, "program": "dibao", "from_month": "2026-10"},
    )
    adj = StandardAdjustment.objects.get()
    assert r.url == reverse("payments:adjustment", args=[adj.pk])
    page = client.get(r.url).content.decode()
    assert "户主31" in page and "700.00" in page and "2026-10、2026-11" in page
    assert adj.number in client.get(reverse("payments:adjustments")).content.decode()
    # a township caseworker sees only the lines of their township, and cannot run one
    client.force_login(personas.bob)
    page = client.get(reverse("payments:adjustment", args=[adj.pk])).content.decode()
    assert "户主32" in page and "户主31" not in page
    client.post(
        reverse("payments:adjustments"),
        {"region": testing.COUNTY, "program": "dibao", "from_month": "2026-11"},
    )
    assert StandardAdjustment.objects.count() == 1
    # bad input: a clear message, nothing stored
    client.force_login(personas.carol)
    r = client.post(
        reverse("payments:adjustments"),
        {"region": testing.COUNTY, "program": "dibao", "from_month": "2026-13"},
        follow=True,
    )
    assert "月份格式应为 YYYY-MM" in r.content.decode()


def test_api(api_as, personas, raised):
    carol = api_as("carol")
    r = carol.post("/payments/adjustments", {"from_month": "2026-10", "program": "dibao"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["created"] is True and body["household_count"] == 2
    again = carol.post("/payments/adjustments", {"from_month": "2026-10", "program": "dibao"}).json()
    assert again["created"] is False and again["id"] == body["id"]
    detail = carol.get(f"/payments/adjustments/{body['id']}").json()
    assert {ln["difference"] for ln in detail["lines"]} == {"200.00"}
    assert api_as("alice").post("/payments/adjustments", {"from_month": "2026-10"}).status_code == 403
    bad = carol.post("/payments/adjustments", {"from_month": "2026-09", "program": "dibao"})
    assert bad.status_code == 422 and "没有已批准生效的新低保标准" in bad.content.decode()


def test_tekun_follows_the_basic_living_amount_through_the_rules_package():
    """Tekun basic living = dibao standard × 1.3 here: +100 on the standard is +130 for the member."""
    example = Path(__file__).resolve().parents[3] / "rules/openfisca_cn_assistance/situation_examples"
    situation = json.loads((example / "rural_elder_with_son_elsewhere.json").read_text())
    situation["members"][0]["id"] = "p7"
    ent = SimpleNamespace(program="tekun", case=SimpleNamespace(snapshot=SimpleNamespace(inputs=situation)))
    delta = _rules_delta(ent, [{"person_id": 7, "amount": "1677.00"}], {"rural": Decimal(750)})
    assert delta == {7: Decimal("130.00")}


@pytest.mark.usefixtures("calendar", "rules")
def test_an_entitlement_from_a_decision_is_recomputed_with_its_snapshot(personas, household_a):
    """End to end: a dibao approval through the workflow, its snapshot replaced by a real
    situation of the household's members; the raise re-evaluates it with the rules package."""
    from openfisca_cn_assistance import evaluate

    from safetynet.applications import services as s
    from safetynet.applications.tests.factories import TODAY, apply, approval, to_review
    from safetynet.eligibility.models import DecisionSnapshot
    from safetynet.payments.models import Entitlement

    case = to_review(personas, apply(personas, household_a).cases.get())
    s.case_approve(actor=personas.carol, case=case, data=approval(case), today=TODAY + dt.timedelta(days=8))
    ent = Entitlement.objects.get(case=case)
    parts = ent.events.get().parts
    example = Path(__file__).resolve().parents[3] / "rules/openfisca_cn_assistance/situation_examples"
    situation = json.loads((example / "beijing_family_of_three.json").read_text())
    situation["members"] = situation["members"][: len(parts)]
    for member, part in zip(situation["members"], parts, strict=True):
        member["id"] = f"p{part['person_id']}"
    situation["members"][0]["role"] = "head"
    situation["supporters"] = []
    snap = DecisionSnapshot.objects.create(
        household=household_a,
        region_code=household_a.region_code,
        month=OCT,
        purpose="测试",
        inputs=situation,
        outputs={},
        rules_version="test",
    )
    type(case).objects.filter(pk=case.pk).update(snapshot=snap)
    start = ent.first_month
    for key in ("dibao_standard_urban", "dibao_standard_rural"):
        standard(1450, dt.date(2021, 1, 1), key=key)
        standard(1550, start, key=key)
    raised = {
        **situation,
        "standards": {**situation["standards"], "dibao_standard_urban": 1550, "dibao_standard_rural": 1550},
    }
    expected = Decimal(str(evaluate(raised)["programs"]["dibao"]["monthly_amount"])) - Decimal(
        str(evaluate(situation)["programs"]["dibao"]["monthly_amount"])
    )
    assert expected > 0
    adj, _created = services.standard_raise(
        actor=personas.carol, region_code=testing.COUNTY, program="dibao", from_month=start
    )
    line = adj.lines.get()
    assert line.method == "rules" and line.difference == expected
    ent.refresh_from_db()
    assert services.entitlement_replay(ent, month=start)["amount"] == line.new_amount


def test_a_decision_taken_at_the_new_standard_is_not_raised_twice(personas):
    standard(800, dt.date(2021, 1, 1))
    standard(900, OCT)  # approved before both decisions
    late = grant(personas.carol, make_household(personas.alice, seq=61), first=NOV)  # decided in October: 900
    early = grant(
        personas.carol, make_household(personas.alice, seq=62), first=OCT
    )  # decided in September: 800
    adj, _created = services.standard_raise(
        actor=personas.carol, region_code=testing.COUNTY, program="dibao", from_month=OCT
    )
    assert list(adj.lines.values_list("entitlement_id", flat=True)) == [early.pk]
    assert [s["entitlement"] for s in adj.skipped] == [late.number]


def test_a_raise_approved_after_the_decision_applies_to_it(personas):
    standard(800, dt.date(2021, 1, 1))
    ent = grant(personas.carol, make_household(personas.alice, seq=63), first=NOV)
    standard(900, OCT)  # retroactive, approved after the decision was recorded
    adj, _created = services.standard_raise(
        actor=personas.carol, region_code=testing.COUNTY, program="dibao", from_month=OCT
    )
    assert adj.lines.get().entitlement_id == ent.pk and adj.monthly_increase == Decimal("200.00")
