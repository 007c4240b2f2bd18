"""Staff pages of the household file: search, household page, filing and editing.

Each view parses a form, calls one selector or service, and renders. Records come through
``Model.objects.restrict(user, action)``: a wrong role raises PermissionDenied (403 page), a
record outside the user's scope is not found (404 page, via ``core.views.scoped``). Service
``ValidationError``s go back onto the form fields (``forms.apply_errors``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Page
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from safetynet.core.permissions import require, role_allows
from safetynet.core.views import paginate, scoped
from safetynet.registry import selectors, services
from safetynet.registry.forms import (
    DeclarationForm,
    HouseholdEditForm,
    HouseholdForm,
    MemberAddForm,
    MemberEditForm,
    MemberForm,
    MemberLeaveForm,
    SearchForm,
    SupporterForm,
    apply_errors,
    village_choices,
)
from safetynet.registry.models import (
    AssetItem,
    Household,
    IncomeItem,
    LegalSupporter,
    Membership,
    Person,
    RigidExpense,
)

MAX_MEMBER_ROWS = 30
DETAIL_PAGE_SIZE = 10


def _page(request: HttpRequest, items, param: str, per_page: int = DETAIL_PAGE_SIZE) -> Page:
    return paginate(request, items, param, per_page)


def _quiet(form):
    """Keep what was typed but show no errors yet (the "add a row" round trip)."""
    form._errors = ErrorDict()
    return form


def _current_members(user, household: Household) -> list[Membership]:
    return list(
        Membership.objects.restrict(user, "view")
        .filter(household=household, end_date__isnull=True)
        .select_related("person")
        .order_by("id")
    )


_DIFF_MODELS = (Household, Person, Membership)
_DIFF_FIRST = {"income": IncomeItem, "asset": AssetItem, "expense": RigidExpense, "supporter": LegalSupporter}
_DIFF_LABELS = {"members": _lazy("成员"), "date": _lazy("日期")}


def _label_and_value(key: str, value, models: tuple):
    """The translated label of a field named in a change report, and its value as shown."""
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    if isinstance(value, bool):
        value = _("是") if value else _("否")
    if key in _DIFF_LABELS:
        return _DIFF_LABELS[key], value
    for model in models:
        try:
            field = model._meta.get_field(key.removesuffix("_id"))
        except FieldDoesNotExist:
            continue
        if field.choices and value is not None:
            value = dict(field.flatchoices).get(value, value)
        return field.verbose_name, value
    return key, value


def _describe(history: Page) -> Page:
    """Attach (label, before, after) rows to each change report on the page."""
    for report in history.object_list:
        models = (_DIFF_FIRST[report.kind], *_DIFF_MODELS) if report.kind in _DIFF_FIRST else _DIFF_MODELS
        before, after = report.before or {}, report.after or {}
        rows = []
        for key in [*after, *(k for k in before if k not in after)]:
            label, new = _label_and_value(key, after.get(key), models)
            old = _label_and_value(key, before[key], models)[1] if key in before else None
            rows.append((label, old, new))
        report.diff = rows
    return history


# --- reading -----------------------------------------------------------------------------


@scoped
def household_list(request: HttpRequest) -> HttpResponse:
    """Search by full identity number, by name (whole or leading characters), by village."""
    require(request.user, Household, "view")
    form = SearchForm(request.GET or None, villages=village_choices(request.user))
    query = selectors.SearchQuery()
    if form.is_valid():
        query = selectors.SearchQuery(**form.cleaned_data)
    page = paginate(
        request, selectors.household_search(user=request.user, query=query), "page", selectors.PAGE_SIZE,
        count_cap=selectors.SEARCH_COUNT_CAP,
    )
    return render(
        request,
        "registry/household_list.html",
        {
            "form": form,
            "page": page,
            "searched": any(request.GET.get(k) for k in ("id_number", "name", "village")),
            "can_add": role_allows(request.user, Household, "add"),
        },
    )


@scoped
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    household = selectors.household_get(user=user, pk=pk)
    declarations = selectors.household_declarations(user=user, household=household)
    members = household.current_members  # type: ignore[attr-defined]  # prefetched by the selector
    names = {m.person_id: m.person.name for m in members}
    supporters = [(s, names.get(s.supported_id, "")) for s in household.current_supporters]  # type: ignore[attr-defined]
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": members,
            "supporters": supporters,
            "incomes": _page(request, declarations["incomes"], "income_page"),
            "assets": _page(request, declarations["assets"], "asset_page"),
            "expenses": _page(request, declarations["expenses"], "expense_page"),
            "history": _describe(
                _page(request, selectors.household_history(user=user, household=household), "history_page")
            ),
            "can_change": role_allows(user, Household, "change"),
            "sees_full": user.sees_full_values,
        },
    )


@require_POST
@scoped
def reveal(request: HttpRequest, kind: str, pk: int, field: str) -> HttpResponse:
    """htmx: the full value of a masked identity number, phone or account (logged)."""
    allowed = {"person": {"id_number", "phone"}, "household": {"phone", "account_number"}}
    if field not in allowed.get(kind, set()):
        raise Http404
    # The service reads the record itself, through restrict(); only the key is needed here.
    obj: Person | Household = Person(pk=pk) if kind == "person" else Household(pk=pk)
    # Stored in the access log as data, so not translated.
    purpose = (request.POST.get("purpose") or "家庭档案页查看完整信息")[:200]
    value = services.sensitive_reveal(actor=request.user, obj=obj, field_name=field, purpose=purpose)
    template = (
        "registry/_revealed.html" if request.headers.get("HX-Request") else "registry/revealed_page.html"
    )
    return render(request, template, {"value": value, "field": field})


# --- writing -----------------------------------------------------------------------------


@scoped
def household_create(request: HttpRequest) -> HttpResponse:
    """File a household with its members. Blank member rows are ignored; "add a row" posts
    the form back with one more row, so the page works without JavaScript."""
    user = request.user
    require(user, Household, "add")
    data = request.POST if request.method == "POST" else None
    try:
        rows = int(request.POST.get("rows", 2))
    except ValueError:
        rows = 2
    rows = max(1, min(rows, MAX_MEMBER_ROWS))
    form = HouseholdForm(data, villages=village_choices(user))
    members = [
        MemberForm(
            data,
            prefix=f"members-{i}",
            initial={"relation": "self" if i == 0 else "spouse" if i == 1 else "child"},
        )
        for i in range(rows)
    ]
    if data is not None and "add_row" in data:
        _quiet(form)
        for member in members:
            _quiet(member)
        if rows < MAX_MEMBER_ROWS:
            members.append(MemberForm(prefix=f"members-{rows}"))
    elif data is not None:
        filled = [m for m in members if not m.is_blank()]
        valid = form.is_valid() & all([m.is_valid() for m in filled])
        if valid:
            try:
                household = services.household_create(
                    actor=user,
                    data=form.household_input([m.member_input() for m in filled]),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                apply_errors(exc, form, members=filled, aliases=HouseholdForm.ALIASES)
            else:
                messages.success(request, _("已建立家庭档案 %(n)s。") % {"n": household.number})
                return redirect("registry:household_detail", pk=household.pk)
    return render(
        request, "registry/household_form.html", {"form": form, "members": members, "rows": len(members)}
    )


@scoped
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = Household.objects.restrict(request.user, "change").select_related("region").get(pk=pk)
    initial = {k: getattr(household, k) for k in ("address", "hukou_type", "bank_name", "account_holder")}
    form = HouseholdEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                actor=request.user,
                household=household,
                reason=form.cleaned_data["reason"],
                changes=form.changes(),
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("家庭信息已保存。"))
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/household_edit.html", {"form": form, "household": household})


@scoped
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = Household.objects.restrict(request.user, "change").get(pk=pk)
    form = MemberAddForm(request.POST or None, prefix="members-0")
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(
                actor=request.user,
                household=household,
                member=form.member_input(),
                reason=form.cleaned_data["reason"],
                start=form.cleaned_data["start_date"],
            )
        except ValidationError as exc:
            apply_errors(exc, form, members=[form])
        else:
            messages.success(request, _("成员已加入本户。"))
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/member_add.html", {"form": form, "household": household})


def _membership(request: HttpRequest, pk: int) -> Membership:
    return (
        Membership.objects.restrict(request.user, "change")
        .select_related("person", "household")
        .get(pk=pk, end_date__isnull=True)
    )


@scoped
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    person = membership.person
    initial = {k: getattr(person, k) for k in MemberEditForm.EDITABLE}
    form = MemberEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                actor=request.user, person=person, reason=form.cleaned_data["reason"], changes=form.changes()
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("成员信息已保存。"))
            return redirect("registry:household_detail", pk=membership.household_id)
    return render(
        request,
        "registry/member_edit.html",
        {"form": form, "membership": membership, "household": membership.household},
    )


@scoped
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = MemberLeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.member_leave(
                actor=request.user,
                membership=membership,
                reason=d["reason"],
                day=d["day"],
                died=d["event"] == "died",
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已登记成员变动。"))
            return redirect("registry:household_detail", pk=membership.household_id)
    return render(
        request,
        "registry/member_leave.html",
        {"form": form, "membership": membership, "household": membership.household},
    )


@scoped
def supporter_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = Household.objects.restrict(request.user, "change").get(pk=pk)
    members = _current_members(request.user, household)
    form = SupporterForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        supported = next((m.person for m in members if str(m.person_id) == d["supported"]), None)
        try:
            services.supporter_add(
                actor=request.user,
                household=household,
                person=form.person_input(),
                relation=d["relation"],
                duty=d["duty"],
                reason=d["reason"],
                address=d["address"],
                supported=supported,
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已登记法定赡养/抚养/扶养义务人。"))
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/supporter_form.html", {"form": form, "household": household})


@scoped
def declaration_add(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    if what not in DeclarationForm.KINDS:
        raise Http404
    household = Household.objects.restrict(request.user, "change").get(pk=pk)
    form = DeclarationForm(request.POST or None, what=what, members=_current_members(request.user, household))
    if request.method == "POST" and form.is_valid():
        try:
            services.declaration_record(
                actor=request.user,
                household=household,
                what=what,
                reason=form.cleaned_data["reason"],
                **form.service_args(),
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("申报已记录。"))
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/declaration_form.html", {"form": form, "household": household})
