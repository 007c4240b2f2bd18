"""Settings for the test suite: fixed keys, fast password hashing. DATABASE_URL still selects
the database, so the same suite runs on SQLite and PostgreSQL."""

import os

os.environ.setdefault("SAFETYNET_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("SAFETYNET_FIELD_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
os.environ.setdefault("SAFETYNET_INDEX_KEY", "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/test.sqlite3")

from config.settings import *  # noqa: E402,F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
