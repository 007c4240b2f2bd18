"""The county officer's December payroll in a real browser: build, check, approve, download a
bank file, import a return file with two failures, see them on the correction list.

Run: ``.venv/bin/pytest -q -m browser tests/browser/test_payments_browser.py``."""

from __future__ import annotations

import re

import pytest

from safetynet.payments.testing import grant, make_household

from .test_household_browser import sign_in

pytestmark = pytest.mark.browser


def test_the_county_officer_pays_december_and_sees_two_failures(live_server, new_page, personas, tmp_path):
    for seq in (41, 42, 43):
        grant(personas.carol, make_household(personas.alice, seq=seq))
    page = new_page(accept_downloads=True)
    sign_in(page, live_server.url, personas.carol)
    page.goto(live_server.url + "/payments/")
    page.fill("input[name=month]", "2026-12")
    page.click("#build-form button[type=submit]")
    page.wait_for_url(re.compile(r"/payments/payrolls/\d+/$"))
    page.click("text=核对名册")
    assert "东河镇" in page.inner_text("main")
    page.click("text=审批并冻结")
    assert "已审批（冻结）" in page.inner_text("#payroll-state")
    page.click("text=生成代发文件")
    assert "6228480000000000041" not in page.content()
    with page.expect_download() as info:
        page.click("a.download")
    content = tmp_path / "bank.csv"
    info.value.save_as(content)
    rows = content.read_text().splitlines()
    head = rows[0].split(",")
    assert head[:3] == ["H", "2026-12", "3"]
    out = []
    for i, row in enumerate(rows[1:]):
        ref, _name, _account, amount = row.split(",")
        out.append(
            f"{ref},{amount},failed,{'closed_account' if i == 0 else 'name_mismatch'}"
            if i < 2
            else f"{ref},{amount},paid"
        )
    ret = tmp_path / "return.csv"
    ret.write_text(f"H,2026-12,3,{head[3]}\n" + "\n".join(out) + "\n")
    page.set_input_files("#return-form input[type=file]", str(ret))
    page.click("#return-form button[type=submit]")
    page.wait_for_selector("text=失败 2 笔")
    assert page.locator("#corrections tr.correction").count() == 2
    page.goto(live_server.url + "/payments/corrections/")
    body = page.inner_text("main")
    assert page.locator("tr.correction").count() == 2
    assert "账户已销户" in body and "户名不符" in body
