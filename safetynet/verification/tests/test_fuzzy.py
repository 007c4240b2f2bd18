"""Fuzzy matching proposes candidates (Chinese names by characters and pinyin, surnames, birth
date, address) for department records without an identity number, and never merges: a
verification officer confirms (the record becomes that person's findings, the same way as an
identified record) or rejects (kept as rejected)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

pytest.importorskip("splink")

from safetynet.accounts.models import User  # noqa: E402
from safetynet.core.models import ChangeLog  # noqa: E402
from safetynet.verification import fuzzy, services  # noqa: E402
from safetynet.verification.models import Finding, HouseholdReport, MatchCandidate, Request  # noqa: E402
from safetynet.verification.tests.conftest import start  # noqa: E402

PERSONS = [
    {"unique_id": "p0", "name": "张伟", "birth_date": "1980-01-02", "address": "示范县河口镇王家村12号"},
    {"unique_id": "p1", "name": "李芳", "birth_date": "1982-05-06", "address": "示范县城关街道锦绣社区3栋"},
    {"unique_id": "p2", "name": "王秀英", "birth_date": "1950-03-04", "address": "示范县青山乡新桃花村5号"},
    {"unique_id": "p3", "name": "张伟", "birth_date": "1991-07-08", "address": "示范县城关街道锦绣社区9栋"},
    {"unique_id": "p4", "name": "赵磊", "birth_date": "1988-09-10", "address": "示范县河口镇北育才社区"},
    {"unique_id": "p5", "name": "欧阳娜", "birth_date": "1975-11-12", "address": "示范县河口镇东街1号"},
    {"unique_id": "p6", "name": "单明", "birth_date": "1966-02-03", "address": "示范县青山乡石桥村2号"},
]


def _best(found):
    best = {}
    for c in found.candidates:
        best.setdefault(c["record"], (c["person"], c["probability"], c["levels"]))
    return best


def test_name_parts_surnames_and_pinyin():
    assert fuzzy.name_parts("欧阳娜") == ("欧阳娜", "ouyang", "na")
    assert fuzzy.name_parts("单明")[1] == "shan"  # the surname reading, not dān
    assert fuzzy.name_parts("Zhang Wei") == ("", "zhang", "wei")
    assert fuzzy.name_parts(" 章 伟 ")[1:] == fuzzy.name_parts("张伟")[1:]
    assert fuzzy.address_key("江苏省示范县河口镇王家村12号") == "河口镇王家村12号"


def test_candidates_for_homophones_pinyin_and_swapped_dates_within_blocks():
    records = [
        {"unique_id": "r0", "name": "章伟", "birth_date": "1980-01-02", "address": "河口镇王家村12号"},
        {"unique_id": "r1", "name": "王秀英", "birth_date": "1950-03-04", "address": "青山乡新桃花村"},
        {"unique_id": "r2", "name": "钱多多", "birth_date": "1970-01-01", "address": "外省"},
        {"unique_id": "r3", "name": "Ouyang Na", "birth_date": "1975-11-12", "address": "河口镇东街1号"},
        {"unique_id": "r4", "name": "单明", "birth_date": "1966-03-02", "address": "青山乡石桥村2号"},
        {"unique_id": "r5", "name": "赵磊", "birth_date": "1998-09-10", "address": "河口镇北育才社区"},
    ]
    found = fuzzy.candidates(records, PERSONS, threshold=0.05, count_rules=True)
    best = _best(found)
    assert best["r0"][0] == "p0"  # 章伟 ≈ 张伟 by pinyin, same birth date; not the other 张伟
    assert best["r0"][2]["name"] == 1  # level "同音"
    assert best["r1"][0] == "p2" and best["r1"][2]["name"] == 0
    assert "r2" not in best
    assert best["r3"][0] == "p5"  # typed in pinyin
    assert best["r4"][0] == "p6" and best["r4"][2]["birth_date"] == 1  # day and month swapped
    assert best["r5"][0] == "p4" and best["r5"][2]["birth_date"] == 1  # a mistyped year
    # blocking: only same birth date; same pinyin name and birth year; same pinyin name and day
    assert found.pairs == 5
    assert [n for _rule, n in found.pairs_by_rule] == [3, 1, 1]


@pytest.fixture
def fuzzy_run(county, settings):
    settings.VERIFICATION_SIMULATED_UNIDENTIFIED = 8
    settings.VERIFICATION_WORK_DIR = county["work"]
    settings.VERIFICATION_DATASETS_DIR = county["dir"]
    run = start(county, region_code="320125101000", departments=["public_security", "banking"])
    return services.run_execute(run=run, datasets_dir=county["dir"])


def test_run_holds_unidentified_records_as_candidates_never_merged(fuzzy_run):
    run = fuzzy_run
    assert run.stage == "done", run.error
    cands = MatchCandidate.objects.filter(run=run)
    assert cands.exists() and not cands.exclude(status="pending").exists()
    # every candidate person was asked about, for that department, under an authorisation
    for c in cands[:50]:
        assert Request.objects.filter(run=run, person_id=c.person_id, department=c.department).exists()
        assert c.findings and c.record["fields"]["name"]
    # nothing of an unidentified record is a finding before a person confirms
    keys = {f["key"] for c in cands for f in c.findings}
    assert all("@" in k for k in keys)
    assert not Finding.objects.filter(run=run, key__in=keys).exists()
    # most unidentified records have their true person as the best candidate (synthetic truth)
    assert cands.filter(rank=1, probability__gte=0.9).count() >= cands.filter(rank=1).count() * 0.7
    # a resumed findings stage stores no candidate twice
    before = cands.count()
    services._stage_findings(run)
    assert MatchCandidate.objects.filter(run=run).count() == before


def test_confirm_turns_the_record_into_findings_and_refreshes_the_report(fuzzy_run, county):
    run = fuzzy_run
    officer = county["verifier"]
    c = MatchCandidate.objects.filter(run=run, rank=1).order_by("-probability").first()
    with pytest.raises(ValidationError):
        fuzzy.candidate_decide(actor=officer, candidate=c, confirm=True, reason=" ")
    before = Finding.objects.filter(run=run, person=c.person).count()
    fuzzy.candidate_decide(actor=officer, candidate=c, confirm=True, reason="姓名同音、出生日期和住址一致")
    c.refresh_from_db()
    assert c.status == "confirmed" and c.decided_by == officer and c.decided_at and c.reason
    keys = {f["key"] for f in c.findings}
    assert (
        set(Finding.objects.filter(run=run, person=c.person, key__in=keys).values_list("key", flat=True))
        == keys
    )
    assert Finding.objects.filter(run=run, person=c.person).count() >= before
    report = HouseholdReport.objects.get(run=run, household=c.household)
    assert any(f["person"] == c.person.name for f in report.data["findings"])
    assert ChangeLog.objects.filter(object_type="verification.matchcandidate", object_id=str(c.pk)).exists()
    # the other candidates of that record are rejected; a decided candidate cannot be decided again
    assert not MatchCandidate.objects.filter(
        run=run, department=c.department, record_key=c.record_key, status="pending"
    ).exists()
    with pytest.raises(ValidationError):
        fuzzy.candidate_decide(actor=officer, candidate=c, confirm=False, reason="改变主意")


def test_reject_keeps_the_candidate_and_makes_no_findings(fuzzy_run, county):
    run = fuzzy_run
    c = MatchCandidate.objects.filter(run=run, status="pending").order_by("probability").first()
    n = Finding.objects.filter(run=run).count()
    fuzzy.candidate_decide(actor=county["verifier"], candidate=c, confirm=False, reason="出生日期不符")
    c.refresh_from_db()
    assert c.status == "rejected" and Finding.objects.filter(run=run).count() == n


def test_pages_and_api_for_candidates(fuzzy_run, county):
    run = fuzzy_run
    c = Client()
    c.force_login(county["verifier"])
    page = c.get(reverse("verification:candidates", args=[run.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    cand = MatchCandidate.objects.filter(run=run, status="pending").select_related("person").first()
    assert cand.person.name in html and cand.person.id_masked in html
    r = c.post(reverse("verification:candidate_decide", args=[cand.pk]), {"decision": "reject", "reason": ""})
    assert r.status_code == 200 and "请填写" in r.content.decode()  # nothing stored
    cand.refresh_from_db()
    assert cand.status == "pending"
    r = c.post(
        reverse("verification:candidate_decide", args=[cand.pk]),
        {"decision": "reject", "reason": "住址不符"},
    )
    assert r.status_code == 302
    cand.refresh_from_db()
    assert cand.status == "rejected"
    api = c.get(f"/api/v1/verification/runs/{run.pk}/candidates?status=pending")
    assert api.status_code == 200 and api.json() and api.json()[0]["status"] == "pending"
    other = api.json()[0]
    r = c.post(
        f"/api/v1/verification/candidates/{other['id']}/decision",
        {"decision": "confirm", "reason": "核对无误"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "confirmed", r.content
    r = c.post(
        f"/api/v1/verification/candidates/{other['id']}/decision",
        {"decision": "confirm", "reason": "再次"},
        content_type="application/json",
    )
    assert r.status_code == 422
    # a caseworker reads but does not decide; a resident sees nothing
    caseworker = Client()
    caseworker.force_login(User.objects.get(username="demo_caseworker"))
    r = caseworker.post(
        reverse("verification:candidate_decide", args=[cand.pk]), {"decision": "confirm", "reason": "x"}
    )
    assert r.status_code == 403
    resident = Client()
    resident.force_login(User.objects.get(username="demo_resident"))
    assert resident.get(reverse("verification:candidates", args=[run.pk])).status_code == 403
