"""Sign-up with mandatory email verification, and the welcome email once verified."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from joinforces.accounts.models import Role, User
from joinforces.core.models import Notification

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "lea@coalition.example.org",
    "first_name": "Léa",
    "last_name": "Rousseau",
    "password1": "un-mot-de-passe-solide-42",
    "password2": "un-mot-de-passe-solide-42",
}


def confirmation_link(message) -> str:
    return re.search(r"https?://[^\s]+/compte/confirm-email/[^\s]+/", message.body).group(0)


def test_signup_sends_a_verification_email_and_does_not_log_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email=SIGNUP["email"])
    assert (user.first_name, user.last_name) == ("Léa", "Rousseau")
    assert user.has_role(Role.APPLICANT)
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [SIGNUP["email"]]
    assert "/compte/confirm-email/" in mail.outbox[0].body
    # HTML and text both, through the notification service.
    assert mail.outbox[0].alternatives and mail.outbox[0].alternatives[0][1] == "text/html"
    assert Notification.objects.filter(to=SIGNUP["email"], status="sent").count() == 1
    # Not signed in until the address is verified.
    assert client.get(reverse("portal:my_space")).status_code == 302


def test_unverified_account_cannot_log_in(client):
    client.post(reverse("account_signup"), SIGNUP)
    client.logout()
    response = client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("portal:my_space")).status_code == 302


def test_following_the_link_verifies_logs_in_and_welcomes_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), SIGNUP)
    link = confirmation_link(mail.outbox[0])
    path = link.split("://", 1)[1].split("/", 1)[1]

    page = client.get("/" + path)
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/" + path)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert client.get(reverse("portal:my_space")).status_code == 200
    welcome = [m for m in mail.outbox if m.extra_headers.get("X-JoinForces-Key", "").startswith("accounts.welcome:")]
    assert len(welcome) == 1
    assert welcome[0].subject == "[JOIN FORCES] Bienvenue sur JOIN FORCES"

    # Confirming again does not welcome twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/" + path)
    assert len([m for m in mail.outbox if "accounts.welcome" in m.extra_headers.get("X-JoinForces-Key", "")]) == 1


def test_signup_refuses_an_email_already_used_without_saying_so(client, applicant):
    data = {**SIGNUP, "email": applicant.email.upper()}
    response = client.post(reverse("account_signup"), data)
    # Enumeration is prevented: same answer as a new address, no second account.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact=applicant.email).count() == 1


def test_signup_with_mismatched_passwords_shows_an_error(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "autre-chose-123456"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
