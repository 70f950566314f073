"""Shared building blocks of the eligibility tests: an eligible collective as facts and as a case."""

import copy
from dataclasses import replace
from pathlib import Path

from eligibility.facts import UNKNOWN, Facts, Family

CASES_DIR = Path(__file__).resolve().parent / "cases"

#: An eligible coalition, every fact known except the voting shares, which equal votes make irrelevant.
ELIGIBLE = Facts(
    family=Family.COALITION,
    organisations=3,
    main_purpose="joint_programmes",
    does_advocacy=False,
    temporary=False,
    decision="decided",
    decided_after_call_opened=False,
    governance="one_member_one_vote",
    largest_voting_share=UNKNOWN,
    shares_add_up=UNKNOWN,
    veto_holder=False,
    head_or_affiliate=False,
    shared_programme_on_ground=True,
    territorialised_programme=True,
    fundable_share=1,
    years=3,
    max_years=3,
    members_outside_scope=0,
    both_sides=None,
)

#: An eligible merger: both boards have decided.
MERGER = replace(ELIGIBLE, family=Family.CONSOLIDATION, organisations=2, main_purpose="consolidation",
                 governance=UNKNOWN, both_sides=True)


def facts(**changes) -> Facts:
    """`ELIGIBLE` with some facts changed (`family="consolidation"` starts from `MERGER`)."""
    base = MERGER if changes.get("family") == Family.CONSOLIDATION else ELIGIBLE
    return replace(base, **changes)


BASE_CASE = {
    "name": "Collectif Solidarités Alimentaires du Nord",
    "kind": "collective",
    "main_purpose": "joint_programmes",
    "temporary": False,
    "decision": "decided",
    "members": [
        {"name": "Banque Alimentaire Solidaire de Lille-Métropole", "legal_form": "association",
         "non_profit": True, "role": "lead"},
        {"name": "Les Jardins Partagés de Flandre", "legal_form": "association", "non_profit": True,
         "role": "member"},
        {"name": "Épicerie Solidaire du Roubaisien", "legal_form": "association", "non_profit": True,
         "role": "member"},
    ],
    "programmes": [
        {"title": "Paniers solidaires en circuit court", "integration": "joint", "territories": ["59", "62"]},
    ],
    "years": 3,
    "budget": [
        {"year": 1, "category": "coordination_staff", "amount": "42000.00", "programme_cost": False},
    ],
}


def case(**changes) -> dict:
    """A fresh copy of `BASE_CASE` (valid, eligible) with top-level answers changed."""
    result = copy.deepcopy(BASE_CASE)
    result.update(copy.deepcopy(changes))
    return result


def resolve(document, pointer: str):
    """The value a JSON pointer designates (KeyError / IndexError when there is none)."""
    value = document
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value
