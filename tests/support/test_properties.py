"""Properties of the pure rules, whatever the inputs (hypothesis): free slots lie inside the expert's
availability, keep the buffer from every busy range and have the duration asked; the ranking is a
permutation of the experts, excluded ones last, each score the sum of its reasons."""

from datetime import UTC, date, datetime, time, timedelta

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from support.availability import Rule, expand, free_slots
from support.matching import ExpertFacts, NeedFacts, Organisation, rank

BASE = datetime(2027, 3, 22, tzinfo=UTC)
minutes = st.integers(min_value=0, max_value=14 * 24 * 60)


@st.composite
def busy_ranges(draw):
    ranges = []
    for start in draw(st.lists(minutes, max_size=8)):
        length = draw(st.integers(min_value=15, max_value=300))
        ranges.append((BASE + timedelta(minutes=start), BASE + timedelta(minutes=start + length)))
    return ranges


rules = st.lists(st.tuples(st.integers(0, 6), st.integers(6, 12), st.integers(1, 8)), max_size=10).map(
    lambda rows: [Rule(d, time(h), time(min(h + n, 23))) for d, h, n in rows])


@given(rules=rules, busy=busy_ranges(), duration=st.sampled_from([60, 90, 120, 210]),
       buffer=st.sampled_from([0, 15, 30]), tz=st.sampled_from(["Europe/Paris", "Indian/Reunion", "UTC"]))
def test_free_slots_fit_the_availability_and_keep_clear_of_busy_ranges(rules, busy, duration, buffer, tz):
    windows = expand(rules=rules, days_off=[], tz=tz, start=date(2027, 3, 22), end=date(2027, 4, 4))
    slots = free_slots(windows, busy=busy, duration=timedelta(minutes=duration), buffer=timedelta(minutes=buffer))
    for start, end in slots:
        assert end - start == timedelta(minutes=duration)
        assert any(first <= start and end <= last for first, last in windows)
        for first, last in busy:
            assert end + timedelta(minutes=buffer) <= first or start - timedelta(minutes=buffer) >= last


domains = st.dictionaries(st.sampled_from(["mediation", "finance", "legal"]), st.integers(1, 3), max_size=3)
experts = st.lists(st.builds(
    ExpertFacts, id=st.integers(1, 10_000), name=st.text(min_size=1, max_size=5), domains=domains,
    regions=st.frozensets(st.sampled_from(["R76", "R11", "R84"]), max_size=2), remote=st.booleans(),
    remote_only=st.just(False), languages=st.frozensets(st.sampled_from(["fr", "en", "oc"]), min_size=1),
    capacity_hours=st.decimals(min_value=1, max_value=200, places=1),
    booked_hours=st.decimals(min_value=0, max_value=250, places=1), free_slots=st.integers(0, 50),
    links=st.lists(st.builds(Organisation, name=st.sampled_from(["Le Lien", "Autre"]), siren=st.just("")),
                   max_size=1).map(tuple),
    active=st.booleans()), max_size=12, unique_by=lambda e: e.id)


@given(experts=experts, remote_allowed=st.booleans())
def test_the_ranking_is_a_permutation_excluded_last_and_explained(experts, remote_allowed):
    need = NeedFacts(domain="mediation", regions=frozenset({"R76"}), remote_allowed=remote_allowed,
                     languages=frozenset({"fr"}), members=(Organisation("Association Le Lien"),))
    with translation.override("en"):
        ranked = rank(need, experts)
    assert sorted(m.expert_id for m in ranked) == sorted(e.id for e in experts)
    flags = [m.excluded for m in ranked]
    assert flags == sorted(flags)
    for match in ranked:
        if match.excluded:
            assert match.score == 0 and match.exclusion
        else:
            assert match.score == sum(r.points for r in match.reasons) and 0 < match.score <= 100
    scores = [m.score for m in ranked if not m.excluded]
    assert scores == sorted(scores, reverse=True)
    assert all(m.excluded for m in ranked if any(link.name == "Le Lien" for link in m.expert.links))
