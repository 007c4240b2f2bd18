"""Services of the verification hub: authorisation check, runs (resumable), findings into the
registry, discrepancies, household reports, purge."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.applications import choices as ac
from safetynet.applications.models import Authorisation, Case
from safetynet.core import crypto
from safetynet.core.permissions import region_q, require
from safetynet.core.services import change_log_write, job_finish, job_progress, job_start
from safetynet.registry import choices as rc
from safetynet.registry.models import AssetItem, IncomeItem, LegalSupporter, Membership, Person, RigidExpense
from safetynet.verification import exchange
from safetynet.verification.connectors import MAIN, connector
from safetynet.verification.models import (
    Discrepancy,
    FileProblem,
    Finding,
    HouseholdReport,
    Refusal,
    Request,
    Run,
)

PURPOSE = "社会救助家庭经济状况核对"
ADULT_AGE = 18
STAGES = ["requests", "exchange", "findings", "registry", "reports", "done"]


class SimulatedCrash(RuntimeError):
    """Raised by tests after a stage, to check that a resumed run neither repeats nor loses work."""


# ---- authorisation ----------------------------------------------------------------------------


@dataclass
class Subject:
    person: Person
    household_id: int
    member: bool
    minor: bool


def _purpose_ok(auth_purpose: str, purpose: str) -> bool:
    return purpose.strip() in (auth_purpose or "")


def authorisation_for(subject: Subject, item: str, purpose: str, today: dt.date, auths: list[Authorisation]):
    """The authorisation that lets ``item`` be asked about ``subject`` for ``purpose`` today, or
    (None, reason). Adults sign for themselves, a guardian for a minor, a legal supporter outside
    the household only with their own separate consent."""
    if not auths:
        return None, _("无核对授权")
    person = subject.person
    if not subject.member:
        expected = ac.AuthRole.SUPPORTER
    else:
        expected = ac.AuthRole.GUARDIAN if subject.minor else ac.AuthRole.SELF
    reason = _("授权签署身份不符")
    for auth in auths:
        if auth.role != expected:
            if not subject.member:
                reason = _("法定义务人未本人单独签署同意")
            continue
        if expected in (ac.AuthRole.SELF, ac.AuthRole.SUPPORTER) and auth.signed_by_id != person.pk:
            reason = _("须本人签署授权") if subject.member else _("法定义务人未本人单独签署同意")
            continue
        if expected == ac.AuthRole.GUARDIAN and auth.signed_by_id == person.pk:
            continue
        if auth.valid_from > today or (auth.valid_to is not None and auth.valid_to < today):
            reason = _("授权不在有效期内")
            continue
        if item not in (auth.scope or []):
            reason = _("授权范围不含“%(i)s”") % {
                "i": ac.DataItem(item).label if item in ac.DataItem.values else item
            }
            continue
        if not _purpose_ok(auth.purpose, purpose):
            reason = _("授权用途不含“%(p)s”") % {"p": purpose}
            continue
        return auth, ""
    return None, reason


def _subjects(region_code: str, today: dt.date) -> list[Subject]:
    members = (
        Membership.objects.filter(
            region_q("household__region_code", region_code), end_date__isnull=True, counted=True
        )
        .select_related("person")
        .order_by("household_id", "id")
    )
    out: list[Subject] = []
    seen: set[tuple[int, int]] = set()
    for m in members:
        age = m.person.age_on(today)
        out.append(Subject(m.person, m.household_id, True, age is not None and age < ADULT_AGE))
        seen.add((m.household_id, m.person_id))
    for s in LegalSupporter.objects.filter(
        region_q("household__region_code", region_code), end_date__isnull=True
    ).select_related("person"):
        if (s.household_id, s.person_id) not in seen:
            out.append(Subject(s.person, s.household_id, False, False))
            seen.add((s.household_id, s.person_id))
    return out


# ---- runs -------------------------------------------------------------------------------------


def run_start(
    *,
    actor: Any,
    region_code: str,
    departments: list[str] | None = None,
    transport: str = "file",
    purpose: str = PURPOSE,
    as_of: dt.date | None = None,
    server_url: str = "",
    work_dir: Path | None = None,
) -> Run:
    """Open a verification run for a region (the actor must have it in scope)."""
    require(actor, Run, "add")
    errors: dict[str, list[str]] = {}
    from safetynet.regions.models import Region

    if not Region.objects.filter(code=region_code).exists():
        errors["region_code"] = [_("区划代码不存在：%(c)s") % {"c": region_code}]
    elif actor.region_id and not region_code.startswith(_prefix(actor.region_id)):
        errors["region_code"] = [_("区划 %(c)s 不在您的管辖范围内") % {"c": region_code}]
    departments = list(departments or MAIN)
    for d in departments:
        try:
            connector(d)
        except KeyError:
            errors.setdefault("departments", []).append(_("未知的部门：%(d)s") % {"d": d})
    if transport not in ("file", "http"):
        errors["transport"] = [_("交换方式须为 file 或 http")]
    if transport == "http" and not server_url:
        errors["server_url"] = [_("HTTP 交换须指定部门服务地址")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        job = job_start(
            kind="verification-run", actor=actor, params={"region": region_code, "departments": departments}
        )
        run = Run.objects.create(
            region_code=region_code,
            purpose=purpose,
            transport=transport,
            departments=departments,
            as_of=as_of or timezone.localdate(),
            server_url=server_url,
            job=job,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        base = (
            getattr(settings, "VERIFICATION_WORK_DIR", None)
            or Path(settings.BASE_DIR) / "var" / "verification"
        )
        run.work_dir = str(Path(work_dir) / f"run-{run.pk}" if work_dir else Path(base) / f"run-{run.pk}")
        run.save(update_fields=["work_dir"])
        change_log_write(
            actor=actor,
            action="create",
            obj=run,
            after={"region": region_code, "departments": departments},
            reason=purpose,
        )
    return run


def _prefix(code: str) -> str:
    from safetynet.regions.models import significant_prefix

    return significant_prefix(code)


def _advance(run: Run, stage: str, fail_at: str | None) -> None:
    Run.objects.filter(pk=run.pk).update(stage=stage, updated_at=timezone.now())
    run.stage = stage
    if run.job is not None:
        job_progress(job=run.job, done=STAGES.index(stage), total=len(STAGES) - 1)
    if fail_at and STAGES.index(stage) > STAGES.index(fail_at):
        raise SimulatedCrash(f"simulated crash after {fail_at}")


def run_execute(
    *, run: Run, datasets_dir: Path | None = None, fail_at: str | None = None, answer_format: str = "parquet"
) -> Run:
    """Run (or resume) every remaining stage. Each stage is idempotent: unique constraints and
    conditional updates make a resumed run neither repeat a request nor duplicate a finding."""
    run.refresh_from_db()
    datasets_dir = Path(
        datasets_dir
        or getattr(settings, "VERIFICATION_DATASETS_DIR", None)
        or Path(settings.BASE_DIR) / "var" / "departments"
    )
    try:
        if run.stage == "requests":
            _stage_requests(run)
            _advance(run, "exchange", fail_at)
        if run.stage == "exchange":
            _stage_exchange(run, datasets_dir, answer_format)
            _advance(run, "findings", fail_at)
        if run.stage == "findings":
            _stage_findings(run)
            _advance(run, "registry", fail_at)
        if run.stage == "registry":
            _stage_registry(run)
            _advance(run, "reports", fail_at)
        if run.stage == "reports":
            _stage_reports(run)
            _finish(run)
            _advance(run, "done", None)
    except SimulatedCrash:
        raise
    except Exception as exc:
        Run.objects.filter(pk=run.pk).update(status=Run.Status.FAILED, error=str(exc)[:5000])
        raise
    run.refresh_from_db()
    return run


def _stage_requests(run: Run) -> None:
    subjects = _subjects(run.region_code, run.as_of)
    auths: dict[int, list[Authorisation]] = defaultdict(list)
    ids = [s.person.pk for s in subjects]
    for i in range(0, len(ids), 5000):
        for a in Authorisation.objects.filter(person_id__in=ids[i : i + 5000]).order_by("-id"):
            auths[a.person_id].append(a)
    cases = {}
    for case in Case.objects.filter(region_q("region_code", run.region_code)).order_by("id"):
        cases[case.household_id] = case.pk
    requests, refusals = [], []
    for s in subjects:
        id_number = None
        for dept in run.departments:
            con = connector(dept)
            granted, auth_used = [], None
            for item in con.items:
                auth, reason = authorisation_for(s, item, run.purpose, run.as_of, auths.get(s.person.pk, []))
                if auth is None:
                    refusals.append(
                        Refusal(
                            run=run,
                            region_code=run.region_code,
                            person=s.person,
                            household_id=s.household_id,
                            department=dept,
                            item=item,
                            reason=reason,
                        )
                    )
                else:
                    granted.append(item)
                    auth_used = auth_used or auth
            if granted:
                id_number = id_number or crypto.decrypt(s.person.id_enc)
                requests.append(
                    Request(
                        run=run,
                        region_code=run.region_code,
                        person=s.person,
                        household_id=s.household_id,
                        case_id=cases.get(s.household_id),
                        department=dept,
                        items=granted,
                        pseudonym=exchange.pseudonym(id_number, dept),
                        authorisation=auth_used,
                    )
                )
    with transaction.atomic():
        Request.objects.bulk_create(requests, batch_size=2000, ignore_conflicts=True)
        Refusal.objects.bulk_create(refusals, batch_size=2000, ignore_conflicts=True)
    for dept in run.departments:
        path = Path(run.work_dir) / "outbox" / f"{dept}.parquet"
        if not path.exists():
            exchange.request_file_write(
                path,
                list(Request.objects.filter(run=run, department=dept).values_list("pseudonym", flat=True)),
            )


def _stage_exchange(run: Run, datasets_dir: Path, answer_format: str) -> None:
    for dept in run.departments:
        inbox = Path(run.work_dir) / "inbox" / dept
        done = inbox / ".complete"
        if done.exists():
            continue
        if inbox.exists() and any(p.name != ".complete" for p in inbox.iterdir()):
            done.touch()  # the department delivered its files itself
            continue
        request_path = Path(run.work_dir) / "outbox" / f"{dept}.parquet"
        if run.transport == "http":
            from safetynet.verification.http import client_exchange

            client_exchange(run=run, department=dept, request_path=request_path, inbox=inbox)
        else:
            exchange.department_answer(
                department=dept,
                request_path=request_path,
                datasets_dir=datasets_dir,
                out_dir=inbox,
                fmt=answer_format,
            )
        inbox.mkdir(parents=True, exist_ok=True)
        done.touch()


def _cast_numeric(
    run: Run, dept: str, fname: str, table: pa.Table, columns: tuple[str, ...], problems: list
) -> pa.Table:
    """Cast numeric columns; rows that do not parse are rejected one by one, named by their row
    number in the file (``__row`` when present: the header is row 1)."""
    rownums = (
        table.column("__row").to_pylist()
        if "__row" in table.column_names
        else list(range(2, table.num_rows + 2))
    )
    keep = [True] * table.num_rows
    for col in columns:
        arr = table.column(col)
        if pa.types.is_floating(arr.type) or pa.types.is_integer(arr.type) or pa.types.is_decimal(arr.type):
            table = table.set_column(table.column_names.index(col), col, pc.cast(arr, pa.float64()))
            continue
        values: list[float | None] = []
        for i, v in enumerate(arr.to_pylist()):
            if v is None or str(v).strip() == "":
                values.append(None)
                continue
            try:
                values.append(float(str(v).replace(",", "")))
            except ValueError:
                values.append(None)
                keep[i] = False
                problems.append(
                    FileProblem(
                        run=run,
                        region_code=run.region_code if run else "",
                        department=dept,
                        file=fname,
                        row=rownums[i],
                        message=_("第 %(r)d 行“%(c)s”不是数字：%(v)s") % {"r": rownums[i], "c": col, "v": v},
                    )
                )
        table = table.set_column(table.column_names.index(col), col, pa.array(values, pa.float64()))
    return table.filter(pa.array(keep, pa.bool_()))


def _stage_findings(run: Run) -> None:
    FileProblem.objects.filter(run=run).delete()  # recomputed on resume
    problems: list[FileProblem] = []
    for dept in run.departments:
        con = connector(dept)
        inbox = Path(run.work_dir) / "inbox" / dept
        requests = {
            r[0]: r
            for r in Request.objects.filter(run=run, department=dept).values_list(
                "pseudonym", "person_id", "household_id", "items"
            )
        }
        if not inbox.exists():
            continue
        for path in sorted(p for p in inbox.iterdir() if p.name != ".complete"):
            stem = path.name.split(".")[0]
            try:
                ds = con.dataset(stem)
            except StopIteration:
                problems.append(
                    FileProblem(
                        run=run,
                        region_code=run.region_code,
                        department=dept,
                        file=path.name,
                        message=_("不认识的结果文件（应为 %(d)s）")
                        % {"d": "、".join(d.name for d in con.datasets)},
                    )
                )
                continue
            try:
                table = exchange.result_read(path)
                missing = [c for c in (*ds.columns[1:], "pseudonym") if c not in table.column_names]
                if missing:
                    raise exchange.FileRejected(_("缺少列：%(c)s") % {"c": "、".join(missing)})
            except exchange.FileRejected as exc:
                problems.append(
                    FileProblem(
                        run=run,
                        region_code=run.region_code,
                        department=dept,
                        file=path.name,
                        message=str(exc)[:300],
                    )
                )
                continue
            table = table.append_column("__row", pa.array(range(2, table.num_rows + 2), pa.int64()))
            table = _cast_numeric(run, dept, path.name, table, ds.numeric, problems)
            asked = pa.array(list(requests), pa.string())
            unknown = pc.invert(pc.is_in(table.column("pseudonym"), value_set=asked))
            for rownum, flag in zip(table.column("__row").to_pylist(), unknown.to_pylist(), strict=True):
                if flag:
                    problems.append(
                        FileProblem(
                            run=run,
                            region_code=run.region_code,
                            department=dept,
                            file=path.name,
                            row=rownum,
                            message=_("第 %(r)d 行不是本批次请求核对的人员") % {"r": rownum},
                        )
                    )
            table = table.filter(pc.invert(unknown))
            item = con.item_of(ds)
            con_db = duckdb.connect()
            con_db.register("answer", table)
            rows = con_db.execute(ds.sql).fetchall()
            con_db.close()
            findings = []
            for pseud, category, kind, amount, area, note, key in rows:
                _p, person_id, household_id, items = requests[pseud]
                if item not in items:
                    continue  # not authorised for this item: dropped, never stored
                findings.append(
                    Finding(
                        run=run,
                        region_code=run.region_code,
                        person_id=person_id,
                        household_id=household_id,
                        department=dept,
                        dataset=ds.name,
                        category=category,
                        kind=kind,
                        amount=None if amount is None else Decimal(str(round(amount, 2))),
                        area=None if area is None else Decimal(str(round(area, 2))),
                        note=(note or "")[:200],
                        key=key[:120],
                    )
                )
            Finding.objects.bulk_create(findings, batch_size=2000, ignore_conflicts=True)
    FileProblem.objects.bulk_create(problems, batch_size=2000)


_REGISTRY = {"income": IncomeItem, "asset": AssetItem, "expense": RigidExpense}


def _period(run: Run) -> tuple[dt.date, dt.date]:
    end = run.as_of.replace(day=1) - dt.timedelta(days=1)
    start = (end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    return start, end


def _stage_registry(run: Run) -> None:
    """Findings about counted members become registry items with source "verification"; the
    items of an earlier run for the same household are replaced. One transaction per household:
    a crash leaves a household either fully written or untouched."""
    start, end = _period(run)
    members = set(
        Membership.objects.filter(
            region_q("household__region_code", run.region_code), end_date__isnull=True, counted=True
        ).values_list("household_id", "person_id")
    )
    pending = Finding.objects.filter(
        run=run, registry_id__isnull=True, category__in=list(_REGISTRY)
    ).order_by("household_id", "id")
    by_household: dict[int, list[Finding]] = defaultdict(list)
    for f in pending:
        if (f.household_id, f.person_id) in members:
            by_household[f.household_id].append(f)
    stale: set[int] = set()
    for model in _REGISTRY.values():
        stale |= set(
            model.objects.filter(household_id__in=list(by_household), source=rc.Source.VERIFICATION)
            .exclude(job=run.job)
            .values_list("household_id", flat=True)
        )
    for household_id, findings in by_household.items():
        with transaction.atomic():
            written = []
            for model in _REGISTRY.values() if household_id in stale else ():
                old = model.objects.filter(household_id=household_id, source=rc.Source.VERIFICATION).exclude(
                    job=run.job
                )
                if old.exists():
                    change_log_write(
                        actor=run.created_by,
                        action="delete",
                        object_type=model._meta.label_lower,
                        object_id="",
                        before={"ids": list(old.values_list("id", flat=True))},
                        reason=_("被新的核对结果替换"),
                        job=run.job,
                    )
                    old.delete()
            for f in findings:
                model = _REGISTRY[f.category]
                extra = {"area": f.area} if model is AssetItem else {}
                item = model.objects.create(  # type: ignore[misc]
                    household_id=household_id,
                    person_id=f.person_id,
                    kind=f.kind,
                    amount=f.amount or 0,
                    period_start=start,
                    period_end=end,
                    source=rc.Source.VERIFICATION,
                    as_of=run.as_of,
                    note=(f"{connector(f.department).title}：{f.note}")[:200],
                    created_by=run.created_by,
                    job=run.job,
                    **extra,
                )
                if (
                    Finding.objects.filter(pk=f.pk, registry_id__isnull=True).update(
                        registry_type=model._meta.label_lower, registry_id=item.pk
                    )
                    != 1
                ):
                    raise RuntimeError(f"finding {f.pk} written twice")
                written.append(
                    {
                        "type": model._meta.label_lower,
                        "id": item.pk,
                        "kind": f.kind,
                        "amount": str(item.amount),
                    }
                )
            change_log_write(
                actor=run.created_by,
                action="create",
                object_type="registry.household",
                object_id=str(household_id),
                after={"verification_items": written},
                reason=_("核对结果写入（批次 %(r)s）") % {"r": run.pk},
                job=run.job,
            )


# ---- discrepancies and reports ----------------------------------------------------------------

LOW_EMPLOYMENT = {"unemployed", "unemployed_registered", "flexible", "farming"}


def _declared(household_ids: list[int]):
    out: dict[int, dict] = defaultdict(
        lambda: {
            "wages": defaultdict(Decimal),
            "deposits": Decimal(0),
            "vehicles": [],
            "estates": [],
            "business": [],
            "income": Decimal(0),
            "assets": Decimal(0),
        }
    )
    for i in IncomeItem.objects.filter(household_id__in=household_ids, source=rc.Source.DECLARED):
        d = out[i.household_id]
        d["income"] += i.amount
        if i.kind == rc.IncomeKind.WAGES:
            d["wages"][i.person_id] += i.amount
    for a in AssetItem.objects.filter(household_id__in=household_ids, source=rc.Source.DECLARED):
        d = out[a.household_id]
        d["assets"] += a.amount
        if a.kind == rc.AssetKind.DEPOSITS:
            d["deposits"] += a.amount
        elif a.kind == rc.AssetKind.VEHICLE:
            d["vehicles"].append(a.note)
        elif a.kind in (rc.AssetKind.DWELLING, rc.AssetKind.NON_RESIDENTIAL):
            d["estates"].append(a.area or Decimal(0))
        elif a.kind == rc.AssetKind.BUSINESS:
            d["business"].append(a.amount)
    return out


def discrepancies_detect(*, run: Run, household_ids: list[int]) -> list[Discrepancy]:
    """Compare one batch of households' findings with their declarations."""
    declared = _declared(household_ids)
    members = {}
    for m in Membership.objects.filter(
        household_id__in=household_ids, end_date__isnull=True, counted=True
    ).select_related("person"):
        members[(m.household_id, m.person_id)] = m.person
    found: dict[int, list[Finding]] = defaultdict(list)
    for f in Finding.objects.filter(run=run, household_id__in=household_ids):
        if (f.household_id, f.person_id) in members:
            found[f.household_id].append(f)
    out: list[Discrepancy] = []

    def add(h, person, kind, message, key, declared_amount=None, found_amount=None):
        out.append(
            Discrepancy(
                run=run,
                region_code=run.region_code,
                household_id=h,
                person=person,
                kind=kind,
                declared=declared_amount,
                found=found_amount,
                message=message[:300],
                key=key[:120],
            )
        )

    for h in household_ids:
        d = declared[h]
        deposits = Decimal(0)
        deaths = set()
        for f in found[h]:
            person = members[(h, f.person_id)]
            if f.kind == "death" and f.person_id not in deaths and person.death_date is None:
                deaths.add(f.person_id)
                add(
                    h,
                    person,
                    "unreported_death",
                    _("%(n)s 已死亡（%(s)s），档案仍为在世的家庭成员") % {"n": person.name, "s": f.note},
                    f"death:{f.person_id}",
                )
            elif f.kind == "vehicle":
                plate = f.note.split(" ")[-1]
                if not any(plate in (note or "") for note in d["vehicles"]):
                    add(
                        h,
                        person,
                        "undeclared_vehicle",
                        _("%(n)s 名下车辆 %(p)s 未申报") % {"n": person.name, "p": f.note},
                        f"vehicle:{plate}",
                        None,
                        f.amount,
                    )
            elif f.kind in ("dwelling", "non_residential"):
                if not any(abs((f.area or 0) - a) <= Decimal("1") for a in d["estates"]):
                    add(
                        h,
                        person,
                        "undeclared_real_estate",
                        _("%(n)s 名下不动产（%(l)s，%(a)s 平方米）未申报")
                        % {"n": person.name, "l": f.note, "a": f.area},
                        f"estate:{f.key}",
                        None,
                        f.amount,
                    )
            elif f.kind == "business":
                if not any(abs((f.amount or 0) - a) < Decimal("1") for a in d["business"]):
                    add(
                        h,
                        person,
                        "undeclared_business",
                        _("%(n)s 登记的市场主体 %(e)s 未申报") % {"n": person.name, "e": f.note},
                        f"business:{f.key}",
                        None,
                        f.amount,
                    )
            elif f.kind == "wages":
                said = d["wages"].get(f.person_id, Decimal(0))
                if f.amount and f.amount > said * Decimal("1.3") + 3000:
                    add(
                        h,
                        person,
                        "wages_above_declared",
                        _("%(n)s 社保记录的工资 %(f)s 元，高于申报的 %(d)s 元")
                        % {"n": person.name, "f": f.amount, "d": said},
                        f"wages:{f.person_id}",
                        said,
                        f.amount,
                    )
            elif f.kind == "public_payroll" and person.employment in LOW_EMPLOYMENT:
                add(
                    h,
                    person,
                    "public_payroll_undeclared",
                    _("%(n)s 为财政供养人员（%(e)s），申报为“%(d)s”")
                    % {"n": person.name, "e": f.note, "d": person.get_employment_display()},
                    f"payroll:{f.person_id}",
                    None,
                    f.amount,
                )
            elif f.kind == "deposits":
                deposits += f.amount or 0
        if deposits > d["deposits"] * Decimal("1.1") + 20000:
            add(
                h,
                None,
                "deposits_above_declared",
                _("核对存款 %(f)s 元，高于申报的 %(d)s 元") % {"f": deposits, "d": d["deposits"]},
                "deposits",
                d["deposits"],
                deposits,
            )
    return out


def _stage_reports(run: Run) -> None:
    household_ids = sorted(
        set(Request.objects.filter(run=run).values_list("household_id", flat=True))
        | set(Refusal.objects.filter(run=run).values_list("household_id", flat=True))
    )
    done = set(HouseholdReport.objects.filter(run=run).values_list("household_id", flat=True))
    todo = [h for h in household_ids if h not in done]
    for i in range(0, len(todo), 500):
        batch = todo[i : i + 500]
        with transaction.atomic():
            Discrepancy.objects.bulk_create(
                discrepancies_detect(run=run, household_ids=batch), batch_size=2000, ignore_conflicts=True
            )
            reports = _report_batch(run, batch)
            HouseholdReport.objects.bulk_create(reports, batch_size=500, ignore_conflicts=True)
    from safetynet.verification.reports import report_attach

    for report in HouseholdReport.objects.filter(
        run=run, case__isnull=False, document__isnull=True
    ).select_related("household", "run", "case"):
        report_attach(actor=run.created_by, report=report)


def _report_batch(run: Run, household_ids: list[int]) -> list[HouseholdReport]:
    findings: defaultdict[int, list] = defaultdict(list)
    discrepancies: defaultdict[int, list] = defaultdict(list)
    refused: defaultdict[int, set] = defaultdict(set)
    cases: dict = {}
    titles = {d: connector(d).title for d in run.departments}
    for f in (
        Finding.objects.filter(run=run, household_id__in=household_ids)
        .select_related("person")
        .order_by("person_id", "department", "key")
    ):
        findings[f.household_id].append(
            {
                "person": f.person.name,
                "department": titles[f.department],
                "category": f.category,
                "kind": f.kind,
                "amount": None if f.amount is None else str(f.amount),
                "area": None if f.area is None else str(f.area),
                "note": f.note,
            }
        )
    for x in Discrepancy.objects.filter(run=run, household_id__in=household_ids).order_by("id"):
        discrepancies[x.household_id].append(
            {
                "kind": x.kind,
                "message": x.message,
                "declared": None if x.declared is None else str(x.declared),
                "found": None if x.found is None else str(x.found),
            }
        )
    for r in Refusal.objects.filter(run=run, household_id__in=household_ids).select_related("person"):
        refused[r.household_id].add(f"{r.person.name}：{titles[r.department]}（{r.reason}）")
    for h, case in Request.objects.filter(
        run=run, household_id__in=household_ids, case__isnull=False
    ).values_list("household_id", "case_id"):
        cases.setdefault(h, case)
    out = []
    for h in household_ids:
        data = {
            "run": run.pk,
            "as_of": run.as_of.isoformat(),
            "purpose": run.purpose,
            "findings": findings[h],
            "discrepancies": discrepancies[h],
            "refused": sorted(refused[h]),
        }
        out.append(
            HouseholdReport(
                run=run,
                region_code=run.region_code,
                household_id=h,
                case_id=cases.get(h),
                data=data,
                concerns=bool(data["discrepancies"]),
            )
        )
    return out


def _finish(run: Run) -> None:
    counts = {
        "requests": Request.objects.filter(run=run).count(),
        "refusals": Refusal.objects.filter(run=run).count(),
        "findings": Finding.objects.filter(run=run).count(),
        "discrepancies": Discrepancy.objects.filter(run=run).count(),
        "reports": HouseholdReport.objects.filter(run=run).count(),
        "file_problems": FileProblem.objects.filter(run=run).count(),
    }
    status = Run.Status.PARTIAL if counts["file_problems"] else Run.Status.SUCCEEDED
    Run.objects.filter(pk=run.pk).update(status=status, counts=counts)
    if run.job is not None and run.job.status == "running":
        job_finish(job=run.job, counts=counts, reason=_("核对批次 %(r)s") % {"r": run.pk})


def run_resume_all(*, datasets_dir: Path | None = None) -> list[Run]:
    """Resume every run that did not finish (after a crash or restart)."""
    return [
        run_execute(run=r, datasets_dir=datasets_dir)
        for r in Run.objects.exclude(stage="done").exclude(status=Run.Status.FAILED)
    ]


def purge(*, actor: Any = None, older_than_days: int = 0, now: dt.datetime | None = None) -> list[int]:
    """Delete the raw answers (request and result files) of finished runs older than the
    retention period; findings, discrepancies and reports stay."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=older_than_days)
    purged = []
    for run in Run.objects.filter(stage="done", purged_at__isnull=True, updated_at__lte=cutoff):
        if run.work_dir and Path(run.work_dir).exists():
            shutil.rmtree(run.work_dir)
        Run.objects.filter(pk=run.pk).update(purged_at=now)
        change_log_write(
            actor=actor,
            action="delete",
            object_type="verification.run",
            object_id=str(run.pk),
            before={"work_dir": run.work_dir},
            reason=_("核对原始结果到期清除"),
        )
        purged.append(run.pk)
    return purged


def demo_authorisations_grant(
    *, actor: Any, region_code: str, today: dt.date, items: list[str] | None = None
) -> int:
    """Demo only: record the e-signed authorisations a township's households would have given
    (members for themselves, a guardian for minors, supporters their own consent)."""
    scope = items or list(ac.DataItem.values)
    have = set(
        Authorisation.objects.filter(region_q("region_code", region_code)).values_list("person_id", flat=True)
    )
    heads = dict(
        Membership.objects.filter(
            region_q("household__region_code", region_code), relation="self", end_date__isnull=True
        ).values_list("household_id", "person_id")
    )
    rows = []
    for s in _subjects(region_code, today):
        if s.person.pk in have:
            continue
        role = (
            ac.AuthRole.SUPPORTER if not s.member else (ac.AuthRole.GUARDIAN if s.minor else ac.AuthRole.SELF)
        )
        signer = heads.get(s.household_id, s.person.pk) if role == ac.AuthRole.GUARDIAN else s.person.pk
        if role == ac.AuthRole.GUARDIAN and signer == s.person.pk:
            continue
        rows.append(
            Authorisation(
                household_id=s.household_id,
                region_code=s.person.region_code,
                person=s.person,
                signed_by_id=signer,
                role=role,
                scope=scope,
                purpose=PURPOSE,
                valid_from=today - dt.timedelta(days=30),
                valid_to=today + dt.timedelta(days=365),
                esign_record=f"DEMO-{s.household_id}-{s.person.pk}",
                created_by=actor if getattr(actor, "pk", None) else None,
            )
        )
    with transaction.atomic():
        Authorisation.objects.bulk_create(rows, batch_size=2000)
        change_log_write(
            actor=actor,
            action="create",
            object_type="applications.authorisation",
            object_id="",
            after={"count": len(rows), "region": region_code},
            reason=_("演示数据：电子签名核对授权"),
        )
    return len(rows)
