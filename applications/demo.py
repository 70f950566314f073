"""Demo data of applications, loaded by `python manage.py seed_demo` (idempotent)."""


def seed(context):
    """Nothing yet: applications adds its demo data when it is built."""
