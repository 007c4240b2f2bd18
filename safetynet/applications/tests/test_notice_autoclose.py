"""Public notices close themselves at the end of their period: `safetynet workflow close-notices`
(idempotent), and on access (the notice page, the case page, the API) when past the end; the
cases move on as the table says (no objection → county; objection → 公示有异议)."""

import datetime as dt

import pytest
from django.core.management import call_command

from safetynet.applications import choices as c
from safetynet.applications import services as s
from safetynet.applications.models import Case, PublicNotice
from safetynet.applications.tests.factories import TODAY, apply, to_opinion
from safetynet.core.models import ChangeLog, Job

pytestmark = pytest.mark.usefixtures("calendar", "rules")


def _posted(personas, household):
    case = to_opinion(personas, apply(personas, household).cases.get())
    return s.notice_publish(
        actor=personas.alice,
        village_code=case.region_code,
        case_ids=[case.pk],
        contact_phone="0512-1234567",
        contact_address="东河镇民政办",
        today=TODAY,
    )


def test_the_command_closes_ended_notices_once_and_moves_the_cases_on(personas, household_a):
    from safetynet.core import testing
    from safetynet.registry.services import household_create

    clean = _posted(personas, household_a)
    other = household_create(
        actor=personas.alice, data=testing.household_input(head_name="王五", seq=2), reason="建档"
    )
    objected = _posted(personas, other)
    s.objection_record(actor=personas.alice, line=objected.lines.get(), content="家中有车辆", today=TODAY)
    # on the last day nothing closes
    assert s.notices_close_ended(today=clean.end_date) == 0
    call_command("workflow", "close-notices", "--date", (clean.end_date + dt.timedelta(days=1)).isoformat())
    clean.refresh_from_db()
    objected.refresh_from_db()
    assert clean.status == objected.status == c.NoticeStatus.CLOSED
    assert Case.objects.get(pk=clean.lines.get().case_id).state == c.State.REVIEW
    assert Case.objects.get(pk=objected.lines.get().case_id).state == c.State.OBJECTION
    moved = Case.objects.get(pk=clean.lines.get().case_id).transitions.get(action="close_notice")
    assert moved.actor is None and moved.actor_name == "system"
    # idempotent: a second run does nothing, and says so in its job
    assert s.notices_close_ended(today=clean.end_date + dt.timedelta(days=2)) == 0
    jobs = Job.objects.filter(kind="workflow.notices_close").order_by("id")
    assert [j.counts["closed"] for j in jobs] == [0, 2, 0]
    assert (
        ChangeLog.objects.filter(
            object_type="applications.publicnotice", reason__contains="end of its period"
        ).count()
        == 2
    )


def test_a_notice_past_its_end_is_closed_when_its_page_or_its_case_is_opened(client, personas, household_a):
    notice = _posted(personas, household_a)
    PublicNotice.objects.filter(pk=notice.pk).update(
        start_date=notice.start_date - dt.timedelta(days=40), end_date=notice.end_date - dt.timedelta(days=40)
    )
    client.force_login(personas.alice)
    page = client.get(f"/applications/notices/{notice.pk}/")
    assert page.status_code == 200
    notice.refresh_from_db()
    assert notice.status == c.NoticeStatus.CLOSED
    assert Case.objects.get(pk=notice.lines.get().case_id).state == c.State.REVIEW


def test_the_case_page_and_the_api_close_an_ended_notice_too(client, personas, household_a):
    notice = _posted(personas, household_a)
    case_id = notice.lines.get().case_id
    PublicNotice.objects.filter(pk=notice.pk).update(
        start_date=notice.start_date - dt.timedelta(days=40), end_date=notice.end_date - dt.timedelta(days=40)
    )
    client.force_login(personas.alice)
    response = client.get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200 and response.json()["state"] == c.State.REVIEW
    assert client.get(f"/applications/cases/{case_id}/").status_code == 200  # already closed: no second move
    assert Case.objects.get(pk=case_id).transitions.filter(action="close_notice").count() == 1


def test_a_running_notice_is_left_alone_on_access(client, personas, household_a):
    notice = _posted(personas, household_a)
    assert s.notice_close_if_ended(notice=notice, today=notice.end_date) is False
    notice.refresh_from_db()
    assert notice.status == c.NoticeStatus.RUNNING
