"""seed_demo loads one account per role and is idempotent."""

import pytest
from django.apps import apps
from django.core.management import call_command

from joinforces.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        model._meta.label: sorted(model.objects.values_list("pk", flat=True))
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions",)
    }


def test_seed_demo_creates_one_account_per_role_and_running_it_twice_changes_nothing(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    for role in Role:
        assert User.objects.filter(role_assignments__role=role, email__endswith="@demo.joinforces.fr").count() == 1
    for email in User.objects.filter(email__endswith="@demo.joinforces.fr").values_list("email", flat=True):
        assert email in out
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first


def test_demo_accounts_can_log_in(client):
    from joinforces.accounts.demo import DEMO_PASSWORD

    call_command("seed_demo")
    assert client.login(email="candidat@demo.joinforces.fr", password=DEMO_PASSWORD)
