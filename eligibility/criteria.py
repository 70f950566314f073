"""The eligibility criteria of JOIN FORCES, as pure functions of `Facts`.

One function per criterion code, in `CRITERIA_ORDER`: the five exclusions of the funder's text
(`advocacy_only`, `ralliance`, `off_ground`, `federation`, `fundraising_consortium`), then the scope
checks (`operating_costs`, `duration`, `decided`, `members`, `non_profit`). Each returns a `Finding`:
`pass`, `exclude` or `review`, a plain-language reason in French and in English, and the JSON pointers
of the answers it rests on. Clear cases pass or exclude; borderline ones go to a person (`review`).
A fact a criterion needs that is `UNKNOWN` never gives `pass`: `review` instead (or `exclude` when the
known facts already exclude). No ORM, no request, no settings: the same functions screen a submitted
application and answer the public self-assessment.

Thresholds (changing one changes `RULESET_VERSION`), each with the sentence of the funder's text
(`seeds/000_…txt`) it rests on:

- `MIN_ORGANISATIONS` = 2: at least two organisations, and for a consolidation both sides of it
  (`CONSOLIDATION_SIDES` in facts.py; a transmission needs two organisations).
  « soutenir financièrement des frais de fonctionnement (et non des programmes) liés au caractère
  collectif de l'intention d'impact - que cela concerne des coalitions, des alliances ou bien des
  rapprochements entre structures (fusion-absorption, cession et reprise, transmission) »
  A collective of one organisation has no collective character; a consolidation needs the structure
  that absorbs (takes over) and the one absorbed (transferred).

- `MAJORITY_SHARE` = 1/2 (exclude above it) and `BLOCKING_SHARE` = 1/3 (review from it):
  « “Ralliances” où un des acteurs suscite de manière asymétrique et verticale l'intégration d'autres
  acteurs qui viennent se joindre à lui sans avoir un statut d'égal dans des relations horizontales »
  A member holding more than half of the votes decides alone: the others are not equals (exclude). A
  member holding a third or more can block every decision that needs a two-thirds majority (the usual
  qualified majority for changing statutes), which is a strong asymmetry but not necessarily a vertical
  one: a person decides (review), unless every member holds an equal share (two members at one half
  each are equals). Below a third, weighted votes are taken as horizontal. A member that can block the
  collective's decisions alone (a veto that not every member holds) is excluded for the same reason.
  Shares are only read when votes are weighted; one member one vote and consensus are equal whatever
  the members' budgets. Shares that do not add up to 1 within `SHARES_TOLERANCE` = 0.01 (facts.py)
  give review, not an error (the README's settled meaning). Consolidations pass this criterion: they
  are judged by `decided` instead (settled meaning).

- `MIN_SHARED_PROGRAMME_MEMBERS` = 2 (facts.py): a programme is "shared on the ground" when its
  integration is joint, coordinated or articulated, it names at least one territory (an official code
  of a département, an overseas collectivity or a région), and at least two members run it.
  « Coalitions dédiées à du plaidoyer sans lien avec des programmes communs, coordonnés ou articulés
  sur le terrain de la part des acteurs participants, ou à des actions temporaires (grande cause,
  élections, financements) » and « Coalitions, alliances et collectifs “hors sol” ne s'incarnant pas
  dans des programmes territorialisés ».
  Advocacy as the main purpose with no shared programme on the ground, a campaign or a temporary
  collective: exclude. Advocacy as the main purpose alongside a shared programme, or advocacy on the
  side with no shared programme stated: review. A coalition with no territorialised programme:
  exclude; with territorialised programmes that each member runs on its own: review. A consolidation
  is anchored by the programmes of its organisations (review when none names a territory: the
  exclusion's wording names coalitions, the vision asks for programmes « ancrés sur des territoires »).

- Federations (no number): « Fédérations et têtes de réseaux qui permettent la défense d'intérêts
  corporatistes ou spécifiques communs à des types d'activités, ou l'essaimage ou la coordination
  d'acteurs “fils-filles” par rapport à un concept et une structure à vocation globale ».
  A main purpose of sector representation or of an affiliate network: exclude; members in the roles
  of network head and affiliates with another main purpose: review.

- Consortia (no number): « Coalitions, alliances et collectifs qui s'alignent principalement dans
  l'optique de consortiums, d'appels à projets et de collecte de fonds mutualisée sans intégration de
  leurs programmes d'action, ou qui partagent des lieux et des ressources communes sans chercher
  d'intégration plus poussée ». A main purpose of pooled fundraising, calls for projects or shared
  resources with no shared programme on the ground: exclude; with one (or not known): review.

- `FUNDABLE_SHARE_PASS` = 90 % and `FUNDABLE_SHARE_EXCLUDE` = 50 % of the budget's amount:
  « soutenir financièrement des frais de fonctionnement (et non des programmes) liés au caractère
  collectif de l'intention d'impact ». The fundable lines are those that pay for running the
  collective (not programme delivery, not one member's own overhead). When at least 90 % is fundable,
  the request is for operating costs of the collective and the few other lines are simply not funded
  (pass). When less than half is fundable, the request is mainly for programmes or for members'
  overheads (exclude). In between, a person looks at the budget (review).

- `MIN_YEARS` = 1 and the call's limit (`call_max_years`, 3 when absent): « et ce de manière
  pluriannuelle ». "Multi-year" describes what the funder offers, not a minimum (settled meaning):
  pass when 1 ≤ years ≤ the call's limit, exclude otherwise.

- Already decided (no number): « la priorité n'est pas de mettre autour de la table des acteurs qui
  “devraient” travailler ensemble, mais bien de financer et d'accompagner des organisations qui ont
  décidé résolument de le faire ». Decided: pass; some decisions still to be taken (for a
  consolidation, one board has voted and not the other): review; still exploring: exclude. A decision
  taken after the call opened suggests a collective formed for the funding: review. Without the
  decision date or the call's opening date there is no timing check (settled meaning).

- Non-profit members of general interest (no number): « au sein des coalitions et des consolidations
  d'acteurs de l'intérêt général ». Every member non-profit and of general interest: pass. A
  consolidation with a party outside that scope (money would move into or out of a for-profit
  structure), or a coalition where at least half of the members are outside it: exclude. A minority
  of such members in a coalition (a social enterprise among associations, say): review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from .cases import validate_case
from .facts import (
    MIN_SHARED_PROGRAMME_MEMBERS,
    SHARES_TOLERANCE,
    UNKNOWN,
    Facts,
    Family,
    case_to_facts,
)

#: The version of the rules; any change of a threshold or of a rule changes it.
RULESET_VERSION: Final = "2026.1"

MIN_ORGANISATIONS: Final = 2
MAJORITY_SHARE: Final = 0.5
BLOCKING_SHARE: Final = 1 / 3
FUNDABLE_SHARE_PASS: Final = Decimal("0.90")
FUNDABLE_SHARE_EXCLUDE: Final = Decimal("0.50")
MIN_YEARS: Final = 1
CONSORTIUM_PURPOSES: Final = frozenset({"fundraising", "calls_for_projects", "shared_resources"})

#: The thresholds of this ruleset, by name (a test pins them to `RULESET_VERSION`).
THRESHOLDS: Final[Mapping[str, Any]] = MappingProxyType({
    "MIN_ORGANISATIONS": MIN_ORGANISATIONS,
    "MAJORITY_SHARE": MAJORITY_SHARE,
    "BLOCKING_SHARE": BLOCKING_SHARE,
    "SHARES_TOLERANCE": SHARES_TOLERANCE,
    "MIN_SHARED_PROGRAMME_MEMBERS": MIN_SHARED_PROGRAMME_MEMBERS,
    "FUNDABLE_SHARE_PASS": FUNDABLE_SHARE_PASS,
    "FUNDABLE_SHARE_EXCLUDE": FUNDABLE_SHARE_EXCLUDE,
    "MIN_YEARS": MIN_YEARS,
})

#: The languages every reason is given in.
REASON_LANGUAGES: Final = ("fr", "en")


class Result(StrEnum):
    PASS = "pass"  # noqa: S105 (a result, not a password)
    EXCLUDE = "exclude"
    REVIEW = "review"


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True)
class Finding:
    """One criterion's finding: its code, the result, why (`{"fr": ..., "en": ...}`) and the JSON
    pointers of the answers it rests on (empty for facts given by hand, as in the self-assessment)."""

    criterion: str
    result: Result
    reason: Mapping[str, str] = field(hash=False)
    facts: tuple[str, ...] = ()

    def reason_in(self, lang: str) -> str:
        """The reason in `lang` ("fr" or "en"; any "en-…" gives English, anything else French)."""
        return self.reason["en"] if lang.startswith("en") else self.reason["fr"]

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {"criterion": self.criterion, "result": str(self.result), "reason": self.reason_in(lang),
                "facts": list(self.facts)}


@dataclass(frozen=True)
class Outcome:
    """The result of screening: the verdict, the ruleset it was reached with, one finding per criterion."""

    verdict: Verdict
    ruleset: str
    findings: tuple[Finding, ...]

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        """The README's printed form, with reasons in `lang`."""
        if lang not in REASON_LANGUAGES:
            raise ValueError(f"lang must be one of {REASON_LANGUAGES}, not {lang!r}")
        return {"verdict": str(self.verdict), "ruleset": self.ruleset,
                "findings": [finding.as_dict(lang) for finding in self.findings]}

    def finding(self, criterion: str) -> Finding:
        return next(f for f in self.findings if f.criterion == criterion)


class _Percent:
    """A share shown as a percentage in each language's way: "33,33 %" and "33.33%"."""

    def __init__(self, value: float | Decimal):
        self.value = value

    def format(self, lang: str) -> str:
        text = f"{round(float(self.value) * 100, 2):.2f}".rstrip("0").rstrip(".")
        return f"{text.replace('.', ',')}\u00a0%" if lang == "fr" else f"{text}%"


def _reason(message: str, params: Mapping[str, Any]) -> dict[str, str]:
    """`message` (marked with `gettext_noop`) translated into each language, then filled in."""
    reason = {}
    for lang in REASON_LANGUAGES:
        with translation.override(lang):
            text = gettext(message)
            if params:
                text %= {k: v.format(lang) if isinstance(v, _Percent) else v for k, v in params.items()}
            reason[lang] = text
    return reason


def _finding(code: str, result: Result, facts: Facts, rests_on: Iterable[str], message: str,
             **params: Any) -> Finding:
    return Finding(criterion=code, result=result, reason=_reason(message, params),
                   facts=facts.pointers(*rests_on))


PASS, EXCLUDE, REVIEW = Result.PASS, Result.EXCLUDE, Result.REVIEW


def advocacy_only(f: Facts) -> Finding:
    """Advocacy with no shared programme on the ground, or a temporary action."""
    code = "advocacy_only"
    purpose = f.main_purpose
    if purpose == "campaign":
        return _finding(code, EXCLUDE, f, ["main_purpose"], gettext_noop(
            "The collective is mainly a campaign (a great cause, an election or a fundraising drive): "
            "JOIN FORCES does not fund temporary actions."))
    if f.temporary is True:
        return _finding(code, EXCLUDE, f, ["temporary"], gettext_noop(
            "The collective is set up for a limited action with an end date: JOIN FORCES does not fund "
            "temporary actions (a great cause, elections, fundraising)."))
    if purpose is UNKNOWN or f.temporary is UNKNOWN:
        return _finding(code, REVIEW, f, ["main_purpose", "temporary"], gettext_noop(
            "What the members mainly do together, or whether the collective is temporary, is not known: "
            "a person will check that it is neither advocacy alone nor a temporary action."))
    shared = f.shared_programme_on_ground
    if purpose == "advocacy":
        rests_on = ["main_purpose", "shared_programme_on_ground"]
        if shared is False:
            return _finding(code, EXCLUDE, f, rests_on, gettext_noop(
                "The collective mainly does advocacy, and its members run no common, coordinated or "
                "articulated programme together on the ground."))
        if shared is True:
            return _finding(code, REVIEW, f, rests_on, gettext_noop(
                "The collective mainly does advocacy, but its members also run a programme together on the "
                "ground: a person will check how closely the advocacy is linked to it."))
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "The collective mainly does advocacy, and whether its members run a programme together on the "
            "ground is not known: a person will check."))
    if f.does_advocacy is False:
        return _finding(code, PASS, f, ["main_purpose", "does_advocacy", "temporary"], gettext_noop(
            "The collective is neither an advocacy coalition nor a temporary action."))
    if shared is True:
        rests_on = ["main_purpose", "does_advocacy", "temporary", "shared_programme_on_ground"]
        return _finding(code, PASS, f, rests_on, gettext_noop(
            "The members run a programme together on the ground, to which any advocacy of the collective "
            "is linked, and the collective is not a temporary action."))
    if f.does_advocacy is True:
        return _finding(code, REVIEW, f, ["does_advocacy", "shared_programme_on_ground"], gettext_noop(
            "The collective also does advocacy, but no programme run by its members together on the "
            "ground is stated: a person will check that the advocacy rests on shared programmes."))
    return _finding(code, REVIEW, f, ["does_advocacy", "shared_programme_on_ground"], gettext_noop(
        "Whether the collective does advocacy is not known, and no programme run by its members together "
        "on the ground is stated: a person will check."))


def ralliance(f: Facts) -> Finding:
    """One actor pulls the others in asymmetrically: most votes, or a veto of its own."""
    code = "ralliance"
    family = f.family
    if family is UNKNOWN:
        return _finding(code, REVIEW, f, ["family"], gettext_noop(
            "Whether this is a coalition or a consolidation is not known: a person will check that the "
            "members are equals."))
    if family == Family.CONSOLIDATION:
        return _finding(code, PASS, f, ["family"], gettext_noop(
            "A merger, a takeover or a transmission is judged on the decision of every party instead "
            "(see “already decided”)."))
    if f.veto_holder is True:
        return _finding(code, EXCLUDE, f, ["veto_holder"], gettext_noop(
            "One member can block the collective's decisions alone: the members are not equals."))
    governance, largest = f.governance, f.largest_voting_share
    weighted = ["governance", "largest_voting_share", "shares_add_up"]
    if (governance == "weighted" and f.shares_add_up is True and largest is not UNKNOWN
            and largest > MAJORITY_SHARE):
        return _finding(code, EXCLUDE, f, weighted, gettext_noop(
            "One member holds %(share)s of the votes, more than half: it decides for the others, who "
            "are not equals."), share=_Percent(largest))
    if f.veto_holder is UNKNOWN:
        return _finding(code, REVIEW, f, ["veto_holder"], gettext_noop(
            "Whether one member can block the collective's decisions alone is not known: a person will "
            "check that the members are equals."))
    if governance is UNKNOWN:
        return _finding(code, REVIEW, f, ["governance"], gettext_noop(
            "How the collective takes its decisions is not stated: a person will check that the members "
            "are equals."))
    if governance in ("one_member_one_vote", "consensus"):
        return _finding(code, PASS, f, ["governance", "veto_holder"], gettext_noop(
            "Every member has an equal say (one vote each, or consensus) and none can block the "
            "collective's decisions alone."))
    if f.shares_add_up is UNKNOWN or largest is UNKNOWN:
        return _finding(code, REVIEW, f, weighted, gettext_noop(
            "Votes are weighted but the members' shares are not all given: a person will check how the "
            "votes are shared."))
    if f.shares_add_up is False:
        return _finding(code, REVIEW, f, weighted, gettext_noop(
            "Votes are weighted but the members' shares do not add up to the whole of the votes: a "
            "person will check how the votes are shared."))
    organisations = f.organisations
    equal = organisations is not UNKNOWN and organisations > 0 and largest <= 1 / organisations + SHARES_TOLERANCE
    if largest >= BLOCKING_SHARE and not equal:
        return _finding(code, REVIEW, f, [*weighted, "organisations"], gettext_noop(
            "One member holds %(share)s of the votes, a third or more: it can block the decisions that "
            "need a two-thirds majority. A person will check that the members are equals."),
            share=_Percent(largest))
    if equal:
        return _finding(code, PASS, f, [*weighted, "organisations", "veto_holder"], gettext_noop(
            "Votes are weighted, but every member holds an equal share and none can block the "
            "collective's decisions alone."))
    return _finding(code, PASS, f, [*weighted, "veto_holder"], gettext_noop(
        "Votes are weighted and the largest share is %(share)s, less than a third: no member "
        "dominates the others."), share=_Percent(largest))


def off_ground(f: Facts) -> Finding:
    """A collective "off the ground", embodied in no territorialised programme."""
    code = "off_ground"
    shared, territorialised = f.shared_programme_on_ground, f.territorialised_programme
    if shared is True:
        return _finding(code, PASS, f, ["shared_programme_on_ground"], gettext_noop(
            "The members run a programme together on the ground, in named territories."))
    family = f.family
    rests_on = ["family", "territorialised_programme", "shared_programme_on_ground"]
    if family is UNKNOWN:
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "Whether this is a coalition or a consolidation is not known, and no programme run together "
            "on the ground is stated: a person will check how the collective is anchored on the ground."))
    if family == Family.COALITION:
        if territorialised is False:
            return _finding(code, EXCLUDE, f, rests_on, gettext_noop(
                "No programme is anchored in a named territory: JOIN FORCES does not fund collectives "
                "“off the ground”."))
        if territorialised is True and shared is False:
            return _finding(code, REVIEW, f, rests_on, gettext_noop(
                "The members run programmes in named territories, but each runs its own: a person will "
                "check that the collective itself is embodied on the ground."))
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "Whether the members run programmes together in named territories is not known: a person "
            "will check."))
    if territorialised is True:
        return _finding(code, PASS, f, ["family", "territorialised_programme"], gettext_noop(
            "The organisations coming together run programmes in named territories."))
    if territorialised is False:
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "No programme of the organisations coming together is anchored in a named territory: a "
            "person will check how they are anchored on the ground."))
    return _finding(code, REVIEW, f, rests_on, gettext_noop(
        "Whether the organisations coming together run programmes in named territories is not known: a "
        "person will check."))


def federation(f: Facts) -> Finding:
    """A federation or network head defending sector interests, or a parent spreading affiliates."""
    code = "federation"
    purpose = f.main_purpose
    if purpose == "sector_representation":
        return _finding(code, EXCLUDE, f, ["main_purpose"], gettext_noop(
            "The collective mainly represents its members' sector or corporate interests: JOIN FORCES does "
            "not fund federations or network heads."))
    if purpose == "affiliate_network":
        return _finding(code, EXCLUDE, f, ["main_purpose"], gettext_noop(
            "The collective mainly spreads or coordinates affiliates of one concept or parent structure: "
            "JOIN FORCES does not fund such networks."))
    if purpose is UNKNOWN:
        return _finding(code, REVIEW, f, ["main_purpose"], gettext_noop(
            "What the members mainly do together is not known: a person will check that this is not a "
            "federation or a network of affiliates."))
    if f.head_or_affiliate is True:
        return _finding(code, REVIEW, f, ["main_purpose", "head_or_affiliate"], gettext_noop(
            "The members include a network head and its affiliates: a person will check that they work "
            "as equals rather than as a parent structure and its branches."))
    if f.head_or_affiliate is UNKNOWN:
        return _finding(code, REVIEW, f, ["head_or_affiliate"], gettext_noop(
            "Whether a member is a network head or an affiliate is not known: a person will check that "
            "this is not a federation or a network of affiliates."))
    return _finding(code, PASS, f, ["main_purpose", "head_or_affiliate"], gettext_noop(
        "The collective is neither a federation defending sector interests nor a parent structure with "
        "its affiliates."))


def fundraising_consortium(f: Facts) -> Finding:
    """Joined mainly for calls for projects or pooled fundraising, or only sharing resources."""
    code = "fundraising_consortium"
    purpose, shared = f.main_purpose, f.shared_programme_on_ground
    rests_on = ["main_purpose", "shared_programme_on_ground"]
    if purpose in CONSORTIUM_PURPOSES:
        if shared is not False:
            return _finding(code, REVIEW, f, rests_on, gettext_noop(
                "The members mainly join forces to raise funds, answer calls for projects or share "
                "resources: a person will check whether their programmes on the ground are integrated."))
        if purpose == "fundraising":
            return _finding(code, EXCLUDE, f, rests_on, gettext_noop(
                "The members mainly join forces to raise funds together, without integrating their "
                "programmes."))
        if purpose == "calls_for_projects":
            return _finding(code, EXCLUDE, f, rests_on, gettext_noop(
                "The members mainly join forces to answer calls for projects or tenders as a consortium, "
                "without integrating their programmes."))
        return _finding(code, EXCLUDE, f, rests_on, gettext_noop(
            "The members mainly share premises, staff or services, without seeking further integration."))
    if purpose is UNKNOWN:
        return _finding(code, REVIEW, f, ["main_purpose"], gettext_noop(
            "What the members mainly do together is not known: a person will check that this is not "
            "mainly a consortium, pooled fundraising or shared premises."))
    return _finding(code, PASS, f, ["main_purpose"], gettext_noop(
        "The members do not join forces mainly to raise funds, answer calls for projects or share "
        "resources."))


def operating_costs(f: Facts) -> Finding:
    """The budget pays for running the collective, not programmes or one member's own overhead."""
    code = "operating_costs"
    share = f.fundable_share
    rests_on = ["fundable_share"]
    if share is UNKNOWN:
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "What the requested budget would pay for is not known: a person will check."))
    if share < FUNDABLE_SHARE_EXCLUDE:
        return _finding(code, EXCLUDE, f, rests_on, gettext_noop(
            "Only %(share)s of the budget pays for running the collective: JOIN FORCES funds the "
            "collective's operating costs, not programme delivery or one member's own overhead."),
            share=_Percent(share))
    if share < FUNDABLE_SHARE_PASS:
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "%(share)s of the budget pays for running the collective; the rest pays for programme "
            "delivery or one member's own overhead, which JOIN FORCES does not fund: a person will check "
            "the budget."), share=_Percent(share))
    if share == 1:
        return _finding(code, PASS, f, rests_on, gettext_noop(
            "The whole budget pays for running the collective."))
    return _finding(code, PASS, f, rests_on, gettext_noop(
        "%(share)s of the budget pays for running the collective; the rest (programme delivery or one "
        "member's own overhead) will not be funded."), share=_Percent(share))


def duration(f: Facts) -> Finding:
    """From one year up to the call's limit."""
    code = "duration"
    years, max_years = f.years, f.max_years
    rests_on = ["years", "max_years"]
    if years is not UNKNOWN and years < MIN_YEARS:
        return _finding(code, EXCLUDE, f, ["years"], gettext_noop(
            "Number of years asked: %(years)s; it must be at least 1."), years=years)
    if years is UNKNOWN or max_years is UNKNOWN:
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "The number of years asked, or the call's limit, is not known: a person will check."))
    if years > max_years:
        return _finding(code, EXCLUDE, f, rests_on, gettext_noop(
            "Number of years asked: %(years)s, more than the call's limit of %(max_years)s."),
            years=years, max_years=max_years)
    return _finding(code, PASS, f, rests_on, gettext_noop(
        "Number of years asked: %(years)s, within the call's limit of %(max_years)s."),
        years=years, max_years=max_years)


def decided(f: Facts) -> Finding:
    """The members have already decided to join forces: JOIN FORCES does not make collectives emerge."""
    code = "decided"
    decision = f.decision
    if decision == "exploring":
        return _finding(code, EXCLUDE, f, ["decision"], gettext_noop(
            "The members are still looking for partners or weighing the idea: JOIN FORCES funds "
            "organisations that have already decided to join forces, and does not make collectives emerge."))
    if decision is UNKNOWN:
        return _finding(code, REVIEW, f, ["decision"], gettext_noop(
            "Whether the members have already decided to join forces is not known: a person will check."))
    if decision == "in_progress":
        return _finding(code, REVIEW, f, ["decision"], gettext_noop(
            "Some of the decisions to join forces are still to be taken (for instance one board has voted "
            "and another not yet): a person will check how far along they are."))
    after = f.decided_after_call_opened
    rests_on = ["decision", "decided_after_call_opened"]
    if after is True:
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "The members decided to join forces after the call opened: a person will check that the "
            "collective was not formed for the funding."))
    if after is UNKNOWN:
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "The members have decided to join forces, but whether they did so before or after the call "
            "opened is not known: a person will check."))
    if after is False:
        return _finding(code, PASS, f, rests_on, gettext_noop(
            "Every member has decided to join forces, before the call opened."))
    return _finding(code, PASS, f, ["decision"], gettext_noop(
        "Every member's governing body has decided to join forces, or the agreement is signed."))


def members(f: Facts) -> Finding:
    """At least two organisations, and both sides of a consolidation."""
    code = "members"
    organisations, family = f.organisations, f.family
    if organisations is not UNKNOWN and organisations < MIN_ORGANISATIONS:
        return _finding(code, EXCLUDE, f, ["organisations"], gettext_noop(
            "Fewer than two organisations take part: a collective, like a consolidation, needs at least "
            "two."))
    if organisations is UNKNOWN or family is UNKNOWN:
        return _finding(code, REVIEW, f, ["organisations", "family"], gettext_noop(
            "The number of organisations taking part, or whether this is a coalition or a consolidation, "
            "is not known: a person will check."))
    if family == Family.COALITION:
        return _finding(code, PASS, f, ["organisations"], gettext_noop(
            "%(count)s organisations take part."), count=organisations)
    rests_on = ["family", "organisations", "both_sides"]
    if f.both_sides is True:
        return _finding(code, PASS, f, rests_on, gettext_noop(
            "Both sides of the consolidation take part (%(count)s organisations)."), count=organisations)
    if f.both_sides is False:
        return _finding(code, REVIEW, f, rests_on, gettext_noop(
            "The members' roles do not show both sides of the consolidation (for instance the absorbing "
            "and the absorbed organisation): a person will check."))
    return _finding(code, REVIEW, f, rests_on, gettext_noop(
        "Whether both sides of the consolidation take part is not known: a person will check."))


def non_profit(f: Facts) -> Finding:
    """Non-profit members serving the general interest."""
    code = "non_profit"
    outside, organisations, family = f.members_outside_scope, f.organisations, f.family
    if outside is UNKNOWN:
        return _finding(code, REVIEW, f, ["members_outside_scope"], gettext_noop(
            "Whether every member is a non-profit organisation serving the general interest is not known: "
            "a person will check."))
    if outside == 0:
        return _finding(code, PASS, f, ["members_outside_scope"], gettext_noop(
            "Every member is a non-profit organisation serving the general interest."))
    if family == Family.CONSOLIDATION:
        return _finding(code, EXCLUDE, f, ["family", "members_outside_scope"], gettext_noop(
            "A party to this consolidation is not a non-profit organisation serving the general interest: "
            "JOIN FORCES funds consolidations between actors of general interest."))
    if organisations is not UNKNOWN and 2 * outside >= organisations:
        return _finding(code, EXCLUDE, f, ["organisations", "members_outside_scope"], gettext_noop(
            "At least half of the members (%(outside)s out of %(count)s) are not non-profit organisations "
            "serving the general interest."), outside=outside, count=organisations)
    if organisations is UNKNOWN or family is UNKNOWN:
        return _finding(code, REVIEW, f, ["family", "organisations", "members_outside_scope"], gettext_noop(
            "At least one member is not a non-profit organisation serving the general interest: a person "
            "will check its place in the collective."))
    return _finding(code, REVIEW, f, ["organisations", "members_outside_scope"], gettext_noop(
        "Some members (%(outside)s out of %(count)s) are not non-profit organisations serving the general "
        "interest: a person will check their place in the collective."), outside=outside, count=organisations)


@dataclass(frozen=True)
class Rule:
    """A criterion: its code, its function, and every fact it may read (`inputs`)."""

    code: str
    check: Callable[[Facts], Finding]
    inputs: tuple[str, ...]
    exclusion: bool


RULES: Final[tuple[Rule, ...]] = (
    Rule("advocacy_only", advocacy_only,
         ("main_purpose", "temporary", "does_advocacy", "shared_programme_on_ground"), exclusion=True),
    Rule("ralliance", ralliance,
         ("family", "veto_holder", "governance", "largest_voting_share", "shares_add_up", "organisations"),
         exclusion=True),
    Rule("off_ground", off_ground, ("family", "shared_programme_on_ground", "territorialised_programme"),
         exclusion=True),
    Rule("federation", federation, ("main_purpose", "head_or_affiliate"), exclusion=True),
    Rule("fundraising_consortium", fundraising_consortium, ("main_purpose", "shared_programme_on_ground"),
         exclusion=True),
    Rule("operating_costs", operating_costs, ("fundable_share",), exclusion=False),
    Rule("duration", duration, ("years", "max_years"), exclusion=False),
    Rule("decided", decided, ("decision", "decided_after_call_opened"), exclusion=False),
    Rule("members", members, ("organisations", "family", "both_sides"), exclusion=False),
    Rule("non_profit", non_profit, ("members_outside_scope", "organisations", "family"), exclusion=False),
)

#: The criterion codes, in the order findings are given.
CRITERIA_ORDER: Final[tuple[str, ...]] = tuple(rule.code for rule in RULES)
EXCLUSIONS: Final[tuple[str, ...]] = tuple(rule.code for rule in RULES if rule.exclusion)
SCOPE_CHECKS: Final[tuple[str, ...]] = tuple(rule.code for rule in RULES if not rule.exclusion)


def evaluate(facts: Facts) -> tuple[Finding, ...]:
    """One finding per criterion, in `CRITERIA_ORDER`."""
    return tuple(rule.check(facts) for rule in RULES)


def verdict(findings: Iterable[Finding]) -> Verdict:
    """The worst finding: any exclude gives ineligible, else any review needs_review, else eligible."""
    results = {finding.result for finding in findings}
    if Result.EXCLUDE in results:
        return Verdict.INELIGIBLE
    if Result.REVIEW in results:
        return Verdict.NEEDS_REVIEW
    return Verdict.ELIGIBLE


def screen_facts(facts: Facts) -> Outcome:
    """The outcome for facts given directly (the self-assessment)."""
    findings = evaluate(facts)
    return Outcome(verdict=verdict(findings), ruleset=RULESET_VERSION, findings=findings)


def screen(case: dict[str, Any]) -> Outcome:
    """Validate a case (`CaseError` when it breaks the schema), derive its facts, run every criterion."""
    validate_case(case)
    return screen_facts(case_to_facts(case))
