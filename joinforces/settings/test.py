"""Settings for the test suite: PostgreSQL and Redis when their URLs are set, else SQLite."""

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-test-secret-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
TAX_RECEIPTS_ENABLED = True
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"
# Tests must not share the cache (rate limits) with a running development server.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Templates used only by tests (e.g. a panel registered by a test).
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]

# Tasks run eagerly; tests marked `worker` switch that off and start a real worker on a Redis
# database of its own (15), never the one a development server or CI's other jobs use.
if REDIS_URL:
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL.rsplit("/", 1)[0] + "/15"

# Static files are served from their source folders (WhiteNoise finders): no collected folder.
STATIC_ROOT = None
