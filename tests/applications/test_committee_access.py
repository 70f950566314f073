"""The conflict-of-interest rule end to end: a reviewer who declared a conflict with an application gets,
for it and everything derived from it (reviews, decisions, assignments, aggregates, files), exactly
what anyone gets for an object that does not exist. A reviewer reads an application only once they
declared no conflict; the others' reviews only once theirs is submitted (the chair: once declared).
Everyone else (another applicant, a donor, a committee member not on it) gets nothing."""

from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from applications import services
from applications.models import Application, Attachment, Decision, Outcome, Review, ReviewAssignment
from applications.selectors import committee_applications
from joinforces.core.uploads import download_url
from tests.factories import CommitteeMemberFactory

from .factories import PDF_BYTES, CallFactory, committee_for, full_review, open_round, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(staff, applicant):
    """A call with two applications (the first by `applicant`); a committee of four: the chair,
    alice and bob reviewing both, and carol on the committee with nothing assigned."""
    call = CallFactory()
    first = submitted_application(call=call, user=applicant, name="Collectif A")
    second = submitted_application(call=call, name="Collectif B")
    chair, alice, bob, carol = committee_for(call, staff=staff, size=4)
    review_round = open_round(call, staff=staff)
    assignments = {}
    for application in (first, second):
        for reviewer in (alice, bob):
            assignments[application.pk, reviewer.pk] = services.review_assign(
                review_round=review_round, application=application, reviewer=reviewer, actor=staff)
    return SimpleNamespace(call=call, first=first, second=second, chair=chair, alice=alice, bob=bob, carol=carol,
                           round=review_round, staff=staff, applicant=applicant, assignments=assignments)


def assignment(world, application, reviewer):
    return world.assignments[application.pk, reviewer.pk]


def everything_about(application, user) -> dict:
    """What `user` gets of `application` through every committee queryset."""
    return {
        "application": list(Application.objects.visible_to(user).filter(pk=application.pk)),
        "attachments": list(Attachment.objects.visible_to(user).filter(application=application)),
        "reviews": list(Review.objects.visible_to(user).filter(assignment__application=application)),
        "decisions": list(Decision.objects.visible_to(user).filter(application=application)),
        "assignments": list(ReviewAssignment.objects.visible_to(user).filter(application=application)),
        "committee list": list(committee_applications(user).filter(pk=application.pk)),
    }


NOTHING = {"application": [], "attachments": [], "reviews": [], "decisions": [], "assignments": [],
           "committee list": []}


def get(user, url):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def missing_attachment_url() -> str:
    """The download URL of an attachment that does not exist (same content type and field)."""
    last = Attachment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return reverse("core:download", kwargs={"content_type_id": ContentType.objects.get_for_model(Attachment).pk,
                                            "object_id": last + 1000, "field": "file"})


def assert_like_a_missing_object(user, attachment):
    real, missing = get(user, download_url(attachment, "file")), get(user, missing_attachment_url())
    assert real.status_code == missing.status_code == 404
    assert body(real) == body(missing)
    assert PDF_BYTES not in body(real)


# --- A conflicted reviewer ---------------------------------------------------------------------------


def test_a_conflicted_reviewer_gets_nothing_of_the_application(world):
    """Alice reviewed the first application, then declared a conflict: its application, files, every
    review (her own set-aside one too), the pending decision, her assignment and its row in the
    committee list are gone for her; the second application stays as it was."""
    full_review(assignment(world, world.first, world.alice))
    full_review(assignment(world, world.first, world.bob))
    full_review(assignment(world, world.second, world.alice))
    full_review(assignment(world, world.second, world.bob))
    for application in (world.first, world.second):
        services.decision_record(application=application, review_round=world.round, outcome=Outcome.WAITLISTED,
                                 actor=world.staff, rationale="À rediscuter.")
    before = everything_about(world.first, world.alice)
    assert all(before.values()), before  # she saw it all before declaring

    services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=True,
                              organisations=[world.first.members.first()])

    assert everything_about(world.first, world.alice) == NOTHING
    still = everything_about(world.second, world.alice)
    assert len(still["reviews"]) == 2 and still["decisions"] and still["committee list"]
    assert_like_a_missing_object(world.alice, world.first.attachments.first())
    assert get(world.alice, download_url(world.second.attachments.first(), "file")).status_code == 200


def test_the_committee_list_of_a_conflicted_reviewer_has_no_trace_of_the_application(world):
    """Not in the list, and not in the aggregates of anything she still sees."""
    services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=True, details="Lien.")
    rows = list(committee_applications(world.alice))
    assert [row.pk for row in rows] == [world.second.pk]
    assert world.first.pk not in committee_applications(world.alice).values_list("pk", flat=True)


def test_a_conflicted_chair_gets_nothing_of_the_application(world):
    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=False)
    full_review(assignment(world, world.first, world.alice))
    services.decision_record(application=world.first, review_round=world.round, outcome=Outcome.WAITLISTED,
                             actor=world.staff, rationale="À rediscuter.")
    assert everything_about(world.first, world.chair)["reviews"]
    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=True, details="Lien.")
    assert everything_about(world.first, world.chair) == NOTHING
    assert_like_a_missing_object(world.chair, world.first.attachments.first())


def test_a_conflicted_reviewer_gets_no_decision_letter(world):
    """Even a published decision's letter answers like a missing one to the conflicted reviewer; the
    team downloads it."""
    services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=True, details="Lien.")
    decision = services.decision_record(application=world.first, review_round=world.round,
                                        outcome=Outcome.DECLINED, actor=world.staff, rationale="Avis.",
                                        reasons="Programmes pas encore communs.")
    services.round_publish(review_round=world.round, actor=world.staff)
    decision.refresh_from_db()
    decision.letter.save("decision.pdf", ContentFile(PDF_BYTES), save=False)
    decision.save(update_fields=["letter"])
    url = download_url(decision, "letter")
    missing = reverse("core:download", kwargs={"content_type_id": ContentType.objects.get_for_model(Decision).pk,
                                               "object_id": decision.pk + 1000, "field": "letter"})
    real, absent = get(world.alice, url), get(world.alice, missing)
    assert real.status_code == absent.status_code == 404 and body(real) == body(absent)
    team = get(world.applicant, url)
    assert team.status_code == 200 and body(team) == PDF_BYTES


# --- Before and after declaring ----------------------------------------------------------------------


def test_attachments_only_after_declaring_no_conflict(world):
    attachment = world.first.attachments.first()
    assert get(world.bob, download_url(attachment, "file")).status_code == 404
    assert not Application.objects.visible_to(world.bob).exists()
    # Assigned but not declared: in the list (to declare), not readable.
    assert set(committee_applications(world.bob).values_list("pk", flat=True)) == {world.first.pk, world.second.pk}
    assert not committee_applications(world.bob).get(pk=world.first.pk).cleared

    services.conflict_declare(application=world.first, reviewer=world.bob, has_conflict=False)

    response = get(world.bob, download_url(attachment, "file"))
    assert response.status_code == 200 and body(response) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert list(Application.objects.visible_to(world.bob)) == [world.first]
    assert committee_applications(world.bob).get(pk=world.first.pk).cleared
    assert get(world.bob, download_url(world.second.attachments.first(), "file")).status_code == 404


# --- The others' reviews -----------------------------------------------------------------------------


def visible_reviews(user, application):
    return set(Review.objects.visible_to(user).filter(assignment__application=application))


def test_a_reviewer_sees_the_others_submitted_reviews_only_after_submitting(world):
    alices = full_review(assignment(world, world.first, world.alice))
    bobs = full_review(assignment(world, world.first, world.bob), submit=False)
    assert visible_reviews(world.bob, world.first) == {bobs}  # alice's submitted review hidden from bob
    assert visible_reviews(world.alice, world.first) == {alices}  # bob's draft hidden from alice

    services.review_submit(review=bobs, actor=world.bob)

    assert visible_reviews(world.bob, world.first) == {alices, bobs}
    assert visible_reviews(world.alice, world.first) == {alices, bobs}
    assert visible_reviews(world.alice, world.second) == set()


def test_the_chair_sees_submitted_reviews_once_declared(world):
    alices = full_review(assignment(world, world.first, world.alice))
    full_review(assignment(world, world.first, world.bob), submit=False)
    assert visible_reviews(world.chair, world.first) == set()
    services.conflict_declare(application=world.first, reviewer=world.chair, has_conflict=False)
    assert visible_reviews(world.chair, world.first) == {alices}  # never a draft
    assert list(Application.objects.visible_to(world.chair)) == [world.first]


def test_staff_see_every_review_and_decision(world):
    full_review(assignment(world, world.first, world.alice))
    full_review(assignment(world, world.first, world.bob), submit=False)
    services.conflict_declare(application=world.first, reviewer=world.alice, has_conflict=True, details="Lien.")
    assert len(visible_reviews(world.staff, world.first)) == 2
    assert ReviewAssignment.objects.visible_to(world.staff).count() == 4


# --- Everyone else -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_applicant", "donor", "carol", "outsider_member"])
def test_others_get_nothing(world, request, who):
    """Another applicant, a donor, a committee member with nothing assigned and a member of another
    call's committee: every queryset empty, every download a 404 like a missing object."""
    if who == "carol":
        user = world.carol
    elif who == "outsider_member":
        user = CommitteeMemberFactory()
        services.committee_member_add(call=CallFactory(), user=user, actor=world.staff)
    else:
        user = request.getfixturevalue(who)
    review = full_review(assignment(world, world.first, world.alice))
    services.decision_record(application=world.first, review_round=world.round, outcome=Outcome.SELECTED,
                             actor=world.staff, rationale="Avis.", amount_per_year="20000", years=2)
    services.round_publish(review_round=world.round, actor=world.staff)
    assert review.pk
    for application in (world.first, world.second):
        assert everything_about(application, user) == NOTHING
        assert_like_a_missing_object(user, application.attachments.first())
    assert not committee_applications(user).exists()
    if who == "carol":
        with pytest.raises(services.ApplicationError):
            services.conflict_declare(application=world.first, reviewer=user, has_conflict=False)


def test_the_team_sees_its_decision_only_once_published_and_never_reviews(world):
    full_review(assignment(world, world.first, world.alice))
    services.decision_record(application=world.first, review_round=world.round, outcome=Outcome.SELECTED,
                             actor=world.staff, rationale="Avis interne.", amount_per_year="20000", years=2)
    seen = everything_about(world.first, world.applicant)
    assert seen["application"] == [world.first] and seen["decisions"] == [] and seen["reviews"] == []
    assert seen["committee list"] == [] and seen["assignments"] == []
    services.round_publish(review_round=world.round, actor=world.staff)
    seen = everything_about(world.first, world.applicant)
    assert len(seen["decisions"]) == 1 and seen["reviews"] == []
