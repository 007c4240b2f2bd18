"""Reads of the registry. Every read starts from ``restrict(user, "view")``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from safetynet.core import crypto
from safetynet.core.idnumbers import IdentityError, IdKind, parse_identity
from safetynet.core.permissions import region_q
from safetynet.registry.models import ChangeReport, Household, LegalSupporter, Membership, Person

PAGE_SIZE = 20


@dataclass
class SearchQuery:
    id_number: str = ""
    name: str = ""
    village: str = ""  # a region code (village, township or county) to search within


def household_search(*, user, query: SearchQuery) -> QuerySet[Household]:
    """Households in the user's scope matching a full identity number (exact, through the
    keyed hash), a name (whole or leading characters, any current member) and/or a region."""
    qs = Household.objects.restrict(user, "view")
    if query.id_number.strip():
        number = query.id_number.strip().upper()
        try:
            number = parse_identity(IdKind.RESIDENT, number).number  # 15 → 18 digits
        except IdentityError:
            pass
        person_ids = Person.objects.filter(id_hash=crypto.blind_index(number)).values("pk")
        qs = qs.filter(memberships__person__in=person_ids, memberships__end_date__isnull=True)
    if query.name.strip():
        person_ids = Person.objects.filter(name__startswith=query.name.strip())
        if query.village:
            person_ids = person_ids.filter(region_q("region_code", query.village))
        qs = qs.filter(memberships__person__in=person_ids.values("pk"), memberships__end_date__isnull=True)
    if query.village:
        qs = qs.filter(region_q("region_code", query.village))
    if query.id_number.strip() or query.name.strip():
        qs = qs.distinct()
    return qs.select_related("region").order_by("region_code", "id")


def household_get(*, user, pk: int) -> Household:
    """One household with its current members, supporters and history (404 outside scope)."""
    members = Membership.objects.filter(end_date__isnull=True).select_related("person").order_by("id")
    return (
        Household.objects.restrict(user, "view")
        .select_related("region", "region__parent", "head")
        .prefetch_related(
            Prefetch("memberships", queryset=members, to_attr="current_members"),
            Prefetch(
                "supporters",
                queryset=LegalSupporter.objects.filter(end_date__isnull=True).select_related("person"),
                to_attr="current_supporters",
            ),
        )
        .get(pk=pk)
    )


def household_history(*, user, household: Household) -> QuerySet[ChangeReport]:
    return ChangeReport.objects.restrict(user, "view").filter(household=household).select_related("person")


def household_declarations(*, user, household: Household) -> dict[str, QuerySet]:
    from safetynet.registry.models import AssetItem, IncomeItem, RigidExpense

    return {
        "incomes": IncomeItem.objects.restrict(user, "view")
        .filter(household=household)
        .select_related("person")
        .order_by("-as_of", "id"),
        "assets": AssetItem.objects.restrict(user, "view")
        .filter(household=household)
        .order_by("-as_of", "id"),
        "expenses": RigidExpense.objects.restrict(user, "view")
        .filter(household=household)
        .select_related("person")
        .order_by("-as_of", "id"),
    }


def person_find_by_number(*, number: str) -> Person | None:
    """Platform-wide identity lookup (no scope): used by services to find conflicts."""
    return Person.objects.filter(id_hash=crypto.blind_index(number)).first()
