import pytest

from safetynet.core import testing


@pytest.fixture
def personas(db):
    return testing.build_personas()


@pytest.fixture
def household_a(personas):
    from safetynet.registry.services import household_create

    return household_create(actor=personas.alice, data=testing.household_input(), reason="建档测试")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached values (home-page counts) must not leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
