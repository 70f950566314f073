"""The facts screening rests on, derived from an application case (or given by the self-assessment).

`case_to_facts(case)` turns a validated case into `Facts`; the criteria (`criteria.py`) read nothing
else. Any fact may be `UNKNOWN`: a case leaves some facts unstated (how the collective decides), and
the public self-assessment answers "I don't know". Each fact derived from a case records the JSON
pointers of the answers it comes from (`Facts.sources`), so that a finding can cite them.

Pure: no ORM, no request, no settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from .cases import pointer


class _Unknown:
    """The type of `UNKNOWN`, a fact nobody stated. It has no truth value, so that a criterion cannot
    mistake it for `False` (or `True`): test it with `is UNKNOWN`."""

    _instance: _Unknown | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value: test it with `is UNKNOWN`")

    def __copy__(self) -> _Unknown:
        return self

    def __deepcopy__(self, memo: dict) -> _Unknown:
        return self

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


class Family(StrEnum):
    COALITION = "coalition"
    CONSOLIDATION = "consolidation"


KIND_FAMILY: Final[Mapping[str, Family]] = MappingProxyType({
    "coalition": Family.COALITION,
    "alliance": Family.COALITION,
    "collective": Family.COALITION,
    "merger_absorption": Family.CONSOLIDATION,
    "transfer_takeover": Family.CONSOLIDATION,
    "transmission": Family.CONSOLIDATION,
})

MAIN_PURPOSES: Final = frozenset({
    "joint_programmes", "advocacy", "campaign", "fundraising", "calls_for_projects", "shared_resources",
    "sector_representation", "affiliate_network", "consolidation",
})
DECISIONS: Final = frozenset({"decided", "in_progress", "exploring"})
GOVERNANCES: Final = frozenset({"one_member_one_vote", "consensus", "weighted"})

# Thresholds used while deriving facts; they are part of the ruleset (see criteria.RULESET_VERSION).
#: Voting shares add up to 1 within this tolerance (the schema's and the README's wording).
SHARES_TOLERANCE: Final = 0.01
#: A programme is shared when at least this many distinct members run it together.
MIN_SHARED_PROGRAMME_MEMBERS: Final = 2
#: Integration levels that make a programme common, coordinated or articulated ("none": each member
#: runs its own programme).
SHARED_INTEGRATIONS: Final = frozenset({"joint", "coordinated", "articulated"})
#: Sides a consolidation needs, by kind (a transmission needs two organisations, whatever their roles).
CONSOLIDATION_SIDES: Final[Mapping[str, frozenset[str]]] = MappingProxyType({
    "merger_absorption": frozenset({"absorbing", "absorbed"}),
    "transfer_takeover": frozenset({"transferring", "taking_over"}),
})

# Official codes (INSEE's COG) a territorialised programme names: départements, overseas
# collectivities and régions ("R" + code). Other codes are ignored, as unknown theme codes are.
_REGIONS = ("01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94")
TERRITORY_CODES: Final = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20]
    + ["2A", "2B"]
    + [str(n) for n in range(971, 979)]
    + ["986", "987", "988"]
    + ["R" + code for code in _REGIONS]
)


@dataclass(frozen=True)
class Facts:
    """What the criteria need to know about one collective. Every fact may be `UNKNOWN`.

    Build it with `case_to_facts(case)`, or directly by keyword (the self-assessment: `Facts(family=
    "coalition", organisations=3, ...)`, leaving out what the person does not know). Every fact
    defaults to `UNKNOWN` ("I don't know"), except two for which the README settles a default:
    `max_years` (3) and `decided_after_call_opened` (None: no timing check). Codes are the case
    schema's; the constructor refuses a code or a value a criterion could misread (`ValueError`).

    family: `Family` ("coalition" | "consolidation"), from the kind: coalition, alliance and
        collective are coalitions; merger_absorption, transfer_takeover and transmission consolidations.
    organisations: int, how many member organisations take part.
    main_purpose: str, what the members mainly do together (`MAIN_PURPOSES`, e.g. "joint_programmes",
        "advocacy", "campaign", "calls_for_projects", "affiliate_network", "consolidation").
    does_advocacy: bool, the collective also does advocacy alongside its main purpose (absent: False).
    temporary: bool, set up for a limited action with an end date (a campaign, an election, a call).
    decision: str, "decided" (every member's governing body has decided, or the agreement is
        signed), "in_progress" (some decisions still to be taken) or "exploring".
    decided_after_call_opened: bool, the decision to join forces was taken after the call opened;
        None when there is no timing check (the decision date or the call's opening date is not given,
        which is the default: the README's "no timing check").
    governance: str, "one_member_one_vote", "consensus" or "weighted" (absent: weighted when any
        voting share is given, else UNKNOWN).
    largest_voting_share: float in [0, 1], the largest member's share of the votes (read only when
        votes are weighted); UNKNOWN when a member's share is missing.
    shares_add_up: bool, the voting shares of all members add up to 1 within `SHARES_TOLERANCE`;
        UNKNOWN when a share is missing.
    veto_holder: bool, some member (not every member) can block the collective's decisions alone
        (absent: False). Every member holding a veto is consensus, not asymmetry.
    head_or_affiliate: bool, a member has the role of network head or affiliate.
    shared_programme_on_ground: bool, a programme with a common, coordinated or articulated
        integration is run by at least two members on at least one named territory.
    territorialised_programme: bool, at least one programme names a territory (any integration).
        A shared programme on the ground implies a territorialised one; the constructor infers the
        one from the other (and refuses a shared programme that is not territorialised).
    fundable_share: Decimal in [0, 1], the share of the budget's amount that pays for running the
        collective (not programme delivery, not one member's own overhead); UNKNOWN for an empty budget.
    years: int, how many years of support are asked for.
    max_years: int, the call's limit on years (default 3, the README's default).
    members_outside_scope: int, how many members are not non-profit organisations serving the general
        interest (`general_interest` defaults to `non_profit`). The self-assessment, knowing only that
        "not all" are, gives 1.
    both_sides: bool, both sides of a consolidation take part (absorbing and absorbed; transferring
        and taking over; for a transmission, two organisations); None for a coalition.
    sources: the JSON pointers each fact was derived from, by fact name (empty when built by hand).
    """

    family: Family | _Unknown = UNKNOWN
    organisations: int | _Unknown = UNKNOWN
    main_purpose: str | _Unknown = UNKNOWN
    does_advocacy: bool | _Unknown = UNKNOWN
    temporary: bool | _Unknown = UNKNOWN
    decision: str | _Unknown = UNKNOWN
    decided_after_call_opened: bool | _Unknown | None = None
    governance: str | _Unknown = UNKNOWN
    largest_voting_share: float | _Unknown = UNKNOWN
    shares_add_up: bool | _Unknown = UNKNOWN
    veto_holder: bool | _Unknown = UNKNOWN
    head_or_affiliate: bool | _Unknown = UNKNOWN
    shared_programme_on_ground: bool | _Unknown = UNKNOWN
    territorialised_programme: bool | _Unknown = UNKNOWN
    fundable_share: Decimal | _Unknown = UNKNOWN
    years: int | _Unknown = UNKNOWN
    max_years: int | _Unknown = 3
    members_outside_scope: int | _Unknown = UNKNOWN
    both_sides: bool | _Unknown | None = UNKNOWN
    sources: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False, repr=False)

    def __post_init__(self):
        for name, allowed in (("main_purpose", MAIN_PURPOSES), ("decision", DECISIONS),
                              ("governance", GOVERNANCES), ("family", frozenset(Family))):
            value = getattr(self, name)
            if value is not UNKNOWN and value not in allowed:
                raise ValueError(f"{name}: {value!r} is not one of {sorted(allowed)}")
        if self.family is not UNKNOWN:
            object.__setattr__(self, "family", Family(self.family))
        for name in ("does_advocacy", "temporary", "shares_add_up", "veto_holder", "head_or_affiliate",
                     "shared_programme_on_ground", "territorialised_programme"):
            if not _is(getattr(self, name), bool):
                raise ValueError(f"{name}: expected True, False or UNKNOWN, got {getattr(self, name)!r}")
        for name in ("decided_after_call_opened", "both_sides"):
            value = getattr(self, name)
            if value is not None and not _is(value, bool):
                raise ValueError(f"{name}: expected True, False, None or UNKNOWN, got {value!r}")
        for name in ("organisations", "years", "max_years", "members_outside_scope"):
            value = getattr(self, name)
            if not _is(value, int) or (value is not UNKNOWN and value < 0):
                raise ValueError(f"{name}: expected a whole number or UNKNOWN, got {value!r}")
        for name in ("largest_voting_share", "fundable_share"):
            value = getattr(self, name)
            if value is UNKNOWN:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not 0 <= value <= 1:
                raise ValueError(f"{name}: expected a number between 0 and 1 or UNKNOWN, got {value!r}")
        # A shared programme on the ground is territorialised: infer one from the other.
        if self.shared_programme_on_ground is True and self.territorialised_programme is False:
            raise ValueError("shared_programme_on_ground: a programme shared on the ground is territorialised")
        if self.shared_programme_on_ground is True:
            object.__setattr__(self, "territorialised_programme", True)
        if self.territorialised_programme is False:
            object.__setattr__(self, "shared_programme_on_ground", False)
        if isinstance(self.fundable_share, int | float):
            object.__setattr__(self, "fundable_share", Decimal(str(self.fundable_share)))
        known = {f.name for f in fields(self)} - {"sources"}
        unexpected = set(self.sources) - known
        if unexpected:
            raise ValueError(f"sources: no such fact {sorted(unexpected)}")
        object.__setattr__(self, "sources", _Sources({k: tuple(v) for k, v in self.sources.items()}))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The names of the facts, in order (without `sources`)."""
        return tuple(f.name for f in fields(cls) if f.name != "sources")

    def pointers(self, *names: str) -> tuple[str, ...]:
        """The JSON pointers the named facts rest on, in order, each once."""
        seen: dict[str, None] = {}
        for name in names:
            for source in self.sources.get(name, ()):
                seen.setdefault(source, None)
        return tuple(seen)


class _Sources(Mapping):
    """A read-only mapping of fact names to pointers (unlike `MappingProxyType`, it can be copied and
    pickled, as a frozen dataclass's fields should)."""

    def __init__(self, data: dict[str, tuple[str, ...]]):
        self._data = data

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)


def _is(value: Any, kind: type) -> bool:
    if value is UNKNOWN:
        return True
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def case_to_facts(case: Mapping[str, Any]) -> Facts:
    """The facts of a case that `validate_case` accepted; absent optional answers take the README's
    defaults."""
    members = case["members"]
    programmes = case["programmes"]
    values: dict[str, Any] = {}
    sources: dict[str, tuple[str, ...]] = {}

    def put(name: str, value: Any, *from_: str) -> None:
        values[name] = value
        sources[name] = tuple(dict.fromkeys(from_))

    kind = case["kind"]
    family = KIND_FAMILY[kind]
    put("family", family, "/kind")
    put("organisations", len(members), "/members")
    put("main_purpose", case["main_purpose"], "/main_purpose")
    put("does_advocacy", bool(case.get("does_advocacy", False)), *_present(case, "does_advocacy"))
    put("temporary", case["temporary"], "/temporary")
    put("decision", case["decision"], "/decision")

    decided_on, opened_on = case.get("decision_date"), case.get("call_opened_on")
    after = None if decided_on is None or opened_on is None else date.fromisoformat(decided_on) > date.fromisoformat(
        opened_on)
    put("decided_after_call_opened", after, *_present(case, "decision_date", "call_opened_on"))

    _governance(case, put)

    vetoes = [i for i, m in enumerate(members) if m.get("veto_holder", False)]
    veto_pointers = [pointer("members", i, "veto_holder") for i in vetoes] or [
        pointer("members", i, "veto_holder") for i, m in enumerate(members) if "veto_holder" in m]
    put("veto_holder", 0 < len(vetoes) < len(members), *veto_pointers)

    heads = [i for i, m in enumerate(members) if m["role"] in ("head", "affiliate")]
    put("head_or_affiliate", bool(heads),
        *[pointer("members", i, "role") for i in (heads or range(len(members)))])

    _programmes(programmes, len(members), put)
    _budget(case["budget"], put)

    put("years", case["years"], "/years")
    put("max_years", case.get("call_max_years", 3), *_present(case, "call_max_years"))

    outside = [i for i, m in enumerate(members) if not (m["non_profit"] and m.get("general_interest", m["non_profit"]))]
    put("members_outside_scope", len(outside), *_scope_pointers(members, outside or range(len(members))))

    if family is Family.CONSOLIDATION:
        roles = {m["role"] for m in members}
        needed = CONSOLIDATION_SIDES.get(kind)
        both = needed <= roles if needed is not None else len(members) >= 2
        put("both_sides", both, "/kind", *[pointer("members", i, "role") for i in range(len(members))])
    else:
        put("both_sides", None, "/kind")

    return Facts(**values, sources=sources)


def _present(mapping: Mapping[str, Any], *names: str) -> list[str]:
    return [pointer(name) for name in names if name in mapping]


def _governance(case: Mapping[str, Any], put) -> None:
    members = case["members"]
    shares = [(i, m["voting_share"]) for i, m in enumerate(members) if "voting_share" in m]
    share_pointers = [pointer("members", i, "voting_share") for i, _ in shares]
    if "governance" in case:
        put("governance", case["governance"], "/governance")
    elif shares:
        put("governance", "weighted", *share_pointers)
    else:
        put("governance", UNKNOWN)
    if shares and len(shares) == len(members):
        put("largest_voting_share", float(max(share for _, share in shares)), *share_pointers)
        total = math.fsum(share for _, share in shares)
        put("shares_add_up", abs(total - 1) <= SHARES_TOLERANCE + 1e-9, *share_pointers)
    else:
        missing = [pointer("members", i) for i, m in enumerate(members) if "voting_share" not in m]
        put("largest_voting_share", UNKNOWN, *missing)
        put("shares_add_up", UNKNOWN, *missing)


def _programmes(programmes: list[Mapping[str, Any]], members: int, put) -> None:
    shared, territorialised = [], []
    for i, programme in enumerate(programmes):
        territories = [code for code in programme["territories"] if code in TERRITORY_CODES]
        if not territories:
            continue
        territorialised.append(i)
        involved = set(programme.get("members_involved", range(members)))
        if programme["integration"] in SHARED_INTEGRATIONS and len(involved) >= MIN_SHARED_PROGRAMME_MEMBERS:
            shared.append(i)

    def cite(indexes: list[int]) -> list[str]:
        out = []
        for i in indexes:
            out += [pointer("programmes", i, "integration"), pointer("programmes", i, "territories")]
            if "members_involved" in programmes[i]:
                out.append(pointer("programmes", i, "members_involved"))
        return out

    every = list(range(len(programmes)))
    put("shared_programme_on_ground", bool(shared), *(cite(shared) if shared else cite(every) or ["/programmes"]))
    put("territorialised_programme", bool(territorialised),
        *([pointer("programmes", i, "territories") for i in (territorialised or every)] or ["/programmes"]))


def _budget(lines: list[Mapping[str, Any]], put) -> None:
    total = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    if total == 0:
        put("fundable_share", UNKNOWN, "/budget")
        return
    unfunded = [i for i, line in enumerate(lines) if line["programme_cost"] or not line.get("collective", True)]
    fundable = total - sum((Decimal(lines[i]["amount"]) for i in unfunded), Decimal(0))
    put("fundable_share", fundable / total, *([pointer("budget", i) for i in unfunded] or ["/budget"]))


def _scope_pointers(members: list[Mapping[str, Any]], indexes) -> list[str]:
    out = []
    for i in indexes:
        out.append(pointer("members", i, "non_profit"))
        if "general_interest" in members[i]:
            out.append(pointer("members", i, "general_interest"))
    return out
