"""Writes of eligibility: proposing and approving regional standards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.core.permissions import region_bounds, require
from safetynet.core.services import change_log_write, snapshot
from safetynet.eligibility.models import (
    DecisionSnapshot,
    EvaluationRun,
    RegionalStandard,
    Scenario,
    UrbanRuralScope,
)
from safetynet.eligibility.selectors import guideline_floor
from safetynet.regions.models import Region


def standard_propose(
    *,
    actor,
    region_code: str,
    key: str,
    value: Any,
    effective_from: dt.date,
    reference: str,
    urban_rural: str = "",
    is_guideline: bool = False,
    known_keys: set[str] | None = None,
) -> RegionalStandard:
    """An officer proposes a value for their own region (or one below it)."""
    require(actor, RegionalStandard, "add")
    errors: dict[str, list[str]] = {}
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        errors.setdefault("region_code", []).append(_("区划代码 %(c)s 不存在") % {"c": region_code})
    elif actor.region_id is not None:
        low, high = region_bounds(actor.region_id)
        if not (low <= region_code <= high):
            errors.setdefault("region_code", []).append(_("只能为本级或下级区划制定标准"))
    if known_keys is not None and key not in known_keys:
        errors.setdefault("key", []).append(_("未知的标准项目：%(k)s") % {"k": key})
    try:
        number = Decimal(str(value))
        if number < 0:
            errors.setdefault("value", []).append(_("数值不能为负数"))
    except (InvalidOperation, ValueError):
        errors.setdefault("value", []).append(_("数值必须是数字：%(v)s") % {"v": value})
        number = Decimal(0)
    if urban_rural not in UrbanRuralScope.values:
        errors.setdefault("urban_rural", []).append(_("城乡只能是 urban、rural 或留空"))
    if not reference.strip():
        errors.setdefault("reference", []).append(_("请填写文件依据（文号）"))
    if region is not None and "value" not in errors:
        floor = guideline_floor(region_code=region_code, key=key, urban_rural=urban_rural, day=effective_from)
        if floor is not None and number < floor.value:
            errors.setdefault("value", []).append(
                _("不得低于上级指导标准 %(v)s（%(r)s 制定）") % {"v": floor.value, "r": floor.region.name}
            )
    if errors or region is None:
        raise ValidationError(errors)
    with transaction.atomic():
        row = RegionalStandard.objects.create(
            region=region,
            region_code=region_code,
            key=key,
            urban_rural=urban_rural,
            effective_from=effective_from,
            value=number,
            is_guideline=is_guideline,
            reference=reference.strip(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        change_log_write(
            actor=actor, action="create", obj=row, after=snapshot(row), reason="standard proposed"
        )
    return row


def standard_decide(*, actor, standard: RegionalStandard, approve: bool, note: str = "") -> RegionalStandard:
    """Approve or reject a proposal. The approver is not the proposer (four-eyes)."""
    require(actor, RegionalStandard, "change")
    standard = RegionalStandard.objects.restrict(actor, "change").get(pk=standard.pk)
    if standard.status != RegionalStandard.Status.PROPOSED:
        raise ValidationError({"status": [_("该标准已审批，不能重复审批")]})
    if standard.created_by_id is not None and standard.created_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("提出人不能审批自己的提议"))
    try:
        with transaction.atomic():
            return _decide(actor, standard, approve, note)
    except IntegrityError:
        raise ValidationError(
            {"effective_from": [_("同一区划、项目、城乡和生效日期已有批准的标准")]}
        ) from None


def _decide(actor, standard: RegionalStandard, approve: bool, note: str) -> RegionalStandard:
    # Conditional update + row count: two approvers at once cannot both succeed.
    updated = RegionalStandard.objects.filter(pk=standard.pk, status=RegionalStandard.Status.PROPOSED).update(
        status=RegionalStandard.Status.APPROVED if approve else RegionalStandard.Status.REJECTED,
        approved_by=actor,
        approved_at=timezone.now(),
        decision_note=note,
    )
    if updated != 1:
        raise ValidationError({"status": [_("该标准已被他人审批")]})
    standard.refresh_from_db()
    change_log_write(
        actor=actor,
        action="update",
        obj=standard,
        after={"status": standard.status, "note": note},
        reason="standard decided",
    )
    return standard


def snapshot_create(*, actor, household, month: dt.date, purpose: str) -> DecisionSnapshot:
    """Evaluate a household and store the inputs, outputs and rules version used for a decision.
    Raises ``MissingStandard`` or ``SituationError`` (nothing stored) when it cannot be evaluated."""
    import openfisca_cn_assistance

    from safetynet.eligibility.selectors import evaluate_situation
    from safetynet.eligibility.situations import household_situation
    from safetynet.registry.models import Household

    require(actor, DecisionSnapshot, "add")
    household = Household.objects.restrict(actor, "view").get(pk=household.pk)
    month = month.replace(day=1)
    situation = household_situation(household=household, month=month)
    result = evaluate_situation(situation)
    with transaction.atomic():
        snapshot = DecisionSnapshot.objects.create(
            household=household,
            region_code=household.region_code,
            month=month,
            purpose=purpose,
            inputs=situation,
            outputs=result,
            rules_version=openfisca_cn_assistance.__version__,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        change_log_write(
            actor=actor,
            action="create",
            obj=snapshot,
            after={
                "household": household.number,
                "month": month,
                "purpose": purpose,
                "rules_version": snapshot.rules_version,
                "eligible": result.get("eligible"),
            },
            reason=purpose,
        )
    return snapshot


# Demo and test standards for a mid-size city (domain-rules §8, "suggested demo parameter set").
DEMO_STANDARDS: dict[str, tuple[Any, str]] = {
    "dibao_standard_urban": (800, "示范值 [A]：中等城市城镇低保标准（domain-rules §8）"),
    "dibao_standard_rural": (650, "示范值 [A]：中等城市农村低保标准（domain-rules §8）"),
    "asset_multiple": (24, "示范值：参照北京 24 个月 [S]"),
    "minimum_wage": (2080, "示范值：最低档月最低工资 2080 元（青海一档，2026-01-01）[S-2]"),
    "disposable_income_last_year": (41314, "示范值 [A]：2024 年全国居民人均可支配收入"),
    "consumption_expenditure_last_year": (29476, "2025 年全国居民人均消费支出 [S-2]"),
    "care_rate_able": (0.2, "参照北京 京民社救发〔2017〕24号 20% [S]"),
    "care_rate_partial": (0.4, "参照北京 40% [S]"),
    "care_rate_full": (0.6, "参照北京 60% [S]"),
    "rigid_expenditure_ratio": (0.5, "示范值 [A]：刚性支出占家庭总收入比例"),
}


def standards_seed(
    *, actor, region_code: str, effective_from: dt.date, values: dict[str, tuple[Any, str]] | None = None
) -> int:
    """Set up approved standards for a region in one step (demo and tests: a setup job stands in
    for the proposal and approval). Existing approved values for the same date are left alone."""
    values = values if values is not None else DEMO_STANDARDS
    region = Region.objects.get(code=region_code)
    created = 0
    with transaction.atomic():
        for key, (value, reference) in values.items():
            _row, made = RegionalStandard.objects.get_or_create(
                region=region,
                key=key,
                urban_rural="",
                effective_from=effective_from,
                status=RegionalStandard.Status.APPROVED,
                defaults={
                    "region_code": region_code,
                    "value": Decimal(str(value)),
                    "reference": reference,
                    "approved_at": timezone.now(),
                    "decision_note": "setup",
                },
            )
            created += made
        if created:
            change_log_write(
                actor=actor,
                action="import",
                object_type="eligibility.regionalstandard",
                object_id=region_code,
                after={"created": created, "effective_from": effective_from},
                reason="standards set up",
            )
    return created


# --- batch evaluation and what-if scenarios -------------------------------------------------


def _runs_dir(name: str, pk: int):
    from pathlib import Path

    from django.conf import settings

    path = Path(settings.VAR_DIR) / name / str(pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check_region(actor, region_code: str) -> Region:
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region_code": [_("区划代码 %(c)s 不存在") % {"c": region_code}]})
    if actor is not None and getattr(actor, "region_id", None):
        low, high = region_bounds(actor.region_id)
        if not (low <= region_code <= high):
            raise ValidationError({"region_code": [_("区划 %(c)s 不在您的管辖范围内") % {"c": region_code}]})
    return region


def evaluation_run(*, actor, region_code: str, month: dt.date) -> EvaluationRun:
    """Evaluate every active household of a region for a month and store the results (one row per
    household) with the run's inputs as Parquet, so any household's explanation can be rendered
    later exactly as computed. Runs in one transaction: a crash leaves nothing half-written."""
    import hashlib
    import time

    import openfisca_cn_assistance
    import pyarrow as pa
    import pyarrow.parquet as pq
    from openfisca_cn_assistance.programs import PROGRAM_KEYS

    from safetynet.core import context
    from safetynet.core.services import job_fail, job_finish, job_progress, job_start
    from safetynet.eligibility import batch

    require(actor, EvaluationRun, "add")
    region = _check_region(actor, region_code)
    month = month.replace(day=1)
    programs = list(PROGRAM_KEYS)
    job = job_start(
        kind="evaluation_run", actor=actor, params={"region": region_code, "month": month}, total=4
    )
    run = EvaluationRun.objects.create(
        region=region,
        region_code=region_code,
        month=month,
        job=job,
        created_by=actor if getattr(actor, "pk", None) else None,
        programs=programs,
        rules_version=openfisca_cn_assistance.__version__,
    )
    try:
        with context.bound(job=job.pk):
            loaded = batch.load_region(region_code, month)
            job_progress(job=job, done=1)
            result = batch.evaluate_loaded(loaded)
            job_progress(job=job, done=2)
            started = time.perf_counter()
            table = batch.result_table(run.pk, loaded, result, programs)
            folder = _runs_dir("runs", run.pk)
            pq.write_table(pa.table({k: v for k, v in loaded.persons.items()}), folder / "persons.parquet")
            pq.write_table(
                pa.table(
                    {
                        "household_id": loaded.household_ids,
                        "region_code": loaded.region_codes.tolist(),
                        **loaded.households,
                    }
                ),
                folder / "households.parquet",
            )
            with transaction.atomic():
                batch.store_results(table)
                run.status = EvaluationRun.Status.DONE
                run.households = len(loaded.household_ids)
                run.persons = int((loaded.persons["role"] < 2).sum()) if len(loaded.persons["role"]) else 0
                run.summary = batch.summarise(loaded, result, programs)
                run.timings = {**loaded.timings, **result.timings, "store": time.perf_counter() - started}
                run.inputs_path = str(folder)
                run.save()
                sink = pa.BufferOutputStream()
                with pa.ipc.new_stream(sink, table.schema) as writer:
                    writer.write_table(table)
                digest = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
                job_finish(
                    job=job,
                    counts={"households": run.households, "persons": run.persons},
                    digest=digest,
                    reason=f"batch evaluation {region_code} {month:%Y-%m}",
                )
    except Exception as exc:
        EvaluationRun.objects.filter(pk=run.pk).update(
            status=EvaluationRun.Status.FAILED, error=str(exc)[:2000]
        )
        job_fail(job=job, error=str(exc))
        raise
    return run


def scenario_create(
    *, actor, region_code: str, month: dt.date, name: str, changes: dict[str, Any]
) -> Scenario:
    """Copy the standards in force into a scenario and record the changed values."""
    from openfisca_cn_assistance.standards import STANDARDS

    from safetynet.eligibility.selectors import standards_overview

    require(actor, Scenario, "add")
    region = _check_region(actor, region_code)
    known = {s.name: s for s in STANDARDS}
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors.setdefault("name", []).append(_("请填写方案名称"))
    clean: dict[str, float] = {}
    for key, value in changes.items():
        if key not in known:
            errors.setdefault(key, []).append(_("未知的标准项目：%(k)s") % {"k": key})
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors.setdefault(key, []).append(_("数值必须是数字：%(v)s") % {"v": value})
            continue
        if number < 0:
            errors.setdefault(key, []).append(_("数值不能为负数"))
        clean[key] = number
    if not clean and "name" not in errors:
        errors.setdefault("changes", []).append(_("至少调整一项标准"))
    if errors:
        raise ValidationError(errors)
    base = standards_overview(region_code=region_code, month=month)
    with transaction.atomic():
        scenario = Scenario.objects.create(
            name=name.strip(),
            region=region,
            region_code=region_code,
            month=month.replace(day=1),
            base=base,
            changes=clean,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        change_log_write(
            actor=actor,
            action="create",
            obj=scenario,
            after={"changes": clean, "month": month},
            reason="what-if scenario",
        )
    return scenario


def scenario_run(*, scenario: Scenario, actor=None) -> Scenario:
    """Evaluate the region's caseload under the standards in force and under the scenario; store
    the households that change and the cost by program and township. Progress goes to the job."""
    import numpy as np
    from openfisca_cn_assistance.programs import BY_KEY, PROGRAM_KEYS

    from safetynet.core import context
    from safetynet.core.services import job_fail, job_finish, job_progress, job_start
    from safetynet.eligibility import batch
    from safetynet.eligibility.models import ScenarioChange

    job = scenario.task_job or job_start(
        kind="scenario", actor=actor, params={"scenario": scenario.pk}, total=4
    )
    Scenario.objects.filter(pk=scenario.pk).update(status=Scenario.Status.RUNNING, task_job=job)
    try:
        with context.bound(job=job.pk):
            loaded = batch.load_region(scenario.region_code, scenario.month)
            job_progress(job=job, done=1, total=4)
            before = batch.evaluate_loaded(loaded)
            job_progress(job=job, done=2)
            after = batch.evaluate_loaded(loaded, overrides=scenario.changes)
            job_progress(job=job, done=3)
            programs = list(PROGRAM_KEYS)
            summary_before = batch.summarise(loaded, before, programs)
            summary_after = batch.summarise(loaded, after, programs)
            changes: list = []
            totals: dict[str, Any] = {}
            for key in programs:
                b, a = before.households[key], after.households[key]
                b_amt = np.round(
                    np.asarray(b.amount if b.amount is not None else np.zeros(len(b.eligible)), float)
                    * b.eligible,
                    2,
                )
                a_amt = np.round(
                    np.asarray(a.amount if a.amount is not None else np.zeros(len(a.eligible)), float)
                    * a.eligible,
                    2,
                )
                changed = (np.asarray(b.eligible) != np.asarray(a.eligible)) | (
                    np.abs(b_amt - a_amt) >= 0.005
                )
                idx = np.nonzero(changed)[0]
                monthly = BY_KEY[key].amount is not None and key not in {
                    "temporary_emergency",
                    "temporary_expenditure",
                    "medical",
                    "education",
                    "disaster",
                }
                factor = 12 if monthly else 1
                totals[key] = {
                    "monthly": monthly,
                    "gained": int(np.sum(~np.asarray(b.eligible) & np.asarray(a.eligible))),
                    "lost": int(np.sum(np.asarray(b.eligible) & ~np.asarray(a.eligible))),
                    "before_households": summary_before["programs"][key]["households"],
                    "after_households": summary_after["programs"][key]["households"],
                    "before_amount": summary_before["programs"][key]["amount"],
                    "after_amount": summary_after["programs"][key]["amount"],
                    "yearly_delta": round(
                        (summary_after["programs"][key]["amount"] - summary_before["programs"][key]["amount"])
                        * factor,
                        2,
                    ),
                    "by_township": {
                        code: {
                            "before": summary_before["programs"][key]["by_township"][code]["amount"],
                            "after": summary_after["programs"][key]["by_township"][code]["amount"],
                        }
                        for code in summary_after["programs"][key]["by_township"]
                    },
                }
                changes.extend(
                    ScenarioChange(
                        scenario_id=scenario.pk,
                        household_id=int(loaded.household_ids[i]),
                        region_code=str(loaded.region_codes[i]),
                        program=key,
                        before_eligible=bool(b.eligible[i]),
                        after_eligible=bool(a.eligible[i]),
                        before_amount=Decimal(f"{b_amt[i]:.2f}"),
                        after_amount=Decimal(f"{a_amt[i]:.2f}"),
                    )
                    for i in idx
                )
            with transaction.atomic():
                ScenarioChange.objects.filter(scenario=scenario).delete()
                ScenarioChange.objects.bulk_create(changes, batch_size=5000)
                scenario.summary = {"households": summary_after["households"], "programs": totals}
                scenario.status = Scenario.Status.DONE
                scenario.task_job = job
                scenario.save(update_fields=["summary", "status", "task_job"])
                job_progress(job=job, done=4)
                job_finish(
                    job=job,
                    counts={"households": summary_after["households"], "changes": len(changes)},
                    reason=f"what-if scenario {scenario.pk}",
                )
    except Exception as exc:
        Scenario.objects.filter(pk=scenario.pk).update(status=Scenario.Status.FAILED, error=str(exc)[:2000])
        job_fail(job=job, error=str(exc))
        raise
    scenario.refresh_from_db()
    return scenario


def scenario_start(*, actor, scenario: Scenario) -> Scenario:
    """Queue the scenario as a background job (``safetynet db_worker`` runs it)."""
    from safetynet.core.services import job_start
    from safetynet.eligibility.jobs import scenario_run_task

    require(actor, Scenario, "change")
    scenario = Scenario.objects.restrict(actor, "change").get(pk=scenario.pk)
    if scenario.status == Scenario.Status.RUNNING:
        raise ValidationError({"status": [_("该方案正在测算中")]})
    job = job_start(kind="scenario", actor=actor, params={"scenario": scenario.pk}, total=4)
    Scenario.objects.filter(pk=scenario.pk).update(status=Scenario.Status.RUNNING, task_job=job, error="")
    transaction.on_commit(lambda: scenario_run_task.enqueue(scenario.pk))
    scenario.refresh_from_db()
    return scenario
