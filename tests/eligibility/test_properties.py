"""Property-based tests: any schema-valid case screens without error, the verdict is the worst finding,
and an unknown fact never gives `pass` (nor turns an exclusion around)."""

import copy
import json
from dataclasses import replace
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from eligibility.cases import CaseError, case_schema, validate_case
from eligibility.criteria import CRITERIA_ORDER, RULES, Result, Verdict, evaluate, screen, verdict
from eligibility.facts import (
    DECISIONS,
    GOVERNANCES,
    MAIN_PURPOSES,
    TERRITORY_CODES,
    UNKNOWN,
    Facts,
    Family,
    case_to_facts,
)

from .helpers import case, resolve

SCHEMA = case_schema()["properties"]


def enum(*path):
    node = SCHEMA
    for part in path:
        node = node[part]
    return st.sampled_from(node["enum"])


MEMBER = SCHEMA["members"]["items"]["properties"]
PROGRAMME = SCHEMA["programmes"]["items"]["properties"]
LINE = SCHEMA["budget"]["items"]["properties"]

# Mostly real dates, sometimes an impossible one (2026-02-30) that the validator must refuse.
dates = st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(2020, 2027), st.integers(1, 12), st.integers(1, 31))
amounts = st.builds("{}{}".format, st.integers(0, 10**7), st.sampled_from(["", ".5", ".05", ".50", ".99"]))
names = st.sampled_from(["Collectif Solidarités du Nord", "Épicerie Solidaire", "Réseau 31", "A", "Maison d’accueil"])
territories = st.lists(st.sampled_from(sorted(TERRITORY_CODES)) | st.sampled_from(["national", "20", "R99", ""]),
                       max_size=4)


def mostly(value, strategy):
    """`value` half of the time, so that generated cases reach every verdict, eligible included."""
    return st.just(value) | strategy


members = st.fixed_dictionaries(
    {"name": names, "legal_form": enum("members", "items", "properties", "legal_form"),
     "non_profit": mostly(True, st.booleans()),
     "role": st.sampled_from(MEMBER["role"]["enum"])},
    optional={"voting_share": st.floats(0, 1) | st.sampled_from([0, 1, 0.5, 1 / 3]), "annual_budget": amounts,
              "identifier": st.integers(0, 10**9 - 1).map("W{:09d}".format), "general_interest": st.booleans(),
              "veto_holder": mostly(False, st.booleans())},
)
lines = st.fixed_dictionaries(
    {"year": st.integers(1, 5), "category": st.sampled_from(LINE["category"]["enum"]), "amount": amounts,
     "programme_cost": mostly(False, st.booleans())},
    optional={"collective": st.booleans()},
)


def programmes(count: int):
    # Mostly existing members, sometimes one past the end (a schema error the validator must catch).
    index = st.integers(0, 9).map(lambda i: count if i == 9 else i % count)
    return st.fixed_dictionaries(
        {"title": names, "integration": st.sampled_from(PROGRAMME["integration"]["enum"]), "territories": territories},
        optional={"members_involved": st.lists(index, max_size=3)},
    )


@st.composite
def any_cases(draw):
    result = draw(st.fixed_dictionaries(
        {"name": names, "kind": enum("kind"), "main_purpose": mostly("joint_programmes", enum("main_purpose")),
         "temporary": mostly(False, st.booleans()), "decision": mostly("decided", enum("decision")),
         "members": st.lists(members, min_size=1, max_size=5), "years": mostly(2, st.integers(1, 10)),
         "budget": st.lists(lines, max_size=4)},
        optional={"does_advocacy": st.booleans(), "decision_date": dates, "call_opened_on": dates,
                  "call_max_years": st.integers(1, 10), "governance": enum("governance"),
                  "themes": st.lists(st.sampled_from(["food", "housing", "unknown_theme"]), max_size=2)},
    ))
    result["programmes"] = draw(st.lists(programmes(len(result["members"])), max_size=3))
    return result


@st.composite
def near_eligible_cases(draw):
    """An eligible coalition with a few answers changed: reaches the eligible and borderline verdicts."""
    result = case()
    result.update(draw(st.fixed_dictionaries({}, optional={
        "governance": enum("governance"), "decision_date": dates, "call_opened_on": dates,
        "does_advocacy": st.booleans(), "years": st.integers(1, 4), "call_max_years": st.integers(1, 4),
        "kind": st.sampled_from(["coalition", "alliance", "collective"]),
    })))
    weights = draw(st.none() | st.lists(st.integers(1, 10), min_size=3, max_size=3))
    if weights:
        for member, weight in zip(result["members"], weights, strict=True):
            member["voting_share"] = weight / sum(weights)
    result["budget"] += draw(st.lists(lines, max_size=2))
    return result


cases = any_cases() | near_eligible_cases()


def accepted(case) -> bool:
    try:
        validate_case(case)
    except CaseError:
        return False
    return True


valid_cases = cases.filter(accepted)


@given(cases)
def test_no_schema_valid_case_raises_and_the_verdict_is_the_worst_finding(case):
    try:
        validate_case(case)
    except CaseError as error:  # the only way a case is refused
        assert error.pointer == "" or error.pointer.startswith("/")
        assume(False)
    outcome = screen(case)
    results = {f.result for f in outcome.findings}
    worst = (Verdict.INELIGIBLE if Result.EXCLUDE in results else
             Verdict.NEEDS_REVIEW if Result.REVIEW in results else Verdict.ELIGIBLE)
    assert outcome.verdict is worst
    printed = json.loads(json.dumps(outcome.as_dict("fr"), ensure_ascii=False))
    assert list(printed) == ["verdict", "ruleset", "findings"]
    assert [f["criterion"] for f in printed["findings"]] == list(CRITERIA_ORDER)
    for finding in printed["findings"]:
        assert list(finding) == ["criterion", "result", "reason", "facts"]
        assert finding["result"] in {"pass", "exclude", "review"}
        assert finding["reason"]
        for pointer in finding["facts"]:
            resolve(case, pointer)  # every answer cited exists in the case


@given(valid_cases)
def test_the_same_case_twice_gives_the_same_outcome_and_is_left_untouched(case):
    before = copy.deepcopy(case)
    first, second = screen(case), screen(copy.deepcopy(case))
    assert first == second
    assert first.as_dict("en") == second.as_dict("en")
    assert case == before
    facts = case_to_facts(case)
    assert copy.deepcopy(facts) == facts == replace(facts)


# --- Facts with unknowns -------------------------------------------------------------------------------

SHARES = st.floats(0, 1) | st.sampled_from([0.0, 0.25, 1 / 3, 0.34, 0.5, 0.51, 1.0])
FUNDABLE = st.decimals(0, 1, places=3) | st.sampled_from([Decimal("0.49"), Decimal("0.5"), Decimal("0.9"), Decimal(1)])

VALUES = {
    "family": st.sampled_from(list(Family)),
    "organisations": st.integers(0, 12),
    "main_purpose": st.sampled_from(sorted(MAIN_PURPOSES)),
    "does_advocacy": st.booleans(),
    "temporary": st.booleans(),
    "decision": st.sampled_from(sorted(DECISIONS)),
    "decided_after_call_opened": st.sampled_from([True, False, None]),
    "governance": st.sampled_from(sorted(GOVERNANCES)),
    "largest_voting_share": SHARES,
    "shares_add_up": st.booleans(),
    "veto_holder": st.booleans(),
    "head_or_affiliate": st.booleans(),
    "shared_programme_on_ground": st.booleans(),
    "territorialised_programme": st.booleans(),
    "fundable_share": FUNDABLE,
    "years": st.integers(0, 12),
    "max_years": st.integers(1, 10),
    "members_outside_scope": st.integers(0, 12),
    "both_sides": st.sampled_from([True, False, None]),
}
assert set(VALUES) == set(Facts.names())


def consistent(values: dict) -> bool:
    return not (values["shared_programme_on_ground"] is True and values["territorialised_programme"] is False)


known_values = st.fixed_dictionaries(VALUES).filter(consistent)
partial_values = st.fixed_dictionaries({name: st.just(UNKNOWN) | values for name, values in VALUES.items()}).filter(
    consistent)
partial_facts = partial_values.map(lambda values: Facts(**values))


@given(partial_facts)
def test_the_verdict_of_any_facts_is_the_worst_finding(facts):
    findings = evaluate(facts)
    assert [f.criterion for f in findings] == list(CRITERIA_ORDER)
    results = [f.result for f in findings]
    expected = {Result.EXCLUDE: Verdict.INELIGIBLE, Result.REVIEW: Verdict.NEEDS_REVIEW, Result.PASS: Verdict.ELIGIBLE}
    worst = max(results, key=[Result.PASS, Result.REVIEW, Result.EXCLUDE].index)
    assert verdict(findings) is expected[worst]
    for finding in findings:  # every reason in French and in English, placeholders filled
        assert set(finding.reason) == {"fr", "en"}
        assert all(text.strip() and "%(" not in text for text in finding.reason.values())


@given(partial_facts, known_values)
def test_an_unknown_fact_never_gives_pass_nor_undoes_an_exclusion(partial, completion):
    """Whatever the unknown facts turn out to be, a pass stays a pass and an exclusion an exclusion:
    so a criterion passes only when the facts it needs are known."""
    filled = {name: completion[name] if getattr(partial, name) is UNKNOWN else getattr(partial, name)
              for name in Facts.names()}
    assume(consistent(filled))
    known = Facts(**filled)
    for before, after in zip(evaluate(partial), evaluate(known), strict=True):
        if before.result in (Result.PASS, Result.EXCLUDE):
            assert after.result is before.result, (before.criterion, partial, known)


@given(known_values)
def test_a_criterion_with_every_input_unknown_asks_for_a_review(values):
    for rule in RULES:
        facts = Facts(**{**values, **dict.fromkeys(rule.inputs, UNKNOWN)})
        assert rule.check(facts).result is Result.REVIEW, rule.code


class Recorder:
    """Facts that remember which facts a criterion read."""

    def __init__(self, facts):
        self._facts = facts
        self.read = set()

    def __getattr__(self, name):
        if name in Facts.names():
            self.read.add(name)
        return getattr(self._facts, name)


@given(partial_facts)
def test_each_criterion_reads_only_the_inputs_it_declares(facts):
    for rule in RULES:
        recorder = Recorder(facts)
        rule.check(recorder)
        assert recorder.read <= set(rule.inputs), rule.code
