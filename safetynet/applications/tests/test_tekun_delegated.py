"""Tekun where confirmation is delegated to the township: the county spot-checks at least the
dated parameter's share (30%, 特困人员认定办法 第14条) of the township's confirmed cases — drawn
reproducibly and recorded — and records each check; tekun termination is posted for 7 days
(a parameter) before it takes effect."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safetynet.applications import choices as c
from safetynet.applications import services as s
from safetynet.applications.models import Case, SpotCheck
from safetynet.applications.services.spotchecks import draw, sample_size
from safetynet.applications.tests.factories import TODAY, apply, approval, to_review
from safetynet.core import testing
from safetynet.eligibility.models import RegionalStandard

pytestmark = pytest.mark.usefixtures("calendar", "rules")
DAY = TODAY + dt.timedelta(days=8)


def _standard(key: str, value, region=testing.COUNTY):
    from safetynet.regions.models import Region

    RegionalStandard.objects.create(
        region=Region.objects.get(code=region),
        region_code=region,
        key=key,
        value=value,
        effective_from=dt.date(2021, 1, 1),
        reference="示民发〔2026〕9号",
        status=RegionalStandard.Status.APPROVED,
    )


def _households(personas, n):
    from safetynet.registry.services import household_create

    return [
        household_create(
            actor=personas.alice,
            data=testing.household_input(head_name=f"王{'一二三四五六七八九'[i]}", seq=20 + i, members=1),
            reason="建档",
        )
        for i in range(n)
    ]


def _confirmed_by_township(personas, household):
    case = to_review(personas, apply(personas, household, programs=("tekun",)).cases.get())
    assert case.delegated
    s.case_approve(actor=personas.alice, case=case, data=approval(case), today=DAY)  # the township confirms
    return case


def test_sample_size_rounds_up_and_the_draw_is_reproducible():
    from decimal import Decimal

    assert [sample_size(n, Decimal(30)) for n in (0, 1, 3, 7, 10)] == [0, 1, 1, 3, 3]
    numbers = [f"AJ{i:03d}" for i in range(20)]
    assert draw(numbers, "seed", 6) == draw(list(reversed(numbers)), "seed", 6)
    assert draw(numbers, "seed", 6) != draw(numbers, "other", 6)


def test_the_county_draws_30_percent_of_the_townships_confirmed_tekun_cases_and_records_checks(
    personas, household_a
):
    _standard("workflow.confirmation_delegated", 1)
    cases = [_confirmed_by_township(personas, h) for h in [household_a, *_households(personas, 3)]]
    with pytest.raises(PermissionDenied):  # a township caseworker may not draw the county's sample
        s.spot_check_draw(
            actor=personas.alice, township_code=testing.TOWNSHIP_A, date_from=TODAY, date_to=DAY, today=DAY
        )
    check = s.spot_check_draw(
        actor=personas.carol, township_code=testing.TOWNSHIP_A, date_from=TODAY, date_to=DAY, today=DAY
    )
    assert check.share_percent == 30 and "特困人员认定办法 第14条" in check.share_reference
    assert sorted(check.population) == sorted(x.number for x in cases)
    items = list(check.items.select_related("case"))
    assert len(items) == 2  # 30% of 4, rounded up
    # reproducible: the recorded seed and population give the same sample; drawing again returns it
    assert sorted(i.case.number for i in items) == draw(check.population, check.seed, 2)
    again = s.spot_check_draw(
        actor=personas.carol, township_code=testing.TOWNSHIP_A, date_from=TODAY, date_to=DAY, today=DAY
    )
    assert again.pk == check.pk and SpotCheck.objects.count() == 1
    # the outcome: a problem needs a note; nothing is stored on a refusal
    with pytest.raises(ValidationError) as err:
        s.spot_check_record(actor=personas.carol, item=items[0], outcome="problem", note="", today=DAY)
    assert set(err.value.message_dict) == {"note"}
    s.spot_check_record(actor=personas.carol, item=items[0], outcome="confirmed", note="", today=DAY)
    s.spot_check_record(
        actor=personas.carol, item=items[1], outcome="problem", note="子女已有赡养能力，需复核", today=DAY
    )
    items[1].refresh_from_db()
    assert items[1].outcome == "problem" and items[1].checked_by == personas.carol
    assert items[1].case.transitions.filter(action="spot_check_result").exists()


def test_no_spot_check_where_confirmation_was_not_delegated(personas, household_a):
    case = to_review(personas, apply(personas, household_a, programs=("tekun",)).cases.get())
    s.case_approve(actor=personas.carol, case=case, data=approval(case), today=DAY)
    with pytest.raises(ValidationError) as err:
        s.spot_check_draw(
            actor=personas.carol, township_code=testing.TOWNSHIP_A, date_from=TODAY, date_to=DAY, today=DAY
        )
    assert "period" in err.value.message_dict


def test_the_spot_check_pages(client, personas, household_a):
    _standard("workflow.confirmation_delegated", 1)
    _confirmed_by_township(personas, household_a)
    client.force_login(personas.carol)
    response = client.post(
        "/applications/spot-checks/",
        {"township": testing.TOWNSHIP_A, "date_from": TODAY.isoformat(), "date_to": DAY.isoformat()},
    )
    # the draw is dated today, the confirmations in the period
    check = SpotCheck.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/spot-checks/{check.pk}/")
    item = check.items.get()
    page = client.get(f"/applications/spot-checks/{check.pk}/")
    assert "县级抽查" in page.content.decode() and item.case.number in page.content.decode()
    response = client.post(
        f"/applications/spot-checks/{check.pk}/",
        {"item": item.pk, "outcome": "confirmed", "note": "核实无误"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.outcome == "confirmed"


def _tekun_at_county_with_hearing(personas, household):
    entitlement = to_review(personas, apply(personas, household, programs=("tekun",)).cases.get())
    s.case_approve(actor=personas.carol, case=entitlement, data=approval(entitlement), today=DAY)
    entitlement = s.case_notify(actor=personas.alice, case=entitlement, method="直接送达", today=DAY)
    review = s.review_open(
        actor=personas.alice, case=entitlement, kind=c.CaseKind.CHANGE, reason="外出务工", today=DAY
    )
    review = s.case_move(actor=personas.alice, case=review, action="investigate", today=DAY)
    s.visit_record(
        actor=personas.alice,
        case=review,
        kind="home",
        visited_on=DAY,
        investigators=["艾丽", "王干事"],
        family_signatures=["张伟"],
        findings="已恢复劳动能力",
        today=DAY,
    )
    review = s.case_assess(actor=personas.alice, case=review, today=DAY)
    review = s.case_propose(
        actor=personas.alice,
        case=review,
        eligible=None,
        proposed_kind="stop",
        opinion="恢复劳动能力",
        today=DAY,
    )
    review = s.case_move(actor=personas.alice, case=review, action="submit_review", today=DAY)
    s.hearing_record(
        actor=personas.alice, case=review, held_on=DAY, attendees="张伟", statement="无异议", today=DAY
    )
    return entitlement, review


def test_tekun_termination_is_posted_for_seven_days_before_it_takes_effect(personas, household_a):
    entitlement, review = _tekun_at_county_with_hearing(personas, household_a)
    with pytest.raises(ValidationError) as err:  # no direct stop for tekun: the notice comes first
        s.case_stop(actor=personas.carol, case=review, reasons="已恢复劳动能力", today=DAY)
    assert "拟终止供养，张榜公示" in str(err.value)
    review = s.case_move(
        actor=personas.carol,
        case=review,
        action="stop_notice",
        reason="已恢复劳动能力，拟终止供养",
        today=DAY,
    )
    assert review.state == c.State.STOP_NOTICE and review.step_limit == "stop_notice"
    assert review.step_due == DAY + dt.timedelta(days=7)
    last_day = DAY + dt.timedelta(days=6)
    with pytest.raises(ValidationError) as err:
        s.case_stop(actor=personas.carol, case=review, reasons="已恢复劳动能力", today=last_day)
    assert "stop_notice_ended" in err.value.message_dict
    decision = s.case_stop(
        actor=personas.carol, case=review, reasons="已恢复劳动能力", today=last_day + dt.timedelta(days=1)
    )
    review.refresh_from_db()
    entitlement.refresh_from_db()
    assert review.state == c.State.STOPPED and not entitlement.entitlement_active
    assert decision.first_payment_month == dt.date(2026, 12, 1)  # stops from the next month
    from safetynet.applications.services.documents import document_open
    from safetynet.applications.tests.test_letter_variants import text_of

    text = text_of(document_open(decision.letter))
    assert text.startswith("特困人员救助供养停发告知书")
    assert "并于2026年11月10日至2026年11月16日在村（社区）公示" in text
    assert "《特困人员认定办法》第二十四条至第二十七条" in text


def test_an_objection_to_the_termination_notice_withdraws_it(personas, household_a):
    _entitlement, review = _tekun_at_county_with_hearing(personas, household_a)
    review = s.case_move(actor=personas.carol, case=review, action="stop_notice", reason="拟终止", today=DAY)
    with pytest.raises(ValidationError):
        s.case_move(actor=personas.carol, case=review, action="withdraw_stop", reason="", today=DAY)
    review = s.case_move(
        actor=personas.carol, case=review, action="withdraw_stop", reason="村民反映其仍无劳动能力", today=DAY
    )
    assert review.state == c.State.REVIEW
    assert Case.objects.get(pk=review.pk).state == c.State.REVIEW


def test_the_spot_check_api(client, personas, household_a):
    _standard("workflow.confirmation_delegated", 1)
    _confirmed_by_township(personas, household_a)
    client.force_login(personas.carol)
    response = client.post(
        "/api/v1/spot-checks",
        {"township_code": testing.TOWNSHIP_A, "date_from": TODAY.isoformat(), "date_to": DAY.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["share_percent"] in ("30.00", 30, "30") and len(body["items"]) == 1
    item = body["items"][0]
    bad = client.post(
        f"/api/v1/spot-checks/items/{item['id']}", {"outcome": "problem"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "note" in bad.json()["errors"]
    ok = client.post(
        f"/api/v1/spot-checks/items/{item['id']}", {"outcome": "confirmed"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["outcome"] == "confirmed"
    assert client.get(f"/api/v1/spot-checks/{body['id']}").json()["items"][0]["outcome"] == "confirmed"
    client.force_login(personas.alice)  # a caseworker reads, but may not draw
    denied = client.post(
        "/api/v1/spot-checks",
        {"township_code": testing.TOWNSHIP_A, "date_from": TODAY.isoformat(), "date_to": DAY.isoformat()},
        content_type="application/json",
    )
    assert denied.status_code == 403
