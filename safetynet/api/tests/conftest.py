"""An API client per persona, authenticated with a real token (``Authorization: Bearer``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from safetynet.accounts.services import token_create

BASE = "/api/v1"


class ApiClient:
    def __init__(self, key: str | None = None, **headers: str) -> None:
        self.client = Client()
        self.headers = dict(headers)
        if key:
            self.headers["Authorization"] = f"Bearer {key}"

    def get(self, path: str, **params: Any):
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any = None):
        return self.client.post(
            BASE + path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: Any = None):
        return self.client.patch(
            BASE + path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_as(personas):
    """``api_as("alice")`` → a client calling as Alice with a fresh token."""

    def make(name: str, **headers: str) -> ApiClient:
        _token, key = token_create(actor=None, user=getattr(personas, name), name="test")
        return ApiClient(key, **headers)

    return make


def member_body(*, name: str, id_number: str, relation: str = "self", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "id_number": id_number,
        "relation": relation,
        "hukou_type": "rural",
        "employment": "farming",
        **extra,
    }


def household_body(*, village: str, seq: int, head: str = "王强", **extra: Any) -> dict[str, Any]:
    from safetynet.core import testing

    return {
        "region_code": village,
        "address": "柳树村5组1号",
        "hukou_type": "rural",
        "phone": "13912345678",
        "bank_name": "农村信用社",
        "account_holder": head,
        "account_number": "6228480099998888777",
        "reason": "接口建档",
        "members": [
            member_body(name=head, id_number=testing.make_id_number(birth="19650412", seq=seq)),
            member_body(
                name="赵敏",
                id_number=testing.make_id_number(birth="19680101", seq=seq, male=False),
                relation="spouse",
            ),
        ],
        **extra,
    }
