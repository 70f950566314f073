"""Every criterion, each way it can pass, exclude or review, as tables of facts (no database)."""

import re

import pytest

from eligibility import criteria
from eligibility.criteria import CRITERIA_ORDER, RULES, Result, evaluate
from eligibility.facts import UNKNOWN, Family

from .helpers import ELIGIBLE, MERGER, facts

P, X, R = Result.PASS, Result.EXCLUDE, Result.REVIEW
CONSOLIDATION = Family.CONSOLIDATION
NO_SHARED = {"shared_programme_on_ground": False}
OFF_GROUND = {"shared_programme_on_ground": False, "territorialised_programme": False}
WEIGHTED = {"governance": "weighted", "shares_add_up": True}

TABLES = {
    "advocacy_only": [
        ({}, P),
        ({"main_purpose": "campaign"}, X),
        ({"temporary": True}, X),
        ({"main_purpose": "campaign", "temporary": UNKNOWN}, X),
        ({"temporary": True, "main_purpose": UNKNOWN}, X),
        ({"main_purpose": "advocacy", "does_advocacy": True, **OFF_GROUND}, X),
        ({"main_purpose": "advocacy", **NO_SHARED}, X),
        ({"main_purpose": "advocacy", "does_advocacy": True}, R),
        ({"main_purpose": "advocacy", "shared_programme_on_ground": UNKNOWN}, R),
        ({"does_advocacy": True}, P),
        ({"does_advocacy": UNKNOWN}, P),
        ({"does_advocacy": True, **NO_SHARED}, R),
        ({"does_advocacy": UNKNOWN, "shared_programme_on_ground": UNKNOWN}, R),
        ({"does_advocacy": False, **OFF_GROUND}, P),
        ({"main_purpose": "fundraising"}, P),
        ({"main_purpose": UNKNOWN}, R),
        ({"temporary": UNKNOWN}, R),
    ],
    "ralliance": [
        ({}, P),
        ({"governance": "consensus"}, P),
        ({"family": CONSOLIDATION, "veto_holder": True, "governance": UNKNOWN}, P),
        ({"family": UNKNOWN}, R),
        ({"veto_holder": True}, X),
        ({"veto_holder": True, "governance": UNKNOWN}, X),
        ({"veto_holder": UNKNOWN}, R),
        ({"governance": UNKNOWN}, R),
        ({**WEIGHTED, "largest_voting_share": 0.6}, X),
        ({**WEIGHTED, "largest_voting_share": 0.51}, X),
        ({**WEIGHTED, "largest_voting_share": 1.0, "veto_holder": UNKNOWN}, X),
        ({**WEIGHTED, "largest_voting_share": 0.5, "organisations": 3}, R),
        ({**WEIGHTED, "largest_voting_share": 0.5, "organisations": 2}, P),
        ({**WEIGHTED, "largest_voting_share": 0.34, "organisations": 3}, P),
        ({**WEIGHTED, "largest_voting_share": 0.4, "organisations": 3}, R),
        ({**WEIGHTED, "largest_voting_share": 1 / 3, "organisations": 4}, R),
        ({**WEIGHTED, "largest_voting_share": 0.3, "organisations": 4}, P),
        ({**WEIGHTED, "largest_voting_share": 0.4, "organisations": UNKNOWN}, R),
        ({**WEIGHTED, "largest_voting_share": 0.25, "organisations": UNKNOWN}, P),
        ({**WEIGHTED, "largest_voting_share": 0.25, "veto_holder": True}, X),
        ({"governance": "weighted", "shares_add_up": False, "largest_voting_share": 0.6}, R),
        ({"governance": "weighted", "shares_add_up": False, "largest_voting_share": 0.2}, R),
        ({"governance": "weighted", "shares_add_up": UNKNOWN, "largest_voting_share": UNKNOWN}, R),
        ({"governance": "weighted", "shares_add_up": True, "largest_voting_share": UNKNOWN}, R),
    ],
    "off_ground": [
        ({}, P),
        (NO_SHARED, R),
        (OFF_GROUND, X),
        ({"shared_programme_on_ground": UNKNOWN, "territorialised_programme": UNKNOWN}, R),
        ({"shared_programme_on_ground": UNKNOWN}, R),
        ({"family": CONSOLIDATION, **NO_SHARED}, P),
        ({"family": CONSOLIDATION, "shared_programme_on_ground": UNKNOWN}, P),
        ({"family": CONSOLIDATION, **OFF_GROUND}, R),
        ({"family": CONSOLIDATION, "shared_programme_on_ground": UNKNOWN, "territorialised_programme": UNKNOWN},
         R),
        ({"family": UNKNOWN}, P),
        ({"family": UNKNOWN, **OFF_GROUND}, R),
    ],
    "federation": [
        ({}, P),
        ({"main_purpose": "sector_representation"}, X),
        ({"main_purpose": "affiliate_network", "head_or_affiliate": True}, X),
        ({"main_purpose": "affiliate_network", "head_or_affiliate": UNKNOWN}, X),
        ({"head_or_affiliate": True}, R),
        ({"head_or_affiliate": UNKNOWN}, R),
        ({"main_purpose": UNKNOWN}, R),
        ({"family": CONSOLIDATION}, P),
    ],
    "fundraising_consortium": [
        ({}, P),
        ({"main_purpose": "fundraising", **NO_SHARED}, X),
        ({"main_purpose": "calls_for_projects", **NO_SHARED}, X),
        ({"main_purpose": "shared_resources", **OFF_GROUND}, X),
        ({"main_purpose": "calls_for_projects"}, R),
        ({"main_purpose": "fundraising", "shared_programme_on_ground": UNKNOWN}, R),
        ({"main_purpose": UNKNOWN}, R),
        ({"main_purpose": "advocacy", **NO_SHARED}, P),
    ],
    "operating_costs": [
        ({"fundable_share": 1}, P),
        ({"fundable_share": 0.95}, P),
        ({"fundable_share": 0.9}, P),
        ({"fundable_share": 0.89}, R),
        ({"fundable_share": 0.5}, R),
        ({"fundable_share": 0.49}, X),
        ({"fundable_share": 0}, X),
        ({"fundable_share": UNKNOWN}, R),
    ],
    "duration": [
        ({"years": 1}, P),
        ({"years": 3}, P),
        ({"years": 2, "max_years": 2}, P),
        ({"years": 10, "max_years": 10}, P),
        ({"years": 4}, X),
        ({"years": 2, "max_years": 1}, X),
        ({"years": 0}, X),
        ({"years": 0, "max_years": UNKNOWN}, X),
        ({"years": UNKNOWN}, R),
        ({"max_years": UNKNOWN}, R),
    ],
    "decided": [
        ({}, P),
        ({"decided_after_call_opened": None}, P),
        ({"family": CONSOLIDATION}, P),
        ({"decided_after_call_opened": True}, R),
        ({"decided_after_call_opened": UNKNOWN}, R),
        ({"decision": "in_progress"}, R),
        ({"family": CONSOLIDATION, "decision": "in_progress"}, R),
        ({"decision": "exploring"}, X),
        ({"decision": "exploring", "decided_after_call_opened": UNKNOWN}, X),
        ({"decision": UNKNOWN}, R),
    ],
    "members": [
        ({}, P),
        ({"organisations": 2}, P),
        ({"organisations": 1}, X),
        ({"organisations": 0}, X),
        ({"organisations": 1, "family": UNKNOWN}, X),
        ({"organisations": UNKNOWN}, R),
        ({"family": UNKNOWN}, R),
        ({"family": CONSOLIDATION}, P),
        ({"family": CONSOLIDATION, "both_sides": False}, R),
        ({"family": CONSOLIDATION, "both_sides": UNKNOWN}, R),
        ({"family": CONSOLIDATION, "organisations": 1, "both_sides": False}, X),
    ],
    "non_profit": [
        ({}, P),
        ({"members_outside_scope": UNKNOWN}, R),
        ({"organisations": 4, "members_outside_scope": 1}, R),
        ({"organisations": 4, "members_outside_scope": 2}, X),
        ({"organisations": 4, "members_outside_scope": 3}, X),
        ({"organisations": UNKNOWN, "members_outside_scope": 1}, R),
        ({"family": UNKNOWN, "organisations": 4, "members_outside_scope": 1}, R),
        ({"family": UNKNOWN, "organisations": 4, "members_outside_scope": 2}, X),
        ({"family": CONSOLIDATION, "members_outside_scope": 1}, X),
        ({"family": CONSOLIDATION, "organisations": UNKNOWN, "members_outside_scope": 1}, X),
        ({"family": CONSOLIDATION}, P),
    ],
}

ROWS = [(code, changes, expected) for code, rows in TABLES.items() for changes, expected in rows]


def _id(row):
    code, changes, expected = row
    shown = ",".join(f"{k}={v}" for k, v in changes.items()) or "eligible"
    return f"{code}[{shown}]->{expected}"


@pytest.mark.parametrize(("code", "changes", "expected"), ROWS, ids=[_id(row) for row in ROWS])
def test_criterion(code, changes, expected):
    finding = getattr(criteria, code)(facts(**changes))
    assert finding.criterion == code
    assert finding.result is expected, finding.reason["en"]
    assert set(finding.reason) == {"fr", "en"}
    assert all(text and "%(" not in text for text in finding.reason.values())
    assert finding.facts == ()  # facts given by hand cite no answer


def test_every_criterion_is_tabled_in_each_of_its_outcomes():
    assert list(TABLES) == list(CRITERIA_ORDER)
    for code, rows in TABLES.items():
        assert {expected for _, expected in rows} == {P, X, R}, code


def test_the_eligible_collective_and_merger_pass_everything():
    for base in (ELIGIBLE, MERGER):
        assert {f.result for f in evaluate(base)} == {P}


def test_criteria_come_in_the_readme_order():
    assert CRITERIA_ORDER == ("advocacy_only", "ralliance", "off_ground", "federation", "fundraising_consortium",
                              "operating_costs", "duration", "decided", "members", "non_profit")
    assert tuple(f.criterion for f in evaluate(ELIGIBLE)) == CRITERIA_ORDER
    assert all(rule.exclusion for rule in RULES[:5]) and not any(rule.exclusion for rule in RULES[5:])


@pytest.mark.parametrize(("changes", "fr", "en"), [
    ({**WEIGHTED, "largest_voting_share": 0.6}, "60\u00a0%", "60%"),
    ({**WEIGHTED, "largest_voting_share": 0.4, "organisations": 3}, "40\u00a0%", "40%"),
    ({**WEIGHTED, "largest_voting_share": 1 / 3, "organisations": 4}, "33,33\u00a0%", "33.33%"),
])
def test_shares_are_written_the_way_each_language_writes_them(changes, fr, en):
    finding = criteria.ralliance(facts(**changes))
    assert fr in finding.reason["fr"]
    assert en in finding.reason["en"]


def test_reasons_name_the_numbers_they_rest_on():
    assert "4" in criteria.duration(facts(years=4)).reason["en"]
    assert "3" in criteria.duration(facts(years=4)).reason["en"]
    half = criteria.non_profit(facts(organisations=4, members_outside_scope=2))
    assert re.search(r"\b2 out of 4\b", half.reason["en"])
    assert "14.5%" in criteria.operating_costs(facts(fundable_share=0.145)).reason["en"]
