"""Demo data of eligibility, loaded by `python manage.py seed_demo` (idempotent)."""


def seed(context):
    """Nothing yet: eligibility adds its demo data when it is built."""
