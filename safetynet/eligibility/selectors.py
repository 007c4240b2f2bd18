"""Reads of eligibility: the regional standards in force for a region and month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from safetynet.eligibility.models import RegionalStandard
from safetynet.regions.models import Region, parent_code


class MissingStandard(LookupError):
    """No value in force for a key, region and month, and the law gives no national default."""

    def __init__(self, key: str, region_code: str, month: dt.date, region_name: str = "") -> None:
        self.key, self.region_code, self.month = key, region_code, month
        message = _("区划 %(r)s（%(c)s）在 %(m)s 没有生效的地方标准“%(k)s”，且法律未规定全国默认值") % {
            "r": region_name or region_code,
            "c": region_code,
            "m": month.strftime("%Y-%m"),
            "k": key,
        }
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StandardValue:
    key: str
    value: Decimal
    region_code: str  # the region that set it ('' for a national default)
    effective_from: dt.date | None
    reference: str
    standard_id: int | None = None


def region_chain(code: str) -> list[str]:
    """The region and its ancestors, nearest first: village → … → province."""
    chain: list[str] = []
    current: str | None = code
    while current:
        chain.append(current)
        current = parent_code(current)
    return chain


def standards_in_force(
    *,
    region_code: str,
    month: dt.date,
    urban_rural: str,
    keys: list[str],
    defaults: dict[str, StandardValue] | None = None,
    optional: Collection[str] = (),
) -> dict[str, StandardValue]:
    """For each key, the value in force on the first day of ``month`` for a household of this
    urban/rural class in this region. The nearest level that set the key wins; at one level an
    urban- or rural-specific value beats a unified one, and the latest effective date wins.
    Keys with no regional value fall back to ``defaults`` (national values from the rules
    package); ``optional`` keys without either are left out of the result; any other key with
    neither raises ``MissingStandard`` naming region and month."""
    day = month.replace(day=1)
    chain = region_chain(region_code)
    rank = {code: i for i, code in enumerate(chain)}
    rows = RegionalStandard.objects.filter(
        status=RegionalStandard.Status.APPROVED,
        key__in=keys,
        region_code__in=chain,
        effective_from__lte=day,
        urban_rural__in=[urban_rural, ""],
    ).order_by()
    best: dict[str, tuple[tuple, RegionalStandard]] = {}
    for row in rows:
        score = (rank[row.region_code], 0 if row.urban_rural else 1, -row.effective_from.toordinal())
        if row.key not in best or score < best[row.key][0]:
            best[row.key] = (score, row)
    result: dict[str, StandardValue] = {}
    for key in keys:
        if key in best:
            row = best[key][1]
            result[key] = StandardValue(
                key, row.value, row.region_code, row.effective_from, row.reference, row.pk
            )
        elif defaults and key in defaults:
            result[key] = defaults[key]
        elif key not in optional:
            region = Region.objects.filter(code=region_code).first()
            raise MissingStandard(key, region_code, day, region.full_name() if region else "")
    return result


def guideline_floor(*, region_code: str, key: str, urban_rural: str, day: dt.date) -> RegionalStandard | None:
    """The highest guideline in force above a region for a key (its standards may not go below)."""
    above = region_chain(region_code)[1:]
    return (
        RegionalStandard.objects.filter(
            status=RegionalStandard.Status.APPROVED,
            is_guideline=True,
            key=key,
            region_code__in=above,
            effective_from__lte=day,
            urban_rural__in=[urban_rural, ""],
        )
        .order_by("-value")
        .first()
    )


def standards_history(*, user, key: str | None = None):
    qs = RegionalStandard.objects.restrict(user, "view").select_related("region", "created_by", "approved_by")
    if key:
        qs = qs.filter(key=key)
    return qs


@dataclass
class Evaluation:
    """This month's evaluation of a stored household, or the reason it could not be made."""

    month: dt.date
    situation: dict | None = None
    result: dict | None = None
    error: str = ""
    errors: list | None = None


def evaluate_situation(situation: dict) -> dict:
    """Run the rules on a JSON situation (the ``sources`` list is ours, not the rules')."""
    from openfisca_cn_assistance import evaluate

    return evaluate({k: v for k, v in situation.items() if k != "sources"})


def household_evaluation(*, user, household_id: int, month: dt.date) -> Evaluation:
    """Evaluate a household the user may see, for one month (nothing is stored)."""
    from openfisca_cn_assistance.situation import SituationError

    from safetynet.eligibility.situations import household_situation
    from safetynet.registry.models import Household

    household = Household.objects.restrict(user, "view").get(pk=household_id)
    evaluation = Evaluation(month=month.replace(day=1))
    try:
        evaluation.situation = household_situation(household=household, month=evaluation.month)
        evaluation.result = evaluate_situation(evaluation.situation)
    except MissingStandard as exc:
        evaluation.error = exc.message
    except SituationError as exc:
        evaluation.error = _("家庭数据不完整，无法评估")
        evaluation.errors = exc.errors
    return evaluation


def standards_overview(*, region_code: str, month: dt.date) -> dict[str, dict]:
    """Every standard as it applies at a region for a month, for urban and rural households:
    {key: {"urban": value, "rural": value, "source": region code or "national"}}."""
    from openfisca_cn_assistance.standards import STANDARDS

    keys = [s.name for s in STANDARDS]
    out: dict[str, dict] = {key: {"source": "national"} for key in keys}
    for urban_rural in ("urban", "rural"):
        got = standards_in_force(
            region_code=region_code, month=month, urban_rural=urban_rural, keys=keys, optional=keys
        )
        for key in keys:
            value = got.get(key)
            out[key][urban_rural] = float(value.value) if value is not None else None
            if value is not None:
                out[key]["source"] = value.region_code
    return out


def scenario_get(*, user, pk: int):
    from safetynet.eligibility.models import Scenario

    return Scenario.objects.restrict(user, "view").select_related("region", "task_job").get(pk=pk)


def scenario_changes(*, user, scenario, program: str = ""):
    from django.db.models import F

    qs = scenario.household_changes.annotate(delta=F("after_amount") - F("before_amount")).order_by(
        "program", "region_code", "household_id"
    )
    if program:
        qs = qs.filter(program=program)
    return qs


def run_household_explanation(*, user, run_id: int, household_id: int) -> tuple[Any, dict]:
    """Re-evaluate one household of a stored batch from the run's own inputs (Parquet), so the
    explanation is exactly what the batch computed, whatever changed in the registry since."""
    from pathlib import Path

    import numpy as np
    import pyarrow.parquet as pq
    from openfisca_cn_assistance.standards import STANDARDS

    from safetynet.eligibility.batch import ENUM_CODES
    from safetynet.eligibility.models import EvaluationRun
    from safetynet.registry.models import Household

    run = EvaluationRun.objects.restrict(user, "view").get(pk=run_id)
    Household.objects.restrict(user, "view").get(pk=household_id)  # the user may see this household

    folder = Path(run.inputs_path)
    households = pq.read_table(folder / "households.parquet")
    ids = households["household_id"].to_numpy()
    position = int(np.searchsorted(ids, household_id))
    if position >= len(ids) or ids[position] != household_id:
        raise EvaluationRun.DoesNotExist("household not in this run")
    persons = pq.read_table(folder / "persons.parquet", filters=[("household_index", "=", position)])
    enum_names = {**ENUM_CODES}
    standard_names = {s.name for s in STANDARDS}
    enum_standards = {s.name: [item.name for item in s.enum] for s in STANDARDS if s.enum is not None}
    row = {name: households[name][position].as_py() for name in households.column_names}
    situation: dict[str, Any] = {
        "period": run.month.strftime("%Y-%m"),
        "household": {
            "id": str(household_id),
            "hukou_type": ENUM_CODES["hukou_type"][int(row["hukou_type"])],
        },
        "members": [],
        "supporters": [],
        "standards": {
            k: (enum_standards[k][int(v)] if k in enum_standards else v)
            for k, v in row.items()
            if k in standard_names
        },
    }
    roles = {0: "head", 1: "member", 2: "supporter"}
    for i in range(persons.num_rows):
        person = {name: persons[name][i].as_py() for name in persons.column_names}
        role = roles[int(person.pop("role"))]
        person.pop("household_index")
        entry: dict[str, Any] = {"id": f"{'s' if role == 'supporter' else 'p'}{i}", "role": role}
        for key, value in person.items():
            if key in enum_names:
                entry[key] = enum_names[key][int(value)]
            elif (
                isinstance(value, float)
                and float(value).is_integer()
                and key in ("vehicles", "dwellings", "non_residential_properties")
            ):
                entry[key] = int(value)
            else:
                entry[key] = value
        (situation["supporters"] if role == "supporter" else situation["members"]).append(entry)
    return run, evaluate_situation(situation)
