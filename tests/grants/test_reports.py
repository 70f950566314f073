"""Yearly reports of grants: the team writes, saves and submits its report (an incomplete one is refused
with what is missing); nobody else can, and other people get a 404; staff approve (which meets the
condition of the next tranche, and only that one) or ask for changes (which opens it again with the
message); reminders go out 30 and 7 days before and once overdue, each once; the page and the admin
in a fixed number of queries."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import BudgetLine, TeamMember
from grants import reports
from grants.models import (
    DonorContact,
    Grant,
    GrantReport,
    GrantStatus,
    ReportAttachment,
    ReportStatus,
    Tranche,
    TrancheCondition,
)
from grants.services import GrantError, ledger_allocate
from grants.tasks import report_reminders_task
from joinforces.core.models import AuditEvent, Notification, Territory
from joinforces.core.uploads import download_url
from tests.applications.factories import PDF_BYTES
from tests.factories import ApplicantFactory

from .factories import DonorFactory, grant_for, receive

pytestmark = pytest.mark.django_db


# --- Set-up ------------------------------------------------------------------------------------


@pytest.fixture
def grant():
    """A running grant of three years (agreement signed), with a budget for years 1 and 2."""
    grant = grant_for(amount_per_year="30000.00", years=3)
    Grant.objects.filter(pk=grant.pk).update(status=GrantStatus.ACTIVE)
    grant.refresh_from_db()
    application = grant.application
    BudgetLine.objects.create(application=application, year=1, category="coordination_staff", amount=Decimal("6000"))
    BudgetLine.objects.create(application=application, year=1, category="coordination_staff", amount=Decimal("4000"))
    BudgetLine.objects.create(application=application, year=1, category="facilitation", amount=Decimal("5000"))
    BudgetLine.objects.create(application=application, year=1, category="legal_accounting_fees",
                              amount=Decimal("2000"))
    BudgetLine.objects.create(application=application, year=1, category="meetings_travel", amount=Decimal("900"),
                              programme_cost=True)
    BudgetLine.objects.create(application=application, year=2, category="facilitation", amount=Decimal("7000"))
    return grant


@pytest.fixture
def owner(grant):
    return grant.application.created_by


@pytest.fixture
def colleague(grant):
    user = ApplicantFactory()
    TeamMember.objects.create(application=grant.application, user=user, role=TeamMember.Role.CO_APPLICANT)
    return user


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


def complete(report, actor):
    """Fill a report completely through the services."""
    reports.report_save(report=report, actor=actor, narrative="Nous avons mutualisé la logistique.",
                        summary="Une logistique commune.", share_with_donors=True, organisations_involved=4,
                        people_reached=1200, staff_shared=Decimal("1.5"), governance_meetings=6,
                        territories=["59", "R32"])
    reports.report_spending_set(report=report, actor=actor, lines={
        "coordination_staff": ("10500.00", "Une embauche à mi-temps."), "facilitation": ("4000", ""),
        "information_systems": ("300", "Logiciel partagé")})
    reports.report_indicators_set(report=report, actor=actor, indicators=[("Repas distribués", "52000", "repas")])
    report.refresh_from_db()
    return report


def submitted(grant, owner, year=1):
    report = complete(reports.report_start(grant=grant, year=year, actor=owner), owner)
    return reports.report_submit(report=report, actor=owner)


def page(grant, year=1):
    return reverse("grants:report_edit", args=[grant.pk, year])


def form_data(**overrides):
    data = {
        "narrative": "Une année de travail commun.", "summary": "Résumé.", "share_with_donors": "on",
        "organisations_involved": "4", "people_reached": "1200", "staff_shared": "1.5", "governance_meetings": "6",
        "territories": ["59", "R32"],
        "spending-spent_coordination_staff": "10500.00", "spending-comment_coordination_staff": "Embauche",
        "spending-spent_facilitation": "4000",
        "indicators-TOTAL_FORMS": "2", "indicators-INITIAL_FORMS": "0", "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "20",
        "indicators-0-label": "Repas distribués", "indicators-0-value": "52000", "indicators-0-unit": "repas",
        "indicators-1-label": "", "indicators-1-value": "", "indicators-1-unit": "",
    }
    data.update(overrides)
    return data


# --- Writing and submitting ----------------------------------------------------------------------


def test_the_team_starts_saves_and_submits_its_report_once_complete(grant, owner, colleague):
    """The report is due on the anniversary of the start; started once; an incomplete one is refused
    with what is missing and stays a draft; once complete it is submitted, audited, and each person of
    the team gets a confirmation."""
    report = reports.report_start(grant=grant, year=1, actor=owner)
    assert report.due_on == grant.start_date.replace(year=grant.start_date.year + 1)
    assert reports.report_start(grant=grant, year=1, actor=colleague) == report
    assert GrantReport.objects.count() == 1
    with pytest.raises(GrantError):
        reports.report_start(grant=grant, year=4, actor=owner)

    reports.report_save(report=report, actor=owner, narrative="Début.", people_reached=10)
    with pytest.raises(GrantError) as refused:
        reports.report_submit(report=report, actor=owner)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    missing = reports.report_missing(report)
    assert len(missing) == 5  # organisations, staff, meetings, territories, spending
    assert all(item in refused.value.message for item in missing)

    complete(report, owner)
    assert reports.report_missing(report) == []
    reports.report_submit(report=report, actor=colleague)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == colleague
    assert AuditEvent.objects.filter(action="grants.report_submitted", target_id=str(report.pk)).exists()
    confirmations = Notification.objects.filter(key__startswith=f"grants.report_submitted:{report.pk}:")
    assert sorted(confirmations.values_list("to", flat=True)) == sorted([owner.email, colleague.email])
    assert sorted(t.code for t in report.territories_covered.all()) == ["59", "R32"]
    assert [(i.label, i.value, i.unit) for i in report.indicators.all()] == [
        ("Repas distribués", Decimal("52000.00"), "repas")]


def test_bad_values_are_refused_and_change_nothing(grant, owner):
    report = reports.report_start(grant=grant, year=1, actor=owner)
    complete(report, owner)
    with pytest.raises(GrantError):
        reports.report_spending_set(report=report, actor=owner, lines={"coordination_staff": ("-5", "")})
    with pytest.raises(GrantError):
        reports.report_spending_set(report=report, actor=owner, lines={"programme_delivery": ("5", "")})
    with pytest.raises(GrantError):
        reports.report_indicators_set(report=report, actor=owner, indicators=[("", "3", "")])
    with pytest.raises(GrantError):
        reports.report_save(report=report, actor=owner, people_reached="-3")
    with pytest.raises(GrantError):
        reports.report_save(report=report, actor=owner, territories=["ZZ"])
    report.refresh_from_db()
    assert report.people_reached == 1200
    assert report.spending.count() == 3 and report.indicators.count() == 1
    assert report.territories_covered.count() == 2


def test_a_report_on_someone_else_s_grant_is_refused_and_nothing_changes(grant, owner, other_applicant,
                                                                         other_applicant_client):
    """Another applicant cannot start, change or submit the report: a clear error from the services,
    a 404 from the pages; nothing is created or changed."""
    with pytest.raises(GrantError) as refused:
        reports.report_start(grant=grant, year=1, actor=other_applicant)
    assert "nothing was changed" in refused.value.message or "rien" in refused.value.message
    assert not GrantReport.objects.exists()
    report = reports.report_start(grant=grant, year=1, actor=owner)
    reports.report_save(report=report, actor=owner, narrative="Le nôtre.")
    for write in (lambda: reports.report_save(report=report, actor=other_applicant, narrative="Piraté"),
                  lambda: reports.report_spending_set(report=report, actor=other_applicant,
                                                      lines={"facilitation": ("1", "")}),
                  lambda: reports.report_submit(report=report, actor=other_applicant)):
        with pytest.raises(GrantError):
            write()
    assert other_applicant_client.get(page(grant)).status_code == 404
    assert other_applicant_client.post(page(grant), form_data(narrative="Piraté")).status_code == 404
    assert other_applicant_client.post(reverse("grants:report_submit", args=[grant.pk, 1])).status_code == 404
    report.refresh_from_db()
    assert report.narrative == "Le nôtre." and report.status == ReportStatus.DRAFT
    assert not report.spending.exists()


def test_a_donor_of_the_grant_gets_a_404(grant, donor, donor_client, staff):
    """Even a donor whose money went to the grant does not see its reports (only shared summaries, on
    the dashboard)."""
    funder = DonorFactory()
    DonorContact.objects.create(donor=funder, user=donor)
    receive(funder, "30000.00", staff=staff)
    ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff)
    assert Grant.objects.visible_to(donor).filter(pk=grant.pk).exists()
    assert donor_client.get(page(grant)).status_code == 404
    with pytest.raises(GrantError):
        reports.report_start(grant=grant, year=1, actor=donor)


def test_reports_wait_for_a_running_grant(owner):
    pending = grant_for(years=1)
    assert pending.status == GrantStatus.AGREEMENT_PENDING
    with pytest.raises(GrantError):
        reports.report_start(grant=pending, year=1, actor=pending.application.created_by)


# --- Review ------------------------------------------------------------------------------------


def test_approval_meets_the_condition_of_the_next_tranche_only(grant, owner, staff):
    """Approving year 1 meets the condition of the tranche waiting for year 1's report (tranche 2), not
    the one waiting for year 2; only staff approve, only a submitted report; the team is told."""
    report = reports.report_start(grant=grant, year=1, actor=owner)
    with pytest.raises(GrantError):
        reports.report_approve(report=report, actor=staff)  # still a draft
    report = reports.report_submit(report=complete(report, owner), actor=owner)
    with pytest.raises(GrantError):
        reports.report_approve(report=report, actor=owner)
    reports.report_approve(report=report, actor=staff, message="Merci, très clair.")
    report.refresh_from_db()
    assert (report.status, report.reviewed_by, report.review_message) == (ReportStatus.APPROVED, staff,
                                                                          "Merci, très clair.")
    tranches = {t.number: t for t in Tranche.objects.filter(grant=grant)}
    assert tranches[2].condition == TrancheCondition.REPORT_APPROVED and tranches[2].condition_year == 1
    assert tranches[2].condition_met_at is not None
    assert tranches[3].condition_met_at is None and tranches[1].condition_met_at is None
    assert Notification.objects.filter(key=f"grants.report_approved:{report.pk}:{owner.pk}").exists()
    assert AuditEvent.objects.filter(action="grants.tranche_condition_met", target_id=str(tranches[2].pk)).exists()
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE
    with pytest.raises(GrantError):
        reports.report_approve(report=report, actor=staff)


def test_asking_for_changes_reopens_the_report_with_the_message(grant, owner, staff, owner_client):
    report = submitted(grant, owner)
    with pytest.raises(GrantError):
        reports.report_request_changes(report=report, actor=staff, message="  ")
    with pytest.raises(GrantError):
        reports.report_request_changes(report=report, actor=owner, message="Je me renvoie le rapport")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    reports.report_request_changes(report=report, actor=staff, message="Détaillez les frais de facilitation.")
    report.refresh_from_db()
    assert report.status == ReportStatus.CHANGES_REQUESTED
    assert Notification.objects.filter(key__startswith=f"grants.report_changes_requested:{report.pk}:").exists()
    response = owner_client.get(page(grant))
    assert "Détaillez les frais de facilitation." in response.content.decode()
    assert 'name="narrative"' in response.content.decode()
    reports.report_save(report=report, actor=owner, narrative="Plus détaillé.")
    reports.report_submit(report=report, actor=owner)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert Notification.objects.filter(key__startswith=f"grants.report_submitted:{report.pk}:").count() >= 1


def test_an_approved_report_is_read_only(grant, owner, staff, owner_client):
    report = submitted(grant, owner)
    with pytest.raises(GrantError):
        reports.report_save(report=report, actor=owner, narrative="Trop tard")
    reports.report_approve(report=report, actor=staff)
    with pytest.raises(GrantError):
        reports.report_save(report=report, actor=staff, narrative="Même le personnel")
    response = owner_client.get(page(grant))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<fieldset disabled" in content and 'name="submit_report"' not in content and 'name="attach"' not in content
    response = owner_client.post(page(grant), form_data(narrative="Changé"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.narrative == "Nous avons mutualisé la logistique."


def test_the_last_approval_completes_a_fully_paid_grant(owner, staff):
    """`grant_complete_if_done` runs on approval: a one-year grant whose tranche is paid closes."""
    grant = grant_for(years=1)
    Grant.objects.filter(pk=grant.pk).update(status=GrantStatus.ACTIVE)
    grant.refresh_from_db()
    team = grant.application.created_by
    Tranche.objects.filter(grant=grant).update(status="paid", funded=Decimal("30000.00"), paid_at=timezone.now())
    report = submitted(grant, team)
    reports.report_approve(report=report, actor=staff)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.COMPLETED


# --- Spending against budget -------------------------------------------------------------------


def test_spending_against_the_budget_points_out_differences(grant, owner):
    """Per category: the year's fundable budget (lines summed), the spending, the difference; flagged
    when more than 10 % off or not budgeted. Other years and programme costs do not count."""
    report = complete(reports.report_start(grant=grant, year=1, actor=owner), owner)
    rows = {row.category: row for row in reports.spending_against_budget(report)}
    assert set(rows) == {"coordination_staff", "facilitation", "legal_accounting_fees", "information_systems"}
    staff_row = rows["coordination_staff"]
    assert (staff_row.budget, staff_row.spent, staff_row.difference) == (Decimal("10000.00"), Decimal("10500.00"),
                                                                         Decimal("500.00"))
    assert not staff_row.flagged  # 5 %
    assert rows["facilitation"].flagged and rows["facilitation"].difference == Decimal("-1000.00")  # -20 %
    assert rows["facilitation"].percent == Decimal("-20")
    assert rows["legal_accounting_fees"].flagged and rows["legal_accounting_fees"].spent is None
    assert rows["information_systems"].flagged and not rows["information_systems"].budgeted
    totals = reports.spending_totals(list(rows.values()))
    assert totals == {"budget": Decimal("17000.00"), "spent": Decimal("14800.00"), "difference": Decimal("-2200.00")}


# --- Reminders ---------------------------------------------------------------------------------


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _reminders(kind, year=1):
    return Notification.objects.filter(key__startswith="grants.report_reminder:", key__contains=f":{year}:{kind}:")


def test_reminders_30_and_7_days_before_and_overdue_once_each(grant, owner, colleague):
    """Before any report row exists, from the due date alone; each reminder to each person of the team,
    once, even when the task runs twice or every hour."""
    due = reports.report_due_on(grant, 1)
    assert reports.report_reminders_send(now=_at(due - timedelta(days=31))) == 0
    assert reports.report_reminders_send(now=_at(due - timedelta(days=30))) == 2
    assert reports.report_reminders_send(now=_at(due - timedelta(days=30), 11)) == 0
    assert reports.report_reminders_send(now=_at(due - timedelta(days=20))) == 0
    assert reports.report_reminders_send(now=_at(due - timedelta(days=7))) == 2
    assert reports.report_reminders_send(now=_at(due)) == 0
    assert reports.report_reminders_send(now=_at(due + timedelta(days=1))) == 2
    assert reports.report_reminders_send(now=_at(due + timedelta(days=40))) == 0
    assert _reminders("30").count() == _reminders("7").count() == _reminders("overdue").count() == 2
    assert set(_reminders("overdue").values_list("to", flat=True)) == {owner.email, colleague.email}
    assert not GrantReport.objects.exists()
    assert Notification.objects.filter(key__startswith="grants.report_reminder:").count() == 6


def test_no_reminder_for_a_submitted_or_approved_report_nor_a_grant_not_running(grant, owner, staff):
    report = submitted(grant, owner)
    due = reports.report_due_on(grant, 1)
    assert reports.report_reminders_send(now=_at(due - timedelta(days=7))) == 0
    reports.report_approve(report=report, actor=staff)
    assert reports.report_reminders_send(now=_at(due + timedelta(days=2))) == 0
    other = grant_for(years=1)
    other_due = reports.report_due_on(other, 1)
    assert reports.report_reminders_send(now=_at(other_due + timedelta(days=2))) == 0  # agreement pending
    assert not _reminders("overdue").exists()


def test_a_report_sent_back_for_changes_is_still_reminded(grant, owner, staff):
    report = submitted(grant, owner)
    reports.report_request_changes(report=report, actor=staff, message="À compléter.")
    due = reports.report_due_on(grant, 1)
    assert reports.report_reminders_send(now=_at(due + timedelta(days=1))) == 1
    assert _reminders("overdue").count() == 1


def test_the_task_runs_the_reminders(grant):
    assert report_reminders_task.apply().get() == 0


# --- The page ----------------------------------------------------------------------------------


def test_the_page_saves_the_report_and_shows_budget_and_differences(grant, owner, owner_client):
    response = owner_client.get(page(grant))
    content = response.content.decode()
    assert response.status_code == 200
    for name in ("narrative", "summary", "share_with_donors", "organisations_involved", "people_reached",
                 "staff_shared", "governance_meetings", "territories", "spending-spent_coordination_staff",
                 "indicators-0-label", "submit_report"):
        assert f'name="{name}"' in content
    assert '<optgroup label="Hauts-de-France">' in content
    assert not GrantReport.objects.exists()  # reading does not start a report

    response = owner_client.post(page(grant), form_data())
    assert response.status_code == 302
    report = GrantReport.objects.get()
    assert report.people_reached == 1200 and report.share_with_donors
    assert {line.category: line.amount for line in report.spending.all()} == {
        "coordination_staff": Decimal("10500.00"), "facilitation": Decimal("4000.00")}
    content = owner_client.get(page(grant)).content.decode()
    assert "⚠" in content  # facilitation is 20 % under budget: said in words, not only by colour
    assert 'value="Repas distribués"' in content


def test_the_page_shows_errors_and_saves_nothing(grant, owner, owner_client):
    response = owner_client.post(page(grant), form_data(**{
        "spending-spent_facilitation": "-10", "indicators-1-value": "12", "people_reached": "beaucoup"}))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'aria-invalid="true"' in content and "is-invalid" in content
    assert not GrantReport.objects.exists()
    report = reports.report_start(grant=grant, year=1, actor=owner)
    reports.report_save(report=report, actor=owner, narrative="Avant")
    owner_client.post(page(grant), form_data(narrative="Après", **{"indicators-1-value": "12"}))
    report.refresh_from_db()
    assert report.narrative == "Avant" and not report.spending.exists()
    assert owner_client.get(page(grant, year=4)).status_code == 404


def test_the_page_submits_and_says_what_is_missing(grant, owner, owner_client):
    submit = reverse("grants:report_submit", args=[grant.pk, 1])
    response = owner_client.post(submit, form_data(governance_meetings=""), follow=True)
    report = GrantReport.objects.get()
    assert report.status == ReportStatus.DRAFT and report.narrative  # saved, not submitted
    assert 'id="report-missing"' in response.content.decode()
    response = owner_client.post(submit, form_data(), follow=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert 'name="submit_report"' not in response.content.decode()


def test_documents_are_attached_downloaded_by_the_team_only_and_removed(grant, owner, owner_client,
                                                                         other_applicant_client):
    response = owner_client.post(page(grant), {"attach": "1", "title": "Rapport d'activité",
                                               "file": ContentFile(PDF_BYTES, name="rapport.pdf")})
    assert response.status_code == 302
    attachment = ReportAttachment.objects.get()
    assert attachment.title == "Rapport d'activité"
    url = download_url(attachment, "file")
    assert url in owner_client.get(page(grant)).content.decode()
    assert owner_client.get(url).status_code == 200
    assert other_applicant_client.get(url).status_code == 404
    response = owner_client.post(page(grant), {"attach": "1", "file": ContentFile(b"MZ not a pdf", name="x.pdf")})
    assert response.status_code == 200 and ReportAttachment.objects.count() == 1
    owner_client.post(page(grant), {"remove": str(attachment.pk)})
    assert not ReportAttachment.objects.exists()


def _fill(report, owner, lines, indicators, documents):
    from applications.models import BudgetCategory

    codes = [code for code, _label in BudgetCategory.choices][:lines]
    reports.report_spending_set(report=report, actor=owner, lines=dict.fromkeys(codes, ("100", "Commentaire")))
    reports.report_indicators_set(report=report, actor=owner,
                                  indicators=[(f"Indicateur {n}", str(n), "u") for n in range(indicators)])
    reports.report_save(report=report, actor=owner, territories=list(
        Territory.objects.values_list("code", flat=True)[:indicators + 1]))
    for n in range(documents):
        reports.report_attachment_add(report=report, actor=owner, title=f"Pièce {n}",
                                      file=ContentFile(PDF_BYTES, name=f"piece-{n}.pdf"))


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_page_takes_a_fixed_number_of_queries(grant, owner, owner_client, django_assert_max_num_queries):
    """Session, user, roles; the grant; the report and its four prefetches (territories, spending,
    indicators, documents); the list of territories; the year's budget; the user's permissions (two,
    for the menu): 13, the same with one line of each as with eight spending lines, fifteen indicators
    and five documents."""
    first = reports.report_start(grant=grant, year=1, actor=owner)
    second = reports.report_start(grant=grant, year=2, actor=owner)
    _fill(first, owner, lines=1, indicators=1, documents=1)
    _fill(second, owner, lines=8, indicators=15, documents=5)
    owner_client.get(page(grant, 1))  # warm the content types' cache
    few = _count_queries(owner_client, page(grant, 1))
    many = _count_queries(owner_client, page(grant, 2))
    assert few == many
    with django_assert_max_num_queries(13):
        owner_client.get(page(grant, 2))


# --- The admin ---------------------------------------------------------------------------------


ADMIN = "/admin/grants/grantreport/"


def test_staff_read_the_report_and_approve_it_in_the_admin(grant, owner, staff_client):
    report = submitted(grant, owner)
    response = staff_client.get(ADMIN)
    assert response.status_code == 200 and str(grant) in response.content.decode()
    assert staff_client.get(ADMIN, {"overdue": "yes"}).status_code == 200
    response = staff_client.get(f"{ADMIN}{report.pk}/change/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Nous avons mutualisé la logistique." in content and "⚠" in content and "Repas distribués" in content
    assert 'value="approve"' in content
    response = staff_client.post(ADMIN, {"action": "approve", "_selected_action": [report.pk]})
    assert response.status_code == 200  # the confirmation page
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    response = staff_client.post(ADMIN, {"action": "approve", "_selected_action": [report.pk], "apply": "1",
                                         "message": "Bravo."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.review_message == "Bravo."
    assert Tranche.objects.get(grant=grant, number=2).condition_met_at is not None


def test_staff_ask_for_changes_in_the_admin_with_a_message(grant, owner, staff_client):
    report = submitted(grant, owner)
    response = staff_client.post(ADMIN, {"action": "request_changes", "_selected_action": [report.pk],
                                         "apply": "1", "message": ""})
    assert response.status_code == 200  # the message is required: the page again, nothing changed
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    staff_client.post(ADMIN, {"action": "request_changes", "_selected_action": [report.pk], "apply": "1",
                              "message": "Ajoutez les comptes."})
    report.refresh_from_db()
    assert report.status == ReportStatus.CHANGES_REQUESTED and report.review_message == "Ajoutez les comptes."


def test_the_admin_list_takes_a_fixed_number_of_queries(grant, owner, staff, staff_client):
    submitted(grant, owner)
    staff_client.get(ADMIN)
    few = _count_queries(staff_client, ADMIN)
    for _ in range(4):
        other = grant_for(years=1)
        Grant.objects.filter(pk=other.pk).update(status=GrantStatus.ACTIVE)
        other.refresh_from_db()
        submitted(other, other.application.created_by)
    assert _count_queries(staff_client, ADMIN) == few
