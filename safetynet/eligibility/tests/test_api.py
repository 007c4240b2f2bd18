import json
from pathlib import Path

import pytest

from safetynet.eligibility.tests.test_situations import declare

EXAMPLES = Path(__file__).resolve().parents[3] / "rules" / "openfisca_cn_assistance" / "situation_examples"


@pytest.fixture
def alice_client(client, personas):
    from safetynet.accounts.services import token_create

    _token, key = token_create(actor=None, user=personas.alice)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def test_the_api_evaluates_a_documented_example_like_the_command(alice_client):
    example = sorted(EXAMPLES.glob("*.json"))[0]
    response = alice_client.post(
        "/api/v1/eligibility/evaluate", example.read_text(encoding="utf-8"), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body["programs"]) >= {"dibao", "tekun", "edge", "medical", "price_subsidy"}


def test_bad_situations_list_every_field(alice_client):
    response = alice_client.post(
        "/api/v1/eligibility/evaluate",
        json.dumps({"period": "2026-08", "programs": ["x"], "members": [{"id": "a", "age": 300}]}),
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "programs[0]" in errors and "members[0].age" in errors


def test_a_stored_household_is_evaluated_with_its_sources(alice_client, personas, household_a, standards):
    declare(personas.alice, household_a, "income", "wages", 6000, person=household_a.head)
    response = alice_client.get(f"/api/v1/households/{household_a.pk}/evaluation", {"month": "2026-12"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["programs"]["dibao"]["eligible"] is True
    assert body["sources"][0]["source"] == "declared"


def test_no_standards_is_a_clear_422(alice_client, household_a):
    response = alice_client.get(f"/api/v1/households/{household_a.pk}/evaluation", {"month": "2026-12"})
    assert response.status_code == 422 and "2026-12" in response.json()["errors"]["standards"][0]
