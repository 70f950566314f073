"""Stored screenings: self-contained, reproducible, overridable with a reason, audited."""

import json
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from eligibility.cases import CaseError
from eligibility.criteria import CRITERIA_ORDER, RULESET_VERSION
from eligibility.models import Screening, ScreeningFinding
from eligibility.services import EligibilityError, screening_create, screening_override
from joinforces.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CASES = Path(__file__).parent / "cases"


def load(name):
    return json.loads((CASES / name).read_text(encoding="utf-8"))


def test_a_screening_stores_the_case_the_ruleset_the_findings_and_the_verdict(staff):
    case = load("ralliance_vote_majoritaire.json")
    screening = screening_create(case=case, actor=staff)
    screening.refresh_from_db()
    assert screening.case == case and screening.name == case["name"]
    assert screening.ruleset == RULESET_VERSION
    assert screening.verdict == "ineligible" and screening.final_verdict == "ineligible"
    findings = list(screening.findings.all())
    assert [f.criterion for f in findings] == list(CRITERIA_ORDER)
    ralliance = screening.findings.get(criterion="ralliance")
    assert ralliance.result == "exclude"
    assert ralliance.reason_fr and ralliance.reason_en and ralliance.reason_fr != ralliance.reason_en
    assert any(pointer.endswith("/voting_share") for pointer in ralliance.facts)
    event = AuditEvent.objects.for_target(screening).get()
    assert (event.action, event.actor, event.after) == (
        "eligibility.screened", staff, {"verdict": "ineligible", "ruleset": RULESET_VERSION})


def test_the_same_case_with_the_same_ruleset_gives_the_same_result():
    case = load("coalition_egalitaire_alimentation_nord.json")
    first, second = screening_create(case=case), screening_create(case=dict(reversed(list(case.items()))))
    assert first.case_digest == second.case_digest
    assert first.verdict == second.verdict == "eligible"
    rows = [list(s.findings.values_list("criterion", "result", "reason_fr", "reason_en", "facts"))
            for s in (first, second)]
    assert rows[0] == rows[1]


def test_an_invalid_case_is_refused_and_nothing_is_stored():
    case = load("coalition_egalitaire_alimentation_nord.json")
    case["decision_date"] = "2026-02-30"
    with pytest.raises(CaseError, match="decision_date"):
        screening_create(case=case)
    assert not Screening.objects.exists() and not ScreeningFinding.objects.exists()


def test_an_override_needs_a_reason_keeps_the_findings_and_is_audited(staff):
    screening = screening_create(case=load("ralliance_vote_majoritaire.json"))
    with pytest.raises(EligibilityError):
        screening_override(screening=screening, verdict="eligible", reason="  ", actor=staff)
    with pytest.raises(EligibilityError):
        screening_override(screening=screening, verdict="maybe", reason="Parce que", actor=staff)

    screening_override(screening=screening, verdict="needs_review",
                       reason="Les statuts en cours de révision donnent une voix par membre.", actor=staff)
    screening.refresh_from_db()
    assert (screening.verdict, screening.final_verdict) == ("ineligible", "needs_review")
    assert screening.overridden_by == staff and screening.overridden_at <= timezone.now()
    assert screening.findings.get(criterion="ralliance").result == "exclude"
    event = AuditEvent.objects.for_target(screening).get(action="eligibility.overridden")
    assert event.actor == staff
    assert event.before == {"verdict": "ineligible", "override_reason": None}
    assert event.after["verdict"] == "needs_review" and event.after["original_verdict"] == "ineligible"


def test_the_database_refuses_an_override_without_reason():
    screening = screening_create(case=load("ralliance_vote_majoritaire.json"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=screening.pk).update(override_verdict="eligible", overridden_at=timezone.now())


def test_the_database_keeps_one_finding_per_criterion():
    screening = screening_create(case=load("ralliance_vote_majoritaire.json"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningFinding.objects.create(screening=screening, position=99, criterion="ralliance", result="pass",
                                        reason_fr="x", reason_en="x")


def test_only_staff_see_screenings(staff, applicant, donor, committee_member):
    screening_create(case=load("ralliance_vote_majoritaire.json"))
    assert Screening.objects.visible_to(staff).count() == 1
    for user in (applicant, donor, committee_member):
        assert not Screening.objects.visible_to(user).exists()


def test_the_territory_codes_of_the_rules_are_the_reference_territories():
    """facts.py keeps a pure copy of the codes; it must match the territories loaded from the COG."""
    from eligibility.facts import TERRITORY_CODES
    from joinforces.core.models import Territory

    assert set(Territory.objects.values_list("code", flat=True)) == TERRITORY_CODES
