"""Writes of the core: the change log, the access log and job bookkeeping."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from safetynet.core import context
from safetynet.core.models import AccessLog, ChainHead, ChangeLog, Job


def to_json(value: Any) -> Any:
    """Make a value JSON-native (and so stable through a database round trip)."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_json(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(instance: models.Model, *, fields: list[str] | None = None) -> dict[str, Any]:
    """The audit view of a record: concrete fields, minus ciphertexts and hashes."""
    exclude = set(getattr(instance, "AUDIT_EXCLUDE", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.attname in exclude or (fields is not None and field.name not in fields):
            continue
        data[field.attname] = to_json(getattr(instance, field.attname))
    return data


def row_hash(row: models.Model, fields: tuple[str, ...]) -> str:
    payload = {name: to_json(getattr(row, name)) for name in fields}
    if isinstance(payload.get("time"), str):
        # one textual form whatever the database returns (offset or not)
        payload["time"] = row.time.astimezone(dt.UTC).isoformat()  # type: ignore[attr-defined]
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _append(row: AccessLog | ChangeLog, chain: str) -> None:
    with transaction.atomic():
        # Updating the head first takes the write lock, so appends are serialised.
        updated = ChainHead.objects.filter(name=chain).update(seq=F("seq") + 1)
        if not updated:
            ChainHead.objects.get_or_create(name=chain)
            ChainHead.objects.filter(name=chain).update(seq=F("seq") + 1)
        head = ChainHead.objects.get(name=chain)
        row.prev_hash = head.last_hash
        row.hash = row_hash(row, row.HASHED_FIELDS)
        row.save(force_insert=True)
        ChainHead.objects.filter(name=chain).update(last_hash=row.hash)


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "pk", None):
        return {"actor": None, "actor_name": "system"}
    return {"actor": actor, "actor_name": actor.get_username()}


def change_log_write(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    job: Job | None = None,
) -> ChangeLog:
    """Append one change-log row. Services call this inside their own transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    job_id = job.pk if job is not None else context.job_id.get()
    row = ChangeLog(
        time=timezone.now(),
        request_id=context.request_id.get(),
        job_id=job_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        before=to_json(before),
        after=to_json(after),
        reason=reason,
        **_actor_fields(actor),
    )
    _append(row, "change")
    return row


def access_log_write(*, actor: Any, obj: models.Model, field: str, purpose: str = "") -> AccessLog:
    """Record a read of a full sensitive value (identity number, phone, bank account)."""
    row = AccessLog(
        time=timezone.now(),
        request_id=context.request_id.get(),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        field=field,
        purpose=purpose,
        **_actor_fields(actor),
    )
    _append(row, "access")
    return row


def job_start(*, kind: str, actor: Any = None, params: dict | None = None, total: int = 0) -> Job:
    return Job.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor.get_username() if getattr(actor, "pk", None) else "system",
        params=to_json(params or {}),
        progress_total=total,
    )


def job_progress(*, job: Job, done: int, total: int | None = None) -> None:
    values: dict[str, Any] = {"progress_done": done}
    if total is not None:
        values["progress_total"] = total
    Job.objects.filter(pk=job.pk).update(**values)


def job_finish(*, job: Job, counts: dict, digest: str = "", reason: str = "") -> Job:
    """Close a job and write its single change-log entry (what, how many, digest)."""
    with transaction.atomic():
        job.status = Job.Status.SUCCEEDED
        job.counts = to_json(counts)
        job.digest = digest
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "counts", "digest", "finished_at"])
        change_log_write(
            actor=job.actor,
            action="job",
            object_type="core.job",
            object_id=str(job.pk),
            after={"kind": job.kind, "params": job.params, "counts": job.counts, "digest": digest},
            reason=reason or job.kind,
            job=job,
        )
    return job


def job_fail(*, job: Job, error: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error=error[:5000], finished_at=timezone.now()
    )


def calendar_year_enter(
    *, actor: Any, year: int, holidays: dict[dt.date, str], workdays: dict[dt.date, str], source: str
) -> None:
    """Enter (or replace) a year's official schedule: holidays and adjusted working days.
    Deadlines in that year stop being provisional from then on."""
    from django.core.exceptions import ValidationError

    from safetynet.core.models import CalendarDay, CalendarYear

    wrong = [d for d in [*holidays, *workdays] if d.year != year]
    if wrong:
        raise ValidationError({"date": [f"{d.isoformat()} 不属于 {year} 年" for d in wrong]})
    both = set(holidays) & set(workdays)
    if both:
        raise ValidationError(
            {"date": [f"{d.isoformat()} 不能既是节假日又是调休上班日" for d in sorted(both)]}
        )
    with transaction.atomic():
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, kind=CalendarDay.Kind.HOLIDAY, name=n) for d, n in holidays.items()]
            + [CalendarDay(date=d, kind=CalendarDay.Kind.WORKDAY, name=n) for d, n in workdays.items()]
        )
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "source": source,
                "entered_by": actor if getattr(actor, "pk", None) else None,
                "entered_at": timezone.now(),
            },
        )
        change_log_write(
            actor=actor,
            action="update",
            object_type="core.calendaryear",
            object_id=str(year),
            after={"holidays": sorted(holidays), "workdays": sorted(workdays), "source": source},
            reason=f"holiday schedule {year}",
        )


def calendar_seed_from_library(*, actor: Any = None, years: range | None = None) -> list[int]:
    """Seed the years the `chinesecalendar` package knows (2004 up to its last year), skipping
    years already entered. Returns the years seeded."""
    import chinese_calendar

    from safetynet.core.models import CalendarYear

    known = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    wanted = sorted(y for y in (years or range(min(known), max(known) + 1)) if y in known)
    done = set(CalendarYear.objects.values_list("year", flat=True))
    seeded = []
    for year in wanted:
        if year in done:
            continue
        holidays = {
            d: str(n) for d, n in chinese_calendar.holidays.items() if d.year == year and d.weekday() < 5
        }
        workdays = {
            d: str(n) for d, n in chinese_calendar.workdays.items() if d.year == year and d.weekday() >= 5
        }
        calendar_year_enter(
            actor=actor,
            year=year,
            holidays=holidays,
            workdays=workdays,
            source=f"chinesecalendar {chinese_calendar.__version__}",
        )
        seeded.append(year)
    return seeded
