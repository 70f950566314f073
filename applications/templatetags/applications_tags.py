"""Template tags of applications: what a team's pages and the decision letter need to show.

    {% load applications_tags %}
    {% published_decision application as decision %}
    {% open_info_request application as info_request %}
    {% lead_organisation application as lead %}
    {% exclusion_reasons decision.excluded_criteria criteria as exclusions %}
    {{ info_request.steps|step_titles }}
"""

from django import template
from django.utils.translation import gettext_lazy as _

from ..models import Decision, MemberRole

register = template.Library()

# The roles that lead a collective, by kind: the lead member, the absorbing or taking-over
# organisation, the network head.
LEADING_ROLES = (MemberRole.LEAD, MemberRole.ABSORBING, MemberRole.TAKING_OVER, MemberRole.HEAD)


@register.simple_tag
def published_decision(application):
    """The latest published decision on `application`, or None: the only decision a team ever sees."""
    if application is None or application.pk is None:
        return None
    return (Decision.objects.published().filter(application=application)
            .order_by("-published_at", "-pk").first())


@register.simple_tag
def open_info_request(application):
    """The open request for more information on `application`, or None."""
    if application is None or application.pk is None:
        return None
    return application.info_requests.open().first()


@register.simple_tag
def lead_organisation(application):
    """The member organisation that leads the collective (else the first one), or None."""
    if application is None or application.pk is None:
        return None
    members = application.members.order_by("position", "pk")
    return members.filter(role__in=LEADING_ROLES).first() or members.first()


# One sentence per criterion, in the funder's words: what it means for the team, never a judgment.
EXCLUSION_SENTENCES = {
    "advocacy_only": _("Your collective works mainly on advocacy or on a temporary action, without shared "
                       "programmes on the ground."),
    "ralliance": _("One organisation draws the others to it and decides for them: the members do not work "
                   "together as equals."),
    "off_ground": _("The action of your collective is not carried out in programmes rooted in territories."),
    "federation": _("Your collective is a federation or a network head that represents its members or "
                    "coordinates affiliated organisations."),
    "fundraising_consortium": _("Your members come together mainly to answer calls for projects, raise funds "
                                "together or share resources, without bringing their programmes together."),
    "operating_costs": _("The budget requested pays mainly for programmes or for each member's own costs, "
                         "whereas JOIN FORCES funds the operating costs of the collective."),
    "duration": _("The duration requested is outside the limits of the call."),
    "decided": _("Your organisations have not yet decided to work together, whereas JOIN FORCES supports "
                 "organisations that have already made that choice."),
    "members": _("The collective does not bring together at least two organisations (or both sides of the "
                 "consolidation)."),
    "non_profit": _("Not all the member organisations are non-profit organisations serving the general "
                    "interest."),
}


@register.simple_tag
def exclusion_reasons(codes, labels=None):
    """[{"label", "sentence"}] for each excluded criterion code, with the labels given (already
    translated) or those of the criteria."""
    from eligibility.models import Criterion

    labels = list(labels or [])
    reasons = []
    for index, code in enumerate(codes or []):
        known = Criterion(code).label if code in Criterion.values else code
        label = labels[index] if index < len(labels) else known
        reasons.append({"code": code, "label": label, "sentence": EXCLUSION_SENTENCES.get(code, "")})
    return reasons


@register.filter
def step_titles(numbers):
    """The numbered titles of the application form's steps: `{{ info_request.steps|step_titles }}`
    gives [(3, "Governance"), ...]."""
    from ..views import STEPS

    titles = dict(STEPS)
    result = []
    for number in numbers or []:
        try:
            number = int(number)
        except (TypeError, ValueError):
            continue
        if number in titles:
            result.append((number, titles[number]))
    return result
