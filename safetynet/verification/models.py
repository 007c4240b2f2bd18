"""Models of the verification hub (家庭经济状况核对).

A run (核对批次) asks departments about the persons of a region; each question that leaves is a
``Request`` (the query log: who was queried, for which case and authorisation, why); each
question refused for want of authorisation is a ``Refusal``. Answers become ``Finding`` rows,
compared with the declarations into ``Discrepancy`` rows, summed up per household in a
``HouseholdReport``. Raw answers live only in the run's working folder until purged.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safetynet.core.models import TrackedModel
from safetynet.core.permissions import ScopedManager, region_q


def _region_scope(user: Any, field: str = "region_code") -> Q:
    from safetynet.accounts.roles import Role

    if user.role == Role.ADMIN and user.region_id is None:
        return Q()
    if user.region_id is None or user.role == Role.RESIDENT:
        return Q(pk__in=[])
    return region_q(field, user.region_id)


class Run(TrackedModel):
    """核对批次 — one verification run for the persons of a region against departments."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("已完成")
        PARTIAL = "partial", _("部分完成")
        FAILED = "failed", _("失败")

    class Stage(models.TextChoices):
        REQUESTS = "requests", _("生成请求")
        EXCHANGE = "exchange", _("部门交换")
        FINDINGS = "findings", _("解析结果")
        REGISTRY = "registry", _("写入档案")
        REPORTS = "reports", _("生成报告")
        DONE = "done", _("完成")

    region_code = models.CharField(_("核对区划"), max_length=12)
    purpose = models.CharField(_("核对用途"), max_length=200)
    transport = models.CharField(_("交换方式"), max_length=10, default="file")
    departments = models.JSONField(_("核对部门"), default=list)
    as_of = models.DateField(_("核对日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.REQUESTS)
    work_dir = models.CharField(max_length=300, blank=True)
    server_url = models.CharField(max_length=200, blank=True)
    counts = models.JSONField(_("计数"), default=dict)
    error = models.TextField(blank=True)
    purged_at = models.DateTimeField(_("原始结果清除时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("核对批次")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"核对批次 {self.pk}（{self.region_code}）"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _region_scope(user)


class _RunChild(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE)
    region_code = models.CharField(max_length=12, db_index=True)

    objects = ScopedManager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        return _region_scope(user)


# The tables a run fills by the million (requests, findings, discrepancies) are written with
# COPY (docs/performance.md): their foreign keys to registry rows are checked by Django
# (PROTECT) and by the services that take the ids from those rows, not by per-row database
# triggers (db_constraint=False: they took more than half of the write time); indexes another
# index already covers (run: the unique constraints start with it; region_code: one value per
# run) are left out.


class Request(_RunChild):
    """核对请求 — one question sent to one department about one person (the query log)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    region_code = models.CharField(max_length=12)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    case = models.ForeignKey(
        "applications.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    department = models.CharField(_("部门"), max_length=40)
    items = models.JSONField(_("核对事项"), default=list)
    pseudonym = models.CharField(_("部门假名"), max_length=64)
    authorisation = models.ForeignKey(
        "applications.Authorisation",
        verbose_name=_("核对授权"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("核对请求")
        constraints = [
            models.UniqueConstraint(fields=["run", "person", "department"], name="verification_request_once")
        ]


class Refusal(_RunChild):
    """拒绝核对记录 — a question not sent because no valid authorisation covers it."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    department = models.CharField(_("部门"), max_length=40)
    item = models.CharField(_("核对事项"), max_length=30)
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("拒绝核对记录")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person", "department", "item"], name="verification_refusal_once"
            )
        ]


class Finding(_RunChild):
    """核对结果 — one fact a department reported about one person."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    region_code = models.CharField(max_length=12)
    # read by run (and household): the indexes on (run, person, key) and (run, household) serve
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    department = models.CharField(_("部门"), max_length=40)
    dataset = models.CharField(_("数据集"), max_length=40)
    category = models.CharField(_("类别"), max_length=10)  # income / asset / expense / fact
    kind = models.CharField(_("类型"), max_length=30)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    area = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    key = models.CharField(max_length=120)
    registry_type = models.CharField(max_length=40, blank=True)
    registry_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("核对结果")
        constraints = [
            models.UniqueConstraint(fields=["run", "person", "key"], name="verification_finding_once")
        ]
        indexes = [models.Index(fields=["run", "household"], name="verification_finding_hh")]


class Discrepancy(_RunChild):
    """核对差异 — where the departments' answers contradict the household's declarations."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    region_code = models.CharField(max_length=12)
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    kind = models.CharField(_("差异类型"), max_length=40)
    declared = models.DecimalField(_("申报"), max_digits=14, decimal_places=2, null=True, blank=True)
    found = models.DecimalField(_("核对"), max_digits=14, decimal_places=2, null=True, blank=True)
    message = models.CharField(_("说明"), max_length=300)
    key = models.CharField(max_length=120)

    class Meta:
        verbose_name = _("核对差异")
        constraints = [
            models.UniqueConstraint(fields=["run", "household", "key"], name="verification_discrepancy_once")
        ]


class FileProblem(_RunChild):
    """结果文件问题 — a rejected result file or a rejected row, with what is wrong."""

    department = models.CharField(_("部门"), max_length=40)
    file = models.CharField(_("文件"), max_length=200)
    row = models.IntegerField(_("行号"), null=True, blank=True)
    message = models.CharField(_("问题"), max_length=300)

    class Meta:
        verbose_name = _("结果文件问题")


class HouseholdReport(_RunChild):
    """家庭经济状况核对报告 — one household's report of a run, as data and as a PDF."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "applications.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(_("报告内容"), default=dict)
    concerns = models.BooleanField(_("发现差异"), default=False)
    document = models.ForeignKey(
        "applications.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("家庭经济状况核对报告")
        constraints = [models.UniqueConstraint(fields=["run", "household"], name="verification_report_once")]


class MatchCandidate(_RunChild):
    """疑似匹配 — a department record without a usable identity number that may be a registry
    person (one of the persons this run asked that department about); shown to a verification
    officer for confirmation, never merged automatically. A confirmed candidate becomes findings
    for that person; a rejected one is kept as rejected."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("已否认")

    source = models.CharField(_("来源文件"), max_length=40)
    department = models.CharField(_("部门"), max_length=40, default="")
    dataset = models.CharField(_("数据集"), max_length=40, default="")
    record_key = models.CharField(max_length=64, default="")
    record = models.JSONField(_("部门记录"), default=dict)
    findings = models.JSONField(default=list)  # what the record becomes once confirmed
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    probability = models.FloatField(_("匹配概率"))
    levels = models.JSONField(_("比对等级"), default=dict)
    rank = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(null=True, auto_now_add=True)

    class Meta:
        verbose_name = _("疑似匹配")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "department", "record_key", "person"], name="verification_candidate_once"
            )
        ]
        indexes = [models.Index(fields=["run", "status"], name="verification_candidate_st")]
