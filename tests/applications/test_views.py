"""The applicant's pages: start, the nine steps, autosave, submit, the summary, the panel, access."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Application, Status
from tests.applications.factories import ApplicationFactory, CallFactory, complete_application
from tests.factories import ApplicantFactory

pytestmark = pytest.mark.django_db


def step(application, number):
    return reverse("applications:step", args=[application.pk, number])


def logged(client, user):
    client.force_login(user)
    return client


def test_an_applicant_starts_from_the_call_page(client, applicant):
    call = CallFactory()
    page = logged(client, applicant).get(reverse("applications:call_detail", args=[call.slug])).content.decode()
    assert "Commencer ma candidature" in page
    response = client.post(reverse("applications:start", args=[call.slug]))
    application = Application.objects.get(created_by=applicant)
    assert response["Location"] == step(application, 1)
    assert application.team.get().user == applicant


def test_a_closed_call_cannot_be_started(client, applicant):
    from datetime import timedelta

    from django.utils import timezone

    call = CallFactory(opens_at=timezone.now() - timedelta(days=60), closes_at=timezone.now() - timedelta(days=1))
    response = logged(client, applicant).post(reverse("applications:start", args=[call.slug]), follow=True)
    assert not Application.objects.exists()
    assert "n’est pas ouvert" in response.content.decode()


def test_step_one_saves_even_an_incomplete_draft_and_autosaves_with_htmx(client, applicant):
    application = ApplicationFactory(created_by=applicant)
    client = logged(client, applicant)
    response = client.post(step(application, 1), {"name": "Collectif Alimentation Nord", "kind": "coalition",
                                                   "themes": ["food"], "temporary": "no"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Enregistré le" in response.content.decode()
    application.refresh_from_db()
    assert (application.name, application.kind, application.temporary) == ("Collectif Alimentation Nord",
                                                                          "coalition", False)
    assert list(application.themes.values_list("code", flat=True)) == ["food"]
    page = client.get(step(application, 1)).content.decode()
    assert "Collectif Alimentation Nord" in page and "Reste à compléter" in page


def test_a_bad_website_is_refused_with_a_message_and_nothing_changes(client, applicant):
    application = ApplicationFactory(created_by=applicant, name="Avant")
    response = logged(client, applicant).post(step(application, 1), {"name": "Après", "website": "pas une adresse"})
    assert response.status_code == 200 and "Saisissez une URL valide" in response.content.decode()
    application.refresh_from_db()
    assert application.name == "Avant"


def test_members_are_added_edited_and_removed_inline_with_identifier_checks(client, applicant):
    application = ApplicationFactory(created_by=applicant)
    client = logged(client, applicant)
    data = {"members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
            "members-0-name": "Banque alimentaire", "members-0-legal_form": "association",
            "members-0-non_profit": "on", "members-0-role": "lead", "members-0-identifier": "732 829 321"}
    refused = client.post(step(application, 2), data)
    assert "clé de contrôle est fausse" in refused.content.decode()
    assert not application.members.exists()
    data["members-0-identifier"] = "732 829 320"
    assert client.post(step(application, 2), data).status_code == 302
    member = application.members.get()
    assert member.identifier == "732829320"
    client.post(step(application, 2), {"members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "1",
                                       "members-0-id": member.pk, "members-0-name": member.name,
                                       "members-0-DELETE": "on"})
    assert not application.members.exists()


def test_a_complete_application_is_submitted_from_the_last_step(client, applicant,
                                                               django_capture_on_commit_callbacks):
    application = complete_application(user=applicant)
    client = logged(client, applicant)
    page = client.get(step(application, 9)).content.decode()
    assert "Tout y est" in page and "Banque alimentaire de Lille" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step(application, 9), {"consent_public": "yes", "sworn_statement": "on",
                                                      "submit": "1"})
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    application.refresh_from_db()
    assert application.status == Status.SCREENED and application.reference.startswith("JF-")
    detail = client.get(response["Location"]).content.decode()
    assert application.reference in detail
    assert "En cours d’examen : votre candidature est déposée" in detail
    # Whatever the screening says, the applicant reads "under review".
    assert str(application.screening.get_final_verdict_display()) not in detail


def test_an_incomplete_application_cannot_be_submitted(client, applicant):
    application = ApplicationFactory(created_by=applicant)
    client = logged(client, applicant)
    page = client.get(step(application, 9)).content.decode()
    assert "Avant de pouvoir déposer" in page
    client.post(step(application, 9), {"consent_public": "yes", "sworn_statement": "on", "submit": "1"})
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.reference is None


def test_attachments_refuse_files_lying_about_their_type(client, applicant):
    application = ApplicationFactory(created_by=applicant)
    client = logged(client, applicant)
    fake = SimpleUploadedFile("statuts.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    response = client.post(step(application, 8), {"kind": "statutes", "file": fake})
    assert "n’est pas un vrai fichier PDF" in response.content.decode()
    assert not application.attachments.exists()


def test_budget_totals_per_year(client, applicant):
    application = complete_application(user=applicant)
    page = logged(client, applicant).get(step(application, 6)).content.decode()
    assert "30\u00a0000,00\u00a0€" in page and "90\u00a0000,00\u00a0€" in page


def test_the_panel_lists_the_team_applications(client, applicant, django_assert_max_num_queries):
    call = CallFactory(title="Appel 2027")
    for index in range(5):
        ApplicationFactory(created_by=applicant, call=call, name=f"Collectif {index}")
    client = logged(client, applicant)
    # As tests/portal/test_pages.py counts them: one query for each other app's empty panel.
    with django_assert_max_num_queries(13):
        page = client.get(reverse("portal:my_space")).content.decode()
    assert "Mes candidatures" in page and "Collectif 4" in page and "continuer" in page


@pytest.mark.parametrize("number", range(1, 10))
def test_each_step_query_count_does_not_grow_with_members(client, applicant, number,
                                                          django_assert_max_num_queries):
    application = complete_application(user=applicant)
    client = logged(client, applicant)
    with django_assert_max_num_queries(40) as context:
        client.get(step(application, number))
    baseline = len(context.captured_queries)
    from applications import services

    for index in range(4):
        services.member_add(application=application, actor=applicant, name=f"Membre {index}",
                            legal_form="association", non_profit=True, role="member", identifier="W751234567",
                            annual_budget=Decimal("1000"))
    with django_assert_max_num_queries(baseline):
        client.get(step(application, number))


def test_other_people_get_nothing(client, applicant, other_applicant, donor, expert, committee_member):
    application = complete_application(user=applicant)
    urls = [step(application, n) for n in range(1, 10)] + [
        reverse("applications:detail", args=[application.pk]), reverse("applications:case", args=[application.pk])]
    for user in (other_applicant, donor, expert, committee_member):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(step(application, 1), {"name": "Piraté"}).status_code == 404
    client.logout()
    assert client.get(urls[0]).status_code == 302
    application.refresh_from_db()
    assert application.name != "Piraté"


def test_a_co_applicant_works_on_the_same_application(client):
    owner, co_applicant = ApplicantFactory(), ApplicantFactory()
    application = ApplicationFactory(created_by=owner, team=[co_applicant])
    client = logged(client, co_applicant)
    assert client.post(step(application, 1), {"name": "Ensemble"}).status_code == 302
    application.refresh_from_db()
    assert application.name == "Ensemble"


def test_the_team_downloads_the_case_file(client, applicant):
    application = complete_application(user=applicant)
    response = logged(client, applicant).get(reverse("applications:case", args=[application.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    case = response.json()
    assert case["name"] == application.name and len(case["members"]) == 2


def test_an_invited_person_joins_the_team_by_the_link(client, applicant):
    from applications import services
    from applications.models import TeamInvitation

    application = ApplicationFactory(created_by=applicant)
    services.team_invite(application=application, email="nouvelle@example.org", actor=applicant)
    invitation = TeamInvitation.objects.get(application=application)
    newcomer = ApplicantFactory(email="nouvelle@example.org")
    response = logged(client, newcomer).get(reverse("applications:invitation_accept", args=[invitation.token]))
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    assert application.team.filter(user=newcomer).exists()
    assert client.get(step(application, 1)).status_code == 200


def test_the_team_invites_a_co_applicant_from_the_application_page(client, applicant,
                                                                   django_capture_on_commit_callbacks):
    from django.core import mail

    application = ApplicationFactory(created_by=applicant)
    client = logged(client, applicant)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "Inviter un co-candidat" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:invite", args=[application.pk]), {"email": "ami@example.org"},
                               follow=True)
    assert "Invitation envoyée à ami@example.org" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["ami@example.org"]]
    assert "/candidatures/invitations/" in mail.outbox[0].body


def test_an_outsider_cannot_invite_into_a_team(client, applicant, other_applicant):
    application = ApplicationFactory(created_by=applicant)
    response = logged(client, other_applicant).post(reverse("applications:invite", args=[application.pk]),
                                                     {"email": "intrus@example.org"})
    assert response.status_code == 404
    assert not application.team.filter(user=other_applicant).exists()


def test_the_second_of_two_concurrent_saves_of_a_step_is_refused_with_what_changed(client):
    from django.test import Client

    owner, co_applicant = ApplicantFactory(first_name="Inès"), ApplicantFactory()
    application = ApplicationFactory(created_by=owner, team=[co_applicant], name="Avant")
    first, second = logged(Client(), owner), logged(client, co_applicant)
    version = first.get(step(application, 1)).context["step_version"]
    loaded_at = second.get(step(application, 1)).context["loaded_at"]
    assert version == 0

    assert first.post(step(application, 1), {"name": "Version d’Inès", "step_version": version}).status_code == 302
    refused = second.post(step(application, 1), {"name": "Version concurrente", "step_version": version,
                                                 "loaded_at": loaded_at})
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "a enregistré cette étape pendant que vous la modifiiez" in page
    assert "Version concurrente" in page  # what they typed is still on the page
    assert owner.email in page and "name" in page  # who saved, and what
    application.refresh_from_db()
    assert application.name == "Version d’Inès" and application.step_versions == {"1": 1}

    # After reloading, their save goes through.
    reloaded = second.get(step(application, 1)).context["step_version"]
    assert second.post(step(application, 1), {"name": "Version reprise", "step_version": reloaded}).status_code == 302
    application.refresh_from_db()
    assert application.name == "Version reprise" and application.step_versions == {"1": 2}


def test_autosave_carries_the_new_version_so_one_person_never_conflicts_with_themselves(client, applicant):
    application = ApplicationFactory(created_by=applicant)
    client = logged(client, applicant)
    htmx = {"HX-Request": "true"}
    first = client.post(step(application, 1), {"name": "A", "step_version": 0}, headers=htmx).content.decode()
    assert 'id="step-version" value="1" hx-swap-oob="true"' in first
    second = client.post(step(application, 1), {"name": "AB", "step_version": 1}, headers=htmx).content.decode()
    assert 'value="2"' in second
    stale = client.post(step(application, 1), {"name": "ABC", "step_version": 1}, headers=htmx).content.decode()
    assert 'role="alert"' in stale and "Recharger cette étape" in stale
    application.refresh_from_db()
    assert application.name == "AB"


def test_an_invalid_save_does_not_raise_the_version(client, applicant):
    application = ApplicationFactory(created_by=applicant)
    client = logged(client, applicant)
    client.post(step(application, 1), {"name": "X", "website": "pas une adresse", "step_version": 0})
    application.refresh_from_db()
    assert application.step_versions == {}


def test_a_person_racing_their_own_autosave_is_not_refused(client, applicant):
    application = ApplicationFactory(created_by=applicant)
    client = logged(client, applicant)
    loaded_at = client.get(step(application, 1)).context["loaded_at"]
    client.post(step(application, 1), {"name": "Autosave", "step_version": 0, "loaded_at": loaded_at},
                headers={"HX-Request": "true"})
    # The button's post left with the version of the page, before the autosave answered.
    response = client.post(step(application, 1), {"name": "Bouton", "step_version": 0, "loaded_at": loaded_at})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.name == "Bouton"


def test_rows_autosave_and_the_next_autosave_updates_the_same_row(client, applicant):
    application = ApplicationFactory(created_by=applicant)
    client = logged(client, applicant)
    row = {"members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0", "members-0-name": "Banque alimentaire",
           "members-0-legal_form": "association", "members-0-role": "lead"}
    answer = client.post(step(application, 2), row, headers={"HX-Request": "true"}).content.decode()
    member = application.members.get()
    assert f'name="members-0-id" id="id_members-0-id" value="{member.pk}" hx-swap-oob="true"' in answer
    # The page now carries the row's id: the next autosave changes that member.
    client.post(step(application, 2), {**row, "members-0-id": member.pk, "members-0-name": "Banque alimentaire 59"},
                headers={"HX-Request": "true"})
    assert list(application.members.values_list("name", flat=True)) == ["Banque alimentaire 59"]


def test_what_was_typed_is_kept_while_not_valid_and_forgotten_once_corrected(client, applicant):
    application = ApplicationFactory(created_by=applicant, name="Avant")
    client = logged(client, applicant)
    answer = client.post(step(application, 1), {"name": "Après", "website": "pas une adresse", "step_version": 0},
                         headers={"HX-Request": "true"}).content.decode()
    assert "pas encore valide" in answer
    application.refresh_from_db()
    assert application.name == "Avant"  # nothing invalid reaches the application itself
    assert application.draft_inputs["1"]["website"] == ["pas une adresse"]

    page = client.get(step(application, 1)).content.decode()  # later, even from another device
    assert 'value="pas une adresse"' in page and 'value="Après"' in page
    assert "Saisissez une URL valide" in page and "n’est pas encore valide" in page

    client.post(step(application, 1), {"name": "Après", "website": "https://collectif.example.org",
                                       "step_version": 0})
    application.refresh_from_db()
    assert (application.name, application.website) == ("Après", "https://collectif.example.org")
    assert application.draft_inputs == {}
    assert 'value="pas une adresse"' not in client.get(step(application, 1)).content.decode()


def test_a_decision_cannot_be_dated_in_the_future(client, applicant):
    from datetime import timedelta

    from django.utils import timezone

    application = complete_application(user=applicant)
    member = application.members.first()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {"commitment-why_together": "Ensemble.", "decisions-TOTAL_FORMS": "1", "decisions-INITIAL_FORMS": "1",
            "decisions-0-id": member.pk, "decisions-0-decision_status": "decided",
            "decisions-0-decision_date": tomorrow}
    response = logged(client, applicant).post(step(application, 5), data)
    assert "ne peut pas être datée dans le futur" in response.content.decode()
    member.refresh_from_db()
    assert member.decision_date.isoformat() != tomorrow


def test_staff_read_the_screening_findings_on_the_application_page(staff_client, applicant,
                                                                   django_capture_on_commit_callbacks):
    from applications import services

    application = complete_application(user=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=applicant)
    page = staff_client.get(f"/admin/applications/application/{application.pk}/change/").content.decode()
    assert "Frais de fonctionnement du collectif" in page and "jf-findings" in page
    assert "Banque alimentaire de Lille" in page


def test_staff_filter_applications_by_final_verdict(staff_client, staff, django_capture_on_commit_callbacks):
    from applications import services
    from eligibility.services import screening_override

    eligible = complete_application(name="Collectif éligible")
    ralliance = complete_application(name="Alliance verticale", kind="alliance", governance="weighted",
                                     shares=["70", "30"])
    for application in (eligible, ralliance):
        with django_capture_on_commit_callbacks(execute=True):
            services.application_submit(application=application, actor=application.created_by)
    ralliance.refresh_from_db()
    assert ralliance.screening.verdict == "ineligible"

    def listed(verdict):
        page = staff_client.get(f"/admin/applications/application/?verdict={verdict}").content.decode()
        return {name for name in ("Collectif éligible", "Alliance verticale") if name in page}

    assert listed("eligible") == {"Collectif éligible"}
    assert listed("ineligible") == {"Alliance verticale"}
    screening_override(screening=ralliance.screening, verdict="eligible", reason="Statuts révisés.", actor=staff)
    assert listed("eligible") == {"Collectif éligible", "Alliance verticale"}
    assert listed("ineligible") == set()


def test_after_closing_a_draft_stays_readable_marked_closed_and_unchangeable(client, applicant):
    from datetime import timedelta

    from django.utils import timezone

    application = ApplicationFactory(created_by=applicant, name="Brouillon tardif")
    Call = type(application.call)
    Call.objects.filter(pk=application.call_id).update(closes_at=timezone.now() - timedelta(minutes=1))
    client = logged(client, applicant)
    page = client.get(step(application, 1)).content.decode()
    assert "Brouillon tardif" in page and "L’appel est clos" in page
    assert "<fieldset disabled" in page
    client.post(step(application, 1), {"name": "Modifié après la clôture", "step_version": 0})
    application.refresh_from_db()
    assert application.name == "Brouillon tardif"
    panel = client.get(reverse("portal:my_space")).content.decode()
    assert "brouillon, appel clos" in panel


def test_ids_sent_back_to_the_page_are_never_grouped_by_thousands():
    """With French number formatting (1 042), the ids and versions written into hidden inputs stay
    plain digits, or the next autosave would not find its row."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("fr"):
        html = render_to_string("applications/steps/saved.html",
                                {"application": None, "oob_version": 1234, "created": [("members-0-id", 1042)]})
        version = render_to_string("applications/steps/version.html", {"step_version": 2048, "loaded_at": "x"})
    assert 'value="1042"' in html and 'value="1234"' in html
    assert 'value="2048"' in version
