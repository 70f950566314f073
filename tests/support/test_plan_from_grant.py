"""A funded initiative gets its support plan when its grant becomes active: grants sends
`grant_activated`, support's receiver enqueues the task, the service copies the application's support
needs (domain, days, description), the initiative's régions and a wanted window. Once only."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from grants.agreements import agreement_render, agreement_sign
from joinforces.core.models import AuditEvent
from support import services
from support.models import PlanNeed, SupportPlan

from .factories import supported_grant

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_signing_the_agreement_opens_the_plan_from_the_application_s_support_needs(
        django_capture_on_commit_callbacks):
    grant = supported_grant(needs=(("mediation", "3.0"), ("legal", "1.5")), territories=("31", "R11"))
    agreement_render(grant_id=grant.pk)
    assert not SupportPlan.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        agreement_sign(grant=grant, actor=grant.application.created_by, file=ContentFile(PDF, name="s.pdf"))

    plan = SupportPlan.objects.get(grant=grant)
    needs = {n.domain: n for n in plan.needs.all()}
    assert set(needs) == {"mediation", "legal"}
    assert needs["mediation"].budget_days == Decimal("3.0") and needs["legal"].budget_days == Decimal("1.5")
    assert needs["mediation"].description == "Besoin en mediation"
    # Haute-Garonne counts in Occitanie; Île-de-France is a région itself.
    assert set(needs["mediation"].territories.values_list("code", flat=True)) == {"R76", "R11"}
    assert needs["mediation"].window_start is not None and needs["mediation"].window_end > needs[
        "mediation"].window_start
    assert AuditEvent.objects.filter(action="support.plan_created").count() == 1


def test_the_plan_is_created_once_and_the_copy_is_independent_of_the_application():
    grant = supported_grant()
    first = services.plan_create_for_grant(grant=grant)
    grant.application.support_needs.update(days=Decimal("9.0"))
    again = services.plan_create_for_grant(grant=grant)
    assert first.pk == again.pk and SupportPlan.objects.count() == 1
    assert PlanNeed.objects.get(plan=first, domain="mediation").budget_days == Decimal("3.0")


def test_staff_edit_a_need_of_the_plan_and_others_cannot(staff, applicant):
    plan = services.plan_create_for_grant(grant=supported_grant())
    need = plan.needs.get(domain="mediation")
    services.need_save(plan=plan, need=need, actor=staff, domain="mediation", budget_days="4.5",
                       remote_allowed=False, languages=["fr", "en"])
    need.refresh_from_db()
    assert need.budget_days == Decimal("4.5") and not need.remote_allowed and need.languages == ["en", "fr"]
    with pytest.raises(services.SupportError):
        services.need_save(plan=plan, need=need, actor=applicant, domain="mediation", budget_days="1")
    with pytest.raises(services.SupportError):
        services.need_save(plan=plan, actor=staff, domain="mediation", budget_days="1")  # already there
    with pytest.raises(services.SupportError):
        services.need_save(plan=plan, need=need, actor=staff, domain="mediation", budget_days="-1")
    need.refresh_from_db()
    assert need.budget_days == Decimal("4.5")


def test_the_command_opens_the_plans_of_active_grants_that_have_none(capsys):
    from django.core.management import call_command

    from grants.models import Grant, GrantStatus

    active, pending = supported_grant(), supported_grant()
    Grant.objects.filter(pk=active.pk).update(status=GrantStatus.ACTIVE)
    call_command("open_support_plans")
    assert list(SupportPlan.objects.values_list("grant_id", flat=True)) == [active.pk]
    call_command("open_support_plans")
    assert SupportPlan.objects.count() == 1 and "0 support plan(s) opened." in capsys.readouterr().out
    assert not SupportPlan.objects.filter(grant=pending).exists()
