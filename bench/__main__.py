"""Benchmarks: print figures, never assert on time. `make bench` (or `python -m bench`).

Runs against a throw-away SQLite database (or DATABASE_URL if set) with the demo data, through
Django's test client, so it measures the application, not a network.
"""

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinforces.settings.dev")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "200"))


def measure(name, func, repeat=None):
    repeat = repeat or REPEAT
    func()  # warm-up
    timings, queries = [], 0
    for _ in range(repeat):
        reset_queries()
        start = time.perf_counter()
        func()
        timings.append((time.perf_counter() - start) * 1000)
        queries = len(connection.queries)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{name:<40} median {statistics.median(timings):7.2f} ms   p95 {p95:7.2f} ms   {queries:3d} queries")


def main():
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)
    setup_test_environment()
    from django.conf import settings

    settings.DEBUG = True  # to count queries
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from joinforces.accounts.models import User
    from joinforces.core.services import notification_send

    anonymous = Client()
    applicant = Client()
    applicant.force_login(User.objects.get(email="candidat@demo.joinforces.fr"))

    print(f"JOIN FORCES benchmarks ({connection.vendor}, {REPEAT} runs each, Python {sys.version.split()[0]})")
    measure("GET / (anonymous)", lambda: anonymous.get("/"))
    measure("GET /healthz", lambda: anonymous.get("/healthz"))
    measure("GET /mon-espace/ (applicant)", lambda: applicant.get("/mon-espace/"))
    counter = iter(range(10**9))
    measure("notification_send (render + send)",
            lambda: notification_send(to="bench@example.org", template="accounts/email/welcome",
                                      context={"user": {"get_short_name": "Bench", "email": "b"}},
                                      key=f"bench:{next(counter)}"))
    from bench import committee, dashboards

    committee.run(measure)
    dashboards.run(measure)


if __name__ == "__main__":
    main()
