"""Batch evaluation: every household of a region, one vectorised simulation.

load → arrays (one value per person and per household, built from integer ids; regional
standards resolved per village before the rules run) → ``compute_batch`` → compact results,
written back in bulk (COPY on PostgreSQL). Never a Python loop over ORM objects."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection
from openfisca_cn_assistance import tax_benefit_system
from openfisca_cn_assistance.batch import BatchResult, compute_batch
from openfisca_cn_assistance.standards import STANDARDS

from safetynet.core.arrow import query_arrow_many
from safetynet.core.permissions import region_bounds
from safetynet.eligibility.situations import (
    EXPENSE_VARIABLE,
    INCOME_VARIABLE,
    MONETARY_ASSETS,
    REFERENCE_MONTHS,
    RETIREMENT_AGE,
    SOURCE_RANK,
)
from safetynet.registry import choices as c

ENUM_CODES = {
    "disability_category": [
        "none",
        "visual",
        "hearing",
        "speech",
        "physical",
        "intellectual",
        "mental",
        "multiple",
    ],
    "work_capacity": ["full", "partial", "none"],
    "schooling": [
        "none",
        "preschool",
        "primary",
        "junior",
        "senior",
        "vocational",
        "undergraduate",
        "postgraduate",
    ],
    "employment": [
        "na",
        "employed",
        "self_employed",
        "flexible",
        "farming",
        "unemployed_registered",
        "unemployed",
        "retired",
    ],
    "exclusion_reason": ["none", "clergy", "prisoner", "drug_rehab", "missing", "conscript", "provincial"],
    "hukou_type": ["urban", "rural"],
}


PEOPLE_TYPES = {
    "household_id": pa.int64(),
    "person_id": pa.int64(),
    "head_id": pa.int64(),
    "relation": pa.string(),
    "counted": pa.bool_(),
    "exclusion_reason": pa.string(),
    "birth_date": pa.date32(),
    "sex": pa.string(),
    "disability_category": pa.string(),
    "disability_grade": pa.int64(),
    "serious_illness": pa.bool_(),
    "work_capacity": pa.string(),
    "schooling": pa.string(),
    "full_time_student": pa.bool_(),
    "employment": pa.string(),
}
ITEM_TYPES = {
    "household_id": pa.int64(),
    "person_id": pa.int64(),
    "kind": pa.string(),
    "source": pa.string(),
    "amount": pa.float64(),
    "period_start": pa.date32(),
    "period_end": pa.date32(),
    "quantity": pa.int64(),
    "area": pa.float64(),
}


@dataclass
class LoadedRegion:
    """The arrays of one region and month, ready for the rules."""

    month: dt.date
    household_ids: np.ndarray
    region_codes: np.ndarray  # village code of each household (strings)
    hukou: np.ndarray  # 0 urban, 1 rural
    persons: dict[str, np.ndarray]
    households: dict[str, np.ndarray]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return self.month.strftime("%Y-%m")


def _codes(column: pa.ChunkedArray | pa.Array, values: list[str], blank: str) -> np.ndarray:
    """Text codes → positions in ``values`` (blank → ``blank``)."""
    text = pc.fill_null(column.cast(pa.string()), "")
    text = pc.if_else(pc.equal(text, ""), blank, text)
    return np.asarray(
        pc.index_in(text, value_set=pa.array(values)).fill_null(0).to_numpy(zero_copy_only=False),
        dtype=np.int32,
    )


def _bool(column) -> np.ndarray:
    return np.asarray(pc.fill_null(column.cast(pa.bool_()), False).to_numpy(zero_copy_only=False), dtype=bool)


def _ages(births, day: dt.date) -> np.ndarray:
    dates = pc.cast(births, pa.date32()) if births.type != pa.date32() else births
    years = pc.fill_null(pc.year(dates), day.year).to_numpy(zero_copy_only=False)
    months = pc.fill_null(pc.month(dates), 1).to_numpy(zero_copy_only=False)
    days = pc.fill_null(pc.day(dates), 1).to_numpy(zero_copy_only=False)
    age = day.year - years - ((day.month < months) | ((day.month == months) & (day.day < days)))
    return np.clip(age, 0, 130).astype(np.int32)


def _people_sql(kind: str) -> str:
    facts = (
        "p.birth_date, p.sex, p.disability_category, p.disability_grade, p.serious_illness, "
        "p.work_capacity, p.schooling, p.full_time_student, p.employment"
    )
    if kind == "members":
        return (
            f"SELECT m.household_id, m.person_id, m.relation, m.counted, m.exclusion_reason, h.head_id, {facts} "
            "FROM registry_membership m JOIN registry_household h ON h.id = m.household_id "
            "JOIN registry_person p ON p.id = m.person_id "
            "WHERE h.status = 'active' AND h.region_code BETWEEN %s AND %s "
            "AND m.start_date <= %s AND (m.end_date IS NULL OR m.end_date >= %s)"
        )
    return (
        f"SELECT s.household_id, s.person_id, 'supporter' AS relation, {facts} "
        "FROM registry_legalsupporter s JOIN registry_household h ON h.id = s.household_id "
        "JOIN registry_person p ON p.id = s.person_id "
        "WHERE h.status = 'active' AND h.region_code BETWEEN %s AND %s AND s.end_date IS NULL"
    )


def _items_sql(table: str, extra: str = "") -> str:
    return (
        f"SELECT i.household_id, COALESCE(i.person_id, h.head_id) AS person_id, i.kind, i.source, i.amount, "
        f"i.period_start, i.period_end{extra} FROM {table} i JOIN registry_household h ON h.id = i.household_id "
        "WHERE h.status = 'active' AND h.region_code BETWEEN %s AND %s AND i.period_end >= %s"
    )


_RANK_SQL = " ".join(f"WHEN '{k}' THEN {v}" for k, v in SOURCE_RANK.items())


def _best_items(table: pa.Table, value: str) -> pa.Table:
    """Per (person, kind): the most reliable source's items, summed (``value`` is a SQL
    expression over the item's columns)."""
    return _best_items_many(table, [value])[0]


def _best_items_many(table: pa.Table, values: list[str]) -> list[pa.Table]:
    """``_best_items`` for several value expressions in one pass: two hash aggregations — the
    sums per (person, kind, source), then the sums of the best-ranked source — instead of a
    window over every item. One table (person_id, kind, v) per expression."""
    con = duckdb.connect()
    con.register("items", table)
    sums = ", ".join(f"COALESCE(SUM({v}), 0) AS v{i}" for i, v in enumerate(values))
    best = ", ".join(f"arg_max(v{i}, r) AS v{i}" for i in range(len(values)))
    agg = con.sql(f"""
        SELECT person_id, kind, {best} FROM (
            SELECT person_id, kind, CASE source {_RANK_SQL} ELSE 0 END AS r, {sums}
            FROM items GROUP BY ALL)
        GROUP BY person_id, kind""").to_arrow_table()
    return [
        agg.select(["person_id", "kind", f"v{i}"]).rename_columns(["person_id", "kind", "v"])
        for i in range(len(values))
    ]


def _scatter(
    target: dict[str, np.ndarray],
    agg: pa.Table,
    index_of: Callable[[np.ndarray], np.ndarray],
    mapping: dict[str, str],
    n: int,
    dtype=np.float64,
) -> None:
    if agg.num_rows == 0:
        return
    pids = agg["person_id"].to_numpy(zero_copy_only=False)
    kinds = agg["kind"]
    values = agg["v"].to_numpy(zero_copy_only=False).astype(np.float64)
    positions = index_of(pids)
    for kind_code, variable in mapping.items():
        selected = pc.equal(kinds, kind_code).to_numpy(zero_copy_only=False) & (positions >= 0)
        if not selected.any():
            continue
        column = target.setdefault(variable, np.zeros(n, dtype=dtype))
        np.add.at(column, positions[selected], values[selected].astype(dtype))


def load_region(region_code: str, month: dt.date) -> LoadedRegion:
    """Everything the rules need for every active household of a region, as arrays."""
    month = month.replace(day=1)
    low, high = region_bounds(region_code)
    t0 = time.perf_counter()
    from safetynet.eligibility.situations import _month_end

    window = month - dt.timedelta(days=REFERENCE_MONTHS * 31)
    tables = query_arrow_many(
        {
            "households": (
                "SELECT id, region_code, hukou_type, head_id FROM registry_household "
                "WHERE status = 'active' AND region_code BETWEEN %s AND %s ORDER BY id",
                [low, high],
                {"region_code": pa.string(), "hukou_type": pa.string()},
            ),
            "members": (_people_sql("members"), [low, high, _month_end(month), month], PEOPLE_TYPES),
            "supporters": (_people_sql("supporters"), [low, high], PEOPLE_TYPES),
            "incomes": (_items_sql("registry_incomeitem"), [low, high, window], ITEM_TYPES),
            "assets": (
                _items_sql("registry_assetitem", ", i.quantity, i.area"),
                [low, high, window],
                ITEM_TYPES,
            ),
            "expenses": (_items_sql("registry_rigidexpense"), [low, high, window], ITEM_TYPES),
        }
    )
    households, members, supporters = tables["households"], tables["members"], tables["supporters"]
    incomes, assets, expenses = tables["incomes"], tables["assets"], tables["expenses"]
    t1 = time.perf_counter()

    n_households = households.num_rows
    household_ids = (
        households["id"].to_numpy(zero_copy_only=False).astype(np.int64)
        if n_households
        else np.zeros(0, np.int64)
    )
    people = (
        pa.concat_tables([members.select(supporters.column_names), supporters], promote_options="permissive")
        if supporters.num_rows
        else members.select(supporters.column_names)
        if members.num_rows
        else members
    )
    n_members = members.num_rows
    n = people.num_rows
    hh_of_person = np.zeros(n, dtype=np.int64)
    if n:
        hh_of_person = np.searchsorted(
            household_ids, people["household_id"].to_numpy(zero_copy_only=False).astype(np.int64)
        )
    role = np.full(n, 2, dtype=np.int8)
    if n_members:
        is_head = members["person_id"].to_numpy(zero_copy_only=False) == pc.fill_null(
            members["head_id"], -1
        ).to_numpy(zero_copy_only=False)
        role[:n_members] = np.where(is_head, 0, 1)
    ages = _ages(people["birth_date"], month) if n else np.zeros(0, np.int32)
    sexes = people["sex"].to_numpy(zero_copy_only=False) if n else np.zeros(0, object)
    retirement = np.where(sexes == "F", RETIREMENT_AGE["F"], RETIREMENT_AGE["M"])
    persons: dict[str, np.ndarray] = {
        "household_index": hh_of_person,
        "role": role,
        "age": ages,
        "reached_retirement_age": ages >= retirement,
        "disability_category": _codes(
            people["disability_category"], ENUM_CODES["disability_category"], "none"
        )
        if n
        else np.zeros(0, np.int32),
        "disability_grade": pc.fill_null(people["disability_grade"], 0)
        .to_numpy(zero_copy_only=False)
        .astype(np.int32)
        if n
        else np.zeros(0, np.int32),
        "serious_illness": _bool(people["serious_illness"]) if n else np.zeros(0, bool),
        "work_capacity": _codes(people["work_capacity"], ENUM_CODES["work_capacity"], "full")
        if n
        else np.zeros(0, np.int32),
        "schooling": _codes(people["schooling"], ENUM_CODES["schooling"], "none")
        if n
        else np.zeros(0, np.int32),
        "employment": _codes(people["employment"], ENUM_CODES["employment"], "na")
        if n
        else np.zeros(0, np.int32),
    }
    exclusion = np.zeros(n, dtype=np.int32)
    no_duty = np.zeros(n, dtype=bool)
    if n_members:
        counted = _bool(members["counted"])
        reasons = _codes(members["exclusion_reason"], ENUM_CODES["exclusion_reason"], "none")
        exclusion[:n_members] = np.where(counted, 0, reasons)
        relation = members["relation"].to_numpy(zero_copy_only=False)
        student = _bool(members["full_time_student"])
        no_duty[:n_members] = (
            (ages[:n_members] < 18)
            | student
            | (relation == c.Relation.SIBLING)
            | (relation == c.Relation.OTHER)
        )
    persons["exclusion_reason"] = exclusion
    persons["is_legal_supporter"] = ~no_duty

    # person id → position (members first; an item of a supporter-only person is ignored)
    member_ids = (
        members["person_id"].to_numpy(zero_copy_only=False).astype(np.int64)
        if n_members
        else np.zeros(0, np.int64)
    )
    order = np.argsort(member_ids, kind="stable")
    sorted_ids = member_ids[order]

    def index_of(pids: np.ndarray) -> np.ndarray:
        pids = np.asarray(pids, dtype=np.int64)
        pos = np.searchsorted(sorted_ids, pids)
        pos = np.clip(pos, 0, max(len(sorted_ids) - 1, 0))
        found = (
            (len(sorted_ids) > 0) & (sorted_ids[pos] == pids)
            if len(sorted_ids)
            else np.zeros(len(pids), bool)
        )
        return np.where(found, order[pos] if len(order) else -1, -1)

    months_expr = "GREATEST(1, ROUND((date_diff('day', period_start, period_end) + 1) / 30.44))"
    scaled = f"amount * {REFERENCE_MONTHS} / {months_expr}"
    _scatter(
        persons, _best_items(incomes, scaled), index_of, {k.value: v for k, v in INCOME_VARIABLE.items()}, n
    )
    if assets.num_rows:
        amounts, quantities, areas = _best_items_many(assets, ["amount", "quantity", "COALESCE(area, 0)"])
        monetary = {k.value: "monetary_assets" for k in MONETARY_ASSETS}
        _scatter(persons, amounts, index_of, {**monetary, c.AssetKind.BUSINESS.value: "business_capital"}, n)
        _scatter(
            persons,
            quantities,
            index_of,
            {
                c.AssetKind.VEHICLE.value: "vehicles",
                c.AssetKind.DWELLING.value: "dwellings",
                c.AssetKind.NON_RESIDENTIAL.value: "non_residential_properties",
            },
            n,
            dtype=np.int32,
        )
        _scatter(persons, areas, index_of, {c.AssetKind.DWELLING.value: "dwelling_area"}, n)
    _scatter(
        persons,
        _best_items(expenses, "amount"),
        index_of,
        {k.value: v for k, v in EXPENSE_VARIABLE.items()},
        n,
    )

    region_codes = (
        households["region_code"].to_numpy(zero_copy_only=False) if n_households else np.zeros(0, object)
    )
    hukou = (
        _codes(households["hukou_type"], ENUM_CODES["hukou_type"], "urban")
        if n_households
        else np.zeros(0, np.int32)
    )
    t2 = time.perf_counter()
    loaded = LoadedRegion(month, household_ids, region_codes, hukou, persons, {"hukou_type": hukou})
    loaded.households.update(standard_arrays(loaded, overrides=None))
    loaded.timings = {"load": t1 - t0, "arrays": t2 - t1, "standards": time.perf_counter() - t2}
    return loaded


def _parameter_value(path: str, instant: str) -> float:
    node: Any = tax_benefit_system().get_parameters_at_instant(instant)
    for part in path.split("."):
        node = getattr(node, part)
    return float(node)


def standard_arrays(loaded: LoadedRegion, overrides: dict[str, Any] | None) -> dict[str, np.ndarray]:
    """One array per standard (one value per household), resolved per (village, hukou) through
    the regions' inheritance; ``overrides`` replaces values everywhere (what-if scenarios).
    A required standard missing for any village raises ``MissingStandard`` naming it."""
    from safetynet.eligibility.selectors import standards_in_force

    keys = [s.name for s in STANDARDS]
    keys_optional = {s.name for s in STANDARDS if not s.required}
    combos: dict[tuple[str, int], dict[str, Any]] = {}
    n = len(loaded.household_ids)
    if n == 0:
        return {}
    # one resolution per (village, hukou type), on integer keys
    combo_keys = (
        pc.cast(pa.array(loaded.region_codes.tolist(), pa.string()), pa.int64()).to_numpy(
            zero_copy_only=False
        )
        * 2
        + loaded.hukou
    )
    unique, first, inverse = np.unique(combo_keys, return_index=True, return_inverse=True)
    for key in unique:
        code, hukou = str(int(key) // 2), int(key) % 2
        urban_rural = ENUM_CODES["hukou_type"][hukou]
        got = standards_in_force(
            region_code=code, month=loaded.month, urban_rural=urban_rural, keys=keys, optional=keys_optional
        )
        combos[(code, hukou)] = {k: v.value for k, v in got.items()}
    instant = loaded.month.isoformat()
    columns: dict[str, np.ndarray] = {}
    ordered = [combos[(str(int(k) // 2), int(k) % 2)] for k in unique]
    for standard in STANDARDS:
        name = standard.name
        override = (overrides or {}).get(name)
        present = [name in v for v in ordered]
        if override is None and not any(present):
            continue  # the rules' own dated default applies everywhere
        if standard.enum is not None:
            per_combo = np.array([int(v.get(name, 0)) for v in ordered], dtype=np.int32)
        else:
            if standard.parameter:
                default = _parameter_value(standard.parameter, instant)
            elif standard.same_as:
                default = None
            else:
                default = 0.0
            per_combo = np.array(
                [
                    float(v[name]) if name in v else (default if default is not None else np.nan)
                    for v in ordered
                ],
                dtype=np.float64,
            )
            if standard.same_as and np.isnan(per_combo).any():
                base = columns.get(standard.same_as)
                fallback = base[first] if base is not None else np.zeros(len(unique))
                per_combo = np.where(np.isnan(per_combo), fallback, per_combo)
        if override is not None:
            per_combo = np.full(len(unique), float(override), dtype=np.float64)
        column = per_combo[inverse]
        columns[name] = (
            column.astype(np.int32) if standard.value_type is int or standard.enum is not None else column
        )
    return columns


def evaluate_loaded(loaded: LoadedRegion, overrides: dict[str, Any] | None = None) -> BatchResult:
    households = dict(loaded.households)
    if overrides:
        households.update(standard_arrays(loaded, overrides))
    return compute_batch(loaded.persons, households, loaded.period)


def result_table(run_id: int, loaded: LoadedRegion, result: BatchResult, programs: list[str]) -> pa.Table:
    """The compact stored form, one row per household: eligible bitmask, comma-joined amounts
    and failure masks (vectorised through Arrow; no Python loop over households)."""
    n = len(loaded.household_ids)
    mask = np.zeros(n, dtype=np.int64)
    amount_cols, failed_cols = [], []
    for bit, key in enumerate(programs):
        r = result.households[key]
        mask |= np.asarray(r.eligible, dtype=np.int64) << bit
        amount = np.round(np.asarray(r.amount, dtype=np.float64), 2) if r.amount is not None else np.zeros(n)
        amount_cols.append(pc.cast(pa.array(amount), pa.string()))
        failed_cols.append(pc.cast(pa.array(np.asarray(r.failed, dtype=np.int64)), pa.string()))
    return pa.table(
        {
            "run_id": pa.array(np.full(n, run_id, dtype=np.int64)),
            "household_id": pa.array(loaded.household_ids),
            "region_code": pa.array(loaded.region_codes.tolist(), pa.string()),
            "eligible_mask": pa.array(mask),
            "amounts": pc.binary_join_element_wise(*amount_cols, ",") if n else pa.array([], pa.string()),
            "failed": pc.binary_join_element_wise(*failed_cols, ",") if n else pa.array([], pa.string()),
        }
    )


def store_results(table: pa.Table) -> None:
    """Write the rows: COPY on PostgreSQL, executemany in one transaction on SQLite."""
    columns = ", ".join(table.column_names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
            with cursor.cursor.copy(
                f"COPY eligibility_evaluationresult ({columns}) FROM STDIN WITH (FORMAT csv)"
            ) as copy:
                copy.write(buffer.getvalue())
        else:
            placeholders = ", ".join(["%s"] * table.num_columns)
            cursor.executemany(
                f"INSERT INTO eligibility_evaluationresult ({columns}) VALUES ({placeholders})",
                list(zip(*(table[c].to_pylist() for c in table.column_names), strict=True)),
            )


def summarise(loaded: LoadedRegion, result: BatchResult, programs: list[str]) -> dict[str, Any]:
    """Recipients and monthly cost per program, overall and per township (first 9 digits)."""
    townships = (
        np.array([code[:9] for code in loaded.region_codes.tolist()])
        if len(loaded.region_codes)
        else np.zeros(0, str)
    )
    names, inverse = (
        np.unique(townships, return_inverse=True) if len(townships) else (np.zeros(0, str), np.zeros(0, int))
    )
    out: dict[str, Any] = {"households": int(len(loaded.household_ids)), "programs": {}}
    for key in programs:
        r = result.households[key]
        eligible = np.asarray(r.eligible, dtype=bool)
        amount = (
            np.asarray(r.amount if r.amount is not None else np.zeros(len(eligible)), dtype=np.float64)
            * eligible
        )
        by_township = {
            str(names[i]).ljust(12, "0"): {
                "households": int(np.sum(eligible[inverse == i])),
                "amount": round(float(np.sum(amount[inverse == i])), 2),
            }
            for i in range(len(names))
        }
        out["programs"][key] = {
            "households": int(eligible.sum()),
            "amount": round(float(amount.sum()), 2),
            "by_township": by_township,
        }
    return out
