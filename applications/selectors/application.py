"""Reads of applications, each in a fixed number of queries whatever the number of parts."""

import ast
import contextlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ..models import (
    Application,
    Attachment,
    BudgetLine,
    MemberOrganisation,
    Programme,
    SupportDomain,
    SupportNeed,
    TeamMember,
)


def application_parts() -> QuerySet:
    """Applications with everything `application_to_case`, `missing_items` and the dossier read:
    one query for the application, its call and screening, then one per kind of part."""
    return Application.objects.select_related("call", "screening", "created_by").prefetch_related(
        "themes",
        Prefetch("members", queryset=MemberOrganisation.objects.order_by("position", "id")),
        Prefetch(
            "programmes",
            queryset=Programme.objects.order_by("position", "id").prefetch_related(
                "territories",
                Prefetch("members_involved", queryset=MemberOrganisation.objects.order_by("position", "id")),
            ),
        ),
        "budget_lines",
        "support_needs",
        "attachments",
        Prefetch("team", queryset=TeamMember.objects.select_related("user").order_by("joined_at", "id")),
    )


def application_with_parts(pk, user) -> Application:
    """The application `pk` with all its parts, if `user` may see it; else 404."""
    return get_object_or_404(application_parts().visible_to(user), pk=pk)


def application_for_work(pk) -> Application:
    """The application `pk` with all its parts, for background work (no person's access applies)."""
    return application_parts().get(pk=pk)


def _count(model, **extra):
    return Coalesce(
        Subquery(
            model.objects.filter(application=OuterRef("pk"), **extra)
            .order_by()
            .values("application")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def team_applications(user) -> QuerySet:
    """The applications of `user`'s teams for their panel: call, counts and their role, in one query."""
    if not user.is_authenticated:
        return Application.objects.none()
    role = TeamMember.objects.filter(application=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Application.objects.filter(team__user=user)
        .select_related("call")
        .annotate(
            member_count=_count(MemberOrganisation),
            team_size=_count(TeamMember),
            team_role=Subquery(role),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class BudgetYear:
    year: int
    lines: list
    total: Decimal
    fundable_total: Decimal


def budget_by_year(application: Application) -> tuple[list[BudgetYear], Decimal]:
    """The budget lines grouped by year with each year's total, and the total of all years."""
    by_year: dict[int, list] = {}
    for line in application.budget_lines.all():
        by_year.setdefault(line.year, []).append(line)
    years = [
        BudgetYear(
            year=year,
            lines=lines,
            total=sum((line.amount for line in lines), Decimal("0.00")),
            fundable_total=sum((line.amount for line in lines if line.fundable), Decimal("0.00")),
        )
        for year, lines in sorted(by_year.items())
    ]
    return years, sum((year.total for year in years), Decimal("0.00"))


# --- Requests for more information --------------------------------------------------------------

# The audit actions of the team's changes to the application's answers and parts.
CHANGE_ACTIONS = (
    "applications.saved",
    "applications.member_added", "applications.member_changed", "applications.member_removed",
    "applications.programme_added", "applications.programme_changed", "applications.programme_removed",
    "applications.budget_line_added", "applications.budget_line_changed", "applications.budget_line_removed",
    "applications.support_need_set", "applications.support_need_removed",
    "applications.attachment_added", "applications.attachment_removed",
)


def info_request_changes(info_request) -> QuerySet:
    """The changes made to the application while `info_request` was open (from the request to the
    resubmission, or until now): its audit events of changes to the answers and parts, oldest first.
    Only changes: what staff or the committee did meanwhile is not listed."""
    from joinforces.core.models import AuditEvent

    events = AuditEvent.objects.for_target(info_request.application).filter(
        action__in=CHANGE_ACTIONS, created_at__gte=info_request.requested_at)
    if info_request.answered_at is not None:
        events = events.filter(created_at__lte=info_request.answered_at)
    return events.select_related("actor").order_by("created_at", "pk")


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    """One change, in words: `what` changed (a sentence) and, field by field, old → new."""

    event: object
    what: str
    fields: list


# (model, sentence) by action; the sentence may name the part: %(name)s.
_CHANGE_SENTENCES = {
    "applications.saved": (Application, _("Answers changed")),
    "applications.member_added": (MemberOrganisation, _("Member organisation added: %(name)s")),
    "applications.member_changed": (MemberOrganisation, _("Member organisation changed")),
    "applications.member_removed": (MemberOrganisation, _("Member organisation removed: %(name)s")),
    "applications.programme_added": (Programme, _("Shared programme added: %(name)s")),
    "applications.programme_changed": (Programme, _("Shared programme changed")),
    "applications.programme_removed": (Programme, _("Shared programme removed: %(name)s")),
    "applications.budget_line_added": (BudgetLine, _("Budget line added: %(name)s")),
    "applications.budget_line_changed": (BudgetLine, _("Budget line changed")),
    "applications.budget_line_removed": (BudgetLine, _("Budget line removed: %(name)s")),
    "applications.support_need_set": (SupportNeed, _("Support need set: %(name)s")),
    "applications.support_need_removed": (SupportNeed, _("Support need removed: %(name)s")),
    "applications.attachment_added": (Attachment, _("Document attached: %(name)s")),
    "applications.attachment_removed": (Attachment, _("Document removed: %(name)s")),
}
# Keys of the audit records that point at a row rather than say what changed.
_POINTERS = frozenset({"member", "programme", "line", "attachment", "file"})


def _amount(value) -> str:
    try:
        return number_format(Decimal(value), decimal_pos=2, force_grouping=True)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def _shown(field, value) -> str:
    """An audited value as the person reads it: labels of choices and themes, amounts formatted."""
    from joinforces.core.models import Theme

    if field is not None and field.name == "themes" and isinstance(value, str):
        with contextlib.suppress(SyntaxError, ValueError):  # audited as the text of the list of codes
            value = ast.literal_eval(value)
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list):
        names = {theme.code: theme.name for theme in Theme.objects.filter(code__in=value)} \
            if field is not None and field.name == "themes" else {}
        return ", ".join(str(names.get(item, item)) for item in value)
    if isinstance(field, DecimalField):
        return _amount(value)
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    return str(choices.get(value, value))


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _part_name(model, record: dict) -> str:
    """The name of the part an added or removed row was, from its audit record."""
    if model is SupportNeed:
        return str(SupportDomain(record["domain"]).label) if record.get("domain") in SupportDomain.values else ""
    if model is Attachment:
        kind = record.get("kind")
        return str(Attachment.Kind(kind).label) if kind in Attachment.Kind.values else (kind or "")
    if model is BudgetLine:
        return _("year %(year)s, %(amount)s €") % {"year": record.get("year"),
                                                     "amount": _amount(record.get("amount"))}
    return record.get("name") or record.get("title") or ""


def describe_change(event) -> Change:
    """`event` (one of `info_request_changes`) in words, in the active language."""
    model, sentence = _CHANGE_SENTENCES.get(event.action, (None, event.action))
    before, after = event.before or {}, event.after or {}
    if "%(name)s" not in str(sentence):
        what = str(sentence)
    else:
        what = str(sentence) % {"name": _part_name(model, after or before)}
    fields = []
    if event.action == "applications.saved" or event.action.endswith("_changed"):
        for key in dict.fromkeys([*before, *after]):
            if key in _POINTERS:
                continue
            field = _field(model, key)
            label = str(field.verbose_name) if field is not None else key
            fields.append(FieldChange(label[:1].upper() + label[1:], _shown(field, before.get(key)),
                                      _shown(field, after.get(key))))
    return Change(event=event, what=what, fields=fields)
