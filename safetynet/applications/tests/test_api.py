"""The workflow through /api/v1/: the dibao path with the same operations as the staff pages,
errors as 422 listing every problem, 404 outside the caller's scope, 403 for the wrong role."""

import datetime as dt

import pytest

from safetynet.accounts.services import token_create
from safetynet.api.tests.conftest import ApiClient
from safetynet.applications.models import Case, PublicNotice
from safetynet.registry.models import Membership

pytestmark = pytest.mark.usefixtures("calendar", "rules")


@pytest.fixture
def api(personas):
    def make(name: str) -> ApiClient:
        _token, key = token_create(actor=None, user=getattr(personas, name), name="test")
        return ApiClient(key)

    return make


def _ok(response, status=200):
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def test_the_dibao_path_through_the_api(api, personas, household_a):
    alice, carol = api("alice"), api("carol")
    head = household_a.head
    spouse = Membership.objects.get(household=household_a, relation="spouse").person
    body = _ok(
        alice.post(
            "/applications",
            {
                "household_id": household_a.pk,
                "applicant_id": head.pk,
                "programs": ["dibao"],
                "commitment_signed": True,
                "materials": ["application_form", "hukou"],
            },
        ),
        201,
    )
    assert body["channel"] == "api" and len(body["cases"]) == 1
    case_id = body["cases"][0]["id"]

    def act(client, action, **data):
        return _ok(client.post(f"/cases/{case_id}/actions/{action}", data))

    def record(what, **data):
        return _ok(alice.post(f"/cases/{case_id}/records/{what}", data))

    detail = act(alice, "accept")
    assert detail["state"] == "accepted" and detail["step_due"]
    for person in (head, spouse):
        record(
            "authorisation",
            person=person.pk,
            signed_by=person.pk,
            role="self",
            scope=["deposits", "tax"],
            purpose="低保审核",
            esign_record=f"ES-{person.pk}",
        )
    act(alice, "authorise")
    act(alice, "investigate")
    record(
        "visit", kind="home", investigators=["艾丽", "王干事"], family_signatures=["张伟"], findings="属实"
    )
    from safetynet.applications.tests.factories import PDF

    upload = alice.client.post(
        f"/api/v1/cases/{case_id}/documents",
        {"kind": "verification", "file": _file(PDF, "report.pdf")},
        headers=alice.headers,
    )
    assert upload.status_code == 201, upload.content
    from safetynet.applications import services

    services.verification_attach(
        actor=personas.alice,
        case=Case(pk=case_id),
        issuer="核对中心",
        summary="无异常",
        received_on=dt.date.today(),
        document=Case.objects.get(pk=case_id).documents.get(),
    )
    assert act(alice, "assess")["rules_eligible"] is True
    detail = act(alice, "propose", eligible="1", opinion="拟同意")
    assert detail["state"] == "opinion"
    notice = _ok(
        alice.post(
            "/notices",
            {
                "village": household_a.region_code,
                "case_ids": [case_id],
                "contact_phone": "0512-1",
                "contact_address": "镇民政办",
            },
        ),
        201,
    )
    assert notice["lines"][0]["applicant_name"] == "张伟" and set(notice["lines"][0]) == {
        "id",
        "applicant_name",
        "household_size",
        "amount",
        "village_name",
        "objections",
    }
    PublicNotice.objects.filter(pk=notice["id"]).update(
        start_date=dt.date.today() - dt.timedelta(days=8), end_date=dt.date.today() - dt.timedelta(days=2)
    )
    _ok(alice.post(f"/notices/{notice['id']}/close"))
    # the county officer sees it among her tasks
    tasks = _ok(carol.get("/cases"))
    assert [c["id"] for c in tasks["items"]] == [case_id]
    detail = _ok(carol.get(f"/cases/{case_id}"))
    assert {a["action"] for a in detail["actions"]} >= {"approve", "refuse"}
    detail = act(
        carol,
        "approve",
        payee_kind="household",
        version=detail["version"],
        members=[{"person_id": head.pk, "amount": "380"}, {"person_id": spouse.pk, "amount": "380"}],
    )
    assert detail["state"] == "approved" and detail["decisions"][0]["document_number"] == "示民救〔2026〕1号"
    letter = carol.get(f"/documents/{detail['decisions'][0]['letter_id']}")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    detail = act(alice, "notify", method="直接送达")
    assert detail["state"] == "notified" and detail["outcome"] == "approved"


def _file(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_errors_are_422_listing_every_problem_and_nothing_changes(api, personas, household_a):
    alice = api("alice")
    response = alice.post(
        "/applications",
        {
            "household_id": household_a.pk,
            "applicant_id": household_a.head_id,
            "programs": [],
            "proxy_kind": "relative",
        },
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) >= {"programs", "proxy_name", "proxy_relation"}
    case_id = _ok(
        alice.post(
            "/applications",
            {"household_id": household_a.pk, "applicant_id": household_a.head_id, "programs": ["dibao"]},
        ),
        201,
    )["cases"][0]["id"]
    response = alice.post(f"/cases/{case_id}/actions/approve", {})
    assert response.status_code == 422 and "state" in response.json()["errors"]
    response = alice.post(f"/cases/{case_id}/actions/accept", {})
    assert response.status_code == 422 and "commitment_signed" in response.json()["errors"]
    response = alice.post(f"/cases/{case_id}/actions/fly", {})
    assert response.status_code == 422 and "action" in response.json()["errors"]
    assert Case.objects.get(pk=case_id).state == "submitted"


def test_scope_and_role_through_the_api(api, personas, household_a):
    alice = api("alice")
    case_id = _ok(
        alice.post(
            "/applications",
            {
                "household_id": household_a.pk,
                "applicant_id": household_a.head_id,
                "programs": ["dibao"],
                "commitment_signed": True,
            },
        ),
        201,
    )["cases"][0]["id"]
    assert api("bob").get(f"/cases/{case_id}").status_code == 404
    assert api("bob").post(f"/cases/{case_id}/actions/accept", {}).status_code == 404
    assert api("carol").post(f"/cases/{case_id}/actions/accept", {}).status_code == 403
    assert (
        api("dave").post(f"/cases/{case_id}/actions/accept", {}).status_code == 403
    )  # the auditor reads only
    assert api("dave").get(f"/cases/{case_id}").status_code == 200


def test_the_counts_and_the_table_are_served(api, personas, household_a):
    alice = api("alice")
    _ok(
        alice.post(
            "/applications",
            {"household_id": household_a.pk, "applicant_id": household_a.head_id, "programs": ["dibao"]},
        ),
        201,
    )
    counts = _ok(alice.get("/workflow/counts"))
    assert counts["tasks"] == 1 and counts["open"] == 1
    table = _ok(alice.get("/workflow/table"))
    assert any(row["action"] == "approve" and row["delegable"] for row in table)


def test_a_lead_becomes_an_application_through_the_api(api, personas, household_a):
    victor = api("victor")
    lead = _ok(
        victor.post("/leads", {"source": "discovery", "household_id": household_a.pk, "note": "独居老人"}),
        201,
    )
    body = {
        "household_id": household_a.pk,
        "applicant_id": household_a.head_id,
        "programs": ["dibao"],
        "consent_note": "户主同意代办",
        "proxy_kind": "coordinator",
    }
    application = _ok(victor.post(f"/leads/{lead['id']}/convert", body), 201)
    assert application["channel"] == "discovery" and application["proxy_kind"] == "coordinator"
