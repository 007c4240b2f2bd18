"""Reads of the registry. Every read starts from ``restrict(user, "view")``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from safetynet.core import crypto
from safetynet.core.idnumbers import IdentityError, IdKind, parse_identity
from safetynet.core.permissions import region_q
from safetynet.registry.models import ChangeReport, Household, LegalSupporter, Membership, Person

PAGE_SIZE = 20
# A search shows at most this many matches (counted and paged); narrower criteria find the rest.
SEARCH_COUNT_CAP = 1000


@dataclass
class SearchQuery:
    id_number: str = ""
    name: str = ""
    village: str = ""  # a region code (village, township or county) to search within


def _households_of(persons: QuerySet[Person]) -> QuerySet:
    """Ids of the households these persons are current members of (a semi-join, no DISTINCT)."""
    return Membership.objects.filter(end_date__isnull=True, person__in=persons.values("pk")).values("household_id")


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
        qs = qs.filter(pk__in=_households_of(Person.objects.filter(id_hash=crypto.blind_index(number))))
    if query.name.strip():
        persons = Person.objects.filter(name__startswith=query.name.strip())
        # the name index is (name, region_code): narrow the persons to the region searched
        within = query.village or getattr(user, "region_id", None)
        if within:
            persons = persons.filter(region_q("region_code", within))
        # Resolve the (bounded) household ids first: as a subquery the planner may walk every
        # household of the county in order, probing each one, when the name is rare.
        ids = list(_households_of(persons).values_list("household_id", flat=True)[: SEARCH_COUNT_CAP + 1])
        qs = qs.filter(pk__in=ids)
    if query.village:
        qs = qs.filter(region_q("region_code", query.village))
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
