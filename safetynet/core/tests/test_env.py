import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env


def test_bad_values_stop_start_up_with_the_variable_named(monkeypatch):
    monkeypatch.setenv("SN_TEST_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SN_TEST_BOOL"):
        env.env_bool("SN_TEST_BOOL", False)
    monkeypatch.setenv("SN_TEST_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="SN_TEST_INT"):
        env.env_int("SN_TEST_INT", 1)
    monkeypatch.setenv("SN_TEST_CHOICE", "des")
    with pytest.raises(ImproperlyConfigured, match="aes-gcm"):
        env.env_choice("SN_TEST_CHOICE", "aes-gcm", {"aes-gcm", "sm4-gcm"})
    with pytest.raises(ImproperlyConfigured, match="SN_TEST_MISSING"):
        env.env_str("SN_TEST_MISSING")


def test_database_urls(tmp_path):
    pg = env.database_from_url("postgres://postgres@127.0.0.1:5432/safetynet", tmp_path)
    assert pg["ENGINE"].endswith("postgresql") and pg["NAME"] == "safetynet" and pg["PORT"] == "5432"
    lite = env.database_from_url("sqlite:///var/x.sqlite3", tmp_path)
    assert lite["NAME"] == str(tmp_path / "var/x.sqlite3")
    with pytest.raises(ImproperlyConfigured):
        env.database_from_url("mysql://x/y", tmp_path)
