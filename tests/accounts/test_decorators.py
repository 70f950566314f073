"""`role_required`: log in first, hold the role, and have MFA when the role needs it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from joinforces.accounts.decorators import role_required, staff_required
from joinforces.accounts.models import Role
from joinforces.accounts.rules import is_expert

pytestmark = pytest.mark.django_db


@staff_required
def staff_page(request):
    return HttpResponse("staff")


@role_required(is_expert)
def expert_page(request):
    return HttpResponse("expert")


def call(view, rf, user):
    request = rf.get("/equipe/accueil/")
    request.user = user
    return view(request)


def test_anonymous_visitors_are_sent_to_log_in(rf):
    response = call(staff_page, rf, AnonymousUser())
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.DONOR, Role.EXPERT, Role.COMMITTEE])
def test_other_roles_are_refused(rf, make_user, role):
    with pytest.raises(PermissionDenied):
        call(staff_page, rf, make_user(role, mfa=True))


def test_staff_without_mfa_are_sent_to_set_it_up(rf, make_user):
    response = call(staff_page, rf, make_user(Role.STAFF))
    assert response.status_code == 302 and response["Location"].startswith("/compte/2fa/totp/activate/")


def test_staff_with_mfa_get_the_page(rf, make_user):
    assert call(staff_page, rf, make_user(Role.STAFF, mfa=True)).content == b"staff"


def test_a_role_without_mfa_requirement_gets_its_page(rf, make_user):
    assert call(expert_page, rf, make_user(Role.EXPERT)).content == b"expert"
    with pytest.raises(PermissionDenied):
        call(expert_page, rf, make_user(Role.DONOR))
