"""Demo entitlements for ``make demo``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from safetynet.payments.models import (
    Entitlement,
)
from safetynet.payments.services.entitlements import entitlement_grant


def demo_seed(
    *, actor: Any = None, county_code: str | None = None, per_township: int = 3
) -> list[Entitlement]:
    """A few approved dibao entitlements in the demo county (household accounts), for ``make demo``.
    Idempotent: households that already have an entitlement are skipped."""
    from safetynet.registry.models import Household, Membership

    qs = Household.objects.filter(status="active").exclude(account_enc="")
    if county_code:
        qs = qs.filter(region_code__startswith=county_code[:6])
    taken = set(Entitlement.objects.values_list("household_id", flat=True))
    per_town: dict[str, int] = defaultdict(int)
    # households that already have one count towards their township's quota: a rerun adds nothing
    for code in Household.objects.filter(pk__in=taken).values_list("region_code", flat=True):
        per_town[code[:9]] += 1
    made = []
    for hh in qs.order_by("id")[:2000]:
        town = hh.region_code[:9]
        if hh.pk in taken or per_town[town] >= per_township:
            continue
        members = list(
            Membership.objects.filter(household=hh, end_date__isnull=True).select_related("person")[:3]
        )
        if not members:
            continue
        parts = [{"person_id": m.person_id, "name": m.person.name, "amount": "320.00"} for m in members]
        made.append(
            entitlement_grant(
                actor=actor,
                household=hh,
                program="dibao",
                parts=parts,
                first_month=dt.date(2026, 10, 1),
                payee_kind="household",
                payee_name=hh.account_holder or hh.head_name,
                bank_name=hh.bank_name or "农商银行",
                account_enc=hh.account_enc,
                reason=_("演示数据：审核确认批准"),
            )
        )
        per_town[town] += 1
    return made
