"""The synthetic population as NumPy arrays: households, persons, declarations, legal
supporters, people outside the registry, and the discrepancies planted for verification.

Everything random is drawn here, from one ``numpy.random.Generator`` seeded with the seed, in a
fixed order: the same (households, seed, as-of date) gives the same names, identity numbers,
amounts and plants. Nothing here touches the database; the loader and the department writers
only slice and format these arrays (so they can run in worker processes).

Categorical values are small integers indexing the tuples below, whose values are the codes of
``safetynet.registry.choices``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from safetynet.core.idnumbers import CHECK_CHARS, WEIGHTS
from safetynet.synth import names as nm
from safetynet.synth.geography import COUNTY6, Geography, build_geography

RELATIONS = ("self", "spouse", "child", "parent", "grandchild")
SELF, SPOUSE, CHILD, PARENT, GRANDCHILD = range(5)
EMPLOYMENT = (
    "employed",
    "self_employed",
    "flexible",
    "farming",
    "unemployed_registered",
    "unemployed",
    "retired",
    "na",
)
EMPLOYED, SELF_EMPLOYED, FLEXIBLE, FARMING, UNEMPLOYED_REG, UNEMPLOYED, RETIRED, NA = range(8)
WORK_CAPACITY = ("full", "partial", "none")
SCHOOLING = (
    "none",
    "preschool",
    "primary",
    "junior",
    "senior",
    "vocational",
    "undergraduate",
    "postgraduate",
)
DISABILITY = ("", "visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple")
INCOME_KINDS = (
    "wages",
    "business",
    "pension",
    "basic_pension",
    "other_transfer",
    "property",
    "support_received",
)
ASSET_KINDS = (
    "deposits",
    "securities",
    "insurance",
    "other_monetary",
    "vehicle",
    "dwelling",
    "non_residential",
    "business",
)
EXPENSE_KINDS = ("medical", "schooling", "rehabilitation")
HOUSEHOLD_TYPES = (
    "single_elderly",
    "single_adult",
    "couple",
    "nuclear",
    "three_generations",
    "single_parent",
    "skipped_generation",
    "couple_with_parent",
)
# Person kinds: members of a registered household, legal supporters living elsewhere (also in
# the registry), and people the departments know who are not in the registry at all.
MEMBER, SUPPORTER, OUTSIDER = 0, 1, 2
REGION6 = (COUNTY6, *nm.OTHER_COUNTIES)

PLANT_KINDS = (
    "undeclared_vehicle",
    "unreported_death",
    "wages_above_declared",
    "undeclared_real_estate",
    "undeclared_business",
    "deposits_above_declared",
    "public_payroll_undeclared",
)

Frame = dict[str, np.ndarray]


@dataclass
class Population:
    households: int
    seed: int
    as_of: dt.date
    period_start: dt.date
    period_end: dt.date
    geo: Geography
    hh: Frame  # one entry per household
    person: Frame  # members, then supporters, then outsiders
    n_members: int
    n_supporters: int
    n_outsiders: int
    income: Frame
    asset: Frame
    expense: Frame
    supporter: Frame  # one entry per LegalSupporter row
    plants: dict[str, Frame]
    given_vocab: np.ndarray
    # Strings for all persons, built once (pyarrow arrays slice without copying).
    id_number: pa.Array = field(default=None)  # type: ignore[assignment]
    name: pa.Array = field(default=None)  # type: ignore[assignment]
    counts: dict[str, int] = field(default_factory=dict)
    other_cars: Frame = field(default_factory=dict)
    plate_declared: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # by vehicle tag
    cache: dict = field(default_factory=dict)  # derived data computed once per process

    @property
    def n_registry_persons(self) -> int:
        return self.n_members + self.n_supporters


def _tri(rng: np.random.Generator, low: float, mode: float, high: float, size: int) -> np.ndarray:
    return np.floor(rng.triangular(low, mode, high, size=size)).astype(np.int16)


def _pick(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Categorical draw with one probability row per element (p: (size, k))."""
    cum = np.cumsum(p, axis=1)
    u = rng.random(size)[:, None] * cum[:, -1:]
    return (u > cum).sum(axis=1).astype(np.int8)


def _money(x: np.ndarray, step: int = 100) -> np.ndarray:
    """Round yuan amounts to a step (people declare round figures)."""
    return (np.round(x / step) * step).astype(np.int64)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def declaration_period(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 full months before the seed date's month."""
    end = _month_start(as_of) - dt.timedelta(days=1)
    start = _month_start(dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=32))
    return start, end


# --------------------------------------------------------------------------------------------
# Households and members


def _household_frame(rng: np.random.Generator, n: int, geo: Geography) -> Frame:
    village = np.sort(rng.choice(len(geo.village_code), size=n, p=geo.village_weight)).astype(np.int32)
    urban = geo.village_urban[village]
    p_rural = np.array([0.10, 0.05, 0.21, 0.30, 0.15, 0.05, 0.08, 0.06])
    p_urban = np.array([0.09, 0.09, 0.25, 0.38, 0.08, 0.06, 0.02, 0.03])
    htype = _pick(rng, np.where(urban[:, None], p_urban, p_rural), n)
    head_age = np.zeros(n, np.int16)
    shapes = {
        0: (60, 72, 96),
        1: (25, 34, 60),
        3: (25, 38, 62),
        4: (28, 42, 58),
        5: (25, 40, 58),
        6: (52, 64, 83),
        7: (25, 40, 62),
    }
    for t, (lo, mode, hi) in shapes.items():
        m = htype == t
        head_age[m] = _tri(rng, lo, mode, hi, int(m.sum()))
    m = htype == 2  # couples: young couples and empty nests
    young = rng.random(n) < 0.3
    head_age[m & young] = _tri(rng, 25, 29, 37, int((m & young).sum()))
    head_age[m & ~young] = _tri(rng, 48, 63, 89, int((m & ~young).sum()))
    p_male = np.array([0.4, 0.6, 0.85, 0.85, 0.85, 0.3, 0.7, 0.85])[htype]
    head_male = rng.random(n) < p_male
    has_spouse = np.isin(htype, (2, 3, 4, 7)) | ((htype == 6) & (rng.random(n) < 0.7))
    n_children = np.select(
        [htype == 3, htype == 4, htype == 5],
        [
            rng.choice([1, 2, 3], size=n, p=[0.45, 0.45, 0.10]),
            rng.choice([1, 2], size=n, p=[0.6, 0.4]),
            rng.choice([1, 2], size=n, p=[0.7, 0.3]),
        ],
        0,
    )
    n_parents = np.select([htype == 4, htype == 7], [rng.choice([1, 2], size=n, p=[0.6, 0.4]), 1], 0)
    n_grandchildren = np.where(htype == 6, rng.choice([1, 2], size=n, p=[0.55, 0.45]), 0)
    spouse_age = np.clip(
        head_age + np.where(head_male, -2, 2) + np.round(rng.normal(0, 3, n)), 20, 99
    ).astype(np.int16)
    mother_age = np.where(has_spouse & head_male, spouse_age, head_age)
    first_child = mother_age - rng.integers(22, 35, n)
    first_child = np.where(first_child < 0, rng.integers(0, 3, n), first_child).astype(np.int16)
    hukou_urban = np.where(urban, rng.random(n) < 0.8, rng.random(n) < 0.06)
    origin = np.where(rng.random(n) < 0.88, 0, rng.integers(1, len(REGION6), n)).astype(np.int8)
    return {
        "village": village,
        "urban": urban,
        "type": htype,
        "head_age": head_age,
        "head_male": head_male,
        "has_spouse": has_spouse,
        "n_children": n_children.astype(np.int8),
        "n_parents": n_parents.astype(np.int8),
        "n_grandchildren": n_grandchildren.astype(np.int8),
        "spouse_age": spouse_age,
        "first_child": first_child,
        "child_gap": rng.integers(2, 6, n).astype(np.int8),
        "hukou_urban": hukou_urban,
        "origin": origin,
        "head_surname": rng.choice(len(nm.SURNAME_LIST), size=n, p=nm.SURNAME_P).astype(np.int16),
        "spouse_surname": rng.choice(len(nm.SURNAME_LIST), size=n, p=nm.SURNAME_P).astype(np.int16),
    }


def _members(rng: np.random.Generator, h: Frame) -> Frame:
    n = len(h["village"])
    size = (1 + h["has_spouse"] + h["n_children"] + h["n_parents"] + h["n_grandchildren"]).astype(np.int64)
    total = int(size.sum())
    hh = np.repeat(np.arange(n, dtype=np.int64), size)
    start = np.cumsum(size) - size
    pos = np.arange(total) - start[hh]
    c1 = 1 + h["has_spouse"][hh].astype(np.int64)
    c2 = c1 + h["n_children"][hh]
    c3 = c2 + h["n_parents"][hh]
    rel = np.select(
        [pos == 0, pos < c1, pos < c2, pos < c3], [SELF, SPOUSE, CHILD, PARENT], GRANDCHILD
    ).astype(np.int8)
    k_child = pos - c1
    k_parent = pos - c2
    child_age = h["first_child"][hh] - k_child * h["child_gap"][hh]
    child_age = np.where(child_age < 0, rng.integers(0, 2, total), child_age)
    parent_age = np.minimum(h["head_age"][hh] + rng.integers(23, 35, total), 99)
    age = np.select(
        [rel == SELF, rel == SPOUSE, rel == CHILD, rel == PARENT],
        [h["head_age"][hh], h["spouse_age"][hh], child_age, parent_age],
        rng.integers(0, 16, total),
    ).astype(np.int16)
    two_parents = h["n_parents"][hh] == 2
    male = np.select(
        [rel == SELF, rel == SPOUSE, rel == CHILD, (rel == PARENT) & two_parents, rel == PARENT],
        [
            h["head_male"][hh],
            ~h["head_male"][hh],
            rng.random(total) < 0.52,
            k_parent == 0,
            rng.random(total) < 0.35,
        ],
        rng.random(total) < 0.53,
    )
    family = np.where(h["head_male"] | ~h["has_spouse"], h["head_surname"], h["spouse_surname"])
    random_surname = rng.choice(len(nm.SURNAME_LIST), size=total, p=nm.SURNAME_P).astype(np.int16)
    single_mother = (h["type"][hh] == 5) & ~h["head_male"][hh]
    surname = np.select(
        [
            rel == SELF,
            rel == SPOUSE,
            (rel == CHILD) & single_mother & (rng.random(total) < 0.4),
            rel == CHILD,
            (rel == PARENT) & male,
            rel == PARENT,
            rng.random(total) < 0.75,
        ],
        [
            h["head_surname"][hh],
            h["spouse_surname"][hh],
            random_surname,
            family[hh],
            h["head_surname"][hh],
            random_surname,
            family[hh],
        ],
        random_surname,
    ).astype(np.int16)
    origin = h["origin"][hh]
    other = rng.integers(0, len(REGION6), total)
    region6 = np.select(
        [rel == SPOUSE, (rel == CHILD) | (rel == GRANDCHILD)],
        [np.where(rng.random(total) < 0.7, origin, other), np.where(rng.random(total) < 0.95, 0, origin)],
        origin,
    ).astype(np.int8)
    hukou_urban = np.where(
        rel == SPOUSE,
        np.where(rng.random(total) < 0.88, h["hukou_urban"][hh], ~h["hukou_urban"][hh]),
        h["hukou_urban"][hh],
    )
    return {
        "household": hh,
        "relation": rel,
        "age": age,
        "male": male,
        "surname": surname,
        "region6": region6,
        "hukou_urban": hukou_urban,
        "kind": np.full(total, MEMBER, np.int8),
    }


def _health(rng: np.random.Generator, p: Frame) -> None:
    """Disability (about 6 %), serious illness (about 2 %) and work capacity, by age."""
    n = len(p["age"])
    age = p["age"]
    p_dis = np.select([age < 18, age < 60, age < 80], [0.02, 0.047, 0.13], 0.22)
    disabled = rng.random(n) < p_dis
    # CDPF shares of categories (physical, hearing, visual, multiple, mental, intellectual, speech).
    cat_adult = np.array([0, 0.15, 0.24, 0.02, 0.29, 0.07, 0.07, 0.16])
    cat_child = np.array([0, 0.08, 0.12, 0.08, 0.22, 0.30, 0.06, 0.14])
    cat = _pick(rng, np.where((age < 18)[:, None], cat_child, cat_adult), n)
    p["disability"] = np.where(disabled, cat, 0).astype(np.int8)
    grade = rng.choice([1, 2, 3, 4], size=n, p=[0.12, 0.18, 0.30, 0.40])
    p["disability_grade"] = np.where(disabled, grade, 0).astype(np.int8)
    p_ill = np.select([age < 18, age < 60], [0.005, 0.017], 0.045)
    ill = rng.random(n) < p_ill
    p["illness"] = np.where(
        ill, rng.choice(len(nm.ILLNESSES), size=n, p=nm.ILLNESS_P / nm.ILLNESS_P.sum()), -1
    ).astype(np.int8)
    d, g = p["disability"], p["disability_grade"]
    # 特困人员认定办法 第6条: under 16, 60 and over, and these disabilities count as no work capacity.
    severe = (
        (((d == 5) | (d == 6)) & (g <= 3))
        | ((d == 4) & (g <= 2))
        | ((d == 1) & (g == 1))
        | ((d == 7) & (g <= 2))
    )
    work = np.select([(age < 16) | (age >= 60) | severe, (d > 0) | ill], [2, 1], 0)
    p["work_capacity"] = work.astype(np.int8)


def _schooling(rng: np.random.Generator, p: Frame) -> None:
    n = len(p["age"])
    age = p["age"]
    u = rng.random(n)
    school = np.select(
        [
            (age >= 3) & (age <= 5) & (u < 0.85),
            (age >= 6) & (age <= 11),
            (age >= 12) & (age <= 14),
            (age >= 15) & (age <= 17) & (u < 0.6),
            (age >= 15) & (age <= 17) & (u < 0.9),
            (age >= 18) & (age <= 21) & (u < 0.45),
            (age >= 18) & (age <= 21) & (u < 0.55),
            (age >= 22) & (age <= 24) & (u < 0.06),
        ],
        [1, 2, 3, 4, 5, 6, 5, 7],
        0,
    )
    # Severely disabled children are often out of school.
    school = np.where((p["work_capacity"] == 2) & (p["disability"] > 0) & (age >= 6) & (u > 0.7), 0, school)
    p["schooling"] = school.astype(np.int8)
    p["student"] = school >= 1


def _economy(rng: np.random.Generator, h: Frame, p: Frame) -> None:
    """A latent economic level per household; the lowest 4 % are in hardship."""
    n = len(h["village"])
    hh = p["household"][p["kind"] == MEMBER]
    members = p["kind"] == MEMBER
    ill_any = np.bincount(hh, weights=(p["illness"][members] >= 0), minlength=n) > 0
    severe_any = (
        np.bincount(
            hh, weights=(p["disability"][members] > 0) & (p["disability_grade"][members] <= 2), minlength=n
        )
        > 0
    )
    z = (
        rng.normal(0, 1, n)
        - 0.9 * ill_any
        - 0.6 * severe_any
        + 0.3 * h["urban"]
        - 0.4 * (h["type"] == 0)
        - 0.3 * (h["type"] == 5)
    )
    h["econ"] = z.astype(np.float32)
    h["hardship"] = z < np.quantile(z, 0.04)


def _employment(rng: np.random.Generator, h: Frame, p: Frame) -> None:
    n = len(p["age"])
    age = p["age"]
    urban = p["hukou_urban"]
    hardship = h["hardship"][p["household"]] & (p["kind"] == MEMBER)
    #                    employed self  flex  farm  unemp_reg unemp
    p_urban = np.array([0.55, 0.10, 0.18, 0.01, 0.06, 0.10])
    p_rural = np.array([0.30, 0.08, 0.15, 0.35, 0.02, 0.10])
    p_hard = np.array([0.04, 0.02, 0.30, 0.24, 0.12, 0.28])
    probs = np.where(hardship[:, None], p_hard, np.where(urban[:, None], p_urban, p_rural))
    working = _pick(rng, probs, n)
    working = np.where(p["work_capacity"] == 2, UNEMPLOYED, working)
    working = np.where((p["work_capacity"] == 1) & (rng.random(n) < 0.5), UNEMPLOYED, working)
    u = rng.random(n)
    elderly = np.select(
        [urban & (u < 0.75), ~urban & (u < 0.10), ~urban & (age < 70) & (u < 0.65)],
        [RETIRED, RETIRED, FARMING],
        UNEMPLOYED,
    )
    emp = np.select([(age < 16) | p["student"], age >= 60], [NA, elderly], working)
    p["employment"] = emp.astype(np.int8)


def _given_names(
    rng: np.random.Generator, birth_year: np.ndarray, male: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    vocab: list[str] = []
    out = np.zeros(len(birth_year), np.int32)
    era = nm.era_of_birth_year(birth_year)
    for e in range(4):
        for s in (0, 1):
            names, p = nm.given_name_vocabulary(e, s)
            m = (era == e) & (male == bool(s))
            out[m] = len(vocab) + rng.choice(len(names), size=int(m.sum()), p=p)
            vocab += names
    return out, np.array(vocab)


# --------------------------------------------------------------------------------------------
# Identity numbers


def _birth_dates(rng: np.random.Generator, age: np.ndarray, as_of: dt.date) -> np.ndarray:
    """Dates of birth (datetime64[D]) such that the age on ``as_of`` is ``age``."""
    days = np.floor(age * 365.2425 + rng.uniform(1, 365, len(age))).astype(np.int64)
    return np.datetime64(as_of, "D") - days


def _assign_sequence(region6: np.ndarray, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Sequence codes (digits 15-17) unique within (birthplace, birth date, sex); odd for men."""
    days = birth.astype(np.int64) + 60_000
    key = (region6.astype(np.int64) * 200_000 + days) * 2 + male
    order = np.argsort(key, kind="stable")
    k = key[order]
    new = np.r_[True, k[1:] != k[:-1]]
    idx = np.arange(len(k))
    rank_sorted = idx - np.maximum.accumulate(np.where(new, idx, 0))
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    if len(rank) and rank.max() >= 499:
        raise ValueError("more than 499 people share a birthplace, birth date and sex")
    offset = (key * 2_654_435_761) % 499  # scatter the codes as real police stations do
    slot = 1 + (offset + rank) % 499
    return (slot * 2 + male).astype(np.int64)


def id_numbers(region6: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> pa.Array:
    """18-digit resident identity numbers with the GB 11643 check digit, as a pyarrow string array."""
    codes = np.array([int(c) for c in REGION6], np.int64)[region6]
    y = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    m = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    first17 = codes * 10**11 + (y * 10_000 + m * 100 + d) * 1_000 + seq
    chars = np.empty((len(first17), 18), np.uint8)
    total = np.zeros(len(first17), np.int64)
    for i in range(17):
        digit = (first17 // 10 ** (16 - i)) % 10
        chars[:, i] = digit + 48
        total += digit * WEIGHTS[i]
    chars[:, 17] = np.frombuffer(CHECK_CHARS.encode(), np.uint8)[total % 11]
    raw = chars.view("S18").ravel()
    return pa.array(raw, pa.binary(18)).cast(pa.string())


# --------------------------------------------------------------------------------------------
# Declarations


def _declarations(
    rng: np.random.Generator, h: Frame, p: Frame, n_members: int, supporter_households: np.ndarray
) -> tuple[Frame, Frame, Frame]:
    n = len(h["village"])
    hh = p["household"][:n_members]
    emp = p["employment"][:n_members]
    age = p["age"][:n_members]
    urban_p = p["hukou_urban"][:n_members]
    mult_h = np.where(h["hardship"], 0.3, np.clip(np.exp(0.35 * h["econ"]), 0.35, 3.0))
    mult = mult_h[hh]
    persons = np.arange(n_members)
    inc_h, inc_p, inc_k, inc_a = [], [], [], []

    def add_income(mask: np.ndarray, kind: str, amount: np.ndarray) -> None:
        inc_h.append(hh[mask])
        inc_p.append(persons[mask])
        inc_k.append(np.full(int(mask.sum()), INCOME_KINDS.index(kind), np.int8))
        inc_a.append(_money(amount[mask]))

    size = n_members
    wage_median = np.where(urban_p, 52_000, 40_000)
    add_income(emp == EMPLOYED, "wages", wage_median * rng.lognormal(0, 0.3, size) * mult)
    add_income(emp == FLEXIBLE, "wages", 22_000 * rng.lognormal(0, 0.35, size) * mult)
    add_income(emp == SELF_EMPLOYED, "business", 50_000 * rng.lognormal(0, 0.5, size) * mult)
    add_income(emp == FARMING, "business", 9_000 * rng.lognormal(0, 0.5, size) * np.sqrt(mult))
    add_income(emp == RETIRED, "pension", np.where(urban_p, 36_000, 26_000) * rng.lognormal(0, 0.2, size))
    add_income((age >= 60) & (emp != RETIRED), "basic_pension", np.full(size, 2_520.0))
    add_income(
        (emp == UNEMPLOYED_REG) & (rng.random(size) < 0.4),
        "other_transfer",
        1_800.0 * rng.integers(3, 13, size),
    )
    heads = p["relation"][:n_members] == SELF
    add_income(
        heads & ~h["hardship"][hh] & (rng.random(size) < 0.04), "property", 6_000 + 30_000 * rng.random(size)
    )
    supported = np.zeros(n, bool)
    supported[supporter_households] = True
    add_income(
        heads & supported[hh] & (rng.random(size) < 0.7), "support_received", 2_400 + 7_200 * rng.random(size)
    )
    income = {
        "household": np.concatenate(inc_h),
        "person": np.concatenate(inc_p),
        "kind": np.concatenate(inc_k),
        "amount": np.concatenate(inc_a),
    }

    head_index = np.flatnonzero(heads)  # one per household, in household order
    spouse_of = np.full(n, -1, np.int64)
    sp = np.flatnonzero(p["relation"][:n_members] == SPOUSE)
    spouse_of[hh[sp]] = sp
    a_h, a_p, a_k, a_a, a_q, a_area, a_tag = [], [], [], [], [], [], []

    def add_asset(
        hs: np.ndarray,
        ps: np.ndarray,
        kind: str,
        amount: np.ndarray,
        area: np.ndarray | None = None,
        tag: np.ndarray | None = None,
    ) -> None:
        k = len(hs)
        a_h.append(hs)
        a_p.append(ps)
        a_k.append(np.full(k, ASSET_KINDS.index(kind), np.int8))
        a_a.append(_money(amount, 100))
        a_q.append(np.ones(k, np.int16))
        a_area.append(
            np.full(k, np.nan, np.float32) if area is None else np.round(area, 1).astype(np.float32)
        )
        a_tag.append(np.full(k, -1, np.int64) if tag is None else tag)

    all_h = np.arange(n)
    hard = h["hardship"]
    m2 = mult_h**2
    has = rng.random(n) < np.where(hard, 0.5, 0.92)
    dep = np.where(hard, 500 + 7_500 * rng.random(n), 40_000 * rng.lognormal(0, 1.0, n) * m2)
    add_asset(all_h[has], head_index[has], "deposits", dep[has])
    has = ~hard & (rng.random(n) < np.where(h["urban"], 0.08, 0.03))
    add_asset(all_h[has], head_index[has], "securities", 60_000 * rng.lognormal(0, 0.8, n)[has] * mult_h[has])
    has = ~hard & (rng.random(n) < 0.12)
    add_asset(all_h[has], head_index[has], "insurance", 10_000 + 70_000 * rng.random(n)[has])
    # Vehicles: one row per car, owned by the head or the spouse.
    p_car = np.where(hard, 0.01, np.where(h["urban"], 0.30, 0.22) * np.clip(mult_h, 0.3, 1.5))
    cars = (rng.random(n) < p_car).astype(np.int64) + (rng.random(n) < 0.08 * np.clip(mult_h, 0, 2))
    car_h = np.repeat(all_h, cars)
    car_owner = np.where(
        (spouse_of[car_h] >= 0) & (rng.random(len(car_h)) < 0.3), spouse_of[car_h], head_index[car_h]
    )
    add_asset(
        car_h,
        car_owner,
        "vehicle",
        90_000 * rng.lognormal(0, 0.5, len(car_h)) * np.sqrt(mult_h[car_h]),
        tag=np.arange(len(car_h), dtype=np.int64),
    )
    # Dwellings: rural homesteads are large and cheap, urban flats small and dear.
    owns = rng.random(n) < np.where(hard, 0.7, np.where(h["urban"], 0.75, 0.95))
    area = np.where(h["urban"], rng.uniform(55, 140, n), rng.uniform(110, 260, n))
    value = np.where(h["urban"], area * rng.uniform(5_500, 9_000, n), area * rng.uniform(900, 1_600, n))
    add_asset(all_h[owns], head_index[owns], "dwelling", value[owns], area[owns])
    second = owns & ~hard & h["urban"] & (rng.random(n) < 0.08 * mult_h)
    area2 = rng.uniform(50, 120, n)
    add_asset(
        all_h[second],
        head_index[second],
        "dwelling",
        (area2 * rng.uniform(6_000, 9_500, n))[second],
        area2[second],
    )
    shop = ~hard & (rng.random(n) < 0.02)
    area3 = rng.uniform(30, 150, n)
    add_asset(
        all_h[shop],
        head_index[shop],
        "non_residential",
        (area3 * rng.uniform(5_000, 12_000, n))[shop],
        area3[shop],
    )
    se = np.flatnonzero(emp == SELF_EMPLOYED)
    add_asset(hh[se], se, "business", 10_000 + 190_000 * rng.random(len(se)) ** 2)
    # Balances at payment platforms (支付宝, 微信): most adults hold a little, some a lot; a
    # household declares them once they add up to 2,000 yuan.
    adult = (age >= 18) & (age < 76)
    holds = adult & (rng.random(size) < 0.7)
    big = rng.random(size) < np.where(h["hardship"][hh], 0.0, 0.08)
    balance = np.where(
        holds, np.where(big, 5_000 + 25_000 * rng.random(size), 300 * rng.lognormal(0, 1.0, size) * mult), 0
    )
    p["pay_balance"] = np.zeros(len(p["age"]), np.int64)
    p["pay_balance"][:n_members] = np.round(balance).astype(np.int64)
    total_h = np.bincount(hh, weights=balance, minlength=n)
    declare = total_h >= 2_000
    add_asset(all_h[declare], head_index[declare], "other_monetary", total_h[declare])
    asset = {
        "household": np.concatenate(a_h),
        "person": np.concatenate(a_p),
        "kind": np.concatenate(a_k),
        "amount": np.concatenate(a_a),
        "quantity": np.concatenate(a_q),
        "area": np.concatenate(a_area),
        "tag": np.concatenate(a_tag),
    }

    e_h, e_p, e_k, e_a = [], [], [], []

    def add_expense(mask: np.ndarray, kind: str, amount: np.ndarray) -> None:
        e_h.append(hh[mask])
        e_p.append(persons[mask])
        e_k.append(np.full(int(mask.sum()), EXPENSE_KINDS.index(kind), np.int8))
        e_a.append(_money(amount[mask], 10))

    ill = p["illness"][:n_members] >= 0
    dis = p["disability"][:n_members] > 0
    add_expense(
        ill | ((age >= 70) & dis & (rng.random(size) < 0.2)),
        "medical",
        np.where(ill, 40_000 * rng.lognormal(0, 0.7, size), 3_000 + 12_000 * rng.random(size)),
    )
    school = p["schooling"][:n_members]
    add_expense(
        (school >= 4) & (rng.random(size) < 0.8),
        "schooling",
        np.where(school >= 6, 12_000, 4_000) * rng.lognormal(0, 0.3, size),
    )
    add_expense(
        dis & (age < 18) & (rng.random(size) < 0.6), "rehabilitation", 5_000 + 25_000 * rng.random(size)
    )
    expense = {
        "household": np.concatenate(e_h),
        "person": np.concatenate(e_p),
        "kind": np.concatenate(e_k),
        "amount": np.concatenate(e_a),
    }
    return income, asset, expense


def _sort_by_household(frame: Frame) -> Frame:
    order = np.argsort(frame["household"], kind="stable")
    return {k: v[order] for k, v in frame.items()}


# --------------------------------------------------------------------------------------------
# Supporters and outsiders


def _supporters(rng: np.random.Generator, h: Frame, p: Frame) -> tuple[Frame, Frame]:
    """Children of elderly heads who live elsewhere: legal supporters (赡养义务人)."""
    n = len(h["village"])
    elderly = (h["head_age"] >= 60) & np.isin(h["type"], (0, 2, 6))
    count = np.where(elderly & (rng.random(n) < 0.6), rng.choice([1, 2, 3], size=n, p=[0.45, 0.4, 0.15]), 0)
    sh = np.repeat(np.arange(n, dtype=np.int64), count)
    k = len(sh)
    age = np.maximum(h["head_age"][sh] - rng.integers(22, 36, k), 18).astype(np.int16)
    male = rng.random(k) < 0.5
    family = np.where(h["head_male"] | ~h["has_spouse"], h["head_surname"], h["spouse_surname"])
    # A widow's children carry their late father's surname, not hers.
    widow = ~h["head_male"][sh] & ~h["has_spouse"][sh]
    keep = rng.random(k) < np.where(widow, 0.1, 0.9)
    surname = np.where(keep, family[sh], rng.choice(len(nm.SURNAME_LIST), size=k, p=nm.SURNAME_P))
    region6 = np.where(rng.random(k) < 0.6, h["origin"][sh], rng.integers(0, len(REGION6), k)).astype(np.int8)
    persons: Frame = {
        "household": sh,
        "relation": np.full(k, CHILD, np.int8),
        "age": age,
        "male": male,
        "surname": surname.astype(np.int16),
        "region6": region6,
        "hukou_urban": rng.random(k) < 0.6,
        "kind": np.full(k, SUPPORTER, np.int8),
    }
    link: Frame = {
        "household": sh,
        "address": rng.integers(0, len(nm.ELSEWHERE), k).astype(np.int8),
        "street_no": rng.integers(1, 300, k).astype(np.int16),
    }
    return persons, link


def _outsiders(rng: np.random.Generator, n_members: int, n_households: int) -> Frame:
    """People the departments know who are not in the registry (other counties, migrants)."""
    k = max(30, n_members * 3 // 100)
    return {
        "household": np.full(k, -1, np.int64),
        "relation": np.full(k, -1, np.int8),
        "age": _tri(rng, 20, 40, 85, k),
        "male": rng.random(k) < 0.52,
        "surname": rng.choice(len(nm.SURNAME_LIST), size=k, p=nm.SURNAME_P).astype(np.int16),
        "region6": np.where(rng.random(k) < 0.4, 0, rng.integers(1, len(REGION6), k)).astype(np.int8),
        "hukou_urban": rng.random(k) < 0.5,
        "kind": np.full(k, OUTSIDER, np.int8),
    }


# --------------------------------------------------------------------------------------------
# Planted discrepancies


# Plates 苏K·A1234, 苏K·AB123 and 苏K·A1B23: 24·10⁴ + 2·24²·10³ distinct plates.
PLATE_SPACE = 24 * 10_000 + 2 * 24 * 24 * 1_000


def plate(code: int) -> str:
    letters = nm.PLATE_LETTERS
    if code < 240_000:
        return f"{nm.PLATE_PREFIX}·{letters[code % 24]}{code // 24:04d}"
    code -= 240_000
    first, second, digits = letters[code % 24], letters[(code // 24) % 24], code // 576
    if digits < 1_000:
        return f"{nm.PLATE_PREFIX}·{first}{second}{digits:03d}"
    digits -= 1_000
    return f"{nm.PLATE_PREFIX}·{first}{digits // 100}{second}{digits % 100:02d}"


def _choose(
    rng: np.random.Generator, candidates: np.ndarray, k: int, taken: set[int] | None = None
) -> np.ndarray:
    if taken:
        candidates = candidates[~np.isin(candidates, np.fromiter(taken, np.int64, len(taken)))]
    k = min(k, len(candidates))
    chosen = np.sort(rng.choice(candidates, size=k, replace=False)) if k else np.zeros(0, np.int64)
    if taken is not None:
        taken.update(int(x) for x in chosen)
    return chosen


def _plants(rng: np.random.Generator, pop: Population) -> dict[str, Frame]:
    """Choose who gets each planted discrepancy. Each kind touches about 0.2-0.5 % of
    households (at least 3), and a person carries at most one plant."""
    n, p, nm_ = pop.households, pop.person, pop.n_members
    hh = p["household"][:nm_]
    age = p["age"][:nm_]
    emp = p["employment"][:nm_]
    rel = p["relation"][:nm_]

    def k(rate: float) -> int:
        return max(3, round(rate * n))

    taken: set[int] = set()
    plants: dict[str, Frame] = {}
    old = np.flatnonzero(age >= 55)
    dead = _choose(rng, old, k(0.003), taken)
    plants["unreported_death"] = {
        "person": dead,
        "days_ago": rng.integers(20, 200, len(dead)),
        "funeral": rng.random(len(dead)) < 0.6,
    }
    declared_car = np.zeros(n, bool)
    declared_car[pop.asset["household"][pop.asset["kind"] == ASSET_KINDS.index("vehicle")]] = True
    cand = np.flatnonzero(((rel == SELF) | (rel == SPOUSE)) & ~declared_car[hh] & (age >= 22) & (age < 75))
    owners = _choose(rng, cand, k(0.005), taken)
    plants["undeclared_vehicle"] = {
        "person": owners,
        "value": _money(60_000 * rng.lognormal(0, 0.5, len(owners))),
    }
    wage_items = np.flatnonzero(pop.income["kind"] == INCOME_KINDS.index("wages"))
    earners = np.unique(pop.income["person"][wage_items])
    earners = earners[emp[earners] == EMPLOYED]  # employees: their wages reach social insurance
    chosen = _choose(rng, earners, k(0.005), taken)
    plants["wages_above_declared"] = {
        "person": chosen,
        "factor": rng.uniform(1.6, 3.0, len(chosen)).astype(np.float32),
    }
    chosen = _choose(rng, np.flatnonzero(rel == SELF), k(0.004), taken)
    plants["undeclared_real_estate"] = {
        "person": chosen,
        "area": np.round(rng.uniform(60, 160, len(chosen)), 1),
        "value": _money(rng.uniform(400_000, 1_500_000, len(chosen)), 1_000),
    }
    cand = np.flatnonzero((age >= 22) & (age < 65) & (emp != SELF_EMPLOYED))
    chosen = _choose(rng, cand, k(0.003), taken)
    plants["undeclared_business"] = {
        "person": chosen,
        "capital": _money(100_000 + 1_900_000 * rng.random(len(chosen)) ** 2, 10_000),
    }
    dep_items = np.flatnonzero(pop.asset["kind"] == ASSET_KINDS.index("deposits"))
    cand = pop.asset["person"][dep_items]
    chosen = _choose(rng, np.unique(cand), k(0.005), taken)
    plants["deposits_above_declared"] = {
        "person": chosen,
        "extra": _money(rng.uniform(80_000, 600_000, len(chosen))),
    }
    cand = np.flatnonzero((age >= 22) & (age <= 58) & np.isin(emp, (UNEMPLOYED, FLEXIBLE, FARMING)))
    chosen = _choose(rng, cand, k(0.002), taken)
    plants["public_payroll_undeclared"] = {
        "person": chosen,
        "salary": _money(rng.uniform(60_000, 120_000, len(chosen))),
    }
    return plants


# --------------------------------------------------------------------------------------------


def _concat(frames: list[Frame]) -> Frame:
    keys = frames[0].keys()
    return {key: np.concatenate([f[key] for f in frames]) for key in keys}


def generate(*, households: int, seed: int, as_of: dt.date) -> Population:
    """Draw the whole population. About 10 s and 1 GB for a million households."""
    if households < 1:
        raise ValueError("households must be at least 1")
    rng = np.random.default_rng(seed)
    geo = build_geography(households)
    h = _household_frame(rng, households, geo)
    members = _members(rng, h)
    n_members = len(members["age"])
    sup_persons, sup_link = _supporters(rng, h, members)
    outsiders = _outsiders(rng, n_members, households)
    p = _concat([members, sup_persons, outsiders])
    total = len(p["age"])
    p["birth"] = _birth_dates(rng, p["age"], as_of)
    p["seq"] = _assign_sequence(p["region6"], p["birth"], p["male"])
    _health(rng, p)
    # Supporters and outsiders are adults of working age or retired; no disability data needed
    # for them beyond what was drawn.
    _schooling(rng, p)
    p["student"] &= p["kind"] == MEMBER
    p["schooling"] = np.where(p["kind"] == MEMBER, p["schooling"], 0).astype(np.int8)
    _economy(rng, h, p)
    _employment(rng, h, p)
    birth_year = p["birth"].astype("datetime64[Y]").astype(np.int64) + 1970
    p["given"], given_vocab = _given_names(rng, birth_year, p["male"])
    # Household details used in addresses, phones and bank accounts.
    h["phone"] = nm.PHONE_PREFIXES[rng.integers(0, len(nm.PHONE_PREFIXES), households)].astype(
        np.int64
    ) * 10**8 + rng.integers(0, 10**8, households)
    h["bank"] = _pick(rng, np.where(h["urban"][:, None], nm.BANK_P_URBAN, nm.BANK_P_RURAL), households)
    h["account_tail"] = rng.integers(0, 10**13, households, dtype=np.int64)
    h["addr_a"] = rng.integers(1, 16, households).astype(np.int16)  # group (组) or road
    h["addr_b"] = rng.integers(1, 200, households).astype(np.int16)  # house number
    h["addr_c"] = rng.integers(1, 30, households).astype(np.int16)  # building
    h["addr_d"] = rng.integers(1, 6, households).astype(np.int16)  # unit
    h["addr_e"] = rng.integers(1, 33, households).astype(np.int16) * 100 + rng.integers(
        1, 5, households
    ).astype(np.int16)
    h["seq"] = _seq_in_group(h["village"])
    h["size"] = np.bincount(members["household"], minlength=households).astype(np.int16)
    h["person_start"] = (np.cumsum(h["size"]) - h["size"]).astype(np.int64)
    if np.bincount(h["village"], minlength=len(geo.village_code)).max() > 99_999:
        raise ValueError("more than 99,999 households in one village: household numbers would overflow")
    income, asset, expense = _declarations(rng, h, p, n_members, sup_link["household"])
    start, end = declaration_period(as_of)
    supporter = {
        **sup_link,
        "person": np.arange(n_members, n_members + len(sup_link["household"]), dtype=np.int64),
        "supported": h["person_start"][sup_link["household"]],
    }
    pop = Population(
        households=households,
        seed=seed,
        as_of=as_of,
        period_start=start,
        period_end=end,
        geo=geo,
        hh=h,
        person=p,
        n_members=n_members,
        n_supporters=len(sup_link["household"]),
        n_outsiders=len(outsiders["age"]),
        income=_sort_by_household(income),
        asset=_sort_by_household(asset),
        expense=_sort_by_household(expense),
        supporter=supporter,
        plants={},
        given_vocab=given_vocab,
    )
    pop.plants = _plants(rng, pop)
    # Cars of supporters and outsiders (in the registry of vehicles, legitimately undeclared),
    # and one distinct plate for every car of the county.
    reg = np.arange(n_members, total)
    has_car = rng.random(len(reg)) < np.where(p["kind"][reg] == SUPPORTER, 0.3, 0.4)
    pop.other_cars = {
        "person": reg[has_car],
        "value": _money(80_000 * rng.lognormal(0, 0.5, int(has_car.sum()))),
    }
    n_declared = int((asset["kind"] == ASSET_KINDS.index("vehicle")).sum())
    n_cars = n_declared + len(pop.plants["undeclared_vehicle"]["person"]) + len(pop.other_cars["person"])
    if n_cars > PLATE_SPACE:
        raise ValueError("more cars than distinct plates")
    plates = rng.choice(PLATE_SPACE, size=n_cars, replace=False)
    pop.plate_declared = plates[:n_declared]
    pop.plants["undeclared_vehicle"]["plate"] = plates[
        n_declared : n_declared + len(pop.plants["undeclared_vehicle"]["person"])
    ]
    pop.other_cars["plate"] = plates[n_declared + len(pop.plants["undeclared_vehicle"]["person"]) :]
    h["since_days"] = rng.integers(30, 3_650, households)  # on file since (memberships' start)
    pop.id_number = id_numbers(p["region6"], p["birth"], p["seq"])
    pop.name = pc.binary_join_element_wise(
        pa.array(np.array(nm.SURNAME_LIST)[p["surname"]]), pa.array(given_vocab[p["given"]]), ""
    )
    assert len(pop.id_number) == total
    pop.counts = {
        "households": households,
        "members": n_members,
        "supporters": pop.n_supporters,
        "outsiders": pop.n_outsiders,
    }
    return pop


def _seq_in_group(group: np.ndarray) -> np.ndarray:
    """1-based position of each element within its (sorted) group."""
    idx = np.arange(len(group))
    new = np.r_[True, group[1:] != group[:-1]] if len(group) else np.zeros(0, bool)
    return (idx - np.maximum.accumulate(np.where(new, idx, 0)) + 1).astype(np.int32)


def ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Concatenated aranges [starts[i], stops[i])."""
    lengths = stops - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + offsets
