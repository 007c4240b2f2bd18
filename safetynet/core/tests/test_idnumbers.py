import datetime as dt

import pytest

from safetynet.core.idnumbers import IdentityError, IdKind, check_digit, cross_check, parse_identity

TODAY = dt.date(2026, 11, 30)


def number(first17: str) -> str:
    return first17 + check_digit(first17)


def test_it_accepts_a_valid_number_and_derives_birth_and_sex():
    identity = parse_identity(IdKind.RESIDENT, number("11010519491231002"), today=TODAY)
    assert identity.birth_date == dt.date(1949, 12, 31)
    assert identity.sex == "F"  # 17th digit 2 is even


def test_the_known_public_example_checks():
    # GB 11643 worked example: 11010519491231002X
    assert parse_identity(IdKind.RESIDENT, "11010519491231002x", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("1101051949123100", "length"),
        ("11010519491231002Y", "chars"),
        ("1101051949123A002X", "chars"),
        ("11010519491231002Z", "chars"),
        ("110105194912310021", "checksum"),
        ("990105194912310023", "region"),
        (number("11010519490230002"), "date_invalid"),  # 30 February
        (number("11010520270101002"), "date_future"),
        (number("11010518000101002"), "date_invalid"),
        (number("81000019900101002"), "kind"),  # a Hong Kong permit number under the wrong kind
    ],
)
def test_each_bad_number_gets_its_own_reason(value, code):
    with pytest.raises(IdentityError) as info:
        parse_identity(IdKind.RESIDENT, value, today=TODAY)
    assert info.value.code == code
    assert info.value.message


def test_an_old_15_digit_number_is_converted():
    identity = parse_identity(IdKind.RESIDENT, "110105491231002", today=TODAY)
    assert identity.number == "11010519491231002X"
    assert identity.converted_from == "110105491231002"


def test_permits_and_permanent_residence_cards_are_accepted():
    permit = parse_identity(IdKind.HKMOTW_PERMIT, number("81000019900101003"), today=TODAY)
    assert permit.birth_date == dt.date(1990, 1, 1) and permit.sex == "M"
    assert parse_identity(IdKind.FOREIGN_PR, "USA320112345678", today=TODAY).number == "USA320112345678"
    assert parse_identity(IdKind.FOREIGN_PR, number("93184019850101001"), today=TODAY).birth_date == dt.date(
        1985, 1, 1
    )
    with pytest.raises(IdentityError):
        parse_identity(IdKind.HKMOTW_PERMIT, number("11010519491231002"), today=TODAY)


def test_a_person_without_a_number_gets_a_platform_identifier():
    identity = parse_identity(IdKind.PLATFORM, "", today=TODAY)
    assert identity.number.startswith("SN") and len(identity.number) == 18


def test_stated_birth_date_and_sex_are_cross_checked():
    identity = parse_identity(IdKind.RESIDENT, number("11010519491231002"), today=TODAY)
    problems = dict(cross_check(identity, birth_date=dt.date(1950, 1, 1), sex="M"))
    assert set(problems) == {"birth_date", "sex"}
    assert cross_check(identity, birth_date=dt.date(1949, 12, 31), sex="F") == []
