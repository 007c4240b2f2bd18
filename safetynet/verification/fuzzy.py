"""Fuzzy matching (疑似匹配) of records without a usable identity number against registry
persons, with Splink on DuckDB. Comparisons that work for Chinese names (the characters, and
the pinyin via pypinyin so that 张伟/章伟 or a typed-in-pinyin name still compare), birth date
and address; blocking rules that bound the pair count (same birth date; same pinyin name and
birth year). Results are candidates for a person to confirm — never merged automatically."""

from __future__ import annotations

import pyarrow as pa
from pypinyin import lazy_pinyin

BLOCKING = [
    ("birth_date",),
    ("name_pinyin", "birth_year"),
]


def _prepare(rows: list[dict], prefix: str) -> pa.Table:
    out = []
    for i, r in enumerate(rows):
        name = (r.get("name") or "").strip()
        birth = r.get("birth_date")
        birth = birth.isoformat() if birth is not None and hasattr(birth, "isoformat") else (birth or None)
        out.append(
            {
                "unique_id": str(r.get("unique_id", f"{prefix}{i}")),
                "name": name or None,
                "name_pinyin": "".join(lazy_pinyin(name)) if name else None,
                "surname_pinyin": lazy_pinyin(name[:1])[0] if name else None,
                "birth_date": birth,
                "birth_year": birth[:4] if birth else None,
                "address": (r.get("address") or "").strip() or None,
            }
        )
    return pa.Table.from_pylist(out)


def settings():
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.ExactMatch("name"),
            cl.JaroWinklerAtThresholds("name_pinyin", [0.95, 0.85]),
            cl.LevenshteinAtThresholds("birth_date", [1, 2]),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
        ],
        blocking_rules_to_generate_predictions=[block_on(*cols) for cols in BLOCKING],
        retain_intermediate_calculation_columns=False,
    )


def candidates(records: list[dict], persons: list[dict], *, threshold: float = 0.5, max_pairs: float = 1e6):
    """The candidate pairs (record id, person id, match probability) at or above ``threshold``,
    best first per record, and the number of pairs the blocking rules let through (all of them
    scored). m probabilities are Splink's defaults (not trained on labelled pairs); u
    probabilities are estimated by random sampling."""
    from splink import DuckDBAPI, Linker

    db = DuckDBAPI()
    left = db.register(_prepare(records, "r"), table_name="records")
    right = db.register(_prepare(persons, "p"), table_name="persons")
    cfg = settings()
    cfg.probability_two_random_records_match = 1 / max(len(persons), 1)
    linker = Linker([left, right], cfg)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs)
    result = linker.inference.predict()
    rows = db.duckdb_con.execute(
        f"SELECT unique_id_l, unique_id_r, source_dataset_l, match_probability FROM {result.physical_name}"
    ).fetchall()
    out = []
    for a, b, src, p in rows:
        rec, per = (a, b) if src == "records" else (b, a)
        if p >= threshold:
            out.append((rec, per, float(p)))
    out.sort(key=lambda t: (t[0], -t[2]))
    return out, len(rows)
