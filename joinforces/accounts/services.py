"""Writes on accounts: roles, preferences, the welcome email, the personal-data export."""

import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from joinforces.core.services import audit, job_progress, job_start, notification_send

from .models import ADMIN_ROLES, Role, RoleAssignment, User


def _sync_is_staff(user: User) -> None:
    """`is_staff` only means "may open an admin site": staff and committee members may."""
    is_staff = user.is_superuser or RoleAssignment.objects.filter(user=user, role__in=ADMIN_ROLES).exists()
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("roles", None)


@transaction.atomic
def role_grant(*, user: User, role: str, actor: User | None) -> RoleAssignment:
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}")
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, defaults={"granted_by": actor})
    if created:
        audit(actor=actor, action="accounts.role_granted", target=user, after={"role": role})
        _sync_is_staff(user)
    return assignment


@transaction.atomic
def role_revoke(*, user: User, role: str, actor: User | None) -> bool:
    deleted, _count = RoleAssignment.objects.filter(user=user, role=role).delete()
    if deleted:
        audit(actor=actor, action="accounts.role_revoked", target=user, before={"role": role})
        _sync_is_staff(user)
    return bool(deleted)


@transaction.atomic
def user_preferences_update(*, user: User, actor: User, **fields) -> User:
    allowed = {"first_name", "last_name", "language", "timezone"}
    changed = {name: value for name, value in fields.items() if name in allowed and getattr(user, name) != value}
    if not changed:
        return user
    before = {name: getattr(user, name) for name in changed}
    for name, value in changed.items():
        setattr(user, name, value)
    user.full_clean()
    user.save(update_fields=list(changed))
    audit(actor=actor, action="accounts.preferences_changed", target=user, before=before, after=changed)
    return user


def account_welcome(*, user: User):
    """The welcome email, once per account, after its address is verified."""
    return notification_send(
        to=user.email,
        template="accounts/email/welcome",
        context={"user": user},
        key=f"accounts.welcome:{user.pk}",
    )


def account_data_export_start(*, user: User):
    """Start building the person's data export (right of access, RGPD art. 15) in the background."""
    from .tasks import account_data_export_task

    stamp = timezone.now().strftime("%Y%m%d%H%M")
    return job_start(
        kind="accounts.data_export",
        key=f"accounts.data_export:{user.pk}:{stamp}",
        owner=user,
        title=_("Export of my personal data"),
        task=account_data_export_task,
    )


def account_data_export_build(job) -> tuple[str, bytes]:
    """What the platform holds about the job's owner, as JSON. Each app adds its part later."""
    user = job.owner
    job_progress(job, 20, _("Collecting your account"))
    data = {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "timezone": user.timezone,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "roles": sorted(user.roles),
        },
        "email_addresses": list(user.emailaddress_set.values("email", "verified", "primary")),
    }
    job_progress(job, 60, _("Collecting the emails sent to you"))
    from joinforces.core.models import Notification

    data["notifications"] = [
        {"subject": n.subject, "created_at": n.created_at.isoformat(), "status": n.status}
        for n in Notification.objects.filter(to__iexact=user.email).only("subject", "created_at", "status")
    ]
    job_progress(job, 90, _("Writing the file"))
    content = json.dumps(data, indent=2, ensure_ascii=False).encode()
    return f"joinforces-mes-donnees-{timezone.now():%Y-%m-%d}.json", content
