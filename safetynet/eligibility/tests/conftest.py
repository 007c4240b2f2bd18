import datetime as dt

import pytest

from safetynet.core import testing
from safetynet.eligibility.services import standards_seed


@pytest.fixture
def standards(personas):
    """The demo standards, set for the test city from 2026-01-01."""
    standards_seed(actor=None, region_code=testing.CITY, effective_from=dt.date(2026, 1, 1))
