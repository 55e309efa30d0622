"""Settings, read from the environment (see .env.example).

With no environment at all the portal runs on SQLite under var/ and runs Celery tasks
in-process; DATABASE_URL switches to PostgreSQL and REDIS_URL to Celery on Redis.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="dev-only-insecure-key-change-me" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal",
    "epics",
    "requests_app",
    "workflow",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workflow.audit.ClientAddressMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
            ],
        },
    },
]

# SQLite by default; WAL, IMMEDIATE transactions and a busy timeout let the dev server take
# concurrent requests without "database is locked".
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# Documents: PDFs of at most this many bytes (checked by content in workflow/documents.py).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Let the upload reach our own check, which names the limit, instead of Django's bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = DOCUMENT_MAX_BYTES + 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MDO Portal API",
    "DESCRIPTION": "Party Bus pipeline and production-deployment requests (API v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page's assets are served from our static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: on Redis when REDIS_URL is set; otherwise tasks run in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_SOFT_TIME_LIMIT = 45
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mdo-portal@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # In-process tasks would log every success into the dev server's output.
    "loggers": {"celery.app.trace": {"level": "WARNING" if not REDIS_URL else "INFO"}},
}

# Notifications (workflow/notifications.py): e-mail through Django's mail (SMTP when
# EMAIL_HOST is set, the console otherwise), Mattermost/Slack-compatible webhooks per team
# and per role (in the admin, or here as "key=url" pairs: a role name or a team name).
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
WEBHOOK_URLS = env.dict("WEBHOOK_URLS", default={})
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Undelivered notifications older than this are queued again by the sweeper.
NOTIFICATION_RETRY_AFTER_SECONDS = env.int("NOTIFICATION_RETRY_AFTER_SECONDS", default=30)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=8)

# The MDO's working calendar, for triage reminders and insights.
BUSINESS_TIME_ZONE = env.str("BUSINESS_TIME_ZONE", default="America/Chicago")
BUSINESS_OPEN_HOUR = env.int("BUSINESS_OPEN_HOUR", default=8)
BUSINESS_CLOSE_HOUR = env.int("BUSINESS_CLOSE_HOUR", default=18)
BUSINESS_DAYS = env.list("BUSINESS_DAYS", cast=int, default=[0, 1, 2, 3, 4])
TRIAGE_GOAL_BUSINESS_HOURS = env.float("TRIAGE_GOAL_BUSINESS_HOURS", default=8)
CTF_EXPIRY_WARNING_DAYS = env.int("CTF_EXPIRY_WARNING_DAYS", default=30)

# Celery beat (workflow/tasks.py).
CELERY_BEAT_SCHEDULE = {
    "sweep-undelivered-notifications": {
        "task": "workflow.tasks.sweep_undelivered",
        "schedule": float(NOTIFICATION_RETRY_AFTER_SECONDS),
    },
    "warn-expiring-ctf-letters": {
        "task": "workflow.tasks.warn_expiring_ctf_letters",
        "schedule": 24 * 3600.0,
    },
    "remind-overdue-triage": {
        "task": "workflow.tasks.remind_overdue_triage",
        "schedule": 3600.0,
    },
}
# A broker outage must not hold up the request that filed a ticket: publishing gives up
# quickly and the sweeper queues the notification again later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}

# --- Product team pages (portal/, requests_app/ and epics/ views) -----------------------
# The DoD Notice and Consent banner: every page asks for it (portal/middleware.py) until the
# session records that it was acknowledged. CONSENT_BANNER_TEXT replaces the standard text
# (write \n for a line break in the environment).
CONSENT_BANNER_TEXT = env.str(
    "CONSENT_BANNER_TEXT",
    multiline=True,
    default=(
        "You are accessing a U.S. Government (USG) Information System (IS) that is provided "
        "for USG-authorized use only.\n"
        "By using this IS (which includes any device attached to this IS), you consent to the "
        "following conditions:\n"
        "- The USG routinely intercepts and monitors communications on this IS for purposes "
        "including, but not limited to, penetration testing, COMSEC monitoring, network "
        "operations and defense, personnel misconduct (PM), law enforcement (LE), and "
        "counterintelligence (CI) investigations.\n"
        "- At any time, the USG may inspect and seize data stored on this IS.\n"
        "- Communications using, or data stored on, this IS are not private, are subject to "
        "routine monitoring, interception, and search, and may be disclosed or used for any "
        "USG-authorized purpose.\n"
        "- This IS includes security measures (e.g., authentication and access controls) to "
        "protect USG interests--not for your personal benefit or privacy.\n"
        "- Notwithstanding the above, using this IS does not constitute consent to PM, LE or CI "
        "investigative searching or monitoring of the content of privileged communications, or "
        "work product, related to personal representation or services by attorneys, "
        "psychotherapists, or clergy, and their assistants. Such communications and work "
        "product are private and confidential. See User Agreement for details."
    ),
)
# Idle sessions end after this many seconds without the person doing anything: each of their
# requests pushes the end forward (portal/middleware.py; background polling does not), and
# the cookie does not outlive the browser.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=15 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Requests per page of a team's request list.
PORTAL_PAGE_SIZE = env.int("PORTAL_PAGE_SIZE", default=25)
# Name the demo users and their password on the sign-in page (never with real accounts).
DEMO_LOGIN_HINT = env.bool("DEMO_LOGIN_HINT", default=DEBUG)
MIDDLEWARE += [
    "portal.middleware.IdleSessionMiddleware",
    "portal.middleware.ConsentBannerMiddleware",
    "portal.middleware.HtmxLoginRedirectMiddleware",
]
TEMPLATES[0]["OPTIONS"]["context_processors"] += ["portal.context_processors.portal"]
TEMPLATES[0]["OPTIONS"]["context_processors"] += ["workflow.context_processors.notifications"]

