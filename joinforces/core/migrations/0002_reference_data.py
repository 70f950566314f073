"""PostgreSQL extensions the platform needs, the audit log made append-only in the database,
and the reference lists (territories from INSEE's COG, themes) loaded from core/data/."""

import json
from pathlib import Path

from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension
from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
# Overseas collectivities kept (DESIGN §5); 984 (TAAF) and 989 (Clipperton) have no inhabitants' organisations.
COLLECTIVITES = {"975", "977", "978", "986", "987", "988"}


def load_reference_data(apps, schema_editor):
    Territory = apps.get_model("core", "Territory")
    Theme = apps.get_model("core", "Theme")
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


APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION core_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
  BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION core_append_only();
"""
APPEND_ONLY_REVERSE_SQL = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
"""


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def append_only_reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_REVERSE_SQL)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        TrigramExtension(),
        migrations.RunPython(append_only, append_only_reverse),
        migrations.RunPython(load_reference_data, migrations.RunPython.noop),
    ]
