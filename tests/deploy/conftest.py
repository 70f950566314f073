"""Fixtures of the deployment tests."""

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .helpers import REPO_ROOT, VENV_BIN, dockerfile_arguments


@dataclass
class CollectedStatic:
    command: str
    env: dict[str, str]
    result: subprocess.CompletedProcess
    root: Path


@pytest.fixture(scope="session")
def build_time_static(tmp_path_factory) -> CollectedStatic:
    """Static files collected as the image build collects them: the collectstatic of the Dockerfile's
    RUN step, run here with only the environment the Dockerfile gives it (its ENV instructions and the
    assignments in front of that command), into a temporary STATIC_ROOT instead of /app/staticfiles.

    Whitenoise compresses every file (gzip and brotli), which takes a while: the tests share one run.
    """
    root = tmp_path_factory.mktemp("build-static") / "static"
    home = tmp_path_factory.mktemp("build-home")
    env = {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(home), "LANG": "C.UTF-8"}
    for arguments in dockerfile_arguments("ENV"):
        env.update(token.split("=", 1) for token in shlex.split(arguments))
    env.pop("PYTHONPATH", None)  # /app in the image; here manage.py's directory is on the path already
    steps = [run for run in dockerfile_arguments("RUN") if "collectstatic" in run]
    assert len(steps) == 1, f"expected one RUN step with collectstatic in the Dockerfile, found {steps}"
    tokens = shlex.split(steps[0])
    while tokens and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", tokens[0]):
        key, value = tokens.pop(0).split("=", 1)
        env[key] = value
    assert tokens[:2] == ["sh", "-c"], f"the collectstatic step should be `VAR=... sh -c '...'`: {tokens}"
    (command,) = [part.strip() for part in tokens[2].split("&&") if "collectstatic" in part]
    env["DJANGO_STATIC_ROOT"] = str(root)

    result = subprocess.run(
        ["sh", "-c", command], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    return CollectedStatic(command=command, env=env, result=result, root=root)
