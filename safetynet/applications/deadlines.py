"""Time limits of the workflow: names in the table → dated, regional parameters → due dates.

A step's due date is its own limit counted from when the case entered it (or from acceptance,
for "start the investigation within 3 working days of acceptance"), capped by the total limit
of the case while it is before the decision. Working days come from the holiday calendar in the
database (``core.selectors.deadline_after``); a due date that falls in a year whose official
schedule is not entered yet is provisional and is recomputed when the year is entered
(``services.deadlines_recompute``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from safetynet.applications import parameters as p
from safetynet.applications.choices import CaseKind, State
from safetynet.core.selectors import deadline_after
from safetynet.core.workdays import Deadline
from safetynet.eligibility.selectors import StandardValue, standards_in_force

ENTERED = "entered"
CLOCK = "clock"  # counted from the case's clock start (acceptance)


@dataclass(frozen=True)
class Limit:
    key: str  # the general parameter key; ``workflow.<program>.<name>`` overrides it
    anchor: str = ENTERED


LIMITS: dict[str, Limit] = {
    "acceptance": Limit("workflow.acceptance_days"),
    "investigation_start": Limit("workflow.investigation_start_days", CLOCK),
    "investigation": Limit("workflow.investigation_days"),
    "reinvestigation": Limit("workflow.reinvestigation_days"),
    "notice": Limit("workflow.public_notice_days"),
    "county_review": Limit("workflow.county_review_days"),
    "notify": Limit("workflow.notify_days"),
    "emergency_paperwork": Limit("workflow.emergency_paperwork_days"),
    "stop_notice": Limit("workflow.stop_notice_days"),
}
# States after the decision: their limit is not capped by the total (the letter is due after it).
AFTER_DECISION = {State.APPROVED, State.REFUSED, State.STOPPED}

TOTAL_KEYS = ("workflow.total_days", "workflow.total_days_delegated", "workflow.total_days_extended")
OTHER_KEYS = (
    "workflow.confirmation_delegated",
    "workflow.review_months_stable",
    "workflow.review_months_unstable",
    "workflow.death_review_months",
    "workflow.due_soon_days",
    "workflow.lead_contact_days",
    "workflow.review_lead_days",
    "workflow.spot_check_percent",
)


@dataclass(frozen=True)
class Value:
    key: str
    value: Decimal | None  # None: no limit set, nationally or by the region
    unit: str
    reference: str
    region_code: str  # "" for the national default


def parameters_for(*, region_code: str, program: str, day: dt.date) -> dict[str, Value]:
    """Every workflow parameter for a case of ``program`` in ``region_code`` on ``day``, keyed
    by the general key: a region's value beats the national default; a program-specific key
    (national or regional) beats the general one."""
    general = [lim.key for lim in LIMITS.values()] + list(TOTAL_KEYS) + list(OTHER_KEYS)
    specific = {
        key: key.replace("workflow.", f"workflow.{program}.", 1) if program else key for key in general
    }
    defaults: dict[str, StandardValue] = {}
    for key in [*general, *specific.values()]:
        param = p.national(key, day)
        defaults[key] = (
            p.as_standard(param) if param else StandardValue(key, None, "", None, "")  # type: ignore[arg-type]
        )
    found = standards_in_force(
        region_code=region_code,
        month=day,
        urban_rural="",
        keys=list(dict.fromkeys([*general, *specific.values()])),
        defaults=defaults,
    )
    result: dict[str, Value] = {}
    for key in general:
        spec = found[specific[key]]
        # a program-specific value counts when a region set it or the law has one
        chosen = spec if (spec.region_code or spec.value is not None) else found[key]
        result[key] = Value(key, chosen.value, p.unit_of(key), chosen.reference, chosen.region_code)
    return result


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def after(start: dt.date, value: Value) -> Deadline | None:
    if value.value is None:
        return None
    amount = int(value.value)
    if value.unit == p.WORKING_DAYS:
        return deadline_after(start, amount)
    if value.unit == p.CALENDAR_DAYS:
        return Deadline(start + dt.timedelta(days=amount), False)
    if value.unit == p.MONTHS:
        return Deadline(add_months(start, amount), False)
    raise ValueError(f"not a time limit: {value.key} ({value.unit})")


@dataclass(frozen=True)
class Due:
    step: Deadline | None
    total: Deadline | None
    limit: str


def total_due(case, params: dict[str, Value]) -> Deadline | None:
    """The whole procedure's limit: 30 working days from acceptance (20 where confirmation is
    delegated, 45 when extended); a review's own due date."""
    if case.kind != CaseKind.APPLICATION:
        return Deadline(case.review_due, False) if case.review_due else None
    if case.clock_start is None:
        return None
    if case.extended:
        key = "workflow.total_days_extended"
    elif case.delegated:
        key = "workflow.total_days_delegated"
    else:
        key = "workflow.total_days"
    return after(case.clock_start, params[key])


def due_for(case, state: str, limit: str | None, entered: dt.date, params: dict[str, Value]) -> Due:
    """The due dates of a case entering ``state`` on ``entered`` under the named limit."""
    total = total_due(case, params)
    step: Deadline | None = None
    if limit is not None:
        spec = LIMITS[limit]
        start = case.clock_start if spec.anchor == CLOCK and case.clock_start else entered
        step = after(start, params[spec.key])
    if state not in AFTER_DECISION and total is not None and (step is None or total.due < step.due):
        step = total
    return Due(step, total, limit or "")


def is_delegated(params: dict[str, Value]) -> bool:
    value = params["workflow.confirmation_delegated"].value
    return bool(value) and value != 0
