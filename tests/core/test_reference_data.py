"""The reference lists are complete (loaded by a migration from vendored files)."""

import pytest

from joinforces.core.models import Territory, Theme

pytestmark = pytest.mark.django_db

THEMES = ["social_action", "housing", "health", "disability", "education_youth", "employment_inclusion",
          "environment", "food", "culture_heritage", "sport", "ageing", "digital_inclusion", "rights_citizenship",
          "international_solidarity", "research"]


def test_counts():
    assert Territory.objects.filter(kind="region").count() == 18
    assert Territory.objects.filter(kind="departement").count() == 101
    assert Territory.objects.filter(kind="collectivite").count() == 6
    assert Theme.objects.count() == 15


def test_codes_follow_the_case_schema():
    codes = set(Territory.objects.values_list("code", flat=True))
    assert {"01", "2A", "2B", "95", "971", "974", "976", "R76", "R11", "R94", "R06"} <= codes
    assert set(Territory.objects.filter(kind="collectivite").values_list("code", flat=True)) == {
        "975", "977", "978", "986", "987", "988"}
    assert not codes & {"20", "984", "989", "R975"}


def test_every_departement_belongs_to_its_region():
    assert not Territory.objects.filter(kind="departement", region__isnull=True).exists()
    assert Territory.objects.get(code="31").region.code == "R76"
    assert Territory.objects.get(code="2A").region.name == "Corse"
    assert Territory.objects.get(code="974").region.code == "R04"
    assert Territory.objects.get(code="R84").departements.count() == 12


def test_themes_have_stable_codes_in_order_and_both_languages():
    from django.utils import translation

    assert list(Theme.objects.values_list("code", flat=True)) == THEMES
    housing = Theme.objects.get(code="housing")
    with translation.override("fr"):
        assert housing.name == "Logement"
    with translation.override("en"):
        assert housing.name == "Housing"
