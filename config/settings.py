"""Réglages de Grappe.

Every setting comes from an environment variable with a safe development default, so that
`make run` works on a fresh machine (SQLite, Celery in eager mode, e-mails to the console) and
production is configured only through the environment (see the table in README.md).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY doit être défini en production (DEBUG=0) : "
            "générez une clé longue et aléatoire et passez-la par la variable d'environnement."
        )
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production-3f9c1a7e5b2d4f6a8c0e"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
    "users",
    "core",
    "approbations",
    "grappe",
    "projets",
    "amoa",
    "indicateurs",
    "candidatures",
    "finances",
    "accueil",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view opts out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Logs out after SESSION_IDLE_TIMEOUT without a request; after messages, to say why.
    "core.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grappe.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# SQLite (`make run` without DATABASE_URL) with simultaneous clicks: WAL lets pages read while
# one request writes; a writer waits up to 20 s for the lock instead of failing at once with
# « database is locked »; and a transaction takes the write lock when it begins (IMMEDIATE): two
# that both read then write (a vote, a draft) would otherwise each wait for the other, and
# SQLite fails one at once, whatever the timeout.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    for option, value in SQLITE_OPTIONS.items():  # an option given in the URL wins
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(option, value)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out (e-mail, IP) pair before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
# A session lasts one working day at most, ends with the browser, and after an hour idle.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(3600)))

# Login rate limiting (django-axes): 5 failures for one e-mail from one IP address lock that
# pair for 15 minutes; the e-mail is compared lower-cased, as the login does. 20 failures from one
# address over any accounts lock the address (password spraying; users.auth.AxesHandler): high
# enough for an office behind one NAT address, far below what spraying needs.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("LOGIN_IP_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "users.auth.AxesHandler"
# Django's login forms post the e-mail as "username" (axes would look for USERNAME_FIELD).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "users.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/verrouillage.html"
AXES_VERBOSE = False  # no start-up banner on every manage.py command
# The client address is REMOTE_ADDR, or the X-Forwarded-For entry written by the outermost of
# REVERSE_PROXY_COUNT trusted proxies (users.auth.client_ip): an address the client wrote itself
# must not let an attacker pick a fresh IP for every attempt.
REVERSE_PROXY_COUNT = int(os.environ.get("REVERSE_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "users.auth.client_ip"
# "Mot de passe oublié" sends at most 3 e-mails per address and the page answers 10 requests per
# client address, each per hour (users.forms; counted in the default cache, so across workers
# with Redis): nobody can flood a mailbox, nor the mail server. Beyond, the page answers the same
# neutral message and sends nothing. DRF's rate format: "<count>/<s|m|h|d>".
PASSWORD_RESET_RATE_PER_EMAIL = os.environ.get("PASSWORD_RESET_RATE_PER_EMAIL", "3/h")
PASSWORD_RESET_RATE_PER_IP = os.environ.get("PASSWORD_RESET_RATE_PER_IP", "10/h")

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline.
# Inline style attributes remain (progress bars, colour badges, SVG charts), hence 'unsafe-inline'
# for styles only. The API docs page gets its init script as a file (SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded files live outside the web root and are only served through permission-checked views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# No URL serves MEDIA_ROOT (files go through permission-checked views); the prefix only exists
# because Django's test live server expects one.
MEDIA_URL = "/fichiers-non-publics/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


def s3_options(bucket, *, endpoint_url="", access_key="", secret_key="", region="", addressing=""):
    """The OPTIONS of django-storages' S3Storage for uploaded files (also used by the storage
    tests on their own bucket). Private objects only: no ACL is sent (the bucket's own policy,
    private by default, applies; a public bucket is never needed), and any URL the backend
    builds is presigned and short-lived. Downloads do not use such URLs: they stream through
    the permission-checked views (core.uploads.file_response)."""
    if addressing not in {"", "auto", "path", "virtual"}:
        raise ImproperlyConfigured(
            f"S3_ADDRESSING_STYLE vaut « {addressing} » : « path » ou « virtual » attendu."
        )
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,  # None: AWS itself
        # None: boto3's own chain (AWS_ACCESS_KEY_ID…, instance profile).
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region or None,
        "addressing_style": addressing or None,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        # Never replace an object: a second file of the same name gets a suffix, as on disk.
        "file_overwrite": False,
        # A download is fetched whole before it is streamed: in memory up to this, then on disk.
        "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
    }


# Uploaded files: on the local disk (MEDIA_ROOT, what `make run` uses), or in an S3 bucket when
# S3_BUCKET is set, so that several web servers share them (docs/exploitation.md). Static files
# stay local either way (collectstatic, served by the proxy).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    uploads_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_options(
            S3_BUCKET,
            endpoint_url=os.environ.get("S3_ENDPOINT_URL", ""),
            access_key=os.environ.get("S3_ACCESS_KEY_ID", ""),
            secret_key=os.environ.get("S3_SECRET_ACCESS_KEY", ""),
            region=os.environ.get("S3_REGION", ""),
            addressing=os.environ.get("S3_ADDRESSING_STYLE", "").strip().lower(),
        ),
    }
else:
    uploads_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": uploads_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}

# Redis is optional: without it, Celery runs tasks eagerly in the web process and the cache is
# local memory, which is what `make run` uses.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: cache misses instead of errors (core/cache.py). Short timeouts: a
            # host that does not answer costs one second, not a hung worker.
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# One queue per kind of work, a worker each in production (docs/exploitation.md): an e-mail
# never waits behind a monthly computation or a FINESS import. Every task acknowledges late and
# is idempotent (a task delivered again after a lost worker finds its work done), with time
# limits set on the task itself. The default queue carries the broker probe (core.tasks.ping).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "projets.tasks.send_compte_rendu_diffusion": {"queue": "mails"},
    "projets.tasks.send_daily_reminders": {"queue": "mails"},
    "indicateurs.tasks.notify_tranche_due": {"queue": "mails"},
    "grappe.tasks.apply_finess_import": {"queue": "imports"},
    "indicateurs.tasks.verify_usage_import": {"queue": "imports"},
    "indicateurs.tasks.compute_indicators": {"queue": "calculs"},
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Grappe <ne-pas-repondre@grappe.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Daily reminders (projets.reminders, projets.reminders_comptes_rendus): how early the owners of a
# step hear it starts or ends (days), and after how many days a silent COPIL voter is reminded of a
# deliverable; the same for minutes, in working days before the 8-working-day deadline.
PROJETS_RAPPEL_JOURS_AVANT = int(os.environ.get("PROJETS_RAPPEL_JOURS_AVANT", "7"))
PROJETS_RAPPEL_VALIDATION_JOURS = int(os.environ.get("PROJETS_RAPPEL_VALIDATION_JOURS", "3"))
PROJETS_RAPPEL_CR_JOURS_AVANT = int(os.environ.get("PROJETS_RAPPEL_CR_JOURS_AVANT", "2"))
PROJETS_RAPPEL_CR_VALIDATION_JOURS = int(os.environ.get("PROJETS_RAPPEL_CR_VALIDATION_JOURS", "3"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # `Authorization: Token <key>` against the hashed users.ApiToken.
        "users.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON within bounds (size, nesting): a 400 in French, never a RecursionError (core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Per-IP for anonymous calls, per account for token/session calls (default cache: Redis when
    # REDIS_URL is set, so the limit holds across gunicorn workers).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/min"),
        "user": os.environ.get("API_THROTTLE_USER", "600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Grappe",
    "DESCRIPTION": "API du programme ESMS numérique : classements, usages et indicateurs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Production hardening: on as soon as DEBUG is off, so `check --deploy` passes with the documented env.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each layout step at INFO; keep its warnings only.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
