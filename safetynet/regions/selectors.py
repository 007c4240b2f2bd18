"""Reads of regions."""

from __future__ import annotations

from django.db.models import QuerySet

from safetynet.core.permissions import region_q
from safetynet.regions.choices import Level
from safetynet.regions.models import Region


def regions_below(code: str, *, level: Level | None = None) -> QuerySet[Region]:
    qs = Region.objects.filter(region_q("code", code))
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def villages_for_user(user) -> QuerySet[Region]:
    """Villages a staff user may file households in."""
    if user.region_id is None:
        return Region.objects.none()
    return regions_below(user.region_id, level=Level.VILLAGE).order_by("code")
