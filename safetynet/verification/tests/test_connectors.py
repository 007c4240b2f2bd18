"""Each connector's mapping on the recorded samples committed under its tests/ folder
(CSV as a department would deliver it; expected findings checked by hand when recorded)."""

import json
from pathlib import Path

import duckdb
import pytest

from safetynet.verification import exchange
from safetynet.verification.connectors import NAMES, connector
from safetynet.verification.services import _cast_numeric

ROOT = Path(__file__).resolve().parents[1] / "connectors"


@pytest.mark.parametrize("name", NAMES)
def test_mapping_on_recorded_sample(name):
    con = connector(name)
    expected = json.loads((ROOT / name / "tests" / "expected.json").read_text())
    assert set(expected) == {d.name for d in con.datasets}
    for ds in con.datasets:
        table = exchange.result_read(ROOT / name / "tests" / f"sample_{ds.name}.csv")
        table = _cast_numeric(None, name, "", table, ds.numeric, [])
        db = duckdb.connect()
        db.register("answer", table)
        rows = sorted(
            [
                r[0],
                r[1],
                r[2],
                None if r[3] is None else round(r[3], 2),
                None if r[4] is None else round(r[4], 2),
                r[6],
            ]
            for r in db.execute(ds.sql).fetchall()
        )
        assert rows == expected[ds.name], ds.name
        assert all(r[1] in ("income", "asset", "expense", "fact") for r in rows)


def test_every_connector_has_the_same_shape():
    for name in NAMES:
        con = connector(name)
        assert con.department == name and con.items and con.datasets
        for ds in con.datasets:
            assert ds.columns[0] == "id_number"
            assert con.item_of(ds) in con.items


def test_gbk_and_xlsx_result_files_decode_like_utf8(tmp_path):
    table = exchange.result_read(ROOT / "banking" / "tests" / "sample_bank.csv")
    gbk = exchange.result_write(table, tmp_path / "bank_gbk", "csv-gbk")
    xlsx = exchange.result_write(table, tmp_path / "bank", "xlsx")
    assert exchange.result_read(gbk).to_pylist() == table.to_pylist()
    back = exchange.result_read(xlsx)
    assert back.column("name").to_pylist() == table.column("name").to_pylist()
    assert [float(v) for v in back.column("balance").to_pylist()] == [
        float(v) for v in table.column("balance").to_pylist()
    ]
