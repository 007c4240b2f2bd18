import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from safetynet.accounts.models import ApiToken
from safetynet.accounts.services import token_create
from safetynet.api.tests.conftest import ApiClient
from safetynet.core.models import ChangeLog


def test_a_valid_token_authenticates_and_is_marked_used(api_as, household_a):
    response = api_as("alice").get("/households")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert ApiToken.objects.get(user__username="alice").last_used_at is not None


@pytest.mark.parametrize("header", ["Bearer snt_not-a-real-token", "Bearer ", "Basic YWxpY2U6eA==", "snt_x"])
def test_a_bad_token_is_401_with_a_challenge(personas, header):
    client = ApiClient(Authorization=header)
    for response in (client.get("/households"), client.post("/households", {})):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "令牌" in response.json()["detail"]


def test_no_credentials_is_401(personas):
    assert ApiClient().get("/households").status_code == 401


def test_revoked_and_expired_tokens_are_refused(personas):
    _token, key = token_create(actor=None, user=personas.alice)
    assert ApiClient(key).get("/households").status_code == 200
    ApiToken.objects.update(revoked=True)
    assert ApiClient(key).get("/households").status_code == 401
    _token, key = token_create(actor=None, user=personas.alice, days=1)
    ApiToken.objects.filter(revoked=False).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert ApiClient(key).get("/households").status_code == 401


def test_a_token_of_an_inactive_user_is_refused(personas):
    _token, key = token_create(actor=None, user=personas.alice)
    personas.alice.is_active = False
    personas.alice.save(update_fields=["is_active"])
    assert ApiClient(key).get("/households").status_code == 401


def test_the_browser_session_works_and_its_writes_need_the_csrf_token(personas, household_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.alice)
    url = f"/api/v1/households/{household_a.pk}"
    assert client.get(url).status_code == 200

    body = '{"reason": "搬家", "address": "新址8号"}'
    refused = client.patch(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    household_a.refresh_from_db()
    assert household_a.address != "新址8号"

    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    before = ChangeLog.objects.count()
    accepted = client.patch(url, body, content_type="application/json", headers={"X-CSRFToken": secret})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["address"] == "新址8号"
    assert ChangeLog.objects.count() == before + 1
    assert ChangeLog.objects.latest("pk").actor_id == personas.alice.pk  # the session's user is the actor


def test_a_bearer_token_needs_no_csrf_token(api_as, household_a):
    client = api_as("alice")
    client.client = Client(enforce_csrf_checks=True)
    response = client.patch(f"/households/{household_a.pk}", {"reason": "搬家", "address": "新址9号"})
    assert response.status_code == 200
