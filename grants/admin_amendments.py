"""The staff's admin of amendments: the record of every amendment and termination (read-only), and
the two pages that make them, "Amend a grant" and "Terminate a grant" (with a confirmation step).
Both call `grants.amendments`; a refusal is shown on the form, never a 500, and changes nothing."""

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from joinforces.core.admin import ReadOnlyAdmin
from joinforces.core.formats import euros
from joinforces.core.uploads import CheckedFileField, download_url

from . import amendments
from .models import Amendment, Grant, GrantStatus, TrancheStatus
from .services import GrantError, money

PERMISSION = "grants.add_amendment"


def _open_grants():
    return (Grant.objects.exclude(status__in=[GrantStatus.TERMINATED, GrantStatus.COMPLETED])
            .select_related("application").order_by("application__reference"))


def _schedule_table(rows, compare=None):
    """A schedule stored on an amendment as a small table; with `compare` (the schedule before), the
    values that changed are in bold."""
    if not rows:
        return "—"
    previous = {row["number"]: row for row in compare or ()}

    def cell(row, key, text):
        old = previous.get(row["number"])
        return format_html("<strong>{}</strong>", text) if old is not None and old.get(key) != row.get(key) else text

    def status(value):
        return TrancheStatus(value).label if value in TrancheStatus.values else value

    body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (row["number"],
         cell(row, "due_on", date_format(date.fromisoformat(row["due_on"]), "SHORT_DATE_FORMAT")),
         cell(row, "amount", euros(Decimal(row["amount"]))),
         cell(row, "status", status(row["status"])),
         cell(row, "funded", euros(Decimal(row["funded"]))))
        for row in rows))
    return format_html(
        '<table class="jf-table"><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
        _("tranche"), _("due on"), _("amount"), _("status"), _("funded"), body)


# --- Forms -------------------------------------------------------------------------------------


class ChooseGrantForm(forms.Form):
    grant = forms.ModelChoiceField(label=_("Grant"), queryset=Grant.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant"].queryset = _open_grants()


class AmendForm(forms.Form):
    reason = forms.CharField(label=_("Why is the grant amended?"), widget=forms.Textarea(attrs={"rows": 3}))
    grantee_agreement = forms.CharField(
        label=_("The grantee's agreement (how and when)"), max_length=300,
        help_text=_("For example: email of 12 March from the lead organisation's president."))
    grantee_agreement_file = CheckedFileField(label=_("The grantee's agreement (PDF, optional)"), kinds=("pdf",),
                                              required=False)


class TrancheChangeForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    amount = forms.CharField(label=_("Amount (€)"), max_length=30)


TrancheChangeFormSet = forms.formset_factory(TrancheChangeForm, extra=0)


class TerminateForm(forms.Form):
    grant = forms.ModelChoiceField(label=_("Grant"), queryset=Grant.objects.none())
    reason = forms.CharField(label=_("Why is the grant terminated?"), widget=forms.Textarea(attrs={"rows": 3}))
    grantee_agreement = forms.CharField(label=_("The grantee's agreement, if any (how and when)"), max_length=300,
                                        required=False)
    amount_to_recover = forms.CharField(
        label=_("Amount to recover (€)"), max_length=30, initial="0", required=False,
        help_text=_("Money already paid that the initiative must give back (0 if none)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant"].queryset = _open_grants()

    def clean_amount_to_recover(self):
        value = (self.cleaned_data.get("amount_to_recover") or "").strip() or "0"
        try:
            return money(value, allow_zero=True)
        except GrantError as error:
            raise forms.ValidationError(error.message) from None


# --- The admin ---------------------------------------------------------------------------------


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    """Amendments and terminations, as recorded; made from the two pages above the list."""

    list_display = ["created_at", "grant", "kind", "amount_to_recover", "created_by"]
    list_filter = ["kind", "created_at"]
    search_fields = ["grant__application__reference", "grant__application__name", "reason"]
    list_select_related = ["grant__application", "created_by"]
    date_hierarchy = "created_at"
    fields = ["grant", "kind", "reason", "grantee_agreement", "agreement_document", "before_table", "after_table",
              "amount_to_recover", "created_by", "created_at"]
    readonly_fields = fields
    change_list_template = "admin/grants/amendment_change_list.html"

    def get_urls(self):
        return [
            path("modifier/", self.admin_site.admin_view(self.amend_view), name="grants_amendment_amend"),
            path("resilier/", self.admin_site.admin_view(self.terminate_view), name="grants_amendment_terminate"),
            *super().get_urls(),
        ]

    @admin.display(description=_("grantee's agreement (document)"))
    def agreement_document(self, obj):
        if not obj.grantee_agreement_file:
            return "—"
        return format_html('<a href="{}">{}</a>', download_url(obj, "grantee_agreement_file"), _("Download"))

    @admin.display(description=_("schedule before"))
    def before_table(self, obj):
        return _schedule_table(obj.before)

    @admin.display(description=_("schedule after"))
    def after_table(self, obj):
        return _schedule_table(obj.after, compare=obj.before)

    def _context(self, request, **context):
        return {**self.admin_site.each_context(request), "opts": self.opts, **context}

    def _done(self, request, amendment, message):
        self.message_user(request, message, level=messages.SUCCESS)
        return redirect(reverse("admin:grants_amendment_change", args=[amendment.pk]))

    # Amend a grant: choose it, then change its future tranches.

    def amend_view(self, request):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        choose = ChooseGrantForm(request.GET if "grant" in request.GET else None)
        if not choose.is_bound or not choose.is_valid():
            return TemplateResponse(request, "admin/grants/amend_choose.html", self._context(
                request, title=_("Amend a grant"), form=choose))
        grant = choose.cleaned_data["grant"]
        planned = list(grant.tranches.filter(status=TrancheStatus.PLANNED).order_by("number"))
        posted = request.method == "POST"
        form = AmendForm(request.POST if posted else None, request.FILES if posted else None)
        formset = TrancheChangeFormSet(
            request.POST if posted else None, prefix="tranches",
            initial=[{"number": t.number, "due_on": t.due_on, "amount": str(t.amount)} for t in planned])
        if posted and form.is_valid() and formset.is_valid():
            changes = [{"number": row["number"], "due_on": row["due_on"], "amount": row["amount"]}
                       for row in formset.cleaned_data if row]
            try:
                amendment = amendments.grant_amend(
                    grant=grant, actor=request.user, reason=form.cleaned_data["reason"],
                    grantee_agreement=form.cleaned_data["grantee_agreement"], changes=changes,
                    grantee_agreement_file=form.cleaned_data.get("grantee_agreement_file"))
            except GrantError as error:
                form.add_error(None, error.message)
            else:
                return self._done(request, amendment, gettext("The grant %(grant)s is amended.") % {"grant": grant})
        live = amendments.termination_preview(grant)["blocking"]
        forms_by_number = {}
        for tranche_form in formset.forms:
            number = tranche_form.initial.get("number") or tranche_form["number"].value()
            forms_by_number[str(number)] = tranche_form
        rows = [{"tranche": t, "form": forms_by_number.get(str(t.number)), "live": t.number in live}
                for t in grant.tranches.order_by("number")]
        return TemplateResponse(request, "admin/grants/amend_grant.html", self._context(
            request, title=gettext("Amend the grant %(grant)s") % {"grant": grant}, grant=grant, form=form,
            formset=formset, rows=rows))

    # Terminate a grant: the form, then a confirmation with what will happen.

    def terminate_view(self, request):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        if request.method != "POST":
            form = TerminateForm(initial={"grant": request.GET.get("grant"), "amount_to_recover": "0"})
            return self._terminate_form(request, form)
        form = TerminateForm(request.POST)
        if not form.is_valid():
            return self._terminate_form(request, form)
        data = form.cleaned_data
        grant = data["grant"]
        if request.POST.get("confirm") == "yes":
            try:
                amendment = amendments.grant_terminate(
                    grant=grant, actor=request.user, reason=data["reason"],
                    grantee_agreement=data["grantee_agreement"], amount_to_recover=data["amount_to_recover"])
            except GrantError as error:
                form.add_error(None, error.message)
                return self._terminate_form(request, form)
            return self._done(request, amendment, gettext("The grant %(grant)s is terminated.") % {"grant": grant})
        preview = amendments.termination_preview(grant)
        if preview["blocking"]:
            form.add_error(None, gettext(
                "Tranche(s) %(numbers)s are in a payment run being paid: cancel the run first, then terminate the "
                "grant.") % {"numbers": ", ".join(str(n) for n in preview["blocking"])})
        if data["amount_to_recover"] > preview["paid"]:
            form.add_error("amount_to_recover", gettext(
                "Only %(paid)s € was paid on this grant: the amount to recover cannot be more.")
                % {"paid": preview["paid"]})
        if not form.is_valid():
            return self._terminate_form(request, form)
        return TemplateResponse(request, "admin/grants/terminate_confirm.html", self._context(
            request, title=gettext("Terminate the grant %(grant)s?") % {"grant": grant}, grant=grant, form=form,
            preview=preview, amount_to_recover=data["amount_to_recover"]))

    def _terminate_form(self, request, form):
        return TemplateResponse(request, "admin/grants/terminate.html", self._context(
            request, title=_("Terminate a grant"), form=form))
