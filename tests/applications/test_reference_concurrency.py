"""References stay unique when eight teams submit at the same instant (DESIGN §2 concurrency pattern)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from applications import services
from applications.models import Application
from applications.services import ApplicationError
from tests.conftest import ensure_static_data

from .factories import CallFactory, complete_application

# serialized_rollback: the reference data (territories) come back after the flush, and the flush does
# not recreate content types under new ids (which would break the next serialized test).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8


def test_eight_concurrent_submissions_get_eight_distinct_sequential_references():
    ensure_static_data()
    call = CallFactory()
    applications = [complete_application(call=call, name=f"Collectif {n}") for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    successes, refusals, errors = [], [], []

    def submit(application):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            barrier.wait(timeout=10)
            services.application_submit(application=application, actor=application.created_by)
            successes.append(application.pk)
        except ApplicationError:
            refusals.append(application.pk)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    assert len(successes) + len(refusals) == THREADS
    year = timezone.localtime().year
    references = sorted(Application.objects.exclude(reference=None).values_list("reference", flat=True))
    assert references == [f"JF-{year}-{n:04d}" for n in range(1, THREADS + 1)]
    assert len(successes) == THREADS
