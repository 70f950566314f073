"""The grant agreement: produced once as a PDF in the grantee's language, signed once by the grantee's team
(or by staff in the admin), which meets the first tranche's condition and activates the grant; the
grantee's page of a grant and the grantee's panel of "my space", each in a fixed number of queries."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from applications.models import ConflictDeclaration, MemberOrganisation, TeamMember
from grants import services
from grants.agreements import agreement_prepare, agreement_render, agreement_sign
from grants.models import (
    Amendment,
    DonorContact,
    GrantAgreement,
    GrantReport,
    GrantStatus,
    ReportStatus,
    TrancheCondition,
)
from grants.panels import grantee_panel_context
from grants.services import GrantError
from grants.tasks import agreement_render_task
from joinforces.core.models import AuditEvent, Notification
from joinforces.core.uploads import download_url
from tests.applications.factories import PDF_BYTES, RNA
from tests.factories import ApplicantFactory
from tests.pdf import pdf_text

from .factories import DonorFactory, grant_for, receive

pytestmark = pytest.mark.django_db

COLLECTIVE = "Collectif Solidarités Alimentaires du Nord"
LEAD = "Banque alimentaire de Lille"


def team_grant(*, language="fr", years=3, amount_per_year="30000.00", members=True):
    """A grant whose application has a name, a lead member organisation and an owner speaking `language`."""
    grant = grant_for(amount_per_year=amount_per_year, years=years)
    application = grant.application
    application.name = COLLECTIVE
    application.save(update_fields=["name"])
    owner = application.created_by
    owner.language = language
    owner.save(update_fields=["language"])
    # The agreement was prepared with the grant, in the language the owner had then.
    GrantAgreement.objects.filter(grant=grant).update(language=language)
    if members:
        MemberOrganisation.objects.create(application=application, position=1, name="Jardins partagés de Flandre",
                                          legal_form="association", non_profit=True, role="member")
        MemberOrganisation.objects.create(application=application, position=2, name=LEAD, legal_form="association",
                                          non_profit=True, role="lead", identifier=RNA)
    return grant


def produced(grant):
    agreement_prepare(grant=grant)
    return agreement_render(grant_id=grant.pk)


def pdf(name="convention-signee.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def spaced(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def long_date(day: date, language: str) -> str:
    with translation.override(language):
        return spaced(formats.date_format(day, "DATE_FORMAT"))


# --- Producing the agreement ---------------------------------------------------------------------


def test_the_agreement_is_produced_in_french_from_the_grant_s_data():
    grant = team_grant(language="fr")
    agreement = produced(grant)

    assert agreement.language == "fr" and agreement.generated_at is not None
    text = pdf_text(agreement.document)
    assert COLLECTIVE in text and LEAD in text and "JOIN FORCES" in text and "12 rue de la Solidarité" in text
    assert "30 000,00 €" in text  # per year
    assert "90 000,00 €" in text  # in all
    assert "Montant total" in text and "Durée" in text and "Convention signée" in text
    assert "Total amount" not in text
    for tranche in grant.tranches.all():
        assert long_date(tranche.due_on, "fr") in text
    assert long_date(grant.start_date, "fr") in text
    assert grant.application.reference in text


def test_the_agreement_is_produced_in_english_for_an_english_speaking_team():
    grant = team_grant(language="en", years=2, amount_per_year="12500.50")
    agreement = produced(grant)

    assert agreement.language == "en"
    text = pdf_text(agreement.document)
    assert COLLECTIVE in text and LEAD in text
    assert "€12,500.50" in text and "€25,001.00" in text
    assert "Total amount" in text and "Agreement signed" in text and "Report of year 1 approved" in text
    assert "operating costs" in text and "Montant total" not in text
    for tranche in grant.tranches.all():
        assert long_date(tranche.due_on, "en") in text


def test_an_agreement_without_member_organisations_is_still_produced():
    agreement = produced(team_grant(members=False))
    assert COLLECTIVE in pdf_text(agreement.document)


def test_preparing_enqueues_the_rendering_once_and_the_task_renders_once(django_capture_on_commit_callbacks):
    grant = team_grant()
    with django_capture_on_commit_callbacks(execute=True):
        agreement = agreement_prepare(grant=grant)
    assert agreement_prepare(grant=grant).pk == agreement.pk
    assert GrantAgreement.objects.filter(grant=grant).count() == 1

    agreement.refresh_from_db()
    document, generated_at = agreement.document.name, agreement.generated_at
    assert document.startswith("agreements/") and document.endswith(".pdf")

    agreement_render_task.delay(grant.pk)
    agreement_render_task(grant.pk)
    agreement.refresh_from_db()
    assert (agreement.document.name, agreement.generated_at) == (document, generated_at)
    assert AuditEvent.objects.filter(action="grants.agreement_produced").count() == 1
    assert AuditEvent.objects.filter(action="grants.agreement_prepared").count() == 1


def test_preparing_an_agreement_already_produced_enqueues_nothing(django_capture_on_commit_callbacks):
    grant = team_grant()
    produced(grant)
    with django_capture_on_commit_callbacks() as callbacks:
        agreement_prepare(grant=grant)
    assert callbacks == []


# --- Signing ---------------------------------------------------------------------------------------


def test_a_team_member_signs_the_first_tranche_s_condition_is_met_and_the_grant_is_active():
    grant = team_grant()
    co_applicant = ApplicantFactory()
    TeamMember.objects.create(application=grant.application, user=co_applicant, role=TeamMember.Role.CO_APPLICANT)
    produced(grant)
    owner = grant.application.created_by

    agreement = agreement_sign(grant=grant, file=pdf(), actor=owner)

    assert agreement.signed_at is not None and agreement.signed_by == owner and agreement.signed_copy
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    first, *others = grant.tranches.order_by("number")
    assert first.condition == TrancheCondition.AGREEMENT_SIGNED and first.condition_met_at == agreement.signed_at
    assert all(t.condition_met_at is None for t in others)
    event = AuditEvent.objects.get(action="grants.agreement_signed")
    assert event.actor == owner and event.before == {"status": "agreement_pending"}
    assert event.after["status"] == "active" and event.after["conditions_met"] == ["tranche 1"]
    sent = Notification.objects.filter(key__startswith=f"grants.agreement_signed:{agreement.pk}:")
    assert sorted(sent.values_list("to", flat=True)) == sorted([owner.email, co_applicant.email])
    assert grant.application.reference in sent.first().subject


def test_a_second_signature_is_refused_and_changes_nothing():
    grant = team_grant()
    produced(grant)
    owner = grant.application.created_by
    first = agreement_sign(grant=grant, file=pdf(), actor=owner)
    with pytest.raises(GrantError):
        agreement_sign(grant=grant, file=pdf("autre.pdf"), actor=owner)
    agreement = GrantAgreement.objects.get(grant=grant)
    assert (agreement.signed_copy.name, agreement.signed_at) == (first.signed_copy.name, first.signed_at)
    assert AuditEvent.objects.filter(action="grants.agreement_signed").count() == 1


def test_another_applicant_cannot_sign():
    grant = team_grant()
    produced(grant)
    with pytest.raises(GrantError):
        agreement_sign(grant=grant, file=pdf(), actor=ApplicantFactory())
    grant.refresh_from_db()
    assert grant.status == GrantStatus.AGREEMENT_PENDING
    assert not GrantAgreement.objects.get(grant=grant).signed_at


def test_signing_before_the_agreement_is_produced_or_with_a_file_that_is_no_pdf_is_refused():
    grant = team_grant()
    owner = grant.application.created_by
    agreement_prepare(grant=grant)
    with pytest.raises(GrantError):
        agreement_sign(grant=grant, file=pdf(), actor=owner)
    agreement_render(grant_id=grant.pk)
    with pytest.raises(GrantError):
        agreement_sign(grant=grant, file=pdf("faux.pdf", b"PK\x03\x04 not a pdf"), actor=owner)
    assert GrantAgreement.objects.get(grant=grant).signed_at is None


def test_the_grantee_uploads_the_signed_copy_on_the_grant_s_page():
    grant = team_grant()
    produced(grant)
    client = client_for(grant.application.created_by)

    response = client.post(reverse("grants:agreement_upload", args=[grant.pk]), {"file": pdf()}, follow=True)

    assert response.status_code == 200
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    html = response.content.decode()
    assert 'class="alert alert-success"' in html
    assert download_url(grant.agreement, "signed_copy") in html
    assert 'enctype="multipart/form-data"' not in html  # no second upload offered


def test_a_file_that_is_no_pdf_is_refused_with_a_message_and_nothing_changes():
    grant = team_grant()
    produced(grant)
    client = client_for(grant.application.created_by)
    fake = SimpleUploadedFile("convention.pdf", b"just some text, not a PDF", content_type="application/pdf")

    response = client.post(reverse("grants:agreement_upload", args=[grant.pk]), {"file": fake})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="alert alert-danger"' in html and "invalid-feedback" in html
    grant.refresh_from_db()
    assert grant.status == GrantStatus.AGREEMENT_PENDING
    agreement = GrantAgreement.objects.get(grant=grant)
    assert not agreement.signed_copy and agreement.signed_at is None
    assert grant.tranches.get(number=1).condition_met_at is None
    docx = SimpleUploadedFile("convention.docx", b"PK\x03\x04", content_type="application/octet-stream")
    assert client.post(reverse("grants:agreement_upload", args=[grant.pk]), {"file": docx}).status_code == 200
    assert GrantAgreement.objects.get(grant=grant).signed_at is None


@pytest.fixture
def funding_donor(donor, staff):
    """The `donor` user is the contact of a donor whose money went to the grant's first tranche."""
    grant = team_grant()
    produced(grant)
    own = DonorFactory()
    DonorContact.objects.create(donor=own, user=donor)
    receive(own, "30000.00", staff=staff)
    services.ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff)
    return grant


def test_others_get_a_404_on_the_grant_s_page_and_upload(funding_donor, donor, other_applicant_client, donor_client,
                                                        committee_client, committee_member):
    grant = funding_donor
    ConflictDeclaration.objects.create(application=grant.application, reviewer=committee_member, has_conflict=True)
    from grants.models import Grant

    assert Grant.objects.visible_to(donor).filter(pk=grant.pk).exists()  # the donor follows it on its dashboard…
    for client in (other_applicant_client, donor_client, committee_client, client_for(ApplicantFactory())):
        assert client.get(reverse("grants:grant_detail", args=[grant.pk])).status_code == 404
        response = client.post(reverse("grants:agreement_upload", args=[grant.pk]), {"file": pdf()})
        assert response.status_code == 404
        assert client.get(download_url(grant.agreement, "document")).status_code == 404  # …but never its agreement
    grant.refresh_from_db()
    assert grant.status == GrantStatus.AGREEMENT_PENDING
    assert Client().get(reverse("grants:grant_detail", args=[grant.pk])).status_code == 302  # to log in


def test_the_upload_only_accepts_post():
    grant = team_grant()
    produced(grant)
    response = client_for(grant.application.created_by).get(reverse("grants:agreement_upload", args=[grant.pk]))
    assert response.status_code == 405


# --- The admin ---------------------------------------------------------------------------------------


def test_staff_upload_the_signed_copy_in_the_admin(staff, staff_client):
    grant = team_grant()
    agreement = produced(grant)

    changelist = staff_client.get(reverse("admin:grants_grantagreement_changelist")).content.decode()
    assert grant.application.reference in changelist and download_url(agreement, "document") in changelist
    url = reverse("admin:grants_grantagreement_signed_copy", args=[agreement.pk])
    assert url in staff_client.get(reverse("admin:grants_grantagreement_change", args=[agreement.pk])).content.decode()
    assert staff_client.get(url).status_code == 200

    refused = staff_client.post(url, {"file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert refused.status_code == 200 and 'class="errornote"' in refused.content.decode()
    assert GrantAgreement.objects.get(pk=agreement.pk).signed_at is None

    response = staff_client.post(url, {"file": pdf()})
    assert response.status_code == 302
    agreement.refresh_from_db()
    grant.refresh_from_db()
    assert agreement.signed_by == staff and grant.status == GrantStatus.ACTIVE
    assert grant.tranches.get(number=1).condition_met_at is not None
    assert AuditEvent.objects.get(action="grants.agreement_signed").after["by_staff"] is True

    again = staff_client.post(url, {"file": pdf()})
    assert again.status_code == 200 and 'class="errornote"' in again.content.decode()


def test_the_admin_of_agreements_is_staff_only_and_produces_nothing_again(staff_client, committee_client):
    grant = team_grant()
    agreement = produced(grant)
    url = reverse("admin:grants_grantagreement_signed_copy", args=[agreement.pk])
    assert committee_client.get(url).status_code in (302, 403, 404)
    assert committee_client.post(url, {"file": pdf()}).status_code in (302, 403, 404)
    assert GrantAgreement.objects.get(pk=agreement.pk).signed_at is None
    changelist = staff_client.get(reverse("admin:grants_grantagreement_changelist")).content.decode()
    assert 'name="action"' not in changelist  # no action at all: an agreement produced stays as it is
    assert staff_client.get(reverse("admin:grants_grantagreement_add")).status_code == 403


# --- The grant's page --------------------------------------------------------------------------------


def test_the_grant_s_page_shows_the_grant_tranches_agreement_reports_and_amendments():
    grant = team_grant()
    owner = grant.application.created_by
    client = client_for(owner)

    html = client.get(reverse("grants:grant_detail", args=[grant.pk])).content.decode()
    assert COLLECTIVE in html and "90 000,00 €" in spaced(html) and "30 000,00 €" in spaced(html)
    with translation.override("fr"):
        assert grant.get_status_display() in html and "Convention signée" in html
    assert 'class="empty-state"' in html  # the agreement is being prepared, no amendment
    assert 'enctype="multipart/form-data"' not in html
    assert html.count('class="tranche"') == 3 and html.count('class="report"') == 3
    assert reverse("grants:bank_details", args=[grant.pk]) in html
    for year in (1, 2, 3):
        assert reverse("grants:report_edit", args=[grant.pk, year]) in html
    assert '<th scope="col">' in html and '<th scope="row">' in html

    agreement = produced(grant)
    GrantReport.objects.create(grant=grant, year=1, due_on=date(2030, 5, 4), status=ReportStatus.SUBMITTED,
                               submitted_at=timezone.now())
    Amendment.objects.create(grant=grant, kind=Amendment.Kind.AMENDMENT, reason="Report de la deuxième tranche.")
    html = client.get(reverse("grants:grant_detail", args=[grant.pk])).content.decode()
    assert download_url(agreement, "document") in html
    assert 'enctype="multipart/form-data"' in html and 'accept=".pdf"' in html
    assert reverse("grants:agreement_upload", args=[grant.pk]) in html
    assert "04/05/2030" in html  # the report's own due date
    assert "Report de la deuxième tranche." in html
    with translation.override("fr"):
        assert str(ReportStatus.SUBMITTED.label) in html


def test_the_grant_s_page_is_readable_by_staff(staff_client):
    grant = team_grant()
    assert staff_client.get(reverse("grants:grant_detail", args=[grant.pk])).status_code == 200


def test_the_grant_s_page_is_in_english_for_an_english_reader():
    grant = team_grant(language="en")
    html = client_for(grant.application.created_by).get(reverse("grants:grant_detail", args=[grant.pk]))
    html = html.content.decode()
    assert "€90,000.00" in html and "Total amount" in html and "Agreement signed" in html
    assert "Report of year 2 approved" in html and "Convention signée" not in html


def _page_queries(client, grant) -> int:
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("grants:grant_detail", args=[grant.pk]))
    assert response.status_code == 200
    return len(queries)


# Session and user, roles; the grant; tranches, reports, amendments; the agreement; the bank details;
# the content type of the download links (cached afterwards).
PAGE_QUERIES = 12


@pytest.mark.parametrize("years", [3, 10])
def test_the_grant_s_page_takes_a_fixed_number_of_queries(years, django_assert_max_num_queries):
    grant = team_grant(years=years)
    produced(grant)
    for year in range(1, years):
        GrantReport.objects.create(grant=grant, year=year, due_on=date(2030, 1, 1))
        Amendment.objects.create(grant=grant, kind=Amendment.Kind.AMENDMENT, reason=f"Changement {year}")
    client = client_for(grant.application.created_by)
    client.get(reverse("grants:grant_detail", args=[grant.pk]))  # the session is warm
    with django_assert_max_num_queries(PAGE_QUERIES):
        queries = _page_queries(client, grant)
    small = team_grant(years=1)
    produced(small)
    small_client = client_for(small.application.created_by)
    small_client.get(reverse("grants:grant_detail", args=[small.pk]))
    assert _page_queries(small_client, small) == queries


# --- The grantee's panel -----------------------------------------------------------------------------


def test_the_grantee_s_panel_shows_the_grant_next_tranche_next_report_and_agreement():
    grant = team_grant()
    owner = grant.application.created_by
    client = client_for(owner)

    html = client.get(reverse("portal:my_space")).content.decode()
    assert 'id="panel-grantee"' in html
    assert COLLECTIVE in html and reverse("grants:grant_detail", args=[grant.pk]) in html
    first = grant.tranches.get(number=1)
    assert first.due_on.strftime("%d/%m/%Y") in html and "30 000,00 €" in spaced(html)
    due = grant.start_date.replace(year=grant.start_date.year + 1)
    assert due.strftime("%d/%m/%Y") in html  # the report of year 1, computed: no report yet
    agreement = produced(grant)
    agreement_sign(grant=grant, file=pdf(), actor=owner)
    GrantReport.objects.create(grant=grant, year=1, due_on=date(2031, 7, 14), status=ReportStatus.APPROVED,
                               submitted_at=timezone.now(), reviewed_at=timezone.now())
    html = client.get(reverse("portal:my_space")).content.decode()
    agreement.refresh_from_db()
    assert agreement.signed_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y") in html
    due_year_2 = grant.start_date.replace(year=grant.start_date.year + 2)
    assert due_year_2.strftime("%d/%m/%Y") in html and "14/07/2031" not in html


def test_no_grantee_panel_for_people_in_no_grant_s_team(applicant_client, donor_client, staff_client):
    team_grant()
    for client in (applicant_client, donor_client, staff_client):
        assert 'id="panel-grantee"' not in client.get(reverse("portal:my_space")).content.decode()


def _panel_queries(user) -> tuple[int, str]:
    request = RequestFactory().get("/")
    request.user = user
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        context = grantee_panel_context(request)
        html = render_to_string("grants/grantee_panel.html", context, request=request)
    return len(queries), html


# The grants with their applications and agreements; their tranches; their reports.
GRANTEE_PANEL_QUERIES = 3


@pytest.mark.parametrize("count", [1, 3, 7])
def test_the_grantee_s_panel_takes_a_fixed_number_of_queries(count, django_assert_max_num_queries):
    person = ApplicantFactory()
    for n in range(count):
        grant = team_grant(years=1 + n % 3)
        TeamMember.objects.create(application=grant.application, user=person)
        if n % 2:
            produced(grant)
        GrantReport.objects.create(grant=grant, year=1, due_on=date(2030, 1, 1))
    person.roles  # noqa: B018  (the roles are read once per request, outside the panel)
    with django_assert_max_num_queries(GRANTEE_PANEL_QUERIES):
        _queries, html = _panel_queries(person)
    assert html.count('class="grantee-grant mb-3"') == min(count, 5)
    assert ("five latest" in html or "cinq" in html) == (count > 5)


def test_amounts_in_the_panel_follow_the_reader_s_language():
    grant = team_grant(amount_per_year="1250.50", years=2)
    request = RequestFactory().get("/")
    request.user = grant.application.created_by
    with translation.override("en"):
        html = render_to_string("grants/grantee_panel.html", grantee_panel_context(request), request=request)
    assert "€2,501.00" in html and "€1,250.50" in html
