"""`.env.example` documents every environment variable that the settings read."""

import re

from .helpers import ENV_EXAMPLE, REPO_ROOT, read_env_example

SETTINGS_DIR = REPO_ROOT / "joinforces" / "settings"
# env("X", ...), env.bool("X", ...), env.int(...), env.list(...), env.db(...), env.path(...), env.str(...)
ENV_READ = re.compile(r"\benv(?:\.[a-z_]+)?\(\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']")


def variables_read_by_settings() -> set[str]:
    names = set()
    for path in SETTINGS_DIR.glob("*.py"):
        names.update(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names


def test_settings_read_the_usual_variables():
    """Guards the pattern below: if it stopped matching, the completeness test would pass vacuously."""
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "AWS_S3_ENDPOINT_URL"} <= variables_read_by_settings()


def test_env_example_lists_every_variable_the_settings_read():
    missing = variables_read_by_settings() - set(read_env_example())

    assert not missing, f".env.example does not list {sorted(missing)}"


def test_every_variable_of_env_example_has_a_comment():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    uncommented = [
        line.split("=", 1)[0]
        for previous, line in zip(["", *lines[:-1]], lines, strict=True)
        if line and not line.startswith("#") and not previous.startswith("#")
    ]

    assert not uncommented, f"variables of .env.example without a comment line above them: {uncommented}"


def test_env_example_points_at_the_compose_services():
    sample = read_env_example()

    assert sample["DATABASE_URL"].startswith("postgres://") and "@postgres:" in sample["DATABASE_URL"]
    assert sample["REDIS_URL"].startswith("redis://redis:")
    assert sample["DJANGO_SETTINGS_MODULE"] == "joinforces.settings.production"
