"""The public self-assessment: no account, plain questions, the same criteria as screen_case."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from eligibility.criteria import CRITERIA_ORDER, Result, screen_facts
from eligibility.facts import UNKNOWN
from eligibility.models import Screening, SelfAssessmentTally
from eligibility.self_assessment import DONT_KNOW, QUESTIONS, answers_to_facts

pytestmark = pytest.mark.django_db

CASES = Path(__file__).parent / "cases"
URL = "/eligibilite/"

EQUAL_COALITION = {
    "kind": "coalition", "organisations": "3", "main_purpose": "joint_programmes", "does_advocacy": "no",
    "temporary": "no", "network_head": "no", "programmes": "shared", "governance": "one_member_one_vote",
    "decision": "decided", "members_scope": "all", "budget": "collective", "years": "3",
}

# Each case file, and the answers a person from that collective would give.
AGREEMENT = {
    "coalition_egalitaire_alimentation_nord.json": EQUAL_COALITION,
    "grand_membre_voix_egales.json": EQUAL_COALITION,
    "ralliance_vote_majoritaire.json": {**EQUAL_COALITION, "governance": "weighted_majority"},
    "ralliance_droit_de_veto.json": {**EQUAL_COALITION, "governance": "veto"},
    "plaidoyer_sans_programme_terrain.json": {**EQUAL_COALITION, "main_purpose": "advocacy", "does_advocacy": "yes",
                                               "programmes": "own", "governance": "consensus"},
    "campagne_temporaire_elections.json": {**EQUAL_COALITION, "main_purpose": "campaign", "does_advocacy": "yes",
                                            "temporary": "yes", "governance": "consensus", "years": "1"},
    "budget_surtout_programmes.json": {**EQUAL_COALITION, "governance": "consensus", "budget": "programmes"},
    "collectif_en_exploration.json": {**EQUAL_COALITION, "organisations": "2", "governance": "consensus",
                                      "decision": "exploring"},
    "fusion_un_seul_conseil_a_vote.json": {**EQUAL_COALITION, "kind": "merger_absorption", "organisations": "2",
                                           "main_purpose": "consolidation", "governance": DONT_KNOW,
                                           "decision": "in_progress"},
    "reprise_par_une_entreprise.json": {**EQUAL_COALITION, "kind": "transfer_takeover", "organisations": "2",
                                        "main_purpose": "consolidation", "governance": DONT_KNOW,
                                        "members_scope": "some", "years": "2"},
}


def screen_case(name):
    out = io.StringIO()
    call_command("screen_case", str(CASES / name), stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(("case_file", "answers"), AGREEMENT.items())
def test_the_self_assessment_and_screen_case_agree(case_file, answers):
    case = json.loads((CASES / case_file).read_text(encoding="utf-8"))
    answers = {**answers, "kind": case["kind"]}  # the person names their own kind of collective
    printed = screen_case(case_file)
    outcome = screen_facts(answers_to_facts(answers))
    assert str(outcome.verdict) == printed["verdict"]
    assert {f.criterion: str(f.result) for f in outcome.findings} == {
        f["criterion"]: f["result"] for f in printed["findings"]}


def test_i_dont_know_never_passes_the_criteria_that_need_the_answer():
    answers = {question.name: DONT_KNOW for question in QUESTIONS if question.dont_know}
    answers.update(kind="coalition", organisations="3")
    facts = answers_to_facts(answers)
    assert facts.main_purpose is UNKNOWN and facts.fundable_share is UNKNOWN
    outcome = screen_facts(facts)
    results = {f.criterion: f.result for f in outcome.findings}
    assert str(outcome.verdict) == "needs_review"
    assert results["members"] == Result.PASS  # three organisations: known
    for criterion in CRITERIA_ORDER:
        if criterion != "members":
            assert results[criterion] != Result.PASS, criterion


def test_the_page_asks_the_questions_in_french_without_an_account(client):
    page = client.get(URL).content.decode()
    assert "JOIN FORCES est-il fait pour vous ?" in page
    assert page.count("<fieldset") == len(QUESTIONS) == 12
    assert page.count('value="dont_know"') == sum(q.dont_know for q in QUESTIONS)
    assert "Je ne sais pas" in page


def test_an_eligible_collective_is_told_so_and_invited_to_apply(client):
    page = client.post(URL, EQUAL_COALITION).content.decode()
    assert "JOIN FORCES finance probablement ce que vous faites" in page
    assert reverse("account_signup") in page


def test_an_excluded_collective_learns_why_and_who_might_fund_it(client):
    answers = {**EQUAL_COALITION, "main_purpose": "advocacy", "does_advocacy": "yes", "programmes": "none"}
    page = client.post(URL, answers).content.decode()
    assert "JOIN FORCES n’est probablement pas le bon financeur" in page
    assert "plaidoyer" in page
    assert "Que faire :" in page  # guidance toward other funders


def test_nothing_personal_is_kept_only_weekly_counts(client):
    client.post(URL, EQUAL_COALITION)
    client.post(URL, {**EQUAL_COALITION, "decision": "exploring"})
    assert not Screening.objects.exists()
    verdicts = dict(SelfAssessmentTally.objects.filter(criterion="verdict").values_list("result", "count"))
    assert verdicts == {"eligible": 1, "ineligible": 1}
    assert SelfAssessmentTally.objects.get(criterion="decided", result="exclude").count == 1
    fields = {field.name for field in SelfAssessmentTally._meta.get_fields()}
    assert fields == {"id", "week", "criterion", "result", "count"}


def test_missing_answers_are_asked_again_and_not_counted(client):
    response = client.post(URL, {"kind": "coalition"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez une réponse" in page
    assert not SelfAssessmentTally.objects.exists()


def test_with_htmx_the_result_comes_as_a_fragment(client):
    response = client.post(URL, EQUAL_COALITION, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert 'id="result-title"' in response.content.decode()
    invalid = client.post(URL, {"kind": "coalition"}, headers={"HX-Request": "true"})
    assert invalid["HX-Retarget"] == "#self-assessment-form" and invalid["HX-Reswap"] == "outerHTML"


def test_the_self_assessment_is_rate_limited(client):
    statuses = [client.post(URL, EQUAL_COALITION).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_english_speakers_get_it_in_english(client):
    client.post(reverse("portal:set_language"), {"language": "en", "next": URL})
    page = client.post(URL, EQUAL_COALITION).content.decode()
    assert "JOIN FORCES probably funds what you do" in page
