"""The demo gives the indicators, the annual reports of this year and last year, and the public pages
something real to show."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from grants.dashboards import Period
from joinforces.portal import annual_report, indicators
from joinforces.portal.models import Lesson
from tests.grants.factories import LAST_YEAR, THIS_YEAR

pytestmark = pytest.mark.django_db


def test_the_demo_history(client):
    call_command("seed_demo")
    this_year = indicators.indicators(Period(THIS_YEAR))
    assert this_year.selection.received >= 10 and this_year.selection.overrides == 1
    assert this_year.selection.self_assessments > 0 and this_year.selection.self_assessment_exclusions
    assert this_year.selection.decided > 0 and this_year.selection.median_days is not None
    assert this_year.reported.reports >= 1 and this_year.reported.people > 0
    assert this_year.support.days > 0 and this_year.money.allocated > 0 and this_year.by_theme
    last_year = indicators.indicators(Period(LAST_YEAR))
    assert last_year.selection.self_assessments > 0 and last_year.money.received > 0
    context = annual_report.report_context(THIS_YEAR)
    assert context["calls"] and context["decisions_total"] > 0 and context["lessons"]
    assert Lesson.objects.filter(published=False).exists()
    html = client.get(reverse("portal:learned_year", args=[THIS_YEAR])).content.decode()
    assert "Décider ensemble prend du temps" in html and "Brouillon" not in html
    html = client.get(reverse("portal:learned_year", args=[LAST_YEAR])).content.decode()
    assert "rallier" in html
