"""Base models, batch jobs and the two tamper-evident logs (change log, access log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TrackedModel(models.Model):
    """Every domain record says when it was made and changed, by whom, and by which job."""

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class Job(models.Model):
    """批处理作业 — one run of a batch job (seed, import, verification run, payroll)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("作业类型"), max_length=50)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    params = models.JSONField(_("参数"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    counts = models.JSONField(_("计数"), default=dict)
    digest = models.CharField(_("摘要"), max_length=64, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("批处理作业")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk}"


class ChainHead(models.Model):
    """The last hash of each append-only log; updating it first serialises appends."""

    name = models.CharField(primary_key=True, max_length=20)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class ChangeLog(models.Model):
    """变更日志 — one row per write, append-only, each row chained to the previous by hash."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(max_length=20)  # create / update / delete / job
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("变更日志")
        indexes = [
            # serves: the history of one object (household page, auditor)
            models.Index(fields=["object_type", "object_id"], name="changelog_object"),
        ]

    HASHED_FIELDS = (
        "time",
        "actor_id",
        "actor_name",
        "request_id",
        "job_id",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "before",
        "after",
        "reason",
        "prev_hash",
    )


class AccessLog(models.Model):
    """访问日志 — one row per read of a full identity number, phone or bank account."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=40)
    purpose = models.CharField(max_length=200, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("访问日志")
        indexes = [models.Index(fields=["object_type", "object_id"], name="accesslog_object")]

    HASHED_FIELDS = (
        "time",
        "actor_id",
        "actor_name",
        "request_id",
        "object_type",
        "object_id",
        "field",
        "purpose",
        "prev_hash",
    )


class CalendarYear(models.Model):
    """节假日安排年度 — a year whose official holiday schedule (国务院办公厅通知) is entered.

    Deadlines that fall in a year not entered are computed on weekends alone and marked
    provisional until the schedule is entered."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    source = models.CharField(_("来源"), max_length=100)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("节假日安排年度")


class CalendarDay(models.Model):
    """节假日/调休日 — an official holiday on a weekday, or an adjusted working day on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(primary_key=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日/调休日")
