"""Test personas and helpers shared by every app's tests (and by the browser tests).

A small county with two townships: Alice works in township A, Bob in township B, Carol
confirms for the county, Dave audits it, Erin is a resident of a household in village A1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from safetynet.core.idnumbers import check_digit

PROVINCE = "320000000000"
CITY = "320100000000"
COUNTY = "320111000000"
TOWNSHIP_A = "320111001000"
TOWNSHIP_B = "320111002000"
VILLAGE_A1 = "320111001001"
VILLAGE_A2 = "320111001002"
VILLAGE_B1 = "320111002001"
PASSWORD = "Test-password-2026"


def make_id_number(region6: str = "320111", birth: str = "19800101", seq: int = 1, male: bool = True) -> str:
    """A valid 18-digit resident identity number (GB 11643 check digit)."""
    sex_digit = seq * 2 + (1 if male else 0)
    first17 = f"{region6}{birth}{sex_digit % 1000:03d}"
    return first17 + check_digit(first17)


def build_regions() -> None:
    from safetynet.regions.choices import Level, UrbanRural
    from safetynet.regions.models import Region

    rows = [
        (PROVINCE, "示范省", Level.PROVINCE, None, ""),
        (CITY, "示范市", Level.CITY, PROVINCE, ""),
        (COUNTY, "示范县", Level.COUNTY, CITY, ""),
        (TOWNSHIP_A, "东河镇", Level.TOWNSHIP, COUNTY, UrbanRural.RURAL),
        (TOWNSHIP_B, "西岭乡", Level.TOWNSHIP, COUNTY, UrbanRural.RURAL),
        (VILLAGE_A1, "柳树村", Level.VILLAGE, TOWNSHIP_A, UrbanRural.RURAL),
        (VILLAGE_A2, "河东社区", Level.VILLAGE, TOWNSHIP_A, UrbanRural.URBAN),
        (VILLAGE_B1, "石门村", Level.VILLAGE, TOWNSHIP_B, UrbanRural.RURAL),
    ]
    for code, name, level, parent, ur in rows:
        Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent_id": parent, "urban_rural": ur}
        )


@dataclass
class Personas:
    alice: object  # caseworker, township A
    bob: object  # caseworker, township B
    carol: object  # county officer
    dave: object  # auditor, county
    victor: object  # village coordinator, village A1
    admin: object


def build_personas() -> Personas:
    from safetynet.accounts.roles import Role
    from safetynet.accounts.services import user_create

    build_regions()

    def make(username: str, role: str, region: str | None, name: str):
        return user_create(
            actor=None, username=username, password=PASSWORD, role=role, region_id=region, display_name=name
        )

    return Personas(
        alice=make("alice", Role.CASEWORKER, TOWNSHIP_A, "艾丽"),
        bob=make("bob", Role.CASEWORKER, TOWNSHIP_B, "鲍勃"),
        carol=make("carol", Role.COUNTY_OFFICER, COUNTY, "卡罗"),
        dave=make("dave", Role.AUDITOR, COUNTY, "戴夫"),
        victor=make("victor", Role.COORDINATOR, VILLAGE_A1, "维克"),
        admin=make("admin", Role.ADMIN, None, "管理员"),
    )


def household_input(*, village: str = VILLAGE_A1, head_name: str = "张伟", seq: int = 1, members: int = 2):
    from safetynet.registry.services import HouseholdInput, MemberInput, PersonInput

    people = [
        MemberInput(
            PersonInput(
                name=head_name,
                id_number=make_id_number(birth="19700305", seq=seq),
                hukou_type="rural",
                employment="farming",
            ),
            relation="self",
        )
    ]
    if members >= 2:
        people.append(
            MemberInput(
                PersonInput(
                    name="李芳",
                    id_number=make_id_number(birth="19720810", seq=seq, male=False),
                    hukou_type="rural",
                    employment="farming",
                ),
                relation="spouse",
            )
        )
    for i in range(2, members):
        people.append(
            MemberInput(
                PersonInput(
                    name=f"张小{'一二三四五六'[i - 2]}",
                    id_number=make_id_number(birth=f"20{10 + i:02d}0101", seq=seq * 10 + i),
                    hukou_type="rural",
                    schooling="primary",
                    full_time_student=True,
                ),
                relation="child",
            )
        )
    return HouseholdInput(
        region_code=village,
        address="柳树村3组12号",
        hukou_type="rural",
        members=people,
        phone="13812345678",
        bank_name="农村信用社",
        account_holder=head_name,
        account_number="6228480012345678901",
    )


TODAY = dt.date(2026, 11, 30)
