"""Deriving facts from a case: what each fact means, the README's defaults, and the answers cited."""

import pickle
from copy import deepcopy
from decimal import Decimal

import pytest

from eligibility.facts import UNKNOWN, Facts, Family, case_to_facts

from .helpers import ELIGIBLE, case


def test_a_case_gives_its_facts_and_their_sources():
    f = case_to_facts(case(decision_date="2025-06-19", call_opened_on="2026-01-15"))
    assert f.family is Family.COALITION
    assert f.organisations == 3
    assert f.main_purpose == "joint_programmes"
    assert f.decided_after_call_opened is False
    assert f.shared_programme_on_ground is True and f.territorialised_programme is True
    assert f.fundable_share == 1
    assert f.members_outside_scope == 0
    assert f.both_sides is None
    assert f.sources["decided_after_call_opened"] == ("/decision_date", "/call_opened_on")
    assert f.sources["shared_programme_on_ground"] == ("/programmes/0/integration", "/programmes/0/territories")
    assert f.pointers("family", "organisations", "family") == ("/kind", "/members")


def test_absent_optional_answers_take_the_readme_defaults():
    f = case_to_facts(case())
    assert f.does_advocacy is False
    assert f.veto_holder is False
    assert f.max_years == 3
    assert f.decided_after_call_opened is None  # no timing check without the dates
    assert f.governance is UNKNOWN  # no governance and no voting share
    assert f.largest_voting_share is UNKNOWN
    assert f.sources["does_advocacy"] == ()  # a default rests on no answer


@pytest.mark.parametrize(("member", "outside"), [
    ({"non_profit": True}, 0),
    ({"non_profit": True, "general_interest": False}, 1),
    ({"non_profit": False}, 1),  # general_interest defaults to non_profit
    ({"non_profit": False, "general_interest": True}, 1),
    ({"non_profit": True, "general_interest": True}, 0),
])
def test_members_outside_the_non_profit_general_interest_scope(member, outside):
    result = case()
    result["members"][1].update(member, legal_form="company")
    assert case_to_facts(result).members_outside_scope == outside


@pytest.mark.parametrize(("shares", "largest", "add_up"), [
    ((0.6, 0.2, 0.2), 0.6, True),
    ((0.335, 0.335, 0.335), 0.335, True),  # 1.005: within 0.01
    ((0.34, 0.34, 0.34), 0.34, False),  # 1.02
    ((0.3, 0.3, 0.3), 0.3, False),
    ((1, 0, 0), 1.0, True),
])
def test_voting_shares(shares, largest, add_up):
    result = case()
    for member, share in zip(result["members"], shares, strict=True):
        member["voting_share"] = share
    f = case_to_facts(result)
    assert f.governance == "weighted"  # inferred from the shares when absent
    assert f.largest_voting_share == largest
    assert f.shares_add_up is add_up
    assert f.sources["largest_voting_share"] == tuple(f"/members/{i}/voting_share" for i in range(3))


def test_a_missing_share_leaves_the_shares_unknown():
    result = case(governance="weighted")
    result["members"][0]["voting_share"] = 0.5
    f = case_to_facts(result)
    assert f.largest_voting_share is UNKNOWN and f.shares_add_up is UNKNOWN
    assert f.sources["shares_add_up"] == ("/members/1", "/members/2")


@pytest.mark.parametrize(("vetoes", "expected"), [((), False), ((0,), True), ((0, 1), True), ((0, 1, 2), False)])
def test_a_veto_held_by_some_but_not_all_members(vetoes, expected):
    result = case()
    for i in vetoes:
        result["members"][i]["veto_holder"] = True
    assert case_to_facts(result).veto_holder is expected


@pytest.mark.parametrize(("programme", "shared", "territorialised"), [
    ({"integration": "joint", "territories": ["59"]}, True, True),
    ({"integration": "articulated", "territories": ["R32"]}, True, True),
    ({"integration": "coordinated", "territories": ["2A"], "members_involved": [0, 2]}, True, True),
    ({"integration": "joint", "territories": ["59"], "members_involved": [1]}, False, True),
    ({"integration": "joint", "territories": ["59"], "members_involved": [1, 1]}, False, True),
    ({"integration": "none", "territories": ["59", "62"]}, False, True),
    ({"integration": "joint", "territories": []}, False, False),
    ({"integration": "joint", "territories": ["national", "20", "R99"]}, False, False),  # not official codes
])
def test_shared_and_territorialised_programmes(programme, shared, territorialised):
    f = case_to_facts(case(programmes=[{"title": "Programme", **programme}]))
    assert f.shared_programme_on_ground is shared
    assert f.territorialised_programme is territorialised


def test_no_programme_at_all():
    f = case_to_facts(case(programmes=[]))
    assert f.shared_programme_on_ground is False and f.territorialised_programme is False
    assert f.sources["territorialised_programme"] == ("/programmes",)


def test_fundable_share_leaves_out_programme_costs_and_one_members_overhead():
    f = case_to_facts(case(budget=[
        {"year": 1, "category": "coordination_staff", "amount": "60000", "programme_cost": False},
        {"year": 1, "category": "other", "amount": "30000.50", "programme_cost": True},
        {"year": 2, "category": "facilitation", "amount": "9999.50", "programme_cost": False, "collective": False},
        {"year": 2, "category": "facilitation", "amount": "0", "programme_cost": False, "collective": True},
    ]))
    assert f.fundable_share == Decimal("0.6")
    assert f.sources["fundable_share"] == ("/budget/1", "/budget/2")


@pytest.mark.parametrize("budget", [[], [{"year": 1, "category": "other", "amount": "0.00", "programme_cost": False}]])
def test_an_empty_budget_leaves_the_fundable_share_unknown(budget):
    assert case_to_facts(case(budget=budget)).fundable_share is UNKNOWN


@pytest.mark.parametrize(("kind", "roles", "expected"), [
    ("merger_absorption", ("absorbing", "absorbed", "member"), True),
    ("merger_absorption", ("absorbing", "absorbing", "member"), False),
    ("transfer_takeover", ("transferring", "taking_over", "member"), True),
    ("transfer_takeover", ("transferring", "member", "member"), False),
    ("transmission", ("member", "member", "member"), True),
])
def test_both_sides_of_a_consolidation(kind, roles, expected):
    result = case(kind=kind, main_purpose="consolidation")
    for member, role in zip(result["members"], roles, strict=True):
        member["role"] = role
    f = case_to_facts(result)
    assert f.family is Family.CONSOLIDATION
    assert f.both_sides is expected


def test_a_transmission_needs_two_organisations():
    result = case(kind="transmission", main_purpose="consolidation")
    result["members"] = result["members"][:1]
    assert case_to_facts(result).both_sides is False


@pytest.mark.parametrize(("decided_on", "opened_on", "after"), [
    ("2026-02-10", "2026-01-15", True),
    ("2026-01-15", "2026-01-15", False),
    ("2025-06-19", "2026-01-15", False),
    ("2025-06-19", None, None),
    (None, "2026-01-15", None),
])
def test_decision_timing(decided_on, opened_on, after):
    answers = {k: v for k, v in {"decision_date": decided_on, "call_opened_on": opened_on}.items() if v}
    assert case_to_facts(case(**answers)).decided_after_call_opened is after


def test_the_same_case_gives_equal_facts_and_never_changes_the_case():
    answers = case(governance="weighted")
    before = deepcopy(answers)
    assert case_to_facts(answers) == case_to_facts(deepcopy(answers))
    assert answers == before


def test_facts_default_to_unknown_except_the_calls_own_rules():
    f = Facts()
    assert all(getattr(f, name) is UNKNOWN for name in Facts.names()
               if name not in ("max_years", "decided_after_call_opened"))
    assert f.max_years == 3 and f.decided_after_call_opened is None
    assert f.sources == {} and f.pointers("family") == ()


def test_unknown_has_no_truth_value_and_stays_one_object():
    with pytest.raises(TypeError):
        bool(UNKNOWN)
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN  # noqa: S301 (our own object)
    assert deepcopy(ELIGIBLE).largest_voting_share is UNKNOWN
    assert repr(UNKNOWN) == "UNKNOWN"


@pytest.mark.parametrize("changes", [
    {"main_purpose": "joint_programme"},
    {"family": "coalitions"},
    {"decision": "yes"},
    {"temporary": "no"},
    {"organisations": -1},
    {"organisations": True},
    {"largest_voting_share": 1.5},
    {"fundable_share": -0.1},
    {"both_sides": "yes"},
    {"shared_programme_on_ground": True, "territorialised_programme": False},
    {"sources": {"nope": ("/x",)}},
])
def test_facts_refuse_values_a_criterion_could_misread(changes):
    with pytest.raises(ValueError):
        Facts(**changes)


def test_facts_from_the_self_assessment_are_plain_keywords():
    f = Facts(family="coalition", organisations=4, main_purpose="joint_programmes", fundable_share=0.95)
    assert f.family is Family.COALITION
    assert f.fundable_share == Decimal("0.95")
    assert Facts(shared_programme_on_ground=True).territorialised_programme is True
    assert Facts(territorialised_programme=False).shared_programme_on_ground is False
