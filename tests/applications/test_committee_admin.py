"""The committee's admin site at /comite/ and the staff's committee pages: who gets in, the conflict
rule at the HTTP level, the review form, decisions by the chair, the CSV export and query counts."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils.html import escape

from applications import services
from applications.models import (
    Application,
    ConflictDeclaration,
    Decision,
    MemberOrganisation,
    Programme,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewStatus,
    Status,
)
from joinforces.core.models import Territory
from joinforces.core.uploads import download_url

from .factories import ApplicationFactory, CallFactory, committee_for, full_review, open_round, submitted_application

pytestmark = pytest.mark.django_db

LIST = "/comite/applications/application/"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def page(pk, name="change", site="comite"):
    return f"/{site}/applications/application/{pk}/{name}/"


@pytest.fixture
def setting(staff):
    """A call with three submitted applications, a committee of three (the first chairs) and a round
    with two reviewers per application."""
    call = CallFactory()
    applications = [submitted_application(call=call, name=f"Collectif {n}") for n in range(3)]
    members = committee_for(call, staff=staff, size=3)
    review_round = open_round(call, staff=staff)
    services.review_assign_balanced(review_round=review_round, actor=staff)
    return call, applications, members, review_round


def test_only_committee_members_enter_the_committee_site(setting, applicant_client, donor_client, staff_client):
    """Applicants, donors and staff without the committee role are sent to the login page; a member
    gets in, and has no access to the staff's full admin."""
    _call, _apps, members, _round = setting
    for client in (applicant_client, donor_client, staff_client):
        response = client.get("/comite/")
        assert response.status_code == 302 and "/login/" in response["Location"]
    member_client = client_for(members[1])
    assert member_client.get("/comite/").status_code == 200
    response = member_client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_reviewer_lists_only_their_applications_and_declares_before_reading(setting):
    """The list holds the reviewer's assignments; the application's page first asks for the
    declaration of interests, which shows its member organisations."""
    _call, _apps, members, _round = setting
    reviewer = members[1]
    mine = set(ReviewAssignment.objects.filter(reviewer=reviewer).values_list("application__reference", flat=True))
    client = client_for(reviewer)
    response = client.get(LIST)
    listed = {a.reference for a in response.context["cl"].result_list}
    assert listed == mine
    application = ReviewAssignment.objects.filter(reviewer=reviewer).first().application
    response = client.get(page(application.pk))
    assert response.status_code == 302 and response["Location"].endswith(page(application.pk, "interets"))
    response = client.get(page(application.pk, "interets"))
    for member in application.members.all():
        assert member.name in response.content.decode()
    response = client.post(page(application.pk, "interets"), {"has_conflict": "no"})
    assert response.status_code == 302
    response = client.get(page(application.pk))
    assert response.status_code == 200
    assert escape(application.summary) in response.content.decode()


def _conflicted(setting):
    _call, _apps, members, _round = setting
    reviewer = members[1]
    assignment = ReviewAssignment.objects.filter(reviewer=reviewer).first()
    application = assignment.application
    full_review(assignment, submit=False)
    org = application.members.first()
    services.conflict_declare(application=application, reviewer=reviewer, has_conflict=True, organisations=[org])
    return reviewer, application


def test_a_conflicted_reviewer_gets_what_a_missing_application_gets(setting):
    """Every page of the application, and its attachments, answer the conflicted reviewer exactly as
    for an application that does not exist; it is gone from their list and their export."""
    reviewer, application = _conflicted(setting)
    client = client_for(reviewer)
    missing = Application.objects.order_by("-pk").first().pk + 1000
    for name in ("change", "interets", "avis", "decision"):
        conflicted, absent = client.get(page(application.pk, name)), client.get(page(missing, name))
        assert (conflicted.status_code, conflicted.content) == (absent.status_code, absent.content), name
        assert conflicted.status_code == 404
    attachment = application.attachments.first()
    url = download_url(attachment, "file")
    absent_url = url.replace(f"/{attachment.pk}/", f"/{attachment.pk + 1000}/")
    conflicted, absent = client.get(url), client.get(absent_url)
    assert conflicted.status_code == absent.status_code == 404
    assert conflicted.content == absent.content
    response = client.get(LIST)
    assert application.reference not in {a.reference for a in response.context["cl"].result_list}
    export = client.get(LIST + "export.csv")
    assert application.reference not in b"".join(export.streaming_content).decode("utf-8-sig")


def test_the_review_form_saves_a_draft_then_submits(setting):
    """A partial review saves as a draft; submitting it while incomplete says what is missing and
    keeps the draft; a complete one is submitted, then shown read-only."""
    _call, _apps, members, _round = setting
    reviewer = members[2]
    assignment = ReviewAssignment.objects.filter(reviewer=reviewer).first()
    services.conflict_declare(application=assignment.application, reviewer=reviewer, has_conflict=False)
    client = client_for(reviewer)
    url = page(assignment.application_id, "avis")
    response = client.post(url, {"sincerity": "4", "sincerity_comment": "Sincère", "_save": "1"})
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert (review.status, review.sincerity, review.sincerity_comment) == (ReviewStatus.DRAFT, 4, "Sincère")
    response = client.post(url, {"sincerity": "4", "_submit": "1"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    data = dict.fromkeys(ReviewCriterion.values, "3")
    data.update(recommendation="discuss", suggested_amount="25000", _submit="1")
    response = client.post(url, data)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.suggested_amount == Decimal("25000")
    response = client.post(url, {**data, "sincerity": "1"})
    review.refresh_from_db()
    assert review.sincerity == 3
    assert "form" not in response.context or not response.context["editable"]


def test_the_chair_records_a_decision_and_an_ordinary_member_cannot(setting):
    """The chair records a decision from the committee site; the page shows the call's envelope; an
    ordinary member gets a 404 there."""
    call, _apps, members, _round = setting
    chair, member = members[0], members[1]
    application = ReviewAssignment.objects.filter(reviewer=member).first().application
    for person in (chair, member):
        services.conflict_declare(application=application, reviewer=person, has_conflict=False)
    assert client_for(member).get(page(application.pk, "decision")).status_code == 404
    client = client_for(chair)
    response = client.get(page(application.pk, "decision"))
    assert response.status_code == 200 and response.context["envelope"].total == call.budget_envelope
    response = client.post(page(application.pk, "decision"), {
        "outcome": "selected", "amount_per_year": "30000", "years": "3", "rationale": "Très solide."})
    assert response.status_code == 302
    decision = Decision.objects.get(application=application)
    assert (decision.outcome, decision.total_amount, decision.published_at) == ("selected", Decimal("90000"), None)
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


def test_the_export_follows_the_filters_and_carries_the_scores(setting, staff_client):
    """The CSV holds the filtered list (all pages) with reviews done, assigned and the average."""
    _call, apps, _members, _review_round = setting
    for assignment in ReviewAssignment.objects.filter(application=apps[0]):
        full_review(assignment, scores=(5, 5, 4, 4, 3, 3))
    response = staff_client.get("/admin/applications/application/export.csv", {"q": apps[0].reference})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2
    assert rows[1][0] == apps[0].reference
    assert rows[1][8:11] == ["2", "2", "4,00"]


def test_the_list_sorts_by_average_score(setting, staff_client):
    """Sorting by the average score puts the best-scored application first, unscored ones last."""
    _call, apps, _members, _round = setting
    for assignment in ReviewAssignment.objects.filter(application=apps[1]):
        full_review(assignment, scores=(5, 5, 5, 5, 5, 5))
    for assignment in ReviewAssignment.objects.filter(application=apps[2]):
        full_review(assignment, scores=(2, 2, 2, 2, 2, 2))
    index = staff_client.get("/admin/applications/application/").context["cl"].list_display.index("average_score")
    response = staff_client.get("/admin/applications/application/", {"o": str(index)})
    order = [a.pk for a in response.context["cl"].result_list]
    assert order == [apps[1].pk, apps[2].pk, apps[0].pk]


def _grow(call, review_round, reviewers, count, start):
    """`count` submitted applications with members, programmes, two assignments each, one submitted
    review, one draft and a declared conflict on every third one (rows only)."""
    territories = list(Territory.objects.filter(code__in=["59", "62", "R32"]))
    for n in range(count):
        application = ApplicationFactory(call=call, status=Status.IN_REVIEW, reference=f"JF-2026-{start + n:04d}",
                                         submitted_at=call.opens_at, kind="coalition",
                                         amount_requested=Decimal("90000.00"))
        review_round.applications.add(application)
        members = [MemberOrganisation.objects.create(application=application, name=f"Membre {m}", role="member",
                                                     legal_form="association", non_profit=True) for m in range(3)]
        programme = Programme.objects.create(application=application, title="Programme", integration="joint")
        programme.territories.set(territories)
        programme.members_involved.set(members)
        first, second = (ReviewAssignment.objects.create(round=review_round, application=application, reviewer=r)
                         for r in reviewers[:2])
        scores = dict.fromkeys(ReviewCriterion.values, 4)
        Review.objects.create(assignment=first, status=ReviewStatus.SUBMITTED, submitted_at=call.opens_at,
                              recommendation="fund", **scores)
        Review.objects.create(assignment=second, sincerity=3)
        for reviewer in reviewers[:2]:
            ConflictDeclaration.objects.create(application=application, reviewer=reviewer,
                                               has_conflict=(n % 3 == 0 and reviewer == reviewers[1]))


@pytest.mark.parametrize("site", ["comite", "admin"])
def test_the_list_query_count_is_flat(site, staff, django_assert_max_num_queries):
    """The committee's list (and the staff's) costs the same number of queries for 5 and for 50
    applications, with their reviews, members and territories."""
    call = CallFactory()
    reviewers = committee_for(call, staff=staff, size=2)
    review_round = open_round(call, staff=staff)
    client = client_for(reviewers[0] if site == "comite" else staff)
    url = f"/{site}/applications/application/"
    counts = []
    for start, count in ((100, 5), (200, 45)):
        _grow(call, review_round, reviewers, count, start)
        client.get(url)  # warm the per-process caches (content types, sessions)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(24):
        client.get(url)
