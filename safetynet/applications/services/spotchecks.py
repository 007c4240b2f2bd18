"""County spot checks (县级抽查) of tekun cases whose confirmation is delegated to the township:
the county checks at least the share set by the dated parameter ``workflow.spot_check_percent``
(tekun: 30%, 特困人员认定办法 第14条, domain-rules §3.6) of the township's confirmed cases of a
period. The sample is drawn reproducibly — the seed is the SHA-256 of the township, program,
period and the sorted case numbers of the population — and recorded with the population, so the
same draw can be re-done and checked by an auditor."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safetynet.applications import choices as c
from safetynet.applications import deadlines
from safetynet.applications.models import Case, Decision, SpotCheck, SpotCheckItem
from safetynet.applications.services._base import (
    actor_ref,
    add_error,
    atomic,
    raise_if,
    record_event,
    require_text,
    today_or,
)
from safetynet.core.permissions import region_bounds, require
from safetynet.core.services import change_log_write, snapshot
from safetynet.regions.choices import Level
from safetynet.regions.models import Region


def spot_check_population(*, township_code: str, program: str, date_from: dt.date, date_to: dt.date):
    """The township's cases of ``program`` confirmed by the township itself (delegated) within
    the period: approvals decided while confirmation was delegated."""
    approved = Decision.objects.filter(
        kind=c.DecisionKind.APPROVE, decided_on__gte=date_from, decided_on__lte=date_to
    ).values("case_id")
    return (
        Case.objects.filter(
            township_code=township_code,
            program=program,
            delegated=True,
            kind=c.CaseKind.APPLICATION,
            pk__in=approved,
        )
        .exclude(outcome__in=["", c.Outcome.REFUSED, c.Outcome.TERMINATED])
        .order_by("number")
    )


def sample_size(population: int, percent: Decimal) -> int:
    """At least ``percent`` of the population, rounded up (30% of 7 is 3)."""
    if population <= 0 or percent <= 0:
        return 0
    return min(population, math.ceil(population * percent / Decimal(100)))


def draw(numbers: list[str], seed: str, k: int) -> list[str]:
    """The reproducible sample: the same numbers and seed always give the same cases."""
    return sorted(random.Random(seed).sample(sorted(numbers), k))


def spot_check_draw(
    *,
    actor: Any,
    township_code: str,
    date_from: dt.date,
    date_to: dt.date,
    program: str = c.Program.TEKUN,
    today: dt.date | None = None,
) -> SpotCheck:
    """Draw and record the county's sample of one township's delegated confirmations for a
    period. Drawing the same township, program and period again returns the recorded draw."""
    require(actor, SpotCheck, "add")
    today = today_or(today)
    errors: dict[str, list[str]] = {}
    township = Region.objects.filter(code=township_code, level=Level.TOWNSHIP).first()
    if township is None:
        add_error(
            errors, "township", _("请选择乡镇（街道）：%(c)s 不是乡镇（街道）") % {"c": township_code or "—"}
        )
    elif actor.region_id:
        low, high = region_bounds(actor.region_id)
        if not (low <= township_code <= high):
            add_error(errors, "township", _("%(t)s 不在您的管辖范围内") % {"t": township.name})
    if program not in c.Program.values:
        add_error(errors, "program", _("救助项目无效：%(p)s") % {"p": program})
    if date_from > date_to:
        add_error(errors, "date_from", _("开始日期不能晚于结束日期"))
    if date_to > today:
        add_error(errors, "date_to", _("结束日期不能晚于今天"))
    raise_if(errors)
    assert township is not None
    existing = SpotCheck.objects.filter(
        township_code=township_code, program=program, period_from=date_from, period_to=date_to
    ).first()
    if existing is not None:
        return existing
    params = deadlines.parameters_for(region_code=township_code, program=program, day=date_to)
    value = params["workflow.spot_check_percent"]
    percent = Decimal(value.value or 0)
    if percent <= 0:
        raise ValidationError(
            {"program": [_("%(p)s在本地区没有规定县级抽查比例") % {"p": c.Program(program).label}]}
        )
    cases = list(
        spot_check_population(
            township_code=township_code, program=program, date_from=date_from, date_to=date_to
        )
    )
    numbers = [case.number for case in cases]
    if not numbers:
        raise ValidationError(
            {
                "period": [
                    _("%(t)s在该期间没有由乡镇确认的%(p)s个案")
                    % {"t": township.name, "p": c.Program(program).label}
                ]
            }
        )
    seed = hashlib.sha256(
        "|".join([township_code, program, date_from.isoformat(), date_to.isoformat(), *numbers]).encode()
    ).hexdigest()
    chosen = set(draw(numbers, seed, sample_size(len(numbers), percent)))
    with atomic():
        check = SpotCheck.objects.create(
            township_code=township_code,
            region_code=township_code[:6] + "000000",
            program=program,
            period_from=date_from,
            period_to=date_to,
            share_percent=percent,
            share_reference=value.reference,
            population=numbers,
            seed=seed,
            drawn_on=today,
            created_by=actor_ref(actor),
        )
        for case in cases:
            if case.number in chosen:
                SpotCheckItem.objects.create(spot_check=check, case=case)
                record_event(
                    case,
                    actor=actor,
                    action="spot_check",
                    reason=_("列入县级抽查（%(p)s%%）") % {"p": percent.normalize()},
                    data={"spot_check": check.pk},
                )
        change_log_write(
            actor=actor,
            action="create",
            obj=check,
            after={**snapshot(check), "sample": sorted(chosen)},
            reason="county spot check drawn",
        )
    return check


def spot_check_record(
    *,
    actor: Any,
    item: SpotCheckItem,
    outcome: str,
    note: str,
    checked_on: dt.date | None = None,
    today: dt.date | None = None,
) -> SpotCheckItem:
    """The county's finding on one sampled case: confirmed, or a problem (described; the
    officer then opens a change review of the entitlement)."""
    require(actor, SpotCheck, "change")
    today = today_or(today)
    check = SpotCheck.objects.restrict(actor, "change").get(pk=item.spot_check_id)
    item = SpotCheckItem.objects.select_related("case").get(pk=item.pk, spot_check=check)
    errors: dict[str, list[str]] = {}
    if outcome not in (c.SpotCheckOutcome.CONFIRMED, c.SpotCheckOutcome.PROBLEM):
        add_error(errors, "outcome", _("请选择抽查结果"))
    note = note.strip() if note else ""
    if outcome == c.SpotCheckOutcome.PROBLEM:
        note = require_text(errors, "note", note, _("发现问题的，须写明抽查情况"))
    checked_on = checked_on or today
    if checked_on > today:
        add_error(errors, "checked_on", _("抽查日期不能晚于今天"))
    if checked_on < check.drawn_on:
        add_error(errors, "checked_on", _("抽查日期不能早于抽样日期 %(d)s") % {"d": check.drawn_on})
    raise_if(errors)
    before = {"outcome": item.outcome, "note": item.note}
    with atomic():
        item.outcome, item.note, item.checked_on = outcome, note, checked_on
        item.checked_by = actor_ref(actor)
        item.save(update_fields=["outcome", "note", "checked_on", "checked_by"])
        record_event(
            item.case,
            actor=actor,
            action="spot_check_result",
            reason=f"{c.SpotCheckOutcome(outcome).label}{'：' + note if note else ''}",
            data={"spot_check": check.pk},
        )
        change_log_write(
            actor=actor,
            action="update",
            obj=item.case,
            before={"spot_check": before},
            after={"spot_check": {"outcome": outcome, "note": note, "checked_on": checked_on}},
            reason="county spot check recorded",
        )
    return item
