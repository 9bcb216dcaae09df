"""Django settings, read from environment variables.

Every value that differs between a laptop demo and production comes from the environment:
``DATABASE_URL`` (SQLite by default, PostgreSQL in production), ``BOUCLIER_SECRET_KEY``,
``BOUCLIER_DEBUG``, ``BOUCLIER_ALLOWED_HOSTS``, ``BOUCLIER_BASE_URL``, the e-mail settings
and ``BOUCLIER_TASKS_BACKEND``. Nothing secret lives in the repository: in debug mode a
random key is generated once and kept in ``var/``, outside version control.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("BOUCLIER_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" mean true)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable as a list of stripped items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("BOUCLIER_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("BOUCLIER_SECRET_KEY")
    if key:
        return key
    if not DEBUG and not env_bool("BOUCLIER_ALLOW_GENERATED_KEY", False):
        raise RuntimeError(
            "BOUCLIER_SECRET_KEY est obligatoire hors mode debug "
            "(ou BOUCLIER_ALLOW_GENERATED_KEY=1 pour une installation locale)."
        )
    # A local key, generated once, so that sessions survive a restart of the demo.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("BOUCLIER_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("BOUCLIER_CSRF_TRUSTED_ORIGINS", "")
BASE_URL = os.environ.get("BOUCLIER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "bouclier.core",
    "bouclier.audit",
    "bouclier.territory",
    "bouclier.accounts",
    "bouclier.grants",
    "bouclier.videoguide",
    "bouclier.supervision",
    "bouclier.mediation",
    "bouclier.grants_office",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bouclier.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bouclier.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bouclier.urls"
WSGI_APPLICATION = "bouclier.wsgi.application"
ASGI_APPLICATION = "bouclier.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bouclier.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bouclier.sqlite3'}"),
        conn_max_age=int(os.environ.get("BOUCLIER_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two requests appending to the
    # audit chain at once are serialised instead of both reading the same last entry.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "bouclier.accounts.backends.RolePermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Activation and reset links expire after this many seconds (default: 3 days).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("BOUCLIER_LINK_TIMEOUT", str(3 * 24 * 3600)))

# Brute-force protection: after AXES_FAILURE_LIMIT failures for one e-mail from one address,
# that pair is locked for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("BOUCLIER_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("BOUCLIER_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Logins are journalled in the audit trail already: no second log of addresses and agents.
AXES_DISABLE_ACCESS_LOG = True
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("BOUCLIER_PROXY_COUNT", "0")) or None

# Sessions: server-side, HTTP-only cookies, limited lifetime, secure cookies outside debug.
SESSION_COOKIE_AGE = int(os.environ.get("BOUCLIER_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("BOUCLIER_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("BOUCLIER_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("BOUCLIER_HSTS_SECONDS", "0"))
if env_bool("BOUCLIER_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "fr"
# Each language is named in itself, whatever the current language.
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("BOUCLIER_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("BOUCLIER_MEDIA_ROOT", VAR_DIR / "media"))

EMAIL_BACKEND = os.environ.get(
    "BOUCLIER_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("BOUCLIER_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("BOUCLIER_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("BOUCLIER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("BOUCLIER_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("BOUCLIER_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get(
    "BOUCLIER_FROM_EMAIL", "Bouclier de sécurité <ne-pas-repondre@bouclier.seine-et-marne.invalid>"
)

# The REST API (for the video workers and the Département's other systems): authenticated,
# documented by an OpenAPI schema at /api/schema/. Each app adds its own authentication
# (e.g. worker tokens) where sessions do not fit.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Bouclier de sécurité",
    "DESCRIPTION": "API de la plateforme du Bouclier de sécurité de Seine-et-Marne.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Background work: in-process in the embedded default; with "database", tasks are stored in
# the database and run by `manage.py db_worker` processes, on as many machines as needed.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if os.environ.get("BOUCLIER_TASKS_BACKEND", "immediate") == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BOUCLIER_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}
