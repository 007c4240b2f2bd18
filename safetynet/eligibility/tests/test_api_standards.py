"""The regional standards, scenarios and their changes through /api/v1/, as on the pages."""

import pytest
from django.test import Client

from safetynet.accounts.roles import Role
from safetynet.accounts.services import token_create, user_create
from safetynet.core import testing


def _client(user):
    _token, key = token_create(actor=None, user=user)
    c = Client()
    c.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return c


@pytest.fixture
def county_pair(personas):
    connie = user_create(
        actor=None,
        username="connie",
        password=testing.PASSWORD,
        role=Role.COUNTY_OFFICER,
        region_id=testing.COUNTY,
    )
    return personas.carol, connie


def test_a_county_officer_proposes_and_a_colleague_approves_through_the_api(county_pair, standards):
    carol, connie = county_pair
    carol_api, connie_api = _client(carol), _client(connie)
    response = carol_api.post(
        "/api/v1/eligibility/standards",
        {
            "key": "dibao_standard_rural",
            "value": "950",
            "effective_from": "2026-12-01",
            "reference": "示民发〔2026〕9号",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    proposal = response.json()
    assert proposal["status"] == "proposed" and proposal["region_code"] == testing.COUNTY

    # Four-eyes: the proposer cannot approve their own proposal.
    own = carol_api.post(
        f"/api/v1/eligibility/standards/{proposal['id']}/decision",
        {"approve": True},
        content_type="application/json",
    )
    assert own.status_code == 403
    ok = connie_api.post(
        f"/api/v1/eligibility/standards/{proposal['id']}/decision",
        {"approve": True, "note": "同意"},
        content_type="application/json",
    )
    assert (
        ok.status_code == 200 and ok.json()["status"] == "approved" and ok.json()["approved_by"] == "connie"
    )

    in_force = carol_api.get("/api/v1/eligibility/standards", {"month": "2026-12"}).json()
    assert in_force["standards"]["dibao_standard_rural"]["rural"] == 950.0
    assert in_force["standards"]["dibao_standard_rural"]["source"] == testing.COUNTY
    before = carol_api.get("/api/v1/eligibility/standards", {"month": "2026-11"}).json()
    assert before["standards"]["dibao_standard_rural"]["rural"] != 950.0
    history = carol_api.get("/api/v1/eligibility/standards/history", {"key": "dibao_standard_rural"}).json()
    assert [h["id"] for h in history if h["status"] == "approved" and h["value"].startswith("950")] == [
        proposal["id"]
    ]


def test_bad_proposals_list_every_field_and_store_nothing(county_pair, standards):
    from safetynet.eligibility.models import RegionalStandard

    carol, _connie = county_pair
    count = RegionalStandard.objects.count()
    response = _client(carol).post(
        "/api/v1/eligibility/standards",
        {
            "key": "no_such_key",
            "value": "-5",
            "urban_rural": "x",
            "effective_from": "2026-12-01",
            "reference": " ",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = set(response.json()["errors"]) if "errors" in response.json() else set(response.json())
    assert {"key", "value", "urban_rural", "reference"} <= fields, response.json()
    assert RegionalStandard.objects.count() == count


def test_a_caseworker_may_not_propose_and_may_not_read_another_county(personas, standards):
    alice = _client(personas.alice)
    response = alice.post(
        "/api/v1/eligibility/standards",
        {"key": "dibao_standard_rural", "value": "900", "effective_from": "2026-12-01", "reference": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    other = _client(personas.carol).get("/api/v1/eligibility/standards", {"region": "320200000000"})
    assert other.status_code == 422


def test_a_scenario_runs_through_the_api_and_lists_its_changed_households(
    personas, standards, household_a, django_capture_on_commit_callbacks
):
    carol = _client(personas.carol)
    with django_capture_on_commit_callbacks(execute=True):
        response = carol.post(
            "/api/v1/eligibility/scenarios",
            {"name": "低保标准提高 300 元", "month": "2026-12", "changes": {"dibao_standard_rural": 1200}},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    scenario = carol.get(f"/api/v1/eligibility/scenarios/{response.json()['id']}").json()
    assert scenario["status"] == "done", scenario  # the test settings run tasks at once
    assert scenario["summary"]
    changes = carol.get(f"/api/v1/eligibility/scenarios/{scenario['id']}/changes").json()
    assert isinstance(changes, list)
    bad = carol.post(
        "/api/v1/eligibility/scenarios",
        {"name": "", "changes": {"nope": "x"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
