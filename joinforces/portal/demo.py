"""Demo data of the portal, loaded last by `python manage.py seed_demo` (idempotent): the history that
the indicators, the annual reports and the public pages of what we learned read, on top of what the
other apps' demos left — the anonymous counts of the public self-assessment week by week since it
opened last year, one screening of the open call overridden by staff with its reason, and the lessons
staff wrote (published for last year and this year, one still a draft)."""

from datetime import date, timedelta

from django.utils import timezone

from eligibility.models import Screening, SelfAssessmentTally
from eligibility.services import screening_override
from joinforces.accounts.models import Role

from . import lessons
from .models import Lesson

# Per week: eligible, ineligible, needs review; then the exclusions met (criterion → count).
WEEKLY = [
    (3, 2, 1, {"advocacy_only": 1, "fundraising_consortium": 1}),
    (2, 3, 1, {"ralliance": 2, "federation": 1}),
    (4, 1, 2, {"off_ground": 1}),
    (1, 4, 0, {"fundraising_consortium": 2, "advocacy_only": 1, "ralliance": 1}),
]

LESSONS = [
    (-1, 0, True, "Beaucoup de collectifs se reconnaissent dans « rallier »",
     "Avant même le premier appel, un tiers des auto-évaluations qui concluaient à une exclusion relevaient "
     "une relation asymétrique entre une structure qui entraîne et des partenaires qui suivent. Nous avons "
     "réécrit la question sur la gouvernance pour qu’elle parle d’égalité des voix plutôt que de « chef de file ».",
     "Many collectives recognise themselves in “rallying”",
     "Even before the first call, a third of the self-assessments that ended in an exclusion found an "
     "unequal relationship between one organisation leading and partners following. We rewrote the question "
     "on governance so that it speaks of equal votes rather than of a “lead partner”."),
    (0, 0, True, "Décider ensemble prend du temps, et c’est bon signe",
     "Les collectifs retenus ont mis en moyenne plusieurs mois entre leur première réunion et la décision de "
     "chaque conseil d’administration. Nous laissons désormais une étape « engagement » ouverte plus longtemps "
     "et nous demandons la date de chaque décision plutôt qu’un document unique.",
     "Deciding together takes time, and that is a good sign",
     "The collectives selected took several months on average between their first meeting and each board's "
     "decision. We now keep the “commitment” step open longer and ask for the date of each decision rather "
     "than a single document."),
    (0, 1, True, "La médiation est demandée plus tôt qu’attendu",
     "Les premiers jours d’accompagnement ont surtout servi à la facilitation et à la médiation, dès les "
     "premiers mois de la subvention. Le centre de ressources élargit son vivier de médiatrices et médiateurs "
     "en région.",
     "Mediation is asked for earlier than expected",
     "The first days of support went mostly to facilitation and mediation, from the first months of the "
     "grant. The resource centre is widening its pool of mediators in the regions."),
    (0, 2, False, "Brouillon : les indicateurs libres sont difficiles à additionner",
     "À reprendre avant publication : proposer une liste d’indicateurs communs.", "", ""),
]

OVERRIDE_REASON = ("Après échange avec l’équipe, les membres ont tous voté l’adhésion au collectif ; le "
                   "procès-verbal manquant a été reçu.")


def seed(context):
    staff = context.users.get(Role.STAFF)
    _tallies()
    _override(staff)
    _lessons(staff)


def _tallies():
    """A week of counts every fortnight, from March last year to this week."""
    today = timezone.localdate()
    week = date(today.year - 1, 3, 2)
    week -= timedelta(days=week.weekday())
    index = 0
    while week <= today:
        eligible, ineligible, review, exclusions = WEEKLY[index % len(WEEKLY)]
        rows = [("verdict", "eligible", eligible), ("verdict", "ineligible", ineligible),
                ("verdict", "needs_review", review)]
        rows += [(criterion, "exclude", count) for criterion, count in exclusions.items()]
        for criterion, result, count in rows:
            SelfAssessmentTally.objects.get_or_create(week=week, criterion=criterion, result=result,
                                                      defaults={"count": count})
        week += timedelta(weeks=2)
        index += 1


def _override(staff):
    """Staff confirm an application of the open call that the rules left to review."""
    screening = (Screening.objects.filter(application__isnull=False, verdict="needs_review")
                 .order_by("application__reference").first())
    if screening is not None and not Screening.objects.exclude(override_verdict="").filter(
            application__isnull=False).exists():
        screening_override(screening=screening, verdict="eligible", reason=OVERRIDE_REASON, actor=staff)


def _lessons(staff):
    this_year = timezone.localdate().year
    for offset, position, published, title_fr, text_fr, title_en, text_en in LESSONS:
        year = this_year + offset
        if Lesson.objects.filter(year=year, title_fr=title_fr).exists():
            continue
        lesson = Lesson(year=year, position=position, title_fr=title_fr, text_fr=text_fr, title_en=title_en,
                        text_en=text_en, published=published)
        lessons.lesson_save(lesson=lesson, actor=staff, created=True)
