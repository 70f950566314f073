"""More information: staff reopen named steps with a message, the team is emailed, changes only
those steps, and sends the application again, which returns it to the review with its history."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from applications import services
from applications.models import InfoRequest, Status, TeamMember
from applications.selectors.application import describe_change, info_request_changes
from applications.services.application import NOT_REOPENED
from joinforces.core.models import Notification
from tests.applications.factories import (
    committee_for,
    complete_application,
    open_round,
    pdf_file,
    submitted_application,
)
from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Précisez la part des votes de chaque membre et joignez le budget détaillé."
STEP_ONE = {"name": "Collectif Solidarités Alimentaires du Nord", "kind": "coalition",
            "themes": ["food", "social_action"], "main_purpose": "joint_programmes", "temporary": "no",
            "years_together": "4", "summary": "Cinq associations du Nord organisent ensemble l'aide alimentaire."}


def step(application, number):
    return reverse("applications:step", args=[application.pk, number])


def answer_url(application):
    return reverse("applications:info_answer", args=[application.pk])


def flashed(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def in_review(applicant, staff, co_applicant=None):
    """A submitted application of `applicant` taken into a review round (status in review)."""
    application = submitted_application(user=applicant)
    if co_applicant is not None:
        TeamMember.objects.create(application=application, user=co_applicant, role=TeamMember.Role.CO_APPLICANT)
    committee_for(application.call, staff=staff)
    open_round(application.call, staff=staff)
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    return application


def ask(application, staff, steps=(1, 8)):
    request = services.info_request(application=application, steps=steps, message=MESSAGE, actor=staff)
    application.refresh_from_db()
    return request


def test_staff_request_emails_each_person_of_the_team_once(applicant, staff, django_capture_on_commit_callbacks,
                                                          mailoutbox):
    """Each person of the team gets one email with the message; the application waits for them."""
    co_applicant = ApplicantFactory()
    application = in_review(applicant, staff, co_applicant=co_applicant)
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(application, staff)
    assert application.status == Status.MORE_INFO_REQUESTED
    notifications = Notification.objects.filter(key__startswith=f"applications.info_requested:{request.pk}:")
    assert sorted(notifications.values_list("to", flat=True)) == sorted([applicant.email, co_applicant.email])
    sent = [email for email in mailoutbox if application.reference in email.subject]
    assert sorted(address for email in sent for address in email.to) == sorted([applicant.email,
                                                                                co_applicant.email])
    assert all(MESSAGE in email.body for email in sent)


def test_only_the_named_steps_are_editable_and_show_the_message(applicant_client, applicant, staff):
    """The reopened steps are editable, whatever the call's dates; the others stay read-only; every
    step shows the staff's message and which steps are reopened."""
    application = in_review(applicant, staff)
    type(application.call).objects.filter(pk=application.call_id).update(
        closes_at=timezone.now() - timedelta(days=1))
    ask(application, staff, steps=(1, 8))

    reopened = applicant_client.get(step(application, 1))
    page = reopened.content.decode()
    assert reopened.context["editable"] and "<fieldset disabled" not in page
    assert MESSAGE in page and 'id="info-request-title"' in page
    assert [number for number, _label in reopened.context["reopened_titles"]] == [1, 8]
    closed = applicant_client.get(step(application, 3))
    assert not closed.context["editable"] and "<fieldset disabled" in closed.content.decode()
    assert MESSAGE in closed.content.decode()

    saved = applicant_client.post(step(application, 1), {**STEP_ONE, "summary": "Un résumé précisé."})
    assert saved.status_code == 302
    application.refresh_from_db()
    assert application.summary == "Un résumé précisé." and application.status == Status.MORE_INFO_REQUESTED


def test_a_post_to_a_step_not_reopened_changes_nothing_and_says_so(applicant_client, applicant, staff):
    """A save posted to a step the request did not reopen is refused with a message; nothing changes."""
    application = in_review(applicant, staff)
    ask(application, staff, steps=(1,))
    response = applicant_client.post(step(application, 5), {"commitment-why_together": "Autre chose"})
    assert response.status_code == 302 and response["Location"] == step(application, 5)
    assert flashed(response) == [str(NOT_REOPENED)]
    application.refresh_from_db()
    assert application.why_together == "Mieux servir les familles du territoire."
    htmx = applicant_client.post(step(application, 5), {"commitment-why_together": "Autre chose"},
                                 headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and htmx.content.decode() == escape(str(NOT_REOPENED))


def test_services_refuse_a_part_of_a_step_not_reopened(applicant, staff):
    """Each part-saving service accepts the changes of the reopened steps and refuses the others."""
    application = in_review(applicant, staff)
    ask(application, staff, steps=(1, 3))
    member = application.members.first()

    services.application_save(application=application, actor=applicant, name="Nouveau nom", themes=["food"])
    services.application_save(application=application, actor=applicant, governance="weighted")
    services.member_update(member=member, actor=applicant, voting_share=50, veto_holder=False)
    refused = [
        lambda: services.application_save(application=application, actor=applicant, why_together="…"),
        lambda: services.application_save(application=application, actor=applicant, name="X", years=1),
        lambda: services.application_save(application=application, actor=applicant, consent_public=False),
        lambda: services.member_update(member=member, actor=applicant, name="Autre nom"),
        lambda: services.member_update(member=member, actor=applicant, decision_status="in_progress"),
        lambda: services.member_add(application=application, actor=applicant, name="Nouvelle association"),
        lambda: services.member_remove(member=member, actor=applicant),
        lambda: services.programme_remove(programme=application.programmes.first(), actor=applicant),
        lambda: services.budget_line_remove(line=application.budget_lines.first(), actor=applicant),
        lambda: services.support_need_set(application=application, actor=applicant, domain="hr", days=2),
        lambda: services.attachment_add(application=application, actor=applicant, kind="budget",
                                        file=pdf_file()),
        lambda: services.application_step_claim(application=application, step=9, version=None, actor=applicant),
    ]
    for call in refused:
        with pytest.raises(services.ApplicationError) as error:
            call()
        assert error.value.message == str(NOT_REOPENED)
    application.refresh_from_db()
    member.refresh_from_db()
    assert (application.name, application.governance, member.voting_share) == ("Nouveau nom", "weighted", 50)
    assert application.why_together == "Mieux servir les familles du territoire."
    assert application.members.count() == 2 and application.attachments.count() == 2


def test_resubmitting_returns_the_application_to_review(applicant_client, applicant, staff,
                                                       django_capture_on_commit_callbacks):
    """The team sends the application again from step 9: back in review, the request answered, the
    steps closed again."""
    application = in_review(applicant, staff)
    request = ask(application, staff)
    page = applicant_client.get(step(application, 9))
    assert answer_url(application) in page.content.decode() and not page.context["all_missing"]
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(answer_url(application))
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    application.refresh_from_db()
    request.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    assert request.answered_at is not None and request.answered_by == applicant
    assert not InfoRequest.objects.open().filter(application=application).exists()
    with pytest.raises(services.ApplicationError):
        services.application_save(application=application, actor=applicant, name="Trop tard")
    detail = applicant_client.get(response["Location"])
    assert detail.context["info_request"] is None


def test_an_incomplete_application_cannot_be_sent_again(applicant_client, applicant, staff):
    """Sending again is refused while something is missing, like a submission: the items are listed
    on step 9, and the application keeps waiting."""
    application = in_review(applicant, staff)
    request = ask(application, staff, steps=(8,))
    accounts = application.attachments.get(kind="accounts")
    services.attachment_remove(attachment=accounts, actor=applicant)
    page = applicant_client.get(step(application, 9))
    assert [item.step for item in page.context["all_missing"]] == [8]
    assert 'disabled aria-disabled="true">' in page.content.decode()

    response = applicant_client.post(answer_url(application))
    assert response["Location"] == step(application, 9)
    assert len(flashed(response)) == 1
    application.refresh_from_db()
    request.refresh_from_db()
    assert application.status == Status.MORE_INFO_REQUESTED and request.answered_at is None


def test_sending_again_is_refused_to_outsiders_and_when_nothing_is_asked(
        applicant_client, other_applicant_client, applicant, staff):
    """Someone outside the team gets a 404; the team of an application with no request is refused."""
    application = in_review(applicant, staff)
    assert applicant_client.post(answer_url(application)).status_code == 302
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW  # nothing asked: nothing happens
    ask(application, staff)
    assert other_applicant_client.post(answer_url(application)).status_code == 404
    assert applicant_client.get(answer_url(application)).status_code == 405
    application.refresh_from_db()
    assert application.status == Status.MORE_INFO_REQUESTED


def test_the_change_history_lists_what_changed_while_the_request_was_open(applicant_client, applicant, staff):
    """Step 9 lists the changes made since the request (not before, not what staff did); the
    selector stops at the resubmission."""
    application = in_review(applicant, staff)
    request = ask(application, staff, steps=(1, 8))
    services.application_save(application=application, actor=applicant, summary="Un résumé précisé.")
    services.attachment_add(application=application, actor=applicant, kind="budget", file=pdf_file("budget.pdf"))

    changes = list(info_request_changes(request))
    assert [event.action for event in changes] == ["applications.saved", "applications.attachment_added"]
    described = describe_change(changes[0])
    assert described.fields[0].new == "Un résumé précisé."
    assert described.fields[0].old.startswith("Quatre associations")
    page = applicant_client.get(step(application, 9)).content.decode()
    assert "Un résumé précisé." in page and 'id="info-request-changes-title"' in page

    services.info_request_answer(application=application, actor=applicant)
    request.refresh_from_db()
    ask(application, staff, steps=(1,))
    services.application_save(application=application, actor=applicant, summary="Encore plus précis.")
    assert len(info_request_changes(request)) == 2


def test_a_draft_keeps_its_behaviour(applicant_client, applicant):
    """A draft of an open call: every step editable, no request shown, submitted from step 9; it
    cannot be "sent again"."""
    application = complete_application(user=applicant)
    for number in (2, 5, 8):
        page = applicant_client.get(step(application, number))
        assert page.context["editable"] and page.context["info_request"] is None
        assert 'id="info-request-title"' not in page.content.decode()
    last = applicant_client.get(step(application, 9)).content.decode()
    assert 'name="submit"' in last and answer_url(application) not in last
    services.member_add(application=application, actor=applicant, name="Troisième association",
                        legal_form="association", non_profit=True, role="member")
    response = applicant_client.post(answer_url(application))
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_submitted_application_without_request_stays_read_only(applicant_client, applicant):
    """A submitted application with nothing requested: a save posted to a step is refused, with a message."""
    application = submitted_application(user=applicant)
    response = applicant_client.post(step(application, 1), {"name": "Changée"})
    assert response.status_code == 302 and len(flashed(response)) == 1
    application.refresh_from_db()
    assert application.name == "Collectif Solidarités Alimentaires du Nord"
