"""Benchmark of the file transport's hub side: N persons against D departments' result files of
R rows each (generated deterministically if absent), end to end from request files to findings
aggregated per person, with a bare DuckDB join of the same files timed in the same run.

    .venv/bin/python bench/bench_verification.py --persons 1000000 --rows 5000000 --departments 8

What is timed (hub side): pseudonymising the persons per department (core.crypto.blind_index),
writing the request files, reading each result file into Arrow (pyarrow), filtering to the
persons asked about and aggregating per person in DuckDB over Arrow. The department side
(hashing its own rows) is done while generating the files and is not timed. Writing the
findings into the database is not part of this figure (see docs/verification.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from safetynet.verification import exchange  # noqa: E402
from safetynet.verification.connectors import MAIN  # noqa: E402

SQL = (
    "SELECT a.pseudonym, sum(a.amount) AS amount, count(*) AS n FROM answer a "
    "SEMI JOIN asked q ON a.pseudonym = q.pseudonym GROUP BY a.pseudonym"
)


def ids(n: int) -> list[str]:
    return [f"320125{i:012d}" for i in range(n)]


def generate(out: Path, persons: int, rows: int, departments: list[str], seed: int = 1) -> None:
    people = ids(persons)
    for d, dept in enumerate(departments):
        path = out / f"{dept}.parquet"
        if path.exists():
            continue
        rng = np.random.default_rng(seed + d)
        pseud = pa.array([exchange.pseudonym(i, dept) for i in people], pa.string())
        # 90 % of rows about registry persons, 10 % about others (never asked about)
        idx = rng.integers(0, persons, size=rows)
        table = pa.table(
            {"pseudonym": pseud.take(pa.array(idx)), "amount": rng.gamma(2.0, 20000.0, size=rows).round(2)}
        )
        others = int(rows * 0.1)
        table = pa.concat_tables(
            [
                table.slice(0, rows - others),
                pa.table(
                    {
                        "pseudonym": pa.array([f"x{i}" for i in range(others)], pa.string()),
                        "amount": np.ones(others),
                    }
                ),
            ]
        )
        pq.write_table(table, path, row_group_size=1_000_000)
        print(f"generated {path} ({rows:,} rows)", flush=True)


def hub(out: Path, persons: int, departments: list[str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    people = ids(persons)
    findings = 0
    db = duckdb.connect()
    db.execute("SET threads TO 2")
    for dept in departments:
        pseud = [exchange.pseudonym(i, dept) for i in people]
        req = out / "requests" / f"{dept}.parquet"
        exchange.request_file_write(req, pseud)
        asked = pq.read_table(req)
        answer = exchange.result_read(out / f"{dept}.parquet")
        answer = answer.filter(pc.is_in(answer.column("pseudonym"), value_set=asked.column(0)))
        db.register("answer", answer)
        db.register("asked", asked)
        result = db.execute(SQL).to_arrow_table()
        findings += result.num_rows
        db.unregister("answer")
        db.unregister("asked")
    return time.perf_counter() - t0, findings


def bare(out: Path, departments: list[str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    db = duckdb.connect()
    db.execute("SET threads TO 2")
    n = 0
    for dept in departments:
        sql = SQL.replace("answer a", f"read_parquet('{out / dept}.parquet') a").replace(
            "asked q", f"read_parquet('{out / 'requests' / dept}.parquet') q"
        )
        n += len(db.execute(sql).fetchall())
    return time.perf_counter() - t0, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--departments", type=int, default=8)
    ap.add_argument("--dir", default="var/bench/verification")
    a = ap.parse_args()
    out = Path(a.dir) / f"p{a.persons}-r{a.rows}"
    out.mkdir(parents=True, exist_ok=True)
    departments = list(MAIN[: a.departments])
    generate(out, a.persons, a.rows, departments)
    t_hub, n_hub = hub(out, a.persons, departments)
    t_bare, n_bare = bare(out, departments)
    assert n_hub == n_bare, (n_hub, n_bare)
    print(f"cores: {os.cpu_count()}  load: {os.getloadavg()[0]:.2f}")
    print(f"persons {a.persons:,} × departments {len(departments)} × rows {a.rows:,}")
    print(f"hub end to end (file transport): {t_hub:.1f} s, {n_hub:,} person findings")
    print(f"bare DuckDB join of the same files: {t_bare:.1f} s")
    print(f"ratio: {t_hub / t_bare:.2f}×")


if __name__ == "__main__":
    main()
