"""Benchmark: household search on a seeded database (issue: p95 under 150 ms at 1M households).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sn_elig .venv/bin/python bench/bench_search.py [--n 200]

Searches as the demo county officer through the same selector the UI and the API use
(`registry.selectors.household_search`, first page of 20 with its count): by full identity
number (keyed hash), by a two-character name within the county, and by village. Identity numbers
(decrypted from a sample of stored persons), names and villages are drawn from the database. Prints p50/p95/max per kind and the core count.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from safetynet.accounts.models import User  # noqa: E402
from safetynet.registry.models import Household, Person  # noqa: E402
from safetynet.registry.selectors import PAGE_SIZE, SEARCH_COUNT_CAP, SearchQuery, household_search  # noqa: E402


def timed(user, query: SearchQuery) -> float:
    start = time.perf_counter()
    qs = household_search(user=user, query=query)
    list(qs[:PAGE_SIZE])
    qs.order_by()[: SEARCH_COUNT_CAP + 1].count()  # the list page's count, capped as the UI does
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    user = User.objects.get(username="demo_county")
    households = Household.objects.count()
    from safetynet.core.crypto import decrypt

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_enc FROM registry_person WHERE id %% 1009 = 0 LIMIT %s", [args.n])
        ids = [decrypt(row[0]) for row in cursor.fetchall()]
        cursor.execute("SELECT name FROM registry_person WHERE id % 997 = 0 LIMIT 5000")
        names = [row[0][:2] for row in cursor.fetchall() if len(row[0]) >= 2]
        cursor.execute("SELECT DISTINCT region_code FROM registry_household")
        villages = [row[0] for row in cursor.fetchall()]
    kinds = {
        "identity number (exact, keyed hash)": [SearchQuery(id_number=i) for i in ids],
        "two-character name within the county": [SearchQuery(name=rng.choice(names)) for _ in range(args.n)],
        "village": [SearchQuery(village=rng.choice(villages)) for _ in range(args.n)],
    }
    print(
        f"household search, {households:,} households, {Person.objects.count():,} persons, "
        f"{connection.vendor}, {os.cpu_count()} cores, {args.n} searches per kind"
    )
    for label, queries in kinds.items():
        if not queries:
            print(f"  {label}: no sample")
            continue
        for q in queries[:5]:
            timed(user, q)  # warm-up
        times = sorted(timed(user, q) for q in queries)
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"  {label:<40} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   max {times[-1]:7.1f} ms"
            f"   (target p95 < 150 ms)"
        )


if __name__ == "__main__":
    main()
