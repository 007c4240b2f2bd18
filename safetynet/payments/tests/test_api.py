"""The December payroll through /api/v1/: build, check, approve, files, return file, corrections."""

from safetynet.api.tests import conftest as api_conftest
from safetynet.api.tests.conftest import ApiClient
from safetynet.payments.models import BankFile
from safetynet.payments.testing import grant

api_as = api_conftest.api_as  # the shared fixture


def _ok(response, status=200):
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def test_december_payroll_through_the_api(api_as, personas, county_households):
    for hh in county_households[:2]:
        grant(personas.carol, hh)
    carol: ApiClient = api_as("carol")
    p = _ok(carol.post("/payrolls", {"month": "2026-12", "program": "dibao"}))
    assert p["state"] == "prepared" and p["total"] == "1000.00"
    again = _ok(carol.post("/payrolls", {"month": "2026-12", "program": "dibao"}))
    assert again["id"] == p["id"]
    assert _ok(carol.post(f"/payrolls/{p['id']}/check"))["check_report"]["balanced"] is True
    assert api_as("alice").post(f"/payrolls/{p['id']}/approve").status_code == 403
    assert _ok(carol.post(f"/payrolls/{p['id']}/approve"))["state"] == "approved"
    assert carol.post(f"/payrolls/{p['id']}/approve").status_code in (400, 409, 422)
    files = _ok(carol.post(f"/payrolls/{p['id']}/files"))
    f = BankFile.objects.get(pk=files[0]["id"])
    rows = bytes(f.content).decode().splitlines()[1:]
    body = [f"{r.split(',')[0]},{r.split(',')[3]},failed,wrong_account" for r in rows]
    content = f"H,2026-12,{len(body)},{f.total:.2f}\n" + "\n".join(body)
    imp = _ok(carol.post("/returns", {"bank_file": f.pk, "content": content}))
    assert imp["status"] == "accepted" and imp["failed"] == 2
    corrections = _ok(carol.get("/corrections"))
    assert len(corrections) == 2 and all("*" in c["account"] for c in corrections)
