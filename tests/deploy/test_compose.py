"""docker-compose.yml is valid and wires `.env` into the web, worker and beat services.

Only the docker-compose client is needed (no Docker engine): `docker-compose config` resolves the file.
"""

import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import require

from .helpers import REPO_ROOT, read_env_example

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")
# Variables of .env.example that only the compose file itself uses (not passed to the app services).
COMPOSE_ONLY = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "WEB_PORT"}


@pytest.fixture
def compose(tmp_path):
    """Run `docker-compose [--env-file FILE] ... <args>` on the repository's file, as on a clean clone:
    none of the variables of .env.example in the environment, and no `.env` unless given."""
    require(shutil.which("docker-compose") is not None, "the docker-compose client is not installed")
    sample = read_env_example()
    env = {key: value for key, value in os.environ.items() if key not in sample}

    def run(*args: str, env_file_values: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        env_file = tmp_path / "compose.env"
        env_file.write_text("".join(f"{key}={value}\n" for key, value in (env_file_values or {}).items()))
        return subprocess.run(
            ["docker-compose", "--project-directory", str(REPO_ROOT), "-f", str(COMPOSE_FILE),
             "--env-file", str(env_file), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )  # fmt: skip

    return run


def _services(config: str) -> dict[str, str]:
    """The text of each service in `docker-compose config` output, by name."""
    blocks, current, inside = {}, None, False
    for line in config.splitlines():
        if not line.startswith(" "):
            inside, current = line == "services:", None
            continue
        match = re.match(r"^  ([A-Za-z0-9_.-]+):$", line)
        if inside and match:
            current = match.group(1)
            blocks[current] = ""
        elif inside and current:
            blocks[current] += line + "\n"
    return blocks


def _command(block: str) -> str:
    """A service's command, as one line (docker-compose writes a list one item per line)."""
    match = re.search(r"^    command:(.*)\n((?:    - .*\n)*)", block, re.MULTILINE)
    assert match, f"no command in\n{block}"
    items = [item.strip().strip("'\"") for item in re.findall(r"^    - (.*)$", match.group(2), re.MULTILINE)]
    return " ".join(items) or match.group(1).strip()


def test_compose_file_is_valid_on_a_clean_clone(compose):
    result = compose("config", "-q")

    assert result.returncode == 0, result.stderr


def test_compose_runs_the_five_services(compose):
    result = compose("config", "--services")

    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"postgres", "redis", *APP_SERVICES}


def test_every_variable_of_env_reaches_web_worker_and_beat(compose):
    """With a `.env` that sets each variable of .env.example to a marker, each app service gets the marker."""
    markers = {key: f"marker-{key.lower()}" for key in read_env_example() if key != "WEB_PORT"}
    result = compose("config", env_file_values=markers)
    assert result.returncode == 0, result.stderr
    services = _services(result.stdout)

    for name in APP_SERVICES:
        block = services[name]
        missing = [key for key in markers if key not in COMPOSE_ONLY and f"{key}: {markers[key]}\n" not in block]
        assert not missing, f"{name} does not take {missing} from .env"
    for key in ("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"):
        assert f"{key}: {markers[key]}\n" in services["postgres"], f"postgres does not take {key} from .env"


def test_app_services_share_one_image_and_wait_for_healthy_services(compose):
    result = compose("config")
    assert result.returncode == 0, result.stderr
    services = _services(result.stdout)

    images = {re.search(r"^    image: (.*)$", services[name], re.MULTILINE).group(1) for name in APP_SERVICES}
    assert len(images) == 1, images
    for name in APP_SERVICES:
        depends_on = re.search(r"^    depends_on:\n((?:      .*\n)*)", services[name], re.MULTILINE)
        assert depends_on, f"{name} has no depends_on"
        assert re.search(r"postgres:\n\s+condition: service_healthy", depends_on.group(1)), name
        assert re.search(r"redis:\n\s+condition: service_healthy", depends_on.group(1)), name
    assert "pg_isready" in services["postgres"] and "healthcheck:" in services["postgres"]
    assert "healthcheck:" in services["redis"]
    assert re.search(r"^    image: postgres:16$", services["postgres"], re.MULTILINE)
    assert re.search(r"^    image: redis:7$", services["redis"], re.MULTILINE)


def test_services_run_migrate_gunicorn_worker_and_beat(compose):
    result = compose("config")
    assert result.returncode == 0, result.stderr
    services = _services(result.stdout)

    web = _command(services["web"])
    assert re.search(r"manage\.py migrate --noinput && exec gunicorn joinforces\.wsgi --bind 0\.0\.0\.0:8000", web), web
    assert _command(services["worker"]).startswith("celery -A joinforces worker -l info")
    assert _command(services["beat"]).startswith("celery -A joinforces beat -l info")
