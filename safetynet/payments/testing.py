"""Test helpers for payments (unit tests, browser test, demo): households with accounts, grants."""

from __future__ import annotations

import datetime as dt

from safetynet.core import testing
from safetynet.payments import services


def make_household(
    actor, *, seq: int, village: str = testing.VILLAGE_A1, members: int = 2, bank: str = "农商银行"
):
    from safetynet.registry.services import household_create

    data = testing.household_input(village=village, head_name=f"户主{seq}", seq=seq, members=members)
    data.bank_name = bank
    data.account_holder = f"户主{seq}"
    data.account_number = f"6228480{seq:012d}"
    return household_create(actor=actor, data=data, reason="建档测试")


def grant(
    actor, household, *, amounts=("300.00", "200.00"), first=dt.date(2026, 12, 1), taper=None, program="dibao"
):
    members = list(
        household.memberships.filter(end_date__isnull=True).select_related("person").order_by("id")
    )
    parts = [
        {"person_id": m.person_id, "name": m.person.name, "amount": a}
        for m, a in zip(members, amounts, strict=False)
    ]
    return services.entitlement_grant(
        actor=actor,
        household=household,
        program=program,
        parts=parts,
        first_month=first,
        payee_kind="household",
        payee_name=household.account_holder,
        bank_name=household.bank_name,
        account_enc=household.account_enc,
        taper=taper,
        reason="审核确认批准",
    )
