"""Administrative divisions (行政区划) with 12-digit codes at five levels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safetynet.regions.choices import PREFIX_LENGTH, Level, UrbanRural


def level_of(code: str) -> Level:
    """The level a 12-digit code denotes, from its trailing zeros."""
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"region code must be 12 digits: {code!r}")
    if code[2:] == "0" * 10:
        return Level.PROVINCE
    if code[4:] == "0" * 8:
        return Level.CITY
    if code[6:] == "0" * 6:
        return Level.COUNTY
    if code[9:] == "000":
        return Level.TOWNSHIP
    return Level.VILLAGE


def significant_prefix(code: str) -> str:
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == Level.PROVINCE:
        return None
    return code[: PREFIX_LENGTH[Level(level - 1)]].ljust(12, "0")


class Region(models.Model):
    """行政区划 — a province, city, county, township (乡镇/街道) or village/community (村/社区)."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    urban_rural = models.CharField(_("城乡属性"), max_length=10, choices=UrbanRural.choices, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "name"], name="region_parent_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[Level(self.level)]]

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)

    def ancestors(self) -> list[Region]:
        """From the province down to this region's parent."""
        chain: list[Region] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def full_name(self) -> str:
        return "".join(r.name for r in [*self.ancestors(), self])
