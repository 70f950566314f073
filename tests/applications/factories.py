"""Factories for calls and applications, and `complete_application`, a fully complete draft built
through the services (the path users take). Reused by the page tests."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from applications import services
from applications.models import Application, Call, TeamMember
from tests.factories import ApplicantFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RNA = "W751234567"
SIREN = "732829320"  # Luhn-valid


class CallFactory(factory.django.DjangoModelFactory):
    """A call open now: opened 30 days ago, closing in 30 days."""

    class Meta:
        model = Call

    title = factory.Sequence(lambda n: f"Appel à candidatures n° {n}")
    slug = factory.Sequence(lambda n: f"appel-{n}")
    description = "Frais de fonctionnement des collectifs."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    budget_envelope = Decimal("500000.00")
    max_years = 3


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft with its owner in the team (rows only: no services, no audit)."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    created_by = factory.SubFactory(ApplicantFactory)
    name = factory.Sequence(lambda n: f"Collectif {n}")

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if create:
            TeamMember.objects.create(application=self, user=self.created_by, role=TeamMember.Role.OWNER)
            for user in extracted or ():
                TeamMember.objects.create(application=self, user=user, role=TeamMember.Role.CO_APPLICANT)


def pdf_file(name="document.pdf"):
    return ContentFile(PDF_BYTES, name=name)


MEMBERS = {
    "coalition": [("lead", "Banque alimentaire de Lille"), ("member", "Jardins partagés de Flandre")],
    "merger_absorption": [("absorbing", "Chantiers d'insertion de l'Hérault"), ("absorbed", "Atelier vélo de Sète")],
    "transfer_takeover": [("transferring", "Épicerie solidaire du Nord"), ("taking_over", "Réseau des épiceries")],
    "transmission": [("member", "Maison des aidants"), ("member", "Aidants du Gers")],
}


def complete_application(call=None, user=None, kind="coalition", governance=None, shares=None,
                         name="Collectif Solidarités Alimentaires du Nord") -> Application:
    """A complete draft, ready to submit, built through the services.

    `kind`: coalition (also alliance, collective) or a consolidation kind. `governance` defaults to
    one member one vote (none for consolidations); `shares` (in %) with weighted governance.
    """
    call = call or CallFactory()
    user = user or ApplicantFactory()
    consolidation = kind in ("merger_absorption", "transfer_takeover", "transmission")
    application = services.application_start(call=call, actor=user)
    services.application_save(
        application=application, actor=user,
        name=name, kind=kind, themes=["food", "social_action"],
        summary="Quatre associations du Nord organisent ensemble l'aide alimentaire.",
        main_purpose="consolidation" if consolidation else "joint_programmes",
        temporary=False, does_advocacy=False, years_together=4,
        governance="" if consolidation else (governance or "one_member_one_vote"),
        why_together="Mieux servir les familles du territoire.",
        years=call.max_years, amount_requested=Decimal("90000.00"),
        consent_public=True, sworn_statement=True,
    )
    members = []
    decided = date.today() - timedelta(days=400)
    for index, (role, member_name) in enumerate(MEMBERS.get(kind, MEMBERS["coalition"])):
        members.append(services.member_add(
            application=application, actor=user,
            name=member_name, legal_form="association", non_profit=True, role=role,
            identifier=RNA if index == 0 else SIREN, annual_budget=Decimal("400000.00"), staff_count=8,
            voting_share=Decimal(shares[index]) if shares else None,
            decision_status="decided", decision_date=decided - timedelta(days=index),
            decision_form="signed_agreement", contribution="Son réseau de bénévoles.",
        ))
    services.programme_add(application=application, actor=user, title="Paniers solidaires en circuit court",
                           integration="joint", territories=["59", "62"], members_involved=members,
                           beneficiaries="Familles en précarité alimentaire")
    for year in range(1, call.max_years + 1):
        services.budget_line_add(application=application, actor=user, year=year, category="coordination_staff",
                                 label="Coordinatrice", amount=Decimal("25000.00"))
        services.budget_line_add(application=application, actor=user, year=year, category="meetings_travel",
                                 amount=Decimal("5000.00"))
    services.support_need_set(application=application, actor=user, domain="facilitation",
                              description="Animer le comité de pilotage", days=Decimal("3"))
    services.attachment_add(application=application, actor=user, kind="statutes", file=pdf_file("statuts.pdf"))
    services.attachment_add(application=application, actor=user, kind="accounts", file=pdf_file("comptes.pdf"))
    application.refresh_from_db()
    return application


# --- The committee ---------------------------------------------------------------------------------


def submitted_application(call=None, user=None, **kwargs) -> Application:
    """A complete application submitted and screened through the services (as the task would after
    the commit, which a test's transaction never reaches)."""
    application = complete_application(call=call, user=user, **kwargs)
    services.application_submit(application=application, actor=application.created_by)
    services.application_screen(application=application)
    application.refresh_from_db()
    return application


def committee_for(call, *, staff, size=3, chair=True) -> list:
    """`size` committee members of `call` (the first one chairs when `chair`), added by `staff`."""
    from tests.conftest import give_totp
    from tests.factories import CommitteeMemberFactory

    members = []
    for index in range(size):
        member = CommitteeMemberFactory()
        give_totp(member)
        services.committee_member_add(call=call, user=member, actor=staff, is_chair=chair and index == 0)
        members.append(member)
    return members


def open_round(call, *, staff, title="Premier tour", days=14, per_application=2):
    """A review round of `call` on its submitted applications, closing in `days` days."""
    return services.review_round_open(call=call, title=title, deadline=timezone.now() + timedelta(days=days),
                                      actor=staff, reviewers_per_application=per_application)


def full_review(assignment, *, scores=(4, 4, 4, 4, 4, 4), recommendation="fund", submit=True):
    """Declare no conflict, score every criterion and (by default) submit, as the assigned reviewer."""
    from applications.models import ReviewCriterion

    reviewer = assignment.reviewer
    services.conflict_declare(application=assignment.application, reviewer=reviewer, has_conflict=False)
    review = services.review_start(assignment=assignment, actor=reviewer)
    fields = dict(zip(ReviewCriterion.values, scores, strict=True))
    fields.update({f"{code}_comment": "Solide." for code in ReviewCriterion.values})
    services.review_save(review=review, actor=reviewer, recommendation=recommendation,
                         suggested_amount=Decimal("30000.00"), **fields)
    if submit:
        services.review_submit(review=review, actor=reviewer)
    review.refresh_from_db()
    return review
