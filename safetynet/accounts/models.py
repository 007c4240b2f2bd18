"""Accounts: users bound to a role and a scope, API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safetynet.accounts.roles import FULL_VALUE_ROLES, STAFF_ROLES, TOTP_ROLES, Role


class User(AbstractUser):
    """用户 — staff bound to one region; a resident to their household; a department user to
    their department; a charity user to their organisation."""

    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, default=Role.RESIDENT)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所属区划")
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("工作人员本人的人员档案（用于近亲属回避检查）"),
    )
    department = models.CharField(_("所属部门"), max_length=40, blank=True)
    organisation = models.CharField(_("所属机构"), max_length=100, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    # The last accepted TOTP time step: a code is accepted once, never replayed.
    totp_last_step = models.BigIntegerField(default=0)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def needs_totp(self) -> bool:
        return self.role in TOTP_ROLES

    @property
    def sees_full_values(self) -> bool:
        return self.role in FULL_VALUE_ROLES

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class ApiToken(models.Model):
    """API 令牌 — for systems calling /api/v1/; only a hash of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API 令牌")
