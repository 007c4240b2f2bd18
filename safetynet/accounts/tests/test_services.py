import pyotp
from django.test import override_settings

from safetynet.accounts.models import ApiToken
from safetynet.accounts.services import login_failed, token_authenticate, token_create, totp_verify


@override_settings(SAFETYNET_LOGIN_MAX_FAILURES=3)
def test_repeated_failures_lock_the_account(personas):
    alice = personas.alice
    for _ in range(3):
        login_failed(user=alice)
    alice.refresh_from_db()
    assert alice.is_locked()


def test_staff_get_a_totp_secret_and_codes_verify(personas):
    assert personas.alice.totp_secret
    code = pyotp.TOTP(personas.alice.totp_secret).now()
    assert totp_verify(user=personas.alice, code=code)
    assert not totp_verify(user=personas.alice, code="000000" if code != "000000" else "111111")


def test_tokens_are_stored_hashed_and_authenticate(personas):
    token, key = token_create(actor=personas.admin, user=personas.alice, name="ci")
    assert key not in token.key_hash and ApiToken.objects.get().prefix == key[4:12]
    assert token_authenticate(key) == personas.alice
    assert token_authenticate(key + "x") is None
    ApiToken.objects.update(revoked=True)
    assert token_authenticate(key) is None


def test_a_totp_code_is_accepted_once(personas):
    code = pyotp.TOTP(personas.bob.totp_secret).now()
    assert totp_verify(user=personas.bob, code=code)
    assert not totp_verify(user=personas.bob, code=code)
