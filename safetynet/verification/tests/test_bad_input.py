"""Bad result files: the run is marked partial, problems are listed per file and row, nothing
from a rejected file is stored, and the rest completes."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet  # noqa: F401

from safetynet.verification import exchange, services
from safetynet.verification.models import FileProblem, Finding, HouseholdReport
from safetynet.verification.tests.conftest import start


def test_bad_files_make_a_partial_run(county):
    run = start(county, departments=["banking", "securities", "human_resources"])
    # the departments deliver their own files before the exchange stage
    services._stage_requests(run)
    services._advance(run, "exchange", None)
    inbox = Path(run.work_dir) / "inbox"
    asked = [
        r
        for r in pa.parquet.read_table(Path(run.work_dir) / "outbox" / "banking.parquet")
        .column(0)
        .to_pylist()
    ]
    bank = pa.table(
        {
            "pseudonym": asked[:3] + ["someone-else"],
            "bank_name": ["工商银行"] * 4,
            "product": ["活期储蓄"] * 4,
            "balance": ["1000", "abc", "2,500.5", "9"],
        }
    )
    exchange.result_write(bank, inbox / "banking" / "bank", "csv-gbk")
    securities = pa.table({"pseudonym": asked[:2], "broker": ["华泰证券"] * 2})  # market_value missing
    exchange.result_write(securities, inbox / "securities" / "securities", "parquet")
    (inbox / "securities" / "notes.txt").write_text("x")
    run = services.run_execute(run=run, datasets_dir=county["dir"])
    assert run.status == "partial" and run.stage == "done"
    problems = {(p.department, p.file, p.row): p.message for p in FileProblem.objects.filter(run=run)}
    assert ("banking", "bank.csv", 3) in problems and "abc" in problems[("banking", "bank.csv", 3)]
    assert ("banking", "bank.csv", 5) in problems  # not a person of this run
    assert any(
        k[:2] == ("securities", "securities.parquet") and "market_value" in v for k, v in problems.items()
    )
    assert any(k[:2] == ("securities", "notes.txt") for k in problems)
    assert not Finding.objects.filter(run=run, department="securities").exists()
    amounts = sorted(
        float(a)
        for a in Finding.objects.filter(run=run, department="banking").values_list("amount", flat=True)
    )
    assert amounts == [1000.0, 2500.5]
    assert Finding.objects.filter(run=run, department="human_resources").exists()  # the rest completed
    assert HouseholdReport.objects.filter(run=run).exists()


def test_impossible_values_and_repeated_rows_are_named_and_left_out(county):
    """A negative amount, a date after the as-of date or not a date, and an exact repeat of an
    earlier row: each named by file and row, the row left out, the rest of the file kept. Two
    conflicting rows of one person with the same key give one finding."""
    run = start(county, departments=["public_security", "banking"])
    services._stage_requests(run)
    services._advance(run, "exchange", None)
    inbox = Path(run.work_dir) / "inbox"
    asked = (
        pa.parquet.read_table(Path(run.work_dir) / "outbox" / "public_security.parquet").column(0).to_pylist()
    )
    vehicles = pa.table(
        {
            "pseudonym": [asked[0], asked[1], asked[2], asked[2], asked[3], asked[4], asked[4], asked[4]],
            "owner_name": ["甲", "乙", "丙", "丙", "丁", "戊", "戊", "戊"],
            "plate": ["苏A1", "苏A2", "苏A3", "苏A3", "苏A4", "苏A5", "苏A5", "苏A5"],
            "brand": ["大众", "大众", "丰田", "丰田", "本田", "比亚迪", "吉利", "比亚迪"],
            "registered_on": [
                "2024-05-01",
                "2027-01-01",
                "2023/03/04",
                "2023/03/04",
                "昨天",
                "2020-01-01",
                "2020-01-01",
                "20200101",
            ],
            "purchase_price": ["80000", "90000", "120000", "120000", "50000", "-1", "70000", "70000"],
            "status": ["正常"] * 8,
        }
    )
    exchange.result_write(vehicles, inbox / "public_security" / "vehicles", "csv")
    bank_path = inbox / "banking"
    bank_path.mkdir(parents=True, exist_ok=True)
    (bank_path / ".complete").touch()
    (inbox / "public_security" / ".complete").touch()
    run = services.run_execute(run=run, datasets_dir=county["dir"])
    assert run.status == "partial"
    problems = {p.row: p.message for p in FileProblem.objects.filter(run=run, file="vehicles.csv")}
    assert set(problems) == {3, 5, 6, 7}, problems
    assert "2027-01-01" in problems[3] and "2026-11-30" in problems[3]  # after the as-of date
    assert "第 5 行与第 4 行完全相同" in problems[5]
    assert "昨天" in problems[6]  # not a date
    assert "-1" in problems[7]  # a negative price
    keys = sorted(Finding.objects.filter(run=run, department="public_security").values_list("key", flat=True))
    assert keys == ["vehicle:苏A1", "vehicle:苏A3", "vehicle:苏A5"]  # rows 8 and 9 disagree: one kept
