"""The public transparency page (no login): what the fund received and redistributed, the initiatives
it supports by theme and région, those that agreed to be listed, the donors who agreed to be named.
A fixed number of queries whatever the number of donations, grants and entries."""

from django.shortcuts import render

from joinforces.core import charts

from ..transparency import (
    initiatives_by_region,
    initiatives_by_theme,
    public_donors,
    public_figures,
    public_initiatives,
)


def transparency(request):
    themes, regions = initiatives_by_theme(), initiatives_by_region()
    return render(request, "grants/transparency.html", {
        "figures": public_figures(),
        "theme_chart": charts.bars((theme.name, theme.initiatives) for theme in themes),
        "region_map": charts.france_map((region.insee_code, region.name, region.initiatives) for region in regions),
        "initiatives": public_initiatives(),
        "donors": public_donors(),
    })
