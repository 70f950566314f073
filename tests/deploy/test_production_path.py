"""The production path, end to end on this machine: production settings, `migrate` on a PostgreSQL
database of its own and `collectstatic` as the image build runs it, then gunicorn, a Celery worker and
Celery beat as real processes on a Redis database of their own. Checks /healthz, the HTTPS redirect,
whitenoise, the worker's ping and beat's schedule rows. Uses no Django test database (no `db` fixture)."""

import http.client
import json
import os
import secrets
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis
from celery import Celery
from django.conf import settings
from psycopg import sql

from tests.conftest import require

from .helpers import REPO_ROOT, VENV_BIN, describe, manage, production_env, stop_processes

pytestmark = [pytest.mark.production, pytest.mark.postgres, pytest.mark.worker]

DATABASE_NAME = "joinforces_prodcheck"
REDIS_DB = 13
HEALTHZ_TIMEOUT = 60
WORKER_TIMEOUT = 30
EXPECTED_SCHEDULE = {"core-requeue-stale-jobs", "core-send-pending-notifications"}


def _with_path(url: str, path: str) -> str:
    return urlsplit(url)._replace(path=path).geturl()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET without following redirects: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _recreate_database(admin_url: str, name: str, *, create: bool) -> None:
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Processes:
    """gunicorn, the worker and beat, each in a session (process group) of its own, output to a file."""

    def __init__(self, log_dir: Path, env: dict[str, str]):
        self.log_dir = log_dir
        self.env = env
        self.started: dict[str, subprocess.Popen] = {}
        self._files = []

    def start(self, name: str, *args: str) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        self._files.append(log)
        self.started[name] = subprocess.Popen(
            [str(VENV_BIN / args[0]), *args[1:]],
            cwd=REPO_ROOT,
            # gunicorn 25+ puts its control socket in XDG_RUNTIME_DIR (else in ~/.gunicorn): keep it here.
            env={**self.env, "XDG_RUNTIME_DIR": str(self.log_dir)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def check_alive(self) -> None:
        for name, process in self.started.items():
            if process.poll() is not None:
                self.fail(f"{name} exited with status {process.returncode}")

    def logs(self) -> str:
        parts = []
        for name in self.started:
            text = (self.log_dir / f"{name}.log").read_text(errors="replace")
            parts.append(f"--- {name} (last 4000 characters) ---\n{text[-4000:]}")
        return "\n".join(parts)

    def fail(self, message: str) -> None:
        pytest.fail(f"{message}\n{self.logs()}", pytrace=False)

    def stop(self) -> None:
        stop_processes(list(self.started.values()))
        for log in self._files:
            log.close()


def _wait_for(processes: Processes, what: str, timeout: float, probe):
    """Call `probe()` until it returns something true; fail (with the logs) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        processes.check_alive()
        try:
            result = last = probe()
        except Exception as error:  # noqa: BLE001 - not up yet: retry until the deadline
            result, last = None, error
        if result:
            return result
        if time.monotonic() > deadline:
            processes.fail(f"{what}: nothing after {timeout} s (last: {last!r})")
        time.sleep(0.5)


@pytest.fixture
def prodcheck_database():
    engine = settings.DATABASES["default"]["ENGINE"]
    require(engine.endswith("postgresql"), "the production path needs PostgreSQL (set DATABASE_URL)")
    admin_url = os.environ["DATABASE_URL"]
    _recreate_database(admin_url, DATABASE_NAME, create=True)
    try:
        yield _with_path(admin_url, f"/{DATABASE_NAME}")
    finally:
        _recreate_database(admin_url, DATABASE_NAME, create=False)


@pytest.fixture
def prodcheck_redis():
    url = _with_path(os.environ["REDIS_URL"], f"/{REDIS_DB}")
    client = redis.Redis.from_url(url, socket_timeout=5)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def test_production_processes_serve_and_schedule(tmp_path, prodcheck_database, prodcheck_redis, build_time_static):
    # collectstatic ran as the image build runs it (the `build_time_static` fixture, shared with
    # test_dockerfile.py); gunicorn serves that STATIC_ROOT.
    assert build_time_static.result.returncode == 0, f"collectstatic failed: {describe(build_time_static.result)}"
    static_root = build_time_static.root
    env = production_env(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
        DATABASE_URL=prodcheck_database,
        REDIS_URL=prodcheck_redis,
        CELERY_BROKER_URL=prodcheck_redis,
        CELERY_RESULT_BACKEND=prodcheck_redis,
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )

    result = manage("migrate", "--noinput", env=env, timeout=180)
    assert result.returncode == 0, f"migrate failed: {describe(result)}"
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]

    port = _free_port()
    worker_name = f"prodcheck-{secrets.token_hex(4)}@localhost"
    processes = Processes(tmp_path, env)
    try:
        processes.start(
            "gunicorn", "gunicorn", "joinforces.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--access-logfile", "-", "--error-logfile", "-",
        )  # fmt: skip
        processes.start(
            "worker", "celery", "-A", "joinforces", "worker", "-l", "info", "--concurrency", "1",
            "--hostname", worker_name, "--without-gossip", "--without-mingle",
        )  # fmt: skip
        processes.start("beat", "celery", "-A", "joinforces", "beat", "-l", "info")

        # /healthz answers over plain HTTP (exempt from the SSL redirect) once the database and broker answer.
        def healthz():
            status, headers, body = _get(port, "/healthz")
            if 300 <= status < 500:  # a redirect or a refusal will not go away by waiting
                processes.fail(f"/healthz answered {status} {headers.get('location', '')}\n{body[:2000]!r}")
            return status == 200 and json.loads(body) == {"status": "ok", "database": "ok", "broker": "ok"}

        _wait_for(processes, "/healthz answering 200 with database and broker ok", HEALTHZ_TIMEOUT, healthz)

        # Anything else over plain HTTP is redirected to HTTPS.
        status, headers, _ = _get(port, "/")
        assert (status, headers.get("location")) == (301, f"https://127.0.0.1:{port}/"), processes.logs()

        # Behind the TLS proxy (X-Forwarded-Proto: https): the home page renders, with HSTS.
        status, headers, body = _get(port, "/", {"X-Forwarded-Proto": "https"})
        assert status == 200, f"home page: {status}\n{body[:2000]!r}\n{processes.logs()}"
        assert headers.get("strict-transport-security") == "max-age=31536000; includeSubDomains; preload"

        # whitenoise serves the collected, hashed static files.
        hashed = manifest["css/app.css"]
        status, _, body = _get(port, f"/static/{hashed}", {"X-Forwarded-Proto": "https"})
        assert status == 200, f"/static/{hashed}: {status}\n{processes.logs()}"
        assert body == (static_root / hashed).read_bytes()

        # The worker answers a ping on its broker.
        probe = Celery("prodcheck-probe", broker=prodcheck_redis)
        try:
            _wait_for(
                processes,
                f"a ping answer from {worker_name}",
                WORKER_TIMEOUT,
                lambda: any(worker_name in reply for reply in probe.control.ping(destination=[worker_name], timeout=1)),
            )
        finally:
            probe.close()

        # Beat (DatabaseScheduler) has written the schedule of the settings into its database.
        expected = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
        assert set(expected) >= EXPECTED_SCHEDULE

        def schedule_rows():
            with psycopg.connect(prodcheck_database, connect_timeout=5) as connection:
                rows = dict(connection.execute("SELECT name, task FROM django_celery_beat_periodictask").fetchall())
            return expected.items() <= rows.items()

        _wait_for(processes, f"beat's rows for {sorted(expected)}", WORKER_TIMEOUT, schedule_rows)
    finally:
        processes.stop()
