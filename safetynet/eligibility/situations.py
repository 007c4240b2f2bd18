"""The situation builder: from the registry's records to the rules package's JSON situation.

A declared item and a verification finding for the same person and income type may both exist;
the most reliable source covering the reference period is used (verification > home visit >
declared), both are kept in the registry, and the situation's ``sources`` say which was used,
from where and as of when, so the explanation can show it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openfisca_cn_assistance.standards import STANDARDS

from safetynet.eligibility.selectors import standards_in_force
from safetynet.registry import choices as c
from safetynet.registry.models import (
    AssetItem,
    Household,
    IncomeItem,
    LegalSupporter,
    Membership,
    RigidExpense,
)

SOURCE_RANK = {c.Source.VERIFICATION: 3, c.Source.HOME_VISIT: 2, c.Source.DECLARED: 1}

INCOME_VARIABLE = {
    c.IncomeKind.WAGES: "wage_income",
    c.IncomeKind.EMPLOYMENT_COSTS: "employment_costs",
    c.IncomeKind.BUSINESS: "business_net_income",
    c.IncomeKind.PROPERTY: "property_net_income",
    c.IncomeKind.SUPPORT_RECEIVED: "support_received",
    c.IncomeKind.SUPPORT_PAID: "support_paid",
    c.IncomeKind.PENSION: "pension_income",
    c.IncomeKind.OTHER_TRANSFER: "other_transfer_income",
    c.IncomeKind.TAXES_CONTRIBUTIONS: "taxes_and_contributions",
    c.IncomeKind.BASIC_PENSION: "basic_pension",
    c.IncomeKind.NOT_COUNTED: "locally_excluded_income",
    c.IncomeKind.OTHER: "other_income",
}
MONETARY_ASSETS = {
    c.AssetKind.DEPOSITS,
    c.AssetKind.SECURITIES,
    c.AssetKind.INSURANCE,
    c.AssetKind.OTHER_MONETARY,
}
EXPENSE_VARIABLE = {
    c.ExpenseKind.MEDICAL: "medical_out_of_pocket_12m",
    c.ExpenseKind.SCHOOLING: "education_expense_12m",
    c.ExpenseKind.REHABILITATION: "rehabilitation_expense_12m",
    c.ExpenseKind.OTHER: "other_rigid_expense_12m",
}
REFERENCE_MONTHS = 12

# Enumerated standards are stored in the regional table as the index of the value in the rules'
# enumeration (0 = the first, the default).
ENUM_STANDARDS = {s.name: s.enum for s in STANDARDS if s.enum is not None}


def _month_end(month_start: dt.date) -> dt.date:
    following = (month_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _age(birth: dt.date | None, day: dt.date) -> int:
    if birth is None:
        return 0
    years = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    return max(years, 0)


# Statutory retirement age before the 2025 gradual reform: men 60, women 50 (workers) or 55
# (cadres). The platform uses 60/55 until the reform's month-by-month table is entered [A].
RETIREMENT_AGE = {"M": 60, "F": 55}


def _person_facts(person, day: dt.date) -> dict[str, Any]:
    age = _age(person.birth_date, day)
    return {
        "age": age,
        "reached_retirement_age": age >= RETIREMENT_AGE.get(person.sex, 60),
        "disability_category": person.disability_category or "none",
        "disability_grade": person.disability_grade or 0,
        "serious_illness": person.serious_illness,
        "work_capacity": person.work_capacity,
        "schooling": person.schooling,
        "employment": person.employment,
    }


def _pick(items, month_start: dt.date):
    """Per (person, kind): the items of the most reliable source whose period ends within the
    reference period; several items of that source add up."""
    chosen: dict[tuple, list] = {}
    window_start = month_start - dt.timedelta(days=REFERENCE_MONTHS * 31)
    for item in items:
        if item.period_end < window_start:
            continue
        key = (item.person_id, item.kind)
        best = chosen.get(key)
        if best is None or SOURCE_RANK[item.source] > SOURCE_RANK[best[0].source]:
            chosen[key] = [item]
        elif SOURCE_RANK[item.source] == SOURCE_RANK[best[0].source]:
            best.append(item)
    return chosen


def _scaled(item) -> float:
    """An amount over the reference period (12 months), whatever period the item covers."""
    days = (item.period_end - item.period_start).days + 1
    months = max(round(days / 30.44), 1)
    return (
        float(item.amount) * REFERENCE_MONTHS / months if months != REFERENCE_MONTHS else float(item.amount)
    )


def household_situation(
    *, household: Household, month: dt.date, programs: list[str] | None = None
) -> dict[str, Any]:
    """The JSON situation of one stored household for one month, with regional standards inline."""
    month_start = month.replace(day=1)
    memberships = list(
        # members at any time in the month: a household filed mid-month is assessed with its members
        Membership.objects.filter(household=household, start_date__lte=_month_end(month_start))
        .exclude(end_date__lt=month_start)
        .select_related("person")
        .order_by("id")
    )
    members: list[dict[str, Any]] = []
    ids: dict[int, str] = {}
    head_id = household.head_id
    for m in memberships:
        pid = f"p{m.person_id}"
        ids[m.person_id] = pid
        entry = {
            "id": pid,
            "name": m.person.name,
            "role": "head" if m.person_id == head_id else "member",
            **_person_facts(m.person, month_start),
        }
        if not m.counted:
            entry["exclusion_reason"] = m.exclusion_reason
        if (
            entry["age"] < 18
            or m.person.full_time_student
            or m.relation in (c.Relation.SIBLING, c.Relation.OTHER)
        ):
            # a minor, a full-time student, a sibling or another relative owes the others no support
            # (审核确认办法 第7条; 特困人员认定办法 第4条)
            entry["is_legal_supporter"] = False
        members.append(entry)
    if members and not any(m["role"] == "head" for m in members):
        members[0]["role"] = "head"
    by_id = {m["id"]: m for m in members}
    head_key = next((m["id"] for m in members if m["role"] == "head"), None)
    sources: list[dict[str, Any]] = []

    def target(person_id: int | None) -> Any:
        return by_id.get(ids.get(person_id, "")) if person_id else (by_id.get(head_key) if head_key else None)

    incomes = _pick(IncomeItem.objects.filter(household=household), month_start)
    for (person_id, kind), items in incomes.items():
        entry = target(person_id)
        if entry is None:
            continue
        variable = INCOME_VARIABLE[kind]
        entry[variable] = round(entry.get(variable, 0) + sum(_scaled(i) for i in items), 2)
        sources.append(
            {
                "person": entry["id"],
                "field": variable,
                "source": items[0].source,
                "as_of": items[0].as_of.isoformat(),
                "amount": entry[variable],
            }
        )
    assets = _pick(AssetItem.objects.filter(household=household), month_start)
    for (person_id, kind), items in assets.items():
        entry = target(person_id)
        if entry is None:
            continue
        if kind in MONETARY_ASSETS:
            entry["monetary_assets"] = round(
                entry.get("monetary_assets", 0) + sum(float(i.amount) for i in items), 2
            )
            field = "monetary_assets"
        elif kind == c.AssetKind.BUSINESS:
            entry["business_capital"] = round(
                entry.get("business_capital", 0) + sum(float(i.amount) for i in items), 2
            )
            field = "business_capital"
        elif kind == c.AssetKind.VEHICLE:
            entry["vehicles"] = entry.get("vehicles", 0) + sum(i.quantity for i in items)
            field = "vehicles"
        elif kind == c.AssetKind.DWELLING:
            entry["dwellings"] = entry.get("dwellings", 0) + sum(i.quantity for i in items)
            entry["dwelling_area"] = round(
                entry.get("dwelling_area", 0) + sum(float(i.area or 0) for i in items), 2
            )
            field = "dwellings"
        else:
            entry["non_residential_properties"] = entry.get("non_residential_properties", 0) + sum(
                i.quantity for i in items
            )
            field = "non_residential_properties"
        sources.append(
            {
                "person": entry["id"],
                "field": field,
                "source": items[0].source,
                "as_of": items[0].as_of.isoformat(),
            }
        )
    expenses = _pick(RigidExpense.objects.filter(household=household), month_start)
    for (person_id, kind), items in expenses.items():
        entry = target(person_id)
        if entry is None:
            continue
        variable = EXPENSE_VARIABLE[kind]
        entry[variable] = round(entry.get(variable, 0) + sum(float(i.amount) for i in items), 2)
        sources.append(
            {
                "person": entry["id"],
                "field": variable,
                "source": items[0].source,
                "as_of": items[0].as_of.isoformat(),
            }
        )

    supporters = []
    for s in LegalSupporter.objects.filter(household=household, end_date__isnull=True).select_related(
        "person"
    ):
        supporters.append(
            {
                "id": f"s{s.person_id}",
                "name": s.person.name,
                "role": "supporter",
                **_person_facts(s.person, month_start),
            }
        )

    standards = regional_standards(household=household, month=month_start)
    situation: dict[str, Any] = {
        "period": month_start.strftime("%Y-%m"),
        "household": {"id": household.number, "hukou_type": household.hukou_type},
        "members": members,
        "supporters": supporters,
        "standards": standards,
        "sources": sources,
    }
    if programs:
        situation["programs"] = programs
    return situation


def regional_standards(*, household: Household, month: dt.date) -> dict[str, Any]:
    """The standards in force for the household's region and month, as situation values.
    Required standards with no regional value raise ``MissingStandard`` (region and month named);
    the others are left out so that the rules' own dated defaults apply."""
    keys = [s.name for s in STANDARDS]
    found = standards_in_force(
        region_code=household.region_code,
        month=month,
        urban_rural=household.hukou_type,
        keys=keys,
        optional={s.name for s in STANDARDS if not s.required},
    )
    values: dict[str, Any] = {}
    for key in keys:
        value = found.get(key)
        if value is None:
            continue
        if key in ENUM_STANDARDS:
            names = [item.name for item in ENUM_STANDARDS[key]]
            values[key] = names[int(value.value)]
        elif any(s.name == key and s.value_type is int for s in STANDARDS):
            values[key] = int(value.value)
        else:
            values[key] = float(value.value)
    return values
