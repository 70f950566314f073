"""Reads of the public page "what we learned" (no login): for a year, the indicators that are neither
personal nor confidential, and the lessons staff published.

What is left out, on purpose: the overrides' written reasons and the applications they concern (staff
notes about named collectives), any initiative's name (only aggregated figures), any donor (the
fund's money appears as totals only, by theme, kind and région). The lessons are written anonymised
by staff and appear only once published."""

from grants.dashboards import Period

from . import indicators
from .models import Lesson


def public_years() -> list[int]:
    """The years that have a public page, newest first."""
    return indicators.years()


def public_year(year: int) -> dict:
    ind = indicators.indicators(Period(year))
    ind.selection.override_rows = []  # their reasons are staff notes on named collectives
    return {"ind": ind, "year": year, "lessons": list(Lesson.objects.published().filter(year=year)),
            "years": public_years(), "public": True}
