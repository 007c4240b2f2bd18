import pytest

from safetynet.core import testing
from safetynet.payments.testing import grant, make_household

__all__ = ["grant", "make_household"]


@pytest.fixture
def county_households(personas):
    """Three households in township A, one in township B, two banks."""
    a = [make_household(personas.alice, seq=i) for i in (11, 12)]
    a.append(make_household(personas.alice, seq=13, bank="建设银行"))
    b = [make_household(personas.bob, seq=21, village=testing.VILLAGE_B1)]
    return a + b
