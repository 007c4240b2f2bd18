"""Regional standards (地方标准), decision snapshots and batch evaluation results."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safetynet.core.models import TrackedModel
from safetynet.core.permissions import ScopedManager, region_q


class UrbanRuralScope(models.TextChoices):
    ALL = "", _("城乡统一")
    URBAN = "urban", _("城镇")
    RURAL = "rural", _("农村")


class RegionalStandard(TrackedModel):
    """地方标准 — one dated value of a local number (e.g. the dibao standard) set by a region.

    A value set for a province or city applies to every region below it unless a lower level sets
    its own; a guideline (指导标准) is a floor the levels below may not go under (Law 第19条)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("制定区划"))
    region_code = models.CharField(max_length=12)
    key = models.CharField(_("标准项目"), max_length=60)
    urban_rural = models.CharField(
        _("城乡"), max_length=10, choices=UrbanRuralScope.choices, blank=True, default=""
    )
    effective_from = models.DateField(_("执行起始日"))
    value = models.DecimalField(_("数值"), max_digits=16, decimal_places=4)
    is_guideline = models.BooleanField(_("指导标准（下级不得低于）"), default=False)
    reference = models.CharField(_("文件依据"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("地方标准")
        ordering = ["key", "region_code", "urban_rural", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "key", "urban_rural", "effective_from"],
                condition=Q(status="approved"),
                name="standard_approved_once",
            ),
        ]
        indexes = [
            # serves: the values in force for a key along a region's chain of ancestors
            models.Index(fields=["key", "status", "region_code", "effective_from"], name="standard_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.key} {self.urban_rural or '*'} {self.effective_from}: {self.value}"

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        """Officers see the standards of their region, the regions below and the regions above
        (whose values they inherit)."""
        if user.region_id is None:
            return Q() if user.role == "admin" else Q(pk__in=[])
        from safetynet.regions.models import Region

        above = [r.code for r in Region.objects.get(code=user.region_id).ancestors()]
        return region_q("region_code", user.region_id) | Q(region_code__in=above)


class DecisionSnapshot(TrackedModel):
    """评估快照 — the rules engine's inputs and outputs at the moment an evaluation was used for a
    decision: enough to reproduce and explain it later, whatever changed since."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="snapshots")
    region_code = models.CharField(max_length=12)
    month = models.DateField(_("评估月份"))
    purpose = models.CharField(_("用途"), max_length=100)
    inputs = models.JSONField(_("输入"))
    outputs = models.JSONField(_("结果"))
    rules_version = models.CharField(_("规则包版本"), max_length=40)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("评估快照")
        indexes = [models.Index(fields=["household", "month"], name="snapshot_household")]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        from safetynet.registry.models import _staff_or_resident_q

        return _staff_or_resident_q(user, "region_code", "household")


class EvaluationRun(TrackedModel):
    """批量评估 — every household of a region evaluated for one month in one vectorised batch
    (or, for a what-if scenario, under the scenario's standards)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT)
    region_code = models.CharField(max_length=12)
    month = models.DateField(_("评估月份"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    rules_version = models.CharField(max_length=40, blank=True)
    programs = models.JSONField(_("救助项目顺序"), default=list)
    households = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)
    summary = models.JSONField(_("汇总"), default=dict)
    timings = models.JSONField(default=dict)
    inputs_path = models.CharField(_("输入快照文件"), max_length=300, blank=True)
    error = models.TextField(blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("批量评估")
        ordering = ["-id"]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        if user.region_id is None:
            return Q() if user.role == "admin" else Q(pk__in=[])
        return region_q("region_code", user.region_id)


class EvaluationResult(models.Model):
    """批量评估结果 — one household's results in a run. Compact by design (a million rows per
    run): ``eligible_mask`` has bit *k* set when the household is eligible for ``run.programs[k]``;
    ``amounts`` and ``failed`` are comma-separated, one value per program in the same order (the
    amount in yuan, and the bitmask of the failed tests, decoded by the rules package's
    ``BatchResult.failed_codes``). The full explanation is rendered on demand from the run's
    stored inputs."""

    # A million rows per run are written by one COPY: no database foreign-key check per row (the
    # rows are written only by ``batch.store_results`` for a run it has just created) and no index
    # of its own on ``run`` or ``household`` (the unique index on (run, household) serves every read).
    run = models.ForeignKey(
        EvaluationRun, on_delete=models.CASCADE, related_name="results", db_constraint=False, db_index=False
    )
    household = models.ForeignKey(
        "registry.Household", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    region_code = models.CharField(max_length=12)
    eligible_mask = models.BigIntegerField()
    amounts = models.TextField()
    failed = models.TextField()

    class Meta:
        verbose_name = _("批量评估结果")
        constraints = [models.UniqueConstraint(fields=["run", "household"], name="result_once_per_run")]

    def decoded(self) -> dict[str, dict[str, Any]]:
        programs = self.run.programs
        amounts = self.amounts.split(",")
        failed = self.failed.split(",")
        return {
            key: {
                "eligible": bool(self.eligible_mask >> i & 1),
                "amount": float(amounts[i]),
                "failed_mask": int(failed[i]),
            }
            for i, key in enumerate(programs)
        }


class Scenario(TrackedModel):
    """测算方案 — a what-if: the county's current standards with some changed, evaluated on the
    real caseload against the standards in force."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        RUNNING = "running", _("测算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    name = models.CharField(_("方案名称"), max_length=100)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("测算区划"))
    region_code = models.CharField(max_length=12)
    month = models.DateField(_("测算月份"))
    base = models.JSONField(_("现行标准"), default=dict)
    changes = models.JSONField(_("调整的标准"), default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    task_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(_("测算结果"), default=dict)
    error = models.TextField(blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("测算方案")
        ordering = ["-id"]

    @classmethod
    def scope_q(cls, user: Any) -> Q:
        if user.region_id is None:
            return Q() if user.role == "admin" else Q(pk__in=[])
        return region_q("region_code", user.region_id)


class ScenarioChange(models.Model):
    """测算变化 — a household whose eligibility or amount changes under the scenario."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="household_changes")
    household = models.ForeignKey("registry.Household", on_delete=models.DO_NOTHING, db_constraint=False)
    region_code = models.CharField(max_length=12)
    program = models.CharField(max_length=40)
    before_eligible = models.BooleanField()
    after_eligible = models.BooleanField()
    before_amount = models.DecimalField(max_digits=14, decimal_places=2)
    after_amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("测算变化")
        indexes = [models.Index(fields=["scenario", "program"], name="scenario_change_program")]
