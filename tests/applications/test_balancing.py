"""`balance_assignments`, a pure function: every application gets its reviewers when there are enough,
never a declared conflict nor the same reviewer twice, loads as even as the conflicts allow, existing
assignments kept and counted, and a shortfall reported only when it is truly impossible. No database."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from applications.balancing import Balance, balance_assignments


def balance(applications, reviewers, *, existing=(), conflicts=(), per_application=2) -> Balance:
    return balance_assignments(applications=applications, reviewers=reviewers, existing=existing,
                               conflicts=conflicts, per_application=per_application)


def reviewers_of(result: Balance, existing=()) -> dict[int, set[int]]:
    by_app: dict[int, set[int]] = {}
    for app, reviewer in [*existing, *result.new]:
        by_app.setdefault(app, set()).add(reviewer)
    return by_app


def loads(result: Balance, reviewers, existing=()) -> Counter:
    counter = Counter(dict.fromkeys(reviewers, 0))
    counter.update(reviewer for _app, reviewer in [*existing, *result.new])
    return counter


# --- Examples --------------------------------------------------------------------------------------


def test_every_application_gets_its_reviewers_when_there_are_enough():
    """With as many reviewers as needed and no conflicts, each application gets exactly
    `per_application` distinct reviewers and nothing is short."""
    result = balance([1, 2, 3, 4, 5], [10, 11, 12], per_application=2)
    by_app = reviewers_of(result)
    assert result.short == {}
    assert {app: len(people) for app, people in by_app.items()} == dict.fromkeys([1, 2, 3, 4, 5], 2)
    assert len(result.new) == 10


def test_loads_differ_by_at_most_one_without_conflicts():
    """Ten reviews over four reviewers: loads of 2 or 3, never 1 and 4."""
    result = balance(list(range(1, 6)), [10, 11, 12, 13], per_application=2)
    counts = loads(result, [10, 11, 12, 13])
    assert sorted(counts.values()) == [2, 2, 3, 3]


def test_ties_go_to_the_reviewers_in_their_given_order():
    """Equal loads: the first reviewer in the list is chosen first (a stable, predictable result)."""
    result = balance([1], [12, 10, 11], per_application=2)
    assert result.new == [(1, 12), (1, 10)]


def test_a_declared_conflict_is_never_assigned():
    """Reviewer 10 is conflicted with application 1: 1 gets 11 and 12, and 10 still reviews 2."""
    result = balance([1, 2], [10, 11, 12], conflicts=[(1, 10)], per_application=2)
    by_app = reviewers_of(result)
    assert 10 not in by_app[1]
    assert by_app[1] == {11, 12}
    assert 10 in by_app[2]
    assert result.short == {}


def test_no_pair_is_assigned_twice():
    result = balance([1, 2, 3], [10, 11], per_application=2)
    assert len(result.new) == len(set(result.new)) == 6


def test_existing_assignments_are_kept_and_counted():
    """Application 1 already has reviewer 10: it gets one more, never 10 again, and the existing
    assignment counts in 10's load, so the four reviews end up spread 2/1/1 at worst."""
    existing = [(1, 10)]
    result = balance([1, 2], [10, 11, 12], existing=existing, per_application=2)
    new_for_1 = [reviewer for app, reviewer in result.new if app == 1]
    assert len(new_for_1) == 1 and new_for_1 != [10]
    assert len([reviewer for app, reviewer in result.new if app == 2]) == 2
    counts = loads(result, [10, 11, 12], existing)
    assert sum(counts.values()) == 4
    assert max(counts.values()) - min(counts.values()) <= 1
    assert result.short == {}


def test_a_fully_served_application_gets_nobody_new():
    existing = [(1, 10), (1, 11)]
    result = balance([1], [10, 11, 12], existing=existing, per_application=2)
    assert result.new == [] and result.short == {}


def test_existing_load_on_another_round_shifts_the_new_work():
    """A reviewer already loaded (an assignment of an application outside the list) gets new
    work only after the others catch up."""
    existing = [(99, 10), (98, 10)]
    result = balance([1, 2], [10, 11, 12], existing=existing, per_application=1)
    assert sorted(reviewer for _app, reviewer in result.new) == [11, 12]


def test_shortfall_reported_when_conflicts_make_it_impossible():
    """Three reviewers, two conflicted with application 1: it gets the last one and lacks one."""
    result = balance([1, 2], [10, 11, 12], conflicts=[(1, 10), (1, 11)], per_application=2)
    by_app = reviewers_of(result)
    assert by_app[1] == {12}
    assert result.short == {1: 1}
    assert len(by_app[2]) == 2


def test_shortfall_when_there_are_fewer_reviewers_than_required():
    result = balance([1, 2], [10], per_application=3)
    assert result.short == {1: 2, 2: 2}
    assert sorted(result.new) == [(1, 10), (2, 10)]


def test_no_reviewers_means_every_application_is_short():
    result = balance([1, 2], [], per_application=2)
    assert result.new == [] and result.short == {1: 2, 2: 2}


def test_nothing_to_do_without_applications():
    assert balance([], [10, 11]) == Balance(new=[], short={})


def test_duplicate_reviewers_in_the_input_count_once():
    result = balance([1], [10, 10, 10], per_application=2)
    assert result.new == [(1, 10)] and result.short == {1: 1}


@pytest.mark.parametrize("per_application", [0, -1])
def test_per_application_must_be_at_least_one(per_application):
    with pytest.raises(ValueError):
        balance([1], [10], per_application=per_application)


def test_shortage_spreads_evenly_instead_of_leaving_some_bare():
    """Reviewer 10 is the only one free for both applications 1 and 2 in the same way; with reviewers
    scarce, every application gets served before any gets a second reviewer."""
    result = balance([1, 2, 3], [10, 11], conflicts=[(1, 11), (2, 11), (3, 11)], per_application=2)
    by_app = reviewers_of(result)
    assert by_app == {1: {10}, 2: {10}, 3: {10}}
    assert result.short == {1: 1, 2: 1, 3: 1}


# --- Properties ------------------------------------------------------------------------------------


@st.composite
def scenarios(draw, *, with_conflicts=True, with_existing=True):
    applications = draw(st.lists(st.integers(1, 40), unique=True, max_size=15))
    reviewers = draw(st.lists(st.integers(100, 130), unique=True, max_size=8))
    per_application = draw(st.integers(1, 4))
    pairs = [(a, r) for a in applications for r in reviewers]
    conflicts = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) \
        if with_conflicts and pairs else []
    existing = []
    if with_existing and pairs:
        existing = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(len(pairs), 10)))
        existing = [pair for pair in existing if pair not in set(conflicts)]
    return applications, reviewers, existing, conflicts, per_application


@given(scenarios())
def test_property_no_conflict_no_duplicate_no_excess(scenario):
    """Whatever the input: no new pair is a conflict, none repeats another or an existing pair, no
    application gets more than it lacked, only known applications and reviewers appear."""
    applications, reviewers, existing, conflicts, per_application = scenario
    result = balance(applications, reviewers, existing=existing, conflicts=conflicts,
                     per_application=per_application)
    assert not set(result.new) & set(conflicts)
    assert len(result.new) == len(set(result.new))
    assert not set(result.new) & set(existing)
    assert all(app in applications and reviewer in reviewers for app, reviewer in result.new)
    by_app = reviewers_of(result, existing)
    for app in applications:
        assert len(by_app.get(app, set())) <= max(per_application, len({r for a, r in existing if a == app}))
        new_for_app = sum(1 for a, _r in result.new if a == app)
        already = len({r for a, r in existing if a == app})
        assert new_for_app <= max(per_application - already, 0)


@given(scenarios())
def test_property_short_only_when_truly_impossible(scenario):
    """An application is short exactly when it ends with fewer than `per_application` reviewers, and
    then every reviewer is either already on it or conflicted with it; the shortfall is exact."""
    applications, reviewers, existing, conflicts, per_application = scenario
    result = balance(applications, reviewers, existing=existing, conflicts=conflicts,
                     per_application=per_application)
    by_app = reviewers_of(result, existing)
    conflicts = set(conflicts)
    for app in applications:
        have = by_app.get(app, set())
        if app in result.short:
            assert result.short[app] == per_application - len(have) > 0
            assert all(r in have or (app, r) in conflicts for r in reviewers)
        else:
            assert len(have) >= per_application
    assert set(result.short) <= set(applications)


@given(scenarios(with_conflicts=False, with_existing=False))
def test_property_loads_even_without_conflicts_or_existing(scenario):
    """No conflicts, nothing assigned yet: the heaviest reviewer has at most one review more than
    the lightest, and each application has min(per_application, reviewers) reviewers."""
    applications, reviewers, _existing, _conflicts, per_application = scenario
    result = balance(applications, reviewers, per_application=per_application)
    if reviewers:
        counts = loads(result, reviewers)
        assert max(counts.values()) - min(counts.values()) <= 1
    by_app = reviewers_of(result)
    for app in applications:
        assert len(by_app.get(app, set())) == min(per_application, len(reviewers))


@given(scenarios())
def test_property_deterministic(scenario):
    """The same input gives the same result (the service and its audit can be replayed)."""
    applications, reviewers, existing, conflicts, per_application = scenario
    first = balance(applications, reviewers, existing=existing, conflicts=conflicts,
                    per_application=per_application)
    again = balance(list(applications), list(reviewers), existing=list(existing), conflicts=list(conflicts),
                    per_application=per_application)
    assert first == again
