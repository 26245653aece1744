"""Settings of the test OAuth2 / OpenID Connect provider.

Everything that varies comes from the environment (server.sh sets it):

  MAPVAULT_OAUTH_DIR     runtime dir (required): holds db.sqlite3, secret_key, oidc.key
  MAPVAULT_OAUTH_ISSUER  issuer URL as clients see it, e.g. http://127.0.0.1:PORT/o
                         (empty: derived from the request's Host)
  OAUTH_TOKEN_SECONDS    access (and ID) token lifetime, default 60
  OAUTH_CODE_SECONDS     authorization code lifetime, default 60
"""
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def _env_int(name, default):
    value = os.environ.get(name, "") or str(default)
    if not value.isdigit() or int(value) <= 0:
        raise ImproperlyConfigured("%s must be a positive number of seconds, got %r" % (name, value))
    return int(value)


try:
    RUN_DIR = Path(os.environ["MAPVAULT_OAUTH_DIR"])
except KeyError:
    raise ImproperlyConfigured("MAPVAULT_OAUTH_DIR is not set (run through .ci/oauth/server.sh)")

# server.sh writes a fresh random key (openssl rand) and RSA key (openssl genrsa) at `up`.
SECRET_KEY = (RUN_DIR / "secret_key").read_text().strip()
OIDC_RSA_PRIVATE_KEY = (RUN_DIR / "oidc.key").read_text()

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "mapvault_oauth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # APPEND_SLASH: /o/.well-known/openid-configuration answers 301 to the
    # slash-terminated URL, the only one the toolkit serves.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "mapvault_oauth.urls"
WSGI_APPLICATION = "mapvault_oauth.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(RUN_DIR / "db.sqlite3"),
        # Several gunicorn workers share the file: wait for a lock rather than fail.
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False

LOGIN_URL = "/o/login/"
LOGIN_REDIRECT_URL = "/o/login/"

TOKEN_SECONDS = _env_int("OAUTH_TOKEN_SECONDS", 60)

OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": OIDC_RSA_PRIVATE_KEY,
    "OIDC_ISS_ENDPOINT": os.environ.get("MAPVAULT_OAUTH_ISSUER", ""),
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "SCOPES": {"openid": "OpenID Connect sign-in", "wms": "Read the protected WMS"},
    # A token request that names no scope gets wms (not openid).
    "DEFAULT_SCOPES": ["wms"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": TOKEN_SECONDS,
    "ID_TOKEN_EXPIRE_SECONDS": TOKEN_SECONDS,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": _env_int("OAUTH_CODE_SECONDS", 60),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
