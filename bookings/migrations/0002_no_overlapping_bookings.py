"""On PostgreSQL, the database itself refuses two holding bookings whose times overlap.

SQLite has no exclusion constraints; there `bookings.services` checks inside a transaction that
takes the write lock when it begins (settings: transaction_mode IMMEDIATE), which serialises writers.
"""

from django.db import migrations

HOLDING = "('requested', 'confirmed')"


def add_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE bookings_booking ADD CONSTRAINT booking_held_times_never_overlap "
        "EXCLUDE USING gist (tstzrange(held_start, held_end, '[)') WITH &&) "
        f"WHERE (status IN {HOLDING})"
    )


def drop_exclusion_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS booking_held_times_never_overlap")


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(add_exclusion_constraint, drop_exclusion_constraint)]
