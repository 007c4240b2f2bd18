"""Benchmark: December payroll for N entitlements (build → check → approve → bank files) and the
reconciliation of an N-line bank return file, on PostgreSQL.

    .venv/bin/python bench/bench_payroll.py [--entitlements 1000000]
        [--database-url postgres://postgres@127.0.0.1:5432/sn_pay]

Creates and migrates the database if needed, then (re)seeds N households, persons,
entitlements, parts and grant events of the demo county with set-based SQL (generate_series),
spread over two townships and one bank (``--banks 2``: two, as the earlier figures), each
payee with its own encrypted account. Times the payroll build (one INSERT … SELECT), the check,
the approval and the bank files (accounts decrypted in bulk, header with count/total/SHA-256),
then a return file with 0.2 % failures. Prints figures, the core count and the load average.
Never point it at a database you care about.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')


def _fill(model, overrides: dict[str, str]) -> tuple[str, str]:
    """Column list and SELECT expressions for every concrete column of ``model``: the given SQL
    expressions, else a neutral value for the column's type (NULL where allowed)."""
    from django.db import models

    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in overrides:
            continue
        cols.append(f.column)
        if f.column in overrides:
            exprs.append(overrides[f.column])
        elif f.null:
            exprs.append("NULL")
        elif isinstance(f, models.BooleanField):
            exprs.append("false")
        elif isinstance(f, (models.IntegerField, models.DecimalField, models.FloatField)):
            exprs.append("0")
        elif isinstance(f, models.DateTimeField):
            exprs.append("now()")
        elif isinstance(f, models.DateField):
            exprs.append("date '2026-01-01'")
        elif isinstance(f, models.JSONField):
            exprs.append("'{}'::jsonb")
        else:
            exprs.append("''")
    return ", ".join(cols), ", ".join(exprs)


def _accounts(n: int) -> list[str]:
    """n encrypted account numbers, in the field-encryption format (``a1:`` + base64 of nonce,
    ciphertext and tag) with one cipher object instead of one per value."""
    import base64

    from django.conf import settings

    from safetynet.core.crypto import encrypt, field_key

    if settings.SAFETYNET_CIPHER != "aes-gcm":
        return [encrypt(f"62284800{i:011d}") for i in range(n)]
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(field_key())
    out = []
    for i in range(n):
        nonce = os.urandom(12)
        out.append(
            "a1:" + base64.b64encode(nonce + aes.encrypt(nonce, f"62284800{i:011d}".encode(), None)).decode()
        )
    return out


def seed(n: int, banks: int = 1) -> None:
    from django.db import connection, transaction

    from safetynet.core import testing
    from safetynet.payments.models import Entitlement
    from safetynet.registry.models import Household, Person

    testing.build_regions()
    accounts = _accounts(n)  # one distinct ciphertext per payee, as in real data
    with transaction.atomic(), connection.cursor() as cur:
        # seeding only (this database is the benchmark's own): no foreign-key triggers for the
        # million generated rows (they are consistent by construction); needs a superuser
        cur.execute("SET LOCAL session_replication_role = replica")
        # TRUNCATE, not DELETE: no per-row foreign-key checks (payment lines have no index that
        # starts with entitlement_id alone, see docs/performance.md)
        cur.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'payments\\_%%'")
        tables = [r[0] for r in cur.fetchall()]
        cur.execute("TRUNCATE " + ", ".join(tables) + " CASCADE")
        cur.execute("DELETE FROM registry_household WHERE number LIKE 'BP%%'")
        cur.execute("DELETE FROM registry_person WHERE id_hash LIKE 'BP%%'")
        cur.execute("CREATE TEMP TABLE bench_acct (k int primary key, enc text)")
        with cur.cursor.copy("COPY bench_acct (k, enc) FROM STDIN") as copy:
            for i, a in enumerate(accounts):
                copy.write_row((i, a))
        village = f"CASE WHEN g %% 2 = 0 THEN '{testing.VILLAGE_A1}' ELSE '{testing.VILLAGE_B1}' END"
        cols, exprs = _fill(
            Person,
            {
                "name": "'受益人' || g",
                "id_hash": "'BP' || g",
                "id_masked": "'****'",
                "id_enc": "'x'",
                "region_code": village,
            },
        )
        cur.execute(f"INSERT INTO registry_person ({cols}) SELECT {exprs} FROM generate_series(1, %s) g", [n])
        cols, exprs = _fill(
            Household,
            {
                "number": "'BP' || g",
                "region_id": village,
                "region_code": village,
                "head_name": "'受益人' || g",
                "size": "1",
                "status": "'active'",
            },
        )
        cur.execute(
            f"INSERT INTO registry_household ({cols}) SELECT {exprs} FROM generate_series(1, %s) g", [n]
        )
        cols, exprs = _fill(
            Entitlement,
            {
                "number": "'BE' || h.number",
                "household_id": "h.id",
                "program": "'dibao'",
                "county_code": f"'{testing.COUNTY}'",
                "township_code": "substr(h.region_code, 1, 9) || '000'",
                "region_code": "h.region_code",
                "payee_kind": "'household'",
                "payee_name": "h.head_name",
                "bank_name": "CASE WHEN h.id % 3 = 0 THEN '建设银行' ELSE '农商银行' END"
                if banks == 2
                else "'农商银行'",
                "account_enc": f"(SELECT enc FROM bench_acct WHERE k = h.id % {n})",
                "account_masked": "'****'",
                "state": "'active'",
                "monthly_amount": "320.00",
                "first_month": "date '2026-12-01'",
                "event_count": "1",
                "funding": "'{}'::jsonb",
            },
        )
        cur.execute(
            f"INSERT INTO payments_entitlement ({cols}) SELECT {exprs} FROM registry_household h "
            "WHERE h.number LIKE 'BP%%'"
        )
        cur.execute(
            "INSERT INTO payments_entitlementpart (entitlement_id, person_id, person_name, amount, note) "
            "SELECT e.id, p.id, p.name, 320.00, '' FROM payments_entitlement e "
            "JOIN registry_person p ON p.id_hash = 'BP' || substr(e.number, 5)"
        )
        cur.execute(
            "INSERT INTO payments_entitlementevent (entitlement_id, seq, kind, effective_month, reason, state_after,"
            " parts, amount_after, recorded_at, actor_name) SELECT pt.entitlement_id, 1, 'grant', date '2026-12-01',"
            " '批准', 'active', jsonb_build_array(jsonb_build_object('person_id', pt.person_id, 'name', pt.person_name,"
            " 'amount', '320.00', 'note', '')), 320.00, now(), 'bench' FROM payments_entitlementpart pt"
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entitlements", type=int, default=1_000_000)
    parser.add_argument(
        "--banks", type=int, choices=(1, 2), default=1, help="1: one bank, so the return file has every line"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the seeded data, rebuild the payroll (time reruns)"
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/sn_pay")
    args = parser.parse_args()
    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from safetynet.accounts.models import User
    from safetynet.accounts.roles import Role
    from safetynet.accounts.services import user_create
    from safetynet.core import testing
    from safetynet.payments import services
    from safetynet.payments.models import PaymentLine

    t = time.perf_counter()
    if not args.reuse:
        seed(args.entitlements, args.banks)
    else:  # keep the seeded entitlements, drop the payroll and everything built from it
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("TRUNCATE payments_payroll, payments_paymentline CASCADE")
            cur.execute("VACUUM ANALYZE payments_paymentline")
    print(f"seed: {args.entitlements:,} entitlements in {time.perf_counter() - t:.1f} s")
    testing.build_regions()
    carol = User.objects.filter(username="bench_carol").first() or user_create(
        actor=None,
        username="bench_carol",
        password=testing.PASSWORD,
        role=Role.COUNTY_OFFICER,
        region_id=testing.COUNTY,
        display_name="bench",
    )
    figures = {}
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    payroll, _created = services.payroll_build(
        actor=carol,
        county_code=testing.COUNTY,
        program="dibao",
        month=dt.date(2026, 12, 1),
        cutoff=dt.date(2026, 12, 31),
    )
    figures["build"] = time.perf_counter() - t0
    t = time.perf_counter()
    if payroll.state != "approved":
        services.payroll_check(actor=carol, payroll=payroll)
    figures["check"] = time.perf_counter() - t
    t = time.perf_counter()
    if payroll.state != "approved":
        services.payroll_approve(actor=carol, payroll=payroll)
    figures["approve"] = time.perf_counter() - t
    t = time.perf_counter()
    files = services.bank_files_build(actor=carol, payroll=payroll)
    figures["bank files"] = time.perf_counter() - t
    figures["payroll total"] = time.perf_counter() - t0
    lines = PaymentLine.objects.filter(payroll=payroll).count()
    print(f"payroll: {lines:,} lines, total {payroll.total} yuan, {len(files)} bank files")
    # return file for the biggest bank: 0.2 % failures
    f = max(files, key=lambda x: x.line_count)
    body = bytes(f.content).decode().splitlines()[1:]
    out = []
    for i, row in enumerate(body):
        ref, _n, _a, amount = row.split(",")
        out.append(f"{ref},{amount},failed,wrong_account" if i % 500 == 0 else f"{ref},{amount},paid")
    content = (f"H,2026-12,{len(out)},{f.total:.2f}\n" + "\n".join(out) + "\n").encode()
    t = time.perf_counter()
    imp = services.return_file_import(actor=carol, bank_file=f, content=content)
    figures["reconciliation"] = time.perf_counter() - t
    print(f"return file: {len(out):,} lines → {imp.status}, paid {imp.paid:,}, failed {imp.failed:,}")
    print(
        f"cores: {os.cpu_count()}; load average (1/5/15 min) before {load_before[0]:.2f}/{load_before[1]:.2f}/"
        f"{load_before[2]:.2f}, after {'/'.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for k, v in figures.items():
        print(f"  {k:<16} {v:8.2f} s")
    print(
        f"target: payroll incl. bank files < 60 s → {'OK' if figures['payroll total'] < 60 else 'MISSED'};"
        f" reconciliation ({len(out):,} lines) < 60 s → {'OK' if figures['reconciliation'] < 60 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
