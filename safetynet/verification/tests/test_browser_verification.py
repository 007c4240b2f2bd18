"""The verification centre in a real browser (headless Chromium, Playwright): the verification
officer starts a run for a township against the simulated department server
(``safetynet departments serve``, started as its own process on a free port, answering one
record in eight without an identity number), sees the run finish, opens a household's report,
and confirms one fuzzy-match candidate, which then appears in that household's report.

Run: ``.venv/bin/pytest -q -m browser safetynet/verification/tests/test_browser_verification.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from django.conf import settings as django_settings

from safetynet.synth.services import DEMO_PASSWORD
from safetynet.verification.models import HouseholdReport, MatchCandidate, Run

pytestmark = pytest.mark.browser

TOWNSHIP = "320125101000"


@pytest.fixture
def department_server(county):
    """``safetynet departments serve`` as a real process, on a free port."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    proc = subprocess.Popen(
        [
            sys.executable,
            str(Path(django_settings.BASE_DIR) / "manage.py"),
            "departments",
            "serve",
            "--port",
            "0",
            "--datasets-dir",
            str(county["dir"]),
            "--unidentified",
            "8",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not match:
        proc.kill()
        pytest.fail(f"department server did not start: {line}")
    yield f"http://127.0.0.1:{match.group(1)}"
    proc.terminate()
    proc.wait(timeout=10)


def sign_in(page, base_url: str, user) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/accounts/login/totp/$"))
    user.refresh_from_db()
    page.fill("#id_code", pyotp.TOTP(user.totp_secret).now())
    page.click("button[type=submit].primary")
    page.wait_for_url(base_url + "/")


def shot(page, name: str) -> None:
    folder = os.environ.get("SAFETYNET_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_officer_runs_a_township_reads_a_report_and_confirms_a_candidate(
    live_server,
    new_page,  # noqa: F811
    county,
    department_server,
    settings,  # noqa: F811
):
    settings.VERIFICATION_WORK_DIR = county["work"]
    settings.VERIFICATION_DATASETS_DIR = county["dir"]
    page = new_page()
    page.set_default_timeout(120_000)  # the run itself is part of the POST
    sign_in(page, live_server.url, county["verifier"])

    # start a run for the township over HTTP against the department server
    page.goto(live_server.url + "/verification/")
    page.fill("#id_region_code", TOWNSHIP)
    for box in page.locator("input[name=departments]").all():
        box.uncheck()
    page.check("input[name=departments][value=public_security]")
    page.check("input[name=departments][value=banking]")
    page.select_option("#id_transport", "http")
    page.fill("#id_server_url", department_server)
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/verification/runs/\d+/$"))

    # progress and finish
    assert page.inner_text("#run-stage") == "完成"
    assert page.inner_text("#run-status") in ("已完成", "部分完成")
    assert page.get_attribute("progress", "value") == "5"
    run = Run.objects.get()
    assert run.transport == "http" and run.stage == "done"
    shot(page, "verification-run")

    # a household's report
    page.click("#discrepancies tbody a >> nth=0")
    page.wait_for_url(re.compile(r"/verification/reports/\d+/$"))
    assert "家庭经济状况核对报告" in page.inner_text("h1")
    assert page.locator("#report-findings tbody tr").count() >= 1

    # the fuzzy candidates: department record and registry person side by side; confirm one
    page.goto(f"{live_server.url}/verification/runs/{run.pk}/")
    page.click("#run-candidates a")
    page.wait_for_url(re.compile(r"/verification/runs/\d+/candidates/$"))
    first = page.locator("section.candidate").first
    candidate = MatchCandidate.objects.get(pk=int(first.get_attribute("id").split("-")[1]))
    assert candidate.person.name in first.inner_text()
    assert candidate.person.id_masked in first.inner_text()  # masked; reveal is a logged action
    shot(page, "verification-candidates")
    first.locator("button[value=confirm]").click()  # no reason: refused, nothing stored
    assert page.locator("section.candidate input[name=reason]:invalid").count() >= 1
    candidate.refresh_from_db()
    assert candidate.status == "pending"
    first.locator("input[name=reason]").fill("姓名同音，出生日期与住址一致")
    first.locator("button[value=confirm]").click()
    page.wait_for_url(re.compile(r"/verification/runs/\d+/candidates/$"))
    assert "已确认" in page.inner_text("body")
    candidate.refresh_from_db()
    assert candidate.status == "confirmed" and candidate.decided_by == county["verifier"]

    # the confirmed record is now in that household's report
    report = HouseholdReport.objects.get(run=run, household=candidate.household)
    page.goto(f"{live_server.url}/verification/reports/{report.pk}/")
    notes = page.inner_text("#report-findings")
    assert candidate.person.name in notes
    assert any(f["note"] and f["note"] in notes for f in candidate.findings)
