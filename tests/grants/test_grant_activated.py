"""grants sends `grant_activated` once a grant becomes active (its signed agreement received), after the
commit, so that the apps above it (support) can react; a refused signature sends nothing."""

import pytest
from django.core.files.base import ContentFile

from grants.agreements import agreement_render, agreement_sign
from grants.models import Grant, GrantStatus
from grants.services import GrantError
from grants.signals import grant_activated

from .factories import grant_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def received():
    calls = []

    def listener(sender, grant, **kwargs):
        calls.append((sender, grant.pk, grant.status))

    grant_activated.connect(listener, dispatch_uid="tests.grant_activated")
    yield calls
    grant_activated.disconnect(dispatch_uid="tests.grant_activated")


def test_signing_the_agreement_sends_grant_activated_after_the_commit(received, django_capture_on_commit_callbacks):
    grant = grant_for(years=1)
    agreement_render(grant_id=grant.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        agreement_sign(grant=grant, actor=grant.application.created_by, file=ContentFile(PDF, name="s.pdf"))
    assert received == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert received == [(Grant, grant.pk, GrantStatus.ACTIVE)]


def test_a_refused_signature_sends_nothing(received, django_capture_on_commit_callbacks):
    grant = grant_for(years=1)  # its agreement is not produced yet: signing is refused
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(GrantError):
        agreement_sign(grant=grant, actor=grant.application.created_by, file=ContentFile(PDF, name="s.pdf"))
    assert received == []
