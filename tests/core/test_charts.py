"""The server-drawn charts: geometry from figures (no database), coordinates written the SVG way in
every language, the map's colour steps and what it cannot draw, and the templates' tables."""

import re
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation

from joinforces.core import charts

D = Decimal


def test_bars_scale_to_the_largest_value():
    chart = charts.bars([("Alimentation", D("600.00")), ("Logement", D("300.00")), ("Rien", D("0.00"))])
    lengths = [float(row["length"]) for row in chart["rows"]]
    assert lengths[0] == 2 * lengths[1] and lengths[2] == 0
    assert [row["y"] for row in chart["rows"]] == ["0", "26", "52"]
    assert charts.bars([])["rows"] == []


def test_columns_have_one_group_per_bucket_and_three_ticks():
    chart = charts.columns(["2025", "2026"], [charts.Series("Reçu", (D("1000"), D("600"))),
                                              charts.Series("Attribué", (D("0"), D("950")))])
    assert [group["label"] for group in chart["groups"]] == ["2025", "2026"]
    assert [len(group["columns"]) for group in chart["groups"]] == [2, 2]
    assert [tick["value"] for tick in chart["ticks"]] == [D("0"), D("500"), D("1000")]
    tallest = max(float(c["height"]) for g in chart["groups"] for c in g["columns"])
    assert float(chart["groups"][0]["columns"][0]["height"]) == tallest
    assert chart["groups"][0]["columns"][1]["height"] == "0"


def test_coordinates_are_never_localised():
    """In French a float renders "12,5" and a large number "1 040": SVG needs "12.5" and "1040"."""
    chart = charts.bars([(f"Thème {n}", D(n * 7) + D("0.5")) for n in range(1, 60)])
    with translation.override("fr"):
        html = render_to_string("includes/charts/bars.html", {"chart": chart, "id": "t", "caption": "Légende",
                                                              "label": "Thème", "value_label": "Montant",
                                                              "money": True})
    attributes = re.findall(r'\s(?:x|y|width|height)="([^"]*)"', html)
    assert len(attributes) > 100 and all(re.fullmatch(r"-?[0-9]+(\.[0-9])?", value) for value in attributes)
    assert 'viewBox="0 0 520 1534"' in html  # 59 rows of 26
    assert "<table" in html and "Thème 59" in html


def test_the_map_colours_regions_in_steps_and_names_what_it_does_not_draw():
    chart = charts.france_map([("76", "Occitanie", D("1000")), ("11", "Île-de-France", D("100")),
                               ("04", "La Réunion", D("50"))])
    colours = {area["code"]: area["colour"] for area in chart["areas"]}
    assert len(chart["areas"]) == 13  # the metropolitan régions
    assert colours["76"] == charts.MAP_STEPS[-1] and colours["11"] == charts.MAP_STEPS[0]
    assert colours["84"] == charts.NO_DATA
    assert [row["name"] for row in chart["elsewhere"]] == ["La Réunion"]
    assert [step["high"] for step in chart["legend"]][-1] == D("1000")
    assert all(area["d"].startswith("M") and area["d"].endswith("Z") for area in chart["areas"])
    assert "IGN" in chart["attribution"]


def test_an_empty_map_has_no_legend_and_says_so():
    chart = charts.france_map([])
    assert chart["legend"] == [] and {area["colour"] for area in chart["areas"]} == {charts.NO_DATA}
    html = render_to_string("includes/charts/map.html", {"chart": chart, "id": "m", "caption": "Carte",
                                                         "label": "Région", "value_label": "Montant",
                                                         "empty": "Rien à montrer."})
    assert "Rien à montrer." in html and "<table" not in html and "IGN" in html


def test_departements_can_be_drawn_too():
    chart = charts.france_map([("31", "Haute-Garonne", 3), ("2A", "Corse-du-Sud", 1)], level="departements")
    colours = {area["code"]: area["colour"] for area in chart["areas"]}
    assert len(chart["areas"]) == 96 and colours["31"] == charts.MAP_STEPS[-1] and colours["2A"] != charts.NO_DATA


def test_the_legend_of_small_counts_keeps_tenths():
    chart = charts.france_map([("31", "Haute-Garonne", 1)], level="departements")
    assert [step["high"] for step in chart["legend"]] == [D("0.2"), D("0.4"), D("0.6"), D("0.8"), D("1")]
