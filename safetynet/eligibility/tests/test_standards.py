import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safetynet.accounts.roles import Role
from safetynet.accounts.services import user_create
from safetynet.core import testing
from safetynet.eligibility.selectors import MissingStandard, StandardValue, standards_in_force
from safetynet.eligibility.services import standard_decide, standard_propose


@pytest.fixture
def officers(personas):
    city = user_create(
        actor=None,
        username="cindy",
        password=testing.PASSWORD,
        role=Role.CITY_OFFICER,
        region_id=testing.CITY,
    )
    city2 = user_create(
        actor=None,
        username="cyrus",
        password=testing.PASSWORD,
        role=Role.CITY_OFFICER,
        region_id=testing.CITY,
    )
    county2 = user_create(
        actor=None,
        username="connie",
        password=testing.PASSWORD,
        role=Role.COUNTY_OFFICER,
        region_id=testing.COUNTY,
    )
    return personas, city, city2, county2


def approved(proposer, approver, **kwargs):
    row = standard_propose(actor=proposer, reference="示民发〔2026〕1号", **kwargs)
    return standard_decide(actor=approver, standard=row, approve=True)


def test_a_city_value_applies_below_until_the_county_sets_its_own(officers):
    personas, city, city2, county2 = officers
    approved(
        city,
        city2,
        region_code=testing.CITY,
        key="dibao_standard",
        value=800,
        urban_rural="urban",
        effective_from=dt.date(2026, 1, 1),
    )
    approved(
        city,
        city2,
        region_code=testing.CITY,
        key="dibao_standard",
        value=650,
        urban_rural="rural",
        effective_from=dt.date(2026, 1, 1),
    )
    got = standards_in_force(
        region_code=testing.VILLAGE_A1,
        month=dt.date(2026, 12, 1),
        urban_rural="rural",
        keys=["dibao_standard"],
    )
    assert got["dibao_standard"].value == Decimal(650) and got["dibao_standard"].region_code == testing.CITY
    approved(
        personas.carol,
        county2,
        region_code=testing.COUNTY,
        key="dibao_standard",
        value=700,
        effective_from=dt.date(2026, 7, 1),
    )
    assert standards_in_force(
        region_code=testing.VILLAGE_A1,
        month=dt.date(2026, 12, 1),
        urban_rural="rural",
        keys=["dibao_standard"],
    )["dibao_standard"].value == Decimal(700)
    # before the county's value took effect, the city's applies
    assert standards_in_force(
        region_code=testing.VILLAGE_A1,
        month=dt.date(2026, 6, 1),
        urban_rural="rural",
        keys=["dibao_standard"],
    )["dibao_standard"].value == Decimal(650)


def test_a_missing_standard_names_region_and_month(officers):
    with pytest.raises(MissingStandard) as info:
        standards_in_force(
            region_code=testing.VILLAGE_A1,
            month=dt.date(2026, 12, 1),
            urban_rural="rural",
            keys=["dibao_standard"],
        )
    assert "2026-12" in info.value.message and "柳树村" in info.value.message
    default = StandardValue("edge_multiplier", Decimal("1.5"), "", None, "审核确认办法 第8条")
    got = standards_in_force(
        region_code=testing.VILLAGE_A1,
        month=dt.date(2026, 12, 1),
        urban_rural="rural",
        keys=["edge_multiplier"],
        defaults={"edge_multiplier": default},
    )
    assert got["edge_multiplier"].value == Decimal("1.5")


def test_never_below_a_guideline_and_never_self_approved(officers):
    personas, city, city2, county2 = officers
    approved(
        city,
        city2,
        region_code=testing.CITY,
        key="dibao_standard",
        value=700,
        is_guideline=True,
        effective_from=dt.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as info:
        standard_propose(
            actor=personas.carol,
            region_code=testing.COUNTY,
            key="dibao_standard",
            value=690,
            reference="x",
            effective_from=dt.date(2026, 7, 1),
        )
    assert "不得低于上级指导标准" in str(info.value.message_dict["value"])
    row = standard_propose(
        actor=personas.carol,
        region_code=testing.COUNTY,
        key="dibao_standard",
        value=720,
        reference="x",
        effective_from=dt.date(2026, 7, 1),
    )
    with pytest.raises(PermissionDenied):
        standard_decide(actor=personas.carol, standard=row, approve=True)
    standard_decide(actor=county2, standard=row, approve=True)
    with pytest.raises(ValidationError):
        standard_decide(actor=county2, standard=row, approve=True)


def test_caseworkers_cannot_set_standards(officers):
    personas = officers[0]
    with pytest.raises(PermissionDenied):
        standard_propose(
            actor=personas.alice,
            region_code=testing.TOWNSHIP_A,
            key="dibao_standard",
            value=1,
            reference="x",
            effective_from=dt.date(2026, 7, 1),
        )
