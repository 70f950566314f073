"""The Dockerfile and .dockerignore, checked without a Docker engine: the image's shape, its build context,
and its build-time static step run here with exactly the environment the Dockerfile gives it."""

import fnmatch
import json
import re
import tomllib

from .helpers import REPO_ROOT, describe, dockerfile_arguments

DOCKERIGNORE = REPO_ROOT / ".dockerignore"


def test_image_shape():
    assert dockerfile_arguments("FROM") == ["python:3.11-slim-bookworm"]
    apt_installs = " ".join(run for run in dockerfile_arguments("RUN") if "apt-get install" in run)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core", "gettext"):
        assert re.search(rf"(?<![\w.-]){re.escape(package)}(?![\w.-])", apt_installs), f"{package} is not installed"
    pip_installs = [run for run in dockerfile_arguments("RUN") if "pip install" in run]
    assert pip_installs and not any("[dev]" in run for run in pip_installs), pip_installs
    users = dockerfile_arguments("USER")
    assert users and users[-1] not in ("root", "0"), users
    assert dockerfile_arguments("EXPOSE") == ["8000"]
    command = json.loads(dockerfile_arguments("CMD")[-1])
    assert command[:2] == ["gunicorn", "joinforces.wsgi"] and "0.0.0.0:8000" in command, command


def test_build_context_keeps_the_code_and_leaves_out_local_state():
    patterns = [
        line.strip().removeprefix("/").removeprefix("**/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not any(pattern.startswith("!") for pattern in patterns), "exceptions are not handled by this test"

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = [name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    needed = ["manage.py", "pyproject.toml", "templates", "static", "locale", *packages]
    if (REPO_ROOT / project["project"].get("readme", "README.md")).exists():
        needed.append(project["project"]["readme"])
    assert [name for name in needed if ignored(name)] == []
    assert [name for name in needed if not (REPO_ROOT / name).exists()] == []
    for local in (".env", ".venv", ".git", "db.sqlite3", "media", "staticfiles", "test-artifacts", "__pycache__"):
        assert ignored(local), f"{local} would be sent to the image"


def test_the_build_time_static_step_runs_with_the_dockerfile_environment(build_time_static):
    """collectstatic, as the image build runs it (see the `build_time_static` fixture), succeeds with
    production settings and leaves whitenoise's manifest with hashed, compressed files."""
    assert build_time_static.env["DJANGO_SETTINGS_MODULE"] == "joinforces.settings.production"
    result = build_time_static.result
    assert result.returncode == 0, f"{build_time_static.command}\n{describe(result)}"

    manifest = json.loads((build_time_static.root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/app.css"]
    assert hashed != "css/app.css" and (build_time_static.root / hashed).is_file()
    assert (build_time_static.root / f"{hashed}.gz").is_file()
