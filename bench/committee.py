"""The committee's list for a call of 200 applications reviewed by a committee of ten (the issue's
"done means"): list page, sorted by average score, search, CSV export; for a member and for staff."""

from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone

APPLICATIONS, MEMBERS, PER_APPLICATION = 200, 10, 3


def build():
    """Rows only (no emails, no PDFs): a closed call, 200 applications in review with three members
    and a programme each, a committee of ten with TOTP, three assignments per application, reviews in
    every state and a conflict on every seventh application. Returns (member, staff)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from applications.models import (
        Application,
        Call,
        CommitteeMembership,
        ConflictDeclaration,
        MemberOrganisation,
        Programme,
        Review,
        ReviewAssignment,
        ReviewCriterion,
        ReviewRound,
        Status,
        TeamMember,
    )
    from joinforces.accounts.models import Role, RoleAssignment, User
    from joinforces.core.models import Territory

    now = timezone.now()
    owner = User.objects.create_user("bench-porteur@example.org", "x")
    staff = User.objects.create_user("bench-equipe@example.org", "x", is_staff=True)
    RoleAssignment.objects.create(user=staff, role=Role.STAFF)
    TOTP.activate(staff, generate_totp_secret())
    call = Call.objects.create(title="Appel de mesure", slug="appel-mesure", description="-",
                               opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=1),
                               budget_envelope=Decimal("5000000.00"))
    review_round = ReviewRound.objects.create(call=call, title="Tour de mesure", deadline=now + timedelta(days=10))
    members = []
    for n in range(MEMBERS):
        user = User.objects.create_user(f"bench-comite{n}@example.org", "x", is_staff=True)
        RoleAssignment.objects.create(user=user, role=Role.COMMITTEE)
        TOTP.activate(user, generate_totp_secret())
        CommitteeMembership.objects.create(call=call, user=user, is_chair=n == 0)
        members.append(user)
    territories = list(Territory.objects.filter(code__in=["59", "62", "R32", "34"]))
    scores = {code: 3 + (index % 3) for index, code in enumerate(ReviewCriterion.values)}
    for n in range(APPLICATIONS):
        application = Application.objects.create(
            call=call, created_by=owner, status=Status.IN_REVIEW, reference=f"JF-2099-{n + 1:04d}",
            submitted_at=now - timedelta(days=5), name=f"Collectif de mesure {n}", kind="coalition",
            amount_requested=Decimal("90000.00"))
        TeamMember.objects.create(application=application, user=owner, role=TeamMember.Role.OWNER)
        review_round.applications.add(application)
        orgs = [MemberOrganisation.objects.create(application=application, name=f"Association {n}-{m}",
                                                  legal_form="association", non_profit=True, role="member",
                                                  identifier="W751234567") for m in range(3)]
        programme = Programme.objects.create(application=application, title="Programme", integration="joint")
        programme.territories.set(territories[n % 3: n % 3 + 2])
        programme.members_involved.set(orgs)
        for k in range(PER_APPLICATION):
            reviewer = members[(n * PER_APPLICATION + k) % MEMBERS]
            assignment = ReviewAssignment.objects.create(round=review_round, application=application, reviewer=reviewer)
            conflicted = n % 7 == 0 and k == 2
            ConflictDeclaration.objects.create(application=application, reviewer=reviewer, has_conflict=conflicted)
            if k == 0 or (k == 1 and n % 2):
                Review.objects.create(assignment=assignment, status="submitted", submitted_at=now,
                                      recommendation="fund", **scores)
            elif k == 1:
                Review.objects.create(assignment=assignment, sincerity=4)
    return members[1], staff


def _ok(response):
    """A figure of a redirect or an error page would measure the wrong thing."""
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code} instead of 200")
    return response


def run(measure):
    member, staff = build()
    member_client, staff_client = Client(), Client()
    member_client.force_login(member)
    staff_client.force_login(staff)
    committee_list = "/comite/applications/application/"
    staff_list = "/admin/applications/application/"
    measure("GET /comite/ list (member, 200 apps)", lambda: _ok(member_client.get(committee_list)))
    measure("GET /comite/ list sorted by score", lambda: _ok(member_client.get(committee_list, {"o": "10"})))
    measure("GET /comite/ list search (org name)",
            lambda: _ok(member_client.get(committee_list, {"q": "Association 1"})))
    measure("GET /admin/ committee list (staff)", lambda: _ok(staff_client.get(staff_list)))
    measure("CSV export, 200 rows (staff)",
            lambda: b"".join(_ok(staff_client.get(staff_list + "export.csv")).streaming_content), repeat=20)
