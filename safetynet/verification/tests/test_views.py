"""The verification centre pages: a verification officer runs a township and reads a report;
the findings appear in the household's eligibility situation; scope and roles are enforced."""

import datetime as dt

from django.test import Client
from django.urls import reverse

from safetynet.accounts.models import User
from safetynet.eligibility.situations import _pick
from safetynet.registry.models import Household, IncomeItem
from safetynet.verification.models import Discrepancy, HouseholdReport, Run


def Run_households(run):  # noqa: N802
    return HouseholdReport.objects.filter(run=run).values("household_id")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_officer_runs_a_township_and_reads_a_report(county, settings):
    settings.VERIFICATION_WORK_DIR = county["work"]
    settings.VERIFICATION_DATASETS_DIR = county["dir"]
    verifier = county["verifier"]
    c = _client(verifier)
    township = "320125101000"
    r = c.post(
        reverse("verification:run_create"),
        {"region_code": township, "departments": ["banking", "human_resources", "public_security"]},
    )
    run = Run.objects.get()
    assert r.status_code == 302 and run.stage == "done", run.error
    page = c.get(reverse("verification:run", args=[run.pk]))
    assert page.status_code == 200
    report = HouseholdReport.objects.filter(run=run).order_by("-concerns", "id").first()
    html = c.get(reverse("verification:report", args=[report.pk])).content.decode()
    assert report.household.number in html
    pdf = c.get(reverse("verification:report_pdf", args=[report.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # the situation builder picks the verification items over the declared ones
    items = list(IncomeItem.objects.filter(household__in=Run_households(run)))
    chosen = _pick(items, dt.date(2026, 11, 1))
    assert any(group[0].source == "verification" for group in chosen.values())
    assert c.get(reverse("verification:authorisations")).status_code == 200
    assert c.get(reverse("verification:queries")).status_code == 200
    assert not Discrepancy.objects.exclude(region_code__startswith="320125101").filter(run=run).exists()


def test_roles_and_scope(county):
    resident = User.objects.get(username="demo_resident")
    assert _client(resident).get(reverse("verification:runs")).status_code == 403
    caseworker = User.objects.get(username="demo_caseworker")  # township 河口镇 only
    c = _client(caseworker)
    r = c.post(reverse("verification:run_create"), {"region_code": "320125101000"})
    assert r.status_code == 403  # caseworkers read results, they do not run verifications
    assert Household.objects.exists()


def test_api_runs_and_report(county, settings):
    settings.VERIFICATION_WORK_DIR = county["work"]
    settings.VERIFICATION_DATASETS_DIR = county["dir"]
    c = _client(county["verifier"])
    r = c.post(
        "/api/v1/verification/runs",
        {"region_code": "320125101000", "departments": ["banking"]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    run = r.json()
    assert run["stage"] == "done"
    assert c.get(f"/api/v1/verification/runs/{run['id']}/discrepancies").status_code == 200
    report = HouseholdReport.objects.filter(run_id=run["id"]).first()
    got = c.get(f"/api/v1/verification/runs/{run['id']}/households/{report.household_id}")
    assert got.status_code == 200 and got.json()["household_number"] == report.household.number
    resident = _client(User.objects.get(username="demo_resident"))
    assert resident.get("/api/v1/verification/runs").status_code == 403
