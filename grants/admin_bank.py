"""The staff's admin of bank statements and of the reconciliation queue.

Registered by `grants.admin`:

    admin.site.register(BankStatement, BankStatementAdmin)
    admin.site.register(BankLine, BankLineAdmin)

Adding a statement uploads a file that `grants.banking.bank_statement_import` reads (a refused file
is a form error and changes nothing); the lines are written only by the services: a credit of the
queue becomes a donation through "Record as a donation from…", anything else is set aside with a
reason. Nothing here edits or deletes a line.
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from joinforces.core.models import Theme
from joinforces.core.uploads import CheckedFileField

from . import banking
from .models import BankLineStatus, BankStatement, Donor, Pledge
from .services import GrantError

# How the banks of settings.BANK_CSV_FORMATS are named; any other is named after its key.
BANK_NAMES = {"credit_cooperatif": "Crédit Coopératif", "la_banque_postale": "La Banque Postale",
              "societe_generale": "Société Générale"}
EXTENSIONS = {BankStatement.Format.CSV: "csv", BankStatement.Format.CAMT053: "xml"}


def bank_name(key: str) -> str:
    return BANK_NAMES.get(key) or key.replace("_", " ").title()


def bank_choices():
    return [("", "—")] + [(key, bank_name(key)) for key in getattr(settings, "BANK_CSV_FORMATS", {})]


def queue_url(**filters) -> str:
    return reverse("admin:grants_bankline_changelist") + "?" + urlencode(filters)


# --- Statements -------------------------------------------------------------------------------------


class BankStatementUploadForm(forms.Form):
    file = CheckedFileField(label=_("Statement file"), kinds=("csv", "xml"))
    format = forms.ChoiceField(label=_("Format"), choices=BankStatement.Format.choices,
                               initial=BankStatement.Format.CSV)
    bank = forms.ChoiceField(label=_("Bank (for a CSV export)"), choices=bank_choices, required=False,
                             help_text=_("The columns of each bank's export are set up in the settings."))

    def clean(self):
        data = super().clean()
        kind, upload = data.get("format"), data.get("file")
        if kind == BankStatement.Format.CSV and not data.get("bank"):
            self.add_error("bank", _("Choose the bank that exported this CSV file."))
        if kind and upload is not None and not upload.name.lower().endswith("." + EXTENSIONS[kind]):
            self.add_error("file", _("A %(format)s statement is a .%(ext)s file.")
                           % {"format": BankStatement.Format(kind).label, "ext": EXTENSIONS[kind]})
        return data


class BankStatementAdmin(admin.ModelAdmin):
    """Imported statements, newest first; adding one uploads and imports a file."""

    list_display = ["imported_at", "format", "bank_display", "lines_read", "lines_new", "matched_count",
                    "queue_link", "imported_by"]
    list_filter = ["format", "bank", "imported_at"]
    list_select_related = ["imported_by"]
    date_hierarchy = "imported_at"
    fields = ["imported_at", "format", "bank_display", "file_name", "imported_by", "lines_read", "lines_new",
              "matched_count", "queue_link"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            matched=Count("lines", filter=Q(lines__status=BankLineStatus.MATCHED)),
            unmatched=Count("lines", filter=Q(lines__status=BankLineStatus.UNMATCHED)))

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("bank"), ordering="bank")
    def bank_display(self, obj):
        return bank_name(obj.bank) if obj.bank else "—"

    @admin.display(description=_("file"))
    def file_name(self, obj):
        return obj.file.name.rsplit("/", 1)[-1] if obj.file else "—"

    @admin.display(description=_("recorded as donations"), ordering="matched")
    def matched_count(self, obj):
        return obj.matched

    @admin.display(description=_("to reconcile"), ordering="unmatched")
    def queue_link(self, obj):
        if not obj.unmatched:
            return 0
        return format_html('<a href="{}">{}</a>', queue_url(statement__exact=obj.pk,
                                                            status__exact=BankLineStatus.UNMATCHED), obj.unmatched)

    def add_view(self, request, form_url="", extra_context=None):
        """Upload a statement and import it; a refused file is shown on the form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BankStatementUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                statement = banking.bank_statement_import(
                    file=form.cleaned_data["file"], format=form.cleaned_data["format"],
                    bank=form.cleaned_data.get("bank") or "", actor=request.user)
            except GrantError as error:
                form.add_error("file", error.message)
            else:
                counts = statement.lines.aggregate(
                    matched=Count("pk", filter=Q(status=BankLineStatus.MATCHED)),
                    unmatched=Count("pk", filter=Q(status=BankLineStatus.UNMATCHED)))
                self.message_user(request, _(
                    "%(read)d line(s) read, %(new)d new: %(matched)d recorded as donations, %(unmatched)d to "
                    "reconcile.") % {"read": statement.lines_read, "new": statement.lines_new, **counts},
                    level=messages.SUCCESS)
                if counts["unmatched"]:
                    return redirect(queue_url(statement__exact=statement.pk, status__exact=BankLineStatus.UNMATCHED))
                return redirect(reverse("admin:grants_bankstatement_changelist"))
        return TemplateResponse(request, "admin/grants/bankstatement_upload.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form,
            "title": _("Import a bank statement"), "banks": [bank_name(k) for k in settings.BANK_CSV_FORMATS],
            **(extra_context or {}),
        })


# --- The reconciliation queue ---------------------------------------------------------------------


class ReconcileForm(forms.Form):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Donor.objects.order_by("name"))
    pledge = forms.ModelChoiceField(label=_("Towards the pledge (optional)"), required=False,
                                    queryset=Pledge.objects.select_related("donor").order_by("donor__name",
                                                                                            "-pledged_on"))
    themes = forms.ModelMultipleChoiceField(
        label=_("Restricted to the themes (optional)"), required=False, queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("By default, the pledge's themes; without a pledge, unrestricted."))

    def clean(self):
        data = super().clean()
        if data.get("pledge") and data.get("donor") and data["pledge"].donor_id != data["donor"].pk:
            self.add_error("pledge", _("This pledge is another donor's."))
        return data


class IgnoreForm(forms.Form):
    reason = forms.CharField(label=_("Why are these lines not donations?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("For example: a refund, a transfer between our accounts, bank fees."))


class BankLineAdmin(admin.ModelAdmin):
    """The lines of the statements; those "to reconcile" are the queue of credits no donor was
    recognised for."""

    list_display = ["booked_on", "amount", "label", "counterparty", "status", "donor", "donation"]
    list_filter = ["status", "booked_on"]
    search_fields = ["label", "counterparty", "counterparty_account", "transaction_id"]
    list_select_related = ["donor", "donation__donor"]
    date_hierarchy = "booked_on"
    fields = ["booked_on", "amount", "label", "counterparty", "counterparty_account", "account", "transaction_id",
              "statement", "status", "donor", "donation", "reconciled_by", "reconciled_at"]
    readonly_fields = fields
    actions = ["record_donation", "set_aside"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """The queue's actions need it; a line itself is only read."""
        return obj is None and super().has_change_permission(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _action_page(self, request, queryset, *, action, form, title, intro, submit):
        return TemplateResponse(request, "admin/grants/bankline_action.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "title": title,
            "intro": intro, "submit": submit, "action": action,
            "lines": queryset.select_related("donor").order_by("booked_on", "pk"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    @admin.action(description=_("Record as a donation from…"), permissions=["change"])
    def record_donation(self, request, queryset):
        form = ReconcileForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for line in queryset.order_by("booked_on", "pk"):
                try:
                    banking.bank_line_reconcile(line=line, donor=form.cleaned_data["donor"], actor=request.user,
                                                pledge=form.cleaned_data.get("pledge"),
                                                themes=list(form.cleaned_data["themes"]) or None)
                    done += 1
                except GrantError as error:
                    self.message_user(request, f"{line}: {error.message}", level=messages.WARNING)
            if done:
                self.message_user(request, ngettext("%(count)d line recorded as a donation.",
                                                    "%(count)d lines recorded as donations.", done)
                                  % {"count": done}, level=messages.SUCCESS)
            return None
        return self._action_page(
            request, queryset, action="record_donation", form=form, title=_("Record bank lines as donations"),
            intro=_("Each credit below becomes a donation of the donor you choose, received on the date of the "
                    "line: its money enters the pool."),
            submit=_("Record as donations"))

    @admin.action(description=_("Not a donation"), permissions=["change"])
    def set_aside(self, request, queryset):
        form = IgnoreForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for line in queryset.order_by("booked_on", "pk"):
                try:
                    banking.bank_line_ignore(line=line, actor=request.user, reason=form.cleaned_data["reason"])
                    done += 1
                except GrantError as error:
                    self.message_user(request, f"{line}: {error.message}", level=messages.WARNING)
            if done:
                self.message_user(request, ngettext("%(count)d line set aside as not a donation.",
                                                    "%(count)d lines set aside as not donations.", done)
                                  % {"count": done}, level=messages.SUCCESS)
            return None
        return self._action_page(
            request, queryset, action="set_aside", form=form, title=_("Set bank lines aside"),
            intro=_("These lines leave the queue: they are not donations. The reason is kept in the audit log."),
            submit=_("Set aside"))
