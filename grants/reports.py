"""The yearly reports of grants: written by the initiative's team, reviewed by staff.

A report is started once per year of the grant (due on the anniversary of its start), saved as a
draft as often as the team likes, and submitted once complete: the narrative, the five standard
indicators of collective impact and the year's spending by budget category. Staff approve it, which
meets the condition of the tranche that waits for it, or ask for changes with a message, which opens
it again. Reminders go out 30 and 7 days before the due date and once when it is overdue.

Every write checks who acts (the team of the grant's application, or staff), locks the report's row,
raises `GrantError` with a translated message when refused and then changes nothing, and is audited.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from joinforces.accounts.rules import is_staff_member
from joinforces.core.services import audit, notification_send

from .models import (
    Grant,
    GrantReport,
    GrantStatus,
    ReportAttachment,
    ReportIndicator,
    ReportSpending,
    ReportStatus,
    Tranche,
    TrancheCondition,
    TrancheStatus,
    cents,
)
from .services import GrantError, add_years, grant_complete_if_done, is_team_member, money

ZERO = Decimal("0.00")
EDITABLE = (ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED)
DONE = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
OPEN_GRANT = (GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
REMINDER_DAYS = (30, 7)
# A difference between spending and budget above this share of the budget is pointed out.
DIFFERENCE_THRESHOLD = Decimal("0.10")
MAX_INDICATORS = 20
MAX_ATTACHMENTS = 20
TEXT_FIELDS = ("narrative", "summary")
COUNT_FIELDS = ("organisations_involved", "people_reached", "governance_meetings")
SAVE_FIELDS = (*TEXT_FIELDS, "share_with_donors", *COUNT_FIELDS, "staff_shared")


def report_due_on(grant: Grant, year: int) -> date:
    """The day the report of `year` is due: the anniversary of the grant's start, `year` years on."""
    return add_years(grant.start_date, year)


# --- Who may act --------------------------------------------------------------------------------



def _require_team_or_staff(actor, grant: Grant) -> None:
    if is_staff_member(actor) or is_team_member(actor, grant):
        return
    raise GrantError(_("This grant is not one of your initiative's: nothing was changed."))


def _require_staff(actor) -> None:
    if not is_staff_member(actor):
        raise GrantError(_("Only the JOIN FORCES team can review a report: nothing was changed."))


def _require_open_grant(grant: Grant) -> None:
    if grant.status not in OPEN_GRANT:
        raise GrantError(_("Reports are written while the grant is running (once its agreement is signed)."))


def _lock(report: GrantReport) -> GrantReport:
    """The report's row, locked, with its grant."""
    return GrantReport.objects.select_for_update(of=("self",)).select_related("grant").get(pk=report.pk)


def _editable(report: GrantReport, actor) -> GrantReport:
    locked = _lock(report)
    _require_team_or_staff(actor, locked.grant)
    _require_open_grant(locked.grant)
    if locked.status not in EDITABLE:
        raise GrantError(_("This report is submitted: it can no longer be changed."))
    return locked


# --- Writing a report ---------------------------------------------------------------------------


@transaction.atomic
def report_start(*, grant: Grant, year: int, actor) -> GrantReport:
    """The report of `year` (started now if it was not yet: once per year)."""
    _require_team_or_staff(actor, grant)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 1 <= year <= grant.years:
        raise GrantError(_("This grant runs for %(years)d year(s): there is no report for year %(year)s.")
                         % {"years": grant.years, "year": year})
    existing = GrantReport.objects.filter(grant=grant, year=year).first()
    if existing is not None:
        return existing
    _require_open_grant(grant)
    report, created = GrantReport.objects.get_or_create(grant=grant, year=year,
                                                        defaults={"due_on": report_due_on(grant, year)})
    if created:
        audit(actor=actor, action="grants.report_started", target=report,
              after={"grant": grant.pk, "year": year, "due_on": report.due_on.isoformat()})
    return report


def _count(value, field: str):
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = -1
    if number < 0 or number > 1_000_000_000:
        raise GrantError(_("“%(field)s” is a whole number, zero or more.")
                         % {"field": GrantReport._meta.get_field(field).verbose_name})
    return number


def _fte(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        number = Decimal(-1)
    if not number.is_finite() or number < 0 or number >= 100_000 or number != number.quantize(Decimal("0.1")):
        raise GrantError(_("Staff shared is a number of full-time equivalents with at most one decimal, "
                           "for example 2.5."))
    return number.quantize(Decimal("0.1"))


def _territories(values):
    from joinforces.core.models import Territory

    codes = {value.code if isinstance(value, Territory) else str(value) for value in values or ()}
    found = list(Territory.objects.filter(code__in=codes))
    if len(found) != len(codes):
        raise GrantError(_("Choose territories from the list of départements and régions."))
    return found


@transaction.atomic
def report_save(*, report: GrantReport, actor, territories=None, **fields) -> GrantReport:
    """Save the draft's answers: any of the narrative, the summary, whether it may be shared, the
    standard indicators and (`territories`, a list of territories or codes) the territories covered."""
    unknown = set(fields) - set(SAVE_FIELDS)
    if unknown:
        raise TypeError(f"report_save() got unexpected fields: {sorted(unknown)}")
    locked = _editable(report, actor)
    values = {}
    for name, value in fields.items():
        if name in TEXT_FIELDS:
            values[name] = (value or "").strip()
        elif name == "share_with_donors":
            values[name] = bool(value)
        elif name == "staff_shared":
            values[name] = _fte(value)
        else:
            values[name] = _count(value, name)
    chosen = _territories(territories) if territories is not None else None
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name, value in values.items():
        setattr(locked, name, value)
    if changed:
        locked.save(update_fields=changed)
    if chosen is not None:
        before = set(locked.territories_covered.values_list("code", flat=True))
        after = {territory.code for territory in chosen}
        if before != after:
            locked.territories_covered.set(chosen)
            changed.append("territories_covered")
    if changed:
        audit(actor=actor, action="grants.report_saved", target=locked, after={"changed": changed})
    return locked


def report_territories_set(*, report: GrantReport, actor, territories) -> GrantReport:
    """Set the territories covered (territories or their codes)."""
    return report_save(report=report, actor=actor, territories=list(territories))


def _categories() -> dict:
    from applications.models import BudgetCategory

    return dict(BudgetCategory.choices)


@transaction.atomic
def report_spending_set(*, report: GrantReport, actor, lines: dict) -> GrantReport:
    """Set the year's spending: `{category: (amount, comment)}` for every category spent on (a line
    without an amount is left out; categories not given have no spending)."""
    locked = _editable(report, actor)
    categories = _categories()
    rows = {}
    for category, (amount, comment) in lines.items():
        if category not in categories:
            raise GrantError(_("“%(category)s” is not a budget category.") % {"category": category})
        comment = (comment or "").strip()
        if len(comment) > 300:
            raise GrantError(_("A comment on spending has at most 300 characters."))
        if amount in (None, ""):
            if comment:
                raise GrantError(_("Give the amount spent on “%(category)s”, or remove its comment.")
                                 % {"category": categories[category]})
            continue
        try:
            rows[category] = (money(amount, allow_zero=True), comment)
        except GrantError as error:
            raise GrantError(f"{categories[category]}: {error.message}") from None
    before = {line.category: (line.amount, line.comment) for line in locked.spending.all()}
    if before == rows:
        return locked
    ReportSpending.objects.filter(report=locked).delete()
    ReportSpending.objects.bulk_create([ReportSpending(report=locked, category=category, amount=amount,
                                                       comment=comment)
                                        for category, (amount, comment) in sorted(rows.items())])
    audit(actor=actor, action="grants.report_spending_set", target=locked,
          before={category: str(amount) for category, (amount, _comment) in before.items()},
          after={category: str(amount) for category, (amount, _comment) in rows.items()})
    return locked


def _indicator_value(value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace("\u202f", "").replace(" ", "").replace(",", "."))
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) >= Decimal("1e12") \
            or number != number.quantize(Decimal("0.01")):
        raise GrantError(_("The value of an indicator is a number with at most two decimals."))
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def report_indicators_set(*, report: GrantReport, actor, indicators) -> GrantReport:
    """Set the free indicators: a list of `(label, value, unit)` (rows without a label are left out)."""
    locked = _editable(report, actor)
    rows = []
    for label, value, unit in indicators:
        label, unit = (label or "").strip(), (unit or "").strip()
        if not label:
            if value not in (None, "") or unit:
                raise GrantError(_("Name each indicator you give a value to."))
            continue
        if len(label) > 200 or len(unit) > 40:
            raise GrantError(_("An indicator's name has at most 200 characters, its unit at most 40."))
        if value in (None, ""):
            raise GrantError(_("Give a value to the indicator “%(label)s”.") % {"label": label})
        rows.append((label, _indicator_value(value), unit))
    if len(rows) > MAX_INDICATORS:
        raise GrantError(_("A report has at most %(count)d free indicators.") % {"count": MAX_INDICATORS})
    before = [(i.label, i.value, i.unit) for i in locked.indicators.all()]
    if before == rows:
        return locked
    ReportIndicator.objects.filter(report=locked).delete()
    ReportIndicator.objects.bulk_create([ReportIndicator(report=locked, label=label, value=value, unit=unit)
                                         for label, value, unit in rows])
    audit(actor=actor, action="grants.report_indicators_set", target=locked,
          before=[[label, str(value), unit] for label, value, unit in before],
          after=[[label, str(value), unit] for label, value, unit in rows])
    return locked


@transaction.atomic
def report_attachment_add(*, report: GrantReport, actor, file, title: str = "") -> ReportAttachment:
    """Attach a document (already checked by its form field: `CheckedFileField`)."""
    locked = _editable(report, actor)
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise GrantError(_("A report has at most %(count)d documents.") % {"count": MAX_ATTACHMENTS})
    title = (title or "").strip()[:200] or str(getattr(file, "name", "") or _("Document"))[:200]
    attachment = ReportAttachment.objects.create(report=locked, title=title, file=file, uploaded_by=actor)
    audit(actor=actor, action="grants.report_attachment_added", target=locked,
          after={"attachment": attachment.pk, "title": title})
    return attachment


@transaction.atomic
def report_attachment_remove(*, attachment: ReportAttachment, actor) -> None:
    locked = _editable(attachment.report, actor)
    if attachment.report_id != locked.pk:
        raise GrantError(_("This document is not in this report."))
    audit(actor=actor, action="grants.report_attachment_removed", target=locked,
          before={"attachment": attachment.pk, "title": attachment.title})
    attachment.file.delete(save=False)
    attachment.delete()


# --- Submission and review ----------------------------------------------------------------------


def report_missing(report: GrantReport) -> list[str]:
    """What the report still needs before it can be submitted (plain sentences; empty when complete).
    Reads the territories and spending through `.all()`, so prefetched ones cost no query."""
    missing = []
    if not report.narrative.strip():
        missing.append(_("what the collective achieved this year (the narrative)"))
    if report.share_with_donors and not report.summary.strip():
        missing.append(_("the summary to share with the donors (or do not share it)"))
    for name in ("organisations_involved", "people_reached", "staff_shared", "governance_meetings"):
        if getattr(report, name) is None:
            missing.append(str(GrantReport._meta.get_field(name).verbose_name))
    if not report.territories_covered.all():
        missing.append(_("the territories covered (at least one)"))
    if not report.spending.all():
        missing.append(_("the year's spending (at least one budget category)"))
    return missing


def _team(grant: Grant):
    from applications.models import TeamMember

    return [member.user for member in TeamMember.objects.filter(application_id=grant.application_id)
            .select_related("user").order_by("pk")]


def _url(report_or_grant, year=None) -> str:
    if isinstance(report_or_grant, GrantReport):
        report_or_grant, year = report_or_grant.grant, report_or_grant.year
    return f"{settings.SITE_URL}{reverse('grants:report_edit', args=[report_or_grant.pk, year])}"


def _email_team(report: GrantReport, *, template: str, key: str, **context) -> None:
    grant = Grant.objects.select_related("application").get(pk=report.grant_id)
    for user in _team(grant):
        notification_send(to=user.email, template=f"grants/email/{template}", key=f"{key}:{user.pk}",
                          context={"report": report, "grant": grant, "application": grant.application,
                                   "user": user, "url": _url(report), **context})


@transaction.atomic
def report_submit(*, report: GrantReport, actor) -> GrantReport:
    """Submit a complete report for review; the team gets a confirmation."""
    locked = _editable(report, actor)
    missing = report_missing(locked)
    if missing:
        raise GrantError(_("The report cannot be submitted yet. Still to give: %(missing)s.")
                         % {"missing": "; ".join(missing)})
    before = locked.status
    locked.status = ReportStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor
    locked.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit(actor=actor, action="grants.report_submitted", target=locked, before={"status": before},
          after={"status": locked.status})
    _email_team(locked, template="report_submitted",
                key=f"grants.report_submitted:{locked.pk}:{int(locked.submitted_at.timestamp())}")
    return locked


def _reviewable(report: GrantReport, actor) -> GrantReport:
    _require_staff(actor)
    locked = _lock(report)
    if locked.status != ReportStatus.SUBMITTED:
        raise GrantError(_("Only a submitted report can be reviewed; this one is “%(status)s”.")
                         % {"status": locked.get_status_display()})
    return locked


@transaction.atomic
def report_approve(*, report: GrantReport, actor, message: str = "") -> GrantReport:
    """Approve a submitted report: it meets the condition of the tranche that waits for this year's
    report; the grant closes if nothing else is left; the team is told."""
    locked = _reviewable(report, actor)
    now = timezone.now()
    locked.status = ReportStatus.APPROVED
    locked.reviewed_at, locked.reviewed_by = now, actor
    locked.review_message = (message or "").strip()
    locked.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_message"])
    audit(actor=actor, action="grants.report_approved", target=locked, before={"status": ReportStatus.SUBMITTED},
          after={"status": locked.status, "message": locked.review_message})
    tranches = list(Tranche.objects.select_for_update().filter(
        grant_id=locked.grant_id, condition=TrancheCondition.REPORT_APPROVED, condition_year=locked.year,
        condition_met_at__isnull=True).exclude(status=TrancheStatus.CANCELLED))
    for tranche in tranches:
        Tranche.objects.filter(pk=tranche.pk).update(condition_met_at=now)
        audit(actor=actor, action="grants.tranche_condition_met", target=tranche, before={"condition_met_at": None},
              after={"condition_met_at": now.isoformat(), "report": locked.pk})
    grant_complete_if_done(grant=locked.grant, actor=actor)
    _email_team(locked, template="report_approved", key=f"grants.report_approved:{locked.pk}")
    return locked


@transaction.atomic
def report_request_changes(*, report: GrantReport, actor, message: str) -> GrantReport:
    """Send a submitted report back to the team with a message saying what to change."""
    message = (message or "").strip()
    if not message:
        _require_staff(actor)
        raise GrantError(_("Say what the team should change: the message is required."))
    locked = _reviewable(report, actor)
    locked.status = ReportStatus.CHANGES_REQUESTED
    locked.reviewed_at, locked.reviewed_by = timezone.now(), actor
    locked.review_message = message
    locked.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_message"])
    audit(actor=actor, action="grants.report_changes_requested", target=locked,
          before={"status": ReportStatus.SUBMITTED}, after={"status": locked.status, "message": message})
    _email_team(locked, template="report_changes_requested",
                key=f"grants.report_changes_requested:{locked.pk}:{int(locked.reviewed_at.timestamp())}")
    return locked


# --- Reminders ----------------------------------------------------------------------------------


def _reminder_kind(today: date, due_on: date) -> str | None:
    """Which reminder is due today for a report due on `due_on`: "30" from 30 days before, "7" from 7
    days before, "overdue" from the day after; a beat that was away sends the latest one only."""
    if today > due_on:
        return "overdue"
    for days in sorted(REMINDER_DAYS):
        if today >= due_on - timedelta(days=days):
            return str(days)
    return None


def report_reminders_send(now=None) -> int:
    """Remind the teams of running grants of each report not submitted yet: 30 and 7 days before it
    is due and once overdue. Each email has its own key (grant, year, kind, person), so running twice
    sends nothing more. Returns the number of new notifications."""
    from applications.models import TeamMember
    from joinforces.core.models import Notification

    today = timezone.localdate(now or timezone.now())
    grants = (Grant.objects.filter(status__in=OPEN_GRANT).select_related("application")
              .prefetch_related(Prefetch("reports", queryset=GrantReport.objects.only("grant_id", "year", "status")),
                                Prefetch("application__team", queryset=TeamMember.objects.select_related("user"))))
    planned = []
    for grant in grants:
        done = {report.year for report in grant.reports.all() if report.status in DONE}
        for year in range(1, grant.years + 1):
            due_on = report_due_on(grant, year)
            kind = None if year in done else _reminder_kind(today, due_on)
            if kind is None:
                continue
            for member in grant.application.team.all():
                key = f"grants.report_reminder:{grant.pk}:{year}:{kind}:{member.user.pk}"
                planned.append((key, grant, year, due_on, kind, member.user))
    keys = [row[0] for row in planned]
    sent_before = set()
    for start in range(0, len(keys), 500):
        sent_before.update(Notification.objects.filter(key__in=keys[start:start + 500]).values_list("key", flat=True))
    count = 0
    for key, grant, year, due_on, kind, user in planned:
        if key in sent_before:
            continue
        notification_send(to=user.email, template="grants/email/report_reminder", key=key, context={
            "grant": grant, "application": grant.application, "year": year, "due_on": due_on, "user": user,
            "overdue": kind == "overdue", "days": (due_on - today).days, "url": _url(grant, year)})
        count += 1
    return count


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendingRow:
    """One budget category of a report's year: the approved budget, what was spent, the difference
    (spent − budget) and whether it deserves a look (more than 10 % off, or not budgeted)."""

    category: str
    label: str
    budget: Decimal
    spent: Decimal | None
    comment: str
    budgeted: bool

    @property
    def difference(self) -> Decimal:
        return (self.spent or ZERO) - self.budget

    @property
    def flagged(self) -> bool:
        if not self.budgeted:
            return bool(self.spent)
        return abs(self.difference) > self.budget * DIFFERENCE_THRESHOLD

    @property
    def percent(self) -> Decimal | None:
        """The difference as a share of the budget, in % (None when nothing was budgeted)."""
        if not self.budget:
            return None
        return (self.difference / self.budget * 100).quantize(Decimal("1"))


def year_budget(grant: Grant, year: int) -> dict[str, Decimal]:
    """The approved budget of `year` by category: the application's fundable budget lines (one query)."""
    from applications.models import BudgetLine

    rows = (BudgetLine.objects.filter(application_id=grant.application_id, year=year, programme_cost=False,
                                      member_overhead=False)
            .values("category").annotate(total=Sum("amount")).order_by())
    return {row["category"]: cents(row["total"]) for row in rows}


def spending_rows(*, budget: dict, spending) -> list[SpendingRow]:
    """Every category, in the order of the list, with its budget and spending (spending lines are
    `ReportSpending` rows)."""
    spent = {line.category: line for line in spending}
    return [SpendingRow(category=code, label=str(label), budget=budget.get(code, ZERO),
                        spent=spent[code].amount if code in spent else None,
                        comment=spent[code].comment if code in spent else "", budgeted=code in budget)
            for code, label in _categories().items()]


def spending_against_budget(report: GrantReport) -> list[SpendingRow]:
    """The report's spending against the year's approved budget, for the categories budgeted or spent
    on (uses `report.spending` prefetched, if it is)."""
    rows = spending_rows(budget=year_budget(report.grant, report.year), spending=report.spending.all())
    return [row for row in rows if row.budgeted or row.spent is not None]


def spending_totals(rows) -> dict:
    budget = sum((row.budget for row in rows), ZERO)
    spent = sum((row.spent or ZERO for row in rows), ZERO)
    return {"budget": budget, "spent": spent, "difference": spent - budget}
