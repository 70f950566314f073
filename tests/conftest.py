"""Shared fixtures.

Services that a test needs (PostgreSQL, Redis, Chromium) are required through `require()`: outside
CI a missing service skips the test; with CI=true it fails it, so CI never goes green by skipping.
"""

import importlib
import os
import shutil
from datetime import date

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import connection
from django.test import Client

from joinforces.accounts.models import Role

from .factories import ROLE_FACTORIES, UserFactory

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require(condition: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the current test when a service it needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config):
    from hypothesis import settings as hypothesis_settings

    hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, max_examples=100)
    hypothesis_settings.register_profile("dev", deadline=None, max_examples=50)
    hypothesis_settings.load_profile("ci" if IN_CI else "dev")


def pytest_collection_modifyitems(config, items):
    if IN_CI and not items:
        raise pytest.UsageError("CI=true and no test was collected")


def pytest_sessionfinish(session, exitstatus):
    """In CI, a skipped test is a failure: every test must run on the real services."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped") and session.exitstatus == 0:
        reporter.write_line(f"CI=true: {len(reporter.stats['skipped'])} test(s) skipped; failing the run.", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _services_for_markers(request):
    """Tests marked `postgres`, `worker` or `browser` need their service."""
    vendor = settings.DATABASES["default"]["ENGINE"]
    if request.node.get_closest_marker("postgres"):
        require("postgresql" in vendor, "this test needs PostgreSQL (set DATABASE_URL)")
    if request.node.get_closest_marker("worker"):
        require(bool(os.environ.get("REDIS_URL")), "this test needs Redis (set REDIS_URL)")
    if request.node.get_closest_marker("browser"):
        require(os.path.exists(CHROMIUM) or shutil.which("chromium") is not None, f"Chromium not found at {CHROMIUM}")


def ensure_static_data():
    """The data migrations load (territories, themes, the Site), loaded again if a transactional
    test's flush removed it (idempotent; cheap when it is there)."""
    from django.contrib.sites.models import Site

    from joinforces.core.models import Territory, Theme
    from joinforces.core.reference import load_reference_data

    if not Territory.objects.filter(code="R76").exists() or not Theme.objects.filter(code="food").exists():
        load_reference_data(Territory, Theme)
    Site.objects.get_or_create(pk=settings.SITE_ID, defaults={"domain": "testserver", "name": "JOIN FORCES"})
    Site.objects.clear_cache()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data comes from migrations; a reused test database may have lost it when the
    last transactional test of a previous run flushed it, so load it again (idempotent)."""
    from django.db import connection

    with django_db_blocker.unblock():
        ensure_static_data()
        # Tests with serialized_rollback restore the database from a snapshot taken when it was set up:
        # take it again now that the reference data is surely there.
        if hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in French, the default; a request in English must not leak into the next."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits (allauth's, the self-assessment's) live in the cache: each test starts clean."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    cache.clear()
    # A transactional test's flush may give content types new ids: never trust a cached one.
    ContentType.objects.clear_cache()


@pytest.fixture
def user_factory():
    return UserFactory


@pytest.fixture
def make_user(db):
    """`make_user(Role.STAFF, mfa=True)`: a verified user holding the given roles."""

    def make(*roles, mfa=False, **kwargs):
        user = UserFactory(roles=list(roles), **kwargs)
        if mfa:
            give_totp(user)
        return user

    return make


@pytest.fixture(scope="module")
def celery_worker_on_redis():
    """A real Celery worker in a thread (DESIGN §2), for the tests of one module marked `worker`.

    The test settings point the broker and the results at a Redis database of their own (15).
    """
    if not os.environ.get("REDIS_URL"):
        yield None  # the autouse marker fixture skips (or fails in CI) each test
        return
    from celery.contrib.testing.worker import start_worker

    from joinforces.celery import app

    assert app.conf.broker_url.endswith("/15") and app.conf.result_backend.endswith("/15")
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, concurrency=1, pool="solo", loglevel="WARNING",
                          shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True


def give_totp(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    return TOTP.activate(user, generate_totp_secret())


@pytest.fixture
def applicant(db):
    return ROLE_FACTORIES[Role.APPLICANT]()


@pytest.fixture
def other_applicant(db):
    return ROLE_FACTORIES[Role.APPLICANT]()


@pytest.fixture
def committee_member(db):
    user = ROLE_FACTORIES[Role.COMMITTEE]()
    give_totp(user)
    return user


@pytest.fixture
def donor(db):
    return ROLE_FACTORIES[Role.DONOR]()


@pytest.fixture
def staff(db):
    user = ROLE_FACTORIES[Role.STAFF]()
    give_totp(user)
    return user


@pytest.fixture
def expert(db):
    return ROLE_FACTORIES[Role.EXPERT]()


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def applicant_client(applicant):
    return _client_for(applicant)


@pytest.fixture
def other_applicant_client(other_applicant):
    return _client_for(other_applicant)


@pytest.fixture
def committee_client(committee_member):
    return _client_for(committee_member)


@pytest.fixture
def donor_client(donor):
    return _client_for(donor)


@pytest.fixture
def staff_client(staff):
    return _client_for(staff)


@pytest.fixture
def expert_client(expert):
    return _client_for(expert)


__all__ = ["Authenticator", "require"]


@pytest.fixture
def ledger_emptied_on_sqlite():
    """The ledger's tables are append-only (database triggers). On PostgreSQL the flush that ends a
    transactional test truncates them (TRUNCATE fires no row trigger); on SQLite it deletes their rows,
    which the triggers refuse: so, on SQLite, empty them here first (before the flush), the triggers
    dropped for that moment and created again as the migration does."""
    yield
    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("grants.migrations.0002_ledger_triggers")
    with connection.cursor() as cursor:
        for table in triggers.LEDGER_TABLES:
            for operation in ("update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
        for table in ("grants_allocationpart", "grants_allocation"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        for statement in triggers.sqlite_sql():
            cursor.execute(statement)


@pytest.fixture
def donor_case(staff, donor):
    """Alpha (the `donor` user is its contact) gives 1 000 € last year and 600 € restricted to food this
    year; Bêta gives 900 € earlier, so it is drawn first. Then, this year:
    - Nourrir (food, coalition, Occitanie) gets 1 000 €: Alpha's food money 600, Bêta 400; paid.
    - Logis (housing, merger, Hauts-de-France) gets 800 €: Bêta 500, Alpha 300; and 50 € of support
      spending from Alpha.
    - Santé (health, coalition, Auvergne-Rhône-Alpes) gets 600 € from Alpha, reversed in full."""
    from grants import services
    from grants.models import DonorContact
    from tests.grants.factories import LAST_YEAR, THIS_YEAR, DonorFactory, initiative, pay, receive

    alpha, beta = DonorFactory(name="Fondation Alpha"), DonorFactory(name="Fondation Bêta")
    DonorContact.objects.create(donor=alpha, user=donor)
    receive(beta, "900.00", staff=staff, on=date(LAST_YEAR, 1, 5))
    receive(alpha, "1000.00", staff=staff, on=date(LAST_YEAR, 3, 10))
    food = receive(alpha, "600.00", staff=staff, on=date(THIS_YEAR, 1, 2), themes=("food",))
    nourrir = initiative("Collectif Nourrir", themes=("food",), territories=("31",), amount_per_year="1000.00")
    logis = initiative("Fusion Logis", themes=("housing",), territories=("59",), amount_per_year="800.00",
                       kind="merger_absorption")
    sante = initiative("Alliance Santé", themes=("health",), territories=("R84", "69"), amount_per_year="600.00")
    services.ledger_allocate(tranche=nourrir.tranches.get(number=1), actor=staff)
    pay(nourrir.tranches.get(number=1))
    services.ledger_allocate(tranche=logis.tranches.get(number=1), actor=staff)
    services.ledger_record_support_spending(grant=logis, amount="50.00", reference="Facture EXP-7", actor=staff)
    mistake = services.ledger_allocate(tranche=sante.tranches.get(number=1), actor=staff)
    services.ledger_reverse(entry=mistake, actor=staff, reason="Erreur de saisie")
    return {"alpha": alpha, "beta": beta, "food": food, "nourrir": nourrir, "logis": logis, "sante": sante}
