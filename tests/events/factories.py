"""Factories of events. Registrations go through the services, as in the product."""

from datetime import timedelta

import factory
from django.utils import timezone

from events import services
from events.models import Event, Registration, Session


def at(days=0, hours=0, minutes=0):
    return timezone.now().replace(microsecond=0) + timedelta(days=days, hours=hours, minutes=minutes)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Journée des Acteurs de l'Impact Collectif {2027 + n}")
    title_en = factory.Sequence(lambda n: f"Collective Impact Day {2027 + n}")
    slug = factory.Sequence(lambda n: f"journee-{2027 + n}")
    description = "Une journée pour partager et apprendre."
    description_en = "A day to share and learn."
    starts_at = factory.LazyFunction(lambda: at(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))
    venue = "La Cité fertile"
    address = "14 avenue Édouard Vaillant, 93500 Pantin"
    registration_opens_at = factory.LazyFunction(lambda: at(days=-10))
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(hours=1))
    capacity = 100
    published = True


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Atelier {n}")
    title_en = factory.Sequence(lambda n: f"Workshop {n}")
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at + timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1, minutes=30))
    room = "Salle A"
    speaker = "Camille Martin"
    capacity = 20


_count = iter(range(1, 10_000_000))


def register(event, sessions=(), *, confirm=True, now=None, **person) -> Registration:
    """A registration without an account, its address confirmed unless `confirm=False`."""
    n = next(_count)
    person.setdefault("first_name", f"Prénom{n}")
    person.setdefault("last_name", f"Nom{n}")
    person.setdefault("email", f"inscrit{n}@example.org")
    person.setdefault("organisation", "Collectif Solidaire")
    registration = services.registration_create(event=event, sessions=sessions, now=now, **person)
    if confirm:
        registration = services.registration_confirm(registration=registration, now=now)
    return registration


def waiting(event, *, now=None, **person):
    n = next(_count)
    person.setdefault("first_name", f"Attente{n}")
    person.setdefault("last_name", f"Liste{n}")
    person.setdefault("email", f"attente{n}@example.org")
    return services.waitlist_join(event=event, now=now, **person)
