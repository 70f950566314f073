"""The staff home: each count against a hand-built situation (with rows on both sides of every rule),
the link of each count opening the admin list of exactly those rows, access, the empty state and a
query count that does not grow with ten times more data."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import (
    ConflictDeclaration,
    Decision,
    Outcome,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewRound,
    ReviewStatus,
    Status,
)
from eligibility.models import Screening, Verdict
from events.models import Registration, WaitingListEntry
from grants.models import (
    BankDetails,
    BankDetailsStatus,
    BankLine,
    BankLineStatus,
    BankStatement,
    GrantReport,
    ReportStatus,
    Tranche,
    TrancheStatus,
)
from joinforces.portal.staff_home import staff_home
from support.models import BookingStatus
from tests.applications.factories import ApplicationFactory, CallFactory
from tests.events.factories import EventFactory, SessionFactory, at, register, waiting
from tests.factories import CommitteeMemberFactory
from tests.grants.factories import grant_for
from tests.support.factories import ExpertFactory, booking_row, plan_for

pytestmark = pytest.mark.django_db

URL = reverse("portal:staff_home")


def _screening(verdict, *, override=""):
    extra = {"override_verdict": override, "override_reason": "Vu avec l'équipe.",
             "overridden_at": timezone.now()} if override else {}
    return Screening.objects.create(name="Collectif", case={}, case_digest="x", ruleset="2026.1", verdict=verdict,
                                    **extra)


REFERENCES = itertools.count(5000)


def _application(status, screening=None, call=None):
    return ApplicationFactory(status=status, screening=screening, call=call or CallFactory(),
                              submitted_at=timezone.now(), reference=f"JF-2026-{next(REFERENCES):04d}")


def build(n=1):
    """`n` copies of a situation where every count is 1 (or a known total) and every rule has a row
    just outside it. Returns the rows that must be counted, by line."""
    today = timezone.localdate()
    counted = {key: [] for key in ("screenings", "decisions", "bank_lines", "tranches", "tranches_late", "reports",
                                   "bank_details", "bookings")}
    statement = BankStatement.objects.create(file="bank/releve.csv", format=BankStatement.Format.CSV)
    requester = CommitteeMemberFactory()
    for index in range(n):
        expert = ExpertFactory()  # one per copy: an expert is never double-booked
        call = CallFactory()
        # Screenings: only the current one of an application still waiting, needing review, not overridden.
        counted["screenings"].append(_application(Status.SCREENED, _screening(Verdict.NEEDS_REVIEW), call))
        _application(Status.IN_REVIEW, _screening(Verdict.NEEDS_REVIEW, override=Verdict.ELIGIBLE), call)
        _application(Status.SCREENED, _screening(Verdict.ELIGIBLE), call)
        _application(Status.DECLINED, _screening(Verdict.NEEDS_REVIEW), call)
        _screening(Verdict.NEEDS_REVIEW)  # replaced by a later screening: no application points to it

        # A grant (its decision published, its round published), its tranches and reports.
        grant = grant_for(amount_per_year="1000.00", years=3, call=call)
        ReviewRound.objects.filter(decisions__grant=grant).update(published_at=timezone.now())
        first, second, third = grant.tranches.order_by("number")
        Tranche.objects.filter(pk=first.pk).update(due_on=today + timedelta(days=10), funded=Decimal("400.00"))
        counted["tranches"].append(first)
        Tranche.objects.filter(pk=second.pk).update(due_on=today + timedelta(days=91))  # too far
        Tranche.objects.filter(pk=third.pk).update(due_on=today + timedelta(days=5), funded=Decimal("1000.00"))
        other = grant_for(amount_per_year="500.00", years=1, call=call)
        ReviewRound.objects.filter(decisions__grant=other).update(published_at=timezone.now())
        Tranche.objects.filter(grant=other).update(due_on=today + timedelta(days=3), status=TrancheStatus.CANCELLED)

        late = grant_for(amount_per_year="800.00", years=2, call=call)
        ReviewRound.objects.filter(decisions__grant=late).update(published_at=timezone.now())
        overdue, settled = late.tranches.order_by("number")
        Tranche.objects.filter(pk=overdue.pk).update(due_on=today - timedelta(days=1), funded=Decimal("300.00"))
        counted["tranches_late"].append(overdue)
        Tranche.objects.filter(pk=settled.pk).update(due_on=today - timedelta(days=10), funded=Decimal("800.00"))

        counted["reports"].append(GrantReport.objects.create(grant=grant, year=1, due_on=today - timedelta(days=1)))
        counted["reports"].append(GrantReport.objects.create(grant=grant, year=2, due_on=today - timedelta(days=40),
                                                             status=ReportStatus.CHANGES_REQUESTED,
                                                             submitted_at=timezone.now()))
        GrantReport.objects.create(grant=grant, year=3, due_on=today - timedelta(days=1),
                                   status=ReportStatus.SUBMITTED, submitted_at=timezone.now())
        GrantReport.objects.create(grant=other, year=1, due_on=today)  # due today: not overdue yet

        member = grant.application.members.create(name="Association porteuse", legal_form="association",
                                                  non_profit=True, role="lead")
        counted["bank_details"].append(BankDetails.objects.create(
            grant=grant, payee=member, holder="Association porteuse", iban="FR7630006000011234567890189",
            bic="AGRIFRPP", requested_by=requester))
        other_member = other.application.members.create(name="Autre", legal_form="association", non_profit=True,
                                                        role="lead")
        BankDetails.objects.create(grant=other, payee=other_member, holder="Autre", iban="FR7630006000011234567890189",
                                   bic="AGRIFRPP", requested_by=requester, status=BankDetailsStatus.REJECTED,
                                   decided_by=CommitteeMemberFactory(), decided_at=timezone.now())

        # Decisions: one recorded and not published (the grants' decisions are published).
        pending = _application(Status.IN_REVIEW, call=call)
        review_round = ReviewRound.objects.create(call=call, title=f"Tour {index}",
                                                  deadline=timezone.now() + timedelta(days=3 + index))
        review_round.applications.add(pending, *counted["screenings"][-1:])
        counted["decisions"].append(Decision.objects.create(
            application=pending, round=review_round, outcome=Outcome.DECLINED, rationale="Non.",
            decided_at=timezone.now()))
        # The round: three reviewers assigned, one submitted, one draft, one conflicted (not counted).
        reviewers = [CommitteeMemberFactory() for _ in range(3)]
        assignments = [ReviewAssignment.objects.create(round=review_round, application=pending, reviewer=reviewer)
                       for reviewer in reviewers]
        Review.objects.create(assignment=assignments[0], status=ReviewStatus.SUBMITTED, submitted_at=timezone.now(),
                              **dict.fromkeys(ReviewCriterion.values, 4),
                              recommendation="decline")
        Review.objects.create(assignment=assignments[1])
        ConflictDeclaration.objects.create(application=pending, reviewer=reviewers[2], has_conflict=True)

        # Bank lines.
        for amount, status in (("100.00", BankLineStatus.UNMATCHED), ("50.50", BankLineStatus.UNMATCHED),
                               ("75.00", BankLineStatus.IGNORED)):
            line = BankLine.objects.create(statement=statement, dedup_key=f"TX-{next(REFERENCES)}", label="VIR",
                                           amount=Decimal(amount), booked_on=today, status=status)
            if status == BankLineStatus.UNMATCHED:
                counted["bank_lines"].append(line)

        # Support sessions: proposed in the next 7 days only.
        plan = plan_for()
        Tranche.objects.filter(grant=plan.grant).update(due_on=today + timedelta(days=200))
        ReviewRound.objects.filter(decisions__grant=plan.grant).update(published_at=timezone.now())
        need = plan.needs.first()
        counted["bookings"].append(booking_row(expert=expert, need=need, status=BookingStatus.PROPOSED,
                                               start=timezone.now() + timedelta(days=2)))
        booking_row(expert=expert, need=need, status=BookingStatus.PROPOSED,
                    start=timezone.now() + timedelta(days=8))
        booking_row(expert=expert, need=need, status=BookingStatus.CONFIRMED,
                    start=timezone.now() + timedelta(days=3))
        booking_row(expert=expert, need=need, status=BookingStatus.PROPOSED,
                    start=timezone.now() - timedelta(days=2))

    # One upcoming event of 3 places: 3 registered (full), 2 waiting for a place, 1 for its workshop;
    # and an event already over.
    event = EventFactory(capacity=3, published=True, registration_opens_at=at(days=-10),
                         registration_closes_at=at(days=20))
    workshop = SessionFactory(event=event, capacity=1)
    first, second, _ = (register(event) for _ in range(3))
    waiting(event)
    waiting(event)
    for registration, status in ((first, WaitingListEntry.Status.WAITING), (second, WaitingListEntry.Status.EXPIRED)):
        WaitingListEntry.objects.create(event=event, session=workshop, registration=registration, status=status,
                                        first_name=registration.first_name, last_name=registration.last_name,
                                        email=registration.email)
    EventFactory(starts_at=at(days=-5), ends_at=at(days=-5, hours=8), registration_opens_at=at(days=-30),
                 registration_closes_at=at(days=-6), capacity=10, published=True)
    return counted, event


def test_each_count_matches_the_hand_built_situation():
    counted, event = build()
    home = staff_home()
    assert home.counts == {"screenings": 1, "decisions": 1, "bank_lines": 2, "tranches": 1, "tranches_late": 1,
                           "reports": 2, "bank_details": 1, "bookings": 1}
    lines = {line.key: line for line in home.lines}
    assert lines["bank_lines"].amount == Decimal("150.50")
    assert lines["tranches"].amount == Decimal("600.00")  # 1 000 € due, 400 € already allocated
    assert lines["tranches_late"].amount == Decimal("500.00")

    (round_line,) = home.rounds
    assert round_line.round == counted["decisions"][0].round
    assert (round_line.submitted, round_line.assigned, round_line.applications, round_line.late) == (1, 2, 2, False)
    assert round_line.percent == 50

    (event_line,) = home.events
    assert event_line.event == event
    assert (event_line.confirmed, event_line.capacity, event_line.places_left, event_line.waiting,
            event_line.session_waiting) == (3, 3, 0, 2, 1)


def test_a_round_past_its_deadline_is_late_and_a_published_one_leaves():
    counted, _ = build()
    review_round = counted["decisions"][0].round
    ReviewRound.objects.filter(pk=review_round.pk).update(deadline=timezone.now() - timedelta(hours=1))
    assert [line.late for line in staff_home().rounds] == [True]
    ReviewRound.objects.filter(pk=review_round.pk).update(published_at=timezone.now())
    assert staff_home().rounds == []


def _changelist_pks(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return {obj.pk for obj in response.context["cl"].result_list}


def test_each_link_opens_the_admin_list_of_exactly_the_rows_counted(staff_client):
    counted, event = build()
    lines = {line.key: line for line in staff_home().lines}
    for key, rows in counted.items():
        assert _changelist_pks(staff_client, lines[key].url) == {row.pk for row in rows}, key
    (event_line,) = staff_home().events
    registrations = _changelist_pks(staff_client, event_line.registrations_url)
    confirmed = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
    assert registrations == set(confirmed.values_list("pk", flat=True))
    assert len(registrations) == 3
    assert _changelist_pks(staff_client, event_line.waiting_url) == set(
        WaitingListEntry.objects.filter(event=event, session=None).values_list("pk", flat=True))
    in_sessions = WaitingListEntry.objects.filter(event=event, session__isnull=False, status="waiting")
    assert _changelist_pks(staff_client, event_line.session_waiting_url) == set(in_sessions.values_list("pk",
                                                                                                       flat=True))
    (round_line,) = staff_home().rounds
    assert staff_client.get(round_line.url).status_code == 200


def test_the_page_shows_each_count_with_its_link(staff_client):
    build()
    page = staff_client.get(URL).content.decode()
    for line in staff_home().lines:
        assert f'data-count="{line.key}">{line.count}<' in page
        assert f'href="{line.url.replace("&", "&amp;")}"' in page
    assert "150,50\u00a0€" in page
    assert "1 / 2" in page  # the round's reviews submitted / assigned


def test_nothing_to_do_says_so(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert response.context["home"].is_empty
    assert 'class="empty-state"' in response.content.decode()
    assert "data-count=" not in response.content.decode()


def test_only_staff_open_it(client, applicant_client, expert_client, donor_client, staff):
    assert client.get(URL).status_code == 302
    for other in (applicant_client, expert_client, donor_client):
        assert other.get(URL).status_code == 403


def test_staff_see_the_link_in_the_header_and_others_do_not(staff_client, applicant_client):
    page = staff_client.get(reverse("portal:my_space")).content.decode()
    assert f'href="{URL}">Accueil équipe</a>' in page
    assert f'href="{URL}"' not in applicant_client.get(reverse("portal:my_space")).content.decode()


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_query_count_is_pinned_and_flat_at_ten_times_more_data(staff_client, django_assert_max_num_queries):
    build(1)
    small = _queries(staff_client)
    build(9)
    assert staff_home().counts["bookings"] == 10
    # 5 for the request (session, user, roles, MFA checked by the middleware and by the decorator),
    # then one per read: screenings, decisions, bank lines, tranches late, tranches due, reports, bank
    # details, bookings, review rounds (with their counts as subqueries), events (with their places as subqueries).
    with django_assert_max_num_queries(15):
        assert staff_client.get(URL).status_code == 200
    assert _queries(staff_client) == small


def test_the_admin_links_to_it_for_staff_only(staff_client, committee_client):
    assert f'href="{URL}"' in staff_client.get(reverse("admin:index")).content.decode()
    committee_page = committee_client.get(reverse("committee:index"))
    assert committee_page.status_code == 200
    assert f'href="{URL}"' not in committee_page.content.decode()


def test_staff_land_on_the_staff_home_after_logging_in_and_others_on_my_space(client, make_user):
    """(Staff without a second factor yet: with one, the code's page comes first, then the same place.)"""
    from joinforces.accounts.models import Role
    from tests.factories import PASSWORD

    for role, landing in ((Role.STAFF, "/equipe/"), (Role.APPLICANT, "/mon-espace/")):
        user = make_user(role)
        client.logout()
        response = client.post("/compte/login/", {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == landing, (role, response["Location"])
