from safetynet.api.tests.conftest import ApiClient
from safetynet.registry import selectors


def test_messages_are_chinese_by_default_and_follow_accept_language(personas):
    zh = ApiClient().get("/households")
    assert zh.status_code == 401 and zh["Content-Language"] == "zh-hans"
    assert "令牌" in zh.json()["detail"]
    en = ApiClient(**{"Accept-Language": "en"}).get("/households")
    assert en["Content-Language"] == "en"


def test_a_body_that_is_not_json_is_a_clear_400(api_as):
    alice = api_as("alice")
    response = alice.client.post(
        "/api/v1/households", "{not json", content_type="application/json", headers=alice.headers
    )
    assert response.status_code == 400 and response.json() == {"detail": "请求体不是有效的 JSON"}


def test_an_unexpected_failure_is_a_json_500_with_the_request_id(api_as, household_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(selectors, "household_get", broken)
    response = api_as("alice", **{"X-Request-ID": "req-42"}).get(f"/households/{household_a.pk}")
    assert response.status_code == 500
    assert "req-42" in response.json()["detail"] and response["X-Request-ID"] == "req-42"
