"""Helpers for the deployment tests: the repository's sample environment and subprocess plumbing."""

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
ENV_EXAMPLE = REPO_ROOT / ".env.example"
DOCKERFILE = REPO_ROOT / "Dockerfile"
# The executables of the virtualenv that runs the tests (.venv/bin under `make test`).
VENV_BIN = Path(sys.executable).parent
PRODUCTION_SETTINGS = "joinforces.settings.production"

_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def read_env_example(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """`.env.example` as a dict: KEY=VALUE lines, `#` comments and blank lines skipped."""
    values = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path.name}:{number}: not a KEY=VALUE line: {raw!r}")
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key in values:
            raise ValueError(f"{path.name}:{number}: {key} is set twice")
        values[key] = value
    return values


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    result, pending = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line and not pending:
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        result.append((keyword.upper(), arguments.strip()))
        pending = ""
    return result


def dockerfile_arguments(keyword: str) -> list[str]:
    """The arguments of every `keyword` instruction of the Dockerfile, in order."""
    return [arguments for found, arguments in dockerfile_instructions() if found == keyword]


# The only variables a production process inherits from the test process: what a shell or container
# would have. Anything else (DJANGO_ALLOW_ASYNC_UNSAFE set by Playwright tests, CI's DATABASE_URL,
# pytest's own variables) must not leak into the production settings.
INHERITED = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production process: a few variables of this process (INHERITED), the
    values of .env.example, production settings, then `overrides`."""
    env = {key: os.environ[key] for key in INHERITED if key in os.environ}
    env.update(read_env_example())
    env["DJANGO_SETTINGS_MODULE"] = PRODUCTION_SETTINGS
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `manage.py <args>` with the tests' interpreter, from the repository root."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def describe(result: subprocess.CompletedProcess) -> str:
    return f"exit status {result.returncode}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"


def stop_processes(processes, timeout: float = 15) -> None:
    """Stop processes started with `start_new_session=True`: SIGTERM each (by its process id), wait
    up to `timeout` seconds for all of them, SIGKILL a process that is still there, and finally
    SIGKILL whatever is left in their process groups (pool workers of gunicorn or Celery)."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
