"""Bank files as .xlsx (bank and 一卡通 layouts) and the expenditure report's Excel export."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safetynet.api.tests import conftest as api_conftest
from safetynet.core import testing
from safetynet.core.models import AccessLog
from safetynet.payments import services
from safetynet.payments.models import Payroll
from safetynet.payments.services import bankfiles
from safetynet.payments.testing import grant

api_as = api_conftest.api_as  # the shared fixture
NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def approved(carol, month=DEC, program="dibao"):
    payroll, _c = services.payroll_build(
        actor=carol, county_code=testing.COUNTY, program=program, month=month, cutoff=dt.date(2026, 12, 31)
    )
    services.payroll_check(actor=carol, payroll=payroll)
    return services.payroll_approve(actor=carol, payroll=payroll)


def sheet_rows(content: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_xlsx_bank_file_has_the_csv_layout_header_and_checksum(personas, county_households):
    for hh in county_households:
        grant(personas.carol, hh)
    payroll = approved(personas.carol)
    csv_files = {f.bank_name: f for f in services.bank_files_build(actor=personas.carol, payroll=payroll)}
    xlsx_files = {
        f.bank_name: f
        for f in services.bank_files_build(actor=personas.carol, payroll=payroll, layout="xlsx")
    }
    assert set(xlsx_files) == set(csv_files) == {"农商银行", "建设银行"}
    x, c = xlsx_files["农商银行"], csv_files["农商银行"]
    assert x.name.endswith(".xlsx") and x.checksum == c.checksum and x.total == c.total
    rows = sheet_rows(bytes(x.content))
    assert rows[0] == ("H", "2026-12", "3", f"{c.total:.2f}", c.checksum)
    csv_body = [line.split(",") for line in bytes(c.content).decode().splitlines()[1:]]
    assert [(r[0], r[1], r[2], f"{r[3]:.2f}") for r in rows[1:]] == [tuple(b) for b in csv_body]
    assert all(r[2].startswith("6228480") for r in rows[1:])  # accounts in clear, as text
    # the return file reconciles against the .xlsx file as well
    ref = rows[1][0]
    lines = [
        f"{r[0]},{r[3]:.2f},paid" if r[0] != ref else f"{r[0]},{r[3]:.2f},failed,closed_account"
        for r in rows[1:]
    ]
    content = f"H,2026-12,{len(lines)},{x.total:.2f}\n" + "\n".join(lines)
    imp = services.return_file_import(actor=personas.carol, bank_file=x, content=content.encode())
    assert imp.status == "accepted" and imp.paid == 2 and imp.failed == 1


def test_yikatong_xlsx_layout_and_the_row_limit(personas, county_households, monkeypatch):
    for hh in county_households:
        grant(personas.carol, hh)
    payroll = approved(personas.carol)
    files = services.bank_files_build(actor=personas.carol, payroll=payroll, layout="ykt_xlsx")
    rows = sheet_rows(bytes(files[0].content))
    assert rows[1][4] == "社会救助" and rows[1][5] == "202612" and rows[1][1].startswith("6228480")
    ykt_csv = services.bank_files_build(actor=personas.carol, payroll=payroll, layout="yikatong")
    assert {f.checksum for f in ykt_csv} == {f.checksum for f in files}
    monkeypatch.setattr(bankfiles, "EXCEL_MAX_ROWS", 3)  # header + 2 rows
    with pytest.raises(ValidationError, match="Excel 行数上限"):
        services.bank_files_build(actor=personas.carol, payroll=payroll, layout="xlsx")
    with pytest.raises(ValidationError, match="未知的文件格式"):
        services.bank_files_build(actor=personas.carol, payroll=payroll, layout="pdf")


def test_xlsx_download_is_logged_and_the_page_shows_masked_accounts(client, personas, county_households):
    for hh in county_households:
        grant(personas.carol, hh)
    payroll = approved(personas.carol)
    client.force_login(personas.carol)
    url = reverse("payments:payroll", args=[payroll.pk])
    client.post(url, {"action": "files", "layout": "xlsx"})
    f = payroll.files.get(bank_name="农商银行")
    page = client.get(url).content.decode()
    assert "6228480" not in page and "银行代发 Excel" in page
    before = AccessLog.objects.count()
    r = client.get(reverse("payments:file_download", args=[f.pk]))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats") and r.content == bytes(f.content)
    assert AccessLog.objects.count() == before + 1


def test_expenditure_report_by_program_and_township_month_on_month(client, personas, county_households):
    a, b, c, d = county_households
    grant(personas.carol, a, first=NOV)
    grant(personas.carol, d, first=NOV)
    approved(personas.carol, month=NOV)
    grant(personas.carol, b)  # a new household from December
    approved(personas.carol, month=DEC)
    report = services.expenditure_report(user=personas.carol)
    prog = [
        (f"{r['month']:%Y-%m}", r["program"], r["total"], r["recipients"], r["change"])
        for r in report["by_program"]
    ]
    assert prog == [
        ("2026-11", "dibao", Decimal("1000.00"), 2, None),
        ("2026-12", "dibao", Decimal("1500.00"), 3, Decimal("500.00")),
    ]
    towns = {(f"{r['month']:%Y-%m}", r["township_code"]): r for r in report["by_township"]}
    assert towns[("2026-12", testing.TOWNSHIP_A)]["change"] == Decimal("500.00")
    assert towns[("2026-12", testing.TOWNSHIP_B)]["change"] == Decimal("0.00")
    assert towns[("2026-12", testing.TOWNSHIP_A)]["change_pct"] == "100.0%"
    client.force_login(personas.carol)
    r = client.get(reverse("payments:report_export"))
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["按项目", "按乡镇"]
    head = [cell.value for cell in book["按项目"][1]]
    assert head[:5] == ["月份", "救助项目", "项目代码", "支出（元）", "保障户数"]
    assert book["按项目"]["B2"].value == "最低生活保障" and book["按项目"]["D3"].value == 1500
    town_names = {row[3] for row in book["按乡镇"].iter_rows(min_row=2, values_only=True)}
    assert "东河镇" in town_names
    # a township caseworker exports the county's aggregates (no personal data in the report)
    client.force_login(personas.bob)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("payments:report_export")).content))
    assert book["按项目"]["D3"].value == 1500


def test_report_through_the_api(api_as, personas, county_households):
    grant(personas.carol, county_households[0])
    approved(personas.carol)
    carol = api_as("carol")
    data = carol.get("/payments/reports/expenditure").json()
    assert data["by_program"][0]["total"] == "500.00" and data["by_program"][0]["month"] == "2026-12"
    r = carol.get("/payments/reports/expenditure.xlsx")
    assert r.status_code == 200 and openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames == [
        "按项目",
        "按乡镇",
    ]
    f = services.bank_files_build(actor=personas.carol, payroll=Payroll.objects.get(), layout="xlsx")[0]
    r = carol.get(f"/payments/files/{f.pk}/download")
    assert r.status_code == 200 and r.content == bytes(f.content)


def test_a_holder_name_with_a_comma_is_quoted_and_checksums_agree():
    from safetynet.payments.services.bankfiles import _body_text

    rows = [("1-1", "王,五", "6228", Decimal("1.00")), ("1-2", "李四", "6229", Decimal("2.50"))]
    assert _body_text("csv", DEC, rows) == '1-1,"王,五",6228,1.00\n1-2,李四,6229,2.50\n'
    assert _body_text("csv", DEC, rows[1:]) == "1-2,李四,6229,2.50\n"
    assert _body_text("yikatong", DEC, rows[1:]) == "1-2,6229,李四,2.50,社会救助,202612\n"
