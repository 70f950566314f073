"""Demo data of support, loaded by `python manage.py seed_demo` (idempotent)."""


def seed(context):
    """Nothing yet: support adds its demo data when it is built."""
