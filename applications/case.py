"""An application as an eligibility case (`eligibility/application-case.schema.json`)."""

from decimal import Decimal

from .models import Application, DecisionStatus


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def application_decision(members) -> str | None:
    """`decided` when every member has decided, `exploring` when any explores, else `in_progress`."""
    statuses = [member.decision_status for member in members]
    if not statuses:
        return None
    if all(status == DecisionStatus.DECIDED for status in statuses):
        return DecisionStatus.DECIDED
    if any(status == DecisionStatus.EXPLORING for status in statuses):
        return DecisionStatus.EXPLORING
    return DecisionStatus.IN_PROGRESS


def application_to_case(application: Application) -> dict:
    """The facts of the application that screening rests on, in the case schema's form.

    Reads the application with its parts (use `selectors.application_with_parts` to load them in a
    few queries). Optional answers the team has not given are left out, so that screening applies
    the schema's defaults or treats them as unknown.
    """
    members = list(application.members.all())
    index = {member.pk: position for position, member in enumerate(members)}
    case: dict = {
        "name": application.name,
        "kind": application.kind,
        "themes": [theme.code for theme in application.themes.all()],
        "main_purpose": application.main_purpose,
        "does_advocacy": application.does_advocacy,
        "temporary": bool(application.temporary),
        "decision": application_decision(members),
        "members": [],
        "programmes": [],
        "years": application.years,
        "call_max_years": application.call.max_years,
        "budget": [],
        "call_opened_on": application.call.opens_at.date().isoformat(),
    }
    dates = [member.decision_date for member in members if member.decision_date]
    if dates:
        case["decision_date"] = max(dates).isoformat()
    weighted = application.governance == "weighted" and not application.is_consolidation
    if application.governance and not application.is_consolidation:
        case["governance"] = application.governance
    for member in members:
        entry = {
            "name": member.name,
            "legal_form": member.legal_form,
            "non_profit": member.non_profit,
            "general_interest": member.general_interest,
            "role": member.role,
            "veto_holder": member.veto_holder,
        }
        if member.identifier:
            entry["identifier"] = member.identifier
        if member.annual_budget is not None:
            entry["annual_budget"] = _amount(member.annual_budget)
        if weighted and member.voting_share is not None:
            entry["voting_share"] = float(member.voting_share / 100)
        case["members"].append(entry)
    for programme in application.programmes.all():
        case["programmes"].append({
            "title": programme.title,
            "integration": programme.integration,
            "territories": sorted(territory.code for territory in programme.territories.all()),
            **({"members_involved": sorted(index[m.pk] for m in programme.members_involved.all() if m.pk in index)}
               if programme.members_involved.all() else {}),
        })
    for line in application.budget_lines.all():
        case["budget"].append({
            "year": line.year,
            "category": line.category,
            "amount": _amount(line.amount),
            "programme_cost": line.programme_cost,
            "collective": not line.member_overhead,
        })
    return {key: value for key, value in case.items() if value is not None}
