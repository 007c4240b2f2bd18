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
from safetynet.payments.services.adjustments import adjustment_backpay_insert, standard_raise
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
from safetynet.payments.services.penalties import (
    fine_range_for,
    penalty_decide,
    penalty_hearing,
    penalty_notify,
)
from safetynet.payments.services.price_subsidy import (
    price_subsidy_build,
    price_subsidy_parameters,
    price_subsidy_trigger,
)
from safetynet.payments.services.recovery import (
    payroll_hook,
    payroll_report_extras,
    recovery_offsets_apply,
    recovery_open,
    recovery_repay,
)
from safetynet.payments.services.reports import expenditure_report, expenditure_xlsx, program_label
from safetynet.payments.services.temporary import (
    stage_status,
    standby_balance,
    standby_cash_pay,
    standby_reconcile,
    standby_record_help_first,
    standby_topup,
    temporary_from_decision,
    temporary_payroll_build,
    temporary_sync,
)

__all__ = [
    "CENT",
    "EXCLUSIVE",
    "bank_file_download",
    "expenditure_report",
    "expenditure_xlsx",
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
    "price_subsidy_build",
    "price_subsidy_parameters",
    "price_subsidy_trigger",
    "program_label",
    "adjustment_backpay_insert",
    "fine_range_for",
    "payroll_hook",
    "payroll_report_extras",
    "penalty_decide",
    "penalty_hearing",
    "penalty_notify",
    "recovery_offsets_apply",
    "standard_raise",
    "recovery_open",
    "recovery_repay",
    "return_file_import",
    "stage_status",
    "standby_balance",
    "standby_cash_pay",
    "standby_reconcile",
    "standby_record_help_first",
    "standby_topup",
    "supplementary_file_build",
    "temporary_from_decision",
    "temporary_payroll_build",
    "temporary_sync",
]
