"""Sign-in in two steps: password, then (for staff) a TOTP code. The session is logged in only
after the second step; until then it holds a short-lived "pending" marker with the user's id.
Lock-out, TOTP checks and enrolment are in accounts.services; these views parse and render."""

from __future__ import annotations

import time

import pyotp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from safetynet.accounts.forms import LoginForm, TotpForm
from safetynet.accounts.models import User
from safetynet.accounts.services import login_failed, login_succeeded, totp_enrol, totp_verify

PENDING_KEY = "safetynet_pending_2fa"
PENDING_SECONDS = 300
ISSUER = "SafetyNet"


def _next_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked_message(user: User) -> str:
    until = date_format(timezone.localtime(user.locked_until), "DATETIME_FORMAT")
    return _("该账户因连续登录失败已被锁定，请于 %(time)s 之后再试，或联系系统管理员解锁。") % {"time": until}


def _needs_second_factor(user: User) -> bool:
    return bool(settings.SAFETYNET_REQUIRE_TOTP and user.needs_totp)


def _finish(request: HttpRequest, user: User, next_url: str | None) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    login(request, user)  # rotates the session key
    login_succeeded(user=user)
    return redirect(_next_url(request, next_url))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.user.is_authenticated:
        return redirect(_next_url(request, next_url))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = User.objects.filter(username=username).first()
        if user is not None and user.is_locked():
            form.add_error(None, _locked_message(user))
        else:
            authenticated = authenticate(request, username=username, password=form.cleaned_data["password"])
            if authenticated is None:
                if user is not None:
                    login_failed(user=user)
                if user is not None and user.is_locked():
                    form.add_error(None, _locked_message(user))
                else:
                    form.add_error(None, _("用户名或密码不正确。"))
            elif _needs_second_factor(authenticated):
                request.session[PENDING_KEY] = {"user": authenticated.pk, "at": time.time(), "next": next_url}
                return redirect("accounts:totp")
            else:
                return _finish(request, authenticated, next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def totp_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.warning(request, _("请先输入用户名和密码（验证已超时）。"))
        return redirect("accounts:login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None or user.is_locked():
        request.session.pop(PENDING_KEY, None)
        if user is not None:
            messages.error(request, _locked_message(user))
        return redirect("accounts:login")
    enrol = not user.totp_secret
    if enrol and "secret" not in pending:
        pending["secret"] = pyotp.random_base32()
        request.session[PENDING_KEY] = pending
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        ok = (
            totp_enrol(user=user, secret=pending["secret"], code=code)
            if enrol
            else totp_verify(user=user, code=code)
        )
        if ok:
            return _finish(request, user, pending.get("next"))
        login_failed(user=user)
        if user.is_locked():
            request.session.pop(PENDING_KEY, None)
            messages.error(request, _locked_message(user))
            return redirect("accounts:login")
        form.add_error("code", _("动态验证码不正确或已过期，请输入验证器中当前显示的6位数字。"))
    context: dict = {"form": form, "enrol": enrol, "account": user}
    if enrol:
        context["secret"] = pending["secret"]
        context["uri"] = pyotp.TOTP(pending["secret"]).provisioning_uri(
            name=user.username, issuer_name=ISSUER
        )
    return render(request, "accounts/totp.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")
