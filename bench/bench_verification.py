"""Benchmark of a verification run, file transport, end to end through the real services on
PostgreSQL: N registry persons against the 8 main department datasets of R rows each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vp_bench \\
        .venv/bin/python bench/bench_verification.py --persons 1000000 --rows 5000000

Set-up (not timed, kept between runs): the synthetic county is seeded into the (empty) database
with enough households for N persons (members and legal supporters), every person gets the demo
authorisation, and the department side's datasets are generated: for each of the 8 main datasets
(police deaths, vehicles, real estate, business registrations, social insurance and wages,
provident fund, bank accounts, securities) R rows, of which a share about the county's persons
(see ``MIX``) and the rest about people outside it, with the department's pseudonym in place of
the identity number (the department hashes its own rows; that is its work, not the hub's).

Timed, through ``services.run_execute`` (each stage timed on its own):
  requests   — subjects, authorisation checks, pseudonyms, the query log (``Request``, COPY) and
               the request files;
  exchange   — the hub's side of the file exchange (the department's answer — its datasets
               filtered to the pseudonyms asked — is written to the inbox untimed, before it);
  findings   — result files read into Arrow, checked, mapped by the connectors' queries, matched to
               the requests in DuckDB (the "matching" figure) and written with COPY ("write");
  registry   — findings into the registry as verification items;
  reports    — discrepancies (one DuckDB set operation, COPY) and the household reports.
The target figure is requests + exchange + findings + discrepancies ("end to end"); registry
items and household reports are printed beside it. In the same run, a bare DuckDB join of the
same files (each result file joined to its request file on the pseudonym, aggregated per person)
is timed, and the ratio of the matching step to it printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections import defaultdict
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
from django.db import connection  # noqa: E402

from safetynet.core import crypto  # noqa: E402
from safetynet.verification import exchange, services  # noqa: E402

AS_OF = dt.date(2026, 11, 30)
COUNTY = "320125000000"
# dataset: (department, share of the county's persons with rows, rows per such person)
MIX = {
    "police_deaths": ("public_security", 0.02, 1),
    "vehicles": ("public_security", 0.10, 1),
    "real_estate": ("natural_resources", 0.30, 1),
    "business_registrations": ("market_regulation", 0.05, 1),
    "social_insurance": ("human_resources", 0.40, 2),
    "provident_fund": ("housing_fund", 0.15, 1),
    "bank": ("banking", 0.80, 3),
    "securities": ("securities", 0.05, 1),
}
DEPARTMENTS = list(dict.fromkeys(d for d, _s, _r in MIX.values()))
PERSONS_PER_HOUSEHOLD = 3.09  # members and legal supporters per synthetic household


def say(msg: str) -> None:
    print(msg, flush=True)


def setup_registry(persons: int) -> None:
    from safetynet.accounts.models import User
    from safetynet.registry.models import Person
    from safetynet.synth.services import demo_seed

    if not Person.objects.exists():
        t0 = time.perf_counter()
        demo_seed(households=round(persons / PERSONS_PER_HOUSEHOLD), seed=7, as_of=AS_OF, log=say)
        say(f"set-up: seeded in {time.perf_counter() - t0:.0f} s")
    verifier = User.objects.get(username="demo_verifier")
    t0 = time.perf_counter()
    n = services.demo_authorisations_grant(actor=verifier, region_code=COUNTY, today=AS_OF)
    if n:
        say(f"set-up: {n:,} authorisations in {time.perf_counter() - t0:.0f} s")


def _columns(dataset: str, n: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    i = np.arange(n)
    money = rng.gamma(2.0, 20000.0, size=n).round(2)
    text = lambda prefix: pa.array([f"{prefix}{k}" for k in i.tolist()], pa.string())  # noqa: E731
    if dataset == "police_deaths":
        return {
            "name": text("某"),
            "death_date": pa.array(np.datetime64("2026-01-01") - rng.integers(0, 900, n)),
            "cancelled_on": pa.nulls(n, pa.date32()),
            "cause": pa.array(["病故"] * n),
        }
    if dataset == "vehicles":
        return {
            "owner_name": text("某"),
            "plate": text("苏A"),
            "brand": pa.array(["大众"] * n),
            "registered_on": pa.array(np.datetime64("2020-01-01") + rng.integers(0, 2000, n)),
            "purchase_price": pa.array(money),
            "status": pa.array(["正常"] * n),
        }
    if dataset == "real_estate":
        return {
            "certificate_no": text("苏(2024)南京市不动产权第"),
            "location": text("某路"),
            "usage": pa.array(np.where(rng.random(n) < 0.1, "商业", "住宅")),
            "area": pa.array(rng.uniform(30, 180, n).round(2)),
            "registered_on": pa.array(np.datetime64("2010-01-01") + rng.integers(0, 5000, n)),
            "transaction_price": pa.array(money * 10),
        }
    if dataset == "business_registrations":
        return {
            "role": pa.array(["经营者"] * n),
            "entity_name": text("某某商店"),
            "entity_type": pa.array(["个体工商户"] * n),
            "uscc": text("92320125MA"),
            "registered_capital": pa.array(money),
            "status": pa.array(np.where(rng.random(n) < 0.1, "吊销", "存续")),
        }
    if dataset == "social_insurance":
        return {
            "insurance_kind": pa.array(["职工基本养老保险"] * n),
            "status": pa.array(["参保缴费"] * n),
            "employer_name": pa.array([f"某公司{k % 5000}" for k in i.tolist()]),
            "wages_12m": pa.array(money),
            "pension_monthly": pa.array(np.where(rng.random(n) < 0.2, money / 20, 0.0).round(2)),
        }
    if dataset == "provident_fund":
        return {
            "employer_name": pa.array([f"某公司{k % 5000}" for k in i.tolist()]),
            "status": pa.array(["正常"] * n),
            "balance": pa.array(money),
        }
    if dataset == "bank":
        return {
            "bank_name": pa.array(["某银行"] * n),
            "product": pa.array(np.where(rng.random(n) < 0.05, "个人住房贷款", "活期储蓄")),
            "balance": pa.array(money / 4),
        }
    return {"broker": pa.array(["某证券"] * n), "market_value": pa.array(money)}


def setup_departments(out: Path, rows: int) -> None:
    """The department side: each dataset with the department's pseudonym of each row's person."""
    from safetynet.registry.models import Person

    todo = [ds for ds in MIX if not (out / f"{ds}.parquet").exists()]
    if not todo:
        return
    t0 = time.perf_counter()
    ids = [
        crypto.decrypt(t) for t in Person.objects.order_by("id").values_list("id_enc", flat=True).iterator()
    ]
    pseud: dict[str, pa.Array] = {}
    for ds in todo:
        dept, share, per = MIX[ds]
        if dept not in pseud:
            pseud[dept] = pa.array(exchange.pseudonyms(ids, dept), pa.string())
        rng = np.random.default_rng(list(MIX).index(ds) + 11)
        people = rng.choice(len(ids), size=int(len(ids) * share), replace=False)
        ours = np.repeat(people, per)[:rows]
        others = rows - len(ours)
        column = pa.concat_arrays(
            [
                pseud[dept].take(pa.array(ours)),
                pa.array([f"{k:064x}" for k in range(others)], pa.string()),
            ]
        )
        table = pa.table({"pseudonym": column, **_columns(ds, rows, rng)})
        pq.write_table(table, out / f"{ds}.parquet", row_group_size=1_000_000)
        say(f"set-up: {ds} ({rows:,} rows, {len(ours):,} about the county's persons)")
    say(f"set-up: department datasets in {time.perf_counter() - t0:.0f} s")


def department_answer(out: Path, run) -> None:
    """The department answers: its rows about the pseudonyms asked, into the run's inbox."""
    for dept in run.departments:
        asked = pq.read_table(Path(run.work_dir) / "outbox" / f"{dept}.parquet").column("pseudonym")
        inbox = Path(run.work_dir) / "inbox" / dept
        inbox.mkdir(parents=True, exist_ok=True)
        for ds, (d, _s, _r) in MIX.items():
            if d == dept:
                table = pq.read_table(out / f"{ds}.parquet")
                pq.write_table(
                    table.filter(pc.is_in(table.column("pseudonym"), value_set=asked)),
                    inbox / f"{ds}.parquet",
                )
        (inbox / ".complete").touch()


def bare_join(run) -> tuple[float, int]:
    """A bare DuckDB join of the same files: each result file with its request file."""
    db = duckdb.connect()
    db.execute("SET threads TO 2")
    t0 = time.perf_counter()
    n = 0
    for dept in run.departments:
        for path in sorted((Path(run.work_dir) / "inbox" / dept).glob("*.parquet")):
            n += db.execute(
                f"SELECT count(*) FROM (SELECT a.pseudonym, count(*) FROM read_parquet('{path}') a "
                f"JOIN read_parquet('{Path(run.work_dir) / 'outbox' / dept}.parquet') q USING (pseudonym) "
                "GROUP BY a.pseudonym)"
            ).fetchone()[0]  # type: ignore[index]
    return time.perf_counter() - t0, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--dir", default="var/bench/verification")
    a = ap.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must point to a PostgreSQL database (its own, e.g. vp_bench)")
    out = Path(a.dir) / f"p{a.persons}-r{a.rows}"
    out.mkdir(parents=True, exist_ok=True)
    setup_registry(a.persons)
    setup_departments(out, a.rows)

    from safetynet.accounts.models import User

    times: dict[str, float] = defaultdict(float)
    services.PROFILE = times
    originals = {}

    def timed(stage: str):
        original = originals[stage] = getattr(services, f"_stage_{stage}")

        def wrapper(run, *args, **kw):
            if stage == "exchange":
                department_answer(out, run)  # the department's work: not timed
            t0 = time.perf_counter()
            try:
                return original(run, *args, **kw)
            finally:
                times[stage] += time.perf_counter() - t0
                say(
                    f"  {stage}: {times[stage]:.1f} s (load average {os.getloadavg()[0]:.1f}); so far {dict(times)}"
                )

        setattr(services, f"_stage_{stage}", wrapper)

    for stage in ("requests", "exchange", "findings", "registry", "reports"):
        timed(stage)
    verifier = User.objects.get(username="demo_verifier")
    run = services.run_start(
        actor=verifier, region_code=COUNTY, departments=DEPARTMENTS, as_of=AS_OF, work_dir=out / "runs"
    )
    t0 = time.perf_counter()
    run = services.run_execute(run=run)
    total = time.perf_counter() - t0
    t_bare, n_bare = bare_join(run)
    e2e = times["requests"] + times["exchange"] + times["findings"] + times["discrepancies"]
    print(f"cores: {os.cpu_count()}  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"run {run.pk}: status {run.status}, counts {run.counts}")
    print(f"registry persons ≈ {a.persons:,} × datasets {len(MIX)} × rows {a.rows:,}")
    for step, seconds in times.items():
        print(f"  {step:<40} {seconds:7.1f} s")
    print(f"end to end (requests, exchange, findings, discrepancies): {e2e:.1f} s")
    print(f"whole run incl. registry items and household reports: {total:.1f} s")
    print(
        f"matching step: {times['match']:.1f} s; bare DuckDB join of the same files: {t_bare:.1f} s "
        f"({n_bare:,} persons matched); ratio {times['match'] / t_bare:.2f}×"
    )


if __name__ == "__main__":
    main()
