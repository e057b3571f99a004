"""Punkt settings, driven by environment variables.

DATABASE_URL defaults to an SQLite file in ./var so a newcomer needs no setup;
set it to a postgres:// URL for production.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PUNKT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("PUNKT_DEBUG", False)
# Demo mode allows the well-known demo accounts and relaxes MFA for them.
DEMO_MODE = env_bool("PUNKT_DEMO", False)
PRODUCTION = env_bool("PUNKT_PRODUCTION", False)

SECRET_KEY = os.environ.get("PUNKT_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("PUNKT_SECRET_KEY must be set when PUNKT_PRODUCTION=1")
    SECRET_KEY = "dev-insecure-" + "x" * 50  # noqa: S105 - development only

#: the key sealing the secrets Punkt reads back (punkt/core/sealed.py); SECRET_KEY if unset
PUNKT_SEAL_KEY = os.environ.get("PUNKT_SEAL_KEY", "")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PUNKT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("PUNKT_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "punkt.core",
    "punkt.organization",
    "punkt.customers",
    "punkt.materials",
    "punkt.contracts",
    "punkt.messaging",
    "punkt.work",
    "punkt.retention",
    "punkt.catalog",
    "punkt.inventory",
    "punkt.sales",
    "punkt.cashdesk",
    "punkt.servicedesk",
    "punkt.mailbox",
    "punkt.webhooks",
    "punkt.webform",
    "punkt.chat",
    "punkt.complaints",
    "punkt.pipeline",
    "punkt.campaigns",
    "punkt.loyalty",
    "punkt.displays",
    "punkt.surveys",
    "punkt.privacy",
    "punkt.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "punkt.core.middleware.RequestIdMiddleware",
    "punkt.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "punkt.core.middleware.PolishFirstLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "punkt.core.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "punkt.organization.middleware.MfaRequiredMiddleware",
    "punkt.core.middleware.NoStoreMiddleware",
    "punkt.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "punkt.urls"
WSGI_APPLICATION = "punkt.wsgi.application"
ASGI_APPLICATION = "punkt.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "punkt" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "punkt.organization.context_processors.navigation",
            ],
            "builtins": ["django.templatetags.i18n", "punkt.core.templatetags.punkt"],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'punkt.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Short OLTP queries: JIT compilation costs more than it saves (measured in bench/).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A PostgreSQL read replica for the reports (punkt/core/reports.py): with
# DATABASE_REPLICA_URL (a streaming standby of DATABASE_URL's server) the statistics,
# analytics and their exports read there, so a year's sums never take the counters'
# cores. In tests the alias mirrors the test database by name on the standby's server
# (the standby replays its creation); PUNKT_REPORTS_ON_REPLICA=0 keeps reports on the
# primary with the replica configured.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPORTS_ON_REPLICA = bool(DATABASE_REPLICA_URL) and os.environ.get(
    "PUNKT_REPORTS_ON_REPLICA", "1") != "0"
DATABASE_ROUTERS = ["punkt.core.reports.ReportRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "organization.Employee"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "punkt.organization.backends.EmployeeBackend",
    "punkt.organization.backends.EmployeeAllauthBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "punkt.organization.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,10/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Punkt"

AXES_FAILURE_LIMIT = int(os.environ.get("PUNKT_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "punkt.core.signals.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "punkt.organization.views.lockout"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False

# --- Sessions and cookies ----------------------------------------------------
SESSION_COOKIE_AGE = int(os.environ.get("PUNKT_SESSION_ABSOLUTE_SECONDS", str(10 * 3600)))
PUNKT_SESSION_IDLE_SECONDS = int(os.environ.get("PUNKT_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Security headers --------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and not env_bool("PUNKT_BEHIND_TLS_PROXY_NO_REDIRECT")
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- i18n --------------------------------------------------------------------
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "punkt" / "locale"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

# --- Static ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "punkt" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Mail --------------------------------------------------------------------
# Mail goes out through SMTP. The demo without an SMTP server configured writes each
# message as a file to var/mail/ instead, so "forgot password" works out of the box.
if DEMO_MODE and "PUNKT_SMTP_HOST" not in os.environ:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("PUNKT_SMTP_HOST", "127.0.0.1"),
                "port": int(os.environ.get("PUNKT_SMTP_PORT", "1025")),
                "username": os.environ.get("PUNKT_SMTP_USER", ""),
                "password": os.environ.get("PUNKT_SMTP_PASSWORD", ""),
                "use_tls": env_bool("PUNKT_SMTP_STARTTLS", False),
                "timeout": 10,
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("PUNKT_FROM_EMAIL", "punkt@localhost")
# Team mailboxes (punkt/mailbox) are read over verified TLS; a private CA's certificate
# file here, else the system's CAs. Larger mails are refused without being downloaded.
PUNKT_MAILBOX_CA_FILE = os.environ.get("PUNKT_MAILBOX_CA_FILE", "")
PUNKT_MAILBOX_MAX_BYTES = int(os.environ.get("PUNKT_MAILBOX_MAX_BYTES", 30 * 1024 * 1024))

# Outgoing webhooks (punkt/webhooks, docs/webhooks.md). In production only https:// to
# public addresses; networks listed here (CIDR, comma-separated) are allowed even when
# private. Development and tests (not PUNKT_PRODUCTION) may also call http:// on loopback.
PUNKT_WEBHOOK_DEV_TARGETS = env_bool("PUNKT_WEBHOOK_DEV_TARGETS", not PRODUCTION)
PUNKT_WEBHOOK_ALLOWED_NETWORKS = [
    n.strip() for n in os.environ.get("PUNKT_WEBHOOK_ALLOWED_NETWORKS", "").split(",")
    if n.strip()]
PUNKT_WEBHOOK_TIMEOUT = float(os.environ.get("PUNKT_WEBHOOK_TIMEOUT", "5"))
PUNKT_WEBHOOK_DISABLE_AFTER = int(os.environ.get("PUNKT_WEBHOOK_DISABLE_AFTER", "15"))
PUNKT_WEBHOOK_KEEP_DAYS = int(os.environ.get("PUNKT_WEBHOOK_KEEP_DAYS", "30"))

# --- SMS ---------------------------------------------------------------------
# "file" (var/sms/, the default), "console" or "smsapi" (SMSAPI.pl).
PUNKT_SMS_BACKEND = os.environ.get("PUNKT_SMS_BACKEND", "file")
PUNKT_SMSAPI_TOKEN = os.environ.get("PUNKT_SMSAPI_TOKEN", "")
PUNKT_SMSAPI_URL = os.environ.get("PUNKT_SMSAPI_URL", "https://api.smsapi.pl")
PUNKT_SMS_SENDER = os.environ.get("PUNKT_SMS_SENDER", "")
# SMSAPI's delivery reports (punkt/messaging/sms_reports.py): the secret part of the callback
# address PUNKT_PUBLIC_URL/sms/raporty/<token>/ sent with every SMS as ``notify_url``.
# Empty: no reports (the address answers 404).
PUNKT_SMS_REPORT_TOKEN = os.environ.get("PUNKT_SMS_REPORT_TOKEN", "")
# Mass mailings (punkt/campaigns, docs/workflows/mailing.md): the gateways' rates per
# minute, and the domain of the per-message bounce address (default: PUNKT_FROM_EMAIL's).
PUNKT_MAILING_RATE_EMAIL = int(os.environ.get("PUNKT_MAILING_RATE_EMAIL", "600"))
PUNKT_MAILING_RATE_SMS = int(os.environ.get("PUNKT_MAILING_RATE_SMS", "120"))
PUNKT_BOUNCE_DOMAIN = os.environ.get("PUNKT_BOUNCE_DOMAIN", "")
#: The company's privacy policy, linked from the public contact form (punkt/webform).
PUNKT_PRIVACY_URL = os.environ.get("PUNKT_PRIVACY_URL", "").strip()
#: Where links sent to customers point (renewal confirmations).
PUNKT_PUBLIC_URL = os.environ.get("PUNKT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not PUNKT_PUBLIC_URL.startswith("https://"):
    raise RuntimeError("PUNKT_PUBLIC_URL must be an https:// address when PUNKT_PRODUCTION=1")

# --- Background tasks --------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PUNKT_WORKER_HEARTBEAT_SECONDS = 10
PUNKT_WORKER_STALE_SECONDS = int(os.environ.get("PUNKT_WORKER_STALE_SECONDS", "60"))
PUNKT_TASK_MAX_ATTEMPTS = 3

# Retention periods per data category, overriding the legal defaults (docs/retention.md):
# {"customers.former": {"years": 3}, "core.audit": 5, …}; from the environment as JSON.
PUNKT_RETENTION = json.loads(os.environ.get("PUNKT_RETENTION", "{}") or "{}")
# Hours from discovering a personal data breach to notifying UODO (GDPR art. 33(1)).
PUNKT_BREACH_NOTIFY_HOURS = int(os.environ.get("PUNKT_BREACH_NOTIFY_HOURS", "72"))
# Contracts worth at least this much (gross, PLN) need a second person to approve (C11).
PUNKT_FOUR_EYES_THRESHOLD = os.environ.get("PUNKT_FOUR_EYES_THRESHOLD", "1000.00")
# The largest discount (per cent off the price list, per line) an offer may carry without
# another person's approval (C11); above it the offer awaits the manager's or HQ's approval.
PUNKT_OFFER_DISCOUNT_LIMIT = os.environ.get("PUNKT_OFFER_DISCOUNT_LIMIT", "10")
# Days the link to a document e-mailed to a customer (an offer, minutes) stays valid.
PUNKT_DOCUMENT_LINK_DAYS = int(os.environ.get("PUNKT_DOCUMENT_LINK_DAYS", "30"))
# Days after closing within which a ticket may still be reopened (a new one after that).
PUNKT_TICKET_REOPEN_DAYS = int(os.environ.get("PUNKT_TICKET_REOPEN_DAYS", "14"))
# Days to answer a complaint by kind, over the legal periods (14 consumer goods, Consumer
# Rights Act art. 7a; 30 telecom, Electronic Communications Law): {"consumer_goods": 14, …}.
PUNKT_COMPLAINT_DAYS = json.loads(os.environ.get("PUNKT_COMPLAINT_DAYS", "{}") or "{}")
# Days before a complaint's deadline its handler is reminded.
PUNKT_COMPLAINT_REMIND_DAYS = int(os.environ.get("PUNKT_COMPLAINT_REMIND_DAYS", "4"))
# Days the customer has to complete a complaint that lacks something (telecom rules: 7).
PUNKT_COMPLAINT_COMPLETE_DAYS = int(os.environ.get("PUNKT_COMPLAINT_COMPLETE_DAYS", "7"))
# Customer analytics (docs/analytics.md): the categories' window in months (R2.5: a
# customer with no settlement for this long is lost), the ABC/XYZ period in months, the
# ABC thresholds (cumulative % of turnover: A below the first, B below the second) and the
# XYZ ones (coefficient of variation in %: X up to the first, Y up to the second).
PUNKT_ANALYTICS_WINDOW_MONTHS = int(os.environ.get("PUNKT_ANALYTICS_WINDOW_MONTHS", "3"))
PUNKT_ANALYTICS_PERIOD_MONTHS = int(os.environ.get("PUNKT_ANALYTICS_PERIOD_MONTHS", "12"))
PUNKT_ANALYTICS_ABC = os.environ.get("PUNKT_ANALYTICS_ABC", "50,80")
PUNKT_ANALYTICS_XYZ = os.environ.get("PUNKT_ANALYTICS_XYZ", "10,25")
#: the kept month table re-reads settlements younger than this at every move (a payment
#: committed late is still counted; ``punkt/analytics/kept.py``)
PUNKT_ANALYTICS_SETTLE_SECONDS = int(os.environ.get("PUNKT_ANALYTICS_SETTLE_SECONDS", "600"))
#: memory for the refresh's sorts and groupings on PostgreSQL (per worker process)
PUNKT_ANALYTICS_WORK_MEM = os.environ.get("PUNKT_ANALYTICS_WORK_MEM", "256MB")

# --- The seller on printed invoices (VAT Act art. 106e: name, address and NIP) ---------
# The address is the HQ branch's; the name defaults to the HQ branch's name.
PUNKT_SELLER_NAME = os.environ.get("PUNKT_SELLER_NAME", "").strip()
PUNKT_SELLER_NIP = "".join(
    os.environ.get("PUNKT_SELLER_NIP", "").upper().removeprefix("PL").replace("-", "").split())
if PUNKT_SELLER_NIP:
    from stdnum.pl import nip as _nip

    if not _nip.is_valid(PUNKT_SELLER_NIP):
        raise RuntimeError("PUNKT_SELLER_NIP is not a valid NIP (10 digits, check digit)")
elif PRODUCTION:
    raise RuntimeError("PUNKT_SELLER_NIP must be set when PUNKT_PRODUCTION=1: an invoice "
                       "duplicate without the seller's NIP is not valid")

# --- Logging -----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PUNKT_LOG_LEVEL", "WARNING")},
}


PUNKT_TRUST_X_FORWARDED_FOR = env_bool("PUNKT_TRUST_X_FORWARDED_FOR", False)
# Lockout is per account (5 failures → 15 minutes); per-IP throttling is allauth's
# ACCOUNT_RATE_LIMITS. Locking by IP would lock a whole branch office behind one NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

PASSWORD_HASHERS = [
    "punkt.core.hashers.PunktArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
WHITENOISE_USE_FINDERS = not PRODUCTION

# The cache of short-lived computed values (dashboard counts, role policies, rate limits).
# With PUNKT_REDIS_URL (production) it is Redis, shared by every gunicorn worker and the job
# worker, and sessions are read from it before the database (one query less per request);
# without it (the demo, tests) each process keeps its own and sessions live in the database.
REDIS_URL = os.environ.get("PUNKT_REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL, "KEY_PREFIX": "punkt"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "LOCATION": "punkt"}}
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in our own audit log

# --- Live chat (punkt/chat, docs/chat.md) -----------------------------------------------
# WebSockets run on the ASGI path (punkt.asgi, uvicorn); pages stay on WSGI (gunicorn).
# With PUNKT_CHANNEL_REDIS_URL the chat's messages travel through Redis, so several ASGI
# processes (and the WSGI process answering on the ticket page) reach every socket; without
# it (the demo, tests) one process keeps them in memory.
ASGI_APPLICATION = "punkt.asgi.application"
CHANNEL_REDIS_URL = os.environ.get("PUNKT_CHANNEL_REDIS_URL", "")
if CHANNEL_REDIS_URL:
    CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [CHANNEL_REDIS_URL], "prefix": "punkt-chat"}}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
#: a visitor's message at most this long (characters); a WebSocket frame at most 16 KB
PUNKT_CHAT_MESSAGE_MAX = int(os.environ.get("PUNKT_CHAT_MESSAGE_MAX", "2000"))
#: per visitor's connection: a burst of this many messages, then one per second
PUNKT_CHAT_MESSAGE_BURST = int(os.environ.get("PUNKT_CHAT_MESSAGE_BURST", "5"))
#: per client address: WebSocket connections opened a minute, chats started an hour
PUNKT_CHAT_CONNECTS_PER_MINUTE = int(os.environ.get("PUNKT_CHAT_CONNECTS_PER_MINUTE", "30"))
#: the sockets' database work on a pool of threads (each its own connection), not one
PUNKT_CHAT_PARALLEL_DB = env_bool("PUNKT_CHAT_PARALLEL_DB", True)
PUNKT_CHAT_STARTS_PER_HOUR = int(os.environ.get("PUNKT_CHAT_STARTS_PER_HOUR", "10"))
