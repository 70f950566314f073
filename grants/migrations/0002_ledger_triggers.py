"""What the ledger's CHECK constraints cannot say, said by the database itself:

- ledger rows (entries and their attributions) are append-only: no UPDATE, no DELETE (PostgreSQL
  reuses core's `core_append_only()`; SQLite gets triggers of its own);
- on PostgreSQL, a grant's tranches add up to its total, checked at commit by a deferrable constraint
  trigger (so that a grant and its tranches can be written in any order within a transaction).
"""

from django.db import migrations

LEDGER_TABLES = ("grants_allocation", "grants_allocationpart")

POSTGRES_SQL = """
CREATE TRIGGER grants_allocation_append_only BEFORE UPDATE OR DELETE ON grants_allocation
  FOR EACH ROW EXECUTE FUNCTION core_append_only();
CREATE TRIGGER grants_allocationpart_append_only BEFORE UPDATE OR DELETE ON grants_allocationpart
  FOR EACH ROW EXECUTE FUNCTION core_append_only();

CREATE OR REPLACE FUNCTION grants_tranches_add_up() RETURNS trigger AS $$
DECLARE
  grant_ids bigint[];
  bad record;
BEGIN
  IF TG_TABLE_NAME = 'grants_grant' THEN
    grant_ids := ARRAY[NEW.id];
  ELSIF TG_OP = 'DELETE' THEN
    grant_ids := ARRAY[OLD.grant_id];
  ELSIF TG_OP = 'UPDATE' THEN
    grant_ids := ARRAY[NEW.grant_id, OLD.grant_id];
  ELSE
    grant_ids := ARRAY[NEW.grant_id];
  END IF;
  FOR bad IN
    SELECT g.id, g.total_amount, COALESCE(SUM(t.amount), 0) AS tranches
    FROM grants_grant g LEFT JOIN grants_tranche t ON t.grant_id = g.id
    WHERE g.id = ANY(grant_ids)
    GROUP BY g.id, g.total_amount
    HAVING COALESCE(SUM(t.amount), 0) <> g.total_amount
  LOOP
    RAISE EXCEPTION USING
      ERRCODE = 'check_violation',
      CONSTRAINT = 'grant_tranches_add_up_to_total',
      MESSAGE = 'grant ' || bad.id || ': tranches add up to ' || bad.tranches || ', not ' || bad.total_amount;
  END LOOP;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER grant_tranches_add_up_to_total AFTER INSERT OR UPDATE OR DELETE ON grants_tranche
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION grants_tranches_add_up();
CREATE CONSTRAINT TRIGGER grant_total_matches_tranches AFTER INSERT OR UPDATE ON grants_grant
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION grants_tranches_add_up();
"""

POSTGRES_REVERSE_SQL = """
DROP TRIGGER IF EXISTS grant_total_matches_tranches ON grants_grant;
DROP TRIGGER IF EXISTS grant_tranches_add_up_to_total ON grants_tranche;
DROP FUNCTION IF EXISTS grants_tranches_add_up();
DROP TRIGGER IF EXISTS grants_allocationpart_append_only ON grants_allocationpart;
DROP TRIGGER IF EXISTS grants_allocation_append_only ON grants_allocation;
"""


def sqlite_sql():
    statements = []
    for table in LEDGER_TABLES:
        for operation in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
            )
    return statements


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_SQL)
    elif vendor == "sqlite":
        for statement in sqlite_sql():
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE_SQL)
    elif vendor == "sqlite":
        for table in LEDGER_TABLES:
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_ledger"), ("core", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, backwards)]
