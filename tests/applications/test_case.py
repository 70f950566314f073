"""`application_to_case`: schema-valid cases, the schema's codes, and the screening they give."""

from decimal import Decimal

import pytest

from applications import models, services
from applications.case import application_decision, application_to_case
from applications.models import MemberOrganisation
from applications.selectors import application_for_work
from eligibility.cases import case_schema, validate_case
from eligibility.services import screening_create

from .factories import complete_application

pytestmark = pytest.mark.django_db

SCHEMA = case_schema()["properties"]
MEMBER = SCHEMA["members"]["items"]["properties"]


@pytest.mark.parametrize("choices, enum", [
    (models.Kind, SCHEMA["kind"]["enum"]),
    (models.MainPurpose, SCHEMA["main_purpose"]["enum"]),
    (models.LegalForm, MEMBER["legal_form"]["enum"]),
    (models.MemberRole, MEMBER["role"]["enum"]),
    (models.Integration, SCHEMA["programmes"]["items"]["properties"]["integration"]["enum"]),
    (models.BudgetCategory, SCHEMA["budget"]["items"]["properties"]["category"]["enum"]),
    (models.Governance, SCHEMA["governance"]["enum"]),
    (models.DecisionStatus, SCHEMA["decision"]["enum"]),
])
def test_model_choices_are_the_schema_enums(choices, enum):
    assert set(choices.values) == set(enum)


def case_of(application):
    return application_to_case(application_for_work(application.pk))


@pytest.mark.parametrize("kwargs", [
    {"kind": "coalition"},
    {"kind": "alliance", "governance": "weighted", "shares": ["50", "50"]},
    {"kind": "merger_absorption"},
    {"kind": "transfer_takeover"},
    {"kind": "transmission"},
])
def test_complete_applications_give_valid_cases(kwargs):
    case = case_of(complete_application(**kwargs))
    validate_case(case)
    assert len(case["members"]) == 2 and case["programmes"][0]["territories"] == ["59", "62"]
    assert case["years"] == 3 and len(case["budget"]) == 6


def test_voting_shares_in_percent_become_fractions():
    case = case_of(complete_application(governance="weighted", shares=["55.5", "44.5"]))
    assert case["governance"] == "weighted"
    assert [m["voting_share"] for m in case["members"]] == pytest.approx([0.555, 0.445])


def test_consolidations_carry_no_governance_nor_shares():
    case = case_of(complete_application(kind="merger_absorption"))
    assert "governance" not in case
    assert all("voting_share" not in member for member in case["members"])


def test_decision_date_is_the_latest_and_decision_aggregates():
    application = complete_application()
    dates = [m.decision_date for m in application.members.all()]
    assert case_of(application)["decision_date"] == max(dates).isoformat()
    assert case_of(application)["decision"] == "decided"


@pytest.mark.parametrize("statuses, expected", [
    (["decided", "decided"], "decided"),
    (["decided", "in_progress"], "in_progress"),
    (["decided", "exploring"], "exploring"),
    (["in_progress", "exploring"], "exploring"),
    ([], None),
])
def test_decision_aggregation_rule(statuses, expected):
    assert application_decision([MemberOrganisation(decision_status=s) for s in statuses]) == expected


def test_a_clear_eligible_application_is_eligible():
    screening = screening_create(case=case_of(complete_application()))
    assert screening.verdict == "eligible"


def test_a_clear_ineligible_application_is_not():
    application = complete_application(governance="weighted", shares=["80", "20"])  # a "ralliance"
    user = application.created_by
    services.application_save(application=application, actor=user, main_purpose="sector_representation")
    screening = screening_create(case=case_of(application))
    assert screening.verdict == "ineligible"
    excluded = set(screening.findings.filter(result="exclude").values_list("criterion", flat=True))
    assert {"ralliance", "federation"} <= excluded


def test_programme_costs_are_marked_in_the_case():
    application = complete_application()
    services.budget_line_add(application=application, actor=application.created_by, year=1, category="other",
                             amount=Decimal("1000.00"), programme_cost=True, member_overhead=True)
    lines = [line for line in case_of(application)["budget"] if line["category"] == "other"]
    assert lines == [{"year": 1, "category": "other", "amount": "1000.00", "programme_cost": True,
                      "collective": False}]
