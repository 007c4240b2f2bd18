"""Services of the verification hub: authorisation check, runs (resumable), findings into the
registry, discrepancies, household reports, purge."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safetynet.applications import choices as ac
from safetynet.applications.models import Authorisation, Case
from safetynet.core import crypto
from safetynet.core.permissions import region_q, require
from safetynet.core.services import change_log_write, job_finish, job_progress, job_start
from safetynet.registry import choices as rc
from safetynet.registry.models import AssetItem, IncomeItem, LegalSupporter, Membership, Person, RigidExpense
from safetynet.verification import bulk, exchange, fuzzy
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
PROFILE: dict[str, float] | None = None  # set by bench/bench_verification.py: seconds per step


def _clock(step: str, since: float) -> float:
    now = time.perf_counter()
    if PROFILE is not None:
        PROFILE[step] = PROFILE.get(step, 0.0) + now - since
    return now


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


@dataclass
class _Who:
    """The few fields of a person a run needs (no ORM object per person)."""

    pk: int
    region_code: str
    id_enc: str


class _Auth(NamedTuple):
    id: int
    person_id: int
    role: str
    signed_by_id: int
    valid_from: dt.date
    valid_to: dt.date | None
    scope: list
    purpose: str


# Who is asked about, and under which authorisation, for a whole region at once (DuckDB):
#   subjects — the counted members and the legal supporters, each person once (first as a member,
#              by household then membership; else as a supporter), minors by age on the run's date;
#   usable   — their authorisations that pass every check but the item (``authorisation_for``:
#              the role the subject needs, who signed, the validity period, the purpose);
#   grants   — per subject and data item the newest usable authorisation covering it, or NULL.
_SUBJECTS_SQL = """
CREATE OR REPLACE TEMP TABLE subjects AS
SELECT person_id, household_id, member, region_code, id_enc,
       member AND birth_date IS NOT NULL AND (
           year($today) - year(birth_date)
           - CASE WHEN month($today) < month(birth_date)
                    OR (month($today) = month(birth_date) AND day($today) < day(birth_date))
                  THEN 1 ELSE 0 END
       ) < {adult} AS minor
FROM (
    SELECT person_id, household_id, TRUE AS member, birth_date, region_code, id_enc, 0 AS part, id FROM members
    UNION ALL
    SELECT person_id, household_id, FALSE, NULL, region_code, id_enc, 1, id FROM supporters
)
QUALIFY row_number() OVER (
    PARTITION BY person_id ORDER BY part, CASE WHEN part = 0 THEN household_id END, id
) = 1
"""

_GRANTS_SQL = """
CREATE OR REPLACE TEMP TABLE grants AS
WITH usable AS (
    SELECT s.person_id, a.id, a.scope
    FROM subjects s JOIN auths a USING (person_id)
    WHERE a.role = CASE WHEN NOT s.member THEN '{supporter}' WHEN s.minor THEN '{guardian}' ELSE '{self}' END
      AND (a.signed_by_id = s.person_id) = NOT (s.member AND s.minor)
      AND a.valid_from <= $today AND (a.valid_to IS NULL OR a.valid_to >= $today)
      AND contains(coalesce(a.purpose, ''), $purpose)
), covered AS (
    SELECT person_id, item, max(id) AS auth_id
    FROM (SELECT person_id, id, unnest(from_json(scope, '["VARCHAR"]')) AS item FROM usable)
    GROUP BY ALL
)
SELECT s.person_id, w.department, w.pos, w.item, c.auth_id
FROM subjects s CROSS JOIN wanted w
LEFT JOIN covered c ON c.person_id = s.person_id AND c.item = w.item
"""

# per department and person: the items granted (as JSON text, in the connector's order) and the
# authorisation of the first of them
_ASKED_SQL = """
SELECT g.department, g.person_id, s.household_id, c.case_id,
       '["' || string_agg(g.item, '", "' ORDER BY g.pos) || '"]' AS items,
       arg_min(g.auth_id, g.pos) AS authorisation_id
FROM grants g JOIN subjects s USING (person_id)
LEFT JOIN (SELECT household_id, min(id) AS case_id FROM cases GROUP BY household_id) c USING (household_id)
WHERE g.auth_id IS NOT NULL
GROUP BY g.department, g.person_id, s.household_id, c.case_id
ORDER BY g.department, g.person_id
"""


def _subjects_load(region_code: str, today: dt.date) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding ``subjects`` (see ``_SUBJECTS_SQL``) for a region."""
    i64, s = pa.int64(), pa.string()
    in_region = region_q("household__region_code", region_code)
    members = bulk.qs_arrow(
        Membership.objects.filter(in_region, end_date__isnull=True, counted=True).values(
            "id", "person_id", "household_id", "person__birth_date", "person__region_code", "person__id_enc"
        ),
        types={
            "id": i64,
            "person_id": i64,
            "household_id": i64,
            "person__birth_date": pa.date32(),
            "person__region_code": s,
            "person__id_enc": s,
        },
    ).rename_columns(["id", "person_id", "household_id", "birth_date", "region_code", "id_enc"])
    supporters = bulk.qs_arrow(
        LegalSupporter.objects.filter(in_region, end_date__isnull=True).values(
            "id", "person_id", "household_id", "person__region_code", "person__id_enc"
        ),
        types={
            "id": i64,
            "person_id": i64,
            "household_id": i64,
            "person__region_code": s,
            "person__id_enc": s,
        },
    ).rename_columns(["id", "person_id", "household_id", "region_code", "id_enc"])
    db = duckdb.connect()
    db.register("members", members)
    db.register("supporters", supporters)
    db.execute(_SUBJECTS_SQL.format(adult=ADULT_AGE), {"today": today})
    db.unregister("members")
    db.unregister("supporters")
    return db


def _subjects(region_code: str, today: dt.date) -> list[Subject]:
    """The region's subjects (each person once) as objects."""
    db = _subjects_load(region_code, today)
    rows = db.sql(
        "SELECT person_id, region_code, id_enc, household_id, member, minor FROM subjects ORDER BY household_id, person_id"
    ).fetchall()
    db.close()
    return [Subject(_Who(p, r, e), h, m, n) for p, r, e, h, m, n in rows]  # type: ignore[arg-type]


def _grants_load(run: Run, connectors: dict) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection holding ``subjects`` and ``grants`` for the run's region (see
    ``_GRANTS_SQL``), and ``cases``."""
    i64, s = pa.int64(), pa.string()
    in_region = region_q("household__region_code", run.region_code)
    db = _subjects_load(run.region_code, run.as_of)
    auths = pa.concat_tables(  # two plain semi-joins (an OR of both made PostgreSQL plan badly)
        [
            bulk.qs_arrow(
                Authorisation.objects.filter(person_id__in=people).values(*_Auth._fields),
                types={
                    "id": i64,
                    "person_id": i64,
                    "role": s,
                    "signed_by_id": i64,
                    "valid_from": pa.date32(),
                    "valid_to": pa.date32(),
                    "scope": s,
                    "purpose": s,
                },
            )
            for people in (
                Membership.objects.filter(in_region).values("person_id"),
                LegalSupporter.objects.filter(in_region).values("person_id"),
            )
        ]
    )
    cases = bulk.qs_arrow(
        Case.objects.filter(region_q("region_code", run.region_code)).values("household_id", "id"),
        types={"household_id": i64, "id": i64},
    )
    wanted = pa.table(
        {
            "department": [d for d, con in connectors.items() for _ in con.items],
            "pos": [n for con in connectors.values() for n in range(len(con.items))],
            "item": [i for con in connectors.values() for i in con.items],
        }
    )
    db.register("auths", auths)
    db.register("cases", cases)
    db.register("wanted", wanted)
    db.execute(
        _GRANTS_SQL.format(
            self=ac.AuthRole.SELF.value,
            guardian=ac.AuthRole.GUARDIAN.value,
            supporter=ac.AuthRole.SUPPORTER.value,
        ),
        {"today": run.as_of, "purpose": run.purpose.strip()},
    )
    return db


def _refusals(run: Run, db: duckdb.DuckDBPyConnection) -> pa.Table:
    """One refusal per subject, department and item no authorisation covers, with the reason
    ``authorisation_for`` gives (looked at one by one: only the refused)."""
    refused = db.sql(
        "SELECT g.person_id, s.household_id, s.member, s.minor, s.region_code, g.department, g.item"
        " FROM grants g JOIN subjects s USING (person_id) WHERE g.auth_id IS NULL ORDER BY g.person_id, g.department, g.pos"
    ).fetchall()
    columns: dict[str, list] = defaultdict(list)
    if not refused:
        return pa.table({})
    people = sorted({r[0] for r in refused})
    auths: dict[int, list[_Auth]] = defaultdict(list)
    for row in (
        Authorisation.objects.filter(person_id__in=people)
        .order_by("-id")
        .values_list(*_Auth._fields)
        .iterator()
    ):
        auths[row[1]].append(_Auth(*row))
    for person_id, household_id, member, minor, region, dept, item in refused:
        subject = Subject(_Who(person_id, region, ""), household_id, member, minor)  # type: ignore[arg-type]
        reason = authorisation_for(subject, item, run.purpose, run.as_of, auths.get(person_id, []))[1]  # type: ignore[arg-type]
        for key, value in (
            ("person_id", person_id),
            ("household_id", household_id),
            ("department", dept),
            ("item", item),
            ("reason", reason),
        ):
            columns[key].append(value)
    return pa.table(columns)


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
    """One request per person and department with the items an authorisation covers, one
    refusal per item none covers, decided for the whole region at once (``_grants_load``);
    written set-based (a resumed stage adds only what is missing), then one request file per
    department with the keyed pseudonyms."""
    started = time.perf_counter()
    connectors = {dept: connector(dept) for dept in run.departments}
    db = _grants_load(run, connectors)
    asked = db.sql(_ASKED_SQL).to_arrow_table()
    people = db.sql(
        "SELECT s.person_id, s.id_enc FROM subjects s SEMI JOIN grants g ON g.person_id = s.person_id"
        " AND g.auth_id IS NOT NULL ORDER BY s.person_id"
    ).to_arrow_table()
    refusals = _refusals(run, db)
    db.close()
    # the columns every query-log and refusal row of this run shares
    shared = {
        "run_id": pa.scalar(run.pk, pa.int64()),
        "region_code": pa.scalar(run.region_code),
        "created_at": pa.scalar(timezone.now().isoformat()),
    }
    resumed = Request.objects.filter(run=run).exists()
    started = _clock("requests: subjects and authorisations", started)
    # identity numbers decrypted once per person, each department's pseudonyms from them
    ids = pa.array(
        [i.strip().upper() for i in crypto.decrypt_many(people.column("id_enc").to_pylist())], pa.string()
    )
    person_ids = people.column("person_id")
    started = _clock("requests: pseudonyms", started)
    # one transaction per department's write, two at once on PostgreSQL (bulk.Writer): a stage
    # cut short is resumed through the conflict-skipping path
    with bulk.Writer() as writer:
        for dept in run.departments:
            part = asked.filter(pc.equal(asked.column("department"), dept))
            pseud = crypto.blind_index_many(
                ids.take(pc.index_in(part.column("person_id"), value_set=person_ids)),
                purpose=f"dept:{dept}",
            )
            started = _clock("requests: pseudonyms", started)
            table = _with_constants(part.append_column("pseudonym", pseud), **shared)
            writer.insert(Request, table, fresh=not resumed)
            started = _clock("requests: write (waiting for the database)", started)
            path = Path(run.work_dir) / "outbox" / f"{dept}.parquet"
            if not path.exists() and not resumed:
                exchange.request_file_write(path, pseud)
            if not resumed:
                _request_map_write(run, dept, table.select(list(_MAP_TYPES)))
            started = _clock("requests: files", started)
        if refusals.num_rows:
            writer.insert(Refusal, _with_constants(refusals, **shared), fresh=not resumed)
    _clock("requests: write (waiting for the database)", started)
    if resumed:  # a stage cut short: the request files and maps hold what the query log holds
        for dept in run.departments:
            logged = _requests_logged(run, dept)
            path = Path(run.work_dir) / "outbox" / f"{dept}.parquet"
            if not path.exists():
                exchange.request_file_write(path, logged.column("pseudonym"))
            _request_map_write(run, dept, logged)


# the run's own map from a department's pseudonyms back to the persons asked about, kept in the
# run's work directory beside the request files (removed with them by ``purge``), so the findings
# stage need not read millions of query-log rows back from the database
_MAP_TYPES = {
    "pseudonym": pa.string(),
    "person_id": pa.int64(),
    "household_id": pa.int64(),
    "items": pa.string(),
}


def _request_map_path(run: Run, dept: str) -> Path:
    return Path(run.work_dir) / "requests" / f"{dept}.parquet"


def _request_map_write(run: Run, dept: str, table: pa.Table) -> None:
    exchange.atomic_write(_request_map_path(run, dept), lambda p: pq.write_table(table, p))


def _requests_logged(run: Run, dept: str) -> pa.Table:
    """The run's requests to ``dept`` as the query log holds them (pseudonym, person, household,
    items as JSON text)."""
    return bulk.qs_arrow(
        Request.objects.filter(run=run, department=dept).values(*_MAP_TYPES), types=_MAP_TYPES
    )


def _requests_asked(run: Run, dept: str) -> pa.Table:
    """The run's requests to ``dept``: from the run's map when it has one, else the query log."""
    path = _request_map_path(run, dept)
    if path.exists():
        return pq.read_table(path).cast(pa.schema(list(_MAP_TYPES.items())))
    return _requests_logged(run, dept)


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
    number in the file (``__row`` when present: the header is row 1). Vectorised: only the
    rejected rows are looked at one by one."""
    if "__row" not in table.column_names:
        table = table.append_column("__row", pa.array(range(2, table.num_rows + 2), pa.int64()))
    keep = None
    for col in columns:
        arr = table.column(col)
        if pa.types.is_floating(arr.type) or pa.types.is_integer(arr.type) or pa.types.is_decimal(arr.type):
            table = table.set_column(table.column_names.index(col), col, pc.cast(arr, pa.float64()))
            continue
        text = pc.replace_substring(pc.utf8_trim_whitespace(pc.cast(arr, pa.string())), ",", "")
        db = duckdb.connect()
        db.register("t", pa.table({"v": text}))
        values = db.sql("SELECT TRY_CAST(v AS DOUBLE) AS v FROM t").to_arrow_table().column(0)
        db.close()
        bad = pc.and_(pc.is_null(values), pc.invert(pc.fill_null(pc.equal(text, ""), True)))
        if pc.any(bad).as_py():
            for rownum, v in zip(
                table.column("__row").filter(bad).to_pylist(), arr.filter(bad).to_pylist(), strict=True
            ):
                problems.append(
                    _problem(
                        run,
                        dept,
                        fname,
                        _("第 %(r)d 行“%(c)s”不是数字：%(v)s") % {"r": rownum, "c": col, "v": v},
                        rownum,
                    )
                )
            keep = pc.invert(bad) if keep is None else pc.and_(keep, pc.invert(bad))
        table = table.set_column(table.column_names.index(col), col, values.cast(pa.float64()))
    return table if keep is None else table.filter(keep)


_DATE_SQL = (
    "SELECT coalesce(TRY_CAST(v AS DATE), CAST(TRY_STRPTIME(v, '%Y/%m/%d') AS DATE),"
    " CAST(TRY_STRPTIME(v, '%Y%m%d') AS DATE)) AS v FROM t"
)


def _check_values(run: Run, dept: str, fname: str, table: pa.Table, ds: Any, problems: list) -> pa.Table:
    """Reject the rows with impossible values, each named by its row number: a negative amount
    (``ds.numeric``, already cast), a date that does not parse or lies after the run's as-of date
    (``ds.dates``; cast to dates here); leave out a row that repeats an earlier row exactly.
    Vectorised: only the rejected rows are looked at one by one."""
    bad_rows: dict[int, str] = {}

    def reject(mask: pa.Array, message: str, col: str, values: pa.Array) -> None:
        if not pc.any(mask).as_py():
            return
        for rownum, v in zip(
            table.column("__row").filter(mask).to_pylist(), values.filter(mask).to_pylist(), strict=True
        ):
            bad_rows.setdefault(rownum, message % {"r": rownum, "c": col, "v": v, "d": run.as_of.isoformat()})

    for col in ds.numeric:
        values = table.column(col)
        reject(pc.fill_null(pc.less(values, 0), False), _("第 %(r)d 行“%(c)s”不能为负数：%(v)s"), col, values)
    for col in ds.dates:
        raw = table.column(col)
        if pa.types.is_date(raw.type) or pa.types.is_timestamp(raw.type):
            dates = pc.cast(raw, pa.date32())
        else:
            text = pc.utf8_trim_whitespace(pc.cast(raw, pa.string()))
            db = duckdb.connect()
            db.register("t", pa.table({"v": text}))
            dates = db.sql(_DATE_SQL).to_arrow_table().column(0).cast(pa.date32())
            db.close()
            given = pc.invert(pc.fill_null(pc.equal(text, ""), True))
            reject(pc.and_(pc.is_null(dates), given), _("第 %(r)d 行“%(c)s”不是日期：%(v)s"), col, raw)
        late = pc.fill_null(pc.greater(dates, pa.scalar(run.as_of, pa.date32())), False)
        reject(late, _("第 %(r)d 行“%(c)s”晚于核对基准日 %(d)s：%(v)s"), col, raw)
        table = table.set_column(table.column_names.index(col), col, dates)
    columns = [c for c in table.column_names if c != "__row"]
    db = duckdb.connect()
    db.register("t", table)
    listed = ", ".join(f'"{c}"' for c in columns)
    repeated = db.sql(
        f"WITH h AS (SELECT __row, hash({listed}) AS h FROM t),"
        " twice AS (SELECT h FROM h GROUP BY h HAVING count(*) > 1)"
        " SELECT __row FROM h SEMI JOIN twice USING (h) ORDER BY __row"
    ).fetchall()
    if repeated:  # the rows behind a repeated hash, compared in full
        rows = table.filter(
            pc.is_in(table.column("__row"), value_set=pa.array([r[0] for r in repeated], pa.int64()))
        )
        first: dict[tuple, int] = {}
        for row in rows.to_pylist():
            key = tuple(row[c] for c in columns)
            if key in first:
                bad_rows.setdefault(
                    row["__row"],
                    _("第 %(r)d 行与第 %(f)d 行完全相同，重复行已忽略")
                    % {"r": row["__row"], "f": first[key]},
                )
            else:
                first[key] = row["__row"]
    db.close()
    if not bad_rows:
        return table
    for rownum in sorted(bad_rows):
        problems.append(_problem(run, dept, fname, bad_rows[rownum], rownum))
    return table.filter(
        pc.invert(pc.is_in(table.column("__row"), value_set=pa.array(list(bad_rows), pa.int64())))
    )


class _RequestMap(Mapping):
    """The run's requests to one department as {pseudonym: (pseudonym, person_id, household_id,
    items)}, built only if something asks (fuzzy matching of rows without a pseudonym)."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self._dict: dict | None = None

    def _data(self) -> dict:
        if self._dict is None:
            t = self._table
            self._dict = {
                p: (p, person, household, json.loads(items))
                for p, person, household, items in zip(
                    *(t.column(c).to_pylist() for c in ("pseudonym", "person_id", "household_id", "items")),
                    strict=True,
                )
            }
        return self._dict

    def __getitem__(self, key: str) -> tuple:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return self._table.num_rows


# the answer's rows joined once to the requests: the pseudonym replaced by the request's position
# in ``asked`` (NULL: never asked), with whether the request covers this file's data item
_ANSWER_JOIN_SQL = """
CREATE OR REPLACE TEMP TABLE answer_asked AS
SELECT a.* EXCLUDE (pseudonym), q.__i AS pseudonym, q.authorised AS __authorised
FROM answer_file a LEFT JOIN asked q USING (pseudonym)
"""

# the connector's query over the authorised rows (grouping by request now); two rows of one
# person with the same key (conflicting department rows) are left to the database's unique
# constraint (run, person, key), which keeps one of them (``bulk.rows_insert``)
_FINDINGS_SQL = """
SELECT f.pseudonym AS __i, f.category, f.kind,
       CAST(round(f.amount, 2) AS DECIMAL(14, 2)) AS amount,
       CAST(round(f.area, 2) AS DECIMAL(10, 2)) AS area,
       left(coalesce(CAST(f.note AS VARCHAR), ''), 200) AS note, left(f.key, 120) AS key
FROM ({sql}) f(pseudonym, category, kind, amount, area, note, key)
"""


def _problem(run: Run | None, dept: str, fname: str, message: str, row: int | None = None) -> FileProblem:
    return FileProblem(
        run=run,
        region_code=run.region_code if run else "",
        department=dept,
        file=fname,
        row=row,
        message=message[:300],
    )


def _with_constants(table: pa.Table, **values: pa.Scalar) -> pa.Table:
    """``table`` with a column per keyword holding its value on every row."""
    for name, value in values.items():
        table = table.append_column(name, pa.repeat(value, table.num_rows))  # type: ignore[arg-type]
    return table


def _file_findings(
    run: Run, dept: str, path: Path, asked: pa.Table, problems: list, db: duckdb.DuckDBPyConnection
) -> pa.Table | None:
    """One result file's findings: the file read and checked (columns, numbers, rows without a
    pseudonym held for fuzzy matching, rows about persons never asked named and left out),
    mapped by the connector's query and joined to the requests in DuckDB. ``asked``: the run's
    requests to ``dept`` with ``authorised`` for this file's item. None: the file is rejected."""
    con = connector(dept)
    try:
        ds = con.dataset(path.name.split(".")[0])
    except StopIteration:
        problems.append(
            _problem(
                run,
                dept,
                path.name,
                _("不认识的结果文件（应为 %(d)s）") % {"d": "、".join(d.name for d in con.datasets)},
            )
        )
        return None
    started = time.perf_counter()
    try:
        table = exchange.result_read(path)
        missing = [c for c in (*ds.columns[1:], "pseudonym") if c not in table.column_names]
        if missing:
            raise exchange.FileRejected(_("缺少列：%(c)s") % {"c": "、".join(missing)})
    except exchange.FileRejected as exc:
        problems.append(_problem(run, dept, path.name, str(exc)))
        return None
    started = _clock("match: read", started)
    table = table.append_column("__row", pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64)))
    table = _cast_numeric(run, dept, path.name, table, ds.numeric, problems)
    table = _check_values(run, dept, path.name, table, ds, problems)
    table = fuzzy.unidentified_take(run, dept, ds, path.name, table, _RequestMap(asked))
    started = _clock("match: checks", started)
    db.register("answer_file", table)
    db.register("asked", asked.append_column("__i", pa.array(np.arange(asked.num_rows, dtype=np.int64))))
    db.execute(_ANSWER_JOIN_SQL)
    db.unregister("answer_file")
    started = _clock("match: join", started)
    for (rownum,) in db.sql("SELECT __row FROM answer_asked WHERE pseudonym IS NULL ORDER BY 1").fetchall():
        problems.append(
            _problem(run, dept, path.name, _("第 %(r)d 行不是本批次请求核对的人员") % {"r": rownum}, rownum)
        )
    db.execute(
        "CREATE OR REPLACE TEMP VIEW answer AS SELECT * EXCLUDE (__authorised) FROM answer_asked WHERE __authorised"
    )
    started = _clock("match: unknown", started)
    findings = db.sql(_FINDINGS_SQL.format(sql=ds.sql)).to_arrow_table()
    started = _clock("match: map", started)
    at = findings.column("__i")
    findings = findings.drop_columns(["__i"])
    for name, column in (
        ("person_id", asked.column("person_id")),
        ("household_id", asked.column("household_id")),
    ):
        findings = findings.append_column(name, column.take(at))
    findings = _with_constants(
        findings,
        run_id=pa.scalar(run.pk, pa.int64()),
        region_code=pa.scalar(run.region_code),
        department=pa.scalar(dept),
        dataset=pa.scalar(ds.name),
        registry_type=pa.scalar(""),
    )
    _clock("match: columns", started)
    return findings


def _stage_findings(run: Run) -> None:
    """Every result file matched first (``_file_findings``), then the findings written set-based,
    two files at once. A rejected file leaves nothing behind; a rejected row is left out and
    named. A resumed stage writes only the findings not stored yet."""
    FileProblem.objects.filter(run=run).delete()  # recomputed on resume
    problems: list[FileProblem] = []
    written = set(Finding.objects.filter(run=run).values_list("department", "dataset").distinct())
    matched: list[tuple[pa.Table, bool]] = []
    db = duckdb.connect()
    for dept in run.departments:
        con = connector(dept)
        inbox = Path(run.work_dir) / "inbox" / dept
        if not inbox.exists():
            continue
        started = time.perf_counter()
        requests = _requests_asked(run, dept)
        started = _clock("requests read", started)
        items = pc.dictionary_encode(requests.column("items")).combine_chunks()  # a few distinct lists
        authorised: dict[str, pa.Array] = {}  # per data item: the requests that may ask for it
        paths = sorted(p for p in inbox.iterdir() if p.name != ".complete")
        stems = [p.name.split(".")[0] for p in paths]
        for path, stem in zip(paths, stems, strict=True):
            item = next((con.item_of(d) for d in con.datasets if d.name == stem), con.items[0])
            if item not in authorised:  # not authorised for this item: dropped, never stored
                covers = pc.match_substring(items.dictionary, json.dumps(item))
                authorised[item] = pc.take(covers, items.indices)
            findings = _file_findings(
                run, dept, path, requests.append_column("authorised", authorised[item]), problems, db
            )
            if findings is not None:
                # nothing of this dataset written yet and one file of it: COPY straight in
                matched.append((findings, (dept, stem) not in written and stems.count(stem) == 1))
        _clock("match", started)
    db.close()
    started = time.perf_counter()
    with bulk.Writer() as writer:
        for findings, fresh in matched:
            writer.insert(Finding, findings, fresh=fresh)
    _clock("write (waiting for the database)", started)
    FileProblem.objects.bulk_create(problems, batch_size=2000)


_REGISTRY = {"income": IncomeItem, "asset": AssetItem, "expense": RigidExpense}


def _period(run: Run) -> tuple[dt.date, dt.date]:
    end = run.as_of.replace(day=1) - dt.timedelta(days=1)
    start = (end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    return start, end


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` fresh primary keys of ``model`` (inside the caller's transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n]
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + n))


def _registry_link(pairs: list[tuple[int, str, int]]) -> int:
    """Set ``registry_type``/``registry_id`` of findings not linked yet; returns rows changed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS _finding_link (fid bigint, rtype text, rid bigint)"
            )
            cursor.execute("TRUNCATE _finding_link")
            with cursor.cursor.copy("COPY _finding_link (fid, rtype, rid) FROM STDIN") as copy:
                for row in pairs:
                    copy.write_row(row)
            cursor.execute(
                "UPDATE verification_finding f SET registry_type = l.rtype, registry_id = l.rid"
                " FROM _finding_link l WHERE f.id = l.fid AND f.registry_id IS NULL"
            )
            changed = cursor.rowcount
            cursor.execute("DROP TABLE _finding_link")
            return changed
        before = connection.connection.total_changes  # type: ignore[union-attr]
        cursor.executemany(
            "UPDATE verification_finding SET registry_type = %s, registry_id = %s"
            " WHERE id = %s AND registry_id IS NULL",
            [(rtype, rid, fid) for fid, rtype, rid in pairs],
        )
        return connection.connection.total_changes - before  # type: ignore[union-attr]


REGISTRY_CHUNK = 20_000  # households per transaction in the registry stage


def _stage_registry(run: Run) -> None:
    """Findings about counted members become registry items with source "verification"; the
    items of an earlier run for the same household are replaced. Set-based, one transaction per
    chunk of households (a crash leaves a chunk either fully written or untouched; a resumed
    stage takes only the findings not yet linked to an item), one change-log row per chunk and
    kind of write naming the items' ids."""
    start, end = _period(run)
    i64, s, f64 = pa.int64(), pa.string(), pa.float64()
    members = bulk.qs_arrow(
        Membership.objects.filter(
            region_q("household__region_code", run.region_code), end_date__isnull=True, counted=True
        ).values("household_id", "person_id"),
        types={"household_id": i64, "person_id": i64},
    )
    pending = bulk.qs_arrow(
        Finding.objects.filter(run=run, registry_id__isnull=True, category__in=list(_REGISTRY)).values(
            "id", "household_id", "person_id", "department", "category", "kind", "amount", "area", "note"
        ),
        types={
            "id": i64,
            "household_id": i64,
            "person_id": i64,
            "department": s,
            "category": s,
            "kind": s,
            "amount": f64,
            "area": f64,
            "note": s,
        },
    )
    db = duckdb.connect()
    db.register("members", members)
    db.register("pending", pending)
    pending = db.sql(
        "SELECT p.* FROM pending p SEMI JOIN members m USING (household_id, person_id)"
        " ORDER BY household_id, id"
    ).to_arrow_table()
    db.close()
    if pending.num_rows == 0:
        return
    titles = {d: connector(d).title for d in run.departments}
    households = pc.unique(pending.column("household_id")).to_pylist()
    now = timezone.now()
    for i in range(0, len(households), REGISTRY_CHUNK):
        chunk = households[i : i + REGISTRY_CHUNK]
        rows = pending.filter(pc.is_in(pending.column("household_id"), value_set=pa.array(chunk, i64)))
        with transaction.atomic():
            for model in _REGISTRY.values():
                old = model.objects.filter(household_id__in=chunk, source=rc.Source.VERIFICATION).exclude(
                    job=run.job
                )
                ids = list(old.values_list("id", flat=True))
                if ids:
                    change_log_write(
                        actor=run.created_by,
                        action="delete",
                        object_type=model._meta.label_lower,
                        object_id="",
                        before={"ids": ids},
                        reason=_("被新的核对结果替换"),
                        job=run.job,
                    )
                    model.objects.filter(pk__in=ids).delete()
            written = {}
            for category, model in _REGISTRY.items():
                part = rows.filter(pc.equal(rows.column("category"), category))
                n = part.num_rows
                if not n:
                    continue
                ids = _reserve_ids(model, n)
                columns: dict[str, Any] = {
                    "id": ids,
                    "household_id": part.column("household_id"),
                    "person_id": part.column("person_id"),
                    "kind": part.column("kind"),
                    "amount": pc.fill_null(part.column("amount"), 0.0),
                    "period_start": [start] * n,
                    "period_end": [end] * n,
                    "source": [rc.Source.VERIFICATION.value] * n,
                    "as_of": [run.as_of] * n,
                    "note": [
                        f"{titles.get(d) or connector(d).title}：{note or ''}"[:200]
                        for d, note in zip(
                            part.column("department").to_pylist(),
                            part.column("note").to_pylist(),
                            strict=True,
                        )
                    ],
                    "created_by_id": [run.created_by_id] * n,
                    "job_id": [run.job_id] * n,
                    "created_at": [now] * n,
                    "updated_at": [now] * n,
                }
                if model is AssetItem:
                    columns["area"] = part.column("area")
                for field in model._meta.concrete_fields:
                    if field.column not in columns:
                        columns[field.column] = [field.get_default()] * n
                bulk.rows_insert(model, pa.table(columns))
                label = model._meta.label_lower
                pairs = list(zip(part.column("id").to_pylist(), [label] * n, ids, strict=True))
                if _registry_link(pairs) != n:
                    raise RuntimeError("findings written twice")
                written[label] = ids
            change_log_write(
                actor=run.created_by,
                action="create",
                object_type="registry.household",
                object_id="",
                after={"households": len(chunk), "verification_items": written},
                reason=_("核对结果写入（批次 %(r)s）") % {"r": run.pk},
                job=run.job,
            )


# ---- discrepancies and reports ----------------------------------------------------------------

LOW_EMPLOYMENT = {"unemployed", "unemployed_registered", "flexible", "farming"}


_DISCREPANCY_SQL = """
WITH f AS (
    SELECT f.*, m.name, m.death_date, m.employment
    FROM findings f JOIN members m USING (household_id, person_id)
), wages AS (
    SELECT household_id, person_id, sum(amount) AS said FROM declared_income
    WHERE kind = 'wages' GROUP BY ALL
)
SELECT household_id, person_id, 'unreported_death' AS kind, NULL::DOUBLE AS declared, NULL::DOUBLE AS found,
       name, note, NULL::DOUBLE AS area, employment, 'death:' || person_id AS key
FROM f WHERE kind = 'death' AND death_date IS NULL
UNION ALL
SELECT household_id, person_id, 'undeclared_vehicle', NULL, amount, name, note, NULL, employment,
       'vehicle:' || string_split(note, ' ')[-1]
FROM f WHERE kind = 'vehicle' AND NOT EXISTS (
    SELECT 1 FROM declared_assets a WHERE a.household_id = f.household_id AND a.kind = 'vehicle'
    AND contains(coalesce(a.note, ''), string_split(f.note, ' ')[-1]))
UNION ALL
SELECT household_id, person_id, 'undeclared_real_estate', NULL, amount, name, note, area, employment,
       'estate:' || key
FROM f WHERE kind IN ('dwelling', 'non_residential') AND NOT EXISTS (
    SELECT 1 FROM declared_assets a WHERE a.household_id = f.household_id
    AND a.kind IN ('dwelling', 'non_residential') AND abs(coalesce(f.area, 0) - coalesce(a.area, 0)) <= 1)
UNION ALL
SELECT household_id, person_id, 'undeclared_business', NULL, amount, name, note, NULL, employment,
       'business:' || key
FROM f WHERE kind = 'business' AND NOT EXISTS (
    SELECT 1 FROM declared_assets a WHERE a.household_id = f.household_id AND a.kind = 'business'
    AND abs(coalesce(f.amount, 0) - a.amount) < 1)
UNION ALL
SELECT f.household_id, f.person_id, 'wages_above_declared', coalesce(w.said, 0), f.amount, name, note, NULL,
       employment, 'wages:' || f.person_id
FROM f LEFT JOIN wages w USING (household_id, person_id)
WHERE f.kind = 'wages' AND f.amount <> 0 AND f.amount > coalesce(w.said, 0) * 1.3 + 3000
UNION ALL
SELECT household_id, person_id, 'public_payroll_undeclared', NULL, amount, name, note, NULL, employment,
       'payroll:' || person_id
FROM f WHERE kind = 'public_payroll' AND employment IN ({low})
UNION ALL
SELECT household_id, NULL, 'deposits_above_declared', declared, found, NULL, NULL, NULL, NULL, 'deposits'
FROM (
    SELECT household_id, sum(amount) AS found, coalesce(any_value(d.said), 0) AS declared
    FROM f LEFT JOIN (
        SELECT household_id, sum(amount) AS said FROM declared_assets WHERE kind = 'deposits' GROUP BY ALL
    ) d USING (household_id)
    WHERE kind = 'deposits' GROUP BY household_id
) WHERE found > declared * 1.1 + 20000
"""


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def discrepancies_find(*, run: Run) -> pa.Table:
    """Compare the run's findings with the declarations, as one set operation in DuckDB:
    undeclared vehicle (by plate), unreported death, wages > 1.3 × declared + 3,000, undeclared
    real estate (by area ± 1 m²), undeclared business (by capital), deposits > 1.1 × declared
    + 20,000, public payroll while declared unemployed/flexible/farming. Only findings about
    counted members count. Returns the rows of ``Discrepancy``."""
    in_region = region_q("household__region_code", run.region_code)
    f64, i64, s = pa.float64(), pa.int64(), pa.string()
    findings = bulk.qs_arrow(
        Finding.objects.filter(run=run).values(
            "household_id", "person_id", "kind", "amount", "area", "note", "key"
        ),
        types={
            "household_id": i64,
            "person_id": i64,
            "kind": s,
            "amount": f64,
            "area": f64,
            "note": s,
            "key": s,
        },
    )
    members = bulk.qs_arrow(
        Membership.objects.filter(in_region, end_date__isnull=True, counted=True).values(
            "household_id", "person_id", "person__name", "person__death_date", "person__employment"
        ),
        types={
            "household_id": i64,
            "person_id": i64,
            "person__name": s,
            "person__death_date": pa.date32(),
            "person__employment": s,
        },
    ).rename_columns(["household_id", "person_id", "name", "death_date", "employment"])
    income = bulk.qs_arrow(
        IncomeItem.objects.filter(in_region, source=rc.Source.DECLARED).values(
            "household_id", "person_id", "kind", "amount"
        ),
        types={"household_id": i64, "person_id": i64, "kind": s, "amount": f64},
    )
    assets = bulk.qs_arrow(
        AssetItem.objects.filter(in_region, source=rc.Source.DECLARED).values(
            "household_id", "kind", "amount", "area", "note"
        ),
        types={"household_id": i64, "kind": s, "amount": f64, "area": f64, "note": s},
    )
    db = duckdb.connect()
    for name, table in (
        ("findings", findings),
        ("members", members),
        ("declared_income", income),
        ("declared_assets", assets),
    ):
        db.register(name, table)
    low = ", ".join(f"'{v}'" for v in sorted(LOW_EMPLOYMENT))
    rows = db.sql(_DISCREPANCY_SQL.format(low=low) + " ORDER BY 1, 2 NULLS LAST, 3, 10").fetchall()
    db.close()
    employment = dict(rc.Employment.choices)
    texts = {
        "unreported_death": _("%(n)s 已死亡（%(s)s），档案仍为在世的家庭成员"),
        "undeclared_vehicle": _("%(n)s 名下车辆 %(p)s 未申报"),
        "undeclared_real_estate": _("%(n)s 名下不动产（%(l)s，%(a)s 平方米）未申报"),
        "undeclared_business": _("%(n)s 登记的市场主体 %(e)s 未申报"),
        "wages_above_declared": _("%(n)s 社保记录的工资 %(f)s 元，高于申报的 %(d)s 元"),
        "public_payroll_undeclared": _("%(n)s 为财政供养人员（%(e)s），申报为“%(d)s”"),
        "deposits_above_declared": _("核对存款 %(f)s 元，高于申报的 %(d)s 元"),
    }
    columns: dict[str, list] = defaultdict(list)
    once: set[tuple[int, str]] = set()
    for household_id, person_id, kind, declared, found, name, note, area, emp, key in rows:
        if (household_id, key[:120]) in once:
            continue
        once.add((household_id, key[:120]))
        values = {
            "n": name,
            "s": note,
            "p": note,
            "l": note,
            "e": note,
            "a": _money(area),
            "f": _money(found),
            "d": _money(declared),
        }
        if kind == "public_payroll_undeclared":
            values["d"] = str(employment.get(emp, emp))
        columns["household_id"].append(household_id)
        columns["person_id"].append(person_id)
        columns["kind"].append(kind)
        columns["declared"].append(None if declared is None else round(declared, 2))
        columns["found"].append(None if found is None else round(found, 2))
        columns["message"].append((texts[kind] % values)[:300])
        columns["key"].append(key[:120])
    count = len(columns["kind"])
    return pa.table(
        {
            "run_id": pa.array([run.pk] * count, pa.int64()),
            "region_code": pa.array([run.region_code] * count, pa.string()),
            "household_id": pa.array(columns["household_id"], pa.int64()),
            "person_id": pa.array(columns["person_id"], pa.int64()),
            "kind": pa.array(columns["kind"], pa.string()),
            "declared": pa.array(columns["declared"], pa.float64()),
            "found": pa.array(columns["found"], pa.float64()),
            "message": pa.array(columns["message"], pa.string()),
            "key": pa.array(columns["key"], pa.string()),
        }
    )


_REPORT_SQL = """
WITH fj AS (
    SELECT household_id, to_json(list({{
        'person': name, 'department': title, 'category': category, 'kind': kind,
        'amount': amount, 'area': area, 'note': note
    }} ORDER BY person_id, department, key)) AS j
    FROM findings JOIN titles USING (department) GROUP BY household_id
), dj AS (
    SELECT household_id, to_json(list({{
        'kind': kind, 'message': message, 'declared': declared, 'found': found
    }} ORDER BY id)) AS j
    FROM discrepancies GROUP BY household_id
), rj AS (
    SELECT household_id, to_json(list(DISTINCT name || '：' || title || '（' || reason || '）'
        ORDER BY name || '：' || title || '（' || reason || '）')) AS j
    FROM refusals JOIN titles USING (department) GROUP BY household_id
)
SELECT h.household_id, c.case_id, dj.j IS NOT NULL AS concerns,
       '{{"run": {run}, "as_of": "{as_of}", "purpose": ' || $purpose
       || ', "findings": ' || coalesce(CAST(fj.j AS VARCHAR), '[]')
       || ', "discrepancies": ' || coalesce(CAST(dj.j AS VARCHAR), '[]')
       || ', "refused": ' || coalesce(CAST(rj.j AS VARCHAR), '[]') || '}}' AS data
FROM households h
LEFT JOIN fj USING (household_id) LEFT JOIN dj USING (household_id) LEFT JOIN rj USING (household_id)
LEFT JOIN (SELECT household_id, min(case_id) AS case_id FROM cases GROUP BY household_id) c USING (household_id)
ORDER BY h.household_id
"""


def _reports_build(run: Run, household_ids: list[int] | None = None) -> pa.Table:
    """Household reports as data, one DuckDB query over the run's findings, discrepancies and
    refusals: rows (household_id, case_id, concerns, data as JSON text). ``household_ids``: only
    these households (default: every household the run asked or refused about)."""
    i64, s = pa.int64(), pa.string()

    def only(qs):
        return qs.filter(household_id__in=household_ids) if household_ids is not None else qs

    findings = bulk.qs_arrow(
        only(Finding.objects.filter(run=run)).values(
            "household_id",
            "person_id",
            "person__name",
            "department",
            "category",
            "kind",
            "amount",
            "area",
            "note",
            "key",
        ),
        types={
            "household_id": i64,
            "person_id": i64,
            "person__name": s,
            "department": s,
            "category": s,
            "kind": s,
            "amount": s,
            "area": s,
            "note": s,
            "key": s,
        },
    ).rename_columns(
        [
            "household_id",
            "person_id",
            "name",
            "department",
            "category",
            "kind",
            "amount",
            "area",
            "note",
            "key",
        ]
    )
    discrepancies = bulk.qs_arrow(
        only(Discrepancy.objects.filter(run=run)).values(
            "household_id", "id", "kind", "message", "declared", "found"
        ),
        types={"household_id": i64, "id": i64, "kind": s, "message": s, "declared": s, "found": s},
    )
    refusals = bulk.qs_arrow(
        only(Refusal.objects.filter(run=run)).values("household_id", "person__name", "department", "reason"),
        types={"household_id": i64, "person__name": s, "department": s, "reason": s},
    ).rename_columns(["household_id", "name", "department", "reason"])
    cases = bulk.qs_arrow(
        only(Request.objects.filter(run=run, case__isnull=False))
        .values("household_id", "case_id")
        .distinct(),
        types={"household_id": i64, "case_id": i64},
    )
    if household_ids is None:
        households = bulk.qs_arrow(
            Request.objects.filter(run=run).values("household_id").distinct(), types={"household_id": i64}
        )
        households = pa.concat_tables(
            [
                households,
                bulk.qs_arrow(
                    Refusal.objects.filter(run=run).values("household_id").distinct(),
                    types={"household_id": i64},
                ),
            ]
        )
    else:
        households = pa.table({"household_id": pa.array(household_ids, i64)})
    households = pa.table({"household_id": pc.unique(households.column("household_id"))})
    if household_ids is None:  # a resumed stage: the households without a report yet
        done = bulk.qs_arrow(
            HouseholdReport.objects.filter(run=run).values("household_id"), types={"household_id": i64}
        )
        households = households.filter(pc.invert(pc.is_in(households.column(0), value_set=done.column(0))))
    titles = pa.table(
        {
            "department": list(connector_names := list(run.departments)),
            "title": [connector(d).title for d in connector_names],
        }
    )
    db = duckdb.connect()
    for name, table in (
        ("findings", findings),
        ("discrepancies", discrepancies),
        ("refusals", refusals),
        ("cases", cases),
        ("households", households),
        ("titles", titles),
    ):
        db.register(name, table)
    sql = _REPORT_SQL.format(run=int(run.pk), as_of=run.as_of.isoformat())
    out = db.sql(sql, params={"purpose": json.dumps(run.purpose, ensure_ascii=False)}).to_arrow_table()
    db.close()
    return out


def _stage_reports(run: Run) -> None:
    started = time.perf_counter()
    bulk.rows_insert(
        Discrepancy, discrepancies_find(run=run), fresh=not Discrepancy.objects.filter(run=run).exists()
    )
    started = _clock("discrepancies", started)
    fresh = not HouseholdReport.objects.filter(run=run).exists()
    built = _reports_build(run)
    n = built.num_rows
    bulk.rows_insert(
        HouseholdReport,
        pa.table(
            {
                "run_id": pa.array([run.pk] * n, pa.int64()),
                "region_code": pa.array([run.region_code] * n, pa.string()),
                "household_id": built.column("household_id"),
                "case_id": built.column("case_id"),
                "data": built.column("data"),
                "concerns": built.column("concerns"),
                "created_at": pa.array([timezone.now().isoformat()] * n, pa.string()),
            }
        ),
        fresh=fresh,
    )
    _clock("household reports", started)
    from safetynet.verification.reports import report_attach

    for report in HouseholdReport.objects.filter(
        run=run, case__isnull=False, document__isnull=True
    ).select_related("household", "run", "case"):
        report_attach(actor=run.created_by, report=report)


def _report_batch(run: Run, household_ids: list[int]) -> list[HouseholdReport]:
    """The reports of a few households as (unsaved) objects, built as the stage builds them."""
    built = _reports_build(run, household_ids)
    return [
        HouseholdReport(
            run=run,
            region_code=run.region_code,
            household_id=row["household_id"],
            case_id=row["case_id"],
            data=json.loads(row["data"]),
            concerns=row["concerns"],
        )
        for row in built.to_pylist()
    ]


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
                person_id=s.person.pk,
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
        if connection.vendor == "postgresql" and len(rows) > 10_000:  # a big demo county: COPY
            names = [f.column for f in Authorisation._meta.concrete_fields if f.column != "id"]
            now = timezone.now()
            for row in rows:
                row.created_at = row.updated_at = now
            bulk.rows_insert(
                Authorisation,
                pa.table(
                    {
                        c: [
                            json.dumps(v) if isinstance(v, list) else v for v in (getattr(r, c) for r in rows)
                        ]
                        for c in names
                    }
                ),
                fresh=True,
            )
        else:
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
