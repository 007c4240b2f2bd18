import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safetynet.accounts.models import ApiToken
from safetynet.accounts.services import token_authenticate
from safetynet.api.tests.conftest import ApiClient
from safetynet.core.models import ChangeLog


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_token_create_prints_the_token_once_and_it_works(personas):
    out, err = run("create", "--user", "alice", "--name", "民政一体化平台", "--days", "30")
    key = out.strip()
    assert key.startswith("snt_") and key not in err
    token = ApiToken.objects.get()
    assert token.name == "民政一体化平台" and token.prefix in err and token.expires_at is not None
    assert key not in token.key_hash
    assert token_authenticate(key) == personas.alice
    assert ApiClient(key).get("/households").status_code == 200
    assert ChangeLog.objects.filter(object_type="accounts.apitoken", action="create").count() == 1


def test_token_list_shows_prefixes_never_keys(personas):
    key, _err = run("create", "--user", "alice")
    out, _err = run("list", "--user", "alice")
    token = ApiToken.objects.get()
    assert token.prefix in out and "active" in out and key.strip() not in out


def test_token_revoke_stops_the_token_and_is_logged(personas):
    key = run("create", "--user", "alice")[0].strip()
    prefix = "snt_" + ApiToken.objects.get().prefix  # as `token list` shows it; safe even if it has a "-"
    assert prefix in run("list", "--user", "alice")[0]
    out, _err = run("revoke", prefix)
    assert prefix in out
    assert ApiToken.objects.get().revoked
    assert ApiClient(key).get("/households").status_code == 401
    assert ChangeLog.objects.filter(object_type="accounts.apitoken", action="update").count() == 1
    assert "revoked" in run("list", "--user", "alice")[0]
    assert "早已撤销" in run("revoke", key)[0]  # the whole token works too


def test_token_command_errors_are_clear(personas):
    with pytest.raises(CommandError, match="nobody"):
        run("create", "--user", "nobody")
    with pytest.raises(CommandError, match="--days"):
        run("create", "--user", "alice", "--days", "0")
    with pytest.raises(CommandError, match="ZZZZ"):
        run("revoke", "ZZZZ")
    assert ApiToken.objects.count() == 0
