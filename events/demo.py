"""Demo data of events, loaded by `python manage.py seed_demo` (idempotent)."""


def seed(context):
    """Nothing yet: events adds its demo data when it is built."""
