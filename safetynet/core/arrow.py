"""Read a query's result as an Arrow table, the fast way for the database in use.

PostgreSQL: ``COPY (query) TO STDOUT`` in CSV, parsed by pyarrow (no Python object per row).
SQLite: the rows through the cursor (the laptop case; small data). Batch jobs hand the table
to numpy or DuckDB; they never loop over ORM objects."""

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
