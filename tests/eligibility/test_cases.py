"""A case is validated before anything else: the schema (a copy of the reference), dates, indexes."""

import json
from pathlib import Path

import pytest

from eligibility.cases import SCHEMA_PATH, CaseError, case_schema, validate_case
from tests.conftest import require

from .helpers import CASES_DIR, case

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO.parent / "shared" / "eligibility" / "application-case.schema.json"


def test_the_schema_is_an_exact_copy_of_the_reference():
    require(REFERENCE.exists(), f"the reference schema is not at {REFERENCE}")
    assert SCHEMA_PATH.read_bytes() == REFERENCE.read_bytes()


def test_the_schema_is_a_valid_draft_2020_12_schema():
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(case_schema())
    assert case_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", sorted(CASES_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_example_case_is_valid(path):
    validate_case(json.loads(path.read_text(encoding="utf-8")))


def _members_case(**member_changes):
    result = case()
    result["members"][0].update(member_changes)
    return result


def _without(field):
    def mutate(result):
        del result["members"][0][field]
        return result
    return mutate


INVALID = [
    ("an impossible date", case(decision_date="2026-02-30"), "/decision_date", "not a valid date"),
    ("a date in another format", case(call_opened_on="15/01/2026"), "/call_opened_on", "not a valid date"),
    ("a member index out of range",
     case(programmes=[{"title": "Paniers", "integration": "joint", "territories": ["59"],
                       "members_involved": [0, 3]}]),
     "/programmes/0/members_involved/1", "member 3 does not exist"),
    ("a missing required field", _without("role")(case()), "/members/0/role", "required"),
    ("a missing top-level field", {k: v for k, v in case().items() if k != "decision"}, "/decision", "required"),
    ("a wrong enum", case(kind="fusion"), "/kind", "'fusion' is not one of"),
    ("a wrong enum in a member", _members_case(role="chef"), "/members/0/role", "is not one of"),
    ("a field the schema does not know", _members_case(budget="12"), "/members/0/budget", "not part of"),
    ("a wrong type", case(years="3"), "/years", "is not of type integer"),
    ("a boolean for a number", case(years=True), "/years", "is not of type integer"),
    ("a value out of bounds", _members_case(voting_share=1.5), "/members/0/voting_share", "1.5"),
    ("a number that is not finite", _members_case(voting_share=float("nan")), "/members/0/voting_share",
     "not a number"),
    ("an amount with three decimals",
     case(budget=[{"year": 1, "category": "other", "amount": "10.123", "programme_cost": False}]),
     "/budget/0/amount", "does not match"),
    ("no member", case(members=[]), "/members", ""),
    ("not an object", ["a", "list"], "", "is not of type object"),
]


@pytest.mark.parametrize(("case_", "pointer", "words"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_an_invalid_case_raises_a_case_error_naming_the_field(case_, pointer, words):
    with pytest.raises(CaseError) as error:
        validate_case(case_)
    assert error.value.pointer == pointer
    assert str(error.value).startswith(f"{pointer or '/'}: ")
    assert words in error.value.message


def test_a_member_index_within_range_and_a_real_date_are_accepted():
    validate_case(case(decision_date="2024-02-29", call_opened_on="2026-01-15",
                       programmes=[{"title": "Paniers", "integration": "joint", "territories": ["59"],
                                    "members_involved": [0, 2]}]))
