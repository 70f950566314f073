"""An expert is never double-booked, even when two staff book at the same moment: on PostgreSQL an
exclusion constraint refuses two active bookings of one expert whose blocked ranges (the session and its
buffers) overlap. It needs the btree_gist extension (equality on the expert's id inside a GiST index).

SQLite has no exclusion constraints: there the operation does nothing and the booking service's check
(under the expert's row lock) is the guard. The model state is unchanged on purpose, so that
`makemigrations` stays quiet on both databases.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "booking_expert_no_overlap"
ACTIVE = ("proposed", "confirmed", "delivered")


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statuses = ", ".join(f"'{status}'" for status in ACTIVE)
    schema_editor.execute(
        f"ALTER TABLE support_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        f"(expert_id WITH =, tstzrange(blocked_start, blocked_end, '[)') WITH &&) "
        f"WHERE (status IN ({statuses}))"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE support_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, drop_constraint, elidable=False),
    ]
