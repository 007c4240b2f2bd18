"""The demo county's administrative divisions: one province, city and county, twelve townships
(four street offices, four towns, four xiang) and 160 or more villages and communities.

Codes and names come from a fixed generator, so they are the same whatever the seed; only the
number of villages grows with the number of households (about 2,500 households a village
beyond 400,000 households, up to 1,000 villages), so that household numbers stay five digits
within a village.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from safetynet.synth import names as nm

PROVINCE = ("320000000000", "示范省")
CITY = ("320100000000", "示范市")
COUNTY = ("320125000000", "示范县")
COUNTY6 = COUNTY[0][:6]
MIN_VILLAGES = 160
HOUSEHOLDS_PER_VILLAGE = 2_500
MAX_VILLAGES = 1_000  # the place-name vocabulary gives about 1,300 distinct names
# Street offices take codes 001-099, towns 101-199, xiang 201-299 (GB/T 10114 practice);
# communities (居委会) 001-199 and villages (村委会) 200-399 within a township.
_TOWNSHIP_CODES = (1, 2, 3, 4, 101, 102, 103, 104, 201, 202, 203, 204)
_PREFIXES = ("", "新", "东", "西", "南", "北", "前", "后", "大", "小", "上", "下", "中", "老")


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    level: int
    parent: str | None
    urban_rural: str


@dataclass
class Geography:
    regions: list[RegionRow]
    village_code: np.ndarray  # (V,) str
    village_name: np.ndarray  # (V,) str
    township_name: np.ndarray  # (V,) str, the village's township
    township_code: np.ndarray  # (V,) str
    village_urban: np.ndarray  # (V,) bool
    village_weight: np.ndarray  # (V,) float, relative number of households

    @property
    def townships(self) -> list[RegionRow]:
        return [r for r in self.regions if r.level == 4]

    @property
    def villages(self) -> list[RegionRow]:
        return [r for r in self.regions if r.level == 5]


def village_count(households: int) -> int:
    return max(MIN_VILLAGES, min(-(-households // HOUSEHOLDS_PER_VILLAGE), MAX_VILLAGES))


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _unique_names(rng: np.random.Generator, parts: list[str], suffix: str) -> list[str]:
    """Distinct names, plain ones (王家村) first, then with a prefix (新王家村), then numbered."""
    plain = [part + suffix for part in parts]
    prefixed = [p + part + suffix for p in _PREFIXES[1:] for part in parts]
    numbered = [part + n + suffix for n in "一二三四五六七八九" for part in parts]
    names: list[str] = []
    for pool in (plain, prefixed, numbered):
        names += [pool[i] for i in rng.permutation(len(pool))]
    return names


def build_geography(households: int) -> Geography:
    rng = np.random.default_rng(20_261_130)  # fixed: the map does not depend on the seed
    total = village_count(households)
    # Shares of villages: street offices 30 %, xiang 25 %, towns the rest.
    streets, xiang = round(total * 0.30), round(total * 0.25)
    towns = total - streets - xiang
    sizes = [_split(streets, 4), _split(towns, 4), _split(xiang, 4)]
    per_township = [n for group in sizes for n in group]
    community_names = iter(_unique_names(rng, nm.COMMUNITY_PARTS, "社区"))
    village_names = iter(_unique_names(rng, nm.VILLAGE_PARTS, nm.VILLAGE_SUFFIX))
    regions = [
        RegionRow(PROVINCE[0], PROVINCE[1], 1, None, ""),
        RegionRow(CITY[0], CITY[1], 2, PROVINCE[0], ""),
        RegionRow(COUNTY[0], COUNTY[1], 3, CITY[0], ""),
    ]
    villages: list[tuple[str, str, str, str, bool]] = []
    for i, ((tname, kind), tnum) in enumerate(zip(nm.TOWNSHIP_NAMES, _TOWNSHIP_CODES, strict=True)):
        tcode = f"{COUNTY6}{tnum:03d}000"
        regions.append(RegionRow(tcode, tname, 4, COUNTY[0], kind))
        n = per_township[i]
        if i < 4:  # street office: communities only
            n_comm = n
        elif i < 8:  # town: the town seat's communities and villages
            n_comm = max(2, round(n * 0.15))
        else:  # xiang: one community at the seat
            n_comm = 1
        n_vill = n - n_comm
        if n_comm > 199 or n_vill > 199:
            raise ValueError(
                f"too many villages for township {tname}: {n_comm} communities, {n_vill} villages"
            )
        for j in range(n_comm):
            code = f"{tcode[:9]}{j + 1:03d}"
            name = next(community_names)
            regions.append(RegionRow(code, name, 5, tcode, "urban"))
            villages.append((code, name, tname, tcode, True))
        for j in range(n_vill):
            code = f"{tcode[:9]}{200 + j + 1:03d}"
            name = next(village_names)
            regions.append(RegionRow(code, name, 5, tcode, "rural"))
            villages.append((code, name, tname, tcode, False))
    v_code, v_name, t_name, t_code, v_urban = (list(column) for column in zip(*villages, strict=True))
    urban = np.array(v_urban)
    # Communities are larger than villages; sizes vary (log-normal).
    weight = np.where(urban, 1.6, 1.0) * rng.lognormal(0.0, 0.35, size=len(v_code))
    return Geography(
        regions=regions,
        village_code=np.array(v_code),
        village_name=np.array(v_name),
        township_name=np.array(t_name),
        township_code=np.array(t_code),
        village_urban=urban,
        village_weight=weight / weight.sum(),
    )
