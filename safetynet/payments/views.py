"""County officer and township caseworker pages for payrolls, bank files and corrections."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safetynet.core.permissions import role_allows
from safetynet.core.views import paginate, scoped
from safetynet.payments import selectors, services
from safetynet.payments.models import BankFile, Correction, Entitlement, Payroll, StandbyEntry, TemporaryStage
from safetynet.payments.services.bankfiles import XLSX_LAYOUTS, XLSX_TYPE


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        for m in msgs:
            messages.error(request, f"{field}: {m}")


@scoped
def payroll_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    payrolls = selectors.payroll_list(user=user)
    can_build = role_allows(user, Payroll, "change")
    if request.method == "POST" and can_build:
        try:
            month = services.parse_month(request.POST.get("month", ""))
            payroll, created = services.payroll_build(
                actor=user,
                county_code=services.county_of(user.region_id),  # type: ignore[union-attr,arg-type]
                program=request.POST.get("program", "dibao"),
                month=month,
            )
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("payments:payrolls")
        if not created:
            messages.info(request, _("该月名册已存在，未重复生成"))
        return redirect("payments:payroll", pk=payroll.pk)
    report = selectors.monthly_report(user=user)
    return render(
        request,
        "payments/payroll_list.html",
        {
            "payrolls": paginate(request, payrolls),
            "can_build": can_build,
            "report": report,
            "bars": selectors.chart_svg_bars(report),
        },
    )


@scoped
def payroll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    payroll = selectors.payroll_list(user=user).get(pk=pk)
    can_change = role_allows(user, Payroll, "change")
    if request.method == "POST" and can_change:
        action = request.POST.get("action")
        try:
            if action == "check":
                services.payroll_check(actor=user, payroll=payroll)
                messages.success(request, _("名册已核对"))
            elif action == "approve":
                services.payroll_approve(actor=user, payroll=payroll)
                messages.success(request, _("名册已审批，已冻结"))
            elif action == "files":
                services.bank_files_build(
                    actor=user, payroll=payroll, layout=request.POST.get("layout", "csv")
                )
                messages.success(request, _("代发文件已生成"))
            elif action == "return":
                upload = request.FILES.get("file")
                bank_file = payroll.files.get(pk=request.POST.get("bank_file"))
                if upload is None:
                    raise ValidationError({"file": [_("请选择银行回盘文件")]})
                imp = services.return_file_import(actor=user, bank_file=bank_file, content=upload.read())
                if imp.status == "rejected":
                    messages.error(request, _("回盘文件已拒收：%(e)s") % {"e": "；".join(imp.errors[:10])})
                else:
                    messages.success(
                        request,
                        _("回盘已导入：成功 %(p)s 笔，失败 %(f)s 笔") % {"p": imp.paid, "f": imp.failed},
                    )
            elif action == "supplementary":
                services.supplementary_file_build(actor=user, payroll=payroll)
                messages.success(request, _("补发文件已生成"))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("payments:payroll", pk=payroll.pk)
    report = payroll.check_report or {}
    names = selectors.region_names([t["code"] for t in report.get("townships", [])])
    townships = [{**t, "name": names.get(t["code"], t["code"])} for t in report.get("townships", [])]
    return render(
        request,
        "payments/payroll_detail.html",
        {
            "payroll": payroll,
            "report": report,
            "townships": townships,
            "files": payroll.files.order_by("id"),
            "imports": [imp for f in payroll.files.all() for imp in f.returns.all()],
            "corrections": selectors.correction_list(user=user, payroll=payroll)[:200],
            "can_change": can_change,
            "can_approve": user.role in ("county_officer", "admin"),  # type: ignore[union-attr]
        },
    )


@scoped
def bank_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    bank_file = BankFile.objects.select_related("payroll").get(
        pk=pk, payroll__in=selectors.payroll_list(user=request.user)
    )
    content = services.bank_file_download(actor=request.user, bank_file=bank_file)
    kind = XLSX_TYPE if bank_file.layout in XLSX_LAYOUTS else "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{bank_file.name}"'
    return response


@scoped
def correction_list(request: HttpRequest) -> HttpResponse:
    corrections = selectors.correction_list(user=request.user)
    return render(
        request,
        "payments/corrections.html",
        {
            "corrections": paginate(request, corrections, per_page=50),
            "can_fix": role_allows(request.user, Entitlement, "change"),
        },
    )


@scoped
@require_POST
def correction_fix(request: HttpRequest, pk: int) -> HttpResponse:
    correction = Correction.objects.restrict(request.user, "change").get(pk=pk)
    try:
        services.entitlement_account_fix(
            actor=request.user,
            entitlement=correction.entitlement,
            bank_name=request.POST.get("bank_name", ""),
            holder=request.POST.get("holder", ""),
            account=request.POST.get("account", ""),
            reason=request.POST.get("reason", "") or _("更正收款账户"),
        )
        messages.success(request, _("账户已更正，待补发"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("payments:corrections")


@scoped
def household_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Payments panel for the household page (htmx): entitlements in force and recovery balance."""
    from safetynet.registry.models import Household

    household = Household.objects.restrict(request.user, "view").get(pk=pk)
    entitlements = (
        Entitlement.objects.restrict(request.user, "view").filter(household=household).order_by("-id")
    )
    balance = selectors.household_recovery_balance(user=request.user, household_id=household.pk)
    return render(
        request,
        "payments/_household_panel.html",
        {"household": household, "entitlements": entitlements, "balance": balance},
    )


# ---------------------------------------------------------------- temporary assistance, price subsidy, reports


def _county(user) -> str:
    return services.county_of(user.region_id or "")


@scoped
@require_POST
def temporary_payroll_build(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not role_allows(user, Payroll, "change"):
        raise PermissionDenied(_("只有县级民政部门可以生成发放名册"))
    try:
        payroll, created = services.temporary_payroll_build(
            actor=user, county_code=_county(user), month=services.parse_month(request.POST.get("month", ""))
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("payments:payrolls")
    if not created:
        messages.info(request, _("该月名册已存在，未重复生成"))
    return redirect("payments:payroll", pk=payroll.pk)


@scoped
@require_POST
def price_subsidy_build(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not role_allows(user, Payroll, "change"):
        raise PermissionDenied(_("只有县级民政部门可以生成发放名册"))
    try:
        payroll, created = services.price_subsidy_build(
            actor=user,
            county_code=_county(user),
            month=services.parse_month(request.POST.get("month", "")),
            cpi=request.POST.get("cpi", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("payments:payrolls")
    if not created:
        messages.info(request, _("该月名册已存在，未重复生成"))
    return redirect("payments:payroll", pk=payroll.pk)


@scoped
def report_export(request: HttpRequest) -> HttpResponse:
    """Monthly expenditure and recipients by program and township as .xlsx."""
    content = services.expenditure_xlsx(user=request.user)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="expenditure-report.xlsx"'
    return response


def _township_of(request: HttpRequest) -> str:
    """The caseworker's own township; a county officer picks one of the county's townships."""
    user = request.user
    region = user.region_id or ""  # type: ignore[union-attr]
    if region[6:9] != "000":
        return region[:9] + "000"
    code = request.GET.get("township") or request.POST.get("township") or ""
    if code[:6] != region[:6] and region:
        return ""
    return code


@scoped
def temporary_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    stages = selectors.temporary_stage_list(user=user)
    return render(
        request,
        "payments/temporary_list.html",
        {
            "stages": paginate(request, stages, per_page=50),
            "can_pay": role_allows(user, StandbyEntry, "change"),
        },
    )


@scoped
def standby_ledger(request: HttpRequest) -> HttpResponse:
    """备用金台账 — the township caseworker's page: balance, top-ups, cash payments with receipts,
    cash stages due, help-first payments to record, reconciliation against the decisions."""
    user = request.user
    township = _township_of(request)
    can_change = role_allows(user, StandbyEntry, "change")
    if request.method == "POST" and can_change and township:
        action = request.POST.get("action")
        try:
            if action == "topup":
                services.standby_topup(
                    actor=user,
                    township_code=township,
                    amount=request.POST.get("amount", ""),
                    entry_date=_date(request.POST.get("entry_date", ""), "entry_date"),
                    reference=request.POST.get("reference", ""),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("备用金拨付已登记"))
            elif action == "cash":
                stage = TemporaryStage.objects.restrict(user, "change").get(
                    pk=request.POST.get("stage"), township_code=township
                )
                services.standby_cash_pay(
                    actor=user,
                    stage=stage,
                    entry_date=_date(request.POST.get("entry_date", ""), "entry_date"),
                    receipt=request.POST.get("receipt", ""),
                    paid_to=request.POST.get("paid_to", ""),
                    signatures=request.POST.get("signatures", ""),
                )
                messages.success(request, _("现金发放已登记"))
            elif action == "help_first":
                n = services.standby_record_help_first(actor=user, township_code=township)
                messages.success(request, _("已登记先行救助 %(n)s 笔") % {"n": n})
            elif action == "reconcile":
                rec = services.standby_reconcile(
                    actor=user,
                    township_code=township,
                    as_of=_date(request.POST.get("as_of", ""), "as_of"),
                    counted_balance=request.POST.get("counted_balance", ""),
                )
                messages.success(
                    request,
                    _("对账完成：账面 %(b)s 元，实存 %(c)s 元，差额 %(d)s 元，无依据支出 %(u)s 笔")
                    % {
                        "b": rec.book_balance,
                        "c": rec.counted_balance,
                        "d": rec.difference,
                        "u": len(rec.report.get("unjustified", [])),
                    },
                )
        except ValidationError as exc:
            _errors(request, exc)
        url = reverse("payments:standby")
        return redirect(f"{url}?township={township}")
    if township:
        services.temporary_sync(actor=user, township_code=township)
    ctx = selectors.standby_page(user=user, township_code=township) if township else {}
    return render(
        request,
        "payments/standby.html",
        {
            **ctx,
            "township": township,
            "townships": selectors.county_townships(user=user),
            "can_change": can_change,
            "today": timezone.localdate(),
        },
    )


def _date(text: str, field: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError({field: [_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": text}]}) from None


# ------------------------------------------------- pa: 提标 adjustments, fraud penalties, recoveries


def _day(text: str, field: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError({field: [_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": text}]}) from None


def _household(user, number: str):
    from safetynet.registry.models import Household

    found = Household.objects.restrict(user, "view").filter(number=(number or "").strip()).first()
    if found is None:
        raise ValidationError({"household": [_("找不到家庭编号 %(n)s（或不在您的辖区）") % {"n": number}]})
    return found


@scoped
def adjustment_list(request: HttpRequest) -> HttpResponse:
    """提标调整: the county officer runs an adjustment after a raise is approved; everybody in
    scope sees the list."""
    from safetynet.payments.models import StandardAdjustment

    user = request.user
    can_run = role_allows(user, StandardAdjustment, "add")
    if request.method == "POST" and can_run:
        try:
            adjustment, created = services.standard_raise(
                actor=user,
                region_code=(request.POST.get("region") or user.region_id or "").strip(),  # type: ignore[union-attr]
                program=request.POST.get("program", "dibao"),
                from_month=services.parse_month(request.POST.get("from_month", "")),
                reason=request.POST.get("reason", ""),
                document_number=request.POST.get("document_number", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("payments:adjustments")
        if created:
            messages.success(request, _("提标调整已完成：%(n)s 户") % {"n": adjustment.household_count})
        else:
            messages.info(request, _("该次提标已调整过，未重复调整"))
        return redirect("payments:adjustment", pk=adjustment.pk)
    return render(
        request,
        "payments/adjustments.html",
        {
            "adjustments": paginate(request, selectors.adjustment_list(user=user)),
            "can_run": can_run,
            "region": user.region_id or "",  # type: ignore[union-attr]
        },
    )


@scoped
def adjustment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = selectors.adjustment_list(user=request.user).get(pk=pk)
    lines = selectors.adjustment_lines(user=request.user, adjustment=adjustment)
    page = paginate(request, lines, per_page=50)
    names = selectors.region_names(sorted({ln.township_code for ln in page.object_list}))
    return render(
        request,
        "payments/adjustment_detail.html",
        {"adjustment": adjustment, "lines": page, "names": names},
    )


@scoped
def penalty_list(request: HttpRequest) -> HttpResponse:
    """骗取救助行政处罚: open a case with the notice (county officer)."""
    from safetynet.payments.models import Penalty

    user = request.user
    can_add = role_allows(user, Penalty, "add")
    if request.method == "POST" and can_add:
        try:
            household = _household(user, request.POST.get("household", ""))
            penalty = services.penalty_notify(
                actor=user,
                household=household,
                conduct_on=_day(request.POST.get("conduct_on", ""), "conduct_on"),
                amount_obtained=request.POST.get("amount_obtained", ""),
                facts=request.POST.get("facts", ""),
                notice_on=_day(request.POST.get("notice_on", ""), "notice_on")
                if request.POST.get("notice_on")
                else None,
                party_name=request.POST.get("party_name", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("payments:penalties")
        messages.success(request, _("已告知当事人：%(n)s") % {"n": penalty.number})
        return redirect("payments:penalty", pk=penalty.pk)
    return render(
        request,
        "payments/penalties.html",
        {"penalties": paginate(request, selectors.penalty_list(user=user)), "can_add": can_add},
    )


@scoped
def penalty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from safetynet.payments.models import Penalty

    user = request.user
    penalty = selectors.penalty_list(user=user).get(pk=pk)
    can_change = role_allows(user, Penalty, "change")
    if request.method == "POST" and can_change:
        action = request.POST.get("action", "")
        on = request.POST.get("on", "")
        try:
            if action == "decide":
                services.penalty_decide(
                    actor=user,
                    penalty=penalty,
                    multiple=request.POST.get("multiple", ""),
                    reason=request.POST.get("reason", ""),
                    decided_on=_day(on, "on") if on else None,
                    document_number=request.POST.get("document_number", ""),
                )
                messages.success(request, _("处罚决定已作出"))
            else:
                services.penalty_hearing(
                    actor=user,
                    penalty=penalty,
                    action=action,
                    on=_day(on, "on") if on else None,
                    record=request.POST.get("record", ""),
                )
                messages.success(request, _("已记录"))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("payments:penalty", pk=penalty.pk)
    return render(
        request,
        "payments/penalty_detail.html",
        {"penalty": penalty, "can_change": can_change},
    )


@scoped
def recovery_list(request: HttpRequest) -> HttpResponse:
    """追缴: open a recovery (schedule or offset against future payments) and record repayments."""
    from safetynet.payments.models import Recovery

    user = request.user
    can_change = role_allows(user, Recovery, "change")
    if request.method == "POST" and can_change:
        try:
            if request.POST.get("action") == "repay":
                rec = Recovery.objects.restrict(user, "change").get(pk=request.POST.get("recovery"))
                services.recovery_repay(
                    actor=user,
                    recovery=rec,
                    amount=request.POST.get("amount", ""),
                    paid_on=_day(request.POST.get("paid_on", ""), "paid_on"),
                )
                messages.success(request, _("已记录退还"))
            else:
                household = _household(user, request.POST.get("household", ""))
                month = services.parse_month(request.POST.get("month", ""))
                amount = request.POST.get("amount", "")
                method = request.POST.get("method", Recovery.Method.SCHEDULE)
                entitlement = (
                    Entitlement.objects.restrict(user, "view")
                    .filter(household=household, state__in=["active", "suspended"])
                    .order_by("-id")
                    .first()
                )
                services.recovery_open(
                    actor=user,
                    household=household,
                    months=[{"month": f"{month:%Y-%m}", "amount": amount}],
                    reason=request.POST.get("reason", ""),
                    method=method,
                    instalment=request.POST.get("instalment", "") or "0",
                    entitlement=entitlement,
                )
                messages.success(request, _("追缴已登记"))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("payments:recoveries")
    return render(
        request,
        "payments/recoveries.html",
        {"recoveries": paginate(request, selectors.recovery_list(user=user)), "can_change": can_change},
    )
