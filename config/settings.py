"""SafetyNet settings. Everything that differs between machines comes from the environment
(see config/env.py and docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    load_env_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SAFETYNET_VAR_DIR", str(BASE_DIR / "var")))
load_env_file(VAR_DIR / "local.env")

DEBUG = env_bool("SAFETYNET_DEBUG", False)
SECRET_KEY = env_str("SAFETYNET_SECRET_KEY")
ALLOWED_HOSTS = env_list("SAFETYNET_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "safetynet.core",
    "safetynet.regions",
    "safetynet.accounts",
    "safetynet.registry",
    "safetynet.eligibility",
    "safetynet.applications",
    "safetynet.verification",
    "safetynet.payments",
    "safetynet.synth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safetynet.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL", "sqlite:///var/safetynet.sqlite3"), BASE_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SAFETYNET_SESSION_SECONDS", 8 * 3600, minimum=300)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Field encryption and blind indexes (docs/adr/0003-field-encryption.md).
SAFETYNET_FIELD_KEY = env_str("SAFETYNET_FIELD_KEY")
SAFETYNET_INDEX_KEY = env_str("SAFETYNET_INDEX_KEY")
SAFETYNET_CIPHER = env_choice("SAFETYNET_CIPHER", "aes-gcm", {"aes-gcm", "sm4-gcm"})
SAFETYNET_BLIND_INDEX = env_choice("SAFETYNET_BLIND_INDEX", "hmac-sha256", {"hmac-sha256", "hmac-sm3"})

# Sign-in policy.
SAFETYNET_LOGIN_MAX_FAILURES = env_int("SAFETYNET_LOGIN_MAX_FAILURES", 5, minimum=1)
SAFETYNET_LOGIN_LOCK_MINUTES = env_int("SAFETYNET_LOGIN_LOCK_MINUTES", 15, minimum=1)
SAFETYNET_REQUIRE_TOTP = env_bool("SAFETYNET_REQUIRE_TOTP", True)

# Imports.
SAFETYNET_IMPORT_MAX_BYTES = env_int("SAFETYNET_IMPORT_MAX_BYTES", 60 * 1024 * 1024, minimum=1024)
# Case documents (scans of ID cards, certificates…).
SAFETYNET_UPLOAD_MAX_BYTES = env_int("SAFETYNET_UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("SAFETYNET_LOG_LEVEL", "WARNING", {"DEBUG", "INFO", "WARNING", "ERROR"}),
    },
}

# Background jobs: django-tasks with the database backend; `safetynet db_worker` runs them.
TASKS = {"default": {"BACKEND": env_choice("SAFETYNET_TASKS_BACKEND", "django_tasks_db.DatabaseBackend",
                                           {"django_tasks_db.DatabaseBackend", "django_tasks.backends.immediate.ImmediateBackend"})}}

SITE_TITLE = _("社会救助兜底保障平台")
