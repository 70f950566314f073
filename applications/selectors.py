"""Reads of applications, each in a fixed number of queries whatever the number of parts."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from .models import Application, MemberOrganisation, Programme, TeamMember


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
