"""The ranking of experts for a need (pure, no database), as tables of cases: each case an expert's
facts, the score expected and the reasons' codes; exclusions with their reason."""

from decimal import Decimal

import pytest
from django.utils import translation

from support.matching import ExpertFacts, NeedFacts, Organisation, conflict, normalise, rank, score


@pytest.fixture(autouse=True)
def _in_english():
    """The reasons are matched in English (the source language)."""
    with translation.override("en"):
        yield


NEED = NeedFacts(domain="mediation", regions=frozenset({"R76"}), remote_allowed=True, languages=frozenset({"fr"}),
                 members=(Organisation("Association Le Lien", "732829320"), Organisation("Jardins de Sète")))


def expert(**kwargs):
    base = {"id": 1, "name": "A", "domains": {"mediation": 3}, "regions": frozenset({"R76"}), "remote": True,
            "languages": frozenset({"fr"}), "capacity_hours": Decimal("28"), "booked_hours": Decimal("0"),
            "free_slots": 5}
    return ExpertFacts(**{**base, **kwargs})


# expert's facts, need's changes, expected score, expected codes (in order)
CASES = [
    ("senior on site, free", {}, {}, 40 + 20 + 10 + 15 + 15,
     ["domain", "territory", "languages", "free_slots", "load"]),
    ("confirmed level", {"domains": {"mediation": 2}}, {}, 25 + 20 + 10 + 15 + 15,
     ["domain", "territory", "languages", "free_slots", "load"]),
    ("practitioner", {"domains": {"mediation": 1}}, {}, 10 + 20 + 10 + 15 + 15,
     ["domain", "territory", "languages", "free_slots", "load"]),
    ("other région, remote allowed", {"regions": frozenset({"R11"})}, {}, 40 + 10 + 10 + 15 + 15,
     ["domain", "remote", "languages", "free_slots", "load"]),
    ("remote only, remote allowed", {"regions": frozenset(), "remote_only": True}, {}, 40 + 10 + 10 + 15 + 15,
     ["domain", "remote", "languages", "free_slots", "load"]),
    ("two free slots", {"free_slots": 2}, {}, 40 + 20 + 10 + 6 + 15,
     ["domain", "territory", "languages", "free_slots", "load"]),
    ("many free slots count up to five", {"free_slots": 40}, {}, 40 + 20 + 10 + 15 + 15,
     ["domain", "territory", "languages", "free_slots", "load"]),
    ("no free slot", {"free_slots": 0}, {}, 40 + 20 + 10 + 0 + 15,
     ["domain", "territory", "languages", "no_free_slot", "load"]),
    ("half booked", {"booked_hours": Decimal("14")}, {}, 40 + 20 + 10 + 15 + 8,
     ["domain", "territory", "languages", "free_slots", "load"]),
    ("fully booked", {"booked_hours": Decimal("30")}, {}, 40 + 20 + 10 + 15 + 0,
     ["domain", "territory", "languages", "free_slots", "full"]),
    ("some languages", {"languages": frozenset({"fr"})}, {"languages": frozenset({"fr", "oc"})},
     40 + 20 + 4 + 15 + 15, ["domain", "territory", "some_languages", "free_slots", "load"]),
]


@pytest.mark.parametrize(("label", "facts", "need", "expected", "codes"), CASES, ids=[c[0] for c in CASES])
def test_scores(label, facts, need, expected, codes):
    match = score(NeedFacts(**{**NEED.__dict__, **need}), expert(**facts))
    assert not match.excluded, match.exclusion
    assert match.score == expected
    assert match.codes() == codes
    assert sum(reason.points for reason in match.reasons) == match.score  # the score is explained


EXCLUSIONS = [
    ("not in the domain", {"domains": {"finance": 3}}, {}, "domain_missing", "Does not work in this domain"),
    ("below the minimum level", {"domains": {"mediation": 1}}, {"minimum_level": 2}, "level_too_low", "below"),
    ("elsewhere and not remote", {"regions": frozenset({"R11"}), "remote": False}, {}, "territory_missing",
     "neither"),
    ("remote only, need on site", {"remote_only": True}, {"remote_allowed": False}, "remote_not_allowed",
     "remotely only"),
    ("other région, need on site", {"regions": frozenset({"R11"})}, {"remote_allowed": False}, "territory_missing",
     "neither"),
    ("no common language", {"languages": frozenset({"en"})}, {}, "languages_missing", "none of the languages"),
    ("linked by SIREN", {"links": (Organisation("Le Lien (siège)", "732829320"),)}, {}, "conflict",
     "Association Le Lien"),
    ("linked by name", {"links": (Organisation("Les Jardins de Sète", ""),)}, {}, "conflict", "Jardins de Sète"),
    ("inactive", {"active": False}, {}, "inactive", "No longer active"),
]


@pytest.mark.parametrize(("label", "facts", "need", "code", "words"), EXCLUSIONS, ids=[c[0] for c in EXCLUSIONS])
def test_exclusions_show_their_reason(label, facts, need, code, words):
    match = score(NeedFacts(**{**NEED.__dict__, **need}), expert(**facts))
    assert match.excluded and match.score == 0
    assert code in match.codes()
    assert words in match.exclusion


def test_a_conflict_excludes_the_best_expert_and_the_ranking_puts_excluded_ones_last():
    experts = [
        expert(id=1, name="Best but linked", links=(Organisation("ASSOCIATION LE LIEN", ""),)),
        expert(id=2, name="Remote", regions=frozenset()),
        expert(id=3, name="On site"),
        expert(id=4, name="Finance", domains={"finance": 3}),
    ]
    ranked = rank(NEED, experts)
    assert [m.expert_id for m in ranked] == [3, 2, 1, 4]
    assert [m.excluded for m in ranked] == [False, False, True, True]
    assert "Association Le Lien" in ranked[2].exclusion


def test_ties_are_broken_by_name_then_id():
    ranked = rank(NEED, [expert(id=9, name="b"), expert(id=7, name="A"), expert(id=8, name="a")])
    assert [m.expert_id for m in ranked] == [7, 8, 9]


@pytest.mark.parametrize(("left", "right", "same"), [
    ("Association Le Lien", "LE LIEN", True),
    ("Les Jardins de Sète", "jardins de sete", True),
    ("Épicerie solidaire", "Epicerie Solidaire SAS", True),
    ("Le Lien", "Le Liant", False),
])
def test_names_are_compared_without_case_accents_or_legal_form(left, right, same):
    assert (normalise(left) == normalise(right)) is same


def test_no_conflict_without_a_link():
    assert conflict(NEED, expert()) is None
