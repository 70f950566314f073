"""Demo accounts, one per role (idempotent)."""

from allauth.account.models import EmailAddress

from .models import Role, User
from .services import role_grant

DEMO_PASSWORD = "joinforces-demo"  # noqa: S105 - printed by seed_demo, demo only

DEMO_ACCOUNTS = [
    # email, first name, last name, roles
    ("candidat@demo.joinforces.fr", "Camille", "Martin", [Role.APPLICANT]),
    ("comite@demo.joinforces.fr", "Dominique", "Bernard", [Role.COMMITTEE]),
    ("donateur@demo.joinforces.fr", "Claude", "Petit", [Role.DONOR]),
    ("equipe@demo.joinforces.fr", "Sacha", "Durand", [Role.STAFF]),
    ("experte@demo.joinforces.fr", "Alix", "Moreau", [Role.EXPERT]),
]


def demo_user(email: str, first_name: str, last_name: str, roles) -> User:
    """A demo account with a verified address and its roles (created once; idempotent)."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first_name,
                                        last_name=last_name)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    for role in roles:
        role_grant(user=user, role=role, actor=None)
    return user


def seed(context):
    for email, first_name, last_name, roles in DEMO_ACCOUNTS:
        user = demo_user(email, first_name, last_name, roles)
        context.users[roles[0]] = user
        context.accounts.append((str(roles[0].label), email))
