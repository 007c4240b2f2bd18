"""Reads of the workflow: worklists, case pages, counts, authorisation gaps, conflicts of
interest. Every case-bearing read starts from ``restrict(user, "view")``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.accounts.roles import Role
from safetynet.applications import choices as c
from safetynet.applications import workflow
from safetynet.applications.models import (
    Application,
    Authorisation,
    Case,
    Complaint,
    Document,
    JointMeeting,
    Lead,
    NoticeLine,
    PublicNotice,
    StaffRelative,
    Transition,
)
from safetynet.core.permissions import role_allows
from safetynet.core.selectors import deadline_after
from safetynet.registry.models import Household, LegalSupporter, Membership, Person

PAGE_SIZE = 25
ADULT_AGE = 18

# ---- authorisations (授权核对) ------------------------------------------------------------------


@dataclass
class AuthNeed:
    person: Person
    role: str
    supporter: bool = False
    done: Authorisation | None = None

    @property
    def message(self) -> str:
        if self.role == c.AuthRole.GUARDIAN:
            return _("未成年人 %(n)s 须由监护人签署核对授权") % {"n": self.person.name}
        if self.supporter:
            return _("家庭外的法定义务人 %(n)s 须本人签署同意核对") % {"n": self.person.name}
        return _("成年家庭成员 %(n)s 须本人签署核对授权") % {"n": self.person.name}


def authorisation_needs(*, household: Household, today: dt.date) -> list[AuthNeed]:
    """Who must authorise the verification of this household, and the authorisation on file
    for each (domain-rules §11.12: adults for themselves, a guardian for each minor, every legal
    supporter outside the household with their own consent)."""
    members = [
        m.person
        for m in Membership.objects.filter(household=household, end_date__isnull=True, counted=True)
        .select_related("person")
        .order_by("id")
    ]
    supporters = [
        s.person
        for s in LegalSupporter.objects.filter(household=household, end_date__isnull=True)
        .select_related("person")
        .order_by("id")
    ]
    valid = (
        Authorisation.objects.filter(household=household, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("signed_by")
        .order_by("-id")
    )
    by_person: dict[int, list[Authorisation]] = {}
    for auth in valid:
        by_person.setdefault(auth.person_id, []).append(auth)
    needs: list[AuthNeed] = []
    member_ids = {p.pk for p in members}
    for person in members:
        age = person.age_on(today)
        minor = age is not None and age < ADULT_AGE
        role = c.AuthRole.GUARDIAN if minor else c.AuthRole.SELF
        done = None
        for auth in by_person.get(person.pk, []):
            if auth.role != role:
                continue
            if role == c.AuthRole.SELF and auth.signed_by_id != person.pk:
                continue
            if role == c.AuthRole.GUARDIAN and auth.signed_by_id == person.pk:
                continue
            done = auth
            break
        needs.append(AuthNeed(person, role, False, done))
    for person in supporters:
        if person.pk in member_ids:
            continue
        done = next(
            (
                a
                for a in by_person.get(person.pk, [])
                if a.role == c.AuthRole.SUPPORTER and a.signed_by_id == person.pk
            ),
            None,
        )
        needs.append(AuthNeed(person, c.AuthRole.SUPPORTER, True, done))
    return needs


def authorisation_gaps(*, case: Case, today: dt.date) -> list[AuthNeed]:
    return [n for n in authorisation_needs(household=case.household, today=today) if n.done is None]


# ---- conflict of interest (近亲属回避) ---------------------------------------------------------

NEAR = {"self", "spouse", "parent", "child", "sibling", "grandparent", "grandchild"}
_INVERSE = {
    "self": "self",
    "spouse": "spouse",
    "child": "parent",
    "parent": "child",
    "sibling": "sibling",
    "grandparent": "grandchild",
    "grandchild": "grandparent",
}
# (a's relation to the head, b's relation to the head) → b's relation to a
_VIA_HEAD = {
    ("child", "child"): "sibling",
    ("spouse", "child"): "child",
    ("child", "spouse"): "parent",
    ("parent", "child"): "grandchild",
    ("child", "parent"): "grandparent",
    ("parent", "self"): "child",
    ("sibling", "sibling"): "sibling",
    ("grandchild", "child"): "parent",
    ("child", "grandchild"): "child",
}


def kinship(a_to_head: str, b_to_head: str) -> str:
    """b's relation to a, for two members of one household, from their relations to the head;
    '' when it cannot be told (they are still living together)."""
    if a_to_head == "self":
        return b_to_head if b_to_head in NEAR else ""
    if b_to_head == "self":
        return _INVERSE.get(a_to_head, "")
    return _VIA_HEAD.get((a_to_head, b_to_head), "")


@dataclass
class Conflict:
    member_name: str
    staff_name: str
    position: str
    relation: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {
            "member": self.member_name,
            "staff": self.staff_name,
            "position": self.position,
            "relation": self.relation,
            "source": self.source,
        }


def _relation_label(code: str) -> str:
    if not code:
        return _("同户共同生活成员")
    return str(c.Relation(code).label) if code in c.Relation.values else code


def conflicts_for(*, household: Household) -> list[Conflict]:
    """Near relatives of staff or committee members whose work covers this household: through
    the staff member's linked person record, household relations, the staff member's legal-
    supporter links, and the relatives each staff member declares."""
    from safetynet.accounts.models import User
    from safetynet.eligibility.selectors import region_chain

    chain = region_chain(household.region_code)
    current = list(
        Membership.objects.filter(household=household, end_date__isnull=True).select_related("person")
    )
    by_person = {m.person_id: m for m in current}
    found: list[Conflict] = []
    staff = User.objects.filter(
        region_id__in=chain,
        person__isnull=False,
        is_active=True,
        role__in=[Role.CASEWORKER, Role.COUNTY_OFFICER, Role.COORDINATOR],
    ).select_related("person")
    position_of: dict[str, str] = {
        Role.CASEWORKER: c.StaffPosition.CASEWORKER,
        Role.COUNTY_OFFICER: c.StaffPosition.OFFICER,
        Role.COORDINATOR: c.StaffPosition.COMMITTEE,
    }
    for user in staff:
        position = str(c.StaffPosition(position_of[user.role]).label)
        if user.person_id is None:
            continue
        mine = by_person.get(user.person_id)
        if mine is not None:  # the staff member lives in this household
            for other in current:
                relation = (
                    "self" if other.person_id == user.person_id else kinship(mine.relation, other.relation)
                )
                found.append(
                    Conflict(other.person.name, str(user), position, _relation_label(relation), _("同户成员"))
                )
            continue
        for supporter in LegalSupporter.objects.filter(
            household=household, person_id=user.person_id, end_date__isnull=True
        ).select_related("supported"):
            if supporter.relation in NEAR:
                name = supporter.supported.name if supporter.supported else household.head_name
                found.append(
                    Conflict(name, str(user), position, _relation_label(supporter.relation), _("法定义务人"))
                )
    hashes = {m.person.id_hash: m.person for m in current}
    declared = StaffRelative.objects.filter(
        relative_hash__in=list(hashes), ended_on__isnull=True, region_code__in=chain
    )
    for row in declared:
        person = hashes[row.relative_hash]
        found.append(
            Conflict(
                person.name,
                row.staff_name,
                row.get_position_display(),
                _relation_label(row.relation),
                _("近亲属申报"),
            )
        )
    return found


# ---- worklists (待办) ---------------------------------------------------------------------------


@dataclass
class WorklistFilter:
    program: str = ""
    state: str = ""
    village: str = ""  # a region code (village or township) within the user's scope
    township: str = ""
    due: str = ""  # "overdue" | "soon" | ""
    mine: bool = True  # only the states where the user's role has something to do


def due_soon_limit(today: dt.date, days: int = 3) -> dt.date:
    return deadline_after(today, days).due


def _open_cases(user) -> QuerySet[Case]:
    return Case.objects.restrict(user, "view").filter(closed_at__isnull=True)


def _task_q(user) -> Q:
    """States where the user's role has a move in the table (delegated confirmation counts
    only on delegated cases)."""
    own, delegated = workflow.task_states(user.role)
    query = Q(state__in=sorted(own))
    if delegated:
        query |= Q(state__in=sorted(delegated), delegated=True)
    return query


def worklist(*, user, filters: WorklistFilter, today: dt.date | None = None) -> QuerySet[Case]:
    """Open cases in the user's scope, sorted by the current step's due date (undated last)."""
    from django.db.models import F

    today = today or timezone.localdate()
    qs = _open_cases(user)
    if filters.mine:
        qs = qs.filter(_task_q(user))
    if filters.program:
        qs = qs.filter(program=filters.program)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.village:
        from safetynet.core.permissions import region_q

        qs = qs.filter(region_q("region_code", filters.village))
    if filters.township:
        qs = qs.filter(township_code=filters.township)
    if filters.due == "overdue":
        qs = qs.filter(step_due__lt=today)
    elif filters.due == "soon":
        qs = qs.filter(step_due__gte=today, step_due__lte=due_soon_limit(today))
    # households are fetched for the page only (a join here makes the planner walk the whole
    # household table before the top-N sort)
    return qs.prefetch_related("household").order_by(F("step_due").asc(nulls_last=True), "id")


def worklist_page(*, user, filters: WorklistFilter, page: int = 1, today: dt.date | None = None) -> Page:
    return Paginator(worklist(user=user, filters=filters, today=today), PAGE_SIZE).get_page(page)


@dataclass
class Counts:
    open: int = 0
    tasks: int = 0
    overdue: int = 0
    due_soon: int = 0
    leads: int = 0
    complaints: int = 0
    enabled: bool = True


def home_counts(*, user, today: dt.date | None = None) -> Counts:
    """The home page's figures: open cases in scope, the user's tasks, overdue and due within 3
    working days among the tasks, open leads and complaints. One aggregate query for cases."""
    if not role_allows(user, Case, "view"):
        return Counts(enabled=False)
    today = today or timezone.localdate()
    soon = due_soon_limit(today)
    task = _task_q(user)
    agg = _open_cases(user).aggregate(
        open=Count("id"),
        tasks=Count("id", filter=task),
        overdue=Count("id", filter=task & Q(step_due__lt=today)),
        due_soon=Count("id", filter=task & Q(step_due__gte=today, step_due__lte=soon)),
    )
    leads = (
        Lead.objects.restrict(user, "view").filter(status=c.LeadStatus.OPEN).count()
        if role_allows(user, Lead, "view")
        else 0
    )
    complaints = (
        Complaint.objects.restrict(user, "view").exclude(status=c.ComplaintStatus.CLOSED).count()
        if role_allows(user, Complaint, "view")
        else 0
    )
    return Counts(leads=leads, complaints=complaints, **agg)


@dataclass
class TownshipRow:
    code: str
    name: str
    open: int
    overdue: int
    due_soon: int
    by_state: dict[str, int] = field(default_factory=dict)


def supervision(*, user, today: dt.date | None = None) -> list[TownshipRow]:
    """A supervisor's view: open cases per township of the user's scope, with overdue and
    due-soon counts (one grouped query)."""
    from safetynet.regions.models import Region

    today = today or timezone.localdate()
    soon = due_soon_limit(today)
    rows = (
        _open_cases(user)
        .values("township_code", "state")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(step_due__lt=today)),
            soon=Count("id", filter=Q(step_due__gte=today, step_due__lte=soon)),
        )
        .order_by()
    )
    result: dict[str, TownshipRow] = {}
    for row in rows:
        entry = result.setdefault(row["township_code"], TownshipRow(row["township_code"], "", 0, 0, 0))
        entry.open += row["n"]
        entry.overdue += row["overdue"]
        entry.due_soon += row["soon"]
        entry.by_state[row["state"]] = entry.by_state.get(row["state"], 0) + row["n"]
    names = dict(Region.objects.filter(code__in=list(result)).values_list("code", "name"))
    for code, entry in result.items():
        entry.name = names.get(code, code)
    return sorted(result.values(), key=lambda r: r.code)


# ---- one case -------------------------------------------------------------------------------------


def case_get(*, user, pk: int) -> Case:
    """A case with what its page shows (404 outside the user's scope)."""
    return (
        Case.objects.restrict(user, "view")
        .select_related(
            "application",
            "application__applicant",
            "household",
            "household__region",
            "household__region__parent",
            "snapshot",
            "assigned_to",
            "predecessor",
        )
        .prefetch_related(
            Prefetch("transitions", queryset=Transition.objects.order_by("time", "id")),
            "visits",
            "verification_reports",
            "deliberations",
            "hearings",
            "emergency_payments",
            Prefetch("decisions", queryset=_decisions()),
            Prefetch("documents", queryset=Document.objects.order_by("kind", "id")),
            Prefetch(
                "notice_lines",
                queryset=NoticeLine.objects.select_related("notice").prefetch_related("objections"),
            ),
            Prefetch("complaints", queryset=Complaint.objects.order_by("-received_on")),
            Prefetch("meeting_items", queryset=_meeting_items()),
        )
        .get(pk=pk)
    )


def _decisions():
    from safetynet.applications.models import Decision

    return Decision.objects.select_related("letter").order_by("id")


def _meeting_items():
    from safetynet.applications.models import MeetingItem

    return MeetingItem.objects.select_related("meeting").order_by("id")


def case_members(*, case: Case) -> list[Membership]:
    return list(
        Membership.objects.filter(household_id=case.household_id, end_date__isnull=True)
        .select_related("person")
        .order_by("id")
    )


def available_actions(*, user, case: Case) -> list[workflow.Step]:
    """The moves the user may take on this case now (the buttons on its page)."""
    if case.closed_at is not None or not role_allows(user, Case, "change"):
        return []
    procedure = workflow.procedure_of(case.program, case.kind)
    steps = workflow.steps_for(procedure, case.program, case.state)
    seen: dict[str, workflow.Step] = {}
    for step in steps:
        if workflow.role_may(step, user.role, delegated=case.delegated):
            seen.setdefault(step.action, step)
    return list(seen.values())


def application_get(*, user, pk: int) -> Application:
    return (
        Application.objects.restrict(user, "view")
        .select_related("household", "applicant", "lead", "proxy_user")
        .prefetch_related(Prefetch("cases", queryset=Case.objects.order_by("id")))
        .get(pk=pk)
    )


def document_get(*, user, pk: int) -> Document:
    return Document.objects.restrict(user, "view").get(pk=pk)


def notices(*, user) -> QuerySet[PublicNotice]:
    return (
        PublicNotice.objects.restrict(user, "view")
        .annotate(n_lines=Count("lines"))
        .order_by("-start_date", "-id")
    )


def notice_get(*, user, pk: int) -> PublicNotice:
    return (
        PublicNotice.objects.restrict(user, "view")
        .select_related("village", "village__parent")
        .prefetch_related(
            Prefetch(
                "lines", queryset=NoticeLine.objects.select_related("case").prefetch_related("objections")
            )
        )
        .get(pk=pk)
    )


def notice_candidates(*, user, village: str) -> QuerySet[Case]:
    """Cases of a village waiting to be posted (a positive preliminary opinion)."""
    return (
        Case.objects.restrict(user, "view")
        .filter(region_code=village, state=c.State.OPINION, opinion_eligible=True, closed_at__isnull=True)
        .filter(program__in=sorted(workflow.NOTICE_PROGRAMS | workflow.NO_NOTICE_PROGRAMS))
        .select_related("household")
        .order_by("id")
    )


def meetings(*, user) -> QuerySet[JointMeeting]:
    return JointMeeting.objects.restrict(user, "view").annotate(n_items=Count("items"))


def meeting_get(*, user, pk: int) -> JointMeeting:
    from safetynet.applications.models import MeetingItem

    return (
        JointMeeting.objects.restrict(user, "view")
        .prefetch_related(
            Prefetch(
                "items", queryset=MeetingItem.objects.select_related("case", "case__household").order_by("id")
            )
        )
        .get(pk=pk)
    )


def meeting_agenda_candidates(*, user) -> QuerySet[Case]:
    """Cases referred to the joint meeting and not yet on an agenda awaiting its decision."""
    from safetynet.applications.models import MeetingItem

    pending = MeetingItem.objects.filter(applied_at__isnull=True).values("case_id")
    return (
        Case.objects.restrict(user, "view")
        .filter(state=c.State.JOINT_MEETING, closed_at__isnull=True)
        .exclude(pk__in=pending)
        .select_related("household")
        .order_by("id")
    )


def complaints(*, user, open_only: bool = True) -> QuerySet[Complaint]:
    qs = Complaint.objects.restrict(user, "view").select_related("case", "assigned_to", "person")
    if open_only:
        qs = qs.exclude(status=c.ComplaintStatus.CLOSED)
    return qs.order_by("-received_on", "-id")


def leads(*, user, open_only: bool = True) -> QuerySet[Lead]:
    qs = Lead.objects.restrict(user, "view").select_related("household", "person", "assigned_to")
    if open_only:
        qs = qs.filter(status=c.LeadStatus.OPEN)
    return qs.order_by("due_on", "id")


def household_cases(*, user, household: Household) -> QuerySet[Case]:
    return Case.objects.restrict(user, "view").filter(household=household).order_by("-id")


def staff_relatives(*, user) -> QuerySet[StaffRelative]:
    return (
        StaffRelative.objects.restrict(user, "view")
        .filter(ended_on__isnull=True)
        .order_by("staff_name", "id")
    )


def snapshot_program(case: Case) -> dict[str, Any]:
    """The rules' result for the case's program from its snapshot ({} when not assessed)."""
    if case.snapshot is None:
        return {}
    return program_entry(case.snapshot.outputs or {}, case.program)


def program_entry(outputs: dict[str, Any], program: str) -> dict[str, Any]:
    """One program's result in a snapshot's outputs (``{"programs": {key: …}}`` as the rules
    package returns it, or ``{key: …}``)."""
    nested = outputs.get("programs")
    programs: dict[str, Any] = nested if isinstance(nested, dict) else outputs
    return programs.get(program) or {}


def failed_tests(case: Case) -> list[dict[str, Any]]:
    return [t for t in snapshot_program(case).get("tests", []) if not t.get("passed", True)]
