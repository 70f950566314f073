"""Demo data of applications, loaded by `python manage.py seed_demo` (idempotent): an open call and
a dozen applications in various states, in French, built through the services as applicants would."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from joinforces.accounts.demo import demo_user
from joinforces.accounts.models import Role, User

from . import services
from .models import Application, Call

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
          "67": "Strasbourg", "44": "Nantes", "65": "Tarbes", "23": "Guéret", "94": "Créteil"}
ROLES = {"merger_absorption": ["absorbing", "absorbed"], "transmission": ["member", "member"]}


def seed(context):
    now = timezone.now()
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
        application=application, actor=user, themes=["social_action"],
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
