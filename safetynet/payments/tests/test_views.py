import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safetynet.core import testing
from safetynet.core.models import AccessLog
from safetynet.payments.models import BankFile, Correction, Payroll
from safetynet.payments.testing import grant


def login(client, user):
    client.force_login(user)
    return client


def test_the_county_officer_runs_december_through_the_pages(client, personas, county_households):
    for hh in county_households:
        grant(personas.carol, hh)
    login(client, personas.carol)
    r = client.post(reverse("payments:payrolls"), {"program": "dibao", "month": "2026-12"})
    payroll = Payroll.objects.get()
    assert r.url == reverse("payments:payroll", args=[payroll.pk])
    url = r.url
    client.post(url, {"action": "check"})
    page = client.get(url).content.decode()
    assert "东河镇" in page and "1500.00" in page
    client.post(url, {"action": "approve"})
    client.post(url, {"action": "files", "layout": "csv"})
    f = BankFile.objects.get(bank_name="农商银行")
    page = client.get(url).content.decode()
    assert "6228480000000000011" not in page  # masked on screen
    content = client.get(reverse("payments:file_download", args=[f.pk])).content.decode()
    assert "6228480000000000011" in content
    assert AccessLog.objects.filter(object_type="payments.bankfile").count() == 1
    lines = content.splitlines()[1:]
    body = []
    for i, row in enumerate(lines):
        ref, _n, _a, amount = row.split(",")
        body.append(f"{ref},{amount},failed,wrong_account" if i < 2 else f"{ref},{amount},paid")
    upload = SimpleUploadedFile("return.csv", ("H,2026-12,3,1500.00\n" + "\n".join(body)).encode())
    client.post(url, {"action": "return", "bank_file": f.pk, "file": upload})
    assert Correction.objects.count() == 2
    page = client.get(reverse("payments:corrections")).content.decode()
    assert page.count('class="correction"') == 2 and "账号错误" in page


def test_payroll_list_shows_the_report_chart(client, personas, county_households):
    grant(personas.carol, county_households[0])
    login(client, personas.carol)
    client.post(reverse("payments:payrolls"), {"program": "dibao", "month": "2026-12"})
    p = Payroll.objects.get()
    client.post(reverse("payments:payroll", args=[p.pk]), {"action": "check"})
    client.post(reverse("payments:payroll", args=[p.pk]), {"action": "approve"})
    page = client.get(reverse("payments:payrolls")).content.decode()
    assert "<svg" in page and "2026-12" in page


def test_a_caseworker_cannot_approve_or_download(client, personas, county_households):
    grant(personas.carol, county_households[0])
    from safetynet.payments import services

    payroll, _c = services.payroll_build(
        actor=personas.carol, county_code=testing.COUNTY, program="dibao", month=dt.date(2026, 12, 1)
    )
    services.payroll_check(actor=personas.carol, payroll=payroll)
    login(client, personas.alice)
    assert client.get(reverse("payments:payroll", args=[payroll.pk])).status_code == 200
    client.post(reverse("payments:payroll", args=[payroll.pk]), {"action": "approve"})
    assert Payroll.objects.get().state == "checked"
    services.payroll_approve(actor=personas.carol, payroll=payroll)
    f = services.bank_files_build(actor=personas.carol, payroll=payroll)[0]
    assert client.get(reverse("payments:file_download", args=[f.pk])).status_code == 403


def test_the_household_panel_shows_entitlement_and_recovery_balance(client, personas, county_households):
    from safetynet.payments import services

    hh = county_households[0]
    grant(personas.carol, hh)
    services.recovery_open(
        actor=personas.alice,
        household=hh,
        months=[{"month": "2026-10", "amount": "320.00"}],
        reason="多领",
        method="offset",
        instalment="100",
    )
    login(client, personas.alice)
    page = client.get(reverse("payments:household_panel", args=[hh.pk])).content.decode()
    assert "320.00" in page and "500.00" in page
    login(client, personas.bob)
    assert client.get(reverse("payments:household_panel", args=[hh.pk])).status_code == 404
