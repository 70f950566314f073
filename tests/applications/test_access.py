"""Who sees an application and its files: the team and staff; nobody else (404, never 403)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from applications import services
from applications.models import Application, Attachment
from joinforces.core.uploads import download_url

from .factories import PDF_BYTES, complete_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(applicant, other_applicant):
    application = complete_application(user=applicant)
    return application


@pytest.fixture
def co_applicant(application, user_factory):
    from joinforces.accounts.models import Role

    user = user_factory(roles=[Role.APPLICANT])
    services.team_invite(application=application, email=user.email, actor=application.created_by)
    return user


def test_team_and_staff_see_the_application_and_its_files(application, applicant, co_applicant, staff):
    for user in (applicant, co_applicant, staff):
        assert list(Application.objects.visible_to(user)) == [application]
        assert Attachment.objects.visible_to(user).count() == 2


@pytest.mark.parametrize("who", ["other_applicant", "donor", "expert", "committee_member"])
def test_others_see_nothing(application, request, who):
    user = request.getfixturevalue(who)
    assert not Application.objects.visible_to(user).exists()
    assert not Attachment.objects.visible_to(user).exists()


def test_anonymous_sees_nothing(application):
    assert not Application.objects.visible_to(AnonymousUser()).exists()
    assert not Attachment.objects.visible_to(AnonymousUser()).exists()


def test_visible_to_does_not_repeat_an_application_of_several_teams(application, applicant, co_applicant):
    assert Application.objects.visible_to(co_applicant).count() == 1


def _get(user, attachment):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(download_url(attachment, "file"))


def test_the_team_and_staff_download_attachments(application, applicant, co_applicant, staff):
    attachment = application.attachments.get(kind="statutes")
    for user in (applicant, co_applicant, staff):
        response = _get(user, attachment)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", ["other_applicant", "donor", "expert"])
def test_others_get_a_404_for_attachments(application, request, who):
    attachment = application.attachments.get(kind="statutes")
    assert _get(request.getfixturevalue(who), attachment).status_code == 404


def test_anonymous_does_not_get_attachments(application):
    response = _get(None, application.attachments.get(kind="statutes"))
    assert response.status_code in (302, 404)
    assert not getattr(response, "streaming", False)
