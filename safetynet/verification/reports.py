"""The household verification report as a PDF (core.pdf helpers), and its attachment to the case."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safetynet.applications import choices as ac
from safetynet.applications.models import VerificationReport
from safetynet.core import pdf
from safetynet.verification.models import HouseholdReport

CATEGORY = {"income": "收入", "asset": "财产", "expense": "支出", "fact": "其他信息"}


def report_pdf(report: HouseholdReport) -> bytes:
    st = pdf.styles()
    data = report.data
    household = report.household
    story = [
        pdf.para(_("家庭经济状况核对报告"), st.title),
        pdf.para(_("核对批次 %(r)s · 核对日期 %(d)s") % {"r": data["run"], "d": data["as_of"]}, st.subtitle),
        pdf.field_table(
            [
                (_("家庭编号"), household.number),
                (_("户主"), household.head_name),
                (_("核对用途"), data["purpose"]),
            ]
        ),
        pdf.para(_("一、核对发现的差异"), st.heading),
    ]
    if data["discrepancies"]:
        story.append(
            pdf.grid_table(
                [_("差异"), _("申报（元）"), _("核对（元）")],
                [[d["message"], d["declared"] or "—", d["found"] or "—"] for d in data["discrepancies"]],
                [0.6, 0.2, 0.2],
                right=(1, 2),
            )
        )
    else:
        story.append(pdf.para(_("未发现与申报不符的情况。"), st.body))
    story.append(pdf.para(_("二、各部门核对结果"), st.heading))
    rows = []
    for f in data["findings"]:
        rows.append(
            [
                f["person"],
                f["department"],
                CATEGORY.get(f["category"], f["category"]),
                f["amount"] or "—",
                f["note"],
            ]
        )
    story.append(
        pdf.grid_table(
            [_("人员"), _("部门"), _("类别"), _("金额（元）"), _("说明")],
            rows,
            [0.14, 0.22, 0.1, 0.16, 0.38],
            right=(3,),
        )
        if rows
        else pdf.para(_("各部门未返回记录。"), st.body)
    )
    if data["refused"]:
        story.append(pdf.para(_("三、未核对事项（缺少有效授权）"), st.heading))
        for line in data["refused"]:
            story.append(pdf.para(line, st.small))
    info = pdf.DocumentInfo(
        title=_("家庭经济状况核对报告"), date=report.run.as_of, author=_("核对中心"), footer=household.number
    )
    return pdf.build(story, info)


def report_attach(*, actor: Any, report: HouseholdReport) -> VerificationReport | None:
    """Attach the PDF to the household's case as a 核对报告 (source "hub"); once per report."""
    if report.case_id is None or report.document_id is not None:
        return None
    from safetynet.applications.services.documents import store

    content = report_pdf(report)
    with transaction.atomic():
        locked = HouseholdReport.objects.select_for_update().get(pk=report.pk)
        if locked.document_id is not None:
            return None
        doc = store(
            actor=actor,
            case=report.case,  # type: ignore[arg-type]  # reports without a case return earlier
            kind=ac.DocumentKind.VERIFICATION,
            content=content,
            name=f"verification-{report.run_id}-{report.household_id}.pdf",
            title=_("家庭经济状况核对报告"),
        )
        HouseholdReport.objects.filter(pk=report.pk).update(document=doc)
        summary = "；".join(d["message"] for d in report.data["discrepancies"]) or _("未发现与申报不符的情况")
        return VerificationReport.objects.create(  # type: ignore[misc]
            case=report.case,
            source="hub",
            report_number=f"HD-{report.run_id}-{report.household_id}",
            issuer=_("核对中心"),
            received_on=report.run.as_of,
            summary=summary[:2000],
            concerns=report.concerns,
            document=doc,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
