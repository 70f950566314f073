"""Demo data of events, loaded by `python manage.py seed_demo` (idempotent), built through the services:

- the next Journée des Acteurs de l'Impact Collectif, about two months ahead, registration open: its
  programme (a plenary, two rounds of three workshops, a closing), two dozen registrations (the demo
  applicant among them, with their account), one workshop full with two people on its waiting list,
  and one registration waiting for its address to be confirmed;
- last year's edition, over: its programme, its registrants checked in, and its resources (slides,
  notes, a recording) published on its page, the registrants told.

A database that already has the next Journée is left as it is.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from joinforces.accounts.models import Role

from . import services
from .models import Event, Registration, Resource, Session

PEOPLE = [
    ("Amina", "Benali", "Collectif Alimentation Solidaire 93"), ("Bruno", "Castel", "Alliance des Épiceries Sociales"),
    ("Chloé", "Dumas", "Réseau Habitat Partagé"), ("David", "Étienne", "Union des Jardins d'Insertion"),
    ("Émilie", "Fournier", "Coalition Santé Précarité Nord"), ("Farid", "Garnier", "Maison des Aidants du Gers"),
    ("Gaëlle", "Hubert", "Fusion Éducation Populaire Bretagne"), ("Hugo", "Imbert", "Collectif Numérique Inclusif"),
    ("Inès", "Jacob", "Les Ateliers du Réemploi"), ("Julien", "Klein", "Alliance Logement d'Abord"),
    ("Karima", "Lambert", "Réseau Sport et Handicap"), ("Louis", "Masson", "Coopérative des Tiers-Lieux"),
    ("Manon", "Noël", "Collectif Culture en Ruralité"), ("Nicolas", "Olivier", "Fédération des Cafés Associatifs"),
    ("Océane", "Perrin", "Consortium Emploi Jeunes Occitanie"), ("Pierre", "Quentin", "Alliance Seniors Actifs"),
    ("Rania", "Roux", "Collectif Droits des Exilés"), ("Samuel", "Simon", "Union Climat et Territoires"),
    ("Thaïs", "Thomas", "Réseau Solidarité Internationale Lyon"), ("Victor", "Vidal", "Collectif Recherche-Action"),
]


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _email(first, last):
    import unicodedata

    plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode().lower()
    return f"{plain}@participants.demo.joinforces.fr"


def _programme(event, day):
    rows = [
        ("Plénière d'ouverture : dix ans d'impact collectif", "Opening plenary: ten years of collective impact",
         9, 30, 10, 30, "Grande halle", "Claire Dubois, JOIN FORCES", 150),
        ("Gouverner à égalité : consentement et sociocratie", "Governing as equals: consent and sociocracy",
         11, 0, 12, 30, "Salle Jaurès", "Sophie Lemaire, facilitatrice", 6),
        ("Fusion-absorption : les étapes juridiques", "Merger-absorption: the legal steps",
         11, 0, 12, 30, "Salle Olympe de Gouges", "Maître Karim Haddad", 25),
        ("Mutualiser les fonctions support", "Pooling support functions",
         11, 0, 12, 30, "Salle Louise Michel", "Julie Roussel, Coop RH", 25),
        ("Mesurer l'impact sans s'épuiser", "Measuring impact without burning out",
         14, 0, 15, 30, "Salle Jaurès", "Thomas Nguyen, évaluateur", 25),
        ("Ancrer une coalition dans son territoire", "Anchoring a coalition in its territory",
         14, 0, 15, 30, "Salle Olympe de Gouges", "Aïcha Diallo, Réseau Habitat Partagé", 25),
        ("Traverser les conflits entre membres", "Going through conflicts between members",
         14, 0, 15, 30, "Salle Louise Michel", "Marc Petit, médiateur", 25),
        ("Clôture : ce que nous emportons", "Closing: what we take home",
         16, 0, 17, 0, "Grande halle", "L'équipe JOIN FORCES", 150),
    ]
    return [Session.objects.create(event=event, title=title, title_en=title_en, starts_at=_at(day, h1, m1),
                                   ends_at=_at(day, h2, m2), room=room, speaker=speaker, capacity=capacity,
                                   description="Un temps d'échange à partir des expériences des participants.",
                                   description_en="A time to exchange from the participants' experience.")
            for title, title_en, h1, m1, h2, m2, room, speaker, capacity in rows]


def _event(*, year, day, published=True):
    return Event.objects.create(
        title=f"Journée des Acteurs de l'Impact Collectif {year}", title_en=f"Collective Impact Day {year}",
        slug=f"journee-des-acteurs-{year}",
        description=("Une fois par an, JOIN FORCES réunit celles et ceux qui construisent des coalitions et des "
                     "consolidations pour partager et apprendre : ateliers entre pairs, retours d'expérience, "
                     "rencontres avec les expertes et experts du centre de ressources."),
        description_en=("Once a year, JOIN FORCES gathers the people who build coalitions and consolidations to "
                        "share and learn: peer workshops, experience sharing, meetings with the experts of the "
                        "resource centre."),
        starts_at=_at(day, 9), ends_at=_at(day, 17, 30), venue="La Cité fertile",
        address="14 avenue Édouard Vaillant, 93500 Pantin", format=Event.Format.HYBRID,
        online_url="https://visio.demo.joinforces.fr/journee",
        registration_opens_at=_at(day - timedelta(days=90), 9), registration_closes_at=_at(day - timedelta(days=2), 18),
        capacity=150, published=published)


def seed(context):
    today = timezone.localdate()
    next_day = today + timedelta(days=60)
    if Event.objects.filter(slug=f"journee-des-acteurs-{next_day.year}").exists():
        return
    staff = context.users.get(Role.STAFF)
    _last_year(today - timedelta(days=300), staff)
    event = _event(year=next_day.year, day=next_day)
    sessions = _programme(event, next_day)
    plenary, governance, merger, pooling, measure, territory, conflicts, closing = sessions
    now = timezone.now()
    rounds = [(governance, measure), (merger, territory), (pooling, conflicts)]
    for index, (first, last, organisation) in enumerate(PEOPLE):
        morning, afternoon = rounds[index % 3]
        chosen = [plenary, afternoon, closing]
        # The governance workshop (six places) fills with the first six.
        chosen.append(governance if index < 6 else (morning if morning != governance else pooling))
        registration = services.registration_create(event=event, sessions=chosen, first_name=first, last_name=last,
                                                    email=_email(first, last), organisation=organisation, now=now)
        services.registration_confirm(registration=registration, now=now)
    applicant = context.users.get(Role.APPLICANT)
    if applicant is not None:
        mine = services.registration_create(event=event, user=applicant, organisation="L'Alliance des Tiers-Lieux",
                                            sessions=[plenary, merger, territory, closing], now=now)
        services.session_waitlist_join(registration=mine, session=governance, now=now)
    services.registration_create(event=event, sessions=[plenary], first_name="Yasmine", last_name="Zerrouki",
                                        email=_email("Yasmine", "Zerrouki"), organisation="Collectif Mobilités Douces",
                                        now=now)
    waiting = Registration.objects.get(event=event, email=_email("Victor", "Vidal"))
    services.session_waitlist_join(registration=waiting, session=governance, now=now)


def _last_year(day, staff):
    event = _event(year=day.year, day=day)
    sessions = _programme(event, day)
    plenary, _governance, merger, pooling, measure, territory, _conflicts, closing = sessions
    then = event.registration_opens_at + timedelta(days=10)
    registrations = []
    for index, (first, last, organisation) in enumerate(PEOPLE[:14]):
        chosen = [plenary, [merger, pooling][index % 2], [measure, territory][index % 2], closing]
        registration = services.registration_create(event=event, sessions=chosen, first_name=first, last_name=last,
                                                    email=_email(first, last), organisation=organisation, now=then)
        registrations.append(services.registration_confirm(registration=registration, now=then))
    if staff is None:
        return
    for index, registration in enumerate(registrations[:12]):
        services.registration_check_in(registration=registration, actor=staff,
                                       now=event.starts_at + timedelta(minutes=5 * index))
    resources = [
        Resource.objects.create(event=event, session=plenary, kind=Resource.Kind.SLIDES,
                                title="Diaporama de la plénière", title_en="Slides of the plenary",
                                url="https://ressources.demo.joinforces.fr/journee/pleniere.pdf"),
        Resource.objects.create(event=event, session=merger, kind=Resource.Kind.NOTES,
                                title="Notes de l'atelier fusion-absorption", title_en="Notes of the merger workshop",
                                url="https://ressources.demo.joinforces.fr/journee/fusion-notes"),
        Resource.objects.create(event=event, session=closing, kind=Resource.Kind.RECORDING,
                                title="Enregistrement de la clôture", title_en="Recording of the closing",
                                url="https://ressources.demo.joinforces.fr/journee/cloture-video"),
    ]
    services.resources_publish(resources=resources, actor=staff, now=event.ends_at + timedelta(days=3))
