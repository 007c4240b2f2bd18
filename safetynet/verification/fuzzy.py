"""Fuzzy matching (疑似匹配) of department records without a usable identity number against the
registry persons a run asked about, with Splink on DuckDB. Candidates are shown to a
verification officer for confirmation — never merged automatically.

Three parts:

- **matching** (``frame``, ``settings``, ``candidates``): comparisons made for Chinese names —
  the characters, the pinyin (张伟/章伟 are homophones; a name typed in pinyin compares too),
  compound surnames (欧阳, 司马 …) and the surname readings of polyphonic characters (单 shàn,
  曾 zēng, 解 xiè …) — plus birth date (exact, one typed digit or day/month swapped, same year)
  and address (the county part removed, then Jaro-Winkler). Blocking rules (same birth date; same
  pinyin name and birth year; same pinyin name, month and day) bound the pairs compared; m probabilities are set from judgement
  (``M_PROBABILITIES``), u probabilities estimated by random sampling.
- **the run hook** (``unidentified_take``, called once per result file from
  ``services._stage_findings``): rows with no department pseudonym are taken out of the
  identified path, turned into the findings they would give, and matched against the persons of
  the run that department was asked about *and* is authorised for (so a confirmation can never
  create a finding the authorisation does not cover). Each candidate is a ``MatchCandidate``.
- **the decision** (``candidate_decide``): confirm or reject with a reason, logged in the change
  log; a confirmed candidate becomes findings for that person through the same stages as an
  identified record (registry items, discrepancies, the household report and its PDF).

``simulated_unidentified`` is the simulated department's side (``exchange.department_answer``
and ``http.DepartmentState``): with ``settings.VERIFICATION_SIMULATED_UNIDENTIFIED = N`` (0,
off, by default) one answered row in N comes back without its identity number, carrying the
name, birth date and address the department holds instead, as legacy records do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypinyin import lazy_pinyin

# ---- Chinese names ------------------------------------------------------------------------------

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 闾丘 "
    "澹台 公冶 宗政 濮阳 太叔 申屠 端木 万俟 独孤 南宫 西门 呼延 百里 东郭 第五 司空 亓官".split()
)
# Polyphonic characters read differently as surnames (pypinyin's default is the common reading).
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "乐": "yue",
    "盖": "ge",
    "缪": "miao",
    "翟": "zhai",
    "秘": "bi",
    "种": "chong",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
    "褚": "chu",
    "员": "yun",
    "繁": "po",
    "黑": "he",
    "贲": "ben",
    "覃": "qin",
}
_LATIN = re.compile(r"^[A-Za-züÜ:\s\-']+$")
_SPACES = re.compile(r"[\s\u3000]+")


@lru_cache(maxsize=65536)
def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower()


@lru_cache(maxsize=262144)
def name_parts(name: str) -> tuple[str, str, str]:
    """(characters, surname pinyin, given-name pinyin) of a name as a department wrote it: in
    characters (compound surnames and surname readings honoured; 维吾尔族 names with ·: the whole
    name is the given name) or typed in pinyin ("Zhang Wei", "ZHANG Wei")."""
    text = _SPACES.sub(" ", (name or "").strip())
    if not text:
        return "", "", ""
    if _LATIN.match(text):
        tokens = [t for t in re.split(r"[\s\-']+", text.lower().replace("ü", "v").replace("u:", "v")) if t]
        return "", tokens[0], "".join(tokens[1:])
    chars = text.replace(" ", "")
    if "·" in chars or "•" in chars:
        return chars, "", _pinyin(chars.replace("•", "·").replace("·", ""))
    surname = chars[:2] if chars[:2] in COMPOUND_SURNAMES else chars[:1]
    given = chars[len(surname) :]
    return chars, SURNAME_READINGS.get(surname) or _pinyin(surname), _pinyin(given) if given else ""


_ADDRESS_LEVELS = [
    re.compile(r"^(.{1,7}?)(省|自治区)"),
    re.compile(r"^(.{1,7}?)(自治州|地区|盟|市(?!场))"),
    re.compile(r"^(.{1,7}?)(县|旗|区|市(?!场))"),
]
_NOT_A_REGION = re.compile(r"[镇乡村路街号巷弄栋楼]")


@lru_cache(maxsize=262144)
def address_key(address: str | None) -> str:
    """An address with spaces and the province/city/county part removed: departments write
    "示范县河口镇王家村12号" or "河口镇王家村12号" for the same place. Only a leading region
    name is removed ("河口镇北区…" and "锦绣社区" stay whole)."""
    text = _SPACES.sub("", address or "")
    for level in _ADDRESS_LEVELS:
        m = level.match(text)
        if (
            m
            and not _NOT_A_REGION.search(m.group(1))
            and not (m.group(2) == "区" and m.group(1)[-1:] in "社小园北南东西中新城厂校")
            and len(text) > m.end()
        ):
            text = text[m.end() :]
    return text


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, str) and _ISO.match(value):
        return value[:10]
    text = str(value).strip().replace("/", "-").replace(".", "-")
    m = re.match(r"^(\d{4})-?(\d{1,2})-?(\d{1,2})", text)
    if not m:
        return None
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}"


def frame(ids: list[str], names: list, births: list, addresses: list) -> pa.Table:
    """The table Splink compares: one row per record or person."""
    parts = [name_parts(n or "") for n in names]
    iso = [_iso(b) for b in births]
    return pa.table(
        {
            "unique_id": pa.array([str(i) for i in ids], pa.string()),
            "name": pa.array([p[0] or None for p in parts], pa.string()),
            "surname_py": pa.array([p[1] or None for p in parts], pa.string()),
            "given_py": pa.array([p[2] or None for p in parts], pa.string()),
            "name_py": pa.array([(p[1] + p[2]) or None for p in parts], pa.string()),
            "birth_date": pa.array(iso, pa.string()),
            "birth_year": pa.array([b[:4] if b else None for b in iso], pa.string()),
            "birth_md": pa.array([b[5:] if b else None for b in iso], pa.string()),
            "birth_swapped": pa.array(
                [f"{b[:4]}-{b[8:10]}-{b[5:7]}" if b else None for b in iso], pa.string()
            ),
            "address": pa.array([address_key(a) or None for a in addresses], pa.string()),
        }
    )


# ---- the Splink model -----------------------------------------------------------------------------

BLOCKING = [
    ("birth_date",),
    ("name_py", "birth_year"),  # a mistyped day or month, or day and month swapped
    ("name_py", "birth_md"),  # a mistyped year
]

# m probabilities per comparison level, best level first (else level last): the share of true
# matches expected at each level. Set from judgement of how departments mistype records, not
# trained (there are no labelled pairs); ``bench/bench_fuzzy.py`` measures the result.
M_PROBABILITIES = {
    "name": [0.78, 0.12, 0.05, 0.02, 0.02, 0.01],
    "birth_date": [0.90, 0.06, 0.02, 0.02],
    "address": [0.55, 0.25, 0.12, 0.08],
}

LEVEL_LABELS = {
    "name": [
        gettext_lazy("姓名相同"),
        gettext_lazy("同音（拼音相同）"),
        gettext_lazy("同姓、名相近"),
        gettext_lazy("名同音、姓不同"),
        gettext_lazy("拼音相近"),
        gettext_lazy("不同"),
    ],
    "birth_date": [
        gettext_lazy("出生日期相同"),
        gettext_lazy("差一位数字或月日颠倒"),
        gettext_lazy("同年出生"),
        gettext_lazy("不同"),
    ],
    "address": [
        gettext_lazy("地址相同"),
        gettext_lazy("地址高度相近"),
        gettext_lazy("地址相近"),
        gettext_lazy("不同"),
    ],
}
COMPARISON_TITLES = {
    "name": gettext_lazy("姓名"),
    "birth_date": gettext_lazy("出生日期"),
    "address": gettext_lazy("地址"),
}


def _comparisons() -> list:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def levels(key: str, creators: list) -> list:
        return [c.configure(m_probability=m) for c, m in zip(creators, M_PROBABILITIES[key], strict=True)]

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_description="Chinese name: characters, pinyin, surname",
        comparison_levels=[
            cll.NullLevel("name_py"),
            *levels(
                "name",
                [
                    cll.ExactMatchLevel("name"),
                    cll.ExactMatchLevel("name_py"),
                    cll.And(cll.ExactMatchLevel("surname_py"), cll.JaroWinklerLevel("given_py", 0.88)),
                    cll.And(cll.ExactMatchLevel("given_py"), cll.JaroWinklerLevel("surname_py", 0.7)),
                    cll.JaroWinklerLevel("name_py", 0.85),
                    cll.ElseLevel(),
                ],
            ),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="birth date",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            *levels(
                "birth_date",
                [
                    cll.ExactMatchLevel("birth_date"),
                    cll.Or(
                        cll.DamerauLevenshteinLevel("birth_date", 1),
                        cll.CustomLevel('"birth_swapped_l" = "birth_date_r"'),
                    ),
                    cll.ExactMatchLevel("birth_year"),
                    cll.ElseLevel(),
                ],
            ),
        ],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_description="address without the county part",
        comparison_levels=[
            cll.NullLevel("address"),
            *levels(
                "address",
                [
                    cll.ExactMatchLevel("address"),
                    cll.JaroWinklerLevel("address", 0.9),
                    cll.JaroWinklerLevel("address", 0.75),
                    cll.ElseLevel(),
                ],
            ),
        ],
    )
    return [name, birth, address]


def settings(prior: float = 1e-4):
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=prior,
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in BLOCKING],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,  # the gamma (comparison level) columns come with them
    )


@dataclass
class Result:
    candidates: list[dict]  # record, person, probability, rank, levels {comparison: level index}
    pairs: int  # pairs the blocking rules let through, every one scored
    pairs_by_rule: list[tuple[str, int]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _rule_sql(cols: tuple[str, ...]) -> str:
    return " AND ".join(f'l."{c}" = r."{c}"' for c in cols)


def candidates(
    records: pa.Table | list[dict],
    persons: pa.Table | list[dict],
    *,
    threshold: float = 0.5,
    top: int = 3,
    max_pairs: float = 1e6,
    count_rules: bool = False,
) -> Result:
    """Candidate persons per record with match probability ≥ ``threshold`` (at most ``top`` per
    record, best first). ``records``/``persons`` are ``frame`` tables or lists of dicts with
    unique_id, name, birth_date, address."""
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    if not isinstance(records, pa.Table):
        records = _frame_of(records, "r")
    if not isinstance(persons, pa.Table):
        persons = _frame_of(persons, "p")
    timings["prepare"] = time.perf_counter() - t
    if records.num_rows == 0 or persons.num_rows == 0:
        return Result([], 0, [], timings)
    t = time.perf_counter()
    db = DuckDBAPI()
    con = db.duckdb_con
    left = db.register(records, table_name="fz_records")
    right = db.register(persons, table_name="fz_persons")
    rule_counts: list[tuple[str, int]] = []
    if count_rules:
        seen: list[str] = []
        for cols in BLOCKING:
            cond = _rule_sql(cols)
            excl = "".join(f" AND NOT coalesce({s}, false)" for s in seen)
            n = con.execute(
                f"SELECT count(*) FROM fz_records l JOIN fz_persons r ON {cond} WHERE true{excl}"
            ).fetchall()[0][0]
            rule_counts.append(("、".join(cols), int(n)))
            seen.append(cond)
    timings["blocking_count"] = time.perf_counter() - t
    t = time.perf_counter()
    prior = min(0.5, 1.0 / persons.num_rows)
    linker = Linker([left, right], settings(prior))
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.ERROR)  # Splink's progress notes, not ours
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=1)
    timings["estimate_u"] = time.perf_counter() - t
    t = time.perf_counter()
    result = linker.inference.predict()
    timings["predict"] = time.perf_counter() - t
    t = time.perf_counter()
    table = result.physical_name
    pairs = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    rows = con.execute(
        f"""
        WITH o AS (
            SELECT CASE WHEN source_dataset_l = 'fz_records' THEN unique_id_l ELSE unique_id_r END AS rec,
                   CASE WHEN source_dataset_l = 'fz_records' THEN unique_id_r ELSE unique_id_l END AS per,
                   match_probability AS p, gamma_name, gamma_birth_date, gamma_address
            FROM {table} WHERE match_probability >= ?
        )
        SELECT rec, per, p, gamma_name, gamma_birth_date, gamma_address,
               row_number() OVER (PARTITION BY rec ORDER BY p DESC, per) AS rank
        FROM o QUALIFY rank <= ? ORDER BY rec, rank
        """,
        [threshold, top],
    ).fetchall()
    out = []
    for rec, per, p, g_name, g_birth, g_addr, rank in rows:
        out.append(
            {
                "record": rec,
                "person": per,
                "probability": float(p),
                "rank": int(rank),
                "levels": {
                    "name": _level("name", g_name),
                    "birth_date": _level("birth_date", g_birth),
                    "address": _level("address", g_addr),
                },
            }
        )
    timings["select"] = time.perf_counter() - t
    return Result(out, int(pairs), rule_counts, timings)


def _level(key: str, gamma: int | None) -> int:
    """Splink's gamma (−1 null, highest = best) as an index into ``LEVEL_LABELS[key]`` (0 = best;
    −1 = a value missing)."""
    if gamma is None or gamma < 0:
        return -1
    return len(M_PROBABILITIES[key]) - 1 - int(gamma)


def level_label(key: str, index: int) -> str:
    return str(_("缺失")) if index < 0 else str(LEVEL_LABELS[key][index])


def _frame_of(rows: list[dict], prefix: str) -> pa.Table:
    return frame(
        [r.get("unique_id", f"{prefix}{i}") for i, r in enumerate(rows)],
        [r.get("name") for r in rows],
        [r.get("birth_date") for r in rows],
        [r.get("address") for r in rows],
    )


# ---- the simulated department's side -------------------------------------------------------------

_HUKOU_CACHE: dict[tuple[str, str], dict[str, dict]] = {}
HOMOPHONE_SURNAMES = {
    "张": "章",
    "王": "汪",
    "李": "黎",
    "陈": "程",
    "杨": "阳",
    "刘": "留",
    "黄": "皇",
    "周": "邹",
}


def simulated_unidentified(table: pa.Table, *, department: str, dataset: str, datasets_dir: Path) -> pa.Table:
    """Simulated department only: blank the pseudonym of one answered row in N
    (``settings.VERIFICATION_SIMULATED_UNIDENTIFIED``; 0 = off) and give the name, birth date and
    address the department holds instead (from its residence records), sometimes written with a
    homophone surname or in pinyin, the address without the county — as legacy records are."""
    every = int(getattr(django_settings, "VERIFICATION_SIMULATED_UNIDENTIFIED", 0) or 0)
    if every <= 0 or table.num_rows == 0 or "pseudonym" not in table.column_names:
        return table
    pseud = table.column("pseudonym").to_pylist()
    chosen = [
        i
        for i, p in enumerate(pseud)
        if p and int(hashlib.sha256(f"{dataset}:{p}:{i}".encode()).hexdigest()[:8], 16) % every == 0
    ]
    if not chosen:
        return table
    hukou = _hukou(department, Path(datasets_dir))
    names: list[str | None] = [None] * table.num_rows
    births: list[str | None] = [None] * table.num_rows
    addresses: list[str | None] = [None] * table.num_rows
    for n, i in enumerate(chosen):
        who = hukou.get(pseud[i])
        if who is None:
            continue
        name = who["name"]
        if n % 3 == 1 and name[:1] in HOMOPHONE_SURNAMES:
            name = HOMOPHONE_SURNAMES[name[:1]] + name[1:]
        elif n % 3 == 2:
            _chars, surname, given = name_parts(name)
            name = f"{surname.capitalize()} {given.capitalize()}"
        names[i], births[i], addresses[i] = name, who["birth_date"], address_key(who["address"])
        pseud[i] = None
    out = table.set_column(table.column_names.index("pseudonym"), "pseudonym", pa.array(pseud, pa.string()))
    for col, values in (("name", names), ("birth_date", births), ("address", addresses)):
        if col in out.column_names:
            old = out.column(col).to_pylist()
            values = [
                v if v is not None else (o.isoformat() if hasattr(o, "isoformat") else o)
                for v, o in zip(values, old, strict=True)
            ]
            out = out.set_column(out.column_names.index(col), col, pa.array(values, pa.string()))
        else:
            out = out.append_column(col, pa.array(values, pa.string()))
    return out


def _hukou(department: str, datasets_dir: Path) -> dict[str, dict]:
    path = datasets_dir / "police_hukou.parquet"
    key = (f"{path}:{path.stat().st_mtime_ns if path.exists() else 0}", department)
    if key not in _HUKOU_CACHE:
        import pyarrow.parquet as pq

        from safetynet.verification.exchange import pseudonym

        out: dict[str, dict] = {}
        if path.exists():
            t = pq.read_table(path, columns=["id_number", "name", "birth_date", "address"])
            for row in t.to_pylist():
                out[pseudonym(row["id_number"], department)] = {
                    "name": row["name"],
                    "birth_date": _iso(row["birth_date"]),
                    "address": row["address"],
                }
        _HUKOU_CACHE[key] = out
    return _HUKOU_CACHE[key]


# ---- the run hook ---------------------------------------------------------------------------------


def threshold() -> float:
    return float(getattr(django_settings, "VERIFICATION_FUZZY_THRESHOLD", 0.5))


def unidentified_take(run, dept: str, ds, fname: str, table: pa.Table, requests: Mapping) -> pa.Table:
    """Take the rows without a department pseudonym out of a result file's table (returned
    without them); match them against the persons this run asked ``dept`` about and is
    authorised for; store the candidates. Idempotent: a resumed stage finds the same candidates
    and stores none twice."""
    if "pseudonym" not in table.column_names or table.num_rows == 0:
        return table
    col = pc.cast(table.column("pseudonym"), pa.string())
    missing = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(col), ""), True)
    if not pc.any(missing).as_py():
        return table
    held = table.filter(missing)
    _hold(run, dept, ds, fname, held, requests)
    return table.filter(pc.invert(missing))


def _hold(run, dept: str, ds, fname: str, held: pa.Table, requests: Mapping) -> None:
    import duckdb

    from safetynet.registry.models import Household, Person
    from safetynet.verification.connectors import connector
    from safetynet.verification.models import FileProblem, MatchCandidate

    con = connector(dept)
    item = con.item_of(ds)
    rownums = held.column("__row").to_pylist() if "__row" in held.column_names else [None] * held.num_rows
    rows = held.to_pylist()
    usable, problems = [], []
    for rownum, row in zip(rownums, rows, strict=True):
        if not (row.get("name") and row.get("birth_date")):
            problems.append(
                FileProblem(
                    run=run,
                    region_code=run.region_code,
                    department=dept,
                    file=fname,
                    row=rownum,
                    message=_("第 %(r)s 行没有部门假名，也没有可用于比对的姓名和出生日期") % {"r": rownum},
                )
            )
            continue
        usable.append(row)
    FileProblem.objects.bulk_create(problems)
    if not usable:
        return
    keys = []
    for row in usable:
        content = {k: v for k, v in row.items() if k not in ("__row", "pseudonym")}
        keys.append(
            hashlib.sha256(
                json.dumps([dept, ds.name, content], sort_keys=True, default=str, ensure_ascii=False).encode()
            ).hexdigest()[:32]
        )
    # what each record would become: the connector's own query, the record key as pseudonym
    keyed = pa.Table.from_pylist([{**r, "pseudonym": k} for r, k in zip(usable, keys, strict=True)])
    db = duckdb.connect()
    db.register("answer", keyed)
    found: dict[str, list] = defaultdict(list)
    for pseud, category, kind, amount, area, note, key in db.execute(ds.sql).fetchall():
        found[pseud].append(
            {
                "category": category,
                "kind": kind,
                "amount": None if amount is None else str(round(float(amount), 2)),
                "area": None if area is None else str(round(float(area), 2)),
                "note": (note or "")[:200],
                # its own key: a connector may sum a person's rows under one key ("deposits"),
                # and a confirmed record adds to that sum rather than being dropped as a repeat
                "key": f"{key[:100]}@{pseud[:16]}",
            }
        )
    db.close()
    records = [(k, r, n) for k, r, n in zip(keys, usable, rownums, strict=True) if found.get(k)]
    if not records:
        return
    pool = {pid: hid for _p, pid, hid, items in requests.values() if item in items}
    if not pool:
        return
    persons = list(
        Person.objects.filter(pk__in=list(pool)).values_list("pk", "name", "birth_date", "hukou_address")
    )
    addresses = dict(Household.objects.filter(pk__in=set(pool.values())).values_list("pk", "address"))
    person_frame = frame(
        [p[0] for p in persons],
        [p[1] for p in persons],
        [p[2] for p in persons],
        [addresses.get(pool[p[0]]) or p[3] for p in persons],
    )
    record_frame = frame(
        [k for k, _r, _n in records],
        [r.get("name") for _k, r, _n in records],
        [r.get("birth_date") for _k, r, _n in records],
        [r.get("address") for _k, r, _n in records],
    )
    result = candidates(record_frame, person_frame, threshold=threshold())
    by_key = {k: (r, n) for k, r, n in records}
    out = []
    for c in result.candidates:
        row, rownum = by_key[c["record"]]
        person_id = int(c["person"])
        shown = {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in row.items()
            if k not in ("__row", "pseudonym")
        }
        out.append(
            MatchCandidate(
                run=run,
                region_code=run.region_code,
                source=fname[:40],
                department=dept,
                dataset=ds.name,
                record_key=c["record"],
                record={"row": rownum, "file": fname, "fields": shown},
                findings=found[c["record"]],
                person_id=person_id,
                household_id=pool[person_id],
                probability=round(c["probability"], 6),
                levels=c["levels"],
                rank=c["rank"],
            )
        )
    MatchCandidate.objects.bulk_create(out, batch_size=1000, ignore_conflicts=True)


# ---- confirmation ---------------------------------------------------------------------------------


def candidate_decide(*, actor: Any, candidate, confirm: bool, reason: str):
    """Confirm (the record is this person's: it becomes findings for them) or reject a pending
    candidate, with a reason. Confirming one candidate of a record rejects its other pending
    candidates (a record is one person's)."""
    from safetynet.core.permissions import require
    from safetynet.core.services import change_log_write
    from safetynet.verification.models import Finding, MatchCandidate, Request

    require(actor, MatchCandidate, "change")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写确认或否认的理由")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("理由不能超过 300 字")]})
    now = timezone.now()
    with transaction.atomic():
        c = MatchCandidate.objects.select_for_update().select_related("run").get(pk=candidate.pk)
        if c.status != MatchCandidate.Status.PENDING:
            raise ValidationError({"status": [_("该疑似匹配已处理：%(s)s") % {"s": c.get_status_display()}]})
        run = c.run
        if confirm:
            from safetynet.verification.connectors import connector

            ds = connector(c.department).dataset(c.dataset)
            item = connector(c.department).item_of(ds)
            req = Request.objects.filter(run=run, person_id=c.person_id, department=c.department).first()
            if req is None or item not in (req.items or []):
                raise ValidationError({"person": [_("该人员没有覆盖此核对事项的有效授权，不能确认")]})
        status = MatchCandidate.Status.CONFIRMED if confirm else MatchCandidate.Status.REJECTED
        MatchCandidate.objects.filter(pk=c.pk).update(
            status=status, decided_by=actor, decided_at=now, reason=reason
        )
        change_log_write(
            actor=actor,
            action="update",
            obj=c,
            before={"status": "pending"},
            after={"status": status, "person": c.person_id, "record": c.record_key},
            reason=reason,
        )
        if confirm:
            others = MatchCandidate.objects.filter(
                run=run,
                department=c.department,
                record_key=c.record_key,
                status=MatchCandidate.Status.PENDING,
            ).exclude(pk=c.pk)
            other_ids = list(others.values_list("pk", flat=True))
            if other_ids:
                auto = _("同一部门记录已确认为其他人员")
                others.update(
                    status=MatchCandidate.Status.REJECTED, decided_by=actor, decided_at=now, reason=auto
                )
                change_log_write(
                    actor=actor,
                    action="update",
                    object_type="verification.matchcandidate",
                    object_id=",".join(map(str, other_ids)),
                    before={"status": "pending"},
                    after={"status": "rejected"},
                    reason=auto,
                )
            Finding.objects.bulk_create(
                [
                    Finding(
                        run=run,
                        region_code=run.region_code,
                        person_id=c.person_id,
                        household_id=c.household_id,
                        department=c.department,
                        dataset=c.dataset,
                        category=f["category"],
                        kind=f["kind"],
                        amount=None if f["amount"] is None else f["amount"],
                        area=None if f["area"] is None else f["area"],
                        note=f["note"],
                        key=f["key"],
                    )
                    for f in c.findings
                ],
                ignore_conflicts=True,
            )
    c.refresh_from_db()
    if confirm:
        run.refresh_from_db()
        if run.stage == "done":
            household_refresh(run=run, household_id=c.household_id)
    return c


def household_refresh(*, run, household_id: int) -> None:
    """After a confirmation on a finished run: the new findings go the way of the run's own —
    registry items, discrepancies, the household's report (data and a new PDF on its case)."""
    from safetynet.verification import bulk, services
    from safetynet.verification.models import Discrepancy, HouseholdReport
    from safetynet.verification.reports import report_attach

    services._stage_registry(run)
    found = services.discrepancies_find(run=run)
    found = found.filter(pc.equal(found.column("household_id"), household_id))
    with transaction.atomic():
        bulk.rows_insert(Discrepancy, found)  # the household's new ones; existing ones are skipped
        fresh = services._report_batch(run, [household_id])[0]
        report, created = HouseholdReport.objects.get_or_create(
            run=run,
            household_id=household_id,
            defaults={"region_code": run.region_code, "case_id": fresh.case_id, "data": fresh.data},
        )
        if not created:
            HouseholdReport.objects.filter(pk=report.pk).update(
                data=fresh.data, concerns=fresh.concerns, document=None
            )
    report = HouseholdReport.objects.select_related("household", "run", "case").get(pk=report.pk)
    report_attach(actor=run.created_by, report=report)
