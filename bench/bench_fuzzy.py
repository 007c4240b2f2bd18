"""Fuzzy matching benchmark: U unidentified records against P persons (deterministic synthetic
names with homophones, birth dates, addresses); prints the pair count and the time.

    .venv/bin/python bench/bench_fuzzy.py --records 100000 --persons 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from safetynet.verification import fuzzy  # noqa: E402

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华建国红玉梅志文辉海燕")
HOMOPHONE = {"张": "章", "王": "汪", "李": "黎", "陈": "程", "杨": "阳", "刘": "留"}


def people(n: int, rng) -> list[dict]:
    s = rng.integers(0, len(SURNAMES), n)
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(-1, len(GIVEN), n)
    days = rng.integers(0, 80 * 365, n)
    base = dt.date(1940, 1, 1)
    return [
        {
            "unique_id": f"p{i}",
            "name": SURNAMES[s[i]] + GIVEN[g1[i]] + (GIVEN[g2[i]] if g2[i] >= 0 else ""),
            "birth_date": (base + dt.timedelta(days=int(days[i]))).isoformat(),
            "address": f"示范县第{i % 400}村{i % 97}号",
        }
        for i in range(n)
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--persons", type=int, default=1_000_000)
    a = ap.parse_args()
    rng = np.random.default_rng(7)
    persons = people(a.persons, rng)
    picks = rng.integers(0, a.persons, a.records)
    records = []
    for j, i in enumerate(picks):
        p = dict(persons[i])
        name = p["name"]
        if j % 3 == 0 and name[0] in HOMOPHONE:
            name = HOMOPHONE[name[0]] + name[1:]
        records.append(
            {
                "unique_id": f"r{j}",
                "name": name,
                "birth_date": p["birth_date"],
                "address": p["address"][3:],
                "truth": p["unique_id"],
            }
        )
    t0 = time.perf_counter()
    found, pairs = fuzzy.candidates(records, persons, threshold=0.5)
    elapsed = time.perf_counter() - t0
    best = {}
    for rec, per, _p in found:
        best.setdefault(rec, per)
    right = sum(1 for r in records if best.get(r["unique_id"]) == r["truth"])
    print(f"cores: {os.cpu_count()}  load: {os.getloadavg()[0]:.2f}")
    print(f"records {a.records:,} × persons {a.persons:,}: {pairs:,} pairs compared in {elapsed:.1f} s")
    print(f"records with a candidate ≥ 0.5: {len(best):,}; best candidate is the true person: {right:,}")


if __name__ == "__main__":
    main()
