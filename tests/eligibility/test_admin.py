"""Staff read screenings in the admin, filter them, and override a verdict with a reason."""

import json
from datetime import date
from pathlib import Path

import pytest

from eligibility.criteria import screen_facts
from eligibility.facts import Facts
from eligibility.models import SelfAssessmentTally
from eligibility.services import screening_create, self_assessment_count
from joinforces.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CASES = Path(__file__).parent / "cases"


def load(name):
    return json.loads((CASES / name).read_text(encoding="utf-8"))


@pytest.fixture
def screenings():
    return {
        "ralliance": screening_create(case=load("ralliance_vote_majoritaire.json")),
        "eligible": screening_create(case=load("coalition_egalitaire_alimentation_nord.json")),
        "advocacy": screening_create(case=load("plaidoyer_sans_programme_terrain.json")),
    }


def test_the_list_filters_by_excluded_criterion_and_verdict(staff_client, screenings):
    page = staff_client.get("/admin/eligibility/screening/?excluded_by=ralliance").content.decode()
    assert screenings["ralliance"].name in page
    assert screenings["eligible"].name not in page and screenings["advocacy"].name not in page
    page = staff_client.get("/admin/eligibility/screening/?final_verdict=eligible").content.decode()
    assert screenings["eligible"].name in page and screenings["ralliance"].name not in page


def test_the_list_query_count_does_not_grow(staff_client, screenings, django_assert_max_num_queries):
    for _ in range(10):
        screening_create(case=load("ralliance_vote_majoritaire.json"))
    with django_assert_max_num_queries(14):
        assert staff_client.get("/admin/eligibility/screening/").status_code == 200


def test_the_detail_shows_each_finding_with_its_reason_and_answers(staff_client, screenings):
    screening = screenings["ralliance"]
    page = staff_client.get(f"/admin/eligibility/screening/{screening.pk}/change/").content.decode()
    finding = screening.findings.get(criterion="ralliance")
    assert finding.reason_fr in page.replace("&#x27;", "'").replace("&nbsp;", "\u00a0")
    assert finding.facts[0] in page
    assert "<code>/members/0/voting_share</code> = 0.6" in page  # the answer, as the case file says it
    assert "Exclut" in page and "Non éligible" in page


def test_staff_override_in_the_admin_is_audited(staff_client, staff, screenings):
    screening = screenings["ralliance"]
    url = f"/admin/eligibility/screening/{screening.pk}/change/"
    refused = staff_client.post(url, {"override_verdict": "eligible", "override_reason": ""})
    assert refused.status_code == 200 and "Écrivez pourquoi" in refused.content.decode()
    response = staff_client.post(url, {"override_verdict": "eligible", "override_reason": "Vu en comité."})
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.final_verdict == "eligible" and screening.override_reason == "Vu en comité."
    assert AuditEvent.objects.for_target(screening).filter(action="eligibility.overridden", actor=staff).exists()


def test_other_roles_cannot_open_screenings(applicant_client, donor_client, committee_client, expert_client,
                                            screenings):
    url = f"/admin/eligibility/screening/{screenings['ralliance'].pk}/change/"
    for client in (applicant_client, donor_client, committee_client, expert_client):
        assert client.get(url).status_code in (302, 403)
        assert client.get("/admin/eligibility/screening/").status_code in (302, 403)


def test_self_assessment_counts_are_charted_per_week_with_a_table(staff_client):
    eligible = screen_facts(Facts())  # every fact unknown: needs a review
    for _ in range(3):
        self_assessment_count(outcome=eligible, day=date.today())
    assert SelfAssessmentTally.objects.get(criterion="verdict", result="needs_review").count == 3
    page = staff_client.get("/admin/eligibility/selfassessmenttally/").content.decode()
    assert "<svg" in page and "<table" in page
    assert "Auto-évaluations sur les 12 dernières semaines : 3" in page


def test_counts_start_on_mondays():
    outcome = screen_facts(Facts())
    self_assessment_count(outcome=outcome, day=date(2026, 11, 27))  # a Friday
    self_assessment_count(outcome=outcome, day=date(2026, 11, 23))  # the Monday before
    assert set(SelfAssessmentTally.objects.values_list("week", flat=True)) == {date(2026, 11, 23)}
    assert SelfAssessmentTally.objects.get(criterion="verdict").count == 2
