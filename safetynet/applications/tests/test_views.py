"""Workflow pages through the Django test client: scope (404) and role (403), errors shown and
nothing changed, a stale page's move refused, documents served only in scope, the notice page's
contents, query counts of the worklist."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safetynet.accounts.roles import Role
from safetynet.accounts.services import user_create
from safetynet.applications import choices as c
from safetynet.applications import services as s
from safetynet.applications.models import Case
from safetynet.applications.tests.factories import PDF, TODAY, Upload, apply, png_bytes, to_opinion, to_review
from safetynet.core import testing

pytestmark = pytest.mark.usefixtures("calendar", "rules")


def url(name, *args):
    return reverse(f"applications:{name}", args=args)


@pytest.fixture
def case(personas, household_a):
    return apply(personas, household_a).cases.get()


def test_the_caseworker_sees_the_case_in_her_worklist_and_on_its_page(client, personas, case):
    client.force_login(personas.alice)
    page = client.get(url("worklist")).content.decode()
    assert case.number in page and "已提交待受理" in page
    page = client.get(url("case_detail", case.pk)).content.decode()
    assert "受理" in page and "张伟" in page
    assert testing.make_id_number(birth="19700305", seq=1) not in page  # masked only


def test_another_township_gets_404_and_a_department_403(client, personas, case):
    client.force_login(personas.bob)
    assert client.get(url("case_detail", case.pk)).status_code == 404
    assert client.get(url("case_act", case.pk, "accept")).status_code == 404
    department = user_create(
        actor=None, username="dept", password=testing.PASSWORD, role=Role.DEPARTMENT, region_id=testing.COUNTY
    )
    client.force_login(department)
    assert client.get(url("worklist")).status_code == 403
    assert client.get(url("case_detail", case.pk)).status_code == 403


def test_the_county_officer_cannot_take_the_townships_step(client, personas, case):
    client.force_login(personas.carol)
    response = client.post(url("case_act", case.pk, "accept"), {"version": case.version})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == c.State.SUBMITTED


def test_accepting_through_the_page_moves_the_case(client, personas, case):
    client.force_login(personas.alice)
    response = client.post(url("case_act", case.pk, "accept"), {"version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == c.State.ACCEPTED


def test_a_return_without_items_shows_the_error_and_changes_nothing(client, personas, case):
    client.force_login(personas.alice)
    response = client.post(url("case_act", case.pk, "return"), {"version": case.version, "missing_items": ""})
    assert response.status_code == 200
    assert "请一次性列明所有需要补正的材料" in response.content.decode()
    case.refresh_from_db()
    assert case.state == c.State.SUBMITTED and case.version == 1


def test_a_move_from_a_stale_page_is_refused(client, personas, case):
    client.force_login(personas.alice)
    stale = case.version
    assert (
        client.post(
            url("case_act", case.pk, "return"), {"version": stale, "missing_items": "户口簿"}
        ).status_code
        == 302
    )
    response = client.post(url("case_act", case.pk, "not_accept"), {"version": stale, "reason": "重复申请"})
    assert response.status_code == 200
    assert "不能进行" in response.content.decode() or "已被他人处理" in response.content.decode()
    case.refresh_from_db()
    assert case.state == c.State.RETURNED


def test_the_county_officer_approves_with_each_members_part(client, personas, household_a):
    case = to_review(personas, apply(personas, household_a).cases.get())
    client.force_login(personas.carol)
    form = client.get(url("case_act", case.pk, "approve")).content.decode()
    assert "张伟" in form and "李芳" in form and "380.00" in form
    people = {m.person.name: m.person_id for m in household_a.memberships.select_related("person")}
    data = {
        "version": case.version,
        "kind": "approve",
        "payee_kind": "household",
        f"covered_{people['张伟']}": "on",
        f"part_{people['张伟']}": "380.00",
        f"covered_{people['李芳']}": "on",
        f"part_{people['李芳']}": "380.00",
    }
    response = client.post(url("case_act", case.pk, "approve"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.state == c.State.APPROVED
    decision = case.decisions.get()
    page = client.get(url("case_detail", case.pk)).content.decode()
    assert decision.document_number in page and "查看决定书" in page
    letter = client.get(url("document", decision.letter_id))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert b"".join(letter.streaming_content).startswith(b"%PDF")


def test_documents_are_shown_inline_in_scope_and_404_outside(client, personas, case):
    document = s.document_upload(
        actor=personas.alice, case=case, kind="id_card", upload=Upload(png_bytes(), "id.png")
    )
    client.force_login(personas.alice)
    response = client.get(url("document", document.pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(personas.bob)
    assert client.get(url("document", document.pk)).status_code == 404


def test_uploading_a_file_that_is_not_a_scan_is_refused_at_the_field(client, personas, case):
    client.force_login(personas.alice)
    response = client.post(
        url("case_record", case.pk, "document"),
        {"kind": "income", "upload": Upload(b"#!/bin/sh\necho hi\n", "proof.pdf")},
    )
    assert response.status_code == 200
    assert "不是图片" in response.content.decode()
    assert not case.documents.exists()
    response = client.post(
        url("case_record", case.pk, "document"), {"kind": "income", "upload": Upload(PDF, "p.pdf")}
    )
    assert response.status_code == 302 and case.documents.count() == 1


def test_the_notice_page_shows_only_name_size_amount_and_village(client, personas, household_a):
    case = to_opinion(personas, apply(personas, household_a).cases.get())
    notice = s.notice_publish(
        actor=personas.alice,
        village_code=case.region_code,
        case_ids=[case.pk],
        contact_phone="0512-5550000",
        contact_address="东河镇民政办",
        today=TODAY,
    )
    client.force_login(personas.alice)
    page = client.get(url("notice_detail", notice.pk)).content.decode()
    sheet = page[page.index('<article class="sheet"') : page.index("</article>")]
    assert "张伟" in sheet and "柳树村" in sheet and "760.00" in sheet and ">2<" in sheet
    assert "李芳" not in sheet  # only the applicant's name
    head_id = testing.make_id_number(birth="19700305", seq=1)
    for secret in (head_id, head_id[:4] + "*", head_id[-4:], "138", "5678", "柳树村3组12号", "6228"):
        assert secret not in sheet
    pdf = client.get(url("notice_pdf", notice.pk))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_worklist_query_count_does_not_grow_with_the_rows(client, personas, household_a):
    from safetynet.registry.services import household_create

    client.force_login(personas.alice)
    apply(personas, household_a)
    with CaptureQueriesContext(connection) as one:
        client.get(url("worklist"))
    for i in range(2, 6):
        other = household_create(
            actor=personas.alice, data=testing.household_input(head_name=f"王{i}", seq=i), reason="建档"
        )
        apply(personas, other)
    with CaptureQueriesContext(connection) as five:
        response = client.get(url("worklist"))
    assert response.content.decode().count("/applications/cases/") == 5
    assert len(five) == len(one)


def test_the_supervisor_sees_counts_by_township(client, personas, case):
    client.force_login(personas.carol)
    page = client.get(url("supervision")).content.decode()
    assert "东河镇" in page


def test_the_application_form_submits_one_application_for_two_programs(client, personas, household_a):
    client.force_login(personas.alice)
    page = client.get(url("application_new"), {"number": household_a.number}).content.decode()
    assert "张伟" in page
    response = client.post(
        url("application_new") + f"?household={household_a.pk}",
        {
            "applicant": household_a.head_id,
            "programs": ["dibao", "tekun"],
            "channel": "window",
            "materials": ["application_form", "hukou"],
            "commitment_signed": "on",
        },
    )
    assert response.status_code == 302
    assert Case.objects.filter(household=household_a).count() == 2


def test_the_application_form_lists_what_is_wrong(client, personas, household_a):
    client.force_login(personas.alice)
    response = client.post(
        url("application_new") + f"?household={household_a.pk}",
        {"applicant": household_a.head_id, "channel": "window", "proxy_kind": "relative"},
    )
    body = response.content.decode()
    assert "请至少选择一个救助项目" in body and "代为申请时须填写代办人或代办单位" in body
    assert not Case.objects.exists()


def test_recording_a_visit_and_an_authorisation_through_the_pages(client, personas, case):
    client.force_login(personas.alice)
    response = client.post(
        url("case_record", case.pk, "visit"),
        {
            "kind": "home",
            "visited_on": TODAY.isoformat(),
            "investigators": "艾丽\n王干事",
            "family_signatures": "张伟",
            "findings": "家中陈设简陋",
        },
    )
    assert response.status_code == 302 and case.visits.count() == 1
    head = household_a_head(case)
    response = client.post(
        url("case_record", case.pk, "authorisation"),
        {
            "person": head.pk,
            "signed_by": head.pk,
            "role": "self",
            "scope": ["deposits", "tax"],
            "purpose": "低保审核",
            "valid_from": TODAY.isoformat(),
            "upload": Upload(PDF, "auth.pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert case.household.pk and case.documents.filter(kind="authorisation").exists()


def household_a_head(case):
    return case.household.head


def test_the_leads_page_converts_a_lead_with_consent(client, personas, household_a):
    lead = s.lead_create(
        actor=personas.victor, source="discovery", household=household_a, note="独居老人生活困难", today=TODAY
    )
    client.force_login(personas.victor)
    response = client.post(
        url("lead_detail", lead.pk),
        {
            "convert": "1",
            "consent_note": "",
            "applicant": household_a.head_id,
            "programs": ["dibao"],
            "channel": "lead",
            "proxy_kind": "coordinator",
        },
    )
    assert "请记录家庭同意" in response.content.decode()
    response = client.post(
        url("lead_detail", lead.pk),
        {
            "convert": "1",
            "consent_note": "户主同意代办",
            "applicant": household_a.head_id,
            "programs": ["dibao"],
            "channel": "lead",
            "proxy_kind": "coordinator",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == c.LeadStatus.CONVERTED


def test_the_case_file_pdf_is_served_to_the_county_and_not_outside(client, personas, household_a):
    case = to_review(personas, apply(personas, household_a).cases.get())
    client.force_login(personas.carol)
    response = client.get(url("case_file", case.pk))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(personas.bob)
    assert client.get(url("case_file", case.pk)).status_code == 404


def test_relatives_are_declared_on_their_page(client, personas):
    client.force_login(personas.alice)
    response = client.post(
        url("relatives"),
        {
            "relative_name": "李四",
            "relation": "sibling",
            "id_number": testing.make_id_number(birth="19800101", seq=9),
        },
    )
    assert response.status_code == 302
    page = client.get(url("relatives")).content.decode()
    assert "李四" in page and "兄弟姐妹" in page


def test_deadline_highlighting_in_the_worklist(client, personas, household_a, settings):
    apply(personas, household_a, today=dt.date(2026, 11, 2))  # acceptance due 9 Nov: long overdue now
    client.force_login(personas.alice)
    page = client.get(url("worklist")).content.decode()
    assert 'class="overdue"' in page and "已逾期" in page
