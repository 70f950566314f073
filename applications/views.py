from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from joinforces.core.models import AuditEvent, Job

from . import forms, services
from .case import application_to_case
from .completeness import missing_items
from .models import Application, Attachment, Call, Status, SupportDomain
from .selectors import application_with_parts, budget_by_year
from .selectors.application import describe_change, info_request_changes
from .services.application import NOT_REOPENED, editable_steps, open_info_request


def call_list(request):
    """Open and upcoming calls, soonest closing first."""
    now = timezone.now()
    calls = Call.objects.public(now).prefetch_related("themes")
    page = Paginator(calls, 20).get_page(request.GET.get("page"))
    return render(request, "applications/call_list.html", {"page": page, "now": now})


def call_detail(request, slug):
    now = timezone.now()
    call = get_object_or_404(Call.objects.prefetch_related("themes"), slug=slug)
    return render(request, "applications/call_detail.html", {"call": call, "now": now, "is_open": call.is_open(now)})


# --- The applicant's journey ---------------------------------------------------------------------

STEPS = [
    (1, gettext_lazy("The collective")),
    (2, gettext_lazy("Members")),
    (3, gettext_lazy("Governance")),
    (4, gettext_lazy("Shared programmes")),
    (5, gettext_lazy("Commitment")),
    (6, gettext_lazy("Budget")),
    (7, gettext_lazy("Support needs")),
    (8, gettext_lazy("Attachments")),
    (9, gettext_lazy("Review and submit")),
]
STEP_TEMPLATES = {number: f"applications/steps/step_{number}.html" for number, _label in STEPS}


def access_team_application(user, pk) -> Application:
    """The application if `user` is in its team (staff read applications in the admin), else 404."""
    application = (
        Application.objects.filter(pk=pk, team__user=user).select_related("call", "screening").first()
        if user.is_authenticated else None
    )
    if application is None:
        raise Http404
    return application


@login_required
@require_POST
def application_start(request, slug):
    call = get_object_or_404(Call, slug=slug)
    try:
        application = services.application_start(call=call, actor=request.user)
    except services.ApplicationError as error:
        messages.error(request, error.message)
        return redirect("applications:call_detail", slug=slug)
    messages.success(request, _("Your application is started. Your answers are saved as you go."))
    return redirect("applications:step", pk=application.pk, step=1)


@login_required
def application_step(request, pk, step):
    application = access_team_application(request.user, pk)
    if step not in STEP_TEMPLATES:
        raise Http404
    # A draft while its call is open; while more information is requested, the reopened steps.
    editable = step in editable_steps(application)
    if request.method == "POST" and not editable:
        return _not_editable(request, application, step)
    handler = STEP_HANDLERS[step]
    info_request = open_info_request(application)
    reopened = set(info_request.steps) if info_request is not None else set()
    context = {"application": application, "step": step, "steps": STEPS, "editable": editable,
               "info_request": info_request, "reopened_steps": reopened,
               "reopened_titles": [(number, label) for number, label in STEPS if number in reopened],
               "data": request.POST if request.method == "POST" else _kept_inputs(application, step)}
    context["kept"] = request.method != "POST" and context["data"] is not None
    try:
        if request.method == "POST" and editable and step in VERSIONED_STEPS:
            result = _save_versioned_step(request, application, step, handler, context)
        else:
            result = handler(request, application, editable, context)
    except services.StaleStepError as error:
        # Keep what the person typed on the page (bound forms, nothing saved) under the warning.
        context["stale"] = error
        if request.htmx:
            return render(request, "applications/steps/stale.html", context)
        result = handler(request, application, False, context)
    except services.ApplicationError as error:
        messages.error(request, error.message)
        return redirect("applications:step", pk=pk, step=step)
    if result is not None:
        return result
    missing = missing_items(application)
    context["missing"] = [item for item in missing if item.step == step]
    context["complete_steps"] = {number for number, _label in STEPS} - {item.step for item in missing}
    context["progress_percent"] = len(context["complete_steps"]) * 100 // len(STEPS)
    context["all_missing"] = missing
    context.setdefault("step_version", (application.step_versions or {}).get(str(step), 0))
    context["loaded_at"] = timezone.now().isoformat()
    return render(request, STEP_TEMPLATES[step], context)


def _not_editable(request, application, step):
    """A save posted to a step that cannot be changed now: nothing is saved, and the person is told."""
    if application.status == Status.DRAFT:
        message = _("The call is closed: the application can no longer be changed.")
    elif application.status == Status.MORE_INFO_REQUESTED:
        message = str(NOT_REOPENED)
    else:
        message = _("This application is submitted: it can no longer be changed.")
    if request.htmx:
        return HttpResponse(escape(message))
    messages.error(request, message)
    return redirect("applications:step", pk=application.pk, step=step)


def _save_versioned_step(request, application, step, handler, context):
    """Claim the step's version and save it in one transaction: an invalid form rolls the claim back."""
    with transaction.atomic():
        services.application_step_claim(
            application=application, step=step, version=_int_or_none(request.POST.get("step_version")),
            actor=request.user, loaded_at=parse_datetime(request.POST.get("loaded_at") or ""),
        )
        result = handler(request, application, True, context)
        if result is None:  # the form did not validate: nothing saved, the version stays
            transaction.set_rollback(True)
    if result is None:
        application.step_versions = Application.objects.values_list("step_versions", flat=True).get(
            pk=application.pk)
        # What was typed is kept with the draft, errors and all, until it is corrected.
        services.application_inputs_keep(application=application, actor=request.user, step=step,
                                         data=_typed(request.POST))
        if request.htmx:
            return render(request, "applications/steps/kept.html", {"application": application})
    elif str(step) in (application.draft_inputs or {}):
        services.application_inputs_keep(application=application, actor=request.user, step=step, data=None)
    return result


NOT_TYPED = {"csrfmiddlewaretoken", "step_version", "loaded_at", "next_step", "submit"}


def _typed(post) -> dict:
    return {key: post.getlist(key) for key in post if key not in NOT_TYPED}


def _kept_inputs(application, step):
    """The inputs of `step` kept while they were not valid, as form data, or None."""
    kept = (application.draft_inputs or {}).get(str(step))
    if not kept:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept.items():
        data.setlist(key, values)
    return data


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _saved(request, application, step, created=()):
    """After a save: htmx autosave gets the "saved at" line; a plain post goes back to the step.

    `created` pairs the id field of each row the save created with the new row's key: the autosave
    answer fills those fields in on the page, so that the next autosave updates the row, not adds it.
    """
    if request.htmx:
        application.refresh_from_db(fields=["last_saved_at", "step_versions"])
        return render(request, "applications/steps/saved.html", {
            "application": application, "oob_version": application.step_versions.get(str(step), 0),
            "created": created})
    messages.success(request, _("Saved."))
    target = request.POST.get("next_step")
    if target and target.isdigit() and int(target) in STEP_TEMPLATES:
        return redirect("applications:step", pk=application.pk, step=int(target))
    return redirect("applications:step", pk=application.pk, step=step)


def _step_collective(request, application, editable, context):
    initial = {name: getattr(application, name) for name in
               ("name", "kind", "summary", "website", "years_together", "main_purpose", "does_advocacy")}
    initial["temporary"] = {True: "yes", False: "no"}.get(application.temporary, "")
    initial["themes"] = list(application.themes.all())
    form = forms.CollectiveForm(context["data"], initial=initial)
    if request.method == "POST" and editable and form.is_valid():
        values = form.values()
        services.application_save(application=application, actor=request.user, themes=values.pop("themes"), **values)
        return _saved(request, application, 1)
    context["form"] = form
    return None


def _step_members(request, application, editable, context):
    members = list(application.members.all())
    initial = [{"id": m.pk, **{f: getattr(m, f) for f in MEMBER_STEP_FIELDS}} for m in members]
    formset = forms.MemberFormSet(context["data"], initial=initial, prefix="members")
    if request.method == "POST" and editable and formset.is_valid():
        by_id = {m.pk: m for m in members}
        created = []
        for position, form in enumerate(formset.forms):
            data = form.cleaned_data
            member = by_id.get(data.get("id"))
            if member and data.get("DELETE"):
                services.member_remove(member=member, actor=request.user)
            elif member and form.has_changed():
                services.member_update(member=member, actor=request.user,
                                       **{f: data[f] for f in MEMBER_STEP_FIELDS})
            elif not member and not data.get("DELETE") and data.get("name"):
                member = services.member_add(application=application, actor=request.user, position=position,
                                             **{f: data[f] for f in MEMBER_STEP_FIELDS})
                created.append((f"{formset.prefix}-{position}-id", member.pk))
        return _saved(request, application, 2, created)
    context["formset"] = formset
    return None


def _step_governance(request, application, editable, context):
    members = list(application.members.all())
    form = forms.GovernanceForm(context["data"], initial={"governance": application.governance},
                                prefix="governance")
    votes = forms.MemberVoteFormSet(
        context["data"], prefix="votes",
        initial=[{"id": m.pk, "voting_share": m.voting_share, "veto_holder": m.veto_holder} for m in members],
    )
    if request.method == "POST" and editable and form.is_valid() and votes.is_valid():
        services.application_save(application=application, actor=request.user, **form.cleaned_data)
        by_id = {m.pk: m for m in members}
        for vote in votes.forms:
            member = by_id.get(vote.cleaned_data.get("id"))
            if member and vote.has_changed():
                services.member_update(member=member, actor=request.user,
                                       voting_share=vote.cleaned_data["voting_share"],
                                       veto_holder=vote.cleaned_data["veto_holder"])
        return _saved(request, application, 3)
    context.update(form=form, votes=list(zip(votes.forms, members, strict=False)), votes_formset=votes)
    return None


def _step_programmes(request, application, editable, context):
    members = list(application.members.all())
    programmes = list(application.programmes.prefetch_related("territories", "members_involved"))
    initial = [{"id": p.pk, "title": p.title, "integration": p.integration, "beneficiaries": p.beneficiaries,
                "territories": list(p.territories.all()),
                "members_involved": [str(m.pk) for m in p.members_involved.all()]} for p in programmes]
    formset = forms.ProgrammeFormSet(context["data"], initial=initial, prefix="programmes", members=members)
    if request.method == "POST" and editable and formset.is_valid():
        by_id = {p.pk: p for p in programmes}
        members_by_id = {str(m.pk): m for m in members}
        created = []
        for position, form in enumerate(formset.forms):
            data = form.cleaned_data
            programme = by_id.get(data.get("id"))
            fields = {"title": data.get("title", ""), "integration": data.get("integration", ""),
                      "beneficiaries": data.get("beneficiaries", "")}
            territories = [t.code for t in data.get("territories", [])]
            involved = [members_by_id[pk] for pk in data.get("members_involved", []) if pk in members_by_id]
            if programme and data.get("DELETE"):
                services.programme_remove(programme=programme, actor=request.user)
            elif programme and form.has_changed():
                services.programme_update(programme=programme, actor=request.user, territories=territories,
                                          members_involved=involved, **fields)
            elif not programme and not data.get("DELETE") and data.get("title"):
                programme = services.programme_add(application=application, actor=request.user,
                                                   territories=territories, members_involved=involved,
                                                   position=position, **fields)
                created.append((f"{formset.prefix}-{position}-id", programme.pk))
        return _saved(request, application, 4, created)
    context["formset"] = formset
    return None


def _step_commitment(request, application, editable, context):
    members = list(application.members.all())
    form = forms.CommitmentForm(context["data"], initial={"why_together": application.why_together},
                                prefix="commitment")
    decisions = forms.MemberDecisionFormSet(
        context["data"], prefix="decisions",
        initial=[{"id": m.pk, "decision_status": m.decision_status, "decision_date": m.decision_date,
                  "decision_form": m.decision_form, "contribution": m.contribution} for m in members],
    )
    if request.method == "POST" and editable and form.is_valid() and decisions.is_valid():
        services.application_save(application=application, actor=request.user, **form.cleaned_data)
        by_id = {m.pk: m for m in members}
        for decision in decisions.forms:
            data = dict(decision.cleaned_data)
            member = by_id.get(data.pop("id", None))
            if member and decision.has_changed():
                services.member_update(member=member, actor=request.user, **data)
        return _saved(request, application, 5)
    context.update(form=form, decisions=list(zip(decisions.forms, members, strict=False)), decisions_formset=decisions)
    return None


def _step_budget(request, application, editable, context):
    lines = list(application.budget_lines.all())
    form = forms.BudgetForm(context["data"], prefix="budget", max_years=application.call.max_years, initial={
        "years": application.years, "amount_requested": application.amount_requested,
        "other_funders": application.other_funders})
    formset = forms.BudgetLineFormSet(context["data"], prefix="lines", initial=[
        {"id": line.pk, **{f: getattr(line, f) for f in BUDGET_STEP_FIELDS}} for line in lines])
    if request.method == "POST" and editable and form.is_valid() and formset.is_valid():
        services.application_save(application=application, actor=request.user, **form.cleaned_data)
        by_id = {line.pk: line for line in lines}
        created = []
        for position, line_form in enumerate(formset.forms):
            data = line_form.cleaned_data
            line = by_id.get(data.get("id"))
            values = {f: data.get(f) for f in BUDGET_STEP_FIELDS}
            if line and data.get("DELETE"):
                services.budget_line_remove(line=line, actor=request.user)
            elif line and line_form.has_changed():
                services.budget_line_update(line=line, actor=request.user, **values)
            elif not line and not data.get("DELETE") and data.get("amount") is not None and data.get("category"):
                line = services.budget_line_add(application=application, actor=request.user, **values)
                created.append((f"{formset.prefix}-{position}-id", line.pk))
        return _saved(request, application, 6, created)
    years, total = budget_by_year(application)
    context.update(form=form, formset=formset, budget_years=years, budget_total=total)
    return None


def _step_support(request, application, editable, context):
    needs = {need.domain: need for need in application.support_needs.all()}
    formset = forms.SupportNeedFormSet(context["data"], prefix="needs", initial=[
        {"domain": code, "wanted": code in needs, "description": needs[code].description if code in needs else "",
         "days": needs[code].days if code in needs else None} for code, _label in SupportDomain.choices])
    if request.method == "POST" and editable and formset.is_valid():
        for need_form in formset.forms:
            data = need_form.cleaned_data
            if need_form.has_changed():
                services.support_need_set(application=application, actor=request.user, domain=data["domain"],
                                          description=data.get("description", ""),
                                          days=data.get("days") if data.get("wanted") else None)
        return _saved(request, application, 7)
    labels = dict(SupportDomain.choices)
    context["needs"] = [(need_form, labels[need_form.initial["domain"]]) for need_form in formset.forms]
    context["formset"] = formset
    return None


def _step_attachments(request, application, editable, context):
    form = forms.AttachmentForm(request.POST or None, request.FILES or None)  # uploads are never kept unsaved
    if request.method == "POST" and editable:
        remove = request.POST.get("remove")
        if remove:
            attachment = get_object_or_404(Attachment, pk=remove, application=application)
            services.attachment_remove(attachment=attachment, actor=request.user)
            messages.success(request, _("The document is removed."))
            return redirect("applications:step", pk=application.pk, step=8)
        if form.is_valid():
            services.attachment_add(application=application, actor=request.user, kind=form.cleaned_data["kind"],
                                    file=form.cleaned_data["file"])
            messages.success(request, _("The document is attached."))
            return redirect("applications:step", pk=application.pk, step=8)
    context["form"] = form
    context["attachments"] = list(application.attachments.all())
    return None


def _step_review(request, application, editable, context):
    initial = {"consent_public": {True: "yes", False: "no"}.get(application.consent_public, ""),
               "sworn_statement": application.sworn_statement}
    form = forms.ReviewForm(context["data"], initial=initial)
    if request.method == "POST" and editable and form.is_valid():
        services.application_save(application=application, actor=request.user,
                                  consent_public=forms.yes_no(form.cleaned_data["consent_public"]),
                                  sworn_statement=form.cleaned_data["sworn_statement"])
        if "submit" in request.POST:
            services.application_submit(application=application, actor=request.user)
            messages.success(request, _("Your application is submitted. A confirmation has been sent by email."))
            return redirect("applications:detail", pk=application.pk)
        return _saved(request, application, 9)
    context["form"] = form
    context["application_full"] = application_with_parts(application.pk, request.user)
    if context["info_request"] is not None:
        context["changes"] = [describe_change(event) for event in info_request_changes(context["info_request"])]
    context["budget_years"], context["budget_total"] = budget_by_year(application)
    return None


VERSIONED_STEPS = frozenset({1, 2, 3, 4, 5, 6, 7, 9})
MEMBER_STEP_FIELDS = ("name", "legal_form", "non_profit", "general_interest", "role", "identifier",
                      "identifier_missing_reason", "annual_budget", "staff_count")
BUDGET_STEP_FIELDS = ("year", "category", "label", "amount", "programme_cost", "member_overhead")
STEP_HANDLERS = {
    1: _step_collective, 2: _step_members, 3: _step_governance, 4: _step_programmes, 5: _step_commitment,
    6: _step_budget, 7: _step_support, 8: _step_attachments, 9: _step_review,
}


@login_required
def application_detail(request, pk):
    application = access_team_application(request.user, pk)
    history = AuditEvent.objects.for_target(application).filter(action__in=HISTORY_ACTIONS).order_by("created_at")
    dossier = Job.objects.visible_to(request.user).filter(key=f"applications.dossier:{application.pk}").first()
    team = application.team.select_related("user").order_by("joined_at")
    return render(request, "applications/detail.html", {
        "application": application, "history": history, "dossier": dossier, "team": team,
        "invite_form": forms.InviteForm(), "info_request": open_info_request(application),
        "can_withdraw": application.status not in services.FINAL_STATUSES and application.status != Status.DRAFT,
    })


@login_required
@require_POST
def info_request_answer(request, pk):
    """The team sends its application again after a request for more information: only complete,
    like a submission; it then goes back to the review."""
    application = access_team_application(request.user, pk)
    try:
        services.info_request_answer(application=application, actor=request.user)
    except services.ApplicationError as error:
        messages.error(request, error.message)
        if error.items:
            return redirect("applications:step", pk=pk, step=9)
        return redirect("applications:detail", pk=pk)
    messages.success(request, _("Your application is sent again: its review goes on."))
    return redirect("applications:detail", pk=pk)


@login_required
@require_POST
def application_withdraw(request, pk):
    application = access_team_application(request.user, pk)
    try:
        services.application_withdraw(application=application, actor=request.user,
                                      reason=request.POST.get("reason", ""))
    except services.ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("applications:detail", pk=pk)


@login_required
def application_case_download(request, pk):
    application = access_team_application(request.user, pk)
    case = application_to_case(application_with_parts(application.pk, request.user))
    response = JsonResponse(case, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{application.reference or "candidature"}.json"'
    return response


HISTORY_ACTIONS = ["applications.started", "applications.submitted", "applications.withdrawn",
                   "applications.info_requested", "applications.info_provided", "applications.decision_published"]


@login_required
def invitation_accept(request, token):
    """A co-applicant follows the link of their invitation and joins the team."""
    try:
        member = services.team_invitation_accept(token=token, user=request.user)
    except services.ApplicationError as error:
        messages.error(request, error.message)
        return redirect("portal:my_space")
    messages.success(request, _("You have joined the team of this application."))
    return redirect("applications:detail", pk=member.application_id)


@login_required
@require_POST
def team_invite(request, pk):
    application = access_team_application(request.user, pk)
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address."))
        return redirect("applications:detail", pk=pk)
    try:
        services.team_invite(application=application, email=form.cleaned_data["email"], actor=request.user)
    except services.ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("applications:detail", pk=pk)
