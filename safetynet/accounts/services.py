"""Writes of accounts: users, sign-in bookkeeping, TOTP, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from safetynet.accounts.models import ApiToken, User
from safetynet.core.services import change_log_write, snapshot


def user_create(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    region_id: str | None = None,
    household_id: int | None = None,
    department: str = "",
    organisation: str = "",
    with_totp: bool = True,
) -> User:
    with transaction.atomic():
        user = User(
            username=username,
            role=role,
            display_name=display_name,
            region_id=region_id,
            household_id=household_id,
            department=department,
            organisation=organisation,
        )
        user.set_password(password)
        if with_totp and user.needs_totp:
            user.totp_secret = pyotp.random_base32()
        user.full_clean(exclude=["password"])
        user.save()
        change_log_write(
            actor=actor,
            action="create",
            obj=user,
            after=snapshot(
                user, fields=["username", "role", "region", "household", "department", "organisation"]
            ),
            reason="user created",
        )
    return user


def login_failed(*, user: User) -> None:
    """Count a failed sign-in; lock the account after the configured number of failures."""
    with transaction.atomic():
        user.failed_logins += 1
        fields = ["failed_logins"]
        if user.failed_logins >= settings.SAFETYNET_LOGIN_MAX_FAILURES:
            user.locked_until = timezone.now() + dt.timedelta(minutes=settings.SAFETYNET_LOGIN_LOCK_MINUTES)
            user.failed_logins = 0
            fields.append("locked_until")
            change_log_write(
                actor=None,
                action="update",
                obj=user,
                after={"locked_until": user.locked_until},
                reason="account locked after repeated failed sign-ins",
            )
        user.save(update_fields=fields)


def login_succeeded(*, user: User) -> None:
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])


def totp_verify(*, user: User, code: str) -> bool:
    """Accept a code of the current time step or its neighbours, once: a code already used (or
    one older than the last used) is refused, so an observed code cannot be replayed."""
    if not user.totp_secret:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    code = (code or "").strip()
    now = timezone.now()
    for offset in (0, -1, 1):
        at = now + dt.timedelta(seconds=offset * totp.interval)
        if totp.verify(code, for_time=at, valid_window=0):
            step = totp.timecode(at)
            # Conditional update: two requests with the same code cannot both pass.
            updated = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
            if updated:
                user.totp_last_step = step
            return bool(updated)
    return False


def totp_enrol(*, user: User, secret: str, code: str) -> bool:
    """Store a first TOTP secret once the user has shown a valid code from it (staff created
    without a secret enrol at their first sign-in). Returns False for a wrong code."""
    if user.totp_secret:
        raise ValueError("user already has a TOTP secret")
    if not pyotp.TOTP(secret).verify((code or "").strip(), valid_window=1):
        return False
    with transaction.atomic():
        user.totp_secret = secret
        user.save(update_fields=["totp_secret"])
        change_log_write(
            actor=user, action="update", obj=user, after={"totp": "enrolled"}, reason="TOTP enrolled"
        )
    return True


def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, actor, user: User, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token; the plain key is returned once and never stored."""
    key = "snt_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=key[4:12],
            key_hash=_token_hash(key),
            expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
        )
        change_log_write(
            actor=actor,
            action="create",
            obj=token,
            after={"user": user.username, "name": name, "prefix": token.prefix},
            reason="API token issued",
        )
    return token, key


def token_revoke(*, actor, token: ApiToken, reason: str = "API token revoked") -> ApiToken:
    """Revoke a token (kept for the record, never deleted)."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked=False).update(revoked=True)
        if updated:
            token.revoked = True
            change_log_write(
                actor=actor,
                action="update",
                obj=token,
                before={"revoked": False},
                after={"revoked": True},
                reason=reason,
            )
    return token


def token_authenticate(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_token_hash(key), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at and token.expires_at < timezone.now():
        return None
    now = timezone.now()
    # Record use at most once a minute: not an UPDATE on every API call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
