"""Demo data of support, loaded by `python manage.py seed_demo` (idempotent), in French:

- fifteen experts of the resource centre (people and organisations) across the seven domains and
  several régions, some remote only, one pro bono, one working from La Réunion (its own time zone), one
  linked to a member organisation of a demo initiative (a conflict of interest the matching shows); the
  demo expert account (experte@demo.joinforces.fr) is Alix Moreau's;
- a toolbox of a dozen resources by domain and stage (one kept unpublished);
- the support plans of the demo grants (opened from their applications' support needs when their
  agreements were signed; seed_demo runs in one transaction, so they are opened here), with a mediation
  need added by staff on the demo applicant's;
- bookings: sessions delivered last month with their feedback, sessions confirmed in the coming weeks,
  and two proposed to Alix Moreau, waiting for her to confirm them.

Past sessions cannot be booked through the service (it books the future only): they are written as rows
with their times, as a session that took place would stand, and audited. Runs once: a database that
already has the demo experts is left as it is.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from joinforces.accounts.models import Role
from joinforces.core.models import Territory
from joinforces.core.services import audit

from . import services
from .models import (
    AvailabilityException,
    AvailabilityRule,
    Booking,
    BookingStatus,
    Expert,
    ExpertDomain,
    ExpertLink,
    Feedback,
    Resource,
)

DEMO_EXPERT = "Alix Moreau"
MORNINGS = [(d, time(9), time(12, 30)) for d in range(5)]
AFTERNOONS = [(d, time(14), time(18)) for d in range(5)]
WEEK = MORNINGS + AFTERNOONS

# name, kind, email, domains {domain: level}, régions, remote, remote only, languages, time zone,
# capacity (days a month), daily rate (None: pro bono), weekly rules, linked organisations, bio.
EXPERTS = [
    (DEMO_EXPERT, "person", "experte@demo.joinforces.fr", {"mediation": 3, "facilitation": 2}, ["R84", "R76"],
     True, False, ["fr", "en"], "Europe/Paris", "6.0", "650.00", WEEK, [],
     "Médiatrice professionnelle, quinze ans d’accompagnement de fusions associatives et de gouvernances "
     "partagées."),
    ("Coopérative Tisser Ensemble", "organisation", "contact@tisser-ensemble.demo.joinforces.fr",
     {"facilitation": 3, "change_management": 2}, ["R84"], True, False, ["fr"], "Europe/Paris", "10.0", "900.00",
     WEEK, [], "Scop d’animateurs de démarches collectives : séminaires, comités de pilotage, intelligence "
     "collective."),
    ("Malik Haddad", "person", "malik.haddad@experts.demo.joinforces.fr", {"hr": 3, "change_management": 2},
     ["R75"], True, False, ["fr", "ar"], "Europe/Paris", "4.0", "600.00", MORNINGS, [],
     "Ancien DRH du secteur médico-social : mutualisation d’emplois, transferts de contrats, dialogue social."),
    ("Juliette Marchand", "person", "juliette.marchand@experts.demo.joinforces.fr", {"legal": 3}, ["R75", "R52"],
     True, False, ["fr"], "Europe/Paris", "5.0", "750.00", WEEK, [],
     "Avocate en droit des associations : fusions, apports partiels d’actifs, traités et statuts."),
    ("Cabinet Loi 1901", "organisation", "contact@loi1901.demo.joinforces.fr", {"legal": 2, "finance": 1}, [],
     True, True, ["fr"], "Europe/Paris", "8.0", "700.00", WEEK, [("Réseau d’entraide Bordeaux", "")],
     "Cabinet de juristes à distance ; conseille aussi le Réseau d’entraide Bordeaux."),
    ("Sophie Lambert", "person", "sophie.lambert@experts.demo.joinforces.fr", {"finance": 3}, ["R11"],
     True, False, ["fr", "en"], "Europe/Paris", "4.0", "680.00", AFTERNOONS, [],
     "Expert-comptable associative : budgets consolidés, clés de répartition des frais communs."),
    ("Thomas Nguyen", "person", "thomas.nguyen@experts.demo.joinforces.fr", {"coaching": 3, "facilitation": 1},
     ["R53"], True, False, ["fr", "en"], "Europe/Paris", "3.0", "550.00", WEEK, [],
     "Coach de dirigeants associatifs, spécialiste des binômes de direction après une fusion."),
    ("Élise Fournier", "person", "elise.fournier@experts.demo.joinforces.fr", {"mediation": 2, "coaching": 2},
     ["R76"], True, False, ["fr", "oc"], "Europe/Paris", "4.0", "520.00", WEEK, [],
     "Médiatrice en Occitanie, conflits entre bénévoles et salariés, gouvernance partagée."),
    ("Collectif Passerelles RH", "organisation", "bonjour@passerelles-rh.demo.joinforces.fr", {"hr": 2},
     ["R32"], True, False, ["fr"], "Europe/Paris", "6.0", None, MORNINGS, [],
     "Bénévoles de compétences RH, pro bono pour les petites structures."),
    ("Nicolas Perrin", "person", "nicolas.perrin@experts.demo.joinforces.fr", {"change_management": 3},
     ["R44", "R28"], True, False, ["fr"], "Europe/Paris", "4.0", "620.00", WEEK, [],
     "Conduite du changement dans les rapprochements d’associations : feuilles de route, communication "
     "interne."),
    ("Aurélie Dubois", "person", "aurelie.dubois@experts.demo.joinforces.fr", {"finance": 2, "legal": 1},
     ["R84"], True, False, ["fr"], "Europe/Paris", "3.0", "500.00", AFTERNOONS, [],
     "Directrice financière à temps partagé : trésorerie commune, conventions financières entre membres."),
    ("Marie-Anne Payet", "person", "marieanne.payet@experts.demo.joinforces.fr",
     {"facilitation": 2, "mediation": 2}, ["R04"], True, False, ["fr"], "Indian/Reunion", "4.0", "480.00", WEEK,
     [], "Facilitatrice à La Réunion, travaille aussi à distance avec la métropole."),
    ("Hugo Lefort", "person", "hugo.lefort@experts.demo.joinforces.fr", {"coaching": 2, "hr": 1}, [],
     True, True, ["fr", "en", "es"], "Europe/Paris", "5.0", "450.00", WEEK, [],
     "Coach à distance, accompagne les coordinatrices et coordinateurs de collectifs."),
    ("Atelier Gouvernance Partagée", "organisation", "contact@gouvernance.demo.joinforces.fr",
     {"facilitation": 3, "change_management": 1}, ["R11", "R32"], True, False, ["fr"], "Europe/Paris", "8.0",
     "850.00", WEEK, [], "Ateliers de gouvernance : chartes, instances, prise de décision par consentement."),
    ("Yann Le Goff", "person", "yann.legoff@experts.demo.joinforces.fr", {"mediation": 3}, ["R53"],
     False, False, ["fr", "br"], "Europe/Paris", "3.0", "600.00", MORNINGS, [],
     "Médiateur en Bretagne, uniquement sur place."),
]

# title, kind, domain, stage, summary, text, published
RESOURCES = [
    ("Décider ensemble de se rapprocher : la feuille de route", "guide", "change_management", "deciding",
     "Les étapes d’une décision de rapprochement, des premiers échanges aux votes des conseils.",
     "1. Partager les raisons d’agir ensemble.\n2. Cartographier les activités et les équipes.\n"
     "3. Choisir une forme (coalition, fusion, transmission).\n4. Faire voter chaque conseil.", True),
    ("Modèle de charte de coalition", "template", "facilitation", "governance",
     "Une charte à adapter : valeurs, instances, décisions, entrée et sortie des membres.",
     "Préambule — Article 1 : objet commun — Article 2 : membres — Article 3 : comité de pilotage — "
     "Article 4 : décisions — Article 5 : sortie d’un membre.", True),
    ("Animer un comité de pilotage par consentement", "method", "facilitation", "governance",
     "Une méthode pas à pas pour décider sans vote majoritaire, et sans bloquer.",
     "Proposition, questions de clarification, réactions, objections, bonification, décision.", True),
    ("Traité de fusion-absorption : les clauses essentielles", "guide", "legal", "merging",
     "Ce que doit contenir le traité, les délais, le rôle du commissaire à la fusion.",
     "Désignation des associations, date d’effet, apports, transfert des contrats de travail, conditions "
     "suspensives.", True),
    ("Transférer les contrats de travail (article L1224-1)", "guide", "hr", "merging",
     "Informer, consulter, reprendre : le transfert des salariés lors d’une fusion ou d’une reprise.",
     "Le maintien des contrats, l’information des représentants du personnel, l’harmonisation des accords.",
     True),
    ("Budget consolidé d’un collectif : le tableur", "template", "finance", "living_together",
     "Un modèle de budget commun avec les clés de répartition des frais de fonctionnement.",
     "Onglets : charges communes, clés de répartition, contributions des membres, suivi trimestriel.", True),
    ("Prévenir et traiter les conflits entre membres", "method", "mediation", "living_together",
     "Repérer les tensions tôt, organiser une médiation, écrire une clause de règlement des différends.",
     "Les signaux faibles, l’entretien individuel, la réunion de médiation, l’accord écrit.", True),
    ("Accompagner les équipes dans le changement", "guide", "change_management", "merging",
     "Communication interne, rituels, gestion des inquiétudes : ce qui aide les équipes à traverser un "
     "rapprochement.", "Calendrier de communication, foire aux questions, binômes, points d’étape.", True),
    ("Le binôme de direction après une fusion", "method", "coaching", "living_together",
     "Clarifier les rôles et la relation entre deux dirigeants qui travaillaient séparément.",
     "Séance de cadrage, carte des responsabilités, rendez-vous réguliers, bilan à six mois.", True),
    ("Grille d’auto-diagnostic de la gouvernance partagée", "template", "facilitation", "deciding",
     "Vingt questions pour voir où en est la gouvernance d’un collectif avant de s’engager.",
     "Qui décide quoi ? Comment entre un nouveau membre ? Qui parle au nom du collectif ?", True),
    ("Mutualiser un poste : convention de mise à disposition", "template", "hr", "living_together",
     "Un modèle de convention pour partager un salarié entre associations membres.",
     "Parties, missions, temps de travail, refacturation, durée, fin de la mise à disposition.", True),
    ("Note interne : tarifs des experts 2027", "guide", "finance", "deciding",
     "Document de travail de l’équipe, non publié.", "Grille indicative des taux journaliers.", False),
]


def seed(context):
    staff = context.users[Role.STAFF]
    if Expert.objects.filter(name=DEMO_EXPERT).exists():
        return
    experts = _experts(context, staff)
    _resources(staff)
    plans = _plans(staff, context.users[Role.APPLICANT])
    if plans:
        _bookings(staff, plans, experts)


def _experts(context, staff) -> dict[str, Expert]:
    experts = {}
    for (name, kind, email, domains, regions, remote, remote_only, languages, tz, capacity, rate, rules, links,
         bio) in EXPERTS:
        user = context.users[Role.EXPERT] if name == DEMO_EXPERT else None
        expert = Expert.objects.create(
            kind=kind, name=name, email=email, user=user, bio=bio, remote=remote, remote_only=remote_only,
            languages=languages, timezone=tz, capacity_days_per_month=Decimal(capacity), pro_bono=rate is None,
            daily_rate=Decimal(rate) if rate else None, buffer_minutes=15)
        expert.territories.set(Territory.objects.filter(code__in=regions))
        ExpertDomain.objects.bulk_create([ExpertDomain(expert=expert, domain=d, level=lv) for d, lv in domains.items()])
        ExpertLink.objects.bulk_create([ExpertLink(expert=expert, name=n, siren=s) for n, s in links])
        AvailabilityRule.objects.bulk_create([AvailabilityRule(expert=expert, weekday=d, start_time=s, end_time=e)
                                              for d, s, e in rules])
        audit(actor=staff, action="support.expert_saved", target=expert, after={"changed": ["created"]})
        experts[name] = expert
    # Days off: Thomas Nguyen is away for a fortnight in three weeks.
    today = timezone.localdate()
    AvailabilityException.objects.create(expert=experts["Thomas Nguyen"], start_date=today + timedelta(days=21),
                                         end_date=today + timedelta(days=34), reason="Congés")
    return experts


def _resources(staff) -> None:
    from django.utils.text import slugify

    for title, kind, domain, stage, summary, body, published in RESOURCES:
        resource = Resource.objects.create(title=title, slug=slugify(title)[:200], kind=kind, domain=domain,
                                           stage=stage, summary=summary, body=body, published=published)
        audit(actor=staff, action="support.resource_saved", target=resource, after={"changed": ["created"]})


def _plans(staff, applicant):
    """The plans of the demo grants that are active (their agreements signed by grants' demo), the demo
    applicant's first."""
    from grants.models import Grant, GrantStatus

    plans = []
    for grant in Grant.objects.filter(status=GrantStatus.ACTIVE).select_related("application").order_by("pk"):
        plans.append(services.plan_create_for_grant(grant=grant))
    plans.sort(key=lambda plan: plan.grant.application.created_by_id != applicant.pk)
    if plans:
        first = plans[0]
        today = timezone.localdate()
        if not first.needs.filter(domain="mediation").exists():
            services.need_save(plan=first, actor=staff, domain="mediation", budget_days="2.0",
                               description="Apaiser les tensions entre deux équipes salariées avant la mise en "
                                           "commun des plannings.",
                               window_start=today, window_end=today + timedelta(days=45),
                               territories=list(first.needs.first().territories.all()) if first.needs.exists()
                               else [], languages=["fr"], remote_allowed=False)
    return plans


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weekday_after(day, weekday):
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def _past(staff, need, expert, start, hours, feedback):
    """A session that took place: written as it stands (the service books the future only)."""
    buffer = timedelta(minutes=expert.buffer_minutes)
    end = start + timedelta(hours=hours)
    booking = Booking.objects.create(
        expert=expert, need=need, start=start, end=end, blocked_start=start - buffer, blocked_end=end + buffer,
        buffer_before=expert.buffer_minutes, buffer_after=expert.buffer_minutes, mode=Booking.Mode.ON_SITE,
        location="Locaux du collectif", status=BookingStatus.DELIVERED, created_by=staff,
        confirmed_at=start - timedelta(days=10), reminder_sent_at=start - timedelta(hours=20),
        feedback_requested_at=end + timedelta(hours=1))
    audit(actor=staff, action="support.booking_created", target=booking,
          after={"expert": expert.pk, "need": need.pk, "start": start.isoformat(), "demo": "past session"})
    for side, email, rating, comment in feedback:
        Feedback.objects.create(booking=booking, side=side, author_email=email, rating=rating, comment=comment)
    return booking


def _bookings(staff, plans, experts) -> None:
    today = timezone.localdate()
    first = plans[0]
    owner_email = first.grant.application.created_by.email
    facilitation = first.needs.filter(domain="facilitation").first()
    mediation = first.needs.filter(domain="mediation").first()
    alix, tisser = experts[DEMO_EXPERT], experts["Coopérative Tisser Ensemble"]
    last_month = _weekday_after(today - timedelta(days=30), 1)
    if facilitation is not None:
        _past(staff, facilitation, tisser, _at(last_month, 9, 30), 3.5, [
            ("initiative", owner_email, 5, "Un séminaire qui a remis tout le monde autour de la table."),
            ("expert", tisser.email, 4, "Collectif très engagé ; prévoir un temps sur les rôles du comité.")])
        _past(staff, facilitation, tisser, _at(last_month + timedelta(days=7), 14), 3, [
            ("initiative", owner_email, 4, "")])
        next_week = _weekday_after(today + timedelta(days=7), 3)
        booking = services.booking_create(need=facilitation, expert=tisser, start=_at(next_week, 9, 30),
                                          end=_at(next_week, 12, 30), actor=staff, mode=Booking.Mode.ON_SITE,
                                          location="Maison des associations, Privas",
                                          notes="Atelier sur la charte du collectif.")
        services.booking_confirm(booking=booking, actor=staff)
    if mediation is not None:
        soon = _weekday_after(today + timedelta(days=5), 1)
        services.booking_create(need=mediation, expert=alix, start=_at(soon, 10), end=_at(soon, 12), actor=staff,
                                mode=Booking.Mode.ON_SITE, location="Siège du collectif",
                                notes="Premier entretien avec les deux équipes.")
        later = soon + timedelta(days=14)
        services.booking_create(need=mediation, expert=alix, start=_at(later, 14), end=_at(later, 17), actor=staff,
                                mode=Booking.Mode.ON_SITE, location="Siège du collectif",
                                notes="Réunion de médiation.")
    for plan in plans[1:]:
        legal = plan.needs.filter(domain="legal").first()
        if legal is not None:
            juliette = experts["Juliette Marchand"]
            _past(staff, legal, juliette, _at(_weekday_after(today - timedelta(days=20), 2), 10), 2, [
                ("expert", juliette.email, 5, "Traité prêt pour les conseils d’administration.")])
            upcoming = _weekday_after(today + timedelta(days=12), 2)
            booking = services.booking_create(need=legal, expert=juliette, start=_at(upcoming, 10),
                                              end=_at(upcoming, 12), actor=staff,
                                              notes="Relecture des statuts de l’association absorbante.")
            services.booking_confirm(booking=booking, actor=staff)
