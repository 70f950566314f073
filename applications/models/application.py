"""Calls for applications and applications with their parts. Choices use exactly the codes of
`eligibility/application-case.schema.json` (a test keeps the sets equal)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from joinforces.core.formats import euros
from joinforces.core.uploads import UploadTo

from ..identifiers import validate_identifier

MONEY = {"max_digits": 14, "decimal_places": 2}


class CallQuerySet(models.QuerySet):
    def open_at(self, moment=None):
        moment = moment or timezone.now()
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)

    def upcoming(self, moment=None):
        return self.filter(opens_at__gt=moment or timezone.now())

    def public(self, moment=None):
        """Open and upcoming calls, soonest closing first."""
        moment = moment or timezone.now()
        return self.filter(closes_at__gt=moment).order_by("closes_at")


class Call(models.Model):
    """A call for applications: dates, themes, a budget envelope and the longest support it offers."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    themes = models.ManyToManyField("core.Theme", verbose_name=_("themes"), blank=True)
    budget_envelope = models.DecimalField(_("budget envelope (€)"), **MONEY)
    max_years = models.PositiveSmallIntegerField(
        _("maximum years"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"),
            models.CheckConstraint(condition=Q(max_years__gte=1, max_years__lte=10), name="call_max_years_range"),
            models.CheckConstraint(condition=Q(budget_envelope__gte=0), name="call_budget_not_negative"),
        ]

    def __str__(self):
        return self.title

    def is_open(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.opens_at <= moment < self.closes_at


class Kind(models.TextChoices):
    COALITION = "coalition", _("Coalition")
    ALLIANCE = "alliance", _("Alliance")
    COLLECTIVE = "collective", _("Collective")
    MERGER_ABSORPTION = "merger_absorption", _("Merger-absorption")
    TRANSFER_TAKEOVER = "transfer_takeover", _("Transfer and takeover")
    TRANSMISSION = "transmission", _("Transmission")


CONSOLIDATION_KINDS = frozenset({Kind.MERGER_ABSORPTION, Kind.TRANSFER_TAKEOVER, Kind.TRANSMISSION})


class MainPurpose(models.TextChoices):
    JOINT_PROGRAMMES = "joint_programmes", _("Common, coordinated or articulated programmes on the ground")
    ADVOCACY = "advocacy", _("Advocacy")
    CAMPAIGN = "campaign", _("A campaign (great cause, election, one fundraising drive)")
    FUNDRAISING = "fundraising", _("Pooled fundraising")
    CALLS_FOR_PROJECTS = "calls_for_projects", _("Answering calls for projects as a consortium")
    SHARED_RESOURCES = "shared_resources", _("Sharing premises, staff or services")
    SECTOR_REPRESENTATION = "sector_representation", _("Representing a sector's interests")
    AFFILIATE_NETWORK = "affiliate_network", _("A network of affiliates of one concept")
    CONSOLIDATION = "consolidation", _("Combining the organisations themselves")


class Governance(models.TextChoices):
    ONE_MEMBER_ONE_VOTE = "one_member_one_vote", _("One member, one vote")
    CONSENSUS = "consensus", _("Consensus")
    WEIGHTED = "weighted", _("Weighted votes")


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    FOUNDATION = "foundation", _("Foundation")
    ENDOWMENT_FUND = "endowment_fund", _("Endowment fund")
    COOPERATIVE = "cooperative", _("Cooperative")
    COMPANY = "company", _("Company")
    PUBLIC_BODY = "public_body", _("Public body")
    OTHER = "other", _("Other")


class MemberRole(models.TextChoices):
    LEAD = "lead", _("Lead member")
    MEMBER = "member", _("Member")
    ABSORBING = "absorbing", _("Absorbing organisation")
    ABSORBED = "absorbed", _("Absorbed organisation")
    TRANSFERRING = "transferring", _("Transferring organisation")
    TAKING_OVER = "taking_over", _("Organisation taking over")
    HEAD = "head", _("Network head")
    AFFILIATE = "affiliate", _("Affiliate")


class DecisionStatus(models.TextChoices):
    DECIDED = "decided", _("Decided")
    IN_PROGRESS = "in_progress", _("In progress")
    EXPLORING = "exploring", _("Exploring")


class DecisionForm(models.TextChoices):
    SIGNED_AGREEMENT = "signed_agreement", _("Signed agreement")
    BOARD_DECISIONS = "board_decisions", _("Board decisions")
    MERGER_TREATY = "merger_treaty", _("Merger treaty")


class Integration(models.TextChoices):
    JOINT = "joint", _("Joint")
    COORDINATED = "coordinated", _("Coordinated")
    ARTICULATED = "articulated", _("Articulated")
    NONE = "none", _("None: each member runs its own")


class BudgetCategory(models.TextChoices):
    COORDINATION_STAFF = "coordination_staff", _("Coordination staff")
    FACILITATION = "facilitation", _("Facilitation")
    LEGAL_ACCOUNTING_FEES = "legal_accounting_fees", _("Legal and accounting fees")
    HR_HARMONISATION = "hr_harmonisation", _("HR harmonisation")
    INFORMATION_SYSTEMS = "information_systems", _("Information systems")
    INTERNAL_COMMUNICATION = "internal_communication", _("Internal communication")
    MEETINGS_TRAVEL = "meetings_travel", _("Meetings and travel")
    OTHER = "other", _("Other")


class SupportDomain(models.TextChoices):
    FACILITATION = "facilitation", _("Facilitation")
    HR = "hr", _("Human resources")
    COACHING = "coaching", _("Coaching")
    LEGAL = "legal", _("Legal")
    CHANGE_MANAGEMENT = "change_management", _("Change management")
    MEDIATION = "mediation", _("Mediation and conflicts")
    FINANCE = "finance", _("Finance")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENED = "screened", _("Screened")
    IN_REVIEW = "in_review", _("In review")
    MORE_INFO_REQUESTED = "more_info_requested", _("More information requested")
    SELECTED = "selected", _("Selected")
    DECLINED = "declined", _("Declined")
    WAITLISTED = "waitlisted", _("Waitlisted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every application; an applicant those of their team; a committee member those
        they review and declared no conflict with. Anyone else, none."""
        from joinforces.accounts.rules import is_staff_member

        from .committee import cleared_applications

        if not user.is_authenticated:
            return self.none()
        if is_staff_member(user):
            return self
        team = TeamMember.objects.filter(user=user).values("application_id")
        return self.filter(Q(pk__in=team) | Q(pk__in=cleared_applications(user)))


class Application(models.Model):
    """One collective's application to a call, filled in steps by its team."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications")
    reference = models.CharField(_("reference"), max_length=12, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    # 1. The collective
    name = models.CharField(_("name of the collective"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    themes = models.ManyToManyField("core.Theme", verbose_name=_("themes"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    website = models.URLField(_("website"), blank=True)
    years_together = models.PositiveSmallIntegerField(_("years the members have worked together"), null=True,
                                                      blank=True)
    main_purpose = models.CharField(_("main purpose"), max_length=30, choices=MainPurpose.choices, blank=True)
    does_advocacy = models.BooleanField(_("also does advocacy"), default=False)
    temporary = models.BooleanField(_("set up for a limited action"), null=True, blank=True)
    # 3. Governance
    governance = models.CharField(_("how the collective decides"), max_length=20, choices=Governance.choices,
                                  blank=True)
    # 5. Commitment
    why_together = models.TextField(_("why together"), blank=True)
    # 6. Budget
    years = models.PositiveSmallIntegerField(_("years of support"), null=True, blank=True)
    amount_requested = models.DecimalField(_("amount requested (€)"), null=True, blank=True, **MONEY)
    other_funders = models.TextField(_("other funders and co-funding"), blank=True)
    # 9. Review and submit
    # None until the team answers: the question must be answered, yes or no, before submission.
    consent_public = models.BooleanField(_("may be listed publicly if selected"), null=True, blank=True,
                                         default=None)
    sworn_statement = models.BooleanField(_("sworn statement"), default=False)

    screening = models.OneToOneField(
        "eligibility.Screening", verbose_name=_("screening"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="application",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_saved_at = models.DateTimeField(_("last saved"), auto_now=True)
    # {"1": 3, "2": 1, ...}: each step's version, raised by every save of the step, so that of two
    # people saving the same step from the same version the second is refused (not overwritten).
    step_versions = models.JSONField(_("versions of the steps"), default=dict, blank=True)
    # {"1": {"website": ["not a url"], ...}}: what was typed in a step while it was not valid, kept so
    # that nothing is lost; cleared by the step's next valid save.
    draft_inputs = models.JSONField(_("inputs not valid yet"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="application_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reference__isnull=False, submitted_at__isnull=False),
                name="application_submitted_has_reference",
            ),
            models.CheckConstraint(
                condition=Q(reference__isnull=True) | Q(reference__regex=r"^JF-[0-9]{4}-[0-9]{4}$"),
                name="application_reference_format",
            ),
            models.CheckConstraint(condition=Q(amount_requested__isnull=True) | Q(amount_requested__gte=0),
                                   name="application_amount_not_negative"),
            models.CheckConstraint(condition=Q(years__isnull=True) | Q(years__gte=1, years__lte=10),
                                   name="application_years_range"),
        ]

    def __str__(self):
        return self.reference or self.name or str(_("Draft application"))

    @property
    def is_consolidation(self) -> bool:
        return self.kind in CONSOLIDATION_KINDS


class TeamMember(models.Model):
    """A person of the applying team: the one who started the application, or an invited co-applicant."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Started the application")
        CO_APPLICANT = "co_applicant", _("Co-applicant")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_teams")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CO_APPLICANT)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team")
        constraints = [models.UniqueConstraint(fields=["application", "user"], name="teammember_once_per_team")]

    def __str__(self):
        return f"{self.user} · {self.application}"


class TeamInvitation(models.Model):
    """A co-applicant invited by email who has no account yet; accepting with the token joins the team."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    token = models.CharField(_("token"), max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        constraints = [
            models.UniqueConstraint(fields=["application", "email"], name="teaminvitation_once_per_email"),
        ]

    def __str__(self):
        return f"{self.email} · {self.application}"


class ReferenceCounter(models.Model):
    """The last reference number given in a year. Its row is locked while a submission takes the next
    number, so that concurrent submissions never get the same reference."""

    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(fields=["year"], name="referencecounter_one_per_year"),
            models.CheckConstraint(condition=Q(last__lte=9999), name="referencecounter_four_digits"),
        ]

    def __str__(self):
        return f"{self.year}: {self.last}"


class MemberOrganisation(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="members")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=300)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    non_profit = models.BooleanField(_("non-profit"))
    general_interest = models.BooleanField(_("serves the general interest (not only its members)"), default=True)
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    identifier = models.CharField(_("SIREN or RNA number"), max_length=20, blank=True,
                                  validators=[validate_identifier])
    identifier_missing_reason = models.CharField(_("why there is no number"), max_length=300, blank=True)
    annual_budget = models.DecimalField(_("annual budget (€)"), null=True, blank=True, **MONEY)
    staff_count = models.PositiveIntegerField(_("staff (full-time equivalent)"), null=True, blank=True)
    voting_share = models.DecimalField(_("share of the votes (%)"), max_digits=5, decimal_places=2, null=True,
                                       blank=True)
    veto_holder = models.BooleanField(_("can block decisions alone"), default=False)
    decision_status = models.CharField(_("decision of its board"), max_length=20, choices=DecisionStatus.choices,
                                       blank=True)
    decision_date = models.DateField(_("date of the decision"), null=True, blank=True)
    decision_form = models.CharField(_("form of the decision"), max_length=20, choices=DecisionForm.choices,
                                     blank=True)
    contribution = models.TextField(_("what it brings"), blank=True)

    class Meta:
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")
        ordering = ["application", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(voting_share__isnull=True) | Q(voting_share__gte=0, voting_share__lte=100),
                name="memberorganisation_share_percent",
            ),
            models.CheckConstraint(condition=Q(annual_budget__isnull=True) | Q(annual_budget__gte=0),
                                   name="memberorganisation_budget_not_negative"),
        ]

    def __str__(self):
        return self.name


class Programme(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="programmes")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    integration = models.CharField(_("level of integration"), max_length=20, choices=Integration.choices)
    territories = models.ManyToManyField("core.Territory", verbose_name=_("territories"), blank=True)
    members_involved = models.ManyToManyField(MemberOrganisation, verbose_name=_("members involved"), blank=True,
                                              related_name="programmes")
    beneficiaries = models.TextField(_("beneficiaries"), blank=True)

    class Meta:
        verbose_name = _("shared programme")
        verbose_name_plural = _("shared programmes")
        ordering = ["application", "position", "id"]

    def __str__(self):
        return self.title


class BudgetLine(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=30, choices=BudgetCategory.choices)
    label = models.CharField(_("description"), max_length=300, blank=True)
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    programme_cost = models.BooleanField(_("pays for programme delivery"), default=False)
    member_overhead = models.BooleanField(_("pays for one member's own running costs"), default=False)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["application", "year", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budgetline_amount_not_negative"),
            models.CheckConstraint(condition=Q(year__gte=1, year__lte=10), name="budgetline_year_range"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} · {euros(self.amount)}"

    @property
    def fundable(self) -> bool:
        return not (self.programme_cost or self.member_overhead)


class SupportNeed(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="support_needs")
    domain = models.CharField(_("domain"), max_length=20, choices=SupportDomain.choices)
    description = models.TextField(_("description"), blank=True)
    days = models.DecimalField(_("estimate (days)"), max_digits=5, decimal_places=1, default=Decimal("1.0"))

    class Meta:
        verbose_name = _("support need")
        verbose_name_plural = _("support needs")
        ordering = ["application", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["application", "domain"], name="supportneed_once_per_domain"),
            models.CheckConstraint(condition=Q(days__gt=0, days__lte=365), name="supportneed_days_range"),
        ]

    def __str__(self):
        return self.get_domain_display()


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(application__in=Application.objects.visible_to(user))


class Attachment(models.Model):
    class Kind(models.TextChoices):
        STATUTES = "statutes", _("Statutes")
        ACCOUNTS = "accounts", _("Last approved accounts")
        BUDGET = "budget", _("Budget")
        AGREEMENT = "agreement", _("Agreement between the members")
        OTHER = "other", _("Other document")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=UploadTo("applications"), max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["application", "kind", "uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.file.name.rsplit('/', 1)[-1]}"
