"""`manage.py check --deploy` passes on the production settings with the sample environment."""

import secrets

import pytest

from .helpers import describe, manage, production_env

NO_ISSUES = "System check identified no issues"


def _sample_env(tmp_path, **overrides):
    # .env.example leaves the secret key empty on purpose (it must be generated): use a random one.
    # SQLite instead of the compose `postgres` host: the checks need no database server.
    values = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    return production_env(**{**values, **overrides})


def test_check_deploy_passes_with_the_sample_environment(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=_sample_env(tmp_path))

    assert result.returncode == 0, describe(result)
    assert NO_ISSUES in result.stdout + result.stderr, describe(result)


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        ({"DJANGO_SECURE_SSL_REDIRECT": "False"}, "security.W008"),
        ({"DJANGO_SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DJANGO_SECRET_KEY": "too-short"}, "security.W009"),
    ],
    ids=["no-ssl-redirect", "no-hsts", "weak-secret-key"],
)
def test_check_deploy_catches_an_insecure_environment(tmp_path, overrides, check_id):
    """The same command fails when the environment weakens a setting, so the test above can fail."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=_sample_env(tmp_path, **overrides))

    assert result.returncode != 0, describe(result)
    assert check_id in result.stdout + result.stderr, describe(result)


def test_production_settings_refuse_an_empty_secret_key(tmp_path):
    """`.env.example` ships DJANGO_SECRET_KEY empty: the settings must refuse to start with it."""
    result = manage("check", env=_sample_env(tmp_path, DJANGO_SECRET_KEY=""))

    assert result.returncode != 0, describe(result)
    assert "SECRET_KEY" in result.stderr, describe(result)
