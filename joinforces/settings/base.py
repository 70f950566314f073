"""Settings shared by every environment.

Values come from the environment (django-environ); see `.env.example` for the full list.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS_DIR = BASE_DIR / "joinforces"

env = environ.Env()
# `.env` is docker compose's file; the settings read it only when asked to (a `.env` made for
# compose would otherwise point `make run` at the compose hosts).
if env.bool("DJANGO_READ_DOT_ENV", default=False) and (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

# General
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-insecure-dev-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
SITE_ID = 1
SITE_NAME = "JOIN FORCES"
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

# Databases: SQLite by default, PostgreSQL when DATABASE_URL says so.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Apps
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "joinforces.core.apps.JoinForcesAdminConfig",
    "django.forms",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
]
LOCAL_APPS = [
    "joinforces.core",
    "joinforces.accounts",
    "eligibility",
    "applications",
    "grants",
    "support",
    "events",
    "joinforces.portal",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "joinforces.core.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "joinforces.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "joinforces.accounts.middleware.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "joinforces.urls"
WSGI_APPLICATION = "joinforces.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "joinforces.core.context_processors.site",
            ],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Static and uploaded files
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, WhiteNoise serves straight from the source folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"  # never served directly: files go through core's download view
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files go to S3-compatible object storage when its bucket is configured,
# so that web and worker processes can run on several hosts.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_FILE_OVERWRITE = False
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}

# How many trusted proxies (load balancer, TLS terminator) stand before the web processes: the
# client's address for rate limits is then read from X-Forwarded-For.
NUM_PROXIES = env.int("DJANGO_NUM_PROXIES", default=0)

UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640

# Authentication (django-allauth; email login, mandatory verification, MFA)
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:my_space"
ACCOUNT_ADAPTER = "joinforces.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "portal:home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[JOIN FORCES] "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "joinforces.accounts.forms.SignupForm"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "JOIN FORCES"
# Paths that staff and committee members may reach only once MFA is set up.
MFA_REQUIRED_PATH_PREFIXES = ["/admin/", "/comite/", "/equipe/"]

# Security headers that hold everywhere; production adds HTTPS-only settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from a meta tag, not the cookie
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Email: everything goes through joinforces.core.notifications.
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="JOIN FORCES <bonjour@joinforces.fr>")
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_TIMEOUT = 10

# Cache: Redis when available (shared by every process), else local memory.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery (namespace CELERY, as in cookiecutter-django)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With late acks a task is redelivered if its worker dies; the visibility timeout must
# exceed the longest task so that a running task is not delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "core-requeue-stale-jobs": {"task": "core.jobs_requeue_stale", "schedule": 5 * 60},
    "core-send-pending-notifications": {"task": "core.notifications_send_pending", "schedule": 5 * 60},
    "applications-draft-reminders": {"task": "applications.draft_reminders", "schedule": 60 * 60},
    "applications-review-reminders": {"task": "applications.review_reminders", "schedule": 60 * 60},
    "grants-report-reminders": {"task": "grants.report_reminders", "schedule": 60 * 60},
    "events-reminders": {"task": "events.reminders", "schedule": 60 * 60},
    "events-offers-expire": {"task": "events.offers_expire", "schedule": 10 * 60},
    "support-booking-reminders": {"task": "support.booking_reminders", "schedule": 60 * 60},
    "support-feedback-requests": {"task": "support.feedback_requests", "schedule": 60 * 60},
}
JOB_STALE_AFTER_SECONDS = 10 * 60
# Tax receipts (reçus fiscaux, cerfa n° 11580) for received donations, only where the funder is
# entitled to issue them; the issuer's identity as printed on the receipt.
TAX_RECEIPTS_ENABLED = env.bool("TAX_RECEIPTS_ENABLED", default=False)
TAX_RECEIPT_ISSUER = {
    "name": "JOIN FORCES",
    "address": "12 rue de la Solidarité, 75011 Paris",
    "object": "Financer les frais de fonctionnement des coalitions et consolidations d’organisations à but "
              "non lucratif d’intérêt général et les accompagner.",
    "status": "Fonds de dotation (loi n° 2008-776 du 4 août 2008, article 140)",
    "articles": ["200", "238 bis"],
    "signatory": "La présidente du fonds de dotation",
}
# The columns of each bank's CSV export (`;` separators, French amounts and dates): the header of
# each column read, by bank. Amounts are one signed column ("amount") or a "credit" and a "debit".
BANK_CSV_FORMATS = {
    "credit_cooperatif": {"date": "Date", "label": "Libellé", "amount": "Montant",
                          "transaction_id": "Référence", "counterparty": "Tiers"},
    "la_banque_postale": {"date": "Date", "label": "Libellé", "credit": "Crédit", "debit": "Débit"},
    "societe_generale": {"date": "Date de l'opération", "label": "Libellé", "amount": "Montant de l'opération",
                         "counterparty": "Détail de l'écriture"},
}
# The fund's own account, debited by the SEPA credit transfer files of payment runs.
BANK_ACCOUNT_IBAN = env("BANK_ACCOUNT_IBAN", default="")
BANK_ACCOUNT_BIC = env("BANK_ACCOUNT_BIC", default="")

# A place offered from an event's waiting list is kept this many hours, then offered to the next in line.
EVENTS_OFFER_HOURS = env.int("EVENTS_OFFER_HOURS", default=48)

# Reviewers with reviews left to submit are reminded once, this many days before a round's deadline.
REVIEW_REMINDER_DAYS = 3

# Support: a day of an expert's support counts this many hours (budgets are in days, bookings in hours).
SUPPORT_HOURS_PER_DAY = 7

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(asctime)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
