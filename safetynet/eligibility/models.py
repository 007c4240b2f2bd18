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
