"""The role table (product.md "Who uses it"): which actions each role may take on which model.

Scope (which records) is separate and comes from the model's ``scope_q``; this table answers
only "may this role do this kind of thing at all" (403 when not).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("群众/申请人")
    COORDINATOR = "coordinator", _("村级社会救助协理员")
    CASEWORKER = "caseworker", _("乡镇经办人员")
    COUNTY_OFFICER = "county_officer", _("县级民政审核确认人员")
    CITY_OFFICER = "city_officer", _("市级民政人员")
    PROVINCE_OFFICER = "province_officer", _("省级民政人员")
    VERIFICATION_OFFICER = "verification_officer", _("核对中心人员")
    DEPARTMENT = "department", _("部门数据提供方")
    CHARITY = "charity", _("慈善/服务组织")
    AUDITOR = "auditor", _("纪检/审计人员")
    ADMIN = "admin", _("系统管理员")


STAFF_ROLES = {
    Role.COORDINATOR,
    Role.CASEWORKER,
    Role.COUNTY_OFFICER,
    Role.CITY_OFFICER,
    Role.PROVINCE_OFFICER,
    Role.VERIFICATION_OFFICER,
    Role.AUDITOR,
    Role.ADMIN,
}
# Roles that handle personal data sign in with a second factor (TOTP).
TOTP_ROLES = STAFF_ROLES
# Roles whose work needs full identity numbers, phones and accounts (each read is logged).
FULL_VALUE_ROLES = {Role.CASEWORKER, Role.COUNTY_OFFICER, Role.VERIFICATION_OFFICER}

READ = {"view"}
WRITE = {"view", "add", "change"}

REGISTRY = (
    "registry.household",
    "registry.person",
    "registry.membership",
    "registry.legalsupporter",
    "registry.incomeitem",
    "registry.assetitem",
    "registry.rigidexpense",
    "registry.changereport",
)

STANDARDS = "eligibility.regionalstandard"
SNAPSHOTS = "eligibility.decisionsnapshot"
RUNS = ("eligibility.evaluationrun", "eligibility.scenario")

PERMISSIONS: dict[str, dict[str, set[str]]] = {
    Role.RESIDENT: {m: READ for m in REGISTRY},
    Role.COORDINATOR: {m: WRITE for m in REGISTRY},
    Role.CASEWORKER: {m: WRITE for m in REGISTRY},
    Role.COUNTY_OFFICER: {m: WRITE for m in REGISTRY},
    Role.CITY_OFFICER: {m: READ for m in REGISTRY},
    Role.PROVINCE_OFFICER: {m: READ for m in REGISTRY},
    Role.VERIFICATION_OFFICER: {m: READ for m in REGISTRY},
    Role.AUDITOR: {**{m: READ for m in REGISTRY}, "core.changelog": READ, "core.accesslog": READ},
    Role.ADMIN: {**{m: WRITE for m in REGISTRY}, "core.changelog": READ, "core.accesslog": READ},
    Role.DEPARTMENT: {},
    Role.CHARITY: {},
}
for _role in (Role.COUNTY_OFFICER, Role.CITY_OFFICER, Role.PROVINCE_OFFICER, Role.ADMIN):
    PERMISSIONS[_role][STANDARDS] = WRITE
for _role in (Role.CASEWORKER, Role.COORDINATOR, Role.VERIFICATION_OFFICER, Role.AUDITOR):
    PERMISSIONS[_role][STANDARDS] = READ
for _role in (Role.CASEWORKER, Role.COUNTY_OFFICER, Role.ADMIN):
    PERMISSIONS[_role][SNAPSHOTS] = WRITE
for _role in (
    Role.COORDINATOR,
    Role.CITY_OFFICER,
    Role.PROVINCE_OFFICER,
    Role.VERIFICATION_OFFICER,
    Role.AUDITOR,
):
    PERMISSIONS[_role][SNAPSHOTS] = READ
for _model in RUNS:
    for _role in (Role.COUNTY_OFFICER, Role.CITY_OFFICER, Role.PROVINCE_OFFICER, Role.ADMIN):
        PERMISSIONS[_role][_model] = WRITE
    for _role in (Role.CASEWORKER, Role.AUDITOR):
        PERMISSIONS[_role][_model] = READ


# Applications and review workflow (审核确认). Which *moves* a role may make is the workflow
# table's business (safetynet/applications/workflow.py); this says who may read and write the
# records at all.
WORKFLOW = (
    "applications.application",
    "applications.case",
    "applications.lead",
    "applications.document",
    "applications.authorisation",
    "applications.homevisit",
    "applications.verificationreport",
    "applications.deliberation",
    "applications.publicnotice",
    "applications.objection",
    "applications.jointmeeting",
    "applications.hearing",
    "applications.complaint",
    "applications.decision",
    "applications.emergencypayment",
)
for _role in (Role.CASEWORKER, Role.COUNTY_OFFICER, Role.ADMIN):
    PERMISSIONS[_role].update({m: WRITE for m in WORKFLOW})
for _role in (Role.CITY_OFFICER, Role.PROVINCE_OFFICER, Role.AUDITOR):
    PERMISSIONS[_role].update({m: READ for m in WORKFLOW})
PERMISSIONS[Role.COORDINATOR].update({m: READ for m in WORKFLOW})
COORDINATOR_WRITES = (
    "applications.application",
    "applications.lead",
    "applications.document",
    "applications.objection",
    "applications.homevisit",
    "applications.complaint",
)
PERMISSIONS[Role.COORDINATOR].update({m: WRITE for m in COORDINATOR_WRITES})
PERMISSIONS[Role.COORDINATOR]["applications.case"] = WRITE  # resubmission after a return
PERMISSIONS[Role.VERIFICATION_OFFICER].update(
    {"applications.case": READ, "applications.document": WRITE, "applications.verificationreport": WRITE}
)
PERMISSIONS[Role.RESIDENT].update({"applications.application": READ, "applications.case": READ})
for _role in (Role.CASEWORKER, Role.COUNTY_OFFICER, Role.COORDINATOR, Role.ADMIN):
    PERMISSIONS[_role]["applications.staffrelative"] = WRITE
PERMISSIONS[Role.AUDITOR]["applications.staffrelative"] = READ
# County spot checks of tekun cases confirmed by a township (delegated confirmation).
for _role in (Role.COUNTY_OFFICER, Role.ADMIN):
    PERMISSIONS[_role]["applications.spotcheck"] = WRITE
for _role in (Role.CASEWORKER, Role.CITY_OFFICER, Role.PROVINCE_OFFICER, Role.AUDITOR):
    PERMISSIONS[_role]["applications.spotcheck"] = READ


def allows(role: str, model_label: str, action: str) -> bool:
    return action in PERMISSIONS.get(role, {}).get(model_label, set())


# Payments (资金发放): county officers build, approve and pay; township caseworkers read their
# township's entitlements and fix payee accounts on the correction list; auditors read.
PAYMENTS = (
    "payments.entitlement",
    "payments.payroll",
    "payments.correction",
)
for _role in (Role.COUNTY_OFFICER, Role.ADMIN):
    PERMISSIONS[_role].update({m: WRITE for m in PAYMENTS})
for _role in (Role.CASEWORKER,):
    PERMISSIONS[_role].update({m: WRITE for m in ("payments.entitlement", "payments.correction")})
    PERMISSIONS[_role]["payments.payroll"] = READ
for _role in (Role.CITY_OFFICER, Role.PROVINCE_OFFICER, Role.AUDITOR):
    PERMISSIONS[_role].update({m: READ for m in PAYMENTS})

# ---- verification hub (核对中心) -------------------------------------------------------------
VERIFICATION_MODELS = (
    "verification.run",
    "verification.request",
    "verification.refusal",
    "verification.finding",
    "verification.discrepancy",
    "verification.fileproblem",
    "verification.householdreport",
    "verification.matchcandidate",
)
for _role in (Role.VERIFICATION_OFFICER, Role.ADMIN):
    PERMISSIONS[_role].update({m: WRITE for m in VERIFICATION_MODELS})
    PERMISSIONS[_role]["applications.authorisation"] = (
        PERMISSIONS[_role].get("applications.authorisation", READ) | READ
    )
for _role in (Role.AUDITOR, Role.COUNTY_OFFICER, Role.CASEWORKER):
    PERMISSIONS[_role].update({m: READ for m in VERIFICATION_MODELS})
for _role in (Role.COUNTY_OFFICER, Role.CASEWORKER, Role.ADMIN):
    PERMISSIONS[_role]["payments.recovery"] = WRITE
for _role in (Role.CITY_OFFICER, Role.PROVINCE_OFFICER, Role.AUDITOR):
    PERMISSIONS[_role]["payments.recovery"] = READ

# Temporary-assistance payments and the township standby fund (临时救助备用金): township
# caseworkers keep their township's ledger and pay cash stages; the county tops up and reconciles.
TEMPORARY_PAYMENTS = ("payments.temporarystage", "payments.standbyentry", "payments.standbyreconciliation")
for _role in (Role.CASEWORKER, Role.COUNTY_OFFICER, Role.ADMIN):
    PERMISSIONS[_role].update({m: WRITE for m in TEMPORARY_PAYMENTS})
for _role in (Role.CITY_OFFICER, Role.PROVINCE_OFFICER, Role.AUDITOR):
    PERMISSIONS[_role].update({m: READ for m in TEMPORARY_PAYMENTS})

# 提标 adjustments and fraud penalties (payments): the county decides both; township
# caseworkers and the levels above read them.
PAYMENT_DECISIONS = ("payments.standardadjustment", "payments.penalty")
for _role in (Role.COUNTY_OFFICER, Role.ADMIN):
    PERMISSIONS[_role].update({m: WRITE for m in PAYMENT_DECISIONS})
for _role in (Role.CASEWORKER, Role.CITY_OFFICER, Role.PROVINCE_OFFICER, Role.AUDITOR):
    PERMISSIONS[_role].update({m: READ for m in PAYMENT_DECISIONS})
