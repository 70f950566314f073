"""Role predicates, used by views, templates (`{% load rules %}`) and the admin alike.

Each app adds its object rules in its own `rules.py`, built on these.
"""

import rules

from .models import ADMIN_ROLES, Role


def _has_role(user, role) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_role(role))


@rules.predicate
def is_applicant(user):
    return _has_role(user, Role.APPLICANT)


@rules.predicate
def is_committee_member(user):
    return _has_role(user, Role.COMMITTEE)


@rules.predicate
def is_donor(user):
    return _has_role(user, Role.DONOR)


@rules.predicate
def is_staff_member(user):
    return _has_role(user, Role.STAFF) or bool(user and user.is_authenticated and user.is_superuser)


@rules.predicate
def is_expert(user):
    return _has_role(user, Role.EXPERT)


@rules.predicate
def needs_mfa(user):
    """Staff and committee members reach an admin site or a staff page only with MFA set up."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.roles & ADMIN_ROLES))


rules.add_perm("accounts.view_user", is_staff_member)
rules.add_perm("accounts.change_user", is_staff_member)
rules.add_perm("accounts.view_roleassignment", is_staff_member)
rules.add_perm("accounts.add_roleassignment", is_staff_member)
rules.add_perm("accounts.delete_roleassignment", is_staff_member)
rules.add_perm("core.view_auditevent", is_staff_member)
rules.add_perm("core.view_notification", is_staff_member)
rules.add_perm("core.view_job", is_staff_member)
rules.add_perm("core.view_territory", is_staff_member)
rules.add_perm("core.view_theme", is_staff_member)
# Module permissions: which apps the staff see on the admin's index.
rules.add_perm("accounts", is_staff_member)
rules.add_perm("core", is_staff_member)
