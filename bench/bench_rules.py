"""Benchmark: all assistance programs for N synthetic households (default 1,000,000, ~3M persons).

    .venv/bin/python bench/bench_rules.py [--households 1000000] [--repeat 3] [--seed 7]

Generates integer/float arrays (no per-entity Python objects), builds one OpenFisca simulation
with ``openfisca_cn_assistance.batch.build_simulation`` and computes every program with
``batch.compute`` (result, amount and failed-test bitmask per household and program;
explanations excluded). Prints the data size, the core count, and the median build and compute
times over the repeats, plus how many households each program found eligible.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from openfisca_cn_assistance import tax_benefit_system
from openfisca_cn_assistance.batch import build_simulation, compute
from openfisca_cn_assistance.programs import PROGRAM_KEYS

PERIOD = "2026-08"
N_REGIONS = 300


def synthetic_population(n_households: int, seed: int) -> tuple[dict, dict]:
    """Arrays for ``n_households`` households: ~2.7 members each plus ~0.3 supporters living elsewhere."""
    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 4, 5, 6], size=n_households, p=[0.18, 0.27, 0.25, 0.18, 0.08, 0.04])
    supporters = rng.binomial(1, 0.3, size=n_households)
    n_members = int(sizes.sum())
    n_supporters = int(supporters.sum())
    n = n_members + n_supporters
    household_index = np.concatenate(
        [np.repeat(np.arange(n_households), sizes), np.repeat(np.arange(n_households), supporters)]
    ).astype(np.int64)
    first = np.zeros(n_members, dtype=bool)
    first[np.concatenate([[0], np.cumsum(sizes)[:-1]])] = True
    role = np.concatenate([np.where(first, 0, 1), np.full(n_supporters, 2)]).astype(np.int8)

    age = rng.integers(0, 95, size=n).astype(np.int32)
    disabled = rng.random(n) < 0.08
    persons = {
        "household_index": household_index,
        "role": role,
        "age": age,
        "disability_category": np.where(disabled, rng.integers(1, 8, size=n), 0).astype(np.int16),
        "disability_grade": np.where(disabled, rng.integers(1, 5, size=n), 0).astype(np.int32),
        "serious_illness": rng.random(n) < 0.04,
        "schooling": np.where((age >= 6) & (age < 22), rng.integers(1, 7, size=n), 0).astype(np.int16),
        "employment": np.where((age >= 16) & (age < 60), rng.integers(1, 7, size=n), 0).astype(np.int16),
        "wage_income": np.where(rng.random(n) < 0.45, rng.gamma(2.0, 12000, size=n), 0.0),
        "business_net_income": np.where(rng.random(n) < 0.1, rng.normal(8000, 12000, size=n), 0.0),
        "pension_income": np.where(age >= 60, rng.gamma(2.0, 6000, size=n), 0.0),
        "support_received": np.where(rng.random(n) < 0.1, rng.gamma(2.0, 2000, size=n), 0.0),
        "monetary_assets": rng.gamma(1.2, 12000, size=n),
        "vehicles": (rng.random(n) < 0.1).astype(np.int32),
        "dwellings": (rng.random(n) < 0.3).astype(np.int32),
        "dwelling_area": rng.gamma(2.0, 20, size=n),
        "tekun_recognised": rng.random(n) < 0.01,
        "adl_bathing": rng.random(n) > 0.05,
        "adl_indoor_walking": rng.random(n) > 0.03,
        "medical_costs_year": np.where(rng.random(n) < 0.2, rng.gamma(1.5, 8000, size=n), 0.0),
        "medical_out_of_pocket_12m": np.where(rng.random(n) < 0.2, rng.gamma(1.5, 8000, size=n), 0.0),
        "refused_job_offers": (rng.random(n) < 0.01).astype(np.int32) * 3,
    }

    region = rng.integers(0, N_REGIONS, size=n_households)
    urban = rng.uniform(700, 1450, size=N_REGIONS).round(0)
    rural = (urban * rng.uniform(0.75, 1.0, size=N_REGIONS)).round(0)
    households = {
        "dibao_standard_urban": urban[region],
        "dibao_standard_rural": rural[region],
        "asset_multiple": np.full(N_REGIONS, 24.0)[region],
        "minimum_wage": rng.uniform(1800, 2700, size=N_REGIONS).round(0)[region],
        "disposable_income_last_year": rng.uniform(25000, 85000, size=N_REGIONS).round(0)[region],
        "consumption_expenditure_last_year": rng.uniform(18000, 52000, size=N_REGIONS).round(0)[region],
        "care_rate_able": np.full(n_households, 0.2),
        "care_rate_partial": np.full(n_households, 0.4),
        "care_rate_full": np.full(n_households, 0.6),
        "rigid_expenditure_ratio": np.full(n_households, 0.5),
        "topup_rate_severe": np.full(n_households, 0.35),
        "topup_rate_vulnerable": np.full(n_households, 0.25),
        "hukou_type": (rng.random(n_households) < 0.55).astype(np.int16),
        "taper_month": np.where(
            rng.random(n_households) < 0.02, rng.integers(1, 7, size=n_households), 0
        ).astype(np.int32),
        "dibao_paid_before_rise": rng.uniform(300, 2000, size=n_households),
        "emergency_event": rng.random(n_households) < 0.01,
        "necessary_spending": np.where(
            rng.random(n_households) < 0.05, rng.gamma(1.5, 10000, size=n_households), 0.0
        ),
        "spending_cause": np.where(rng.random(n_households) < 0.05, 1, 0).astype(np.int16),
        "housing_need": rng.random(n_households) < 0.05,
        "renting": rng.random(n_households) < 0.3,
        "housing_subsidy_area": rng.uniform(20, 60, size=n_households),
        "disaster_affected": rng.random(n_households) < 0.005,
        "cpi_yoy": np.full(n_households, 0.036),
        "housing_rent_standard": rng.uniform(20, 80, size=N_REGIONS).round(0)[region],
        "disaster_emergency_per_person": np.full(n_households, 500.0),
    }
    return persons, households


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    t0 = time.perf_counter()
    tax_benefit_system()
    system_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    persons, households = synthetic_population(args.households, args.seed)
    generate_s = time.perf_counter() - t0
    n_persons = len(persons["household_index"])

    builds, computes, cpu_computes, result = [], [], [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        simulation = build_simulation(persons, households, PERIOD)
        t1, c1 = time.perf_counter(), time.process_time()
        result = compute(simulation, PERIOD)
        t2, c2 = time.perf_counter(), time.process_time()
        builds.append(t1 - t0)
        computes.append(t2 - t1)
        cpu_computes.append(c2 - c1)
        del simulation

    build_s, compute_s = statistics.median(builds), statistics.median(computes)
    print("bench_rules: every program, openfisca_cn_assistance, period", PERIOD)
    print(f"  machine cores (os.cpu_count): {os.cpu_count()}; usable: {len(os.sched_getaffinity(0))}")
    print(f"  households: {args.households:,}  persons: {n_persons:,}  programs: {len(PROGRAM_KEYS)}")
    print(f"  load tax-benefit system (once): {system_s:.2f} s; generate arrays: {generate_s:.2f} s")
    print(
        f"  build simulation (median of {args.repeat}): {build_s:.2f} s  runs: {', '.join(f'{b:.2f}' for b in builds)}"
    )
    print(
        f"  compute all programs (median of {args.repeat}): {compute_s:.2f} s  runs: {', '.join(f'{c:.2f}' for c in computes)}"
    )
    print(
        f"  compute CPU time of this process (median): {statistics.median(cpu_computes):.2f} s "
        f"(wall above CPU means other processes shared the cores; load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"  build + compute: {build_s + compute_s:.2f} s  ({(build_s + compute_s) / args.households * 1e6:.2f} µs per household)"
    )
    print("  eligible households per program:")
    for key in PROGRAM_KEYS:
        r = result.households[key]
        amount = f", amount total {r.amount.sum():,.0f} yuan" if r.amount is not None else ""
        print(f"    {key:24s} {int(r.eligible.sum()):>9,}{amount}")


if __name__ == "__main__":
    main()
