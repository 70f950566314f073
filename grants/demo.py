"""Demo data of grants, loaded by `python manage.py seed_demo` (idempotent)."""


def seed(context):
    """Nothing yet: grants adds its demo data when it is built."""
