"""The embedded default (`make run`): SQLite, eager tasks, emails on the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# The demo shows tax receipts (a real deployment sets it only where the funder is entitled to).
TAX_RECEIPTS_ENABLED = env.bool("TAX_RECEIPTS_ENABLED", default=True)
# A demo account of the fund (not a real one), so that payment runs can be prepared in the demo.
BANK_ACCOUNT_IBAN = env("BANK_ACCOUNT_IBAN", default="FR7630006000011234567890189")
BANK_ACCOUNT_BIC = env("BANK_ACCOUNT_BIC", default="AGRIFRPP")
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# Static files are served from their source folders (WhiteNoise finders): no collected folder.
STATIC_ROOT = None
