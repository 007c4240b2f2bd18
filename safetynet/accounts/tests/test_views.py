"""Sign-in pages: password, then TOTP; lock-out; enrolment; sign-out; the totp command."""

import io
import time

import pyotp
import pytest
from django.core.management import call_command
from django.urls import reverse

from safetynet.accounts.models import User
from safetynet.accounts.roles import Role
from safetynet.accounts.services import user_create
from safetynet.core import testing

LOGIN = reverse("accounts:login")
TOTP = reverse("accounts:totp")
HOME = reverse("core:home")


def sign_in_password(client, username="alice", password=testing.PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def current_code(user) -> str:
    user.refresh_from_db()
    return pyotp.TOTP(user.totp_secret).now()


def test_it_asks_for_a_totp_code_before_logging_the_session_in(client, personas):
    response = sign_in_password(client)
    assert response.status_code == 302 and response.url == TOTP
    assert "_auth_user_id" not in client.session
    assert client.get(HOME).status_code == 302  # still anonymous: sent to the sign-in page

    response = client.post(TOTP, {"code": current_code(personas.alice)})
    assert response.status_code == 302 and response.url == HOME
    assert client.session["_auth_user_id"] == str(personas.alice.pk)
    assert client.get(HOME).status_code == 200


def test_a_wrong_totp_code_is_refused_at_the_field(client, personas):
    sign_in_password(client)
    good = current_code(personas.alice)
    wrong = f"{(int(good) + 500000) % 1000000:06d}"
    response = client.post(TOTP, {"code": wrong})
    assert response.status_code == 200
    assert "动态验证码不正确" in response.context["form"].errors["code"][0]
    assert "_auth_user_id" not in client.session
    personas.alice.refresh_from_db()
    assert personas.alice.failed_logins == 1


def test_the_totp_step_needs_the_password_step_first(client, personas):
    response = client.post(TOTP, {"code": current_code(personas.alice)})
    assert response.status_code == 302 and response.url == LOGIN
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_a_generic_error(client, personas):
    response = sign_in_password(client, password="not-the-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    response = sign_in_password(client, username="nobody")
    assert "用户名或密码不正确" in response.content.decode()


def test_it_locks_the_account_after_repeated_failures(client, personas, settings):
    settings.SAFETYNET_LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        response = sign_in_password(client, password="wrong-password-1")
        assert "用户名或密码不正确" in response.content.decode()
    response = sign_in_password(client, password="wrong-password-1")
    assert "已被锁定" in response.content.decode()
    # Even the right password is refused while the lock lasts.
    response = sign_in_password(client)
    assert response.status_code == 200
    assert "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=personas.alice.pk).is_locked()


def test_repeated_wrong_totp_codes_lock_the_account_too(client, personas, settings):
    settings.SAFETYNET_LOGIN_MAX_FAILURES = 2
    sign_in_password(client)
    good = current_code(personas.alice)
    wrong = f"{(int(good) + 500000) % 1000000:06d}"
    client.post(TOTP, {"code": wrong})
    response = client.post(TOTP, {"code": wrong})
    assert response.status_code == 302 and response.url == LOGIN
    assert User.objects.get(pk=personas.alice.pk).is_locked()
    response = client.post(TOTP, {"code": current_code(personas.alice)})
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_resets_the_failure_count(client, personas):
    sign_in_password(client, password="wrong-password-1")
    sign_in_password(client)
    client.post(TOTP, {"code": current_code(personas.alice)})
    personas.alice.refresh_from_db()
    assert personas.alice.failed_logins == 0


def test_staff_without_a_secret_enrol_at_first_sign_in(client, personas):
    user = user_create(
        actor=None,
        username="newbie",
        password=testing.PASSWORD,
        role=Role.CASEWORKER,
        region_id=testing.TOWNSHIP_A,
        with_totp=False,
    )
    sign_in_password(client, username="newbie")
    response = client.get(TOTP)
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert response.context["uri"].startswith("otpauth://totp/")
    response = client.post(TOTP, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.totp_secret == secret
    assert client.session["_auth_user_id"] == str(user.pk)


def test_residents_sign_in_with_a_password_only(client, household_a):
    user_create(
        actor=None,
        username="erin",
        password=testing.PASSWORD,
        role=Role.RESIDENT,
        household_id=household_a.pk,
    )
    response = sign_in_password(client, username="erin")
    assert response.status_code == 302 and response.url == HOME
    assert "_auth_user_id" in client.session


def test_the_second_factor_can_be_switched_off_by_setting(client, personas, settings):
    settings.SAFETYNET_REQUIRE_TOTP = False
    response = sign_in_password(client)
    assert response.status_code == 302 and response.url == HOME


def test_it_returns_to_the_page_asked_for_but_never_off_site(client, personas):
    target = reverse("registry:household_list")
    sign_in_password(client, next=target)
    response = client.post(TOTP, {"code": current_code(personas.alice)})
    assert response.url == target
    client.logout()
    sign_in_password(client, next="https://evil.example/")
    # a used code is never accepted again: sign in with the next time step's code
    next_code = pyotp.TOTP(personas.alice.totp_secret).at(time.time() + 30)
    response = client.post(TOTP, {"code": next_code})
    assert response.url == HOME


def test_sign_out_needs_a_post_and_ends_the_session(client, personas):
    client.force_login(personas.alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_totp_command_prints_the_current_code(personas):
    out = io.StringIO()
    call_command("totp", "code", "--user", "alice", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and pyotp.TOTP(personas.alice.totp_secret).verify(code, valid_window=1)


def test_the_totp_command_names_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("totp", "code", "--user", "ghost")
