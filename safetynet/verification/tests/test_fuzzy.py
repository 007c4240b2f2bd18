"""Fuzzy matching proposes candidates (Chinese names by characters and pinyin, birth date,
address) and never merges: a person confirms."""

import pytest

pytest.importorskip("splink")

from safetynet.verification import fuzzy  # noqa: E402

PERSONS = [
    {"unique_id": "p0", "name": "张伟", "birth_date": "1980-01-02", "address": "示范县河口镇王家村12号"},
    {"unique_id": "p1", "name": "李芳", "birth_date": "1982-05-06", "address": "示范县城关街道锦绣社区3栋"},
    {"unique_id": "p2", "name": "王秀英", "birth_date": "1950-03-04", "address": "示范县青山乡新桃花村5号"},
    {"unique_id": "p3", "name": "张伟", "birth_date": "1991-07-08", "address": "示范县城关街道锦绣社区9栋"},
    {"unique_id": "p4", "name": "赵磊", "birth_date": "1988-09-10", "address": "示范县河口镇北育才社区"},
]


def test_candidates_for_homophone_and_exact_names_only_within_blocks():
    records = [
        {"unique_id": "r0", "name": "章伟", "birth_date": "1980-01-02", "address": "河口镇王家村12号"},
        {"unique_id": "r1", "name": "王秀英", "birth_date": "1950-03-04", "address": "青山乡新桃花村"},
        {"unique_id": "r2", "name": "钱多多", "birth_date": "1970-01-01", "address": "外省"},
    ]
    found, pairs = fuzzy.candidates(records, PERSONS, threshold=0.05)
    best = {}
    for rec, per, p in found:
        best.setdefault(rec, (per, p))
    assert best["r0"][0] == "p0"  # 章伟 ≈ 张伟 by pinyin, same birth date; not the other 张伟
    assert best["r1"][0] == "p2"
    assert "r2" not in best
    assert pairs == 2  # blocking: only same birth date or same pinyin name and birth year
