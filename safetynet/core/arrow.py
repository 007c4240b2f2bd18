"""Read a query's result as an Arrow table, the fast way for the database in use.

PostgreSQL outside a transaction (batch jobs, benchmarks): ADBC's PostgreSQL driver, which
reads ``COPY … (FORMAT binary)`` in C++ straight into Arrow columns (no Python call per row,
no CSV on either side), on its own connection with a larger ``work_mem`` so that the joins of a
county's load hash in memory. PostgreSQL inside a transaction (requests, tests — another
connection would not see the same data): ``COPY (query) TO STDOUT`` in CSV on Django's
connection, parsed by pyarrow. SQLite: the rows through the cursor (the laptop case; small
data). Batch jobs hand the table to numpy or DuckDB; they never loop over ORM objects."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection


def query_arrow(
    sql: str, params: list | tuple = (), *, types: dict[str, pa.DataType] | None = None
) -> pa.Table:
    """Run ``sql`` (with ``%s`` placeholders) and return its rows as an Arrow table.
    ``types`` fixes column types where inference could differ between databases."""
    types = types or {}
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor():
            query = connection.ops.compose_sql(sql, params) if params else sql  # type: ignore[attr-defined]
        return _adbc_read(query, types)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = connection.ops.compose_sql(sql, params) if params else sql  # type: ignore[attr-defined]
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            buffer.seek(0)
            if buffer.getbuffer().nbytes == 0:
                return pa.table({})
            return pacsv.read_csv(
                buffer,
                read_options=pacsv.ReadOptions(block_size=1 << 26),
                convert_options=pacsv.ConvertOptions(
                    column_types=types,
                    strings_can_be_null=True,
                    true_values=["t", "true", "1"],
                    false_values=["f", "false", "0"],
                ),
            )
        cursor.execute(sql, params)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    columns: list = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    return pa.table(
        {name: pa.array(list(col), type=types.get(name)) for name, col in zip(names, columns, strict=True)}
    )


# work_mem for the batch reads: a county's members (3 M rows) join persons and households in
# memory instead of spilling 64 batches to disk (19.7 s → 4.5 s for that join on this machine).
BATCH_WORK_MEM = "512MB"


def _adbc_uri() -> str:
    from urllib.parse import quote

    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


def _adbc_read(query: str, types: dict[str, pa.DataType]) -> pa.Table:
    import adbc_driver_postgresql.dbapi as adbc

    with adbc.connect(_adbc_uri()) as con, con.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{BATCH_WORK_MEM}'")
        cursor.execute("SET jit = off")
        cursor.execute(query)
        table = cursor.fetch_arrow_table()
    columns = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if isinstance(column.type, pa.ExtensionType) or str(column.type).startswith("extension<"):
            # numeric arrives as an opaque extension over its text form
            column = pa.chunked_array([c.storage for c in column.chunks], type=column.type.storage_type)
        wanted = types.get(name)
        if wanted is not None and column.type != wanted:
            column = column.cast(wanted)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def query_arrow_many(
    queries: dict[str, tuple[str, list | tuple, dict[str, pa.DataType] | None]],
) -> dict[str, pa.Table]:
    """Several independent reads at once: on PostgreSQL outside a transaction each query runs on
    its own connection in a thread, so the server's backends and pyarrow's CSV parsing overlap
    (the batch load of a county is four to six such reads). Inside a transaction (tests) or on
    SQLite, where other connections would not see the same data, they run one after another."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(queries) < 2:
        return {name: query_arrow(sql, params, types=types) for name, (sql, params, types) in queries.items()}
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run(
        item: tuple[str, tuple[str, list | tuple, dict[str, pa.DataType] | None]],
    ) -> tuple[str, pa.Table]:
        name, (sql, params, types) = item
        try:
            return name, query_arrow(sql, params, types=types)
        finally:
            connections.close_all()  # this thread's own connections

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(run, queries.items()))
