"""Fixtures of the workflow tests: media in a temporary folder, the holiday calendar, a stand-in
for the rules engine (the boundary: the workflow's tests do not depend on regional standards),
a second county officer."""

from __future__ import annotations

import pytest

from safetynet.applications.tests.factories import FakeRules
from safetynet.core import testing


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def calendar(db):
    from safetynet.core.services import calendar_seed_from_library

    calendar_seed_from_library(years=range(2025, 2027))


@pytest.fixture
def rules(monkeypatch):
    fake = FakeRules()
    from safetynet.eligibility import services as eligibility_services

    monkeypatch.setattr(eligibility_services, "snapshot_create", fake, raising=False)
    return fake


@pytest.fixture
def carol2(personas):
    """A second county officer (the concurrent-approval test)."""
    from safetynet.accounts.roles import Role
    from safetynet.accounts.services import user_create

    return user_create(
        actor=None,
        username="connie",
        password=testing.PASSWORD,
        role=Role.COUNTY_OFFICER,
        region_id=testing.COUNTY,
        display_name="康妮",
    )
