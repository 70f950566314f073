"""Demo data of applications, loaded by `python manage.py seed_demo` (idempotent), in French, built
through the services as applicants, staff and committee members would:

- a past call ("Appel 2026 — Premiers pas"), closed, whose committee reviewed every application and
  whose decisions are published (two selected, one waitlisted, two declined), letters included;
- the open call ("Appel 2027 — Unir nos forces") with a dozen applications in various states, a
  committee of four and its first round under way: reviews not started, in draft, submitted and set
  aside after a declared conflict, a request for more information and a pending decision.

seed_demo runs in one transaction, so each part is either all there or not at all: a part that finds
its call (past call) or its round (open call) already there is skipped.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from joinforces.accounts.demo import demo_user
from joinforces.accounts.models import Role, User

from . import services
from .models import (
    Application,
    Call,
    CommitteeMembership,
    ConflictDeclaration,
    Decision,
    Outcome,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewRound,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RNA, SIREN = "W751234567", "732829320"

# name, kind, main purpose, programme integration, territories, governance and shares, decisions,
# final state ("submit", "draft", "incomplete", "withdraw"), owner ("demo" = the demo applicant).
APPLICATIONS = [
    ("Collectif Solidarités Alimentaires du Nord", "coalition", "joint_programmes", "joint", ["59", "62"],
     ("one_member_one_vote", None), ("decided", "decided"), "submit", "demo"),
    ("Alliance Logement d’Abord Occitanie", "alliance", "joint_programmes", "coordinated", ["31", "34", "R76"],
     ("weighted", ("30", "30", "40")), ("decided", "decided", "decided"), "submit", None),
    ("Fusion des chantiers d’insertion de l’Hérault", "merger_absorption", "consolidation", "joint", ["34"],
     ("", None), ("decided", "decided"), "submit", None),
    ("Transmission de la Maison des aidants du Gers", "transmission", "consolidation", "joint", ["32"],
     ("", None), ("decided", "decided"), "submit", None),
    ("Coalition pour un logement digne", "coalition", "advocacy", "none", ["75"],
     ("consensus", None), ("decided", "decided"), "submit", None),
    ("Réseau national des Maisons du Lien", "collective", "affiliate_network", "coordinated", ["69", "13"],
     ("one_member_one_vote", None), ("decided", "decided"), "submit", None),
    ("Consortium Appels à projets Grand Est", "collective", "calls_for_projects", "none", ["67"],
     ("one_member_one_vote", None), ("decided", "decided"), "submit", None),
    ("Alliance Mobilité Solidaire", "alliance", "joint_programmes", "joint", ["44"],
     ("weighted", ("60", "20", "20")), ("decided", "decided", "decided"), "submit", None),
    ("Collectif des aidants du Val d’Adour", "coalition", "joint_programmes", "joint", ["65", "32"],
     ("consensus", None), ("decided", "in_progress"), "submit", None),
    ("Collectif Culture en ruralité", "coalition", "joint_programmes", "articulated", ["23"],
     ("consensus", None), ("decided", "decided"), "draft", None),
    ("Collectif Numérique Bretagne", "coalition", "", "", [], ("", None), (), "incomplete", "demo"),
    ("Coalition Jeunesse Val-de-Marne", "coalition", "joint_programmes", "joint", ["94"],
     ("one_member_one_vote", None), ("decided", "decided"), "withdraw", "demo"),
]
MEMBER_NAMES = ["Association Solidarité {city}", "Réseau d’entraide {city}", "Maison des associations {city}"]
CITIES = {"59": "Lille", "31": "Toulouse", "34": "Montpellier", "32": "Auch", "75": "Paris", "69": "Lyon",
          "67": "Strasbourg", "44": "Nantes", "65": "Tarbes", "23": "Guéret", "94": "Créteil",
          "07": "Privas", "33": "Bordeaux", "42": "Saint-Étienne", "21": "Dijon", "76": "Rouen", "29": "Quimper"}
ROLES = {"merger_absorption": ["absorbing", "absorbed"], "transmission": ["member", "member"]}


# The committee of both calls: the demo committee account (chair), and three more members who are not
# role accounts of the README's table (not printed by seed_demo, same password, MFA asked at log-in).
COMMITTEE_MEMBERS = [
    ("comite2@comite.demo.joinforces.fr", "Nadia", "Benali"),
    ("comite3@comite.demo.joinforces.fr", "Paul", "Lefèvre"),
    ("comite4@comite.demo.joinforces.fr", "Inès", "Garnier"),
]

# The past call: name, kind, purpose, integration, territories, governance, decisions, owner, and
# the planned outcome with the reviewers' scores (one per criterion) and recommendation.
PAST_SLUG = "appel-2026-premiers-pas"
PAST_ROUND = "Tour de sélection 2026"
PAST_APPLICATIONS = [
    ("Collectif Bien Vieillir en Ardèche", "coalition", "joint_programmes", "joint", ["07"],
     ("one_member_one_vote", None), ("decided", "decided"), "demo",
     (Outcome.SELECTED, (5, 4, 5, 5, 4, 4), Recommendation.FUND)),
    ("Fusion des épiceries solidaires de Gironde", "merger_absorption", "consolidation", "joint", ["33"],
     ("", None), ("decided", "decided"), None,
     (Outcome.SELECTED, (4, 5, 4, 4, 4, 5), Recommendation.FUND)),
    ("Alliance Alimentation Solidaire Occitanie", "alliance", "joint_programmes", "joint", ["34", "31"],
     ("consensus", None), ("decided", "decided"), None,
     (Outcome.SELECTED, (5, 5, 4, 4, 5, 4), Recommendation.FUND)),
    ("Transmission de la Ressourcerie du Finistère", "transmission", "consolidation", "joint", ["29"],
     ("", None), ("decided", "decided"), None,
     (Outcome.SELECTED, (4, 4, 4, 5, 4, 4), Recommendation.FUND)),
    ("Alliance Petite Enfance Loire", "coalition", "joint_programmes", "joint", ["42"],
     ("consensus", None), ("decided", "decided"), None,
     (Outcome.WAITLISTED, (4, 3, 3, 4, 3, 3), Recommendation.DISCUSS)),
    ("Coalition Sport et Handicap en Bourgogne", "coalition", "joint_programmes", "joint", ["21"],
     ("one_member_one_vote", None), ("decided", "decided"), None,
     (Outcome.DECLINED, (3, 2, 2, 3, 2, 2), Recommendation.DO_NOT_FUND)),
    # Redistributes funds through calls for projects: one of the five exclusions (screened ineligible).
    ("Consortium Appels à projets Normandie", "collective", "calls_for_projects", "none", ["76"],
     ("one_member_one_vote", None), ("decided", "decided"), None,
     (None, (2, 2, 1, 2, 1, 1), Recommendation.DO_NOT_FUND)),
]

# The themes of the applications that are not about social action in general.
THEMES = {
    "Alliance Alimentation Solidaire Occitanie": ["food", "social_action"],
    "Transmission de la Ressourcerie du Finistère": ["environment", "employment_inclusion"],
    "Collectif Bien Vieillir en Ardèche": ["ageing", "social_action"],
}

OPEN_ROUND = "Premier tour de sélection"


def seed(context):
    now = timezone.now()
    _seed_past_call(context, now)
    call, _created = Call.objects.get_or_create(slug="appel-2027-unir-nos-forces", defaults={
        "title": "Appel 2027 — Unir nos forces",
        "description": "JOIN FORCES finance sur trois ans au plus les frais de fonctionnement liés au caractère "
                       "collectif des coalitions, alliances et rapprochements d’acteurs de l’intérêt général.",
        "opens_at": now - timedelta(days=10), "closes_at": now + timedelta(days=45),
        "budget_envelope": Decimal("1500000.00"), "max_years": 3,
    })
    if not call.is_open(now):
        return  # a demo database kept past the call's closing: its applications stay as they were
    for index, spec in enumerate(APPLICATIONS):
        name, owner = spec[0], spec[-1]
        if Application.objects.filter(call=call, name=name).exists():
            continue
        user = context.users[Role.APPLICANT] if owner == "demo" else _demo_applicant(index)
        _build(call, user, *spec[:-1])
    _seed_open_round(context, call, now)


def _demo_applicant(index) -> User:
    # Not a role account of the README's table: another team's applicant, not printed by seed_demo.
    return demo_user(f"collectif{index + 1}@porteurs.demo.joinforces.fr", "Porteur", f"n° {index + 1}",
                     [Role.APPLICANT])


def _build(call, user, name, kind, purpose, integration, territories, governance, decisions, state):
    application = services.application_start(call=call, actor=user)
    services.application_save(application=application, actor=user, name=name, kind=kind or "")
    if state == "incomplete":
        return
    consolidation = kind in ("merger_absorption", "transfer_takeover", "transmission")
    mode, shares = governance
    city = CITIES.get(territories[0], "France") if territories else "France"
    services.application_save(
        application=application, actor=user, themes=THEMES.get(name, ["social_action"]),
        summary=f"{name} : des organisations qui ont décidé d’agir ensemble sur leur territoire.",
        main_purpose=purpose, temporary=False, does_advocacy=purpose == "advocacy", years_together=3,
        governance=mode, why_together="Mettre en commun nos savoir-faire au service des mêmes personnes.",
        years=2, amount_requested=Decimal("80000.00"), consent_public=True, sworn_statement=True,
    )
    roles = ROLES.get(kind, ["lead", "member", "member"])
    members = []
    for position, status in enumerate(decisions):
        members.append(services.member_add(
            application=application, actor=user, position=position,
            name=MEMBER_NAMES[position % len(MEMBER_NAMES)].format(city=city), legal_form="association",
            non_profit=True, role=roles[min(position, len(roles) - 1)], identifier=RNA if position % 2 else SIREN,
            annual_budget=Decimal("250000.00"), staff_count=6,
            voting_share=Decimal(shares[position]) if shares else None,
            decision_status=status, decision_date=date(2025, 3, 1) + timedelta(days=position) if status == "decided"
            else None, decision_form="board_decisions", contribution="Ses bénévoles et son ancrage local.",
        ))
    services.programme_add(application=application, actor=user, title=f"Programme commun — {city}",
                           integration=integration, territories=territories,
                           members_involved=members if integration != "none" else members[:1],
                           beneficiaries="Personnes accompagnées par les membres")
    for year in (1, 2):
        services.budget_line_add(application=application, actor=user, year=year, category="coordination_staff",
                                 label="Coordination du collectif", amount=Decimal("35000.00"))
        services.budget_line_add(application=application, actor=user, year=year, category="facilitation",
                                 amount=Decimal("5000.00"))
    services.support_need_set(application=application, actor=user, domain="facilitation",
                              description="Animer la gouvernance partagée", days=Decimal("4"))
    if consolidation:
        services.support_need_set(application=application, actor=user, domain="legal",
                                  description="Sécuriser le traité de fusion", days=Decimal("3"))
    for kind_code in ("statutes", "accounts"):
        services.attachment_add(application=application, actor=user, kind=kind_code,
                                file=ContentFile(PDF, name=f"{kind_code}.pdf"))
    if state in ("submit", "withdraw"):
        services.application_submit(application=application, actor=user)
    if state == "withdraw":
        application.refresh_from_db()
        services.application_withdraw(application=application, actor=user, reason="Le projet est reporté.")


# --- The selection committee ------------------------------------------------------------------------


def _committee(context) -> list[User]:
    """The chair (the demo committee account) first, then the other members."""
    return [context.users[Role.COMMITTEE]] + [demo_user(email, first_name, last_name, [Role.COMMITTEE])
                                              for email, first_name, last_name in COMMITTEE_MEMBERS]


def _committee_set(call, members, staff) -> None:
    for position, member in enumerate(members):
        services.committee_member_add(call=call, user=member, actor=staff, is_chair=position == 0)


def _screen(call) -> None:
    """Screen the call's submitted applications now: in a normal flow the screening runs after the
    commit of each submission, but the round and the decisions below need it within this transaction.
    The task that runs after the commit then finds the same case and leaves the screening as it is."""
    for application in Application.objects.filter(call=call).exclude(status__in=["draft", "withdrawn"]):
        services.application_screen(application=application, actor=None, only_if_changed=True)


def _assignments(review_round, application) -> list[ReviewAssignment]:
    return list(ReviewAssignment.objects.filter(round=review_round, application=application)
                .select_related("reviewer", "application").order_by("reviewer__email"))


def _review(assignment, scores, recommendation="", suggested_amount=None, comment="", submit=True) -> Review:
    """The reviewer declares no conflict, opens their review, scores it (all or some criteria) and
    submits it, as on /comite/."""
    reviewer, application = assignment.reviewer, assignment.application
    if not ConflictDeclaration.objects.filter(application=application, reviewer=reviewer).exists():
        services.conflict_declare(application=application, reviewer=reviewer, has_conflict=False)
    review = services.review_start(assignment=assignment, actor=reviewer)
    fields = dict(zip(ReviewCriterion.values, scores, strict=False))
    if scores:
        fields["sincerity_comment"] = ("Les membres se connaissent et travaillent déjà ensemble."
                                       if scores[0] >= 4 else "L’envie d’agir ensemble reste à démontrer.")
    if recommendation:
        fields.update(recommendation=recommendation, suggested_amount=suggested_amount,
                      general_comment=comment or "Dossier clair ; budget cohérent avec le projet collectif.")
    services.review_save(review=review, actor=reviewer, **fields)
    if submit:
        services.review_submit(review=review, actor=reviewer)
    return review


def _seed_past_call(context, now) -> None:
    """A call closed months ago, reviewed and decided, its decisions published with their letters."""
    # Applications are submitted only while their call is open (the service checks it to the second):
    # the call is created open, its applications submitted, reviewed and decided, then its dates and
    # those of its round are moved to the past with queryset updates (no service moves a call's dates
    # backwards, and a demo needs a call that already happened).
    call, created = Call.objects.get_or_create(slug=PAST_SLUG, defaults={
        "title": "Appel 2026 — Premiers pas",
        "description": "Le premier appel de JOIN FORCES : les frais de fonctionnement des collectifs qui ont "
                       "choisi d’agir ensemble, sur trois ans au plus.",
        "opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=1),
        "budget_envelope": Decimal("600000.00"), "max_years": 3,
    })
    if not created:
        return  # built whole by an earlier run (seed_demo is one transaction)
    staff = context.users[Role.STAFF]
    plans = {}
    for index, spec in enumerate(PAST_APPLICATIONS):
        name, owner, plan = spec[0], spec[-2], spec[-1]
        user = context.users[Role.APPLICANT] if owner == "demo" else _demo_applicant(len(APPLICATIONS) + index)
        _build(call, user, *spec[:-2], "submit")
        plans[name] = plan
    _screen(call)
    members = _committee(context)[:3]
    _committee_set(call, members, staff)
    review_round = services.review_round_open(call=call, title=PAST_ROUND, deadline=now + timedelta(days=10),
                                              actor=staff, reviewers_per_application=2)
    services.review_assign_balanced(review_round=review_round, actor=staff)
    applications = {a.name: a for a in review_round.applications.all()}
    for name, (_outcome, scores, recommendation) in plans.items():
        for shift, assignment in enumerate(_assignments(review_round, applications[name])):
            varied = tuple(max(1, min(5, score - shift * (position % 2))) for position, score in enumerate(scores))
            _review(assignment, varied, recommendation,
                    Decimal("40000.00") if recommendation == Recommendation.FUND else None)
    # Staff decline the applications screened ineligible, the exclusion criteria as reasons ...
    services.decisions_decline_ineligible(review_round=review_round, actor=staff)
    # ... and the chair records the others, as on /comite/.
    chair = members[0]
    decided = {
        Outcome.SELECTED: {"amount_per_year": Decimal("40000.00"), "years": 3,
                           "rationale": "Collectif solide, ancrage local fort, besoin de fonctionnement avéré."},
        Outcome.WAITLISTED: {"rationale": "Dossier intéressant ; l’enveloppe ne permet pas de le retenir à ce stade."},
        Outcome.DECLINED: {"reasons": "Le projet collectif reste à construire : les programmes des membres ne sont "
                                      "pas encore articulés et le budget ne distingue pas les coûts du collectif.",
                           "rationale": "Notes faibles sur l’alignement et l’adéquation du besoin."},
    }
    for name, (outcome, _scores, _recommendation) in plans.items():
        if outcome is not None and not applications[name].decisions.exists():
            services.decision_record(application=applications[name], review_round=review_round, outcome=outcome,
                                     actor=chair, **decided[outcome])
    published = services.round_publish(review_round=review_round, actor=staff)
    _move_to_the_past(call, review_round, now)
    # The letters: the task enqueued on commit would render them (eagerly with `make run`); render
    # them here so that they exist whatever runs the tasks. The task then finds each letter done and
    # each email already sent (one key per person).
    for decision in published:
        services.decision_letter_send(decision_id=decision.pk)


def _move_to_the_past(call, review_round, now) -> None:
    """Move the past call's timeline months back: opened 300 days ago, closed 240 days ago, reviewed
    in the following weeks, decided and published about 6 months ago. The audit log keeps the real
    moments (it is append-only)."""
    opens = now - timedelta(days=300)
    closes = now - timedelta(days=240)
    round_opened, deadline = closes + timedelta(days=7), closes + timedelta(days=40)
    decided, published = deadline + timedelta(days=5), deadline + timedelta(days=14)
    Call.objects.filter(pk=call.pk).update(opens_at=opens, closes_at=closes)
    for position, application in enumerate(Application.objects.filter(call=call).order_by("pk")):
        Application.objects.filter(pk=application.pk).update(
            submitted_at=closes - timedelta(days=10 - position), last_saved_at=closes - timedelta(days=10 - position))
    CommitteeMembership.objects.filter(call=call).update(added_at=round_opened - timedelta(days=3))
    ReviewRound.objects.filter(pk=review_round.pk).update(opened_at=round_opened, deadline=deadline,
                                                          published_at=published)
    ReviewAssignment.objects.filter(round=review_round).update(assigned_at=round_opened)
    ConflictDeclaration.objects.filter(application__call=call).update(declared_at=round_opened + timedelta(days=2),
                                                                      updated_at=round_opened + timedelta(days=2))
    Review.objects.filter(assignment__round=review_round).update(
        started_at=round_opened + timedelta(days=2), updated_at=deadline - timedelta(days=5),
        submitted_at=deadline - timedelta(days=5))
    Decision.objects.filter(round=review_round).update(decided_at=decided, published_at=published)


def _seed_open_round(context, call, now) -> None:
    """The open call's committee and its first round, under way: every state of a review shows."""
    if ReviewRound.objects.filter(call=call, title=OPEN_ROUND).exists():
        return  # built whole by an earlier run (seed_demo is one transaction)
    named = ["Collectif Solidarités Alimentaires du Nord", "Alliance Logement d’Abord Occitanie",
             "Fusion des chantiers d’insertion de l’Hérault", "Transmission de la Maison des aidants du Gers",
             "Réseau national des Maisons du Lien", "Collectif des aidants du Val d’Adour"]
    if Application.objects.filter(call=call, name__in=named, status__in=services.ROUND_INTAKE).count() < len(named):
        return  # a demo database whose applications were changed by hand: no round on top of it
    staff = context.users[Role.STAFF]
    members = _committee(context)
    chair = members[0]
    _committee_set(call, members, staff)
    _screen(call)
    review_round = services.review_round_open(call=call, title=OPEN_ROUND, deadline=now + timedelta(days=10),
                                              actor=staff, reviewers_per_application=2)
    services.review_assign_balanced(review_round=review_round, actor=staff)
    applications = {a.name: a for a in review_round.applications.all()}

    # Both reviews submitted; the chair records a decision, pending until staff publish the round.
    for assignment in _assignments(review_round, applications["Fusion des chantiers d’insertion de l’Hérault"]):
        _review(assignment, (5, 4, 4, 5, 4, 4), Recommendation.FUND, Decimal("45000.00"))
    services.decision_record(
        application=applications["Fusion des chantiers d’insertion de l’Hérault"], review_round=review_round,
        outcome=Outcome.SELECTED, amount_per_year=Decimal("45000.00"), years=3, actor=chair,
        rationale="Deux avis favorables ; la fusion sécurise les postes d’insertion du territoire.")
    for assignment in _assignments(review_round, applications["Alliance Logement d’Abord Occitanie"]):
        _review(assignment, (4, 3, 4, 3, 3, 4), Recommendation.DISCUSS, comment="À discuter : la répartition "
                "pondérée des voix donne beaucoup de poids à un seul membre.")
    # One review submitted; the other not started, or in draft if it is the chair's (so that the demo
    # committee account has a review of each kind in their own list).
    first, second = sorted(_assignments(review_round, applications["Transmission de la Maison des aidants du Gers"]),
                           key=lambda a: a.reviewer == chair)
    _review(first, (4, 4, 3, 4, 3, 4), Recommendation.FUND, Decimal("30000.00"))
    if second.reviewer == chair:
        _review(second, (4, 4), submit=False)

    # A review in draft, partly scored (the chair's if they review this one).
    drafts = _assignments(review_round, applications["Collectif des aidants du Val d’Adour"])
    draft = next((a for a in drafts if a.reviewer == chair), drafts[0])
    _review(draft, (4, 3, 4), submit=False)

    # A member starts reading, then recognises an organisation they sit on the board of: they declare
    # the conflict, their draft is set aside and the application disappears from their pages. Staff
    # assign another member, one by one.
    network = applications["Réseau national des Maisons du Lien"]
    reviewers = _assignments(review_round, network)
    conflicted = next((a for a in reviewers if a.reviewer != chair), reviewers[0])
    _review(conflicted, (3, 4), submit=False)
    organisation = network.members.order_by("position").last()
    services.conflict_declare(
        application=network, reviewer=conflicted.reviewer, has_conflict=True, organisations=[organisation],
        details=f"Je siège au conseil d’administration de « {organisation.name} ».")
    taken = {a.reviewer_id for a in reviewers}
    replacement = next(member for member in members if member.pk not in taken)
    services.review_assign(review_round=review_round, application=network, reviewer=replacement, actor=staff)

    # Staff ask the demo applicant's team for more information on their budget.
    services.info_request(
        application=applications["Collectif Solidarités Alimentaires du Nord"], steps=[6], actor=staff,
        message="Pouvez-vous détailler le poste « Coordination du collectif » : quel temps de travail, "
                "porté par quel membre ?")
