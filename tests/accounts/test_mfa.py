"""Staff and committee members set up MFA before any admin page; the admin logs in through allauth."""

import pytest
from django.test import Client
from django.urls import reverse

from joinforces.accounts.models import Role

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/admin/", "/admin/core/auditevent/", "/comite/", "/equipe/"]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.STAFF, Role.COMMITTEE])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_without_mfa_staff_and_committee_are_sent_to_set_it_up(make_user, role, path):
    response = logged_in(make_user(role)).get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_superuser_without_mfa_is_sent_to_set_it_up(make_user):
    response = logged_in(make_user(is_superuser=True)).get("/admin/")
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_with_mfa_staff_reach_the_admin(make_user):
    response = logged_in(make_user(Role.STAFF, mfa=True)).get("/admin/")
    assert response.status_code == 200
    assert b"auditevent" in response.content


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.DONOR, Role.EXPERT])
def test_other_roles_are_not_asked_for_mfa_and_cannot_open_the_admin(make_user, role):
    client = logged_in(make_user(role))
    assert client.get(reverse("portal:my_space")).status_code == 200
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    assert not response.get("Location", "").startswith(reverse("mfa_activate_totp"))
    assert client.get("/admin/core/auditevent/").status_code in (302, 403)


def test_committee_member_with_mfa_cannot_open_the_full_admin(make_user):
    response = logged_in(make_user(Role.COMMITTEE, mfa=True)).get("/admin/core/auditevent/")
    assert response.status_code in (302, 403)


def test_the_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_with_mfa_is_asked_for_a_code_at_login(make_user, client):
    from tests.factories import PASSWORD

    user = make_user(Role.STAFF, mfa=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in before the second factor.
    assert client.get("/admin/").status_code == 302
    assert client.get(reverse("portal:my_space")).status_code == 302
