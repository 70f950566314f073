"""Loading the reference lists from the vendored data files (used by migration core.0002).

Idempotent: it updates rows in place, so it can run again on an existing database (tests that
flush the database reload it this way).
"""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
# Overseas collectivities kept (DESIGN §5); 984 (TAAF) and 989 (Clipperton) have no inhabitants' organisations.
COLLECTIVITES = {"975", "977", "978", "986", "987", "988"}


def load_reference_data(Territory, Theme) -> None:
    regions = json.loads((DATA / "regions.json").read_text(encoding="utf-8"))
    departements = json.loads((DATA / "departements.json").read_text(encoding="utf-8"))
    by_insee = {}
    for row in regions:
        if row["zone"] in ("metro", "drom"):
            region, _ = Territory.objects.update_or_create(
                code=f"R{row['code']}", defaults={"insee_code": row["code"], "name": row["nom"], "kind": "region"}
            )
            by_insee[row["code"]] = region
    for row in departements:
        if row["zone"] in ("metro", "drom"):
            Territory.objects.update_or_create(
                code=row["code"],
                defaults={"insee_code": row["code"], "name": row["nom"], "kind": "departement",
                          "region": by_insee[row["region"]]},
            )
        elif row["code"] in COLLECTIVITES:
            Territory.objects.update_or_create(
                code=row["code"], defaults={"insee_code": row["code"], "name": row["nom"], "kind": "collectivite"}
            )
    themes = json.loads((DATA / "themes.json").read_text(encoding="utf-8"))
    for position, row in enumerate(themes):
        Theme.objects.update_or_create(
            code=row["code"], defaults={"name_fr": row["fr"], "name_en": row["en"], "position": position}
        )
