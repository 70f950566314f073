"""Query counts of the reads that pages rest on: they do not grow with members or applications."""

from decimal import Decimal

import pytest

from applications.case import application_to_case
from applications.completeness import missing_items
from applications.models import BudgetLine, MemberOrganisation, Programme, TeamMember
from applications.selectors import application_with_parts, budget_by_year, team_applications
from joinforces.core.models import Territory

from .factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db


def grow(application, members):
    territories = list(Territory.objects.filter(code__in=["59", "62", "R32"]))
    created = [
        MemberOrganisation.objects.create(application=application, position=i, name=f"Membre {i}",
                                          legal_form="association", non_profit=True, role="member")
        for i in range(members)
    ]
    for i in range(members):
        programme = Programme.objects.create(application=application, title=f"Programme {i}", integration="joint")
        programme.territories.set(territories)
        programme.members_involved.set(created[:2])
        BudgetLine.objects.create(application=application, year=1 + i % 3, category="facilitation",
                                  amount=Decimal("100.00"))


@pytest.mark.parametrize("members", [2, 12])
def test_application_with_parts_then_case_and_completeness_in_a_fixed_number(members, django_assert_max_num_queries):
    application = ApplicationFactory()
    grow(application, members)
    user = application.created_by
    # 1 application (+ call, screening, creator) and 1 per part: themes, members, programmes,
    # their territories and members involved, budget lines, support needs, attachments, team (+ users).
    with django_assert_max_num_queries(11):
        loaded = application_with_parts(application.pk, user)
        application_to_case(loaded)
        missing_items(loaded)
        budget_by_year(loaded)


@pytest.mark.parametrize("count", [1, 10])
def test_team_applications_in_one_query(count, django_assert_max_num_queries, applicant):
    call = CallFactory()
    for _ in range(count):
        application = ApplicationFactory(call=call)
        TeamMember.objects.create(application=application, user=applicant)
        grow(application, 2)
    with django_assert_max_num_queries(1):
        rows = list(team_applications(applicant))
        assert [row.call.title for row in rows]
        assert all(row.member_count == 2 and row.team_size == 2 and row.team_role == "co_applicant" for row in rows)
    assert len(rows) == count
