"""WSGI entry point (gunicorn joinforces.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinforces.settings.production")

application = get_wsgi_application()
