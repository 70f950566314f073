"""Roles: predicates, several roles per person, audited grants, and what `is_staff` means."""

import pytest

from joinforces.accounts import rules as predicates
from joinforces.accounts.models import Role
from joinforces.accounts.services import role_grant, role_revoke
from joinforces.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PREDICATES = {
    Role.APPLICANT: predicates.is_applicant,
    Role.COMMITTEE: predicates.is_committee_member,
    Role.DONOR: predicates.is_donor,
    Role.STAFF: predicates.is_staff_member,
    Role.EXPERT: predicates.is_expert,
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_satisfies_its_predicate_only(make_user, role):
    user = make_user(role)
    for other, predicate in PREDICATES.items():
        assert predicate(user) is (other == role), (role, other)


def test_a_person_may_hold_several_roles(make_user):
    user = make_user(Role.DONOR, Role.EXPERT)
    assert predicates.is_donor(user) and predicates.is_expert(user)
    assert not predicates.is_applicant(user)


def test_anonymous_and_inactive_users_hold_no_role(make_user, rf):
    from django.contrib.auth.models import AnonymousUser

    inactive = make_user(Role.STAFF, is_active=False)
    for predicate in PREDICATES.values():
        assert not predicate(AnonymousUser())
        assert not predicate(inactive)


def test_is_staff_only_means_may_open_an_admin_site(make_user, staff):
    assert make_user(Role.STAFF).is_staff
    assert make_user(Role.COMMITTEE).is_staff
    for role in (Role.APPLICANT, Role.DONOR, Role.EXPERT):
        assert not make_user(role).is_staff


def test_grant_and_revoke_are_audited_and_keep_is_staff_in_step(make_user, staff):
    user = make_user(Role.APPLICANT)
    role_grant(user=user, role=Role.COMMITTEE, actor=staff)
    user.refresh_from_db()
    assert user.is_staff and user.has_role(Role.COMMITTEE)

    role_revoke(user=user, role=Role.COMMITTEE, actor=staff)
    user.refresh_from_db()
    assert not user.is_staff and not user.has_role(Role.COMMITTEE)

    events = list(AuditEvent.objects.for_target(user).order_by("id").values_list("action", "actor", "after", "before"))
    assert events[-2:] == [
        ("accounts.role_granted", staff.pk, {"role": "committee"}, None),
        ("accounts.role_revoked", staff.pk, None, {"role": "committee"}),
    ]


def test_granting_twice_records_once(make_user, staff):
    user = make_user()
    role_grant(user=user, role=Role.DONOR, actor=staff)
    role_grant(user=user, role=Role.DONOR, actor=staff)
    assert user.role_assignments.count() == 1
    assert AuditEvent.objects.for_target(user).filter(action="accounts.role_granted").count() == 1


def test_unknown_role_is_refused(make_user):
    with pytest.raises(ValueError):
        role_grant(user=make_user(), role="king", actor=None)


def test_the_database_refuses_an_unknown_role(make_user):
    from django.db import IntegrityError

    from joinforces.accounts.models import RoleAssignment

    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=make_user(), role="king")
