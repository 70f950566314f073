"""Object rules of support, built on the role predicates (`joinforces/accounts/rules.py`)."""

import rules

from joinforces.accounts.rules import is_expert, is_staff_member


@rules.predicate
def is_supported_team_member(user):
    """In the team of an initiative that has a support plan."""
    if not (user and user.is_authenticated):
        return False
    from applications.models import TeamMember

    from .models import SupportPlan

    teams = TeamMember.objects.filter(user=user).values("application_id")
    return SupportPlan.objects.filter(grant__application__in=teams).exists()


# The toolbox is published to the experts and to the initiatives the resource centre supports.
may_use_toolbox = is_staff_member | is_expert | is_supported_team_member

# The header's link to the staff's support pages (a rule: no fall-through to the permission tables).
rules.add_rule("support.books_experts", is_staff_member)

rules.add_perm("support", is_staff_member)
for model in ("expert", "expertdomain", "expertlink", "availabilityrule", "availabilityexception", "resource",
              "supportplan", "planneed", "booking", "feedback", "supportpayment"):
    rules.add_perm(f"support.view_{model}", is_staff_member)
for model in ("expert", "expertdomain", "expertlink", "availabilityrule", "availabilityexception", "resource",
              "planneed"):
    rules.add_perm(f"support.add_{model}", is_staff_member)
    rules.add_perm(f"support.change_{model}", is_staff_member)
    rules.add_perm(f"support.delete_{model}", is_staff_member)
rules.add_perm("support.change_supportplan", is_staff_member)
