"""``restrict(user, action)``: the one gate every case-bearing queryset goes through.

Wrong role for the action → ``PermissionDenied`` (403). Right role → the queryset narrowed to
the user's scope, so a record outside it is simply not found (404). The role table is in
``safetynet/accounts/roles.py``; each model says how it is scoped with ``scope_q(user)``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q


def region_bounds(code: str) -> tuple[str, str]:
    """The range of 12-digit codes below a region: 320102000000 → (320102000000, 320102999999)."""
    from safetynet.regions.models import significant_prefix

    prefix = significant_prefix(code)
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def region_q(field: str, code: str) -> Q:
    low, high = region_bounds(code)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def role_allows(user: Any, model: type[models.Model], action: str) -> bool:
    from safetynet.accounts.roles import allows

    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return allows(user.role, model._meta.label_lower, action)


def require(user: Any, model: type[models.Model], action: str) -> None:
    if not role_allows(user, model, action):
        raise PermissionDenied(f"role may not {action} {model._meta.verbose_name}")


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        require(user, self.model, action)
        return self.filter(self.model.scope_q(user))  # type: ignore[attr-defined]


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
