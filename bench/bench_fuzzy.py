"""Fuzzy matching benchmark: R department records without an identity number against P
registry persons, with the same code the runs use (``safetynet.verification.fuzzy``: Splink on
DuckDB). Deterministic synthetic data with a known truth:

- persons: surnames drawn with a realistic skew (王李张刘陈 … most common; a few compound
  surnames and polyphonic ones such as 单, 曾), one- or two-character given names from a small
  alphabet (so that 张伟 and its like repeat many times, as they do), birth dates over 80 years,
  addresses in a county's towns and villages;
- records: 90 % are one of the persons as a department wrote them down — a third with a
  homophone surname (章伟 for 张伟), a sixth typed in pinyin ("Zhang Wei"), one in ten with the
  birth date mistyped (a digit, or day and month swapped), the address without the county and
  sometimes without the house number; 10 % are people not in the registry at all.

Prints the blocking rules and the pairs each lets through, the pairs compared, the time of
each stage and the total, and precision and recall of the best candidate against the truth.

    .venv/bin/python bench/bench_fuzzy.py --records 100000 --persons 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from safetynet.verification import fuzzy  # noqa: E402

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单"
) + ["欧阳", "司马", "诸葛", "上官"]
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华建国红玉梅志文辉海燕鹏飞斌宇浩凯")
HOMOPHONE = {
    "张": "章",
    "王": "汪",
    "李": "黎",
    "陈": "程",
    "杨": "阳",
    "刘": "留",
    "黄": "皇",
    "周": "邹",
    "徐": "许",
    "林": "凌",
}
TOWNS = [
    "城关街道",
    "河口镇",
    "青山乡",
    "石桥镇",
    "桃花乡",
    "北岗镇",
    "南湖街道",
    "东岭乡",
    "西坪镇",
    "龙泉镇",
]
VILLAGES = [f"{a}{b}村" for a in "王李张新老上下东西南北" for b in "家庄湾坪岗河"]


def people(n: int, rng: np.random.Generator) -> dict[str, list]:
    weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9  # Zipf-like: a few surnames are common
    s = rng.choice(len(SURNAMES), n, p=weights / weights.sum())
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(-len(GIVEN) // 2, len(GIVEN), n)  # a third have one-character given names
    days = rng.integers(0, 80 * 365, n)
    town = rng.integers(0, len(TOWNS), n)
    village = rng.integers(0, len(VILLAGES), n)
    house = rng.integers(1, 200, n)
    base = dt.date(1940, 1, 1)
    return {
        "unique_id": [str(i) for i in range(n)],
        "name": [SURNAMES[s[i]] + GIVEN[g1[i]] + (GIVEN[g2[i]] if g2[i] >= 0 else "") for i in range(n)],
        "birth_date": [(base + dt.timedelta(days=int(d))).isoformat() for d in days],
        "address": [f"示范县{TOWNS[town[i]]}{VILLAGES[village[i]]}{house[i]}号" for i in range(n)],
    }


def mistype_date(iso: str, k: int) -> str:
    y, m, d = iso.split("-")
    if k % 2 == 0 and int(d) <= 12 and d != m:
        return f"{y}-{d}-{m}"  # day and month swapped
    digits = list(y + m + d)
    pos = 7 if k % 3 else 3  # the last digit of the day, or of the year
    digits[pos] = str((int(digits[pos]) + 1 + k % 8) % 10)
    text = "".join(digits)
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def records(persons: dict[str, list], n: int, rng: np.random.Generator) -> tuple[dict[str, list], list]:
    total = len(persons["unique_id"])
    picks = rng.integers(0, total, n)
    outsider = rng.random(n) < 0.10
    noise = rng.random((n, 4))
    strangers = people(n, np.random.default_rng(99))
    out: dict[str, list] = {"unique_id": [], "name": [], "birth_date": [], "address": []}
    truth: list = []
    for j in range(n):
        if outsider[j]:
            name, birth, address = strangers["name"][j], strangers["birth_date"][j], strangers["address"][j]
            truth.append(None)
        else:
            i = int(picks[j])
            name, birth, address = persons["name"][i], persons["birth_date"][i], persons["address"][i]
            truth.append(persons["unique_id"][i])
        if noise[j, 0] < 1 / 3 and name[:1] in HOMOPHONE:
            name = HOMOPHONE[name[:1]] + name[1:]
        elif noise[j, 0] > 5 / 6:
            _chars, surname, given = fuzzy.name_parts(name)
            name = f"{surname.capitalize()} {given.capitalize()}"
        if noise[j, 1] < 0.10:
            birth = mistype_date(birth, j)
        address = address[3:]  # without the county
        if noise[j, 2] < 0.25:
            address = address.rsplit("村", 1)[0] + "村"  # without the house number
        out["unique_id"].append(f"r{j}")
        out["name"].append(name)
        out["birth_date"].append(birth)
        out["address"].append(address)
    return out, truth


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--threshold", type=float, default=fuzzy.threshold())
    a = ap.parse_args()
    rng = np.random.default_rng(7)
    t0 = time.perf_counter()
    persons = people(a.persons, rng)
    recs, truth = records(persons, a.records, rng)
    t_data = time.perf_counter() - t0

    started = time.perf_counter()
    t = time.perf_counter()
    person_frame = fuzzy.frame(
        persons["unique_id"], persons["name"], persons["birth_date"], persons["address"]
    )
    record_frame = fuzzy.frame(recs["unique_id"], recs["name"], recs["birth_date"], recs["address"])
    t_frames = time.perf_counter() - t
    result = fuzzy.candidates(record_frame, person_frame, threshold=a.threshold, count_rules=True)
    total = time.perf_counter() - started

    best: dict[str, str] = {}
    listed: dict[str, set] = {}
    for c in result.candidates:
        best.setdefault(c["record"], c["person"])
        listed.setdefault(c["record"], set()).add(c["person"])
    ids = recs["unique_id"]
    predicted = len(best)
    correct = sum(1 for rid, tr in zip(ids, truth, strict=True) if tr is not None and best.get(rid) == tr)
    in_top = sum(
        1 for rid, tr in zip(ids, truth, strict=True) if tr is not None and tr in listed.get(rid, ())
    )
    matchable = sum(1 for tr in truth if tr is not None)
    false_for_outsiders = sum(1 for rid, tr in zip(ids, truth, strict=True) if tr is None and rid in best)

    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}")
    print(f"records {a.records:,} (without identity number) × persons {a.persons:,}; threshold {a.threshold}")
    print("blocking rules (a pair is compared when any rule holds; counted once):")
    for rule, n in result.pairs_by_rule:
        print(f"  same {rule}: {n:,} pairs")
    print(
        f"pairs compared: {result.pairs:,}  ({result.pairs / a.records:.1f} per record; "
        f"all pairs would be {a.records * a.persons:,})"
    )
    print("time per stage:")
    print(f"  synthetic data (not part of matching): {t_data:.1f} s")
    print(f"  prepare (pinyin, surnames, normalised dates and addresses): {t_frames:.1f} s")
    for stage in ("blocking_count", "estimate_u", "predict", "select"):
        print(f"  {stage}: {result.timings.get(stage, 0.0):.1f} s")
    print(f"  total matching: {total:.1f} s")
    print(f"records with a candidate ≥ {a.threshold}: {predicted:,}")
    precision = correct / predicted if predicted else 0.0
    recall = correct / matchable if matchable else 0.0
    print(f"best candidate is the true person: {correct:,}  precision {precision:.3f}  recall {recall:.3f}")
    print(f"true person among the (≤3) candidates shown: {in_top:,}  recall {in_top / max(matchable, 1):.3f}")
    print(
        f"records of people not in the registry given a candidate: {false_for_outsiders:,} "
        f"of {a.records - matchable:,}"
    )
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
