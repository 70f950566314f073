"""Attribution and cent splits, as pure functions (no database): restricted money whose themes match
goes first, then the oldest money; parts are whole cents, never negative, and always add up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.attribution import (
    NotEnoughMoney,
    Source,
    attribute,
    available_for,
    eligible_sources,
    share_over,
    split_cents,
)

D = Decimal
DAY = date(2025, 1, 1)
FOOD = frozenset({"food"})
HOUSING = frozenset({"housing"})


def source(id, available, days=0, themes=()):
    return Source(id=id, available=D(available), received_on=DAY + timedelta(days=days), themes=frozenset(themes))


# --- Order ---------------------------------------------------------------------------------------


def test_restricted_matching_money_goes_before_older_unrestricted_money():
    """A restricted donation whose themes match is drawn first, even when an unrestricted one is older."""
    sources = [source(1, "100.00", days=0), source(2, "100.00", days=10, themes={"food"})]
    assert [s.id for s in eligible_sources(sources, FOOD)] == [2, 1]
    assert attribute(D("150.00"), sources, FOOD) == [(2, D("100.00")), (1, D("50.00"))]


def test_oldest_money_goes_first_within_each_group_then_by_id():
    """Within the restricted and the unrestricted groups, the oldest first; the same day, the smaller id."""
    sources = [
        source(5, "10.00", days=3), source(4, "10.00", days=1), source(3, "10.00", days=1),
        source(9, "10.00", days=2, themes={"food", "health"}), source(8, "10.00", days=0, themes={"food"}),
        source(7, "10.00", days=2, themes={"food"}),
    ]
    assert [s.id for s in eligible_sources(sources, FOOD)] == [8, 7, 9, 3, 4, 5]


def test_restricted_money_of_other_themes_is_never_used():
    """Money restricted to housing never funds a food initiative, even when it is the oldest and the
    only money left: the draw falls short instead."""
    sources = [source(1, "500.00", days=0, themes={"housing"}), source(2, "40.00", days=5)]
    assert [s.id for s in eligible_sources(sources, FOOD)] == [2]
    assert available_for(sources, FOOD) == D("40.00")
    with pytest.raises(NotEnoughMoney) as short:
        attribute(D("100.00"), sources, FOOD)
    assert short.value.missing == D("60.00")


def test_a_restricted_donation_matches_when_any_of_its_themes_is_the_initiatives():
    sources = [source(1, "30.00", themes={"housing", "food"}), source(2, "30.00", themes={"health"})]
    assert [s.id for s in eligible_sources(sources, frozenset({"food", "sport"}))] == [1]


def test_an_initiative_without_themes_only_draws_unrestricted_money():
    sources = [source(1, "30.00", themes={"food"}), source(2, "30.00", days=1)]
    assert [s.id for s in eligible_sources(sources, frozenset())] == [2]


def test_exhausted_sources_are_skipped():
    """A donation with nothing left (or a negative figure) is never given a part."""
    sources = [source(1, "0.00"), source(2, "-5.00"), source(3, "20.00", days=1)]
    assert attribute(D("20.00"), sources, FOOD) == [(3, D("20.00"))]


# --- Exact amounts --------------------------------------------------------------------------------


def test_parts_are_exact_to_the_cent_and_stop_once_the_amount_is_drawn():
    """Each source gives what it has until the amount is reached; later sources give nothing."""
    sources = [source(1, "0.01"), source(2, "33.33", days=1), source(3, "1000.00", days=2), source(4, "5.00", days=3)]
    parts = attribute(D("100.00"), sources, FOOD)
    assert parts == [(1, D("0.01")), (2, D("33.33")), (3, D("66.66"))]
    assert sum(part for _, part in parts) == D("100.00")


def test_exactly_the_available_money_is_drawn_without_shortfall():
    sources = [source(1, "12.34", themes={"food"}), source(2, "0.66", days=1)]
    assert attribute(D("13.00"), sources, FOOD) == [(1, D("12.34")), (2, D("0.66"))]


def test_not_enough_money_tells_what_is_missing():
    sources = [source(1, "12.34", themes={"food"}), source(2, "0.66", days=1)]
    with pytest.raises(NotEnoughMoney) as short:
        attribute(D("100.00"), sources, FOOD)
    assert short.value.missing == D("87.00")
    assert "87.00" in str(short.value)


def test_not_enough_money_with_no_source_at_all_misses_the_whole_amount():
    with pytest.raises(NotEnoughMoney) as short:
        attribute(D("0.01"), [], FOOD)
    assert short.value.missing == D("0.01")


@pytest.mark.parametrize("amount", ["0", "0.00", "-0.01", "-10"])
def test_a_zero_or_negative_amount_is_refused(amount):
    with pytest.raises(ValueError):
        attribute(D(amount), [source(1, "100.00")], FOOD)


def test_an_amount_with_more_than_two_decimals_is_refused():
    with pytest.raises(ValueError, match="two decimals"):
        attribute(D("10.001"), [source(1, "100.00")], FOOD)


# --- split_cents and share_over ---------------------------------------------------------------------


@pytest.mark.parametrize(("total", "weights", "expected"), [
    ("1.00", ["1", "1", "1"], ["0.34", "0.33", "0.33"]),  # a tie: the earlier weight gets the cent
    ("0.02", ["1", "1", "1"], ["0.01", "0.01", "0.00"]),
    ("0.01", ["1", "1"], ["0.01", "0.00"]),
    ("10.00", ["1", "2", "2"], ["2.00", "4.00", "4.00"]),
    ("1.00", ["1", "2"], ["0.33", "0.67"]),  # 33.33 and 66.67 cents: the larger remainder wins
    ("0.05", ["0.1", "0.2", "0.7"], ["0.01", "0.01", "0.03"]),  # remainders .5, 0 and .5: the earlier of the tie
    ("100.00", ["0", "3", "1"], ["0.00", "75.00", "25.00"]),  # a zero weight gets zero
    ("0.00", ["1", "2"], ["0.00", "0.00"]),
    ("0.00", ["0", "0"], ["0.00", "0.00"]),
])
def test_split_cents_examples(total, weights, expected):
    parts = split_cents(D(total), [D(w) for w in weights])
    assert parts == [D(e) for e in expected]
    assert all(part.as_tuple().exponent == -2 for part in parts)


def test_split_cents_refuses_negative_totals_and_weights():
    with pytest.raises(ValueError):
        split_cents(D("-1.00"), [D(1)])
    with pytest.raises(ValueError):
        split_cents(D("1.00"), [D(1), D(-1)])


def test_split_cents_refuses_a_positive_total_over_zero_weights():
    with pytest.raises(ValueError):
        split_cents(D("1.00"), [D(0), D(0)])


def test_split_cents_refuses_a_positive_total_over_no_weights():
    """A positive total cannot be split over nothing: refused like zero weights, never an empty list
    whose parts (none) do not add up to the total."""
    with pytest.raises(ValueError):
        split_cents(D("1.00"), [])


def test_split_cents_of_zero_over_no_weights_is_empty():
    assert split_cents(D("0.00"), []) == []


def test_split_cents_refuses_three_decimals():
    with pytest.raises(ValueError, match="two decimals"):
        split_cents(D("1.005"), [D(1)])


@pytest.mark.parametrize(("amount", "needs", "expected"), [
    ("300.00", ["100.00", "200.00"], ["100.00", "200.00"]),  # enough: each in full
    ("1000.00", ["100.00", "200.00"], ["100.00", "200.00"]),  # more than enough: never above the need
    ("150.00", ["100.00", "200.00"], ["50.00", "100.00"]),  # short: in proportion
    ("100.00", ["100.00", "100.00", "100.00"], ["33.34", "33.33", "33.33"]),  # ties to the earlier
    ("0.01", ["0.01", "0.01"], ["0.01", "0.00"]),
    ("0.00", ["10.00", "20.00"], ["0.00", "0.00"]),
    ("50.00", [], []),
])
def test_share_over_examples(amount, needs, expected):
    assert share_over(D(amount), [D(n) for n in needs]) == [D(e) for e in expected]


# --- Properties ------------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**11).map(lambda n: D(n) / 100)
positive_cents = st.integers(min_value=1, max_value=10**11).map(lambda n: D(n) / 100)
THEMES = ["food", "housing", "health"]
themes = st.frozensets(st.sampled_from(THEMES), max_size=2)


@st.composite
def source_lists(draw):
    count = draw(st.integers(min_value=0, max_value=8))
    return [Source(id=n, available=draw(cents), received_on=DAY + timedelta(days=draw(st.integers(0, 30))),
                   themes=draw(themes)) for n in range(1, count + 1)]


def is_cents(value: Decimal) -> bool:
    return value == value.quantize(D("0.01"))


@given(weights=st.lists(st.integers(0, 10**9).map(lambda n: D(n) / 100), min_size=1, max_size=10), total=cents)
def test_split_cents_parts_add_up_are_whole_cents_and_never_negative(weights, total):
    """Whatever the weights (some zero), the parts add up to the total exactly, in whole cents, none
    negative, zero weights get zero, and each part is within a cent of its exact share."""
    if sum(weights) == 0:
        total = D("0.00")
    parts = split_cents(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts, D(0)) == total
    assert all(part >= 0 and is_cents(part) for part in parts)
    assert all(part == 0 for part, weight in zip(parts, weights, strict=True) if weight == 0)
    weight_sum = sum(weights)
    if weight_sum:
        for part, weight in zip(parts, weights, strict=True):
            assert abs(part - total * weight / weight_sum) < D("0.01")
    assert split_cents(total, weights) == parts  # deterministic


@given(needs=st.lists(positive_cents, min_size=0, max_size=10), amount=cents)
def test_share_over_never_gives_more_than_a_need_nor_more_than_the_amount(needs, amount):
    """Each share is within 0..need, in whole cents; the shares add up to the amount when it is short,
    to the needs when it is enough."""
    shares = share_over(amount, needs)
    assert len(shares) == len(needs)
    assert all(D(0) <= share <= need and is_cents(share) for share, need in zip(shares, needs, strict=True))
    assert sum(shares, D(0)) == min(amount, sum(needs, D("0.00")))
    assert share_over(amount, needs) == shares


@given(sources=source_lists(), amount=positive_cents, wanted=themes)
def test_attribute_parts_add_up_within_availability_in_the_attribution_order(sources, amount, wanted):
    """The parts add up to the amount exactly; each is a positive whole number of cents, at most what
    its source has; only eligible sources give, in the order of `eligible_sources`, each giving all it
    has before the next gives anything; or NotEnoughMoney says exactly what is missing."""
    order = eligible_sources(sources, wanted)
    by_id = {s.id: s for s in sources}
    try:
        parts = attribute(amount, sources, wanted)
    except NotEnoughMoney as short:
        assert short.missing == amount - available_for(sources, wanted)
        assert short.missing > 0
        return
    assert sum((part for _, part in parts), D(0)) == amount
    assert all(part > 0 and is_cents(part) for _, part in parts)
    assert all(part <= by_id[id].available for id, part in parts)
    assert [id for id, _ in parts] == [s.id for s in order[:len(parts)]]
    assert all(part == by_id[id].available for id, part in parts[:-1])
    for id, _ in parts:
        chosen = by_id[id]
        assert not chosen.themes or chosen.themes & wanted
    assert amount <= available_for(sources, wanted)


@given(sources=source_lists(), amount=positive_cents, wanted=themes, data=st.data())
def test_attribute_is_deterministic_whatever_the_order_of_the_sources(sources, amount, wanted, data):
    """The same donations give the same parts, in whatever order they are listed."""
    shuffled = data.draw(st.permutations(sources))
    try:
        expected = attribute(amount, sources, wanted)
    except NotEnoughMoney as short:
        with pytest.raises(NotEnoughMoney) as again:
            attribute(amount, shuffled, wanted)
        assert again.value.missing == short.missing
        return
    assert attribute(amount, shuffled, wanted) == expected
    assert attribute(amount, sources, wanted) == expected


@given(sources=source_lists(), wanted=themes)
def test_available_for_is_the_sum_of_the_eligible_money(sources, wanted):
    eligible = eligible_sources(sources, wanted)
    assert available_for(sources, wanted) == sum((s.available for s in eligible), D("0.00"))
    assert all(s.available > 0 for s in eligible)
    assert all((not s.themes) or (s.themes & wanted) for s in eligible)
    restricted = [s for s in eligible if s.themes]
    assert eligible[:len(restricted)] == restricted  # restricted money first


@st.composite
def due_tranches(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    return [(100 + n, draw(themes), draw(positive_cents)) for n in range(count)]


@given(sources=source_lists(), tranches=due_tranches())
def test_planning_due_tranches_never_overdraws_and_leaves_no_usable_money_idle(sources, tranches):
    """Funding several due tranches at once: no tranche gets more than it needs, no donation gives
    more than it has or money its restriction forbids, parts are whole positive cents, and when it
    is over, every tranche still short has no money left that it could have received."""
    from grants.attribution import plan_due_allocations

    plan = plan_due_allocations(sources, tranches)
    by_id = {s.id: s for s in sources}
    given_by = {s.id: D("0.00") for s in sources}
    for tranche_id, tranche_themes, need in tranches:
        parts = plan.get(tranche_id, [])
        assert sum((part for _s, part in parts), D("0.00")) <= need
        for source_id, part in parts:
            assert part > 0 and is_cents(part)
            assert not by_id[source_id].themes or by_id[source_id].themes & tranche_themes
            given_by[source_id] += part
    assert all(given_by[s.id] <= s.available for s in sources)
    for tranche_id, tranche_themes, need in tranches:
        funded = sum((part for _s, part in plan.get(tranche_id, [])), D("0.00"))
        if funded < need:
            left = [s for s in sources if s.available - given_by[s.id] > 0
                    and (not s.themes or s.themes & tranche_themes)]
            assert not left, (tranche_id, funded, need, left)
