"""A hand-built portfolio for the indicators, the annual report and the public page: every figure
below is known to the unit, and each has rows that must NOT count (another year, a status that does
not count, an unconsented initiative)."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from applications.models import Decision, Outcome, ReviewRound, Status
from eligibility.models import Screening, ScreeningFinding, SelfAssessmentTally
from grants import services
from grants.models import GrantReport, ReportIndicator, ReportStatus
from joinforces.core.models import Territory
from support.models import BookingStatus
from tests.applications.factories import ApplicationFactory, CallFactory
from tests.grants.factories import LAST_YEAR, THIS_YEAR, DonorFactory, initiative, pay, receive
from tests.support.factories import ExpertFactory, booking_row

D = Decimal


def at(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour))


def report(grant, year, *, status=ReportStatus.APPROVED, reviewed=None, territories=(), indicators=(), **fields):
    row = GrantReport.objects.create(
        grant=grant, year=year, due_on=date(THIS_YEAR, 1, 1), status=status,
        submitted_at=None if status == ReportStatus.DRAFT else at(THIS_YEAR, 1, 2),
        reviewed_at=reviewed if status == ReportStatus.APPROVED else None, **fields)
    row.territories_covered.set(Territory.objects.filter(code__in=territories))
    for label, value, unit in indicators:
        ReportIndicator.objects.create(report=row, label=label, value=D(value), unit=unit)
    return row


def screening(application, verdict, excludes=(), *, override=None, reason=""):
    row = Screening.objects.create(name=application.name, case={}, case_digest="x" * 64, ruleset="test",
                                   verdict=verdict, override_verdict=override or "", override_reason=reason,
                                   overridden_at=timezone.now() if override else None)
    for position, criterion in enumerate(excludes):
        ScreeningFinding.objects.create(screening=row, position=position, criterion=criterion, result="exclude",
                                        reason_fr="Non", reason_en="No")
    ScreeningFinding.objects.create(screening=row, position=20, criterion="duration", result="pass",
                                    reason_fr="Oui", reason_en="Yes")
    application.screening = row
    application.save(update_fields=["screening"])
    return row


REFERENCES = itertools.count(1)


def submit(application, submitted, status):
    application.submitted_at, application.status = submitted, status
    application.reference = f"JF-{submitted.year}-{next(REFERENCES) + 5000:04d}"
    application.save(update_fields=["submitted_at", "status", "reference"])


def decide(application, *, submitted, days, outcome=Outcome.DECLINED):
    submit(application, submitted, Status.DECLINED if outcome == Outcome.DECLINED else Status.SELECTED)
    review_round = ReviewRound.objects.create(call=application.call, title="Tour", deadline=submitted)
    money = {"amount_per_year": D("1000.00"), "years": 1} if outcome == Outcome.SELECTED else {}
    Decision.objects.create(application=application, round=review_round, outcome=outcome, rationale="—", **money,
                            decided_at=submitted, published_at=submitted + timedelta(days=days))


def build_portfolio(staff, *, suffix=""):
    """Two initiatives funded this year (one consented, one not), their reports, money, support, and
    the selection's records. Returns the rows the tests name."""
    donor = DonorFactory(name=f"Fondation Secrète{suffix}", public=False, consent_recorded_at=None)
    receive(donor, "1500.00", staff=staff)
    open_ = initiative(f"Collectif Ouvert{suffix}", consent=True, themes=("food",), territories=("31",))
    hidden = initiative(f"Collectif Discret{suffix}", consent=False, themes=("housing",), territories=("59",),
                        kind="merger_absorption")
    for grant in (open_, hidden):  # their applications were submitted last year
        type(grant.application).objects.filter(pk=grant.application_id).update(submitted_at=at(LAST_YEAR, 6, 1))
    first = open_.tranches.get(number=1)
    services.ledger_allocate(tranche=first, actor=staff, amount="1000.00")
    pay(first)
    services.ledger_allocate(tranche=hidden.tranches.get(number=1), actor=staff, amount="300.00")

    # Reports: the consented initiative reported twice this year (7 organisations at most), the other
    # once; one approved last year and one still under review do not count.
    report(open_, 1, reviewed=at(THIS_YEAR, 1, 10), organisations_involved=5, people_reached=120,
           governance_meetings=4, territories=("31", "R76"), summary=f"Une cantine partagée{suffix}.",
           share_with_donors=True, indicators=(("Repas servis", "1500", "repas"),))
    report(open_, 2, reviewed=at(THIS_YEAR, 2, 10), organisations_involved=7, people_reached=80,
           governance_meetings=2, indicators=(("Repas servis", "500", "repas"),))
    report(hidden, 1, reviewed=at(THIS_YEAR, 1, 20), organisations_involved=3, people_reached=50,
           territories=("59",), summary=f"Résumé confidentiel{suffix}.", share_with_donors=True)
    report(hidden, 2, status=ReportStatus.SUBMITTED, people_reached=999)
    report(hidden, 3, reviewed=at(LAST_YEAR, 6, 1), people_reached=1000, territories=("75",))

    # Support: 7 h of mediation (1 day), 3.5 h of finance (0.5 day); cancelled and last year's apart.
    from support.models import PlanNeed, SupportPlan

    plan = SupportPlan.objects.create(grant=open_)
    mediation = PlanNeed.objects.create(plan=plan, domain="mediation", budget_days=D("3.0"))
    finance = PlanNeed.objects.create(plan=plan, domain="finance", budget_days=D("2.0"))
    expert = ExpertFactory()
    booking_row(expert=expert, need=mediation, start=at(THIS_YEAR, 3, 2, 9), hours=2, status=BookingStatus.DELIVERED)
    booking_row(expert=expert, need=mediation, start=at(THIS_YEAR, 3, 3, 9), hours=5, status=BookingStatus.DELIVERED)
    booking_row(expert=expert, need=finance, start=at(THIS_YEAR, 3, 4, 9), hours=3.5, status=BookingStatus.DELIVERED)
    booking_row(expert=expert, need=finance, start=at(THIS_YEAR, 3, 5, 9), hours=7, status=BookingStatus.CANCELLED)
    booking_row(expert=expert, need=finance, start=at(LAST_YEAR, 3, 5, 9), hours=7, status=BookingStatus.DELIVERED)

    # Selection: three applications received this year, one last year, one draft.
    call = CallFactory()
    one = ApplicationFactory(call=call, name=f"Candidat Un{suffix}")
    two = ApplicationFactory(call=call, name=f"Candidat Deux{suffix}")
    three = ApplicationFactory(call=call, name=f"Candidat Trois{suffix}")
    old = ApplicationFactory(call=call, name=f"Candidat Ancien{suffix}")
    ApplicationFactory(call=call, name=f"Brouillon{suffix}")
    decide(one, submitted=at(THIS_YEAR, 1, 5), days=10)
    decide(two, submitted=at(THIS_YEAR, 1, 6), days=20)
    decide(three, submitted=at(THIS_YEAR, 1, 7), days=45, outcome=Outcome.SELECTED)
    submit(old, at(LAST_YEAR, 5, 1), Status.SUBMITTED)
    screening(one, "ineligible", ("ralliance", "federation"))
    screening(two, "ineligible", ("ralliance",), override="eligible",
              reason=f"La gouvernance de Candidat Deux{suffix} a été revue")
    screening(three, "eligible")
    screening(old, "ineligible", ("ralliance", "off_ground"))
    week = date(THIS_YEAR, 3, 2)
    for criterion, result, count in (("verdict", "ineligible", 5), ("verdict", "eligible", 3),
                                     ("ralliance", "exclude", 4), ("off_ground", "exclude", 2),
                                     ("ralliance", "pass", 9)):
        SelfAssessmentTally.objects.update_or_create(week=week, criterion=criterion, result=result,
                                                     defaults={"count": count})
    SelfAssessmentTally.objects.update_or_create(week=date(LAST_YEAR, 3, 1), criterion="ralliance",
                                                 result="exclude", defaults={"count": 100})
    return {"open": open_, "hidden": hidden, "donor": donor, "two": two}
