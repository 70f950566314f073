"""Donors and their money, grants and their tranches, and the redistribution ledger.

Every euro received goes into the pool; staff allocate pool money to tranches; each allocation is
attributed, at that moment and for good, to the donations it comes from. Ledger rows (allocations and
their parts) are append-only: a correction is a reversing entry. The counters that make pages fast
(`Donation.allocated`, `Tranche.funded`, `Pool.balance`) move with `F()` in the same transaction as
the rows, and named CHECK constraints keep them within bounds whatever runs concurrently;
`python manage.py check_ledger` recomputes them from the rows.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from joinforces.core.uploads import UploadTo

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def cents(value) -> Decimal:
    """A sum read from the database, in euros and cents (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _is_staff(user) -> bool:
    from joinforces.accounts.rules import is_staff_member

    return is_staff_member(user)


# --- Donors and their money --------------------------------------------------------------------


class DonorQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every donor; a donor's contact person sees that donor; anyone else, none."""
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        return self.filter(pk__in=DonorContact.objects.filter(user=user).values("donor_id"))


class Donor(models.Model):
    class Kind(models.TextChoices):
        FOUNDATION = "foundation", _("Foundation")
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")
        ORGANISATION = "organisation", _("Committed organisation")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    public = models.BooleanField(_("may be named publicly"), default=False)
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    consent_note = models.CharField(_("how the consent was given"), max_length=300, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=60, blank=True, default="France")
    # Account numbers (IBAN) and words of the bank label by which incoming transfers are recognised.
    bank_accounts = models.JSONField(_("bank accounts (IBAN)"), default=list, blank=True)
    bank_label_keywords = models.JSONField(_("words of the bank label"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = DonorQuerySet.as_manager()

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(public=False) | Q(consent_recorded_at__isnull=False),
                                   name="donor_public_needs_consent"),
        ]

    def __str__(self):
        return self.name

    @property
    def public_name(self) -> str:
        return self.name if self.public else str(_("An anonymous donor"))


class DonorContact(models.Model):
    """A person who sees the donor's dashboard."""

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
                             related_name="donor_contacts")

    class Meta:
        verbose_name = _("donor contact")
        verbose_name_plural = _("donor contacts")
        constraints = [models.UniqueConstraint(fields=["donor", "user"], name="donorcontact_once_per_donor")]

    def __str__(self):
        return f"{self.user} · {self.donor}"


class PledgeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(donor__in=Donor.objects.visible_to(user))


class Pledge(models.Model):
    """Money promised by a donor, received later in one or several donations."""

    donor = models.ForeignKey(Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="pledges")
    amount = models.DecimalField(_("amount pledged (€)"), **MONEY)
    pledged_on = models.DateField(_("pledged on"))
    expected_from = models.DateField(_("expected from"), null=True, blank=True)
    expected_until = models.DateField(_("expected until"), null=True, blank=True)
    themes = models.ManyToManyField("core.Theme", verbose_name=_("restricted to the themes"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-pledged_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(
                condition=Q(expected_from__isnull=True) | Q(expected_until__isnull=True)
                | Q(expected_until__gte=F("expected_from")),
                name="pledge_expected_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.donor} · {self.amount} €"


class DonationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every donation; a donor's contact sees that donor's; anyone else, none."""
        return self.filter(donor__in=Donor.objects.visible_to(user))

    def with_available(self):
        return self.annotate(available=F("amount") - F("allocated"))


class Donation(models.Model):
    """Money received from a donor: it enters the pool. `allocated` counts what has been attributed
    to allocations (net of reversals); it never exceeds the amount."""

    donor = models.ForeignKey(Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="donations")
    pledge = models.ForeignKey(Pledge, verbose_name=_("pledge"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="donations")
    amount = models.DecimalField(_("amount received (€)"), **MONEY)
    received_on = models.DateField(_("received on"))
    themes = models.ManyToManyField("core.Theme", verbose_name=_("restricted to the themes"), blank=True)
    restricted = models.BooleanField(_("restricted to themes"), default=False)
    reference = models.CharField(_("reference (bank, cheque)"), max_length=140, blank=True)
    allocated = models.DecimalField(_("allocated (€)"), default=ZERO, **MONEY)
    receipt_number = models.CharField(_("tax receipt number"), max_length=20, null=True, blank=True, unique=True)
    receipt = models.FileField(_("tax receipt"), upload_to=UploadTo("receipts"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = DonationQuerySet.as_manager()

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="donation_allocated_not_negative"),
            models.CheckConstraint(condition=Q(allocated__lte=F("amount")), name="donation_allocated_within_amount"),
        ]

    def __str__(self):
        return f"{self.donor} · {self.amount} € · {self.received_on:%d/%m/%Y}"

    @property
    def available(self) -> Decimal:
        return self.amount - self.allocated


class Pool(models.Model):
    """The money received and not yet allocated: one row, its balance never below zero."""

    balance = models.DecimalField(_("balance (€)"), default=ZERO, **MONEY)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pool")
        verbose_name_plural = _("pool")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="pool_balance_not_negative"),
            models.CheckConstraint(condition=Q(pk=1), name="pool_single_row"),
        ]

    def __str__(self):
        return f"{self.balance} €"

    @classmethod
    def current(cls) -> "Pool":
        return cls.objects.get_or_create(pk=1)[0]


# --- Grants ------------------------------------------------------------------------------------


class GrantStatus(models.TextChoices):
    AGREEMENT_PENDING = "agreement_pending", _("Agreement pending")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


class GrantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every grant; the team of the application its own; a donor's contact the grants
        its donations were allocated to."""
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        from applications.models import TeamMember

        team = TeamMember.objects.filter(user=user).values("application_id")
        funded = AllocationPart.objects.filter(donation__in=Donation.objects.visible_to(user)).values(
            "allocation__grant_id")
        return self.filter(Q(application__in=team) | Q(pk__in=funded))


class Grant(models.Model):
    """The grant of a published selection: its total, its start and duration, its tranches."""

    application = models.OneToOneField("applications.Application", verbose_name=_("application"),
                                       on_delete=models.PROTECT, related_name="grant")
    decision = models.OneToOneField("applications.Decision", verbose_name=_("decision"), on_delete=models.PROTECT,
                                    related_name="grant")
    total_amount = models.DecimalField(_("total amount (€)"), **MONEY)
    start_date = models.DateField(_("start date"))
    years = models.PositiveSmallIntegerField(_("duration (years)"),
                                             validators=[MinValueValidator(1), MaxValueValidator(10)])
    status = models.CharField(_("status"), max_length=20, choices=GrantStatus.choices,
                              default=GrantStatus.AGREEMENT_PENDING)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gt=0), name="grant_total_positive"),
            models.CheckConstraint(condition=Q(years__gte=1, years__lte=10), name="grant_years_range"),
            models.CheckConstraint(condition=Q(status__in=GrantStatus.values), name="grant_status_valid"),
        ]

    def __str__(self):
        return f"{self.application.reference} · {self.application.name}"


class TrancheCondition(models.TextChoices):
    NONE = "none", _("None")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    REPORT_APPROVED = "report_approved", _("Report of year N approved")
    MANUAL = "manual", _("Released by staff")


class TrancheStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class TrancheQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(grant__in=Grant.objects.visible_to(user))

    def due_between(self, start, end):
        return self.filter(status=TrancheStatus.PLANNED, due_on__gte=start, due_on__lte=end)


class Tranche(models.Model):
    """One payment of a grant. `funded` counts what has been allocated to it (net of reversals); it is
    paid only once fully funded. The tranches of a grant add up to its total (cancelled ones too)."""

    grant = models.ForeignKey(Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    condition = models.CharField(_("condition"), max_length=20, choices=TrancheCondition.choices,
                                 default=TrancheCondition.NONE)
    condition_year = models.PositiveSmallIntegerField(_("year of the report"), null=True, blank=True)
    condition_met_at = models.DateTimeField(_("condition met"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TrancheStatus.choices,
                              default=TrancheStatus.PLANNED)
    funded = models.DecimalField(_("funded (€)"), default=ZERO, **MONEY)

    objects = TrancheQuerySet.as_manager()

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="tranche_number_once_per_grant"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(condition=Q(funded__gte=0), name="tranche_funded_not_negative"),
            models.CheckConstraint(condition=Q(funded__lte=F("amount")), name="tranche_funded_within_amount"),
            models.CheckConstraint(condition=Q(status__in=TrancheStatus.values), name="tranche_status_valid"),
            models.CheckConstraint(condition=Q(condition__in=TrancheCondition.values),
                                   name="tranche_condition_valid"),
            models.CheckConstraint(
                condition=~Q(condition=TrancheCondition.REPORT_APPROVED) | Q(condition_year__isnull=False),
                name="tranche_report_condition_has_year",
            ),
            models.CheckConstraint(condition=~Q(status=TrancheStatus.PAID) | Q(funded=F("amount")),
                                   name="tranche_paid_only_when_funded"),
        ]

    def __str__(self):
        return f"{self.grant} · {_('tranche')} {self.number}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.funded

    @property
    def is_funded(self) -> bool:
        return self.funded == self.amount


# --- The ledger --------------------------------------------------------------------------------


class AllocationKind(models.TextChoices):
    ALLOCATION = "allocation", _("Allocation to a tranche")
    SUPPORT = "support", _("Support spending (expert paid for the initiative)")
    REVERSAL = "reversal", _("Reversing entry")


class AllocationQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        return self.filter(parts__donation__in=Donation.objects.visible_to(user)).distinct()


class Allocation(models.Model):
    """A ledger entry: pool money allocated to a tranche (or spent on support for the grant's
    initiative), or the reversal of such an entry (negative amount). Append-only."""

    kind = models.CharField(_("kind"), max_length=20, choices=AllocationKind.choices)
    grant = models.ForeignKey(Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="allocations")
    tranche = models.ForeignKey(Tranche, verbose_name=_("tranche"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="allocations")
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AllocationKind.values), name="allocation_kind_valid"),
            models.CheckConstraint(
                condition=(Q(kind=AllocationKind.REVERSAL) & Q(amount__lt=0) & Q(reverses__isnull=False))
                | (~Q(kind=AllocationKind.REVERSAL) & Q(amount__gt=0) & Q(reverses__isnull=True)),
                name="allocation_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AllocationKind.ALLOCATION) | Q(tranche__isnull=False),
                name="allocation_to_a_tranche",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AllocationKind.SUPPORT) | Q(tranche__isnull=True),
                name="allocation_support_has_no_tranche",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.amount} € · {self.grant}"


class AllocationPart(models.Model):
    """The attribution of an entry to one donation, stored when the entry is made. Append-only."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="parts")
    donation = models.ForeignKey(Donation, verbose_name=_("donation"), on_delete=models.PROTECT,
                                 related_name="parts")
    amount = models.DecimalField(_("amount (€)"), **MONEY)

    class Meta:
        verbose_name = _("attribution")
        verbose_name_plural = _("attributions")
        ordering = ["allocation", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="allocationpart_amount_not_zero"),
            models.UniqueConstraint(fields=["allocation", "donation"], name="allocationpart_once_per_donation"),
        ]

    def __str__(self):
        return f"{self.donation} → {self.amount} €"


# --- Bank statements -----------------------------------------------------------------------------


class BankStatement(models.Model):
    """An imported bank statement file (French CSV export or CAMT.053)."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV export (French)")
        CAMT053 = "camt053", _("CAMT.053 (XML)")

    file = models.FileField(_("file"), upload_to=UploadTo("bank"), max_length=300)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    bank = models.CharField(_("bank"), max_length=40, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    lines_read = models.PositiveIntegerField(_("lines read"), default=0)
    lines_new = models.PositiveIntegerField(_("new lines"), default=0)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.get_format_display()} · {self.imported_at:%d/%m/%Y %H:%M}"


class BankLineStatus(models.TextChoices):
    UNMATCHED = "unmatched", _("To reconcile")
    MATCHED = "matched", _("Recorded as a donation")
    IGNORED = "ignored", _("Not a donation")


class BankLine(models.Model):
    """One line of a statement. `dedup_key` (the bank's transaction id, or a hash of account, date,
    amount, label and rank within the day) makes a re-import add nothing."""

    statement = models.ForeignKey(BankStatement, verbose_name=_("statement"), on_delete=models.PROTECT,
                                  related_name="lines")
    dedup_key = models.CharField(_("identity"), max_length=100, unique=True)
    transaction_id = models.CharField(_("bank's transaction id"), max_length=100, blank=True)
    account = models.CharField(_("account"), max_length=40, blank=True)
    booked_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    label = models.CharField(_("label"), max_length=300, blank=True)
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True)
    counterparty_account = models.CharField(_("counterparty's account"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BankLineStatus.choices,
                              default=BankLineStatus.UNMATCHED)
    donor = models.ForeignKey(Donor, verbose_name=_("donor"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="bank_lines")
    donation = models.OneToOneField(Donation, verbose_name=_("donation"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="bank_line")
    reconciled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    reconciled_at = models.DateTimeField(_("reconciled"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank line")
        verbose_name_plural = _("bank lines")
        ordering = ["-booked_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BankLineStatus.values), name="bankline_status_valid"),
            models.CheckConstraint(condition=~Q(status=BankLineStatus.MATCHED) | Q(donation__isnull=False),
                                   name="bankline_matched_has_donation"),
            models.CheckConstraint(condition=~Q(amount=0), name="bankline_amount_not_zero"),
        ]

    def __str__(self):
        return f"{self.booked_on:%d/%m/%Y} · {self.amount} € · {self.label[:40]}"
