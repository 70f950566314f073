"""Ranking experts for a need: a pure function of plain data (no ORM, no request), which explains
every point of its score. Selectors build the facts; the matching page shows the reasons.

    ranked = rank(need, experts)   # best first; excluded experts last, each with the reason

The score (out of 100) adds up, each part with its reason:

| part        | points | rule                                                                                 |
|-------------|--------|--------------------------------------------------------------------------------------|
| domain      | 10–40  | the expert's level in the need's domain (1: 10, 2: 25, 3: 40); absent or below the   |
|             |        | need's minimum level: excluded                                                       |
| territory   | 0–20   | on site in one of the initiative's régions: 20; remote when the need allows it: 10;  |
|             |        | neither: excluded                                                                     |
| languages   | 0–10   | speaks every language of the need: 10; some: 4; none: excluded                        |
| free slots  | 0–15   | 3 points a free slot in the wanted window, up to 5 slots; none: 0 (not excluded)      |
| load        | 0–15   | 15 × the share of the month's capacity still free; full: 0 (not excluded)             |

A conflict of interest (the expert is linked to one of the initiative's member organisations, by
SIREN or by name) excludes the expert whatever the score, and the reason names the organisation. So
does an inactive expert. Ties are broken by name, then id, so the order is stable.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

LEVEL_POINTS = {1: 10, 2: 25, 3: 40}
ON_SITE_POINTS = 20
REMOTE_POINTS = 10
ALL_LANGUAGES_POINTS = 10
SOME_LANGUAGES_POINTS = 4
POINTS_PER_SLOT = 3
MAX_SLOTS_COUNTED = 5
LOAD_POINTS = 15


@dataclass(frozen=True)
class Organisation:
    name: str
    siren: str = ""


@dataclass(frozen=True)
class NeedFacts:
    domain: str
    regions: frozenset  # the initiative's régions, as "R76" codes
    remote_allowed: bool = True
    languages: frozenset = frozenset({"fr"})
    minimum_level: int = 1
    members: tuple = ()  # the initiative's member organisations (Organisation)


@dataclass(frozen=True)
class ExpertFacts:
    id: int
    name: str
    domains: dict  # domain -> level (1 to 3)
    regions: frozenset = frozenset()  # régions covered on site ("R76"; départements counted in their région)
    remote: bool = True
    remote_only: bool = False
    languages: frozenset = frozenset({"fr"})
    capacity_hours: Decimal = Decimal("28")
    booked_hours: Decimal = Decimal("0")  # this month
    free_slots: int = 0  # in the wanted window
    links: tuple = ()  # organisations the expert is linked to (Organisation)
    active: bool = True


@dataclass(frozen=True)
class Reason:
    code: str
    points: int
    text: str


@dataclass
class Match:
    expert: ExpertFacts
    score: int = 0
    reasons: list = field(default_factory=list)
    excluded: bool = False
    exclusion: str = ""

    @property
    def expert_id(self) -> int:
        return self.expert.id

    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]


def normalise(name: str) -> str:
    """An organisation's name compared without case, accents, punctuation or legal-form words."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = [w for w in text.split() if w not in {"association", "asso", "sas", "sarl", "scop", "scic", "sa", "l",
                                                    "la", "le", "les", "de", "des", "du", "d"}]
    return " ".join(words)


def conflict(need: NeedFacts, expert: ExpertFacts) -> Organisation | None:
    """The member organisation the expert is linked to, if any (same SIREN, or same name)."""
    for member in need.members:
        for link in expert.links:
            if member.siren and link.siren and member.siren == link.siren:
                return member
            if normalise(member.name) and normalise(member.name) == normalise(link.name):
                return member
    return None


def score(need: NeedFacts, expert: ExpertFacts) -> Match:
    match = Match(expert=expert)

    def add(code, points, text):
        match.reasons.append(Reason(code, points, text))
        match.score += points

    def exclude(code, text):
        match.reasons.append(Reason(code, 0, text))
        if not match.excluded:
            match.excluded, match.exclusion = True, text

    if not expert.active:
        exclude("inactive", _("No longer active in the resource centre."))
    member = conflict(need, expert)
    if member is not None:
        exclude("conflict", _("Conflict of interest: linked to %(organisation)s, a member of the initiative.")
                % {"organisation": member.name})
    # Domain and level.
    level = expert.domains.get(need.domain)
    if level is None:
        exclude("domain_missing", _("Does not work in this domain."))
    elif level < need.minimum_level:
        exclude("level_too_low", _("Level %(level)s in this domain, below the level asked (%(minimum)s).")
                % {"level": level, "minimum": need.minimum_level})
    else:
        add("domain", LEVEL_POINTS[level], _("Level %(level)s of 3 in this domain.") % {"level": level})
    # Territory, or remote.
    on_site = not expert.remote_only and bool(expert.regions & need.regions)
    if on_site:
        add("territory", ON_SITE_POINTS, _("Works on site in the initiative's région."))
    elif expert.remote and need.remote_allowed:
        add("remote", REMOTE_POINTS, _("Works remotely, which this need allows."))
    elif expert.remote_only:
        exclude("remote_not_allowed", _("Works remotely only, and this need is on site."))
    else:
        exclude("territory_missing", _("Works neither in the initiative's régions nor remotely."))
    # Languages.
    wanted = need.languages or frozenset({"fr"})
    spoken = wanted & expert.languages
    if spoken == wanted:
        add("languages", ALL_LANGUAGES_POINTS, _("Speaks every language asked."))
    elif spoken:
        add("some_languages", SOME_LANGUAGES_POINTS,
            _("Speaks some of the languages asked (%(languages)s).") % {"languages": ", ".join(sorted(spoken))})
    else:
        exclude("languages_missing", _("Speaks none of the languages asked."))
    # Free slots in the wanted window.
    if expert.free_slots:
        counted = min(expert.free_slots, MAX_SLOTS_COUNTED)
        add("free_slots", POINTS_PER_SLOT * counted,
            _("%(count)s free slot(s) in the wanted window.") % {"count": expert.free_slots})
    else:
        add("no_free_slot", 0, _("No free slot in the wanted window."))
    # Load against capacity.
    capacity = Decimal(expert.capacity_hours)
    booked = Decimal(expert.booked_hours)
    if capacity <= 0 or booked >= capacity:
        add("full", 0, _("Fully booked this month (%(booked)s h of %(capacity)s h).")
            % {"booked": _hours(booked), "capacity": _hours(capacity)})
    else:
        points = int((LOAD_POINTS * (capacity - booked) / capacity).to_integral_value(rounding="ROUND_HALF_UP"))
        add("load", points, _("Booked %(booked)s h of %(capacity)s h this month.")
            % {"booked": _hours(booked), "capacity": _hours(capacity)})
    if match.excluded:
        match.score = 0
    return match


def _hours(value: Decimal) -> str:
    value = Decimal(value).quantize(Decimal("0.1"))
    return str(value.normalize() if value == value.to_integral() else value)


def rank(need: NeedFacts, experts) -> list[Match]:
    """Every expert scored for the need: the eligible ones by score (best first), then the excluded
    ones, each group in a stable order (name, then id)."""
    matches = [score(need, expert) for expert in experts]
    return sorted(matches, key=lambda m: (m.excluded, -m.score, m.expert.name.lower(), m.expert.id))
