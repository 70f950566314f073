"""Events: the yearly Journée des Acteurs de l'Impact Collectif and any other day staff organise.

An `Event` has `Session`s (workshops) with their own capacity. People register (`Registration`, with
or without an account), choose sessions (`SessionChoice`) whose slots do not overlap, and join a
`WaitingListEntry` when the event or a session is full. Staff publish `Resource`s afterwards.

Places are counted in the services under row locks (events/services.py): a place is taken by a
confirmed registration (or a session choice of one) and held by a live waiting-list offer.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from joinforces.core.uploads import UploadTo


def _english() -> bool:
    return (get_language() or "fr").startswith("en")


class Bilingual:
    """`obj.local("title")`: the English text in English when there is one, else the French."""

    def local(self, name: str) -> str:
        if _english():
            english = getattr(self, f"{name}_en", "")
            if english:
                return english
        return getattr(self, name)

    @property
    def title_display(self) -> str:
        return self.local("title")

    @property
    def description_display(self) -> str:
        return self.local("description")


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def upcoming(self, moment=None):
        return self.published().filter(ends_at__gt=moment or timezone.now()).order_by("starts_at")

    def past(self, moment=None):
        return self.published().filter(ends_at__lte=moment or timezone.now()).order_by("-starts_at")

    def visible_to(self, user):
        """Staff see every event; everyone else the published ones."""
        from joinforces.accounts.rules import is_staff_member

        if is_staff_member(user):
            return self.all()
        return self.published()


class Event(Bilingual, models.Model):
    """A day (or a few) of sessions, with its venue or its link, its registration window and capacity."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("In person and online")

    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description (French)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True,
                                 help_text=_("Sent to registrants only, in their confirmation and reminders."))
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    published = models.BooleanField(_("published"), default=False,
                                    help_text=_("Shown on the public list of events."))
    retention_days = models.PositiveIntegerField(
        _("keep registrants' details for (days after the event)"), default=365)
    resources_announced_at = models.DateTimeField(_("registrants told of the resources"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("registrants anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                                   name="event_registration_closes_after_opening"),
            models.CheckConstraint(condition=Q(registration_closes_at__lte=F("ends_at")),
                                   name="event_registration_closes_by_the_end"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(condition=Q(format="online") | ~Q(venue=""), name="event_venue_unless_online"),
            models.CheckConstraint(condition=Q(format="in_person") | ~Q(online_url=""),
                                   name="event_link_when_online"),
        ]

    def __str__(self):
        return self.local("title")

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.slug])

    def registration_open(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.published and self.registration_opens_at <= moment < self.registration_closes_at

    def is_past(self, moment=None) -> bool:
        return self.ends_at <= (moment or timezone.now())

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.venue, self.address) if part)


class Session(Bilingual, models.Model):
    """A session or workshop of an event: its slot, room, speaker and capacity."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "title", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
        ]

    def __str__(self):
        return self.local("title")

    def overlaps(self, other) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    def clean(self):
        from django.core.exceptions import ValidationError

        event = getattr(self, "event", None)
        if event and self.starts_at and self.ends_at and (self.starts_at < event.starts_at
                                                         or self.ends_at > event.ends_at):
            raise ValidationError(_("A session takes place within its event's dates."))


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def visible_to(self, user):
        """Staff see every registration; a person with an account sees their own (anyone else reaches
        theirs through the signed link of their emails)."""
        from joinforces.accounts.rules import is_staff_member

        if is_staff_member(user):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class Registration(models.Model):
    """One person at one event: with an account, or with a name, an address (confirmed by email) and an
    organisation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Email to confirm")
        CONFIRMED = "confirmed", _("Registered")
        CANCELLED = "cancelled", _("Cancelled")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="event_registrations")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked in by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    anonymised = models.BooleanField(_("anonymised"), default=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], condition=~Q(status="cancelled"),
                                    name="registration_one_active_per_email"),
            models.CheckConstraint(condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                                   name="registration_confirmed_has_date"),
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                                   name="registration_cancelled_has_date"),
            models.CheckConstraint(condition=Q(checked_in_at__isnull=True) | ~Q(status="pending"),
                                   name="registration_checked_in_once_confirmed"),
        ]

    def __str__(self):
        # No name here: the audit log keeps this text, and outlives anonymisation.
        return _("Registration no. %(number)s · %(event)s") % {"number": self.pk, "event": self.event}

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class SessionChoice(models.Model):
    """A registrant's place in a session (counted while the registration is confirmed)."""

    registration = models.ForeignKey(Registration, verbose_name=_("registration"), on_delete=models.CASCADE,
                                     related_name="choices")
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="choices")
    created_at = models.DateTimeField(_("chosen"), auto_now_add=True)

    class Meta:
        verbose_name = _("session choice")
        verbose_name_plural = _("session choices")
        ordering = ["session__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="sessionchoice_once_per_session"),
        ]

    def __str__(self):
        return f"{self.registration.full_name} → {self.session}"


class WaitingListEntry(models.Model):
    """Someone waiting for a place at an event (`session` empty) or in a session (they are registered
    then). When a place frees, the first in line is offered it for a limited time."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Place offered")
        ACCEPTED = "accepted", _("Place taken")
        EXPIRED = "expired", _("Offer expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="waiting_list")
    session = models.ForeignKey(Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="waiting_list")
    registration = models.ForeignKey(Registration, verbose_name=_("registration"), null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="waiting_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"],
                                    condition=Q(session__isnull=True, status__in=["waiting", "offered"]),
                                    name="waitinglist_once_per_event"),
            models.UniqueConstraint(fields=["session", "email"],
                                    condition=Q(session__isnull=False, status__in=["waiting", "offered"]),
                                    name="waitinglist_once_per_session"),
            models.CheckConstraint(condition=Q(session__isnull=True) | Q(registration__isnull=False),
                                   name="waitinglist_session_entry_is_registered"),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offered_at__isnull=False, offer_expires_at__isnull=False),
                name="waitinglist_offer_has_expiry"),
        ]

    def __str__(self):
        return _("Waiting no. %(number)s · %(place)s") % {"number": self.pk, "place": self.session or self.event}

    def offer_live(self, moment=None) -> bool:
        return self.status == self.Status.OFFERED and self.offer_expires_at > (moment or timezone.now())


class ResourceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True, event__published=True)

    def visible_to(self, user):
        from joinforces.accounts.rules import is_staff_member

        return self.all() if is_staff_member(user) else self.published()


class Resource(Bilingual, models.Model):
    """Slides, notes or a recording shared after the day, on the event's page once published."""

    class Kind(models.TextChoices):
        SLIDES = "slides", _("Slides")
        NOTES = "notes", _("Notes")
        RECORDING = "recording", _("Recording")
        OTHER = "other", _("Other")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="resources")
    session = models.ForeignKey(Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="resources")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SLIDES)
    title = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    url = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to=UploadTo("events/resources"), blank=True, max_length=300)
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["session__starts_at", "title", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file=""), name="resource_link_or_file"),
            models.CheckConstraint(condition=Q(published=False) | Q(published_at__isnull=False),
                                   name="resource_published_has_date"),
        ]

    def __str__(self):
        return self.local("title")
