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
  left in the pool (the food-restricted donation waits there for an initiative on food);
- the same two grants in life (issue #7): their dates moved one year back (see `_move_grants`), both
  agreements produced and signed, bank details approved by a second staff member (the four eyes) and
  a change waiting on the second grant, a paid payment run of both first tranches, an amendment
  rescheduling a tranche, and a report in each state: the demo applicant's year-1 report approved
  (which meets tranche 2's condition), its year-2 report sent back with changes requested, the other
  grant's year-1 report submitted and its year-2 report a draft.

seed_demo runs in one transaction, so this is either all there or not at all: a database that already
has the demo foundation is left as it is. The demo ends by checking the ledger.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from joinforces.accounts.demo import demo_user
from joinforces.accounts.models import Role
from joinforces.core.models import Theme
from joinforces.core.services import audit

from . import services
from .agreements import agreement_render, agreement_sign
from .amendments import grant_amend
from .bank_details import bank_details_approve, bank_details_request
from .models import Donor, DonorContact, Grant, GrantAgreement, GrantReport, Tranche
from .payments import payment_run_mark_paid, payment_run_prepare
from .reports import (
    report_approve,
    report_indicators_set,
    report_request_changes,
    report_save,
    report_spending_set,
    report_start,
    report_submit,
)

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
SECOND_STAFF = ("equipe2@equipe.demo.joinforces.fr", "Noa", "Lefebvre")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # a signed copy, as scanned by the grantee
# IBAN, BIC: the account in force of each grant, and the change asked on the second.
ACCOUNTS = [("FR7630006000011234567890189", "AGRIFRPP"), ("FR1420041010050500013M02606", "PSSTFRPPLYO")]
CHANGED_ACCOUNT = ("FR7630004000031234567890143", "BNPAFRPP")
RUN_REFERENCE = "RELEVE BQ DEMO VIR SEPA JOIN FORCES 1"


class DemoLedgerError(RuntimeError):
    """The demo's ledger does not add up: the demo must be sound."""


def seed(context):
    staff = context.users[Role.STAFF]
    if not Donor.objects.filter(name=FOUNDATION).exists():  # else built whole by an earlier run
        today = timezone.localdate()
        donors = _donors(context, staff)
        _money(donors, staff, today)
        _ledger(staff)
    _life(context, staff)
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
    """Pledges, then the donations of the last two years in the order they came in (so that their tax
    receipts are numbered in that order): 224 000 € received."""
    days = lambda n: today - timedelta(days=n)  # noqa: E731
    # The foundation's first convention, the year before: 80 000 € in two parts.
    first = services.pledge_record(
        donor=donors["foundation"], amount=Decimal("80000.00"), pledged_on=days(560), actor=staff,
        expected_from=days(550), expected_until=days(400),
        note="Première convention de mécénat : deux versements de 40 000 €.")
    earlier = [
        (540, "foundation", "40000.00", first, "VIR FONDATION LIENS DURABLES CONV 1 VERST 1/2"),
        (450, "company", "10000.00", None, "VIR ATELIER NUMERIQUE RHONE MECENAT"),
        (420, "foundation", "40000.00", first, "VIR FONDATION LIENS DURABLES CONV 1 VERST 2/2"),
    ]
    for ago, donor, amount, pledge, reference in earlier:
        services.donation_receive(donor=donors[donor], amount=Decimal(amount), received_on=days(ago), actor=staff,
                                  pledge=pledge, reference=reference)
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
    # Last, the foundation adds a gift for initiatives on ageing only (its dashboard shows where it went).
    services.donation_receive(donor=donors["foundation"], amount=Decimal("5000.00"), received_on=days(10),
                              actor=staff, themes=list(Theme.objects.filter(code="ageing")),
                              reference="VIR FONDATION LIENS DURABLES DON BIEN VIEILLIR")


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


# --- The grants in life (issue #7) ----------------------------------------------------------------


def _life(context, staff) -> None:
    """The past call's grants a year into their life. Once: skipped when the agreements are signed
    already (seed_demo is one transaction, so the rest is there too)."""
    second_staff = demo_user(*SECOND_STAFF, [Role.STAFF])  # approves what the first one asks (four eyes)
    context.accounts.append(("Équipe (2e compte)", SECOND_STAFF[0]))
    grants = _past_grants()
    if len(grants) < 2 or GrantAgreement.objects.filter(grant__in=grants, signed_at__isnull=False).exists():
        return
    first, second = grants[:2]
    _move_grants(grants)
    mine = first if first.application.created_by_id == context.users[Role.APPLICANT].pk else second
    other = second if mine is first else first
    # The agreements: produced (the task would do it after the commit) and signed by each team.
    for grant in (mine, other):
        agreement_render(grant_id=grant.pk)
        agreement_sign(grant=grant, actor=grant.application.created_by,
                       file=ContentFile(PDF, name=f"convention-signee-{grant.application.reference}.pdf"))
        grant.refresh_from_db()
    # Bank details: asked by each team, approved by the second staff member (not the one who asked);
    # then the other grant's team asks to change its account, which waits for approval.
    for grant, (iban, bic) in zip((mine, other), ACCOUNTS, strict=True):
        payee = grant.application.members.order_by("position", "pk").first()
        details = bank_details_request(grant=grant, actor=grant.application.created_by, payee=payee,
                                       holder=payee.name, iban=iban, bic=bic)
        bank_details_approve(details=details, actor=second_staff, note="RIB vérifié sur le document de la banque.")
    payee = other.application.members.order_by("position", "pk").first()
    bank_details_request(grant=other, actor=other.application.created_by, payee=payee, holder=payee.name,
                         iban=CHANGED_ACCOUNT[0], bic=CHANGED_ACCOUNT[1])
    _payment_run(staff, [mine, other])
    # An amendment: the other grant's third tranche moves three months later, as its team asked.
    third = other.tranches.get(number=3)
    grant_amend(grant=other, actor=staff, changes=[{"number": 3, "due_on": third.due_on + timedelta(days=92)}],
                reason="Le collectif aligne le versement de la troisième tranche sur son exercice comptable.",
                grantee_agreement="Demande écrite de la coordinatrice du collectif, reçue par courriel.")
    _reports(staff, mine, other)
    _statement(staff)


def _statement(staff) -> None:
    """This month's bank statement: two gifts from people the fund does not know yet wait in the
    reconciliation queue (the staff home counts them); the bank's fee is set aside."""
    from .banking import bank_statement_import
    from .models import BankStatement

    day = timezone.localdate().replace(day=1)
    when = day.strftime("%d/%m/%Y")
    rows = [
        "Crédit Coopératif — Relevé d'opérations;;;;",
        "Compte : 42559 10000 08001234567 89 — JOIN FORCES;;;;",
        ";;;;",
        "Date;Libellé;Montant;Référence;Tiers",
        f"{when};VIR SEPA MME LUCIE MARCHAND DON JOIN FORCES;250,00;DEMO{day:%y%m}01;MME LUCIE MARCHAND",
        f"{when};VIR SEPA ASSOCIATION DES AMIS DU QUARTIER DON;1 200,00;DEMO{day:%y%m}02;AMIS DU QUARTIER",
        f"{when};FRAIS TENUE DE COMPTE;-8,50;DEMO{day:%y%m}03;",
    ]
    data = ("\n".join(rows) + "\n").encode("utf-8")
    bank_statement_import(file=ContentFile(data, name="releve-demo.csv"), format=BankStatement.Format.CSV,
                          bank="credit_cooperatif", actor=staff)


def _move_grants(grants) -> None:
    """Move the grants one year back, so that their first year ends at the start of next month and
    their year-1 reports are due then (their tranches, due each year from the start, move with them).
    A demo needs grants already in life; no service moves a grant's dates, hence queryset updates (the
    audit log keeps the real moments)."""
    today = timezone.localdate()
    start = services.add_years(services._first_of_next_month(today), -1)
    for grant in grants:
        Grant.objects.filter(pk=grant.pk).update(start_date=start)
        for number in grant.tranches.values_list("number", flat=True):
            Tranche.objects.filter(grant=grant, number=number).update(due_on=services.add_years(start, number - 1))
        grant.refresh_from_db()


def _payment_run(staff, grants) -> None:
    """Both first tranches (funded, agreement signed, bank details in force) paid in one run executed
    today. The run needs the fund's own account (BANK_ACCOUNT_IBAN and BANK_ACCOUNT_BIC, given by the
    dev settings): without it there is no run."""
    if not (getattr(settings, "BANK_ACCOUNT_IBAN", "") and getattr(settings, "BANK_ACCOUNT_BIC", "")):
        return
    today = timezone.localdate()
    tranches = [grant.tranches.get(number=1) for grant in grants]
    run = payment_run_prepare(actor=staff, execution_date=today, tranches=tranches)
    payment_run_mark_paid(run=run, actor=staff, paid_on=today, bank_reference=RUN_REFERENCE)


def _report(grant, year, author, *, narrative, people, spent_share) -> GrantReport:
    """A complete report of `year`, spending a share of each budgeted category."""
    from .reports import year_budget

    report = report_start(grant=grant, year=year, actor=author)
    from joinforces.core.models import Territory

    territories = list(Territory.objects.filter(programme__application=grant.application).distinct()
                       .values_list("code", flat=True)[:3])
    report_save(report=report, actor=author, narrative=narrative, summary=narrative.split(".")[0] + ".",
                share_with_donors=True, organisations_involved=4, people_reached=people, staff_shared="1.5",
                governance_meetings=6, territories=territories or ["69"])
    budget = year_budget(grant, year) or {"coordination_staff": Decimal("30000.00")}
    report_spending_set(report=report, actor=author, lines={
        category: ((amount * spent_share).quantize(Decimal("0.01")),
                   "Recrutement décalé de deux mois." if spent_share < 1 and position == 0 else "")
        for position, (category, amount) in enumerate(sorted(budget.items()))})
    report_indicators_set(report=report, actor=author, indicators=[
        ("Réunions inter-associatives", "18", "réunions"), ("Bénévoles formés ensemble", "42", "personnes")])
    return report


def _reports(staff, mine, other) -> None:
    author, other_author = mine.application.created_by, other.application.created_by
    year1 = _report(mine, 1, author, people=1200, spent_share=Decimal("0.92"),
                    narrative="La coordination commune est en place. Les membres partagent un agenda, un outil "
                              "de paie et une permanence juridique.")
    report_submit(report=year1, actor=author)
    report_approve(report=year1, actor=staff, message="Merci : un rapport clair, la tranche 2 est débloquée.")
    early = _report(mine, 2, author, people=150, spent_share=Decimal("0.15"),
                    narrative="Deux mois de la deuxième année : le comité de pilotage s’est réuni deux fois.")
    report_submit(report=early, actor=author)
    report_request_changes(report=early, actor=staff,
                           message="Ce rapport ne couvre que deux mois : complétez-le en fin d’année, avec les "
                                   "dépenses de l’année entière.")
    submitted = _report(other, 1, other_author, people=800, spent_share=Decimal("1.05"),
                        narrative="Le collectif a mutualisé la comptabilité de ses membres. Un poste de "
                                  "coordination est partagé depuis le printemps.")
    report_submit(report=submitted, actor=other_author)
    draft = report_start(grant=other, year=2, actor=other_author)
    report_save(report=draft, actor=other_author, narrative="Premières notes de la deuxième année.")
