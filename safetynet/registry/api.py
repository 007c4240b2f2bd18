"""Registry endpoints: households, members, persons, declarations, history, reveals.

Each endpoint parses, calls one service or selector of ``safetynet.registry``, and serialises.
Scope and role come from the services and selectors (``restrict``): wrong role → 403, outside
the caller's region → 404. The caller is ``request.auth`` (token or session user).
"""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from safetynet.api.auth import caller
from safetynet.api.errors import fields_renamed
from safetynet.api.pagination import Pagination
from safetynet.registry import selectors, services
from safetynet.registry.models import Household, Membership, Person
from safetynet.registry.schemas import (
    ChangeReportOut,
    DeclarationCreatedOut,
    DeclarationIn,
    ErrorOut,
    FieldErrorsOut,
    HouseholdCreateIn,
    HouseholdDetailOut,
    HouseholdFilters,
    HouseholdOut,
    HouseholdPatchIn,
    HouseholdRevealIn,
    MemberJoinIn,
    MemberLeaveIn,
    MembershipOut,
    PersonDetailOut,
    PersonPatchIn,
    RevealIn,
    RevealOut,
)

router = Router(tags=["registry 家庭档案"])

READ_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 422: FieldErrorsOut}
RECENT_DECLARATIONS = 20


def _ref(model: type[Any], pk: int) -> Any:
    """A reference by primary key. The services re-read the record through
    ``restrict(actor, action)``, so this is all they need, and scope is checked once, there."""
    return model(pk=pk)


def _household_detail(user: Any, pk: int) -> Household:
    household = selectors.household_get(user=user, pk=pk)
    groups = selectors.household_declarations(user=user, household=household)
    household.declarations = {  # type: ignore[attr-defined]
        name: {"count": qs.count(), "recent": list(qs[:RECENT_DECLARATIONS])} for name, qs in groups.items()
    }
    return household


def _person_detail(user: Any, pk: int) -> Person:
    # Memberships are restricted too: a person who moved here from another township must not
    # reveal which household they came from.
    visible = (
        Membership.objects.restrict(user, "view").select_related("household").order_by("-start_date", "-id")
    )
    return (
        Person.objects.restrict(user, "view")
        .prefetch_related(Prefetch("memberships", queryset=visible, to_attr="visible_memberships"))
        .get(pk=pk)
    )


# ---- households ------------------------------------------------------------------------------


@router.get("/households", response=list[HouseholdOut], summary="查询家庭")
@paginate(Pagination)
def household_list(request: HttpRequest, filters: Query[HouseholdFilters]) -> Any:
    """Households in the caller's scope, filtered by a full identity number (exact), a name
    (whole or leading characters, any current member) and/or a region code. Masked values only."""
    query = selectors.SearchQuery(id_number=filters.id_number, name=filters.name, village=filters.region)
    return selectors.household_search(user=caller(request), query=query)


@router.get(
    "/households/{household_id}", response={200: HouseholdDetailOut, **READ_ERRORS}, summary="家庭详情"
)
def household_detail(request: HttpRequest, household_id: int) -> Any:
    """One household with its current members, legal supporters and a summary of declarations."""
    return _household_detail(caller(request), household_id)


@router.post("/households", response={201: HouseholdDetailOut, **WRITE_ERRORS}, summary="新建家庭档案")
def household_create(request: HttpRequest, payload: HouseholdCreateIn) -> Any:
    """File a household with its members (建档). Member errors are keyed ``members.<i>.<field>``."""
    household = services.household_create(
        actor=caller(request), data=payload.to_input(), reason=payload.reason
    )
    return Status(201, _household_detail(caller(request), household.pk))


@router.patch(
    "/households/{household_id}", response={200: HouseholdDetailOut, **WRITE_ERRORS}, summary="修改家庭信息"
)
def household_update(request: HttpRequest, household_id: int, payload: HouseholdPatchIn) -> Any:
    """Change address, hukou type, phone or bank details; ``reason`` is required."""
    services.household_update(
        actor=caller(request),
        household=_ref(Household, household_id),
        reason=payload.reason,
        changes=payload.changes(),
    )
    return _household_detail(caller(request), household_id)


@router.post(
    "/households/{household_id}/members", response={201: MembershipOut, **WRITE_ERRORS}, summary="成员加入"
)
def member_join(request: HttpRequest, household_id: int, payload: MemberJoinIn) -> Any:
    """A person joins the household; errors name the fields of this body (``id_number``…)."""
    with fields_renamed({"members.0.": ""}):
        membership = services.member_add(
            actor=caller(request),
            household=_ref(Household, household_id),
            member=payload.to_input(),
            reason=payload.reason,
            start=payload.start_date,
        )
    return Status(201, membership)


@router.post(
    "/memberships/{membership_id}/leave",
    response={200: MembershipOut, **WRITE_ERRORS},
    summary="成员离开或死亡",
)
def member_leave(request: HttpRequest, membership_id: int, payload: MemberLeaveIn) -> Any:
    with fields_renamed({"day": "date"}):
        return services.member_leave(
            actor=caller(request),
            membership=_ref(Membership, membership_id),
            reason=payload.reason,
            day=payload.date,
            died=payload.died,
        )


@router.post(
    "/households/{household_id}/declarations",
    response={201: DeclarationCreatedOut, **WRITE_ERRORS},
    summary="收入、财产或刚性支出申报",
)
def declaration_create(request: HttpRequest, household_id: int, payload: DeclarationIn) -> Any:
    person = _ref(Person, payload.person_id) if payload.person_id is not None else None
    with fields_renamed({"person": "person_id"}):
        item = services.declaration_record(
            actor=caller(request),
            household=_ref(Household, household_id),
            what=payload.what,
            kind=payload.kind,
            amount=payload.amount,
            period_start=payload.period_start,
            period_end=payload.period_end,
            reason=payload.reason,
            person=person,
            source=payload.source,
            as_of=payload.as_of,
            quantity=payload.quantity,
            area=payload.area,
            note=payload.note,
        )
    item.what = payload.what
    return Status(201, item)


@router.get("/households/{household_id}/history", response=list[ChangeReportOut], summary="家庭变更记录")
@paginate(Pagination)
def household_history(request: HttpRequest, household_id: int) -> Any:
    """The household's change reports, newest first."""
    household = Household.objects.restrict(caller(request), "view").get(pk=household_id)
    return selectors.household_history(user=caller(request), household=household)


@router.post(
    "/households/{household_id}/reveal",
    response={200: RevealOut, **WRITE_ERRORS},
    summary="查看家庭完整电话或银行账号",
)
def household_reveal(request: HttpRequest, household_id: int, payload: HouseholdRevealIn) -> Any:
    """The full phone or bank account, for roles whose work needs it; written to the access log."""
    value = services.sensitive_reveal(
        actor=caller(request),
        obj=_ref(Household, household_id),
        field_name=payload.field,
        purpose=payload.purpose,
    )
    return {"field": payload.field, "value": value}


# ---- persons ---------------------------------------------------------------------------------


@router.get("/persons/{person_id}", response={200: PersonDetailOut, **READ_ERRORS}, summary="人员详情")
def person_detail(request: HttpRequest, person_id: int) -> Any:
    """One person, masked, with their memberships in households the caller may see."""
    return _person_detail(caller(request), person_id)


@router.patch("/persons/{person_id}", response={200: PersonDetailOut, **WRITE_ERRORS}, summary="修改人员信息")
def person_update(request: HttpRequest, person_id: int, payload: PersonPatchIn) -> Any:
    """Correct or update a person's facts; ``reason`` is required."""
    services.member_update(
        actor=caller(request),
        person=_ref(Person, person_id),
        reason=payload.reason,
        changes=payload.changes(),
    )
    return _person_detail(caller(request), person_id)


@router.post(
    "/persons/{person_id}/reveal", response={200: RevealOut, **WRITE_ERRORS}, summary="查看完整证件号码或电话"
)
def person_reveal(request: HttpRequest, person_id: int, payload: RevealIn) -> Any:
    """The full identity number or phone, for roles whose work needs it (``sees_full_values``);
    every reveal is written to the access log. Other roles get 403."""
    value = services.sensitive_reveal(
        actor=caller(request), obj=_ref(Person, person_id), field_name=payload.field, purpose=payload.purpose
    )
    return {"field": payload.field, "value": value}
