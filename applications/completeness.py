"""What is still missing before an application can be submitted, step by step.

`missing_items(application)` reads the application and its parts (prefetched ones are used as they
are, see `selectors.application_with_parts`) and lists each missing or invalid answer with the step of
the form where it is fixed:

    1 the collective · 2 members · 3 governance · 4 shared programmes · 5 commitment · 6 budget ·
    7 support needs · 8 attachments · 9 review and submit

Nothing is written. An empty list means the application may be submitted.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .identifiers import validate_identifier
from .models import Application, Attachment, DecisionStatus, Governance, Kind, MemberRole

STEPS = {
    1: "collective",
    2: "members",
    3: "governance",
    4: "programmes",
    5: "commitment",
    6: "budget",
    7: "support",
    8: "attachments",
    9: "review",
}
SHARES_TOLERANCE = Decimal("0.01")
# Both sides of a consolidation: a merger needs the absorbing and the absorbed organisation, a
# transfer the transferring one and the one taking over; a transmission, two organisations.
CONSOLIDATION_SIDES = {
    Kind.MERGER_ABSORPTION: (MemberRole.ABSORBING, MemberRole.ABSORBED),
    Kind.TRANSFER_TAKEOVER: (MemberRole.TRANSFERRING, MemberRole.TAKING_OVER),
}
REQUIRED_ATTACHMENTS = (Attachment.Kind.STATUTES, Attachment.Kind.ACCOUNTS)


@dataclass(frozen=True)
class MissingItem:
    step: int
    field: str
    message: str


def missing_items(application: Application) -> list[MissingItem]:
    members = list(application.members.all())
    items: list[MissingItem] = []
    items += _collective(application)
    items += _members(application, members)
    items += _governance(application, members)
    items += _programmes(application)
    items += _commitment(application, members)
    items += _budget(application)
    items += _attachments(application)
    items += _review(application)
    return items


def _collective(application) -> list[MissingItem]:
    items = []
    if not application.name.strip():
        items.append(MissingItem(1, "name", _("Give the name of the collective.")))
    if not application.kind:
        items.append(MissingItem(1, "kind", _("Choose the kind of collective.")))
    if not application.themes.all():
        items.append(MissingItem(1, "themes", _("Choose at least one theme.")))
    if not application.summary.strip():
        items.append(MissingItem(1, "summary", _("Describe the collective in a short summary.")))
    if not application.main_purpose:
        items.append(MissingItem(1, "main_purpose", _("Say what the members mainly do together.")))
    if application.temporary is None:
        items.append(MissingItem(1, "temporary", _("Say whether the collective is set up for a limited action.")))
    return items


def _members(application, members) -> list[MissingItem]:
    items = []
    if len(members) < 2:
        items.append(MissingItem(2, "members", _("Add at least two member organisations.")))
    sides = CONSOLIDATION_SIDES.get(application.kind)
    if sides is not None:
        roles = {member.role for member in members}
        if not all(side in roles for side in sides):
            items.append(MissingItem(2, "role", _(
                "A consolidation needs both sides: add the organisation of each role (%(first)s and %(second)s)."
            ) % {"first": MemberRole(sides[0]).label, "second": MemberRole(sides[1]).label}))
    for member in members:
        if member.identifier:
            try:
                validate_identifier(member.identifier)
            except ValidationError as error:
                items.append(MissingItem(2, "identifier", f"{member.name}: {' '.join(error.messages)}"))
        elif not member.identifier_missing_reason.strip():
            items.append(MissingItem(2, "identifier", _(
                "%(member)s: give its SIREN or RNA number, or say why it has none."
            ) % {"member": member.name}))
    return items


def _governance(application, members) -> list[MissingItem]:
    items = []
    if application.is_consolidation:
        if any(member.voting_share is not None for member in members):
            items.append(MissingItem(3, "voting_share", _(
                "Shares of the votes are not asked for a consolidation: remove them."
            )))
        return items
    if not application.governance:
        items.append(MissingItem(3, "governance", _("Say how the collective makes its decisions.")))
    elif application.governance == Governance.WEIGHTED and members:
        shares = [member.voting_share for member in members]
        if any(share is None for share in shares):
            items.append(MissingItem(3, "voting_share", _("Give the share of the votes of every member.")))
        elif abs(sum(shares) - Decimal(100)) > SHARES_TOLERANCE:
            items.append(MissingItem(3, "voting_share", _(
                "The shares of the votes add up to %(total)s %%: they must add up to 100 %%."
            ) % {"total": sum(shares)}))
    return items


def _programmes(application) -> list[MissingItem]:
    programmes = list(application.programmes.all())
    if not programmes:
        return [MissingItem(4, "programmes", _("Describe at least one shared programme on the ground."))]
    return [
        MissingItem(4, "territories", _("%(programme)s: choose at least one territory.") % {"programme": p.title})
        for p in programmes
        if not p.territories.all()
    ]


def _commitment(application, members) -> list[MissingItem]:
    items = []
    for member in members:
        if not member.decision_status:
            items.append(MissingItem(5, "decision_status", _(
                "%(member)s: say where its board stands on joining forces."
            ) % {"member": member.name}))
        elif member.decision_status == DecisionStatus.DECIDED and member.decision_date is None:
            items.append(MissingItem(5, "decision_date", _(
                "%(member)s: give the date of its decision."
            ) % {"member": member.name}))
    if not application.why_together.strip():
        items.append(MissingItem(5, "why_together", _("Say why the members join forces.")))
    return items


def _budget(application) -> list[MissingItem]:
    items = []
    max_years = application.call.max_years
    years = application.years
    if years is None or not 1 <= years <= max_years:
        items.append(MissingItem(6, "years", _(
            "Choose the number of years of support, from 1 to %(max)s."
        ) % {"max": max_years}))
    else:
        with_lines = {line.year for line in application.budget_lines.all()}
        for year in range(1, years + 1):
            if year not in with_lines:
                items.append(MissingItem(6, "budget_lines", _(
                    "Year %(year)s: add at least one budget line."
                ) % {"year": year}))
        if any(year > years for year in with_lines):
            items.append(MissingItem(6, "budget_lines", _(
                "Some budget lines are for a year after the last year of support: remove them."
            )))
    if application.amount_requested is None or application.amount_requested <= 0:
        items.append(MissingItem(6, "amount_requested", _("Give the amount you request.")))
    return items


def _attachments(application) -> list[MissingItem]:
    present = {attachment.kind for attachment in application.attachments.all()}
    return [
        MissingItem(8, kind, _("Attach this document: %(document)s.") % {"document": Attachment.Kind(kind).label})
        for kind in REQUIRED_ATTACHMENTS
        if kind not in present
    ]


def _review(application) -> list[MissingItem]:
    items = []
    if application.consent_public is None:
        items.append(MissingItem(9, "consent_public", _(
            "Say whether the collective may be listed publicly if it is selected."
        )))
    if not application.sworn_statement:
        items.append(MissingItem(9, "sworn_statement", _("Check the sworn statement.")))
    return items
