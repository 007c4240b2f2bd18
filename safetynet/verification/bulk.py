"""Set-based reads and writes for the verification stages (docs/performance.md, "Fast paths").

``rows_insert`` writes an Arrow table into a model's table and skips rows that break one of its
unique constraints (a resumed stage writes only what is missing): on PostgreSQL by ``COPY`` into
a temporary table and one ``INSERT … SELECT … ON CONFLICT DO NOTHING``; on SQLite by
``INSERT OR IGNORE`` with ``executemany`` in one transaction. ``qs_arrow`` reads a queryset's
rows as Arrow through ``core.arrow.query_arrow`` (``COPY … TO STDOUT`` on PostgreSQL).
"""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import IntegrityError, connection, models, transaction

from safetynet.core.arrow import query_arrow


def qs_arrow(qs: models.QuerySet, types: dict[str, pa.DataType] | None = None) -> pa.Table:
    """The rows of a ``values(...)`` queryset as an Arrow table, columns named as the values."""
    names = list(qs.query.values_select) + list(qs.query.annotation_select)
    types = types or {}
    if connection.vendor != "postgresql":  # small data: through the ORM's converters
        columns: list = list(zip(*qs.values_list(*names), strict=True)) or [() for _ in names]
        out = {}
        for name, col in zip(names, columns, strict=True):
            kind = types.get(name)
            if kind is not None and pa.types.is_floating(kind):
                col = [None if v is None else float(v) for v in col]
            elif kind is not None and pa.types.is_string(kind):
                col = [
                    None if v is None else json.dumps(v) if isinstance(v, list | dict) else str(v)
                    for v in col
                ]
            out[name] = pa.array(list(col), kind)
        return pa.table(out) if out else pa.table({})
    sql, params = qs.query.sql_with_params()
    table = query_arrow(sql, params, types=types)
    if table.num_columns == 0:
        return pa.table({n: pa.array([], types.get(n, pa.string())) for n in names})
    return table.rename_columns(names)


def rows_insert(model: type[models.Model], table: pa.Table, *, fresh: bool = False) -> int:
    """Insert the rows of ``table`` (columns named as the database columns); rows that conflict
    with an existing row on a unique constraint are skipped. ``fresh``: the caller expects none
    to conflict (nothing of this kind written yet), so PostgreSQL gets one ``COPY`` straight into
    the table; should a row conflict after all (two rows of ``table`` alike), the ``COPY`` is
    rolled back to its savepoint and the skipping path taken. Returns the rows inserted."""
    if table.num_rows == 0:
        return 0
    name = model._meta.db_table
    columns = ", ".join(table.column_names)
    with transaction.atomic(), connection.cursor() as cursor:
        buffer = None
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
        if buffer is not None and fresh:
            try:
                with transaction.atomic():  # a savepoint: a conflict after all → the path below
                    with cursor.cursor.copy(f"COPY {name} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                        copy.write(buffer.getbuffer())
                return table.num_rows
            except Exception as exc:  # psycopg's UniqueViolation, not wrapped by Django here
                import psycopg

                if not isinstance(exc, IntegrityError | psycopg.IntegrityError):
                    raise
        if buffer is not None:
            stage = f"_stage_{name}"
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT {columns} FROM {name} WITH NO DATA"
            )
            cursor.execute(f"TRUNCATE {stage}")
            with cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buffer.getbuffer())
            cursor.execute(
                f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {stage} ON CONFLICT DO NOTHING"
            )
            inserted = cursor.rowcount
            cursor.execute(f"DROP TABLE {stage}")
            return inserted
        placeholders = ", ".join(["%s"] * table.num_columns)
        before = connection.connection.total_changes  # type: ignore[union-attr]
        cursor.executemany(
            f"INSERT OR IGNORE INTO {name} ({columns}) VALUES ({placeholders})",
            list(zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True)),
        )
        return connection.connection.total_changes - before  # type: ignore[union-attr]


class Writer:
    """Writes handed over while the caller prepares the next: on PostgreSQL outside a
    transaction, up to ``workers`` ``rows_insert`` calls run at once, each on its own connection
    in a thread (the database's work overlaps the caller's Python and uses both cores); inside
    a transaction (tests) or on SQLite they run at once, one after another. ``close`` waits for
    all and raises the first error."""

    def __init__(self, workers: int = 2) -> None:
        self.pool = None
        self.workers = workers
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(max_workers=workers)
        self.futures: list = []

    def insert(self, model: type[models.Model], table: pa.Table, *, fresh: bool = False) -> None:
        if self.pool is None:
            rows_insert(model, table, fresh=fresh)
            return

        def work() -> int:
            from django.db import connections

            try:
                return rows_insert(model, table, fresh=fresh)
            finally:
                connections.close_all()  # this thread's own connection

        running = [f for f in self.futures if not f.done()]
        if len(running) >= self.workers:  # at most one table waiting: memory stays bounded
            running[0].result()
        self.futures.append(self.pool.submit(work))

    def close(self) -> None:
        if self.pool is None:
            return
        try:
            for future in self.futures:
                future.result()
        finally:
            self.pool.shutdown()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
