"""The resource centre: experts (people or organisations) with their domains, territories, languages,
weekly availability and capacity; the toolbox of methods and resources; each funded initiative's
support plan and its needs; bookings of experts and the feedback after a session; the fund's payments
to experts (recorded in grants' ledger).

Times of bookings are stored in UTC; an expert's weekly availability is written in their own time zone
(see `support/availability.py`). An expert is never double-booked: on PostgreSQL an exclusion
constraint (`booking_expert_no_overlap`, migration 0002) refuses two active bookings of one expert whose
blocked ranges (the session with its buffers before and after) overlap; on SQLite the service checks it.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from applications.models import SupportDomain
from joinforces.accounts.models import validate_time_zone
from joinforces.core.uploads import UploadTo

MONEY = {"max_digits": 14, "decimal_places": 2}
DAYS = {"max_digits": 5, "decimal_places": 1}
ZERO = Decimal("0.00")
Domain = SupportDomain  # the seven domains, shared with the applications' support needs

siren_validator = RegexValidator(r"^[0-9]{9}$", _("A SIREN number has nine digits."))


def _is_staff(user) -> bool:
    from joinforces.accounts.rules import is_staff_member

    return is_staff_member(user)


class Level(models.IntegerChoices):
    ONE = 1, _("Practitioner")
    TWO = 2, _("Confirmed")
    THREE = 3, _("Senior")


class Stage(models.TextChoices):
    DECIDING = "deciding", _("Deciding to join forces")
    GOVERNANCE = "governance", _("Building the governance")
    MERGING = "merging", _("Merging")
    LIVING_TOGETHER = "living_together", _("Living together")


class Language(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")
    ES = "es", _("Spanish")
    DE = "de", _("German")
    IT = "it", _("Italian")
    AR = "ar", _("Arabic")
    BR = "br", _("Breton")
    OC = "oc", _("Occitan")
    LSF = "fsl", _("French Sign Language")


# --- Experts -------------------------------------------------------------------------------------


class ExpertQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every expert; an expert their own record; anyone else, none."""
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        return self.filter(user=user)


class Expert(models.Model):
    """A person or an organisation of the resource centre."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="expert_profile",
                                help_text=_("The account with which the expert sees and confirms their sessions."))
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    territories = models.ManyToManyField("core.Territory", verbose_name=_("territories covered"), blank=True,
                                         related_name="experts",
                                         help_text=_("Régions or départements where the expert works on site."))
    remote = models.BooleanField(_("works remotely"), default=True)
    remote_only = models.BooleanField(_("remote only"), default=False)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris",
                                validators=[validate_time_zone])
    capacity_days_per_month = models.DecimalField(_("capacity (days per month)"), default=Decimal("4.0"), **DAYS)
    pro_bono = models.BooleanField(_("pro bono"), default=False)
    daily_rate = models.DecimalField(_("daily rate (€, excl. tax)"), null=True, blank=True, **MONEY,
                                     help_text=_("For a pro bono expert, the value of a day given (optional)."))
    buffer_minutes = models.PositiveSmallIntegerField(_("buffer before and after a session (minutes)"), default=15,
                                                      validators=[MaxValueValidator(240)])
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["person", "organisation"]), name="expert_kind_valid"),
            models.CheckConstraint(condition=Q(pro_bono=True) | Q(daily_rate__isnull=False),
                                   name="expert_rate_or_pro_bono"),
            models.CheckConstraint(condition=Q(daily_rate__isnull=True) | Q(daily_rate__gte=0),
                                   name="expert_rate_not_negative"),
            models.CheckConstraint(condition=Q(capacity_days_per_month__gt=0, capacity_days_per_month__lte=31),
                                   name="expert_capacity_range"),
            models.CheckConstraint(condition=Q(remote_only=False) | Q(remote=True),
                                   name="expert_remote_only_works_remotely"),
            models.CheckConstraint(condition=Q(buffer_minutes__lte=240), name="expert_buffer_range"),
        ]

    def __str__(self):
        return self.name

    @property
    def capacity_hours_per_month(self) -> Decimal:
        return self.capacity_days_per_month * settings.SUPPORT_HOURS_PER_DAY

    def language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]


class ExpertDomain(models.Model):
    """A domain the expert works in, with their level in it."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.TWO)

    class Meta:
        verbose_name = _("domain of expertise")
        verbose_name_plural = _("domains of expertise")
        ordering = ["expert", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "domain"], name="expertdomain_once_per_expert"),
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="expertdomain_domain_valid"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="expertdomain_level_range"),
        ]

    def __str__(self):
        return f"{self.get_domain_display()} ({self.get_level_display()})"


class ExpertLink(models.Model):
    """An organisation the expert is linked to (employer, board, client): an initiative whose member
    organisations include it is a conflict of interest."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="links")
    name = models.CharField(_("organisation"), max_length=300)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[siren_validator])
    relation = models.CharField(_("relation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("linked organisation")
        verbose_name_plural = _("linked organisations")
        ordering = ["expert", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(siren="") | Q(siren__regex=r"^[0-9]{9}$"),
                                   name="expertlink_siren_format"),
        ]

    def __str__(self):
        return self.name


class AvailabilityRule(models.Model):
    """A weekly slot the expert is available in, in the expert's time zone (Monday is 0)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="availability_rules")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        ordering = ["expert", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="availabilityrule_weekday_range"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="availabilityrule_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class AvailabilityException(models.Model):
    """Days off: the expert is not available from `start_date` to `end_date` (included)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="availability_exceptions")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (included)"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["expert", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")),
                                   name="availabilityexception_dates_in_order"),
        ]

    def __str__(self):
        return f"{self.start_date:%d/%m/%Y}–{self.end_date:%d/%m/%Y}"


# --- The toolbox ---------------------------------------------------------------------------------


class ResourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every resource; experts and the teams of supported initiatives the published ones;
        anyone else, none."""
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        from .rules import may_use_toolbox

        return self.filter(published=True) if may_use_toolbox(user) else self.none()


class Resource(models.Model):
    """A method, template or guide of the toolbox, by domain and stage of a collective approach."""

    class Kind(models.TextChoices):
        METHOD = "method", _("Method")
        TEMPLATE = "template", _("Template")
        GUIDE = "guide", _("Guide")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GUIDE)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=UploadTo("toolbox"), max_length=300, blank=True)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("toolbox resource")
        verbose_name_plural = _("toolbox resources")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="resource_domain_valid"),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="resource_stage_valid"),
            models.CheckConstraint(condition=~Q(body="") | ~Q(file=""), name="resource_has_text_or_file"),
        ]

    def __str__(self):
        return self.title


# --- Support plans -------------------------------------------------------------------------------


class SupportPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every plan; the team of the initiative its own; anyone else, none."""
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        from applications.models import TeamMember

        return self.filter(grant__application__in=TeamMember.objects.filter(user=user).values("application_id"))


class SupportPlan(models.Model):
    """The support a funded initiative receives: created when its grant becomes active, from the
    support needs of its application."""

    grant = models.OneToOneField("grants.Grant", verbose_name=_("grant"), on_delete=models.PROTECT,
                                 related_name="support_plan")
    notes = models.TextField(_("notes of the team"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SupportPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.grant.application.name or self.grant.application.reference)


class PlanNeed(models.Model):
    """One need of a plan (copied from the application's support need, then edited by staff): a domain,
    a budget of days, a wanted window, where and in which languages."""

    plan = models.ForeignKey(SupportPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="needs")
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    description = models.TextField(_("description"), blank=True)
    budget_days = models.DecimalField(_("budget (days)"), **DAYS)
    window_start = models.DateField(_("wanted from"), null=True, blank=True)
    window_end = models.DateField(_("wanted until"), null=True, blank=True)
    territories = models.ManyToManyField("core.Territory", verbose_name=_("territories"), blank=True,
                                         related_name="+")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    remote_allowed = models.BooleanField(_("remote sessions allowed"), default=True)
    minimum_level = models.PositiveSmallIntegerField(_("minimum level"), choices=Level.choices, default=Level.ONE)

    class Meta:
        verbose_name = _("need of a plan")
        verbose_name_plural = _("needs of plans")
        ordering = ["plan", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "domain"], name="planneed_once_per_domain"),
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="planneed_domain_valid"),
            models.CheckConstraint(condition=Q(budget_days__gte=0, budget_days__lte=365),
                                   name="planneed_budget_range"),
            models.CheckConstraint(
                condition=Q(window_start__isnull=True) | Q(window_end__isnull=True)
                | Q(window_end__gte=F("window_start")),
                name="planneed_window_in_order",
            ),
            models.CheckConstraint(condition=Q(minimum_level__gte=1, minimum_level__lte=3),
                                   name="planneed_level_range"),
        ]

    def __str__(self):
        return f"{self.get_domain_display()} · {self.plan}"


# --- Bookings ------------------------------------------------------------------------------------


class BookingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the expert")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined by the expert")
    CANCELLED = "cancelled", _("Cancelled")
    DELIVERED = "delivered", _("Delivered")


# The statuses in which a booking holds the expert's time.
ACTIVE_STATUSES = (BookingStatus.PROPOSED, BookingStatus.CONFIRMED, BookingStatus.DELIVERED)


class BookingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every booking; an expert their own; the team of an initiative its own."""
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        from applications.models import TeamMember

        team = TeamMember.objects.filter(user=user).values("application_id")
        return self.filter(Q(expert__user=user) | Q(need__plan__grant__application__in=team))

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def overlapping(self, *, expert_id, start, end):
        """Active bookings of the expert whose blocked range meets [start, end)."""
        return self.active().filter(expert_id=expert_id, blocked_start__lt=end, blocked_end__gt=start)


class Booking(models.Model):
    """A session of an expert for a need of a plan. `blocked_start`/`blocked_end` are the session with
    the expert's buffers before and after: the range no other active booking of the expert may meet."""

    class Mode(models.TextChoices):
        REMOTE = "remote", _("Remote")
        ON_SITE = "on_site", _("On site")

    expert = models.ForeignKey(Expert, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="bookings")
    need = models.ForeignKey(PlanNeed, verbose_name=_("need"), on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    buffer_before = models.PositiveSmallIntegerField(_("buffer before (minutes)"), default=0)
    buffer_after = models.PositiveSmallIntegerField(_("buffer after (minutes)"), default=0)
    blocked_start = models.DateTimeField(_("blocked from"))
    blocked_end = models.DateTimeField(_("blocked until"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.REMOTE)
    location = models.CharField(_("place or link"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices,
                              default=BookingStatus.PROPOSED)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("booked by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    feedback_requested_at = models.DateTimeField(_("feedback requested"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        indexes = [models.Index(fields=["expert", "start"], name="booking_expert_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_ends_after_start"),
            models.CheckConstraint(condition=Q(blocked_start__lte=F("start")) & Q(blocked_end__gte=F("end")),
                                   name="booking_blocked_covers_session"),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_valid"),
            models.CheckConstraint(condition=Q(mode__in=["remote", "on_site"]), name="booking_mode_valid"),
            models.CheckConstraint(condition=~Q(status=BookingStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                                   name="booking_cancelled_has_date"),
            models.CheckConstraint(condition=~Q(status=BookingStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                                   name="booking_confirmed_has_date"),
        ]

    def __str__(self):
        return f"{self.expert} · {self.need.get_domain_display()} · {self.start:%d/%m/%Y %H:%M}"

    @property
    def hours(self) -> Decimal:
        return (Decimal((self.end - self.start).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Feedback(models.Model):
    """What the expert or the initiative's team thought of a session: a rating and a comment."""

    class Side(models.TextChoices):
        EXPERT = "expert", _("Expert")
        INITIATIVE = "initiative", _("Initiative")

    booking = models.ForeignKey(Booking, verbose_name=_("booking"), on_delete=models.CASCADE,
                                related_name="feedback")
    side = models.CharField(_("from"), max_length=12, choices=Side.choices)
    author_email = models.EmailField(_("by"))
    rating = models.PositiveSmallIntegerField(_("rating (1 to 5)"),
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["booking", "side"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "side"], name="feedback_once_per_side"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_range"),
            models.CheckConstraint(condition=Q(side__in=["expert", "initiative"]), name="feedback_side_valid"),
        ]

    def __str__(self):
        return f"{self.booking} · {self.get_side_display()} · {self.rating}/5"


class SupportPayment(models.Model):
    """The fund's payment to an expert for an initiative's support, recorded in the ledger as support
    spending for that initiative (`grants.services.ledger_record_support_spending`)."""

    plan = models.ForeignKey(SupportPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="payments")
    expert = models.ForeignKey(Expert, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    reference = models.CharField(_("reference (invoice)"), max_length=100)
    entry = models.OneToOneField("grants.Allocation", verbose_name=_("ledger entry"), on_delete=models.PROTECT,
                                 related_name="support_payment")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment to an expert")
        verbose_name_plural = _("payments to experts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="supportpayment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.expert} · {self.reference}"
