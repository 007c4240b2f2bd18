"""The departments' own datasets (Parquet, one file per dataset) that the verification hub
queries, consistent with the seeded registry, and the manifest of planted discrepancies.

Each file stands for a department's system, so each row carries the person's full identity
number. Values agree with the households' declarations within ordinary noise (wages ±3 %,
deposits −3…+5 % interest, securities −15…+20 % market moves); the planted discrepancies
(``population.PLANT_KINDS``) are far outside that noise and are listed in ``planted.json``.
People who are not in the registry at all (``non_members``) also appear, as they do in real
department data. docs/synth.md describes every column.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from safetynet.synth import names as nm
from safetynet.synth import population as P
from safetynet.synth.geography import COUNTY
from safetynet.synth.loader import household_addresses, household_numbers, supporter_addresses, vehicle_label

PLANTED_FILE = "planted.json"


@dataclass(frozen=True)
class Dataset:
    name: str
    department: str  # code of the department that owns the data
    title: str  # the department and the data, in Chinese
    build: Callable[[P.Population, Facts], pa.Table]


# --------------------------------------------------------------------------------------------
# Facts shared by several datasets (the "truth" behind the declarations)


@dataclass
class Facts:
    wage: np.ndarray  # true wages over the 12 months, per person (0 = none)
    employer: np.ndarray  # employer index (−1 none); public employers are negative − 2
    public: np.ndarray  # on the public payroll (财政供养)
    death: np.ndarray  # datetime64[D], NaT when alive
    addresses: list[str]  # household addresses
    registry: int  # persons in the registry (members + supporters)


def facts(pop: P.Population) -> Facts:
    """The facts of this population, computed once (per process) and kept on it."""
    cached = pop.cache.get("facts")
    if cached is not None:
        return cached
    rng = np.random.default_rng([pop.seed, 1_000])
    total = len(pop.person["age"])
    emp = pop.person["employment"]
    kind = pop.person["kind"]
    wage = np.zeros(total)
    items = pop.income["kind"] == P.INCOME_KINDS.index("wages")
    np.add.at(wage, pop.income["person"][items], pop.income["amount"][items])
    wage *= 1 + rng.normal(0, 0.03, total)
    others = (kind != P.MEMBER) & np.isin(emp, (P.EMPLOYED, P.FLEXIBLE))
    wage[others] = (60_000 * rng.lognormal(0, 0.4, total))[others]
    plant = pop.plants["wages_above_declared"]
    wage[plant["person"]] *= plant["factor"]
    wage = np.round(wage, -1)
    employed = (emp == P.EMPLOYED) & (wage > 0)
    public = employed & (rng.random(total) < 0.08)
    employer = np.where(employed, rng.integers(0, len(nm.EMPLOYERS) * len(nm.TOWNSHIP_NAMES), total), -1)
    employer = np.where(public, -2 - rng.integers(0, len(nm.PUBLIC_EMPLOYERS), total), employer)
    servants = pop.plants["public_payroll_undeclared"]
    public[servants["person"]] = True
    employer[servants["person"]] = -2 - rng.integers(0, len(nm.PUBLIC_EMPLOYERS), len(servants["person"]))
    wage[servants["person"]] = servants["salary"]
    death = np.full(total, np.datetime64("NaT"), "datetime64[D]")
    dead = pop.plants["unreported_death"]
    death[dead["person"]] = np.datetime64(pop.as_of, "D") - dead["days_ago"]
    outsiders = np.arange(pop.n_registry_persons, total)
    gone = outsiders[rng.random(len(outsiders)) < 0.02]
    death[gone] = np.datetime64(pop.as_of, "D") - rng.integers(10, 700, len(gone))
    result = Facts(
        wage=wage,
        employer=employer,
        public=public,
        death=death,
        addresses=household_addresses(pop, 0, pop.households),
        registry=pop.n_registry_persons,
    )
    pop.cache["facts"] = result
    return result


def employer_name(code: int) -> str:
    if code <= -2:
        return nm.PUBLIC_EMPLOYERS[-2 - code]
    template = nm.EMPLOYERS[code % len(nm.EMPLOYERS)]
    return template.format(nm.TOWNSHIP_NAMES[code // len(nm.EMPLOYERS)][0][:2])


def employer_uscc(code: int) -> str:
    """A unified social credit code (统一社会信用代码) shaped like a real one."""
    kind = "12" if code <= -2 else "91"
    return f"{kind}{COUNTY[0][:6]}MA{abs(code) * 7919 % 10**7:07d}X"


# --------------------------------------------------------------------------------------------
# Helpers


def _who(pop: P.Population, idx: np.ndarray, label: str = "name") -> dict[str, pa.Array]:
    take = pa.array(np.asarray(idx, np.int64))
    return {"id_number": pop.id_number.take(take), label: pop.name.take(take)}


def _dates(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[D]"), pa.date32())


def _days_before(pop: P.Population, rng: np.random.Generator, low: int, high: int, n: int) -> np.ndarray:
    return np.datetime64(pop.as_of, "D") - rng.integers(low, high, n)


def _money(values: np.ndarray) -> pa.Array:
    return pa.array(np.round(np.asarray(values, float), 2))


def _strings(values) -> pa.Array | pa.ChunkedArray:
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        return pa.array(values)  # converted in C++, several times faster than through Python strings
    if isinstance(values, np.ndarray):
        return pa.array(values, pa.string())
    return pa.array(list(values), pa.string())


def _mapped(codes: np.ndarray, label: Callable[[int], str]) -> pa.Array:
    """Strings for integer codes: each distinct code is formatted once, then taken."""
    distinct, inverse = np.unique(np.asarray(codes, np.int64), return_inverse=True)
    return pa.array([label(int(c)) for c in distinct], pa.string()).take(pa.array(inverse.ravel()))


def _employers(codes: np.ndarray, label: Callable[[int], str] | None = None) -> pa.Array:
    return _mapped(codes, lambda c: "" if c == -1 else (label or employer_name)(c))


def _rng(pop: P.Population, name: str) -> np.random.Generator:
    return np.random.default_rng([pop.seed, list(DATASETS).index(name) + 1])


def _assets(pop: P.Population, kind: str) -> np.ndarray:
    return np.flatnonzero(pop.asset["kind"] == P.ASSET_KINDS.index(kind))


def _county_of(pop: P.Population, idx: np.ndarray) -> pa.Array:
    return _strings(np.array(P.REGION6)[pop.person["region6"][idx]].astype(object) + "000000")


# --------------------------------------------------------------------------------------------
# The datasets


def police_hukou(pop: P.Population, f: Facts) -> pa.Table:
    total = len(pop.person["age"])
    idx = np.arange(total)
    p = pop.person
    m, r = pop.n_members, f.registry
    village = pa.array(pop.geo.village_code).take(pa.array(pop.hh["village"][p["household"][:m]]))
    county = pa.array([c + "000000" for c in P.REGION6]).take(pa.array(p["region6"][m:]))
    region = pa.concat_arrays([village, county])
    outsiders = [
        f"{nm.ELSEWHERE[i % len(nm.ELSEWHERE)]}{nm.ROADS[i % len(nm.ROADS)]}{i % 300 + 1}号"
        for i in range(total - r)
    ]
    address = pa.concat_arrays(
        [
            pa.array(f.addresses).take(pa.array(p["household"][:m])),
            pa.array(supporter_addresses(pop, 0, pop.n_supporters), pa.string()),
            pa.array(outsiders, pa.string()),
        ]
    )
    dead = ~np.isnat(f.death)
    return pa.table(
        {
            **_who(pop, idx),
            "sex_code": _strings(np.where(p["male"], "1", "2")),  # GB/T 2261.1
            "birth_date": _dates(p["birth"]),
            "hukou_region_code": region,
            "address": address,
            "hukou_type": _strings(np.where(p["hukou_urban"], "urban", "rural")),
            "status": _strings(np.where(dead, "deceased", "normal")),
            "status_date": pa.array(np.where(dead, f.death, np.datetime64("NaT")), pa.date32()),
        }
    )


def police_deaths(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "police_deaths")
    idx = np.flatnonzero(~np.isnat(f.death))
    death = f.death[idx]
    return pa.table(
        {
            **_who(pop, idx),
            "death_date": _dates(death),
            "cancelled_on": _dates(
                np.minimum(death + rng.integers(3, 30, len(idx)), np.datetime64(pop.as_of, "D"))
            ),
            "cause": _strings(np.where(rng.random(len(idx)) < 0.95, "正常死亡", "非正常死亡")),
        }
    )


def vehicles(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "vehicles")
    rows = _assets(pop, "vehicle")
    owners = pop.asset["person"][rows]
    plates = pop.plate_declared[pop.asset["tag"][rows]]
    price = pop.asset["amount"][rows] * rng.uniform(1.05, 1.6, len(rows))
    registered = _days_before(pop, rng, 200, 3_650, len(rows))
    planted = pop.plants["undeclared_vehicle"]
    other = pop.other_cars
    owner = np.concatenate([owners, planted["person"], other["person"]])
    plate = np.concatenate([plates, planted["plate"], other["plate"]])
    price = np.concatenate([price, planted["value"] * 1.15, other["value"] * 1.2])
    # Planted cars are recent purchases (within the declaration period).
    registered = np.concatenate(
        [
            registered,
            _days_before(pop, rng, 20, 330, len(planted["person"])),
            _days_before(pop, rng, 30, 3_650, len(other["person"])),
        ]
    )
    order = np.argsort(plate, kind="stable")
    owner, plate, price, registered = owner[order], plate[order], price[order], registered[order]
    labels = [vehicle_label(int(c)) for c in plate.tolist()]
    return pa.table(
        {
            **_who(pop, owner, "owner_name"),
            "plate": _strings(label.split(" ")[1] for label in labels),
            "brand": _strings(label.split(" ")[0] for label in labels),
            "vehicle_type": _strings(np.where(rng.random(len(owner)) < 0.88, "小型轿车", "小型普通客车")),
            "registered_on": _dates(registered),
            "purchase_price": _money(np.round(price, -2)),
            "status": _strings(np.where(rng.random(len(owner)) < 0.97, "正常", "抵押")),
        }
    )


def real_estate(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "real_estate")
    rows = np.concatenate([_assets(pop, "dwelling"), _assets(pop, "non_residential")])
    rows.sort()
    owner = pop.asset["person"][rows]
    hh = pop.asset["household"][rows]
    urban = pop.hh["urban"][hh]
    non_res = pop.asset["kind"][rows] == P.ASSET_KINDS.index("non_residential")
    first = np.r_[True, hh[1:] != hh[:-1]]
    addresses = np.array(f.addresses, dtype=object)[hh]
    elsewhere = np.array(
        [f"示范市{nm.ROADS[i % len(nm.ROADS)]}{i % 500 + 1}号" for i in range(len(rows))], dtype=object
    )
    location = np.where(first & ~non_res, addresses, elsewhere)
    usage = np.where(non_res, "商业", np.where(urban | ~first, "住宅", "宅基地及农房"))
    area = pop.asset["area"][rows].astype(float)
    price = np.where(
        usage == "宅基地及农房", np.nan, pop.asset["amount"][rows] * rng.uniform(0.8, 1.1, len(rows))
    )
    planted = pop.plants["undeclared_real_estate"]
    k = len(planted["person"])
    outsiders = np.arange(f.registry, len(pop.person["age"]))
    outsiders = outsiders[rng.random(len(outsiders)) < 0.3]
    owner = np.concatenate([owner, planted["person"], outsiders])
    location = np.concatenate(
        [
            location,
            [f"示范市{nm.ROADS[i % len(nm.ROADS)]}{i + 11}号{i % 20 + 1}栋" for i in range(k)],
            [f"示范县{nm.ROADS[i % len(nm.ROADS)]}{i % 400 + 1}号" for i in range(len(outsiders))],
        ]
    )
    usage = np.concatenate([usage, np.full(k, "住宅"), np.full(len(outsiders), "住宅")])
    area = np.concatenate([area, planted["area"], np.round(rng.uniform(50, 150, len(outsiders)), 1)])
    price = np.concatenate(
        [price, planted["value"], np.round(area[-len(outsiders) :] * 8_000, -3) if len(outsiders) else []]
    )
    registered = np.concatenate(
        [
            _days_before(pop, rng, 400, 9_000, len(rows)),
            _days_before(pop, rng, 30, 330, k),
            _days_before(pop, rng, 30, 6_000, len(outsiders)),
        ]
    )
    n = len(owner)
    years = registered.astype("datetime64[Y]").astype(int) + 1970
    return pa.table(
        {
            **_who(pop, owner, "owner_name"),
            "certificate_no": _strings(
                f"苏({y})示范县不动产权第{i + 1:07d}号" for i, y in enumerate(years.tolist())
            ),
            "location": _strings(location),
            "usage": _strings(usage),
            "area": _money(area),
            "registered_on": _dates(registered),
            "ownership": _strings(np.where(rng.random(n) < 0.6, "单独所有", "共同共有")),
            "transaction_price": pa.array(
                np.round(price.astype(float), -2), mask=np.isnan(price.astype(float))
            ),
        }
    )


def business_registrations(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "business_registrations")
    rows = _assets(pop, "business")
    person = pop.asset["person"][rows]
    capital = pop.asset["amount"][rows].astype(float)
    planted = pop.plants["undeclared_business"]
    outsiders = np.arange(f.registry, len(pop.person["age"]))
    outsiders = outsiders[rng.random(len(outsiders)) < 0.05]
    k, o = len(planted["person"]), len(outsiders)
    person = np.concatenate([person, planted["person"], outsiders])
    capital = np.concatenate([capital, planted["capital"], np.round(rng.uniform(50_000, 1_000_000, o), -4)])
    company = np.r_[np.zeros(len(rows), bool), np.ones(k + o, bool)]
    n = len(person)
    surnames = pop.name.take(pa.array(person)).to_pylist()
    trade = ("便利店", "餐馆", "五金店", "服装店", "养殖场", "农资店", "理发店", "修理部")
    entity = [
        f"示范县{s[0]}记{trade[i % len(trade)]}"
        if not c
        else f"示范县{s[0]}氏{('商贸', '建材', '农业', '物流')[i % 4]}有限公司"
        for i, (s, c) in enumerate(zip(surnames, company.tolist(), strict=True))
    ]
    established = np.concatenate(
        [
            _days_before(pop, rng, 300, 5_000, len(rows)),
            _days_before(pop, rng, 30, 330, k),
            _days_before(pop, rng, 30, 5_000, o),
        ]
    )
    return pa.table(
        {
            **_who(pop, person),
            "role": _strings(np.where(company, "法定代表人", "经营者")),
            "entity_name": _strings(entity),
            "entity_type": _strings(np.where(company, "有限责任公司", "个体工商户")),
            "uscc": _strings(
                f"{'91' if c else '92'}{COUNTY[0][:6]}MA{i * 7_919 % 10**7:07d}{'X' if c else 'Y'}"
                for i, c in enumerate(company.tolist())
            ),
            "registered_capital": _money(capital),
            "established_on": _dates(established),
            "status": _strings(np.where(rng.random(n) < 0.95, "存续", "吊销")),
        }
    )


def social_insurance(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "social_insurance")
    emp = pop.person["employment"]
    total = len(emp)
    workers = np.flatnonzero(
        (f.employer != -1) | ((emp == P.FLEXIBLE) & (f.wage > 0) & (rng.random(total) < 0.3))
    )
    # Flexible workers pay in themselves and report no wages.
    has_employer = f.employer[workers] != -1
    wages = np.where(has_employer, f.wage[workers], np.nan)
    base = np.clip(np.where(has_employer, f.wage[workers] / 12, 4_500), 4_500, 30_000)
    months = np.where(rng.random(len(workers)) < 0.9, 12, rng.integers(3, 12, len(workers)))
    pension_items = pop.income["kind"] == P.INCOME_KINDS.index("pension")
    retirees = pop.income["person"][pension_items]
    pension = pop.income["amount"][pension_items] / 12 * (1 + rng.normal(0, 0.01, len(retirees)))
    basic = pop.income["kind"] == P.INCOME_KINDS.index("basic_pension")
    rural_old = pop.income["person"][basic]
    w, r, b = len(workers), len(retirees), len(rural_old)
    person = np.concatenate([workers, retirees, rural_old])
    public = f.public[workers]
    kind = np.concatenate(
        [
            np.where(public, "机关事业单位基本养老保险", "城镇职工基本养老保险"),
            np.full(r, "城镇职工基本养老保险"),
            np.full(b, "城乡居民基本养老保险"),
        ]
    )
    employer_codes = np.r_[f.employer[workers], np.full(r + b, -1)]
    return pa.table(
        {
            **_who(pop, person),
            "insurance_kind": _strings(kind),
            "status": _strings(np.r_[np.full(w, "参保缴费"), np.full(r + b, "领取待遇")]),
            "employer_name": _employers(employer_codes),
            "employer_uscc": _employers(employer_codes, employer_uscc),
            "contribution_base": pa.array(
                np.r_[np.round(base, 0), np.full(r + b, np.nan)],
                mask=np.r_[np.zeros(w, bool), np.ones(r + b, bool)],
            ),
            "months_paid": pa.array(np.r_[months, np.zeros(r + b, int)].astype(np.int16)),
            "wages_12m": pa.array(
                np.r_[wages, np.full(r + b, np.nan)], mask=np.isnan(np.r_[wages, np.full(r + b, np.nan)])
            ),
            "pension_monthly": pa.array(
                np.r_[np.full(w, np.nan), np.round(pension, 2), np.full(b, 210.0)],
                mask=np.r_[np.ones(w, bool), np.zeros(r + b, bool)],
            ),
            "period_start": _dates(np.full(w + r + b, np.datetime64(pop.period_start, "D"))),
            "period_end": _dates(np.full(w + r + b, np.datetime64(pop.period_end, "D"))),
        }
    )


def unemployment(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "unemployment")
    idx = np.flatnonzero(pop.person["employment"][: pop.n_members] == P.UNEMPLOYED_REG)
    benefit = np.zeros(len(pop.person["age"]))
    items = pop.income["kind"] == P.INCOME_KINDS.index("other_transfer")
    benefit[pop.income["person"][items]] = pop.income["amount"][items]
    months = np.round(benefit[idx] / 1_800).astype(np.int16)
    return pa.table(
        {
            **_who(pop, idx),
            "registered_on": _dates(_days_before(pop, rng, 30, 900, len(idx))),
            "status": _strings(np.full(len(idx), "登记失业")),
            "benefit_monthly": pa.array(np.where(months > 0, 1_800.0, np.nan), mask=months == 0),
            "benefit_months": pa.array(months),
        }
    )


_TAX_BRACKETS = (
    (36_000, 0.03, 0),
    (144_000, 0.10, 2_520),
    (300_000, 0.20, 16_920),
    (420_000, 0.25, 31_920),
    (660_000, 0.30, 52_920),
    (960_000, 0.35, 85_920),
    (np.inf, 0.45, 181_920),
)


def _income_tax(income: np.ndarray) -> np.ndarray:
    """Annual individual income tax on wages (个人所得税法 综合所得 税率表), after the 60,000
    yuan basic deduction and about 20 % of special deductions (social insurance, housing fund)."""
    taxable = np.maximum(income * 0.8 - 60_000, 0)
    tax = np.zeros_like(taxable)
    low = 0.0
    for high, rate, quick in _TAX_BRACKETS:
        m = (taxable > low) & (taxable <= high)
        tax[m] = taxable[m] * rate - quick
        low = high
    return np.round(tax, 2)


def tax(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "tax")
    earners = np.flatnonzero((f.employer != -1) & (f.wage > 0))
    wages = f.wage[earners] * rng.uniform(0.97, 1.03, len(earners))  # calendar year, not the 12 months
    biz = pop.income["kind"] == P.INCOME_KINDS.index("business")
    self_emp = pop.income["person"][biz]
    keep = pop.person["employment"][self_emp] == P.SELF_EMPLOYED
    self_emp = self_emp[keep]
    business = pop.income["amount"][biz][keep] * rng.uniform(0.9, 1.1, len(self_emp))
    person = np.concatenate([earners, self_emp])
    income = np.concatenate([wages, business])
    year = pop.as_of.year - 1
    return pa.table(
        {
            **_who(pop, person),
            "tax_year": pa.array(np.full(len(person), year, np.int16)),
            "income_kind": _strings(
                np.r_[np.full(len(earners), "工资薪金"), np.full(len(self_emp), "经营所得")]
            ),
            "income": _money(np.round(income, 2)),
            "tax_paid": _money(np.r_[_income_tax(wages), np.round(business * 0.01, 2)]),
            "withholding_agent": _employers(np.r_[f.employer[earners], np.full(len(self_emp), -1)]),
        }
    )


def provident_fund(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "provident_fund")
    employed = f.employer != -1
    p_join = np.where(f.public, 1.0, np.where(pop.person["hukou_urban"], 0.6, 0.25))
    idx = np.flatnonzero(employed & (rng.random(len(employed)) < p_join))
    base = np.round(np.clip(f.wage[idx] / 12, 2_280, 30_000))
    monthly = np.round(base * 0.24, 0)
    return pa.table(
        {
            **_who(pop, idx),
            "employer_name": _employers(f.employer[idx]),
            "status": _strings(np.where(rng.random(len(idx)) < 0.95, "正常缴存", "封存")),
            "deposit_base": _money(base),
            "monthly_deposit": _money(monthly),
            "balance": _money(np.round(monthly * rng.uniform(6, 120, len(idx)), 2)),
        }
    )


def bank(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "bank")
    n = pop.households
    h = pop.hh
    heads = h["person_start"]
    deposits = np.zeros(n)
    rows = _assets(pop, "deposits")
    deposits[pop.asset["household"][rows]] = pop.asset["amount"][rows]
    true = deposits * rng.uniform(0.97, 1.05, n)
    planted = pop.plants["deposits_above_declared"]
    extra = np.zeros(n)
    extra[pop.person["household"][planted["person"]]] = planted["extra"]
    true = np.where(deposits > 0, true, rng.uniform(5, 200, n)) + extra
    # The household's benefit account (the one in the registry) plus 0-2 more accounts.
    accounts = 1 + (true > 20_000) + (true > 100_000)
    hh = np.repeat(np.arange(n), accounts)
    k = len(hh)
    pos = np.arange(k) - np.repeat(np.cumsum(accounts) - accounts, accounts)
    share = rng.dirichlet([1.0, 2.0, 3.0], k)[:, 0]  # first share small (current account)
    share = np.where(accounts[hh] == 1, 1.0, np.where(pos == 0, share, 0.0))
    rest = 1 - np.bincount(hh, weights=share, minlength=n)
    share = np.where(pos > 0, rest[hh] / np.maximum(accounts[hh] - 1, 1), share)
    balance = np.round(true[hh] * share, 2)
    bank_idx = np.where(pos == 0, h["bank"][hh], rng.integers(0, len(nm.BANKS), k))
    tail = np.where(pos == 0, h["account_tail"][hh], rng.integers(0, 10**13, k, dtype=np.int64))
    product = np.where(pos == 0, "活期储蓄", np.where(pos == 1, "定期存款", "大额存单"))
    owner = heads[hh]
    # Mortgages of some urban owners.
    dwell = _assets(pop, "dwelling")
    owners = np.unique(pop.asset["household"][dwell])
    mortgaged = owners[h["urban"][owners] & (rng.random(len(owners)) < 0.18)]
    m = len(mortgaged)
    loan_owner = heads[mortgaged]
    loans = np.round(rng.uniform(50_000, 900_000, m), -2)
    sup = pop.supporter["person"]
    outs = np.arange(f.registry, len(pop.person["age"]))
    extra_owner = np.concatenate([sup, outs])
    e = len(extra_owner)
    owner = np.concatenate([owner, loan_owner, extra_owner])
    bank_idx = np.concatenate([bank_idx, rng.integers(0, len(nm.BANKS), m + e)])
    tail = np.concatenate([tail, rng.integers(0, 10**13, m + e, dtype=np.int64)])
    product = np.concatenate([product, np.full(m, "个人住房贷款"), np.full(e, "活期储蓄")])
    bin_codes = np.array([int(b[1]) for b in nm.BANKS], np.int64)  # card numbers: 6-digit BIN + 13 digits
    balance = np.concatenate([balance, loans, np.round(20_000 * rng.lognormal(0, 1, e), 2)])
    return pa.table(
        {
            **_who(pop, owner),
            "bank_name": _mapped(bank_idx, lambda b: nm.BANKS[b][0]),
            "account_no": pa.array(bin_codes[bank_idx] * 10**13 + tail).cast(pa.string()),
            "product": _strings(product),
            "balance": _money(balance),
            "as_of": _dates(np.full(len(owner), np.datetime64(pop.as_of, "D") - 1)),
        }
    )


def securities(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "securities")
    rows = _assets(pop, "securities")
    person = pop.asset["person"][rows]
    value = pop.asset["amount"][rows] * rng.uniform(0.85, 1.2, len(rows))
    outs = np.arange(f.registry, len(pop.person["age"]))
    outs = outs[rng.random(len(outs)) < 0.05]
    person = np.concatenate([person, outs])
    value = np.concatenate([value, 80_000 * rng.lognormal(0, 0.8, len(outs))])
    return pa.table(
        {
            **_who(pop, person),
            "broker": _strings(nm.BROKERS[i % len(nm.BROKERS)] for i in range(len(person))),
            "account_no": _strings(f"A{i * 104_729 % 10**9:09d}" for i in range(len(person))),
            "market_value": _money(np.round(value, 2)),
            "as_of": _dates(np.full(len(person), np.datetime64(pop.as_of, "D") - 1)),
        }
    )


def commercial_insurance(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "commercial_insurance")
    rows = _assets(pop, "insurance")
    person = pop.asset["person"][rows]
    value = pop.asset["amount"][rows] * rng.uniform(0.95, 1.05, len(rows))
    products = ("终身寿险", "年金保险", "两全保险", "重大疾病保险")
    return pa.table(
        {
            **_who(pop, person, "policyholder_name"),
            "insurer": _strings(nm.INSURERS[i % len(nm.INSURERS)] for i in range(len(rows))),
            "product": _strings(products[i % len(products)] for i in range(len(rows))),
            "policy_no": _strings(f"P{320125}{i:010d}" for i in range(len(rows))),
            "annual_premium": _money(np.round(value / rng.uniform(5, 15, len(rows)), -1)),
            "cash_value": _money(np.round(value, 2)),
        }
    )


def payment_platforms(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "payment_platforms")
    bal = pop.person["pay_balance"]
    idx = np.flatnonzero(bal > 0)
    two = rng.random(len(idx)) < 0.4
    person = np.concatenate([idx, idx[two]])
    share = rng.uniform(0.5, 0.9, len(idx))
    first = np.where(two, share, 1.0)
    amount = np.concatenate([bal[idx] * first, bal[idx][two] * (1 - share[two])])
    platform = np.concatenate([rng.integers(0, 2, len(idx)), rng.integers(2, 4, int(two.sum()))])
    order = np.argsort(person, kind="stable")
    return pa.table(
        {
            **_who(pop, person[order]),
            "platform": _strings(nm.PAYMENT_PLATFORMS[i] for i in platform[order].tolist()),
            "balance": _money(np.round(amount[order], 2)),
            "as_of": _dates(np.full(len(person), np.datetime64(pop.as_of, "D") - 1)),
        }
    )


def medical_insurance(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "medical_insurance")
    rows = np.flatnonzero(pop.expense["kind"] == P.EXPENSE_KINDS.index("medical"))
    person = pop.expense["person"][rows]
    oop = pop.expense["amount"][rows] * rng.uniform(0.95, 1.05, len(rows))
    visits = rng.integers(2, 9, len(rows))
    who = np.repeat(person, visits)
    k = len(who)
    weight = rng.random(k)
    group = np.repeat(np.arange(len(rows)), visits)
    weight = weight / np.bincount(group, weights=weight)[group]
    out = np.round(np.repeat(oop, visits) * weight, 2)
    ill = pop.person["illness"][who] >= 0
    hardship = pop.hh["hardship"][pop.person["household"][who]]
    total = np.round(out / rng.uniform(0.25, 0.45, k), 2)
    assistance = np.round(np.where(hardship, (total - out) * 0.3, 0), 2)
    fund = np.round(total - out - assistance, 2)
    span = (pop.period_end - pop.period_start).days
    day = np.datetime64(pop.period_start, "D") + rng.integers(0, span + 1, k)
    order = np.lexsort((day, who))
    return pa.table(
        {
            **_who(pop, who[order]),
            "settlement_date": _dates(day[order]),
            "institution": _strings(
                nm.HOSPITALS[i] for i in rng.integers(0, len(nm.HOSPITALS), k)[order].tolist()
            ),
            "visit_kind": _strings(
                np.where(ill, np.where(rng.random(k) < 0.6, "住院", "门诊慢特病"), "普通门诊")[order]
            ),
            "total_cost": _money(total[order]),
            "fund_paid": _money(fund[order]),
            "assistance_paid": _money(assistance[order]),
            "out_of_pocket": _money(out[order]),
        }
    )


def disability(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "disability")
    idx = np.flatnonzero(pop.person["disability"][: f.registry] > 0)
    cat = pop.person["disability"][idx]
    grade = pop.person["disability_grade"][idx]
    labels = ("", "视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾")
    ids = pop.id_number.take(pa.array(idx)).to_pylist()
    issued = _days_before(pop, rng, 60, 3_000, len(idx))
    return pa.table(
        {
            **_who(pop, idx),
            # 第二代残疾人证: the identity number, the category digit and the grade digit.
            "certificate_no": _strings(
                f"{x}{c}{g}" for x, c, g in zip(ids, cat.tolist(), grade.tolist(), strict=True)
            ),
            "category": _strings(labels[c] for c in cat.tolist()),
            "grade": pa.array(grade.astype(np.int16)),
            "issued_on": _dates(issued),
            "valid_until": _dates(issued + 3_652),
        }
    )


def civil_marriage(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "civil_marriage")
    p = pop.person
    rel = p["relation"][: pop.n_members]
    hh = p["household"][: pop.n_members]
    spouses = np.flatnonzero(rel == P.SPOUSE)
    heads = pop.hh["person_start"][hh[spouses]]
    # Parents of the head living in the household as a couple (father first, then mother).
    parents = np.flatnonzero((rel == P.PARENT) & (pop.hh["n_parents"][hh] == 2))
    fathers, mothers = parents[0::2], parents[1::2]
    a = np.concatenate([heads, fathers])
    b = np.concatenate([spouses, mothers])
    younger = np.maximum(p["birth"][a], p["birth"][b])
    married = younger + (rng.uniform(22, 30, len(a)) * 365.25).astype(np.int64)
    married = np.minimum(married, np.datetime64(pop.as_of, "D") - 30)
    person = np.concatenate([a, b])
    partner = np.concatenate([b, a])
    when = np.concatenate([married, married])
    order = np.argsort(person, kind="stable")
    person, partner, when = person[order], partner[order], when[order]
    return pa.table(
        {
            **_who(pop, person),
            "spouse_id_number": pop.id_number.take(pa.array(partner)),
            "spouse_name": pop.name.take(pa.array(partner)),
            "kind": _strings(np.full(len(person), "结婚")),
            "registered_on": _dates(when),
            "office": _strings(np.full(len(person), "示范县民政局婚姻登记处")),
        }
    )


def civil_funeral(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "civil_funeral")
    dead = pop.plants["unreported_death"]
    planted = dead["person"][dead["funeral"]]
    outsiders = np.flatnonzero(~np.isnat(f.death[f.registry :])) + f.registry
    outsiders = outsiders[rng.random(len(outsiders)) < 0.7]
    idx = np.concatenate([planted, outsiders])
    death = f.death[idx]
    return pa.table(
        {
            **_who(pop, idx),
            "death_date": _dates(death),
            "cremation_date": _dates(
                np.minimum(death + rng.integers(1, 5, len(idx)), np.datetime64(pop.as_of, "D"))
            ),
            "funeral_home": _strings(
                nm.FUNERAL_HOMES[i] for i in rng.integers(0, len(nm.FUNERAL_HOMES), len(idx)).tolist()
            ),
        }
    )


def public_servants(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "public_servants")
    idx = np.flatnonzero(f.public)
    posts = ("公务员", "事业编制", "参照公务员法管理")
    return pa.table(
        {
            **_who(pop, idx),
            "employer": _employers(f.employer[idx]),
            "post_kind": _strings(posts[i] for i in rng.choice(3, len(idx), p=[0.35, 0.55, 0.10]).tolist()),
            "monthly_salary": _money(np.round(f.wage[idx] / 12, 2)),
            "since": _dates(_days_before(pop, rng, 200, 9_000, len(idx))),
        }
    )


def poor_students(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "poor_students")
    p = pop.person
    econ = pop.hh["econ"]
    poor = econ < np.quantile(econ, 0.12)
    idx = np.flatnonzero((p["schooling"][: pop.n_members] >= 2) & poor[p["household"][: pop.n_members]])
    level = p["schooling"][idx]
    aid = np.select([level <= 3, level <= 5], [1, 2], 3)
    kinds = ("", "营养改善计划及生活补助", "国家助学金（中职/高中）", "国家助学金（高校）")
    amount = np.select([aid == 1, aid == 2], [1_250.0, 2_000.0], 3_300.0)
    year = pop.as_of.year if pop.as_of.month >= 9 else pop.as_of.year - 1
    return pa.table(
        {
            **_who(pop, idx),
            "school": _strings(nm.SCHOOLS[P.SCHOOLING[s]] for s in level.tolist()),
            "school_level": _strings(P.SCHOOLING[s] for s in level.tolist()),
            "aid_kind": _strings(kinds[a] for a in aid.tolist()),
            "aid_amount": _money(amount * rng.choice([1.0, 1.0, 1.5], len(idx))),
            "school_year": _strings(np.full(len(idx), f"{year}-{year + 1}")),
        }
    )


def anti_relapse(pop: P.Population, f: Facts) -> pa.Table:
    rng = _rng(pop, "anti_relapse")
    h = pop.hh
    p = pop.person
    watched = (h["econ"] < np.quantile(h["econ"], 0.08)) & ~h["hukou_urban"]
    households = np.flatnonzero(watched)
    kind = rng.choice(3, len(households), p=[0.45, 0.4, 0.15])
    members = P.ranges(h["person_start"][households], h["person_start"][households] + h["size"][households])
    hh = p["household"][members]
    local = np.searchsorted(households, hh)
    ill = np.bincount(local, weights=p["illness"][members] >= 0, minlength=len(households)) > 0
    dis = np.bincount(local, weights=p["disability"][members] > 0, minlength=len(households)) > 0
    risk = np.where(
        ill, "因病", np.where(dis, "因残", np.where(rng.random(len(households)) < 0.5, "缺劳动力", "因学"))
    )
    kinds = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
    identified = _days_before(pop, rng, 30, 1_500, len(households))
    heads = h["person_start"][hh]
    return pa.table(
        {
            **_who(pop, members),
            "head_id_number": pop.id_number.take(pa.array(heads)),
            "household_size": pa.array(h["size"][hh].astype(np.int16)),
            "monitoring_kind": _strings(kinds[k] for k in kind[local].tolist()),
            "risk": _strings(risk[local]),
            "identified_on": _dates(identified[local]),
            "status": _strings(
                np.where(rng.random(len(households)) < 0.7, "风险未消除", "风险已消除")[local]
            ),
        }
    )


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("police_hukou", "public_security", "公安机关·户籍登记", police_hukou),
        Dataset("police_deaths", "public_security", "公安机关·死亡注销", police_deaths),
        Dataset("vehicles", "public_security", "公安交管·机动车登记", vehicles),
        Dataset("real_estate", "natural_resources", "自然资源·不动产登记", real_estate),
        Dataset(
            "business_registrations", "market_regulation", "市场监管·市场主体登记", business_registrations
        ),
        Dataset("social_insurance", "human_resources", "人力资源社会保障·社会保险及工资", social_insurance),
        Dataset("unemployment", "human_resources", "人力资源社会保障·失业登记", unemployment),
        Dataset("tax", "taxation", "税务·个人所得税", tax),
        Dataset("provident_fund", "housing_fund", "住房公积金中心·缴存", provident_fund),
        Dataset("bank", "banking", "银行业金融机构·存款及贷款", bank),
        Dataset("securities", "securities", "证券登记结算·证券资产", securities),
        Dataset("commercial_insurance", "insurance", "保险机构·商业保险", commercial_insurance),
        Dataset("payment_platforms", "payment_institutions", "非银行支付机构·账户余额", payment_platforms),
        Dataset(
            "medical_insurance", "healthcare_security", "医疗保障·医疗费用结算（个人自付）", medical_insurance
        ),
        Dataset("disability", "disabled_persons_federation", "残疾人联合会·残疾人证", disability),
        Dataset("civil_marriage", "civil_affairs", "民政·婚姻登记", civil_marriage),
        Dataset("civil_funeral", "civil_affairs", "民政·殡葬（火化）记录", civil_funeral),
        Dataset("public_servants", "finance", "财政·财政供养人员", public_servants),
        Dataset("poor_students", "education", "教育·家庭经济困难学生资助", poor_students),
        Dataset("anti_relapse", "rural_revitalization", "乡村振兴·防返贫监测对象", anti_relapse),
    )
}


def write_dataset(pop: P.Population, name: str, directory: Path) -> dict:
    """Build one dataset and write ``<directory>/<name>.parquet``; returns its manifest entry."""
    dataset = DATASETS[name]
    table = dataset.build(pop, facts(pop))
    path = directory / f"{name}.parquet"
    pq.write_table(table, path, compression="zstd")
    return {
        "file": path.name,
        "department": dataset.department,
        "title": dataset.title,
        "rows": table.num_rows,
        "columns": table.column_names,
    }


# --------------------------------------------------------------------------------------------
# The manifest


def planted_manifest(pop: P.Population, datasets: dict[str, dict], job_id: int | None) -> dict:
    f = facts(pop)
    p = pop.person

    def base(person: np.ndarray) -> list[dict]:
        hh = p["household"][person]
        numbers = [household_numbers(pop, int(x), int(x) + 1)[0] for x in hh]
        return [
            {"household_number": str(num), "id_number": i, "name": n}
            for num, i, n in zip(
                numbers,
                pop.id_number.take(pa.array(person)).to_pylist(),
                pop.name.take(pa.array(person)).to_pylist(),
                strict=True,
            )
        ]

    entries = []
    plants = pop.plants
    declared_wages = np.zeros(len(p["age"]))
    items = pop.income["kind"] == P.INCOME_KINDS.index("wages")
    np.add.at(declared_wages, pop.income["person"][items], pop.income["amount"][items])
    declared_deposits = np.zeros(pop.households)
    rows = _assets(pop, "deposits")
    declared_deposits[pop.asset["household"][rows]] = pop.asset["amount"][rows]
    specs: dict[str, tuple[str, Callable[[int, P.Frame], dict]]] = {
        "undeclared_vehicle": (
            "vehicles",
            lambda i, x: {
                "plate": P.plate(int(plants["undeclared_vehicle"]["plate"][i])),
                "purchase_price_about": int(x["value"][i] * 1.15),
            },
        ),
        "unreported_death": (
            "police_deaths",
            lambda i, x: {
                "death_date": str(f.death[x["person"][i]]),
                "also_in": ["police_hukou"] + (["civil_funeral"] if x["funeral"][i] else []),
            },
        ),
        "wages_above_declared": (
            "social_insurance",
            lambda i, x: {
                "declared_wages": int(declared_wages[x["person"][i]]),
                "wages_12m": round(float(f.wage[x["person"][i]]), 2),
                "also_in": ["tax"],
            },
        ),
        "undeclared_real_estate": (
            "real_estate",
            lambda i, x: {"area": float(x["area"][i]), "transaction_price": int(x["value"][i])},
        ),
        "undeclared_business": (
            "business_registrations",
            lambda i, x: {"registered_capital": int(x["capital"][i]), "role": "法定代表人"},
        ),
        "deposits_above_declared": (
            "bank",
            lambda i, x: {
                "declared_deposits": int(declared_deposits[p["household"][x["person"][i]]]),
                "extra_about": int(x["extra"][i]),
            },
        ),
        "public_payroll_undeclared": (
            "public_servants",
            lambda i, x: {
                "annual_salary": int(x["salary"][i]),
                "declared_employment": P.EMPLOYMENT[p["employment"][x["person"][i]]],
                "also_in": ["social_insurance", "tax"],
            },
        ),
    }
    counts = {}
    for kind in P.PLANT_KINDS:
        frame = plants[kind]
        dataset, detail = specs[kind]
        rows_ = base(frame["person"])
        for i, row in enumerate(rows_):
            entries.append({"kind": kind, "dataset": dataset, **row, **detail(i, frame)})
        counts[kind] = len(rows_)
    outsiders = np.arange(f.registry, len(p["age"]))
    return {
        "seed": pop.seed,
        "households": pop.households,
        "as_of": pop.as_of.isoformat(),
        "declaration_period": [pop.period_start.isoformat(), pop.period_end.isoformat()],
        "job_id": job_id,
        "county": {"code": COUNTY[0], "name": COUNTY[1]},
        "datasets": datasets,
        "counts": counts,
        "discrepancies": entries,
        "non_members": {
            "note": "people in the department files who are not in the registry (neither members nor legal supporters)",
            "count": len(outsiders),
            "id_numbers": pop.id_number.take(pa.array(outsiders)).to_pylist(),
        },
    }


def write_manifest(pop: P.Population, directory: Path, datasets: dict[str, dict], job_id: int | None) -> Path:
    path = directory / PLANTED_FILE
    data = planted_manifest(pop, datasets, job_id)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def publish(staging: Path, target: Path) -> None:
    """Move the files written in ``staging`` into ``target`` (replacing the previous seed's)."""
    target.mkdir(parents=True, exist_ok=True)
    known = {f"{name}.parquet" for name in DATASETS} | {PLANTED_FILE}
    for old in target.iterdir():
        if old.name in known:
            old.unlink()
    for new in staging.iterdir():
        os.replace(new, target / new.name)
    staging.rmdir()
