"""County officer and township caseworker pages for payrolls, bank files and corrections."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safetynet.core.permissions import role_allows
from safetynet.core.views import paginate, scoped
from safetynet.payments import selectors, services
from safetynet.payments.models import BankFile, Correction, Entitlement, Payroll


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
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
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
