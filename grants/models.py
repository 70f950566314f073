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

from joinforces.core.formats import euros
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
        return f"{self.donor} · {euros(self.amount)}"


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
        return f"{self.donor} · {euros(self.amount)} · {self.received_on:%d/%m/%Y}"

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
        return euros(self.balance)

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
    terminated_at = models.DateTimeField(_("terminated"), null=True, blank=True)

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
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

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
            models.CheckConstraint(condition=~Q(status=TrancheStatus.PAID) | Q(paid_at__isnull=False),
                                   name="tranche_paid_has_date"),
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
        return f"{self.get_kind_display()} · {euros(self.amount)} · {self.grant}"


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
        return f"{self.donation} → {euros(self.amount)}"


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
        return f"{self.booked_on:%d/%m/%Y} · {euros(self.amount)} · {self.label[:40]}"


# --- Grants in life: agreement, bank details, payments, amendments, reports --------------------------


class GrantTeamQuerySet(models.QuerySet):
    """Records of a grant that only staff and the initiative's team see (never its donors)."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if _is_staff(user):
            return self
        from applications.models import TeamMember

        return self.filter(grant__application__in=TeamMember.objects.filter(user=user).values("application_id"))


class GrantAgreement(models.Model):
    """The grant agreement (convention pluriannuelle): the PDF produced from the grant's data in the
    grantee's language, then the signed copy. Signing meets the first tranche's condition."""

    grant = models.OneToOneField(Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="agreement")
    language = models.CharField(_("language"), max_length=10)
    document = models.FileField(_("agreement to sign"), upload_to=UploadTo("agreements"), max_length=300,
                                blank=True)
    generated_at = models.DateTimeField(_("produced"), null=True, blank=True)
    signed_copy = models.FileField(_("signed copy"), upload_to=UploadTo("agreements"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("signed copy received"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    objects = GrantTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant agreement")
        verbose_name_plural = _("grant agreements")
        constraints = [
            models.CheckConstraint(condition=Q(signed_at__isnull=True) | ~Q(signed_copy=""),
                                   name="grantagreement_signed_has_copy"),
        ]

    def __str__(self):
        return f"{_('Agreement')} · {self.grant}"


class BankDetailsStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second approval")
    APPROVED = "approved", _("In force")
    REJECTED = "rejected", _("Refused")
    SUPERSEDED = "superseded", _("Replaced")


class BankDetails(models.Model):
    """Where a grant is paid: a member organisation of the collective, its IBAN and BIC. A change takes
    effect only once a staff member other than the one who made it approves it."""

    grant = models.ForeignKey(Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="bank_details")
    payee = models.ForeignKey("applications.MemberOrganisation", verbose_name=_("payee"), on_delete=models.PROTECT,
                              related_name="+")
    holder = models.CharField(_("account holder"), max_length=140)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    status = models.CharField(_("status"), max_length=12, choices=BankDetailsStatus.choices,
                              default=BankDetailsStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("entered"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved or refused by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("approved or refused"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)

    objects = GrantTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("bank details")
        verbose_name_plural = _("bank details")
        ordering = ["grant", "-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=BankDetailsStatus.values), name="bankdetails_status_valid"),
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                                   name="bankdetails_four_eyes"),
            models.CheckConstraint(
                condition=~Q(status__in=[BankDetailsStatus.APPROVED, BankDetailsStatus.REJECTED])
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="bankdetails_decision_recorded",
            ),
            models.UniqueConstraint(fields=["grant"], condition=Q(status=BankDetailsStatus.APPROVED),
                                    name="bankdetails_one_in_force_per_grant"),
            models.UniqueConstraint(fields=["grant"], condition=Q(status=BankDetailsStatus.PENDING),
                                    name="bankdetails_one_pending_per_grant"),
        ]

    def __str__(self):
        return f"{self.holder} · {self.masked_iban}"

    @property
    def masked_iban(self) -> str:
        return f"{self.iban[:4]} •••• {self.iban[-4:]}" if len(self.iban) > 8 else "••••"


class PaymentRunStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared (file for the bank)")
    PAID = "paid", _("Executed by the bank")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentRun(models.Model):
    """A batch of tranche payments sent to the bank as one SEPA credit transfer file (pain.001)."""

    status = models.CharField(_("status"), max_length=12, choices=PaymentRunStatus.choices,
                              default=PaymentRunStatus.PREPARED)
    execution_date = models.DateField(_("requested execution date"))
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    file = models.FileField(_("SEPA file (pain.001)"), upload_to=UploadTo("payments"), max_length=300, blank=True)
    total = models.DecimalField(_("total (€)"), default=ZERO, **MONEY)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    prepared_at = models.DateTimeField(_("prepared"), auto_now_add=True)
    paid_on = models.DateField(_("executed on"), null=True, blank=True)
    bank_reference = models.CharField(_("bank's reference"), max_length=140, blank=True)
    marked_paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked paid by"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")
        ordering = ["-prepared_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PaymentRunStatus.values), name="paymentrun_status_valid"),
            models.CheckConstraint(condition=~Q(status=PaymentRunStatus.PAID) | Q(paid_on__isnull=False),
                                   name="paymentrun_paid_has_date"),
            models.CheckConstraint(condition=Q(total__gte=0), name="paymentrun_total_not_negative"),
        ]

    def __str__(self):
        return f"{_('Payment run')} {self.message_id}"


class PaymentStatus(models.TextChoices):
    INCLUDED = "included", _("In a prepared run")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled with its run")


class Payment(models.Model):
    """One tranche in a payment run, to the bank details in force when the run was prepared. A
    tranche is in at most one run that is not cancelled: it is never paid twice."""

    run = models.ForeignKey(PaymentRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="payments")
    tranche = models.ForeignKey(Tranche, verbose_name=_("tranche"), on_delete=models.PROTECT, related_name="payments")
    bank_details = models.ForeignKey(BankDetails, verbose_name=_("bank details"), on_delete=models.PROTECT,
                                     related_name="payments")
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=PaymentStatus.choices,
                              default=PaymentStatus.INCLUDED)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["run", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"),
            models.UniqueConstraint(fields=["tranche"], condition=~Q(status=PaymentStatus.CANCELLED),
                                    name="payment_once_per_tranche"),
            models.CheckConstraint(condition=~Q(status=PaymentStatus.PAID) | Q(paid_at__isnull=False),
                                   name="payment_paid_has_date"),
        ]

    def __str__(self):
        return f"{self.tranche} · {euros(self.amount)}"


class Amendment(models.Model):
    """A change to a grant after its signature: future tranches rescheduled or resized, or the grant
    terminated; with the reason and the grantee's agreement. `before`/`after` keep the schedules."""

    class Kind(models.TextChoices):
        AMENDMENT = "amendment", _("Amendment (reschedule or resize)")
        TERMINATION = "termination", _("Termination")

    grant = models.ForeignKey(Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="amendments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    grantee_agreement = models.CharField(_("grantee's agreement (how and when)"), max_length=300, blank=True)
    grantee_agreement_file = models.FileField(_("grantee's agreement (document)"), upload_to=UploadTo("amendments"),
                                              max_length=300, blank=True)
    before = models.JSONField(_("schedule before"), default=list)
    after = models.JSONField(_("schedule after"), default=list)
    amount_to_recover = models.DecimalField(_("amount to recover (€)"), default=ZERO, **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = GrantTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["amendment", "termination"]), name="amendment_kind_valid"),
            models.CheckConstraint(condition=Q(amount_to_recover__gte=0), name="amendment_recovery_not_negative"),
            models.CheckConstraint(condition=Q(kind="termination") | Q(amount_to_recover=0),
                                   name="amendment_recovery_only_on_termination"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.grant}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")


class GrantReportQuerySet(GrantTeamQuerySet):
    """A report is the team's and staff's; donors read only a shared summary, through the dashboards."""


class GrantReport(models.Model):
    """The yearly report of a grant's initiative: what the collective achieved, spending against the
    approved budget, indicators of collective impact. Approval meets the next tranche's condition."""

    grant = models.ForeignKey(Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year of the grant"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    narrative = models.TextField(_("what the collective achieved this year"), blank=True)
    summary = models.TextField(_("summary (may be shared)"), blank=True)
    share_with_donors = models.BooleanField(_("the summary may be shared with the initiative's donors"),
                                            default=False)
    organisations_involved = models.PositiveIntegerField(_("organisations involved"), null=True, blank=True)
    territories_covered = models.ManyToManyField("core.Territory", verbose_name=_("territories covered"), blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    staff_shared = models.DecimalField(_("staff shared (full-time equivalent)"), max_digits=6, decimal_places=1,
                                       null=True, blank=True)
    governance_meetings = models.PositiveIntegerField(_("governance meetings held"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_message = models.TextField(_("message of the review"), blank=True)

    objects = GrantReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant report")
        verbose_name_plural = _("grant reports")
        ordering = ["grant", "year"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "year"], name="grantreport_once_per_year"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="grantreport_status_valid"),
            models.CheckConstraint(condition=Q(year__gte=1, year__lte=10), name="grantreport_year_range"),
            models.CheckConstraint(condition=Q(status=ReportStatus.DRAFT) | Q(submitted_at__isnull=False),
                                   name="grantreport_submitted_has_date"),
            models.CheckConstraint(condition=~Q(status=ReportStatus.APPROVED) | Q(reviewed_at__isnull=False),
                                   name="grantreport_approved_has_review"),
        ]

    def __str__(self):
        return f"{self.grant} · {_('report of year')} {self.year}"


class ReportSpending(models.Model):
    """What the year cost, by budget category (the application's categories)."""

    report = models.ForeignKey(GrantReport, on_delete=models.CASCADE, related_name="spending")
    category = models.CharField(_("category"), max_length=30)
    amount = models.DecimalField(_("spent (€)"), **MONEY)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("spending line")
        verbose_name_plural = _("spending")
        ordering = ["report", "category"]
        constraints = [
            models.UniqueConstraint(fields=["report", "category"], name="reportspending_once_per_category"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="reportspending_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.category} · {euros(self.amount)}"


class ReportIndicator(models.Model):
    """A free indicator of collective impact the initiative chose to report."""

    report = models.ForeignKey(GrantReport, on_delete=models.CASCADE, related_name="indicators")
    label = models.CharField(_("indicator"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["report", "pk"]

    def __str__(self):
        return f"{self.label}: {self.value} {self.unit}".strip()


class ReportAttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(report__in=GrantReport.objects.visible_to(user))



class ReportAttachment(models.Model):
    report = models.ForeignKey(GrantReport, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=UploadTo("reports"), max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ReportAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["report", "uploaded_at"]

    def __str__(self):
        return self.title
