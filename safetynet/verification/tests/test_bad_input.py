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
