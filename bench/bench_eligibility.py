"""Benchmark: batch evaluation end to end, from the database to stored results.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sn_elig \\
        .venv/bin/python bench/bench_eligibility.py [--region CODE] [--month 2026-12]

Needs a seeded database (`safetynet seed-demo --households 1000000`). Sets up the demo standards
for the province if none are in force, then runs `eligibility.services.evaluation_run` for the
region (default: the first county) and prints the breakdown: load (SQL → Arrow), arrays (Arrow →
numpy, source preference in DuckDB), standards (resolved per village), build and compute (the
rules, OpenFisca), store (COPY of one row per household), and the total; plus the core count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from safetynet.accounts.models import User  # noqa: E402
from safetynet.accounts.roles import Role  # noqa: E402
from safetynet.eligibility.models import EvaluationRun, RegionalStandard  # noqa: E402
from safetynet.eligibility.services import evaluation_run, standards_seed  # noqa: E402
from safetynet.regions.choices import Level  # noqa: E402
from safetynet.regions.models import Region  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--region", help="region code (default: the first county)")
    parser.add_argument("--month", default="2026-12")
    args = parser.parse_args()
    month = dt.date.fromisoformat(args.month + "-01")
    region = (
        Region.objects.get(code=args.region)
        if args.region
        else Region.objects.filter(level=Level.COUNTY).first()
    )
    province = Region.objects.filter(level=Level.PROVINCE).first()
    if not RegionalStandard.objects.filter(key="dibao_standard_rural", status="approved").exists():
        standards_seed(actor=None, region_code=province.code, effective_from=dt.date(2026, 1, 1))
    officer = (
        User.objects.filter(role=Role.COUNTY_OFFICER, region=region).first()
        or User.objects.filter(role=Role.ADMIN).first()
    )
    started = time.perf_counter()
    run = evaluation_run(actor=officer, region_code=region.code, month=month)
    total = time.perf_counter() - started
    t = run.timings
    rules = t.get("build", 0) + t.get("compute", 0)
    print(
        f"batch evaluation, {run.households:,} households, {run.persons:,} persons, region {region.code} "
        f"({region.name}), month {args.month}, {os.cpu_count()} cores"
    )
    for key in ("load", "arrays", "standards", "build", "compute", "store"):
        print(f"  {key:<10} {t.get(key, 0):7.2f} s")
    print(f"  rules computation (build + compute): {rules:.2f} s   (target < 10 s)")
    print(f"  end to end, database to stored results: {total:.2f} s   (target < 60 s)")
    print(
        "  eligible households: "
        + ", ".join(f"{k} {v['households']:,}" for k, v in run.summary["programs"].items())
    )
    EvaluationRun.objects.filter(pk=run.pk).delete()  # keep the benchmark database small


if __name__ == "__main__":
    main()
