"""The fast load path of the seed: rows of the registry built chunk by chunk (in worker
processes for large runs) and written with PostgreSQL ``COPY`` or SQLite ``executemany``.

A chunk is a range of households with everything that hangs off them: members (persons and
memberships), legal supporters (persons and links), declarations and the household's first
change report. Identifiers are allocated up front (``allocate_ids``), so chunks are independent
and rows carry their final primary keys. Columns follow the models' concrete fields; any field
a chunk does not fill gets the field's default, so a new nullable or defaulted field on a model
does not break the seed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection, models

from safetynet.core import crypto
from safetynet.core.masking import mask_account, mask_id_number, mask_phone
from safetynet.registry.models import (
    AssetItem,
    ChangeReport,
    Household,
    IncomeItem,
    LegalSupporter,
    Membership,
    Person,
    RigidExpense,
)
from safetynet.synth import names as nm
from safetynet.synth import population as P

# Load order (the foreign keys are deferred on both engines, but this order also reads well).
MODELS: tuple[type[models.Model], ...] = (
    Person,
    Household,
    Membership,
    LegalSupporter,
    IncomeItem,
    AssetItem,
    RigidExpense,
    ChangeReport,
)
SEED_REASON = "示范数据生成（seed-demo）"


@dataclass
class LoadContext:
    """What a chunk builder needs besides the population; picklable and small."""

    job_id: int
    stamp: str  # created_at / updated_at of every row, as the database takes it
    vendor: str  # "postgresql" or "sqlite"
    ids: dict[str, int]  # first primary key of each model label


@dataclass
class Chunk:
    index: int
    first: int  # households [first, last)
    last: int
    tables: list[tuple[str, list[str], Any]]  # (db_table, columns, CSV bytes or pa.Table)
    rows: dict[str, int]


def table_counts(pop: P.Population) -> dict[str, int]:
    """Rows each model gets for this population."""
    return {
        Person._meta.label_lower: pop.n_registry_persons,
        Household._meta.label_lower: pop.households,
        Membership._meta.label_lower: pop.n_members,
        LegalSupporter._meta.label_lower: pop.n_supporters,
        IncomeItem._meta.label_lower: len(pop.income["kind"]),
        AssetItem._meta.label_lower: len(pop.asset["kind"]),
        RigidExpense._meta.label_lower: len(pop.expense["kind"]),
        ChangeReport._meta.label_lower: pop.households,
    }


def content_digest(pop: P.Population) -> str:
    """SHA-256 of what the seed writes, independent of chunking and of the keys: identity
    numbers, names, household villages and numbers, relations, and every declared amount."""
    digest = hashlib.sha256()
    for array in (pop.id_number, pop.name):
        compact = pa.concat_arrays([array.slice(0, pop.n_registry_persons)])  # only what is written
        for buffer in compact.buffers()[1:]:
            digest.update(memoryview(buffer))
    for values in (
        pop.hh["village"],
        pop.hh["seq"],
        pop.hh["size"],
        pop.person["relation"][: pop.n_members],
        pop.income["amount"],
        pop.income["kind"],
        pop.asset["amount"],
        pop.asset["kind"],
        pop.expense["amount"],
        pop.supporter["supported"],
    ):
        digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


def chunk_bounds(households: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, households)) for start in range(0, households, size)]


# --------------------------------------------------------------------------------------------
# Column helpers


def _const(n: int, value: Any, type_: pa.DataType | None = None) -> pa.Array:
    if value is None:
        return pa.nulls(n, type_ or pa.string())
    return pa.repeat(pa.scalar(value, type_), n)


def _dates(values: np.ndarray) -> pa.Array:
    """ISO dates as text (what both databases take)."""
    return pa.array(values.astype("datetime64[D]"), pa.date32()).cast(pa.string())


def _yuan(values: np.ndarray) -> pa.Array:
    """Whole yuan as decimal text: 1234 → "1234.00"."""
    n = len(values)
    return pc.binary_join_element_wise(pa.array(values).cast(pa.string()), _const(n, ".00"), "")


def _lookup(table: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pa.array(table, pa.string()).take(pa.array(np.asarray(codes, np.int64)))


def _finish(
    model: type[models.Model], n: int, values: dict[str, pa.Array]
) -> tuple[str, list[str], pa.Table]:
    """Order columns as the model's concrete fields; fill the ones not given with defaults."""
    columns, arrays = [], []
    for f in model._meta.concrete_fields:
        if f.attname in values:
            array = values.pop(f.attname)
        elif f.has_default() and not callable(f.default):
            array = _const(n, f.get_default())
        elif f.null:
            array = _const(n, None)
        elif f.empty_strings_allowed and not f.has_default():
            array = _const(n, "")
        else:
            raise ValueError(
                f"{model._meta.label}.{f.attname}: the seed does not fill this field and it has no default"
            )
        if len(array) != n:
            raise ValueError(f"{model._meta.label}.{f.attname}: {len(array)} values for {n} rows")
        columns.append(f.column)
        arrays.append(array)
    if values:
        raise ValueError(f"{model._meta.label}: unknown fields {sorted(values)}")
    return model._meta.db_table, columns, pa.table(arrays, names=columns)


def _tracked(ctx: LoadContext, model: type[models.Model], n: int, first: int) -> dict[str, pa.Array]:
    return {
        "id": pa.array(
            np.arange(ctx.ids[model._meta.label_lower] + first, ctx.ids[model._meta.label_lower] + first + n)
        ),
        "created_at": _const(n, ctx.stamp),
        "updated_at": _const(n, ctx.stamp),
        "created_by_id": _const(n, None, pa.int64()),
        "job_id": _const(n, ctx.job_id, pa.int64()),
    }


# --------------------------------------------------------------------------------------------
# One chunk


def household_numbers(pop: P.Population, h0: int, h1: int) -> list[str]:
    codes = pop.geo.village_code[pop.hh["village"][h0:h1]]
    return [f"H{c}{s:05d}" for c, s in zip(codes.tolist(), pop.hh["seq"][h0:h1].tolist(), strict=True)]


def household_addresses(pop: P.Population, h0: int, h1: int) -> list[str]:
    h, geo = pop.hh, pop.geo
    v = h["village"][h0:h1]
    out = []
    for vi, a, b, c, d, e in zip(
        v.tolist(),
        h["addr_a"][h0:h1].tolist(),
        h["addr_b"][h0:h1].tolist(),
        h["addr_c"][h0:h1].tolist(),
        h["addr_d"][h0:h1].tolist(),
        h["addr_e"][h0:h1].tolist(),
        strict=True,
    ):
        place = f"{geo.township_name[vi]}{geo.village_name[vi]}"
        if geo.village_urban[vi]:
            out.append(f"{place}{nm.ROADS[a % len(nm.ROADS)]}{b}号{c}栋{d}单元{e}室")
        else:
            out.append(f"{place}{a}组{b}号")
    return out


def supporter_addresses(pop: P.Population, s0: int, s1: int) -> list[str]:
    link = pop.supporter
    return [
        f"{nm.ELSEWHERE[a]}{nm.ROADS[(a + n) % len(nm.ROADS)]}{n}号"
        for a, n in zip(link["address"][s0:s1].tolist(), link["street_no"][s0:s1].tolist(), strict=True)
    ]


def _person_columns(
    pop: P.Population, ctx: LoadContext, idx: np.ndarray, region: pa.Array, address: pa.Array
) -> dict[str, pa.Array]:
    p = pop.person
    n = len(idx)
    numbers = pop.id_number.take(pa.array(idx)).to_pylist()
    illness = p["illness"][idx]
    grade = p["disability_grade"][idx]
    values = _tracked(ctx, Person, n, int(idx[0]) if n else 0)
    values.update(
        {
            "name": pop.name.take(pa.array(idx)),
            "id_kind": _const(n, "resident"),
            "id_enc": pa.array([crypto.encrypt(x) for x in numbers]),
            "id_hash": pa.array([crypto.blind_index(x) for x in numbers]),
            "id_masked": pa.array([mask_id_number(x) for x in numbers]),
            "needs_followup": _const(n, False),
            "birth_date": _dates(p["birth"][idx]),
            "sex": _lookup(("F", "M"), p["male"][idx]),
            "phone_enc": _const(n, ""),
            "phone_masked": _const(n, ""),
            "hukou_type": _lookup(("rural", "urban"), p["hukou_urban"][idx]),
            "hukou_address": address,
            "disability_category": _lookup(P.DISABILITY, p["disability"][idx]),
            "disability_grade": pa.array(grade.astype(np.int64), mask=grade == 0),
            "serious_illness": pa.array(illness >= 0),
            "illness_name": _lookup(("", *nm.ILLNESSES), illness + 1),
            "work_capacity": _lookup(P.WORK_CAPACITY, p["work_capacity"][idx]),
            "schooling": _lookup(P.SCHOOLING, p["schooling"][idx]),
            "full_time_student": pa.array(p["student"][idx]),
            "employment": _lookup(P.EMPLOYMENT, p["employment"][idx]),
            "death_date": _const(n, None),
            "region_code": region,
        }
    )
    return values


def _declaration_columns(
    pop: P.Population,
    ctx: LoadContext,
    model: type[models.Model],
    frame: P.Frame,
    kinds: tuple[str, ...],
    r0: int,
    r1: int,
) -> dict[str, pa.Array]:
    n = r1 - r0
    values = _tracked(ctx, model, n, r0)
    person = frame["person"][r0:r1]
    values.update(
        {
            "household_id": pa.array(ctx.ids[Household._meta.label_lower] + frame["household"][r0:r1]),
            "person_id": pa.array(ctx.ids[Person._meta.label_lower] + person, mask=person < 0),
            "amount": _yuan(frame["amount"][r0:r1]),
            "period_start": _const(n, pop.period_start.isoformat()),
            "period_end": _const(n, pop.period_end.isoformat()),
            "source": _const(n, "declared"),
            "as_of": _const(n, pop.as_of.isoformat()),
            "kind": _lookup(kinds, frame["kind"][r0:r1]),
        }
    )
    return values


def build_chunk(pop: P.Population, ctx: LoadContext, index: int, h0: int, h1: int) -> Chunk:
    """Rows of households [h0, h1) and everything hanging off them."""
    h = pop.hh
    ids = ctx.ids
    person_base, household_base = ids[Person._meta.label_lower], ids[Household._meta.label_lower]
    p0 = int(h["person_start"][h0])
    p1 = int(h["person_start"][h1]) if h1 < pop.households else pop.n_members
    s0, s1 = (int(x) for x in np.searchsorted(pop.supporter["household"], [h0, h1]))
    members = np.arange(p0, p1)
    supporters = pop.supporter["person"][s0:s1]
    tables: list[tuple[str, list[str], pa.Table]] = []
    rows: dict[str, int] = {}

    def add(model: type[models.Model], n: int, values: dict[str, pa.Array]) -> None:
        tables.append(_finish(model, n, values))
        rows[model._meta.label_lower] = n

    codes = pa.array(pop.geo.village_code[h["village"][h0:h1]].tolist(), pa.string())
    numbers = household_numbers(pop, h0, h1)
    addresses = pa.array(household_addresses(pop, h0, h1), pa.string())
    local = pa.array(
        np.concatenate([pop.person["household"][members], pop.supporter["household"][s0:s1]]) - h0
    )
    person_idx = np.concatenate([members, supporters])
    person_values = _person_columns(
        pop,
        ctx,
        person_idx,
        region=codes.take(local),
        address=pa.concat_arrays(
            [addresses.take(local[: len(members)]), pa.array(supporter_addresses(pop, s0, s1), pa.string())]
        ),
    )
    person_values["id"] = pa.array(person_base + person_idx)
    names = person_values["name"]
    add(Person, len(person_idx), person_values)

    n = h1 - h0
    heads = h["person_start"][h0:h1]
    head_names = pop.name.take(pa.array(heads))
    phones = [str(x) for x in h["phone"][h0:h1].tolist()]
    banks = h["bank"][h0:h1].tolist()
    accounts = [
        f"{nm.BANKS[b][1]}{t:013d}" for b, t in zip(banks, h["account_tail"][h0:h1].tolist(), strict=True)
    ]
    values = _tracked(ctx, Household, n, h0)
    values.update(
        {
            "number": pa.array(numbers),
            "region_id": codes,
            "region_code": codes,
            "address": addresses,
            "hukou_type": _lookup(("rural", "urban"), h["hukou_urban"][h0:h1]),
            "head_id": pa.array(person_base + heads),
            "head_name": head_names,
            "size": pa.array(h["size"][h0:h1]),
            "phone_enc": pa.array([crypto.encrypt(x) for x in phones]),
            "phone_masked": pa.array([mask_phone(x) for x in phones]),
            "bank_name": pa.array([nm.BANKS[b][0] for b in banks]),
            "account_holder": head_names,
            "account_enc": pa.array([crypto.encrypt(x) for x in accounts]),
            "account_masked": pa.array([mask_account(x) for x in accounts]),
            "status": _const(n, "active"),
        }
    )
    add(Household, n, values)

    m = len(members)
    values = _tracked(ctx, Membership, m, p0)
    since = np.datetime64(pop.as_of, "D") - h["since_days"][pop.person["household"][members]]
    start = np.maximum(since, pop.person["birth"][members])
    values.update(
        {
            "household_id": pa.array(household_base + pop.person["household"][members]),
            "person_id": pa.array(person_base + members),
            "relation": _lookup(P.RELATIONS, pop.person["relation"][members]),
            "counted": _const(m, True),
            "exclusion_reason": _const(m, ""),
            "start_date": _dates(start),
            "end_date": _const(m, None),
            "end_reason": _const(m, ""),
        }
    )
    add(Membership, m, values)

    k = s1 - s0
    values = _tracked(ctx, LegalSupporter, k, s0)
    values.update(
        {
            "household_id": pa.array(household_base + pop.supporter["household"][s0:s1]),
            "person_id": pa.array(person_base + supporters),
            "supported_id": pa.array(person_base + pop.supporter["supported"][s0:s1]),
            "relation": _const(k, "child"),
            "duty": _const(k, "shanyang"),
            "address": pa.array(supporter_addresses(pop, s0, s1)),
            "end_date": _const(k, None),
        }
    )
    add(LegalSupporter, k, values)

    for model, frame, kinds in (
        (IncomeItem, pop.income, P.INCOME_KINDS),
        (AssetItem, pop.asset, P.ASSET_KINDS),
        (RigidExpense, pop.expense, P.EXPENSE_KINDS),
    ):
        r0, r1 = (int(x) for x in np.searchsorted(frame["household"], [h0, h1]))
        values = _declaration_columns(pop, ctx, model, frame, kinds, r0, r1)
        if model is AssetItem:
            tags = frame["tag"][r0:r1]
            area = frame["area"][r0:r1]
            values["quantity"] = pa.array(frame["quantity"][r0:r1].astype(np.int64))
            values["area"] = pa.array(
                [None if np.isnan(a) else f"{a:.2f}" for a in area.tolist()], pa.string()
            )
            values["note"] = pa.array(
                [vehicle_label(int(pop.plate_declared[t])) if t >= 0 else "" for t in tags.tolist()]
            )
        add(model, r1 - r0, values)

    values = _tracked(ctx, ChangeReport, n, h0)
    member_names = names.slice(0, m).to_pylist()
    starts = (heads - p0).tolist()
    sizes = h["size"][h0:h1].tolist()
    values.update(
        {
            "household_id": pa.array(household_base + np.arange(h0, h1)),
            "kind": _const(n, "created"),
            "person_id": _const(n, None, pa.int64()),
            "reason": _const(n, SEED_REASON),
            "before": _const(n, None),
            "after": pa.array(
                [
                    json.dumps({"members": member_names[a : a + s]}, ensure_ascii=False)
                    for a, s in zip(starts, sizes, strict=True)
                ]
            ),
            "actor_name": _const(n, "system"),
        }
    )
    add(ChangeReport, n, values)

    payload: list[tuple[str, list[str], Any]] = tables
    if ctx.vendor == "postgresql":
        payload = [(t, cols, _csv(table)) for t, cols, table in tables]
    return Chunk(index=index, first=h0, last=h1, tables=payload, rows=rows)


def vehicle_label(code: int) -> str:
    return f"{nm.VEHICLE_BRANDS[code % len(nm.VEHICLE_BRANDS)]} {P.plate(code)}"


def _csv(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(include_header=False))
    return sink.getvalue()


# --------------------------------------------------------------------------------------------
# Writing


def allocate_ids(counts: dict[str, int]) -> dict[str, int]:
    """Reserve a block of primary keys per model; returns the first key of each block.

    PostgreSQL: the table is locked against other writers for the rest of the transaction and
    its sequence is moved past the block, so concurrent inserts (after the seed commits) cannot
    collide. SQLite: max(id) + 1 inside the seed's write transaction.
    """
    first: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model in MODELS:
            table = connection.ops.quote_name(model._meta.db_table)
            n = counts[model._meta.label_lower]
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
                seq = cursor.fetchone()[0]
                cursor.execute(
                    f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}),"
                    f" (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {seq}))"
                )
                start = cursor.fetchone()[0] + 1
                if n:
                    cursor.execute("SELECT setval(%s, %s)", [seq, start + n - 1])
            else:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                start = cursor.fetchone()[0] + 1
            first[model._meta.label_lower] = start
    return first


# Below this many rows a table keeps its indexes during the load (maintaining them row by row
# is then cheaper than rebuilding them).
REBUILD_MIN_ROWS = 50_000


@contextlib.contextmanager
def indexes_deferred(counts: dict[str, int]) -> Iterator[list[str]]:
    """PostgreSQL: for each table that gets more new rows than it holds, drop its secondary
    indexes, unique and foreign-key constraints for the load and recreate them afterwards
    (building an index once and validating a foreign key with one join is many times faster
    than maintaining them row by row). The definitions are read from the catalog and
    re-applied verbatim, inside the seed's transaction: if anything fails, the drop rolls back
    with it. The tables are locked (ACCESS EXCLUSIVE) until the seed commits. Yields the names
    of the tables rebuilt."""
    if connection.vendor != "postgresql":
        yield []
        return
    saved: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = []
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Altering a table needs its (and its referenced tables') deferred checks done first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for model in MODELS:
            table = model._meta.db_table
            n = counts[model._meta.label_lower]
            if n < REBUILD_MIN_ROWS:
                continue
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {qn(table)} LIMIT %s) s", [n])
            if cursor.fetchone()[0] >= n:
                continue
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) "
                "ORDER BY 1",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
            saved.append((table, constraints, indexes))
    yield [table for table, _c, _i in saved]
    with connection.cursor() as cursor:
        # Statistics first: with them the planner validates each foreign key with a merge join
        # over two indexes instead of hashing millions of rows (3-6x faster here).
        for table, _c, _i in saved:
            cursor.execute(f"ANALYZE {qn(table)}")
        for table, constraints, indexes in saved:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:  # unique constraints first, then foreign keys
                cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")


@contextlib.contextmanager
def references_suspended(models_: tuple[type[models.Model], ...]) -> Iterator[None]:
    """PostgreSQL: drop every foreign key that references one of these tables (from any app)
    and re-add it afterwards, validated with one join per key. Deleting millions of rows then
    costs no per-row reference checks, and the tables can be truncated. Inside the caller's
    transaction, like ``indexes_deferred``."""
    if connection.vendor != "postgresql":
        yield
        return
    qn = connection.ops.quote_name
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")


def write_chunk(chunk: Chunk) -> None:
    """Write one chunk's tables into the open transaction."""
    with connection.cursor() as cursor:
        for table, columns, data in chunk.tables:
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            if connection.vendor == "postgresql":
                sql = f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN WITH (FORMAT csv)"
                with cursor.cursor.copy(sql) as copy:
                    view = memoryview(data)
                    for i in range(0, len(view), 1 << 20):
                        copy.write(view[i : i + (1 << 20)])
            else:
                if data.num_rows == 0:
                    continue
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {connection.ops.quote_name(table)} ({cols}) VALUES ({marks})"
                cursor.executemany(sql, list(zip(*(col.to_pylist() for col in data.columns), strict=True)))


def iter_rows(table: pa.Table) -> Iterator[tuple]:
    return zip(*(col.to_pylist() for col in table.columns), strict=True)
