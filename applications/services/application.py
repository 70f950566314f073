"""Writes of applications: start, save the parts of a draft, invite, submit, screen, withdraw, remind.

The parts are saved while the application is a draft of an open call, and again, step by step,
while more information is requested: then only the steps the request reopened (`editable_steps`).

Each service is atomic, takes the acting user as `actor`, records what matters in the audit log
(`applications.<verb>`), and enqueues its background work after the commit. A refused action raises
`ApplicationError` with a translated message and changes nothing. Field values that break a model's
rules raise Django's `ValidationError` (with one message per field, for the forms).
"""

import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eligibility.services import case_digest, screening_create
from joinforces.core.models import AuditEvent
from joinforces.core.services import audit, job_progress, job_start, notification_send

from ..case import application_to_case
from ..completeness import missing_items
from ..identifiers import normalise_identifier
from ..models import (
    Application,
    Attachment,
    BudgetLine,
    Call,
    InfoRequest,
    MemberOrganisation,
    Programme,
    ReferenceCounter,
    Status,
    SupportNeed,
    TeamInvitation,
    TeamMember,
)

# Outcomes are final: nothing is withdrawn or changed by the team after them.
FINAL_STATUSES = frozenset({Status.SELECTED, Status.DECLINED, Status.WAITLISTED, Status.WITHDRAWN})
# The step of the form each answer belongs to (see `completeness`): a request for more information
# reopens steps, and a change is accepted then only if every step it touches is reopened.
ALL_STEPS = frozenset(range(1, 10))
APPLICATION_FIELD_STEPS = {
    **dict.fromkeys(("name", "kind", "themes", "summary", "website", "years_together", "main_purpose",
                     "does_advocacy", "temporary"), 1),
    "governance": 3,
    "why_together": 5,
    **dict.fromkeys(("years", "amount_requested", "other_funders"), 6),
    **dict.fromkeys(("consent_public", "sworn_statement"), 9),
}
MEMBER_FIELD_STEPS = {
    **dict.fromkeys(("position", "name", "legal_form", "non_profit", "general_interest", "role", "identifier",
                     "identifier_missing_reason", "annual_budget", "staff_count"), 2),
    **dict.fromkeys(("voting_share", "veto_holder"), 3),
    **dict.fromkeys(("decision_status", "decision_date", "decision_form", "contribution"), 5),
}
NOT_REOPENED = gettext_lazy("This step is not reopened: only the steps named in the request for more information "
                            "can be changed.")
MEMBERS_STEP, PROGRAMMES_STEP, BUDGET_STEP, SUPPORT_STEP, ATTACHMENTS_STEP = 2, 4, 6, 7, 8
APPLICATION_FIELDS = frozenset(APPLICATION_FIELD_STEPS) - {"themes"}
MEMBER_FIELDS = frozenset(MEMBER_FIELD_STEPS)
PROGRAMME_FIELDS = frozenset({"position", "title", "integration", "beneficiaries"})
BUDGET_LINE_FIELDS = frozenset({"year", "category", "label", "amount", "programme_cost", "member_overhead"})
REMINDER_DAYS = (7, 1)


class ApplicationError(Exception):
    """A refused action on an application, with a translated message for the person.

    `items` lists what is missing when a submission is refused for that reason."""

    def __init__(self, message, items=()):
        self.message = str(message)
        self.items = list(items)
        super().__init__(self.message)


class StaleStepError(ApplicationError):
    """Someone else saved the step since this person loaded it: their save is refused."""

    def __init__(self, message, *, current_version, changes=()):
        super().__init__(message)
        self.current_version = current_version
        self.changes = list(changes)


# --- Checks ------------------------------------------------------------------------------------


def _in_team(application: Application, user) -> bool:
    return bool(user and user.is_authenticated) and TeamMember.objects.filter(
        application_id=application.pk, user=user
    ).exists()


def _require_team(application: Application, actor) -> None:
    if not _in_team(application, actor):
        raise ApplicationError(_("Only the team of this application can do this."))


def _locked(application: Application) -> Application:
    """The application row, locked until the end of the transaction, with its call."""
    return Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application.pk)


def open_info_request(application: Application) -> InfoRequest | None:
    """The request for more information the team has to answer, or None."""
    if application.status != Status.MORE_INFO_REQUESTED:
        return None
    return InfoRequest.objects.open().filter(application_id=application.pk).first()


def editable_steps(application: Application) -> frozenset[int]:
    """The steps of the form the team may change now: all of a draft while its call is open; while
    more information is requested, the steps the request reopened (whatever the call's dates)."""
    if application.status == Status.DRAFT:
        return ALL_STEPS if application.call.is_open() else frozenset()
    request = open_info_request(application)
    return frozenset(request.steps) & ALL_STEPS if request is not None else frozenset()


def _steps_of(fields, field_steps: dict) -> set[int]:
    """The steps the given field names belong to (unknown names are refused later, by `_apply`)."""
    return {field_steps[name] for name in fields if name in field_steps}


def _require_editable(application: Application, actor, *, steps) -> Application:
    """Lock the application and check that `actor` may change the parts of `steps`: a draft of their
    team while its call is open, or, while more information is requested, steps the request reopened."""
    locked = _locked(application)
    _require_team(locked, actor)
    if locked.status == Status.MORE_INFO_REQUESTED:
        if not set(steps) <= editable_steps(locked):
            raise ApplicationError(NOT_REOPENED)
        return locked
    if locked.status != Status.DRAFT:
        raise ApplicationError(_("This application is submitted: it can no longer be changed."))
    if not locked.call.is_open():
        raise ApplicationError(_("The call is closed: the application can no longer be changed."))
    return locked


def _apply(instance, fields: dict, allowed: frozenset) -> dict:
    """Set `fields` on `instance`; returns {name: (old, new)} for those that changed."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if "identifier" in fields:
        fields = {**fields, "identifier": normalise_identifier(fields["identifier"] or "")}
    changes = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = (old, value)
            setattr(instance, name, value)
    return changes


def _plain(value):
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def _audit_part_changed(actor, application: Application, action: str, part: dict, changes: dict) -> None:
    """Audit a change of one part of the application (a member, a budget line): old → new."""
    audit(actor=actor, action=action, target=application,
          before={**part, **{name: _plain(old) for name, (old, _new) in changes.items()}},
          after={**part, **{name: _plain(new) for name, (_old, new) in changes.items()}})


def _touch(application: Application) -> None:
    """Record that the draft was saved now (parts saved count as a save of the application)."""
    Application.objects.filter(pk=application.pk).update(last_saved_at=timezone.now())


# --- Step versions ---------------------------------------------------------------------------


@transaction.atomic
def application_step_claim(*, application: Application, step: int, version: int | None, actor,
                           loaded_at=None) -> int:
    """Raise the version of `step` before saving it; refuse if it moved since `version` was read.

    Call it in the same transaction as the step's saves (the view does), so that a refused or failed
    save leaves the version as it was. `loaded_at` (when the page was read) lets the refusal list
    what the others changed since.
    """
    locked = _require_editable(application, actor, steps={step})
    current = int((locked.step_versions or {}).get(str(step), 0))
    if version is not None and version != current:
        changes = AuditEvent.objects.for_target(locked).exclude(actor=actor).order_by("created_at")
        if loaded_at is not None:
            changes = changes.filter(created_at__gt=loaded_at)
            if not changes.exists():
                # Only this person saved since they loaded the page (an autosave racing their button).
                locked.step_versions = {**(locked.step_versions or {}), str(step): current + 1}
                locked.save(update_fields=["step_versions"])
                application.step_versions = locked.step_versions
                return current + 1
        raise StaleStepError(
            _("Someone else in your team saved this step while you were editing it. Your changes are not saved: "
              "reload the step to see theirs, then make yours again."),
            current_version=current, changes=list(changes.select_related("actor")[:20]),
        )
    locked.step_versions = {**(locked.step_versions or {}), str(step): current + 1}
    locked.save(update_fields=["step_versions"])
    application.step_versions = locked.step_versions
    return current + 1


@transaction.atomic
def application_inputs_keep(*, application: Application, actor, step: int, data: dict | None) -> None:
    """Keep what was typed in `step` while it is not valid (`data`), or forget it (`None`)."""
    locked = _require_editable(application, actor, steps={step})
    inputs = dict(locked.draft_inputs or {})
    if data is None and str(step) not in inputs:
        return
    if data is None:
        inputs.pop(str(step))
    else:
        inputs[str(step)] = data
    locked.draft_inputs = inputs
    locked.save(update_fields=["draft_inputs"])
    application.draft_inputs = inputs


# --- Start and save a draft --------------------------------------------------------------------


@transaction.atomic
def application_start(*, call: Call, actor) -> Application:
    """Start a draft for `call`; `actor` becomes the team's owner. Only while the call is open."""
    if not (actor and actor.is_authenticated):
        raise ApplicationError(_("Log in to start an application."))
    call = Call.objects.get(pk=call.pk)
    if not call.is_open():
        raise ApplicationError(_("This call is not open: applications can be started only while it is open."))
    application = Application.objects.create(call=call, created_by=actor)
    TeamMember.objects.create(application=application, user=actor, role=TeamMember.Role.OWNER)
    audit(actor=actor, action="applications.started", target=application, after={"call": call.pk})
    return application


@transaction.atomic
def application_save(*, application: Application, actor, themes=None, **fields) -> Application:
    """Save the application's own answers (a draft may stay incomplete). `themes`: Theme objects or codes."""
    from joinforces.core.models import Theme

    locked = _require_editable(
        application, actor,
        steps=_steps_of([*fields, *(["themes"] if themes is not None else [])], APPLICATION_FIELD_STEPS))
    changes = _apply(locked, fields, APPLICATION_FIELDS)
    if changes:
        locked.full_clean(exclude=[f.name for f in Application._meta.fields if f.name not in changes],
                          validate_unique=False)
        locked.save(update_fields=[*changes, "last_saved_at"])
    if themes is not None:
        codes = sorted({getattr(theme, "code", theme) for theme in themes})
        before = sorted(locked.themes.values_list("code", flat=True))
        if codes != before:
            locked.themes.set(Theme.objects.filter(code__in=codes))
            changes["themes"] = (before, codes)
    if changes:
        _touch(locked)
        audit(actor=actor, action="applications.saved", target=locked,
              before={name: _plain(old) for name, (old, _new) in changes.items()},
              after={name: _plain(new) for name, (_old, new) in changes.items()})
    # Keep the caller's object current.
    for name, (_old, new) in changes.items():
        if name != "themes":
            setattr(application, name, new)
    return locked


@transaction.atomic
def member_add(*, application: Application, actor, **fields) -> MemberOrganisation:
    locked = _require_editable(application, actor,
                               steps={MEMBERS_STEP, *_steps_of(fields, MEMBER_FIELD_STEPS)})
    member = MemberOrganisation(application=locked)
    _apply(member, fields, MEMBER_FIELDS)
    if "position" not in fields:
        member.position = locked.members.count()
    member.full_clean()
    member.save()
    _touch(locked)
    audit(actor=actor, action="applications.member_added", target=locked,
          after={"member": member.pk, "name": member.name, "role": member.role})
    return member


@transaction.atomic
def member_update(*, member: MemberOrganisation, actor, **fields) -> MemberOrganisation:
    locked = _require_editable(member.application, actor, steps=_steps_of(fields, MEMBER_FIELD_STEPS))
    member = MemberOrganisation.objects.get(pk=member.pk, application=locked)
    changes = _apply(member, fields, MEMBER_FIELDS)
    if changes:
        member.full_clean()
        member.save(update_fields=list(changes))
        _touch(locked)
        _audit_part_changed(actor, locked, "applications.member_changed", {"member": member.pk}, changes)
    return member


@transaction.atomic
def member_remove(*, member: MemberOrganisation, actor) -> None:
    locked = _require_editable(member.application, actor, steps={MEMBERS_STEP})
    member = MemberOrganisation.objects.get(pk=member.pk, application=locked)
    audit(actor=actor, action="applications.member_removed", target=locked,
          before={"member": member.pk, "name": member.name, "role": member.role})
    member.delete()
    _touch(locked)


@transaction.atomic
def programme_add(*, application: Application, actor, territories=(), members_involved=(), **fields) -> Programme:
    """Add a shared programme; `territories` are Territory codes, `members_involved` MemberOrganisations."""
    locked = _require_editable(application, actor, steps={PROGRAMMES_STEP})
    programme = Programme(application=locked)
    _apply(programme, fields, PROGRAMME_FIELDS)
    if "position" not in fields:
        programme.position = locked.programmes.count()
    programme.full_clean()
    programme.save()
    _programme_links(locked, programme, territories, members_involved)
    _touch(locked)
    audit(actor=actor, action="applications.programme_added", target=locked,
          after={"programme": programme.pk, "title": programme.title, "territories": sorted(territories)})
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, actor, territories=None, members_involved=None, **fields) -> Programme:
    locked = _require_editable(programme.application, actor, steps={PROGRAMMES_STEP})
    programme = Programme.objects.get(pk=programme.pk, application=locked)
    changes = _apply(programme, fields, PROGRAMME_FIELDS)
    if changes:
        programme.full_clean()
        programme.save(update_fields=list(changes))
    _programme_links(locked, programme, territories, members_involved)
    _touch(locked)
    audit(actor=actor, action="applications.programme_changed", target=locked,
          after={"programme": programme.pk, **{k: _plain(new) for k, (_o, new) in changes.items()}})
    return programme


def _programme_links(application, programme, territories, members_involved) -> None:
    from joinforces.core.models import Territory

    if territories is not None:
        found = list(Territory.objects.filter(code__in=list(territories)))
        unknown = set(territories) - {territory.code for territory in found}
        if unknown:
            raise ApplicationError(_("Unknown territory: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
        programme.territories.set(found)
    if members_involved is not None:
        members = list(members_involved)
        if any(member.application_id != application.pk for member in members):
            raise ApplicationError(_("A member involved in a programme must be a member of this application."))
        programme.members_involved.set(members)


@transaction.atomic
def programme_remove(*, programme: Programme, actor) -> None:
    locked = _require_editable(programme.application, actor, steps={PROGRAMMES_STEP})
    programme = Programme.objects.get(pk=programme.pk, application=locked)
    audit(actor=actor, action="applications.programme_removed", target=locked,
          before={"programme": programme.pk, "title": programme.title})
    programme.delete()
    _touch(locked)


@transaction.atomic
def budget_line_add(*, application: Application, actor, **fields) -> BudgetLine:
    locked = _require_editable(application, actor, steps={BUDGET_STEP})
    line = BudgetLine(application=locked)
    _apply(line, fields, BUDGET_LINE_FIELDS)
    line.full_clean()
    if line.year > locked.call.max_years:
        raise ApplicationError(_("This call supports at most %(max)s years.") % {"max": locked.call.max_years})
    line.save()
    _touch(locked)
    audit(actor=actor, action="applications.budget_line_added", target=locked,
          after={"line": line.pk, "year": line.year, "category": line.category, "amount": str(line.amount)})
    return line


@transaction.atomic
def budget_line_update(*, line: BudgetLine, actor, **fields) -> BudgetLine:
    locked = _require_editable(line.application, actor, steps={BUDGET_STEP})
    line = BudgetLine.objects.get(pk=line.pk, application=locked)
    changes = _apply(line, fields, BUDGET_LINE_FIELDS)
    if changes:
        line.full_clean()
        if line.year > locked.call.max_years:
            raise ApplicationError(_("This call supports at most %(max)s years.") % {"max": locked.call.max_years})
        line.save(update_fields=list(changes))
        _touch(locked)
        _audit_part_changed(actor, locked, "applications.budget_line_changed", {"line": line.pk}, changes)
    return line


@transaction.atomic
def budget_line_remove(*, line: BudgetLine, actor) -> None:
    locked = _require_editable(line.application, actor, steps={BUDGET_STEP})
    line = BudgetLine.objects.get(pk=line.pk, application=locked)
    audit(actor=actor, action="applications.budget_line_removed", target=locked,
          before={"line": line.pk, "year": line.year, "category": line.category, "amount": str(line.amount)})
    line.delete()
    _touch(locked)


@transaction.atomic
def support_need_set(*, application: Application, actor, domain: str, description: str = "", days=None):
    """Add or change the need in `domain`; `days=None` removes it. Returns the need or None."""
    locked = _require_editable(application, actor, steps={SUPPORT_STEP})
    existing = SupportNeed.objects.filter(application=locked, domain=domain).first()
    if days is None:
        if existing is not None:
            existing.delete()
            audit(actor=actor, action="applications.support_need_removed", target=locked, before={"domain": domain})
            _touch(locked)
        return None
    need = existing or SupportNeed(application=locked, domain=domain)
    need.description, need.days = description, days
    need.full_clean(validate_unique=False)
    need.save()
    _touch(locked)
    audit(actor=actor, action="applications.support_need_set", target=locked,
          after={"domain": domain, "days": str(need.days)})
    return need


@transaction.atomic
def attachment_add(*, application: Application, actor, kind: str, file) -> Attachment:
    """Attach a document (checked by the form's `CheckedFileField` before it gets here)."""
    locked = _require_editable(application, actor, steps={ATTACHMENTS_STEP})
    if kind not in Attachment.Kind.values:
        raise ApplicationError(_("Choose the kind of document."))
    attachment = Attachment(application=locked, kind=kind, uploaded_by=actor)
    attachment.file.save(getattr(file, "name", None) or "document.pdf", file, save=False)
    attachment.save()
    _touch(locked)
    audit(actor=actor, action="applications.attachment_added", target=locked,
          after={"attachment": attachment.pk, "kind": kind, "file": attachment.file.name.rsplit("/", 1)[-1]})
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor) -> None:
    locked = _require_editable(attachment.application, actor, steps={ATTACHMENTS_STEP})
    attachment = Attachment.objects.get(pk=attachment.pk, application=locked)
    audit(actor=actor, action="applications.attachment_removed", target=locked,
          before={"attachment": attachment.pk, "kind": attachment.kind})
    attachment.file.delete(save=False)
    attachment.delete()
    _touch(locked)


# --- The team ----------------------------------------------------------------------------------


def _invitation_url(token: str) -> str:
    try:
        path = reverse("applications:invitation_accept", kwargs={"token": token})
    except NoReverseMatch:
        path = f"/candidatures/invitations/{token}/"
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def team_invite(*, application: Application, email: str, actor):
    """Invite a co-applicant. A person who has an account joins the team at once (TeamMember is
    returned); anyone else gets an email with a link to accept (TeamInvitation is returned)."""
    locked = _locked(application)
    _require_team(locked, actor)
    if locked.status in FINAL_STATUSES:
        raise ApplicationError(_("This application is closed: no one can join its team now."))
    email = get_user_model().objects.normalize_email((email or "").strip()).lower()
    if "@" not in email:
        raise ApplicationError(_("Enter a valid email address."))
    user = get_user_model().objects.filter(email__iexact=email).first()
    context = {"application": locked, "call": locked.call, "invited_by": actor}
    if user is not None:
        member, created = TeamMember.objects.get_or_create(
            application=locked, user=user, defaults={"role": TeamMember.Role.CO_APPLICANT}
        )
        if not created:
            raise ApplicationError(_("This person is already in the team."))
        audit(actor=actor, action="applications.team_joined", target=locked,
              after={"user": user.pk, "email": user.email, "invited_by": actor.pk})
        notification_send(to=user.email, template="applications/email/team_added",
                          context={**context, "user": user, "url": f"{settings.SITE_URL}/mon-espace/"},
                          key=f"applications.team_added:{locked.pk}:{user.pk}")
        return member
    invitation, created = TeamInvitation.objects.get_or_create(
        application=locked, email=email,
        defaults={"token": secrets.token_urlsafe(32), "invited_by": actor},
    )
    if invitation.accepted_at is not None:
        raise ApplicationError(_("This person is already in the team."))
    if created:
        audit(actor=actor, action="applications.invited", target=locked, after={"email": email})
    notification_send(to=email, template="applications/email/invitation",
                      context={**context, "url": _invitation_url(invitation.token)},
                      key=f"applications.invitation:{invitation.pk}", language=getattr(actor, "language", None))
    return invitation


@transaction.atomic
def team_invitation_accept(*, token: str, user) -> TeamMember:
    invitation = TeamInvitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or not (user and user.is_authenticated):
        raise ApplicationError(_("This invitation link is not valid."))
    if invitation.accepted_at is not None and invitation.accepted_by_id != user.pk:
        raise ApplicationError(_("This invitation has already been used."))
    if invitation.application.status in FINAL_STATUSES:
        raise ApplicationError(_("This application is closed: no one can join its team now."))
    member, created = TeamMember.objects.get_or_create(
        application=invitation.application, user=user, defaults={"role": TeamMember.Role.CO_APPLICANT}
    )
    if invitation.accepted_at is None:
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        audit(actor=user, action="applications.team_joined", target=invitation.application,
              after={"user": user.pk, "email": user.email, "invitation": invitation.pk})
    return member


# --- Submit ------------------------------------------------------------------------------------


def _next_reference(year: int) -> str:
    """The next reference of `year`. The counter's row stays locked until the submission commits,
    so two submissions never take the same number (the unique reference is the last guard)."""
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    if counter.last >= 9999:
        raise ApplicationError(_("No reference is left for this year. Please contact the JOIN FORCES team."))
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"JF-{year}-{counter.last:04d}"


def application_submit(*, application: Application, actor) -> Application:
    """Submit a complete draft of the actor's team while its call is open (to the second).

    Gives the reference, freezes the application (status submitted), and after the commit: a
    confirmation email to each person of the team in their language, the screening, and the dossier
    PDF as a background job.
    """
    from ..tasks import application_dossier_task, application_screen_task

    with transaction.atomic():
        locked = _locked(application)
        _require_team(locked, actor)
        if locked.status != Status.DRAFT:
            raise ApplicationError(_("This application has already been submitted."))
        now = timezone.now()
        if not locked.call.is_open(now):
            raise ApplicationError(_("The call closed on %(date)s: applications can no longer be submitted.") % {
                "date": timezone.localtime(locked.call.closes_at).strftime("%d/%m/%Y %H:%M")})
        missing = missing_items(locked)
        if missing:
            raise ApplicationError(
                _("The application is not complete yet: %(count)s item(s) are missing.") % {"count": len(missing)},
                items=missing,
            )
        # Taken last, so that the counter stays locked for as short a time as possible.
        locked.reference = _next_reference(timezone.localtime(now).year)
        locked.status, locked.submitted_at = Status.SUBMITTED, now
        locked.save(update_fields=["reference", "status", "submitted_at", "last_saved_at"])
        audit(actor=actor, action="applications.submitted", target=locked,
              before={"status": Status.DRAFT}, after={"status": Status.SUBMITTED, "reference": locked.reference})
        for member in TeamMember.objects.filter(application=locked).select_related("user"):
            notification_send(
                to=member.user.email,
                template="applications/email/submitted",
                context={"application": locked, "call": locked.call, "user": member.user,
                         "url": f"{settings.SITE_URL}/mon-espace/"},
                key=f"applications.submitted:{locked.pk}:{member.user.pk}",
            )
        transaction.on_commit(partial(application_screen_task.delay, locked.pk))
        job_start(
            kind="applications.dossier",
            key=f"applications.dossier:{locked.pk}",
            owner=actor,
            title=_("Application dossier %(reference)s") % {"reference": locked.reference},
            task=application_dossier_task,
        )
    for name in ("reference", "status", "submitted_at"):
        setattr(application, name, getattr(locked, name))
    return locked


# --- Screening ---------------------------------------------------------------------------------


@transaction.atomic
def application_screen(*, application: Application, actor=None, only_if_changed: bool = False):
    """Screen the application's case and point the application to the new screening.

    A submitted application becomes screened; screening again later (staff) replaces the pointer and
    keeps the status. With `only_if_changed`, an application already screened on the same case is
    left as it is (the task is safe to run twice).
    """
    from eligibility.models import Screening

    from ..selectors import application_for_work

    locked = _locked(application)
    if locked.status in (Status.DRAFT, Status.WITHDRAWN):
        raise ApplicationError(_("Only a submitted application can be screened."))
    case = application_to_case(application_for_work(locked.pk))
    if only_if_changed and locked.screening_id is not None:
        current = Screening.objects.get(pk=locked.screening_id)
        if current.case_digest == case_digest(case):
            return current
    screening = screening_create(case=case, actor=actor)
    before = {"status": locked.status, "screening": locked.screening_id}
    locked.screening = screening
    if locked.status == Status.SUBMITTED:
        locked.status = Status.SCREENED
    locked.save(update_fields=["screening", "status"])
    audit(actor=actor, action="applications.screened", target=locked, before=before,
          after={"status": locked.status, "screening": screening.pk, "verdict": screening.verdict})
    application.screening, application.status = screening, locked.status
    return screening


# --- Withdraw ----------------------------------------------------------------------------------


@transaction.atomic
def application_withdraw(*, application: Application, actor, reason: str = "") -> Application:
    """Withdraw a submitted application, by its team, until an outcome is known."""
    locked = _locked(application)
    _require_team(locked, actor)
    if locked.status == Status.DRAFT:
        raise ApplicationError(_("This application is a draft: there is nothing to withdraw."))
    if locked.status in FINAL_STATUSES:
        raise ApplicationError(_("This application can no longer be withdrawn."))
    before = {"status": locked.status}
    locked.status, locked.withdrawn_at = Status.WITHDRAWN, timezone.now()
    locked.save(update_fields=["status", "withdrawn_at"])
    audit(actor=actor, action="applications.withdrawn", target=locked, before=before,
          after={"status": Status.WITHDRAWN, "reason": (reason or "").strip()[:2000]})
    application.status, application.withdrawn_at = locked.status, locked.withdrawn_at
    return locked


# --- The dossier PDF ---------------------------------------------------------------------------


def application_dossier_build(job):
    """The work of the dossier job: the application's PDF, in the language of who asked for it."""
    from joinforces.core.pdf import render_pdf

    from ..selectors import application_for_work, budget_by_year

    application_id = int(job.key.rsplit(":", 1)[1])
    job_progress(job, 10, _("Reading the application"))
    application = application_for_work(application_id)
    years, budget_total = budget_by_year(application)
    job_progress(job, 40, _("Laying out the dossier"))
    language = getattr(job.owner, "language", None) or None
    content = render_pdf(
        "applications/dossier_pdf.html",
        {"application": application, "budget_years": years, "budget_total": budget_total},
        title=_("Application dossier %(reference)s") % {"reference": application.reference or ""},
        language=language,
    )
    job_progress(job, 90, _("Saving the dossier"))
    return f"{application.reference or 'candidature'}.pdf", content


# --- Reminders ---------------------------------------------------------------------------------


def draft_reminders_send(now=None) -> int:
    """Remind the teams of unsubmitted drafts 7 days and 1 day before their call closes, once each.

    A draft is reminded at a mark (7 or 1 day before closing) if it existed at that mark; a beat that
    was away catches up until the next mark. Each email has its own key, so running twice sends
    nothing more. Returns the number of notifications created or found.
    """
    now = now or timezone.now()
    count = 0
    for days in REMINDER_DAYS:
        later = [d for d in REMINDER_DAYS if d < days]
        window_end = now + timedelta(days=days)
        window_start = now + timedelta(days=max(later)) if later else now
        drafts = (
            Application.objects.filter(
                status=Status.DRAFT, call__closes_at__gt=window_start, call__closes_at__lte=window_end
            )
            .select_related("call")
            .prefetch_related(Prefetch("team", queryset=TeamMember.objects.select_related("user")))
        )
        for application in drafts:
            if application.created_at > application.call.closes_at - timedelta(days=days):
                continue
            for member in application.team.all():
                notification_send(
                    to=member.user.email,
                    template="applications/email/reminder",
                    context={"application": application, "call": application.call, "user": member.user,
                             "days": days, "url": f"{settings.SITE_URL}/mon-espace/"},
                    key=f"applications.reminder:{application.pk}:{days}:{member.user.pk}",
                )
                count += 1
    return count

