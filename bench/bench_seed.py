"""Benchmark: `seed-demo` of N households (default 1,000,000, about 3.1M persons) into a database.

    .venv/bin/python bench/bench_seed.py [--households 1000000]
        [--database-url postgres://postgres@127.0.0.1:5432/sn_synth] [--seed 1] [--workers 2]

Migrates the database, removes a previous demo seed (timed apart, not counted), then runs the
seed exactly as `safetynet seed-demo` does and prints: wall time (and its phases), rows written
per table, rows/s, department rows, and the core count. The target is under 5 minutes for a
million households on PostgreSQL with 2 cores. Department files go to a temporary folder unless
--departments-dir is given. Never point it at a database you care about: it resets the demo.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy since boot (Linux /proc/stat)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _server_cpu(connection) -> float:
    """CPU seconds of the PostgreSQL backend serving this connection (same machine only)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/sn_synth")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--departments-dir", type=Path, default=None)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from safetynet.synth.selectors import demo_status
    from safetynet.synth.services import demo_reset, demo_seed

    call_command("migrate", verbosity=0)
    if demo_status().seeded:
        start = time.perf_counter()
        removed = demo_reset()
        print(
            f"reset of the previous seed: {sum(removed.values()):,} rows in {time.perf_counter() - start:.1f} s"
        )
    target = args.departments_dir or Path(tempfile.mkdtemp(prefix="bench-seed-"))
    busy_before, ours_before = _machine_busy(), _own_cpu()
    start = time.perf_counter()
    result = demo_seed(
        households=args.households,
        seed=args.seed,
        departments_dir=target,
        workers=args.workers,
        log=lambda line: print(line, flush=True),
    )
    wall = time.perf_counter() - start
    busy, ours = _machine_busy() - busy_before, _own_cpu() - ours_before
    server = _server_cpu(connection)
    registry = {k: v for k, v in result.counts.items() if k.startswith("registry.")}
    rows = sum(registry.values())
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print()
    print(f"database     {connection.vendor} ({connection.settings_dict['NAME']})")
    print(
        f"cores        {cores}; CPU used during the seed: {busy:.0f} s of {cores * wall:.0f} s available "
        f"(this process and its workers {ours:.0f} s, the database session {server:.0f} s; the rest is the "
        f"database's parallel workers and anything else running)"
    )
    print(f"households   {args.households:,} (seed {args.seed})")
    print(
        f"wall time    {wall:.1f} s  ("
        + ", ".join(f"{k} at {v:.1f} s" for k, v in result.timings.items())
        + ")"
    )
    for label, count in registry.items():
        print(f"  {label:<26} {count:>12,}")
    print(f"  {'total':<26} {rows:>12,}   {rows / wall:,.0f} rows/s over the wall time")
    dept = result.counts["departments"]
    print(f"department files: {len(dept)} datasets, {sum(dept.values()):,} rows in {target}")
    print(f"planted discrepancies: {result.counts['planted']}")
    print(
        f"target: under 300 s for 1,000,000 households → {'met' if wall < 300 else 'NOT met'}"
        if args.households == 1_000_000
        else ""
    )
    if args.departments_dir is None:
        shutil.rmtree(target, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
