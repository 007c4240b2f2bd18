"""Payments services: entitlements as events, payroll build/check/approve, bank files,
reconciliation and recovery. Money changes only through an event that names its decision and
reason. The payroll is built set-based: rows are computed from ``values_list`` tuples (never ORM
objects) and written with one ``executemany`` in one transaction on SQLite, or ``COPY`` into a
staging table and one ``INSERT … SELECT`` on PostgreSQL.

One module per part; callers import from this package."""

from safetynet.payments.services._common import (
    CENT,
    EXCLUSIVE,
    county_of,
    month_add,
    month_start,
    parse_month,
)
from safetynet.payments.services.bankfiles import (
    bank_file_download,
    bank_files_build,
    return_file_import,
    supplementary_file_build,
)
from safetynet.payments.services.demo import demo_seed
from safetynet.payments.services.entitlements import (
    entitlement_account_fix,
    entitlement_change,
    entitlement_continue,
    entitlement_from_decision,
    entitlement_grant,
    entitlement_replay,
)
from safetynet.payments.services.payroll import (
    payroll_approve,
    payroll_build,
    payroll_check,
    payroll_check_report,
    payroll_rows,
)
from safetynet.payments.services.recovery import recovery_open, recovery_repay

__all__ = [
    "CENT",
    "EXCLUSIVE",
    "bank_file_download",
    "bank_files_build",
    "county_of",
    "demo_seed",
    "entitlement_account_fix",
    "entitlement_change",
    "entitlement_continue",
    "entitlement_from_decision",
    "entitlement_grant",
    "entitlement_replay",
    "month_add",
    "month_start",
    "parse_month",
    "payroll_approve",
    "payroll_build",
    "payroll_check",
    "payroll_check_report",
    "payroll_rows",
    "recovery_open",
    "recovery_repay",
    "return_file_import",
    "supplementary_file_build",
]
