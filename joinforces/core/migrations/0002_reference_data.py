"""PostgreSQL extensions the platform needs, the audit log made append-only in the database,
and the reference lists (territories from INSEE's COG, themes) loaded from core/data/."""

from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension
from django.db import migrations

from joinforces.core.reference import load_reference_data as load


def load_reference_data(apps, schema_editor):
    load(apps.get_model("core", "Territory"), apps.get_model("core", "Theme"))


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
