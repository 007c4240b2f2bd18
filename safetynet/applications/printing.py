"""The one place where cases meet the PDF renderers of ``letters.py``: build the renderers'
dataclasses from the records and call them. The renderers are pure; this module reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from safetynet.applications import choices as c
from safetynet.applications import letters
from safetynet.applications.models import Authorisation, Case, Decision, PublicNotice
from safetynet.regions.models import Region

REPORT_REFERENCE = "《最低生活保障审核确认办法》第三十条"


def township_authority(name: str) -> str:
    """东河镇 → 东河镇人民政府; 城关街道 → 城关街道办事处."""
    return name + ("办事处" if name.endswith("街道") else "人民政府")


def county_authority(region_code: str) -> str:
    county = Region.objects.filter(code=region_code[:6] + "000000").first()
    return (county.name if county else "") + "民政局"


def document_prefix(region_code: str) -> str:
    """The county's prefix of decision numbers: 示范县 → 示民救."""
    county = Region.objects.filter(code=region_code[:6] + "000000").first()
    return ((county.name[:1] if county else "") or "民") + "民救"


def _names(case: Case) -> tuple[str, str, str]:
    village = Region.objects.select_related("parent").get(code=case.region_code)
    township = village.parent.name if village.parent else ""
    return village.name, township, township_authority(township)


def _applicant(case: Case) -> str:
    return case.application.applicant.name if case.application else case.household.head_name


# The rules a decrease or a stop rests on where the officer names none (domain-rules §2.9, §3.8).
REDUCTION_REFERENCE: dict[str, str] = {
    c.Program.TEKUN: "《特困人员认定办法》第二十四条至第二十七条",
}
REDUCTION_DEFAULT = "《最低生活保障审核确认办法》第三十一条、第三十二条"


def _failed(decision: Decision) -> tuple[letters.FailedRule, ...]:
    return tuple(
        letters.FailedRule(
            label=f.get("label", ""), reference=f.get("reference", "") or "—", detail=f.get("detail", "")
        )
        for f in decision.failed_rules
    )


def _previous_amount(case: Case) -> Decimal | None:
    """The monthly amount of the entitlement under review (its latest decision with an amount)."""
    if case.predecessor_id is None:
        return None
    prior = (
        Decision.objects.filter(case_id=case.predecessor_id, amount__isnull=False)
        .exclude(kind__in=[c.DecisionKind.REFUSE, c.DecisionKind.STOP])
        .order_by("-id")
        .first()
    )
    return prior.amount if prior else None


def _stop_notice_period(case: Case) -> tuple[dt.date, dt.date] | None:
    posted = case.transitions.filter(action="stop_notice").order_by("-id").first()
    if posted is None:
        return None
    if posted.data.get("day"):
        start = dt.date.fromisoformat(str(posted.data["day"]))
    else:
        start = (
            timezone.localtime(posted.time).date() if timezone.is_aware(posted.time) else posted.time.date()
        )
    from safetynet.applications import deadlines

    params = deadlines.parameters_for(region_code=case.region_code, program=case.program, day=start)
    days = int(params["workflow.stop_notice_days"].value or 7)
    return start, start + dt.timedelta(days=days - 1)


def letter_variant(case: Case, decision: Decision) -> str:
    """Which letter a decision gets: ``refusal``, ``reduction`` (减发/停发告知书), ``one_off``
    (temporary assistance, once or in stages) or ``monthly`` (dibao, tekun, review that
    continues or increases; status programs)."""
    if decision.kind == c.DecisionKind.REFUSE:
        return "refusal"
    if decision.kind in c.REDUCTIONS:
        return "reduction"
    if case.program in c.ONE_OFF_PROGRAMS:
        return "one_off"
    return "monthly"


def letter_data(case: Case, decision: Decision) -> letters.LetterData:
    village, _township, authority = _names(case)
    program = str(c.Program(case.program).label)
    variant = letter_variant(case, decision)
    reasons = tuple(r.strip() for r in decision.reasons.splitlines() if r.strip())
    body: Any
    if variant == "refusal":
        body = letters.Refusal(program=program, reasons=reasons, failed_rules=_failed(decision))
    elif variant == "reduction":
        hearing = decision.hearing or case.hearings.order_by("-id").first()
        stop = decision.kind == c.DecisionKind.STOP
        basis = decision.legal_basis.strip() or REDUCTION_REFERENCE.get(case.program, REDUCTION_DEFAULT)
        body = letters.ReductionNotice(
            program=program,
            stop=stop,
            hearing_date=hearing.held_on if hearing else decision.decided_on,
            reasons=reasons,
            rules=tuple(r.strip() for r in basis.replace("；", ";").split(";") if r.strip()),
            effective_month=decision.first_payment_month or _next_month(decision.decided_on),
            previous_amount=_previous_amount(case),
            new_amount=None if stop else decision.amount,
            failed_rules=_failed(decision),
            notice_period=_stop_notice_period(case) if stop else None,
        )
    elif variant == "one_off":
        body = letters.OneOffApproval(
            program=program,
            covered_persons=tuple(m["name"] for m in decision.members) or (_applicant(case),),
            amount=decision.amount or Decimal(0),
            stages=tuple(
                letters.Stage(
                    month=dt.date.fromisoformat(st["month"] + "-01"),
                    amount=Decimal(str(st["amount"])),
                    date=dt.date.fromisoformat(st["date"]) if st.get("date") else None,
                )
                for st in decision.stages
            ),
            standby=tuple(
                letters.StandbyCash(
                    township=township_authority(x.get("township", "")) if x.get("township") else "乡镇",
                    amount=Decimal(str(x["amount"])),
                    paid_on=dt.date.fromisoformat(x["paid_on"]),
                    receipt_no=x.get("receipt_no", ""),
                )
                for x in decision.standby_cash
            ),
            payee=_payee(decision),
        )
    else:
        parts = tuple(
            letters.MemberPart(name=m["name"], amount=Decimal(str(m["amount"])), note=m.get("note", ""))
            for m in decision.members
        )
        payee = _payee(decision)
        body = letters.Approval(
            program=program,
            covered_persons=tuple(m["name"] for m in decision.members) or (_applicant(case),),
            monthly_amount=decision.amount or Decimal(0),
            first_payment_month=decision.first_payment_month or _next_month(decision.decided_on),
            next_review_date=decision.next_review_on or _next_month(decision.decided_on),
            member_parts=parts if len(parts) > 1 and case.program in c.MONTHLY_PROGRAMS else (),
            payee=payee,
            report_reference=REPORT_REFERENCE,
        )
    return letters.LetterData(
        document_number=decision.document_number,
        authority=county_authority(case.region_code),
        township=authority,
        addressee_name=_applicant(case),
        household_number=case.household.number,
        village=village,
        decision=body,
        decided_on=decision.decided_on,
        application_date=case.application.submitted_on if case.application else None,
    )


def _payee(decision: Decision) -> str:
    if decision.payee_kind and decision.payee_kind != c.Payee.HOUSEHOLD:
        return f"{decision.payee_name}（{c.Payee(decision.payee_kind).label}）"
    return ""


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def render_letter(case: Case, decision: Decision) -> bytes:
    return letters.render_decision_letter(letter_data(case, decision))


def notice_data(notice: PublicNotice) -> letters.NoticeData:
    village = Region.objects.select_related("parent").get(code=notice.region_code)
    township = village.parent.name if village.parent else ""
    return letters.NoticeData(
        program=str(c.Program(notice.program).label),
        township=township_authority(township),
        village=village.name,
        start=notice.start_date,
        end=notice.end_date,
        lines=tuple(
            letters.NoticeLine(
                applicant_name=line.applicant_name,
                household_size=line.household_size,
                monthly_amount=line.amount if line.amount is not None else Decimal(0),
                village=line.village_name,
            )
            for line in notice.lines.order_by("id")
        ),
        objection_phone=notice.contact_phone,
        objection_address=notice.contact_address,
        issued_on=notice.start_date,
        issuer=notice.issuer,
        legal_basis="《最低生活保障审核确认办法》第十九条" if notice.program == c.Program.DIBAO else "",
    )


def render_notice(notice: PublicNotice) -> bytes:
    return letters.render_public_notice(notice_data(notice))


def _attachment(document) -> letters.Attachment | None:
    from safetynet.applications.services.documents import document_open

    try:
        return letters.Attachment(title=str(document), content=document_open(document))
    except OSError:  # a file missing from storage is listed, not fatal to the archive copy
        return None


def case_file_data(case: Case, *, compiled_by: str, today: dt.date) -> letters.CaseFileData:
    """一户一档 from the case's records (masked values only; attachments from storage)."""
    from safetynet.applications.selectors import snapshot_program

    village, _township, authority = _names(case)
    documents = list(case.documents.all())

    def attached(*kinds: str) -> tuple[letters.Attachment, ...]:
        found = [_attachment(d) for d in documents if d.kind in kinds]
        return tuple(a for a in found if a is not None)

    app = case.application
    application = letters.Section(
        fields=(
            ("申请编号", app.number if app else "—"),
            ("申请日期", app.submitted_on if app else case.opened_on),
            ("申请人", _applicant(case)),
            ("受理渠道", app.get_channel_display() if app else case.get_kind_display()),
            (
                "代办",
                f"{app.get_proxy_kind_display()} {app.proxy_name}".strip()
                if app and app.proxy_kind
                else "本人申请",
            ),
            (
                "申请项目",
                "、".join(str(c.Program(p).label) for p in app.programs)
                if app
                else case.get_program_display(),
            ),
            ("已签署承诺书", app.commitment_signed if app else "—"),
            ("家庭人数", case.household.size),
            ("近亲属备案", case.separate_register_no or "否"),
        ),
        attachments=attached(
            c.DocumentKind.ID_CARD,
            c.DocumentKind.HUKOU,
            c.DocumentKind.DISABILITY,
            c.DocumentKind.ILLNESS,
            c.DocumentKind.INCOME,
            c.DocumentKind.POWER_OF_ATTORNEY,
            c.DocumentKind.OTHER,
        ),
    )
    auths = list(
        Authorisation.objects.filter(household_id=case.household_id)
        .select_related("person", "signed_by")
        .order_by("id")
    )
    authorisations = letters.Section(
        table_header=("被核对人", "签署人", "身份", "授权事项", "有效期"),
        table_rows=tuple(
            (
                a.person.name,
                a.signed_by.name,
                a.get_role_display(),
                "、".join(str(c.DataItem(s).label) for s in a.scope if s in c.DataItem.values),
                f"{a.valid_from} 至 {a.valid_to or '救助期间'}",
            )
            for a in auths
        ),
        attachments=attached(c.DocumentKind.AUTHORISATION),
    )
    visits = letters.Section(
        table_header=("日期", "方式", "调查人员", "家庭签字", "情况"),
        table_rows=tuple(
            (
                v.visited_on,
                v.get_kind_display()
                + ("（县级）" if v.by_county else "")
                + (f"（远程：{v.remote_reason}）" if v.remote else ""),
                "、".join(v.investigators),
                "、".join(v.family_signatures) or "—",
                v.findings,
            )
            for v in case.visits.all()
        ),
        attachments=attached(c.DocumentKind.VISIT),
    )
    reports = list(case.verification_reports.all())
    verification = letters.Section(
        fields=tuple(
            (
                f"核对报告 {r.report_number or ''}".strip(),
                f"{r.issuer}，{r.received_on} 收到（核对中心出具）：{r.summary}",
            )
            for r in reports
        ),
        attachments=attached(c.DocumentKind.VERIFICATION),
    )
    entry = snapshot_program(case)
    rules = letters.Section(
        rules=(
            letters.RulesSnapshot.from_explanation(
                entry, month=case.snapshot.month, rules_version=case.snapshot.rules_version
            ),
        )
        if entry and case.snapshot
        else (),
        paragraphs=(f"初审意见：{case.opinion_text}",) if case.opinion_text else (),
    )
    lines = list(case.notice_lines.select_related("notice"))
    notice = letters.Section(
        table_header=("公示编号", "公示期", "申请人", "家庭人数", "拟保障金额", "异议"),
        table_rows=tuple(
            (
                line.notice.number,
                f"{line.notice.start_date} 至 {line.notice.end_date}",
                line.applicant_name,
                line.household_size,
                line.amount if line.amount is not None else "—",
                "；".join(o.content for o in line.objections.all()) or "无",
            )
            for line in lines
        ),
    )
    decision_rows = list(case.decisions.all())
    decision = letters.Section(
        fields=tuple(
            (f"{d.get_kind_display()}（{d.document_number or '未编号'}）", _decision_text(d))
            for d in decision_rows
        ),
        attachments=attached(c.DocumentKind.LETTER, c.DocumentKind.HEARING),
    )
    decided = decision_rows[-1].decided_on if decision_rows else None
    return letters.CaseFileData(
        household_number=case.household.number,
        applicant_name=_applicant(case),
        village=village,
        township=authority,
        case_number=case.number,
        program=str(case.get_program_display()),
        opened_on=case.clock_start or case.opened_on,
        outcome=str(case.get_outcome_display()) if case.outcome else "办理中",
        compiled_on=today,
        compiled_by=compiled_by,
        authority=county_authority(case.region_code),
        decided_on=decided,
        application=application,
        authorisations=authorisations,
        visits=visits,
        verification=verification,
        rules=rules,
        notice=notice,
        decision=decision,
    )


def _decision_text(d: Decision) -> str:
    if d.kind in (c.DecisionKind.REFUSE, c.DecisionKind.STOP):
        return f"{d.decided_on}：{d.reasons}"
    parts = "；".join(f"{m['name']} {m['amount']} 元" for m in d.members)
    text = f"{d.decided_on}：金额 {d.amount} 元"
    if parts:
        text += f"（{parts}）"
    if d.first_payment_month:
        text += f"，自 {d.first_payment_month:%Y-%m} 起发放"
    if d.amount_reason:
        text += f"；与规则测算 {d.rules_amount} 元不同的理由：{d.amount_reason}"
    return text


def render_case_file(case: Case, *, compiled_by: str, today: dt.date) -> bytes:
    return letters.render_case_file(case_file_data(case, compiled_by=compiled_by, today=today))
