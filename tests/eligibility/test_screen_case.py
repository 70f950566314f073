"""`python manage.py screen_case FILE [--lang fr|en]`: the example collectives, the printed form, and
exit status 2 with the field named for a file that cannot be screened."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from eligibility.criteria import CRITERIA_ORDER, RULESET_VERSION, screen

from .helpers import CASES_DIR, case, resolve

# Every example collective: the verdict, and every finding that is not a pass (the rest pass).
EXPECTED = {
    # Eligible, including the traps.
    "coalition_egalitaire_alimentation_nord.json": ("eligible", {}),
    "grand_membre_voix_egales.json": ("eligible", {}),  # a budget 10x the others, but one member one vote
    "plaidoyer_et_programme_commun.json": ("eligible", {}),  # advocacy alongside a joint programme
    "fusion_deux_conseils_ont_vote.json": ("eligible", {}),
    "transmission_sur_deux_ans.json": ("eligible", {}),  # a transmission over two years
    # The five exclusions.
    "plaidoyer_sans_programme_terrain.json": ("ineligible", {"advocacy_only": "exclude", "off_ground": "review"}),
    "campagne_temporaire_elections.json": ("ineligible", {"advocacy_only": "exclude"}),
    "ralliance_vote_majoritaire.json": ("ineligible", {"ralliance": "exclude"}),
    "ralliance_droit_de_veto.json": ("ineligible", {"ralliance": "exclude"}),
    "collectif_hors_sol_sans_territoire.json": ("ineligible", {"off_ground": "exclude"}),
    "federation_tete_de_reseau_affilies.json": ("ineligible", {"federation": "exclude"}),
    "consortium_appels_a_projets.json": ("ineligible", {"fundraising_consortium": "exclude", "off_ground": "review"}),
    "mutualisation_de_locaux_seulement.json": ("ineligible",
                                               {"fundraising_consortium": "exclude", "off_ground": "review"}),
    # The five scope checks.
    "budget_surtout_programmes.json": ("ineligible", {"operating_costs": "exclude"}),
    "duree_au_dela_de_l_appel.json": ("ineligible", {"duration": "exclude"}),
    "collectif_en_exploration.json": ("ineligible", {"decided": "exclude"}),
    "fusion_un_seul_conseil_a_vote.json": ("needs_review", {"decided": "review"}),
    "coalition_formee_apres_ouverture_appel.json": ("needs_review", {"decided": "review"}),
    "collectif_une_seule_organisation.json": ("ineligible", {"members": "exclude", "off_ground": "review"}),
    "reprise_par_une_entreprise.json": ("ineligible", {"non_profit": "exclude"}),
    "coalition_avec_une_entreprise.json": ("needs_review", {"non_profit": "review"}),
}


def run(*args) -> dict:
    out = io.StringIO()
    call_command("screen_case", *map(str, args), stdout=out)
    return json.loads(out.getvalue())


def test_every_case_file_has_an_expectation_and_they_cover_every_criterion():
    assert sorted(p.name for p in CASES_DIR.glob("*.json")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 12
    not_passed = {criterion for _, findings in EXPECTED.values() for criterion in findings}
    assert not_passed == set(CRITERIA_ORDER)
    assert {v for v, _ in EXPECTED.values()} == {"eligible", "ineligible", "needs_review"}


@pytest.mark.parametrize(("name", "verdict", "not_passed"), [(n, *e) for n, e in EXPECTED.items()], ids=list(EXPECTED))
def test_each_example_collective_gets_its_verdict_through_screen_case(name, verdict, not_passed):
    path = CASES_DIR / name
    printed = run(path)
    assert printed["verdict"] == verdict
    assert printed["ruleset"] == RULESET_VERSION
    assert [f["criterion"] for f in printed["findings"]] == list(CRITERIA_ORDER)
    assert {f["criterion"]: f["result"] for f in printed["findings"] if f["result"] != "pass"} == not_passed
    answers = json.loads(path.read_text(encoding="utf-8"))
    for finding in printed["findings"]:
        assert finding["facts"], finding["criterion"]  # a finding from a file cites its answers
        for pointer in finding["facts"]:
            resolve(answers, pointer)


def test_the_output_is_the_readmes_json_with_reasons_in_the_chosen_language():
    path = CASES_DIR / "ralliance_vote_majoritaire.json"
    out = io.StringIO()
    call_command("screen_case", str(path), "--lang", "en", stdout=out)
    text = out.getvalue()
    outcome = screen(json.loads(path.read_text(encoding="utf-8")))
    assert text.rstrip("\n") == json.dumps(outcome.as_dict("en"), ensure_ascii=False, indent=2)
    ralliance = json.loads(text)["findings"][1]
    assert ralliance == {
        "criterion": "ralliance", "result": "exclude",
        "reason": "One member holds 60% of the votes, more than half: it decides for the others, who are not equals.",
        "facts": ["/governance", "/members/0/voting_share", "/members/1/voting_share", "/members/2/voting_share",
                  "/members/3/voting_share"],
    }


def test_reasons_are_in_french_by_default():
    path = CASES_DIR / "ralliance_vote_majoritaire.json"
    outcome = screen(json.loads(path.read_text(encoding="utf-8")))
    printed = run(path)
    assert [f["reason"] for f in printed["findings"]] == [f.reason["fr"] for f in outcome.findings]
    assert "60\u00a0%" in printed["findings"][1]["reason"]
    assert json.dumps(printed, ensure_ascii=False) == json.dumps(run(path, "--lang", "fr"), ensure_ascii=False)


def test_french_reasons_are_translated():
    """Every reason reads differently in French and in English (the catalogue has them all)."""
    for path in sorted(CASES_DIR.glob("*.json")):
        for finding in screen(json.loads(path.read_text(encoding="utf-8"))).findings:
            assert finding.reason["fr"] != finding.reason["en"], finding.reason["en"]


def write(tmp_path, content, name="case.json") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def _break_member(**changes):
    result = case()
    result["members"][0].update(changes)
    return result


def _without_member_field(field):
    result = case()
    del result["members"][0][field]
    return result


BAD_FILES = [
    ("an impossible date", case(decision_date="2026-02-30"), "/decision_date"),
    ("a member index out of range",
     case(programmes=[{"title": "Paniers", "integration": "joint", "territories": ["59"],
                       "members_involved": [0, 7]}]), "/programmes/0/members_involved/1"),
    ("a missing required field", _without_member_field("non_profit"), "/members/0/non_profit"),
    ("a wrong enum", case(main_purpose="lobbying"), "/main_purpose"),
    ("an unknown field", case(budget_total="12000"), "/budget_total"),
    ("a wrong type", _break_member(voting_share="0.5"), "/members/0/voting_share"),
    ("not JSON", "{\"name\": ", "not valid JSON"),
    ("NaN", json.dumps(case()).replace('"years": 3', '"years": NaN'), "NaN is not allowed"),
    ("not UTF-8", "Épicerie".encode("latin-1"), "not UTF-8"),
]


@pytest.mark.parametrize(("content", "named"), [row[1:] for row in BAD_FILES], ids=[row[0] for row in BAD_FILES])
def test_a_file_that_cannot_be_screened_exits_with_status_2_naming_the_field(tmp_path, content, named):
    path = write(tmp_path, content)
    with pytest.raises(CommandError) as error:
        run(path)
    assert error.value.returncode == 2
    assert named in str(error.value)
    assert str(path) in str(error.value)


def test_a_missing_file_exits_with_status_2(tmp_path):
    with pytest.raises(CommandError) as error:
        run(tmp_path / "absent.json")
    assert error.value.returncode == 2
    assert "cannot read" in str(error.value)


def test_from_the_command_line_the_error_goes_to_stderr_with_status_2(tmp_path, capsys):
    """Through `manage.py`'s own entry point (in this process: starting Django again takes seconds)."""
    path = write(tmp_path, case(decision_date="2026-02-30"))
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "screen_case", str(path)]).execute()
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "/decision_date: '2026-02-30' is not a valid date (YYYY-MM-DD)" in captured.err


def test_from_the_command_line_a_valid_file_prints_the_json(capsys):
    ManagementUtility(["manage.py", "screen_case", str(CASES_DIR / "transmission_sur_deux_ans.json"), "--lang", "en"]
                      ).execute()
    printed = json.loads(capsys.readouterr().out)
    assert printed["verdict"] == "eligible"
    assert printed["findings"][6]["reason"] == "Number of years asked: 2, within the call's limit of 3."
