"""Demo data of grants, loaded by `python manage.py seed_demo` (idempotent), in French, built through
the services as staff would:

- four donors, one of each kind: a foundation named publicly (the demo donor account is its contact),
  a company named publicly, a person who gives anonymously, and a committed organisation whose money
  is restricted to food; the foundation and the company carry the IBAN and label words by which a
  bank import recognises their transfers;
- pledges (the foundation's, received in three parts; the company's, not received yet) and donations
  received over the last twelve months, each entering the pool;
- the grants of the past call's two published selections, their first tranches funded from the
  pool, a support spending for one initiative, an allocation made by mistake and reversed, and money
  left in the pool (the food-restricted donation waits there for an initiative on food).

seed_demo runs in one transaction, so this is either all there or not at all: a database that already
has the demo foundation is left as it is. The demo ends by checking the ledger.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from joinforces.accounts.models import Role
from joinforces.core.models import Theme
from joinforces.core.services import audit

from . import services
from .models import Donor, DonorContact, Grant

FOUNDATION = "Fondation Liens Durables"

# name, kind, public, consent note, address (street, postcode, city), IBANs, words of the bank label.
DONORS = {
    "foundation": (FOUNDATION, Donor.Kind.FOUNDATION, True,
                   "Accord écrit dans la convention de mécénat signée par sa directrice.",
                   ("8 quai des Célestins", "69002", "Lyon"), ["FR7642559100000801234567812"],
                   ["LIENS DURABLES"]),
    "company": ("Atelier Numérique Rhône SAS", Donor.Kind.COMPANY, True,
                "Courriel de la direction de la communication autorisant la mention du mécénat.",
                ("45 rue Garibaldi", "69003", "Lyon"), ["FR7630004008210001045678973"],
                ["ATELIER NUMERIQUE", "ANR MECENAT"]),
    "person": ("Hélène Rousseau", Donor.Kind.PERSON, False, "",
               ("3 impasse des Tilleuls", "07200", "Aubenas"), [], []),
    "organisation": ("Coopérative Paniers Solidaires", Donor.Kind.ORGANISATION, False, "",
                     ("12 avenue Thiers", "33100", "Bordeaux"), [], []),
}

PAST_SLUG = "appel-2026-premiers-pas"
PAST_ROUND = "Tour de sélection 2026"


class DemoLedgerError(RuntimeError):
    """The demo's ledger does not add up: the demo must be sound."""


def seed(context):
    if Donor.objects.filter(name=FOUNDATION).exists():
        return  # built whole by an earlier run (seed_demo is one transaction)
    staff = context.users[Role.STAFF]
    today = timezone.localdate()
    donors = _donors(context, staff)
    _money(donors, staff, today)
    _ledger(staff)
    problems = services.ledger_differences()
    if problems:
        raise DemoLedgerError("The demo ledger does not add up: " + "; ".join(problems))


def _donors(context, staff) -> dict[str, Donor]:
    """The donors, saved and audited as the admin's donor form does (no service writes a donor)."""
    donors = {}
    for key, (name, kind, public, consent, (address, postcode, city), ibans, words) in DONORS.items():
        donor = Donor.objects.create(
            kind=kind, name=name, public=public, consent_recorded_at=timezone.now() if public else None,
            consent_note=consent, address=address, postcode=postcode, city=city, bank_accounts=ibans,
            bank_label_keywords=words,
            email=f"contact@{key}.demo.joinforces.fr" if kind != Donor.Kind.PERSON else "",
            siren={"foundation": "812345676", "company": "834567893"}.get(key, ""),
            notes="Donateur fictif des données de démonstration.")
        audit(actor=staff, action="grants.donor_saved", target=donor, after={"changed": ["created"], "public": public})
        donors[key] = donor
    DonorContact.objects.create(donor=donors["foundation"], user=context.users[Role.DONOR])
    return donors


def _money(donors, staff, today) -> None:
    """Pledges, then the donations of the last twelve months in the order they came in (so that their
    tax receipts are numbered in that order): 129 000 € received."""
    days = lambda n: today - timedelta(days=n)  # noqa: E731
    # The foundation pledged 90 000 € a year ago, received in three parts.
    foundation = services.pledge_record(
        donor=donors["foundation"], amount=Decimal("90000.00"), pledged_on=days(350), actor=staff,
        expected_from=days(340), expected_until=days(30),
        note="Convention de mécénat 2025-2026 : trois versements de 30 000 €.")
    # A committed organisation: its money goes to initiatives on food only (the pledge's restriction).
    food = services.pledge_record(
        donor=donors["organisation"], amount=Decimal("15000.00"), pledged_on=days(110), actor=staff,
        themes=list(Theme.objects.filter(code="food")), note="Pour des initiatives d’alimentation solidaire.")
    # The company gave once and has pledged more, expected in the coming months.
    services.pledge_record(
        donor=donors["company"], amount=Decimal("25000.00"), pledged_on=days(20), actor=staff,
        expected_from=today + timedelta(days=30), expected_until=today + timedelta(days=120),
        note="Engagement du comité mécénat pour l’exercice en cours.")
    # days ago, donor, amount, pledge, reference (the person gives anonymously, by cheque).
    received = [
        (330, "foundation", "30000.00", foundation, "VIR FONDATION LIENS DURABLES VERST 1/3"),
        (270, "person", "2500.00", None, "Chèque n° 0004127"),
        (200, "foundation", "30000.00", foundation, "VIR FONDATION LIENS DURABLES VERST 2/3"),
        (140, "company", "20000.00", None, "VIR ATELIER NUMERIQUE RHONE ANR MECENAT"),
        (95, "organisation", "15000.00", food, "VIR COOP PANIERS SOLIDAIRES"),
        (60, "foundation", "30000.00", foundation, "VIR FONDATION LIENS DURABLES VERST 3/3"),
        (25, "person", "1500.00", None, "Chèque n° 0004188"),
    ]
    for ago, donor, amount, pledge, reference in received:
        services.donation_receive(donor=donors[donor], amount=Decimal(amount), received_on=days(ago), actor=staff,
                                  pledge=pledge, reference=reference)


def _ledger(staff) -> None:
    """The past call's grants: their first tranches funded, a support spending, a reversed entry."""
    grants = _past_grants()
    if len(grants) < 2:
        return  # a demo database whose past call was changed by hand: no ledger on top of it
    first, second = grants[:2]
    for grant in grants:
        services.ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff)
    services.ledger_record_support_spending(grant=first, amount=Decimal("3600.00"),
                                            reference="Facture Médiation 2026-014", actor=staff)
    # Staff fund part of a second tranche too early, then correct it with a reversing entry.
    mistake = services.ledger_allocate(tranche=second.tranches.get(number=2), amount=Decimal("10000.00"),
                                       actor=staff)
    services.ledger_reverse(entry=mistake, actor=staff,
                            reason="Tranche 2 financée par erreur : le rapport de la première année n’est pas "
                                   "encore approuvé.")


def _past_grants() -> list[Grant]:
    """The grants of the past round's published selections. Publication prepares them after the commit;
    seed_demo runs in one transaction, so they are prepared here (the task then finds them done)."""
    from applications.models import Decision, Outcome

    decisions = (Decision.objects.filter(round__call__slug=PAST_SLUG, round__title=PAST_ROUND,
                                         outcome=Outcome.SELECTED, published_at__isnull=False)
                 .select_related("application").order_by("application__pk"))
    return [services.grant_create_from_decision(decision=decision) for decision in decisions]
