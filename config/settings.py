"""Convene settings: every value comes from an environment variable with a safe
development default. See README.md ("Configuration") for the full list."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Absolute base URL used in emails and calendar files (no trailing slash).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "events",
    "checkin",
    "credits",
    "networking",
    "networking.chat",
    "mentorship",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNullBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # Production serves static files from the app server; runserver does it in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "events.context_processors.organizer_nav",
                "networking.context_processors.notifications",
            ],
        },
    },
]

# Database: SQLite by default; DATABASE_URL (postgres://...) switches to PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0"))
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "DB_PREPARED_STATEMENTS", False
    ):
        # Server-side parameters let psycopg prepare a statement after it has run 5
        # times on a connection; PostgreSQL then stops planning it on every request
        # (planning cost more than running for the sign-up and scan statements).
        # Not behind a transaction-mode pooler such as PgBouncer < 1.21.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "DB_POOL", False
    ):
        # Under an ASGI server sync views run in threads; a pool bounds connections.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait
            # instead of failing when a read lock would have to be upgraded.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer and cache: Redis when REDIS_URL is set (several processes), memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
# A channel-layer group membership (the live check-in dashboard's) silently expires
# CHANNEL_GROUP_EXPIRY seconds after the socket joined. So that no socket outlives
# its groups, every WebSocket is closed by the app after WEBSOCKET_MAX_AGE seconds
# (config/asgi.py, under any server: Daphne's own websocket_timeout is 86400 s, and
# uvicorn has none); clients reconnect and rejoin. Chat uses no groups (its per-room
# pub/sub subscriptions live as long as the process), but its sockets age out too.
CHANNEL_GROUP_EXPIRY = int(os.environ.get("CHANNEL_GROUP_EXPIRY", "86400"))
WEBSOCKET_MAX_AGE = int(os.environ.get("WEBSOCKET_MAX_AGE", "43200"))
if not 0 < WEBSOCKET_MAX_AGE < CHANNEL_GROUP_EXPIRY:
    raise ImproperlyConfigured("WEBSOCKET_MAX_AGE must be positive and below CHANNEL_GROUP_EXPIRY.")
# Long-running ASGI processes freeze their long-lived objects out of the garbage
# collector's full collections every GC_FREEZE_SECONDS (0: off) and really collect
# everything every GC_FULL_COLLECT_SECONDS (0: never); config/gc_policy.py says why.
GC_FREEZE_SECONDS = float(os.environ.get("GC_FREEZE_SECONDS", "10"))
GC_FULL_COLLECT_SECONDS = float(os.environ.get("GC_FULL_COLLECT_SECONDS", "900"))
if GC_FREEZE_SECONDS < 0 or GC_FULL_COLLECT_SECONDS < 0:
    raise ImproperlyConfigured(
        "GC_FREEZE_SECONDS and GC_FULL_COLLECT_SECONDS must not be negative."
    )
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "group_expiry": CHANNEL_GROUP_EXPIRY},
        }
    }
    # Shared cache for every process; sessions are read from it and kept in the
    # database too, so a Redis restart logs nobody out.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "convene"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"group_expiry": CHANNEL_GROUP_EXPIRY},
        }
    }

# Background jobs: run inline by default; production sets TASKS_BACKEND to the
# database backend and runs `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "events:my_registrations"
LOGOUT_REDIRECT_URL = "events:event_list"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Email: printed to the console in development; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Convene <no-reply@convene.local>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# Stripe (the payments issue); without keys paid tickets wait for an organizer.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")

# Security settings that matter once DEBUG is off (`manage.py check --deploy`).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per job state change is noise in development; failures still show.
        "django_tasks": {"level": "WARNING"},
    },
}

# Check-in: doors open this long before a session; scans count until its end plus grace.
CHECKIN_DOORS_OPEN_MINUTES = int(os.environ.get("CHECKIN_DOORS_OPEN_MINUTES", "30"))
CHECKIN_GRACE_MINUTES = int(os.environ.get("CHECKIN_GRACE_MINUTES", "15"))

# Reverse proxies in front of the app that append the client's address to
# X-Forwarded-For (per-client limits: logins, password resets, certificate checks).
PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
if PROXY_HOPS < 0:
    raise ImproperlyConfigured("PROXY_HOPS must not be negative.")

# Networking: new connection requests one person may send in 24 hours (each emails
# its addressee, so a directory cannot be used to spam everyone at an event).
CONNECTION_REQUESTS_PER_DAY = int(os.environ.get("CONNECTION_REQUESTS_PER_DAY", "100"))
if CONNECTION_REQUESTS_PER_DAY < 1:
    raise ImproperlyConfigured("CONNECTION_REQUESTS_PER_DAY must be at least 1.")

# Chat (docs/chat-protocol.md). Each process fans a room's messages out to its own
# sockets from one Redis pub/sub subscription per room (in-process without REDIS_URL).
CHAT_RATE_LIMIT = os.environ.get("CHAT_RATE_LIMIT", "10/10")  # messages / seconds, per user
CHAT_FRAME_LIMIT = os.environ.get("CHAT_FRAME_LIMIT", "120/10")  # frames / seconds, per socket
CHAT_EDIT_WINDOW_SECONDS = int(os.environ.get("CHAT_EDIT_WINDOW_SECONDS", "600"))
# Receivers' membership is re-checked at delivery when older than this (seconds).
CHAT_MEMBERSHIP_TTL = float(os.environ.get("CHAT_MEMBERSHIP_TTL", "5"))
# Frames waiting for one socket; a socket that falls further behind is closed (4408).
CHAT_SOCKET_QUEUE = int(os.environ.get("CHAT_SOCKET_QUEUE", "256"))
# Each process compares its rooms with the database this often (lost publishes).
CHAT_RESYNC_SECONDS = float(os.environ.get("CHAT_RESYNC_SECONDS", "5"))
CHAT_PRESENCE_TTL = float(os.environ.get("CHAT_PRESENCE_TTL", "60"))
CHAT_REDIS_PREFIX = os.environ.get("CHAT_REDIS_PREFIX", "chat")
