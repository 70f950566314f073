"""The public page of what we learned (no login): the year's non-personal figures and the lessons
staff published; nothing unconsented, confidential or personal; a fixed number of queries."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from joinforces.core.models import AuditEvent
from joinforces.portal import lessons
from joinforces.portal.models import Lesson
from tests.grants.factories import LAST_YEAR, THIS_YEAR

from .portfolio import build_portfolio

pytestmark = pytest.mark.django_db


def url(year=THIS_YEAR):
    return reverse("portal:learned_year", args=[year])


@pytest.fixture
def portfolio(staff):
    case = build_portfolio(staff)
    published = Lesson.objects.create(year=THIS_YEAR, title_fr="Les coalitions décident lentement",
                                      title_en="Coalitions decide slowly", text_fr="Prévoir six mois.",
                                      text_en="Plan six months.", published=True, published_at=timezone.now())
    Lesson.objects.create(year=THIS_YEAR, title_fr="Brouillon interne", text_fr="Pas encore.")
    Lesson.objects.create(year=LAST_YEAR, title_fr="Leçon de l’an dernier", text_fr="Autre année.", published=True,
                          published_at=timezone.now())
    return {**case, "lesson": published}


def test_the_years_figures_and_published_lessons_for_anyone(portfolio, client):
    response = client.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1 class=\"h2\">Ce que nous avons appris en {THIS_YEAR}</h1>" in html
    assert "Les coalitions décident lentement" in html and "Prévoir six mois." in html
    assert "Brouillon interne" not in html and "Leçon de l’an dernier" not in html
    assert "Personnes touchées" in html and ">250<" in html
    assert 'id="territories-caption"' in html and 'id="exclusions-caption"' in html


def test_nothing_unconsented_confidential_or_personal(portfolio, client):
    html = client.get(url()).content.decode()
    for secret in ("Collectif Discret", "Résumé confidentiel",  # an initiative that did not consent
                   "Collectif Ouvert",  # the page names no initiative at all: totals only
                   "Fondation Secrète",  # an anonymous donor
                   "La gouvernance de Candidat Deux", "Candidat Deux", "JF-",  # overrides and applications
                   "@"):  # no email address of anybody
        assert secret not in html.replace("bonjour@joinforces.fr", ""), secret
    emails = get_user_model().objects.values_list("email", flat=True)
    assert not any(email in html for email in emails)
    assert "/equipe/" not in html  # no staff link leaks either


def test_english_lessons_fall_back_to_french(portfolio, client):
    Lesson.objects.filter(pk=portfolio["lesson"].pk).update(title_en="")
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url()).content.decode()
    assert "What we learned in" in html  # the page is in English
    assert "Les coalitions décident lentement" in html  # no English title: the French one
    assert "Plan six months." in html and "Prévoir six mois." not in html


def test_the_index_lists_the_years_and_an_unknown_year_is_a_404(portfolio, client):
    html = client.get(reverse("portal:learned_index")).content.decode()
    assert url(THIS_YEAR) in html
    assert client.get(url(1999)).status_code == 404
    assert client.get(url(THIS_YEAR + 1)).status_code == 404


def test_the_footer_links_the_page(client):
    assert f'href="{reverse("portal:learned_index")}"' in client.get("/").content.decode()


def test_publishing_and_withdrawing_a_lesson_is_audited(staff):
    lesson = Lesson.objects.create(year=THIS_YEAR, title_fr="À publier", text_fr="Texte.")
    lessons.lesson_publish(lesson=lesson, actor=staff)
    lesson.refresh_from_db()
    assert lesson.published and lesson.published_at is not None
    lessons.lesson_publish(lesson=lesson, actor=staff)  # twice changes nothing
    lessons.lesson_publish(lesson=lesson, actor=staff, published=False)
    lesson.refresh_from_db()
    assert not lesson.published and lesson.published_at is None
    actions = (AuditEvent.objects.filter(target_id=str(lesson.pk), action__startswith="portal.")
               .order_by("pk").values_list("action", flat=True))
    assert list(actions) == ["portal.lesson_published", "portal.lesson_withdrawn"]


def test_a_published_lesson_needs_its_date():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Lesson.objects.create(year=THIS_YEAR, title_fr="Sans date", text_fr="—", published=True)


def test_staff_write_lessons_in_the_admin(staff_client, staff):
    response = staff_client.post(reverse("admin:portal_lesson_add"), {
        "year": THIS_YEAR, "position": 0, "title_fr": "Écrit dans l’admin", "text_fr": "Texte.", "title_en": "",
        "text_en": "", "published": "on"})
    assert response.status_code == 302
    lesson = Lesson.objects.get(title_fr="Écrit dans l’admin")
    assert lesson.author == staff and lesson.published_at is not None
    assert AuditEvent.objects.filter(action="portal.lesson_created", target_id=str(lesson.pk)).exists()


def test_a_fixed_number_of_queries_whatever_the_data(staff, client, django_assert_max_num_queries):
    build_portfolio(staff)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url()).status_code == 200
        return len(context.captured_queries)

    small = count()
    for number in range(9):
        build_portfolio(staff, suffix=f" {number}")
        Lesson.objects.create(year=THIS_YEAR, title_fr=f"Leçon {number}", text_fr="—", published=True,
                              published_at=timezone.now())
    assert count() == small
    with django_assert_max_num_queries(27):
        client.get(url())
