"""Which donations an allocation comes from, and exact splits of cents: pure functions of plain data,
tested without the database.

The rule (the funder's promise to donors): money restricted to themes goes to initiatives of those
themes first; then the oldest money received goes first. Parts are whole cents and always add up to
the amount; none is negative.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Source:
    """A donation as attribution sees it."""

    id: int
    available: Decimal
    received_on: date
    themes: frozenset = frozenset()  # empty: unrestricted


class NotEnoughMoney(Exception):
    def __init__(self, missing: Decimal):
        self.missing = missing
        super().__init__(f"{missing} missing")


def eligible_sources(sources: Sequence[Source], themes: frozenset) -> list[Source]:
    """The sources that may fund an initiative of `themes`, in the order they are drawn: restricted
    donations whose themes match first, then unrestricted ones; the oldest first within each, then by id."""
    matching = [s for s in sources if s.themes and s.themes & themes and s.available > 0]
    unrestricted = [s for s in sources if not s.themes and s.available > 0]
    key = lambda s: (s.received_on, s.id)  # noqa: E731
    return sorted(matching, key=key) + sorted(unrestricted, key=key)


def attribute(amount: Decimal, sources: Sequence[Source], themes: frozenset) -> list[tuple[int, Decimal]]:
    """Draw `amount` from `sources` in the attribution order: [(source id, part)], parts adding up to
    `amount` exactly. Raises NotEnoughMoney (with what is missing) when the eligible money falls short."""
    amount = _cents(amount)
    if amount <= 0:
        raise ValueError("amount must be positive")
    parts, left = [], amount
    for source in eligible_sources(sources, themes):
        if left == 0:
            break
        part = min(source.available, left)
        parts.append((source.id, part))
        left -= part
    if left > 0:
        raise NotEnoughMoney(left)
    return parts


def available_for(sources: Sequence[Source], themes: frozenset) -> Decimal:
    return sum((s.available for s in eligible_sources(sources, themes)), Decimal("0.00"))


def split_cents(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` in proportion to `weights`, in whole cents, by the largest remainder: the parts
    add up to `total` exactly; ties go to the earlier weight. Zero weights get zero."""
    total = _cents(total)
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("total and weights must not be negative")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        if total != 0:
            raise ValueError("cannot split a positive total over zero weights")
        return [Decimal("0.00") for _weight in weights]
    cents = int(total / CENT)
    exact = [Decimal(cents) * w / weight_sum for w in weights]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(n) * CENT for n in floors]


def share_over(amount: Decimal, needs: Sequence[Decimal]) -> list[Decimal]:
    """Share `amount` over tranches that need `needs`: each fully when there is enough, else in
    proportion to their needs (largest remainder), never more than a need."""
    amount, needs = _cents(amount), [_cents(n) for n in needs]
    total_need = sum(needs, Decimal("0.00"))
    if amount >= total_need:
        return list(needs)
    return split_cents(amount, needs)


def plan_due_allocations(sources: Sequence[Source], tranches: Sequence[tuple[int, frozenset, Decimal]]
                         ) -> dict[int, list[tuple[int, Decimal]]]:
    """How to fund several tranches `(id, themes, need)` at once from `sources`: {tranche id: [(source
    id, part)]}, one list of parts per tranche.

    Each pass shares the money the still-short tranches may receive in proportion to what they still
    need (largest remainder), each share capped by the money that tranche itself may receive, drawn in
    the attribution order. What a tranche cannot take (another theme's restricted money) goes round
    again to the others, so no tranche's own money stays idle while it is short.
    """
    available = {s.id: s.available for s in sources}
    by_id = {s.id: s for s in sources}
    needs = {tranche_id: _cents(need) for tranche_id, _themes, need in tranches}
    themes = {tranche_id: tranche_themes for tranche_id, tranche_themes, _need in tranches}
    plan: dict[int, dict[int, Decimal]] = {tranche_id: {} for tranche_id, _t, _n in tranches}

    def current(tranche_themes):
        return [Source(id=s.id, available=available[s.id], received_on=s.received_on, themes=s.themes)
                for s in by_id.values() if available[s.id] > 0 and (not s.themes or s.themes & tranche_themes)]

    for _round in range(len(tranches) + 1):
        # Only the tranches that still need money and may still receive some share this round: each
        # round then either places all it shares or exhausts some tranche's money, so it ends.
        short = [tranche_id for tranche_id, _t, _n in tranches
                 if needs[tranche_id] > 0 and available_for(current(themes[tranche_id]), themes[tranche_id]) > 0]
        if not short:
            break
        pooled = available_for(current(frozenset().union(*(themes[t] for t in short))),
                               frozenset().union(*(themes[t] for t in short)))
        if pooled <= 0:
            break
        progressed = False
        for tranche_id, share in zip(short, share_over(pooled, [needs[t] for t in short]), strict=True):
            share = min(share, available_for(current(themes[tranche_id]), themes[tranche_id]))
            if share <= 0:
                continue
            for source_id, part in attribute(share, current(themes[tranche_id]), themes[tranche_id]):
                available[source_id] -= part
                plan[tranche_id][source_id] = plan[tranche_id].get(source_id, Decimal("0.00")) + part
            needs[tranche_id] -= share
            progressed = True
        if not progressed:
            break
    return {tranche_id: list(parts.items()) for tranche_id, parts in plan.items() if parts}


def _cents(value) -> Decimal:
    value = Decimal(value)
    if value != value.quantize(CENT):
        raise ValueError("amounts have at most two decimals")
    return value.quantize(CENT)
