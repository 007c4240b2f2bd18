"""Builders of the workflow tests: uploads, a stand-in for the rules engine, and helpers that
walk a case along the dibao path (the same calls the UI and the API make)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from safetynet.applications import choices as c
from safetynet.applications import services as s

TODAY = dt.date(2026, 11, 2)  # a Monday; the notice of 7 days ends on the 8th

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n160\n%%EOF\n"
)


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return buffer.getvalue()


class Upload(io.BytesIO):
    def __init__(self, content: bytes, name: str) -> None:
        super().__init__(content)
        self.name = name


@dataclass
class FakeRules:
    eligible: bool = True
    amount: str = "760.00"

    def __call__(self, *, actor, household, month, purpose):
        from safetynet.eligibility.models import DecisionSnapshot
        from safetynet.registry.models import Membership

        members = [
            str(m.person_id)
            for m in Membership.objects.filter(household=household, end_date__isnull=True, counted=True)
        ]
        tests = [
            {
                "code": "DB_INCOME",
                "label_zh": "月人均收入低于低保标准",
                "value": 300.0 if self.eligible else 1200.0,
                "operator": "<",
                "threshold": 800.0,
                "passed": self.eligible,
                "reference": "社会救助法 第18条",
            },
            {
                "code": "DB_MONETARY",
                "label_zh": "人均货币财产不超过上限",
                "value": 0,
                "operator": "<=",
                "threshold": 24000.0,
                "passed": True,
                "reference": "审核确认办法 第14条",
            },
        ]
        entry = {
            "label_zh": "最低生活保障",
            "eligible": self.eligible,
            "monthly_amount": float(self.amount) if self.eligible else 0.0,
            "members": members,
            "tests": tests,
            "distance": {"zh": "月人均收入低于标准 500 元" if self.eligible else "月人均收入高于标准 400 元"},
        }
        outputs = {key: {**entry, "label_zh": str(label)} for key, label in c.Program.choices}
        return DecisionSnapshot.objects.create(
            household=household,
            region_code=household.region_code,
            month=month,
            purpose=purpose,
            inputs={"household": household.pk},
            outputs=outputs,
            rules_version="test",
            created_by=actor,
        )


def apply(personas, household, programs=("dibao",), today=TODAY, **kw):
    from safetynet.registry.models import Membership

    head = Membership.objects.get(household=household, relation="self", end_date__isnull=True)
    data = s.ApplicationInput(
        household_id=household.pk,
        applicant_id=head.person_id,
        programs=list(programs),
        commitment_signed=kw.pop("commitment_signed", True),
        materials=kw.pop("materials", ["application_form", "id_cards", "hukou"]),
        **kw,
    )
    return s.application_submit(actor=personas.alice, data=data, today=today)


def authorise_all(personas, case, today=TODAY):
    from safetynet.applications.selectors import authorisation_needs
    from safetynet.registry.models import Membership

    adults = [
        m.person
        for m in Membership.objects.filter(household=case.household, end_date__isnull=True)
        if (m.person.age_on(today) or 99) >= 18
    ]
    for need in authorisation_needs(household=case.household, today=today):
        if need.done:
            continue
        signer = need.person if need.role != c.AuthRole.GUARDIAN else adults[0]
        s.authorisation_record(
            actor=personas.alice,
            case=case,
            person=need.person,
            signed_by=signer,
            role=need.role,
            scope=["deposits", "real_estate", "vehicles"],
            purpose="最低生活保障审核确认",
            valid_from=today,
            esign_record=f"ES-{need.person.pk}",
            today=today,
        )


def investigate(personas, case, today=TODAY):
    s.visit_record(
        actor=personas.alice,
        case=case,
        kind="home",
        visited_on=today,
        investigators=["艾丽", "王干事"],
        family_signatures=["张伟"],
        findings="家中仅有基本生活用品，夫妻务农，收入微薄。",
        today=today,
    )
    s.verification_attach(
        actor=personas.alice,
        case=case,
        issuer="示范县社会救助家庭经济状况核对中心",
        received_on=today,
        summary="未发现存款、车辆、房产以外的财产",
        upload=Upload(PDF, "report.pdf"),
        report_number="HD-1",
        today=today,
    )


def to_opinion(personas, case, today=TODAY, amount="760.00"):
    """submitted → accepted → authorised → investigating → assessed → opinion."""
    case = s.case_accept(actor=personas.alice, case=case, today=today)
    authorise_all(personas, case, today)
    case = s.case_move(actor=personas.alice, case=case, action="authorise", today=today)
    case = s.case_move(actor=personas.alice, case=case, action="investigate", today=today)
    investigate(personas, case, today)
    case = s.case_assess(actor=personas.alice, case=case, today=today)
    return s.case_propose(
        actor=personas.alice,
        case=case,
        eligible=True,
        opinion="家庭人均收入低于当地低保标准，拟同意。",
        amount=amount,
        today=today,
    )


def to_review(personas, case, today=TODAY):
    """… → notice (7 days) → county review, without objections."""
    case = to_opinion(personas, case, today)
    notice = s.notice_publish(
        actor=personas.alice,
        village_code=case.region_code,
        case_ids=[case.pk],
        contact_phone="0512-1234567",
        contact_address="东河镇民政办",
        today=today,
    )
    s.notice_close(actor=personas.alice, notice=notice, today=notice.end_date + dt.timedelta(days=1))
    case.refresh_from_db()
    return case


def approval(case, **kw):
    data = s.approval_defaults(case)
    for key, value in kw.items():
        setattr(data, key, value)
    return data


AMOUNT = Decimal("760.00")
