"""The services of applications: start, save, submit (with its email, screening and dossier),
refusals that change nothing, withdraw, invitations, and their audit rows."""

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from applications import services
from applications.completeness import missing_items
from applications.models import Application, Status, TeamInvitation, TeamMember
from applications.services import ApplicationError
from joinforces.core.models import AuditEvent, Job
from tests.conftest import require
from tests.factories import ApplicantFactory

from .factories import CallFactory, complete_application

pytestmark = pytest.mark.django_db


def actions(application):
    return list(AuditEvent.objects.filter(target_id=str(application.pk), action__startswith="applications.")
                .order_by("pk").values_list("action", flat=True))


def snapshot(application):
    return Application.objects.filter(pk=application.pk).values(
        "status", "reference", "submitted_at", "screening", "name").get()


# --- start and save ----------------------------------------------------------------------------


def test_start_on_an_open_call_makes_the_actor_owner(applicant):
    application = services.application_start(call=CallFactory(), actor=applicant)
    assert application.status == Status.DRAFT and application.reference is None
    assert TeamMember.objects.get(application=application).user == applicant
    assert TeamMember.objects.get(application=application).role == TeamMember.Role.OWNER
    assert actions(application) == ["applications.started"]


@pytest.mark.parametrize("opens, closes", [(-20, -1), (2, 20)])
def test_start_is_refused_when_the_call_is_closed_or_not_yet_open(applicant, opens, closes):
    now = timezone.now()
    call = CallFactory(opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes))
    with pytest.raises(ApplicationError):
        services.application_start(call=call, actor=applicant)
    assert not Application.objects.exists()


def test_save_keeps_an_incomplete_draft_and_audits_the_change(applicant):
    application = services.application_start(call=CallFactory(), actor=applicant)
    services.application_save(application=application, actor=applicant, name="Collectif du Gers",
                              themes=["food"])
    application.refresh_from_db()
    assert application.name == "Collectif du Gers"
    assert list(application.themes.values_list("code", flat=True)) == ["food"]
    event = AuditEvent.objects.get(action="applications.saved")
    assert event.after["name"] == "Collectif du Gers" and event.before["name"] == ""
    assert missing_items(application)  # still incomplete, and saved anyway


def test_save_refuses_someone_outside_the_team_and_invalid_values(applicant, other_applicant):
    application = services.application_start(call=CallFactory(), actor=applicant)
    with pytest.raises(ApplicationError):
        services.application_save(application=application, actor=other_applicant, name="Pris")
    with pytest.raises(ValidationError):
        services.application_save(application=application, actor=applicant, amount_requested=Decimal("-1"))
    assert snapshot(application)["name"] == ""


def test_save_is_refused_after_the_call_closed(applicant):
    call = CallFactory()
    application = services.application_start(call=call, actor=applicant)
    call.closes_at = timezone.now() - timedelta(seconds=1)
    call.save()
    with pytest.raises(ApplicationError):
        services.application_save(application=application, actor=applicant, name="Trop tard")


def test_member_with_an_invalid_identifier_is_refused(applicant):
    application = services.application_start(call=CallFactory(), actor=applicant)
    with pytest.raises(ValidationError):
        services.member_add(application=application, actor=applicant, name="Asso", legal_form="association",
                            non_profit=True, role="member", identifier="732829321")
    member = services.member_add(application=application, actor=applicant, name="Asso", legal_form="association",
                                 non_profit=True, role="member", identifier="732 829 320")
    assert member.identifier == "732829320"


# --- completeness ------------------------------------------------------------------------------


def test_a_complete_application_misses_nothing():
    assert missing_items(complete_application()) == []


def test_missing_items_name_their_step(applicant):
    application = services.application_start(call=CallFactory(), actor=applicant)
    steps = {(item.step, item.field) for item in missing_items(application)}
    assert {(1, "name"), (2, "members"), (4, "programmes"), (6, "years"), (6, "amount_requested"),
            (8, "statutes"), (8, "accounts"), (9, "consent_public"), (9, "sworn_statement")} <= steps


def test_weighted_shares_must_add_up_to_100():
    application = complete_application(governance="weighted", shares=["60", "30"])
    assert [(i.step, i.field) for i in missing_items(application)] == [(3, "voting_share")]
    member = application.members.last()
    services.member_update(member=member, actor=application.created_by, voting_share=Decimal("40"))
    assert missing_items(application) == []


def test_a_merger_needs_both_sides():
    application = complete_application(kind="merger_absorption")
    assert missing_items(application) == []
    absorbed = application.members.get(role="absorbed")
    services.member_update(member=absorbed, actor=application.created_by, role="absorbing")
    assert [(i.step, i.field) for i in missing_items(application)] == [(2, "role")]


def test_a_consolidation_never_has_shares():
    application = complete_application(kind="merger_absorption")
    member = application.members.first()
    services.member_update(member=member, actor=application.created_by, voting_share=Decimal("50"))
    assert [(i.step, i.field) for i in missing_items(application)] == [(3, "voting_share")]


def test_a_member_without_identifier_needs_a_reason():
    application = complete_application()
    member = application.members.first()
    services.member_update(member=member, actor=application.created_by, identifier="")
    assert [(i.step, i.field) for i in missing_items(application)] == [(2, "identifier")]
    services.member_update(member=member, actor=application.created_by,
                           identifier_missing_reason="Association de fait, en cours de déclaration")
    assert missing_items(application) == []


# --- submit ------------------------------------------------------------------------------------


def test_submit_gives_the_reference_emails_the_team_screens_and_renders_the_dossier(
    django_capture_on_commit_callbacks, tmp_path
):
    owner = ApplicantFactory(language="fr")
    application = complete_application(user=owner)
    english = ApplicantFactory(language="en")
    services.team_invite(application=application, email=english.email, actor=owner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=owner)

    application.refresh_from_db()
    year = timezone.localtime(application.submitted_at).year
    assert application.reference == f"JF-{year}-0001"
    assert application.status == Status.SCREENED
    assert application.screening is not None and application.screening.verdict == "eligible"

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {owner.email, english.email}
    assert "is submitted" in by_recipient[english.email].subject
    assert application.reference in by_recipient[owner.email].body
    assert by_recipient[owner.email].alternatives  # HTML too

    job = Job.objects.get(key=f"applications.dossier:{application.pk}")
    assert job.status == Job.Status.DONE and job.owner == owner
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    path = tmp_path / "dossier.pdf"
    path.write_bytes(job.result.read())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert application.reference in text
    for member in application.members.all():
        assert member.name in text
    assert "Paniers solidaires" in text

    assert actions(application)[-2:] == ["applications.submitted", "applications.screened"]
    submitted = AuditEvent.objects.get(action="applications.submitted", target_id=str(application.pk))
    assert submitted.actor == owner and submitted.after["reference"] == application.reference
    # Each in their language (French once the catalogue has the new strings).
    assert "est déposée" in by_recipient[owner.email].subject


def test_references_follow_each_other_within_a_year():
    call = CallFactory()
    first, second = complete_application(call=call), complete_application(call=call)
    services.application_submit(application=first, actor=first.created_by)
    services.application_submit(application=second, actor=second.created_by)
    assert [first.reference[-4:], second.reference[-4:]] == ["0001", "0002"]


def test_submit_refuses_an_incomplete_application_and_changes_nothing(applicant):
    application = services.application_start(call=CallFactory(), actor=applicant)
    before = snapshot(application)
    with pytest.raises(ApplicationError) as error:
        services.application_submit(application=application, actor=applicant)
    assert error.value.items and snapshot(application) == before
    assert not mail.outbox and "applications.submitted" not in actions(application)


def test_submit_is_refused_after_the_deadline_to_the_second():
    application = complete_application()
    call = application.call
    call.closes_at = timezone.now() - timedelta(seconds=1)
    call.save()
    before = snapshot(application)
    with pytest.raises(ApplicationError):
        services.application_submit(application=application, actor=application.created_by)
    assert snapshot(application) == before


def test_submit_is_refused_to_someone_outside_the_team(other_applicant):
    application = complete_application()
    before = snapshot(application)
    with pytest.raises(ApplicationError):
        services.application_submit(application=application, actor=other_applicant)
    assert snapshot(application) == before


def test_submit_twice_is_refused_the_second_time():
    application = complete_application()
    services.application_submit(application=application, actor=application.created_by)
    before = snapshot(application)
    with pytest.raises(ApplicationError):
        services.application_submit(application=application, actor=application.created_by)
    assert snapshot(application) == before
    assert Job.objects.filter(kind="applications.dossier").count() == 1


def test_a_submitted_application_can_no_longer_be_changed():
    application = complete_application()
    services.application_submit(application=application, actor=application.created_by)
    with pytest.raises(ApplicationError):
        services.application_save(application=application, actor=application.created_by, name="Autre")


# --- screening again ---------------------------------------------------------------------------


def test_screening_again_replaces_the_pointer_and_keeps_the_status(staff):
    application = complete_application()
    services.application_submit(application=application, actor=application.created_by)
    application.refresh_from_db()
    first = application.screening
    Application.objects.filter(pk=application.pk).update(status=Status.IN_REVIEW)
    screening = services.application_screen(application=application, actor=staff)
    application.refresh_from_db()
    assert application.screening == screening != first
    assert application.status == Status.IN_REVIEW


def test_the_screening_task_is_safe_to_run_twice(django_capture_on_commit_callbacks):
    from applications.tasks import application_screen_task

    application = complete_application()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=application.created_by)
    application.refresh_from_db()
    assert application_screen_task(application.pk) == application.screening_id
    application.refresh_from_db()
    assert AuditEvent.objects.filter(action="applications.screened", target_id=str(application.pk)).count() == 1


# --- withdraw ----------------------------------------------------------------------------------


def test_the_team_withdraws_a_submitted_application():
    application = complete_application()
    services.application_submit(application=application, actor=application.created_by)
    services.application_withdraw(application=application, actor=application.created_by, reason="Report")
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN and application.withdrawn_at is not None
    event = AuditEvent.objects.get(action="applications.withdrawn")
    assert event.after == {"status": "withdrawn", "reason": "Report"}


@pytest.mark.parametrize("status", [Status.SELECTED, Status.DECLINED, Status.WAITLISTED, Status.WITHDRAWN])
def test_withdrawal_is_refused_once_final(status):
    application = complete_application()
    services.application_submit(application=application, actor=application.created_by)
    Application.objects.filter(pk=application.pk).update(status=status)
    with pytest.raises(ApplicationError):
        services.application_withdraw(application=application, actor=application.created_by)
    assert snapshot(application)["status"] == status


def test_withdrawal_is_refused_for_a_draft_and_outside_the_team(other_applicant):
    application = complete_application()
    with pytest.raises(ApplicationError):
        services.application_withdraw(application=application, actor=application.created_by)
    services.application_submit(application=application, actor=application.created_by)
    with pytest.raises(ApplicationError):
        services.application_withdraw(application=application, actor=other_applicant)
    assert snapshot(application)["status"] != Status.WITHDRAWN


# --- invitations -------------------------------------------------------------------------------


def test_inviting_someone_with_an_account_adds_them_at_once(applicant, other_applicant,
                                                           django_capture_on_commit_callbacks):
    application = services.application_start(call=CallFactory(), actor=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        member = services.team_invite(application=application, email=other_applicant.email.upper(),
                                      actor=applicant)
    assert member.user == other_applicant and member.role == TeamMember.Role.CO_APPLICANT
    assert Application.objects.visible_to(other_applicant).filter(pk=application.pk).exists()
    assert [m.to for m in mail.outbox] == [[other_applicant.email]]
    with pytest.raises(ApplicationError):
        services.team_invite(application=application, email=other_applicant.email, actor=applicant)


def test_an_unknown_email_gets_an_invitation_and_accepting_joins(applicant, django_capture_on_commit_callbacks):
    application = services.application_start(call=CallFactory(), actor=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.team_invite(application=application, email="nouvelle@example.org", actor=applicant)
    assert isinstance(invitation, TeamInvitation)
    assert [m.to for m in mail.outbox] == [["nouvelle@example.org"]]
    assert invitation.token in mail.outbox[0].body

    newcomer = ApplicantFactory(email="nouvelle@example.org")
    member = services.team_invitation_accept(token=invitation.token, user=newcomer)
    assert member.application == application
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer
    assert "applications.team_joined" in actions(application)


def test_a_bad_token_and_an_outsider_are_refused(applicant, other_applicant):
    application = services.application_start(call=CallFactory(), actor=applicant)
    with pytest.raises(ApplicationError):
        services.team_invitation_accept(token="nope", user=other_applicant)
    with pytest.raises(ApplicationError):
        services.team_invite(application=application, email="x@example.org", actor=other_applicant)
    assert not TeamInvitation.objects.exists()
