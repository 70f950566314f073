"""The staff's admin of bank details: the list (IBANs masked), the detail page (full IBAN, for checking
it against the grantee's RIB), and the actions that approve a waiting change (by someone other than the
person who entered it) or refuse it with a reason. Nothing is added, changed or deleted through forms:
`grants.bank_details` does it, audited."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from joinforces.core.admin import ReadOnlyAdmin

from .bank_details import bank_details_approve, bank_details_reject
from .iban import format_iban
from .models import BankDetails, BankDetailsStatus
from .services import GrantError


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False,
                           help_text=_("For example: checked against the RIB sent by the treasurer."))


class RefuseForm(forms.Form):
    note = forms.CharField(label=_("Why is this change refused? (the team will read it)"), max_length=300,
                           widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(BankDetails)
class BankDetailsAdmin(ReadOnlyAdmin):
    list_display = ["grant", "payee", "holder", "iban_masked", "status", "requested_by", "requested_at",
                    "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["grant__application__reference", "grant__application__name", "holder", "payee__name"]
    list_select_related = ["grant__application", "payee", "requested_by", "decided_by"]
    fields = ["grant", "payee", "holder", "iban_full", "bic", "status", "requested_by", "requested_at",
              "decided_by", "decided_at", "decision_note"]
    readonly_fields = fields
    actions = ["approve", "refuse"]
    date_hierarchy = "requested_at"

    @admin.display(description=_("IBAN"))
    def iban_masked(self, obj):
        return obj.masked_iban

    @admin.display(description=_("IBAN"))
    def iban_full(self, obj):
        return format_iban(obj.iban)

    def _decide(self, request, queryset, *, action, form_class, title, intro, submit, decide):
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for details in queryset.select_related("grant__application"):
                try:
                    decide(details=details, actor=request.user, note=form.cleaned_data["note"])
                    done += 1
                except GrantError as error:
                    self.message_user(request, f"{details.grant} · {details.masked_iban}: {error.message}",
                                      level=messages.ERROR)
            if done:
                self.message_user(request, _("%(count)d change(s) of bank details decided.") % {"count": done})
            return None
        return TemplateResponse(request, "admin/grants/bankdetails_action.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "title": title,
            "intro": intro, "submit": submit, "action": action, "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "details": [(details, format_iban(details.iban)) for details in queryset.select_related(
                "grant__application", "payee", "requested_by")],
            "some_not_pending": queryset.exclude(status=BankDetailsStatus.PENDING).exists(),
        })

    @admin.action(description=_("Approve (second pair of eyes)"))
    def approve(self, request, queryset):
        return self._decide(
            request, queryset, action="approve", form_class=ApproveForm, decide=bank_details_approve,
            title=_("Approve changes of bank details"), submit=_("Approve"),
            intro=_("Check each IBAN against the bank details document (RIB) of the payee before approving: once "
                    "approved, they replace the bank details in force and the next payments go to them. You "
                    "cannot approve a change you entered yourself."))

    @admin.action(description=_("Refuse (with a reason)"))
    def refuse(self, request, queryset):
        return self._decide(
            request, queryset, action="refuse", form_class=RefuseForm, decide=bank_details_reject,
            title=_("Refuse changes of bank details"), submit=_("Refuse"),
            intro=_("The bank details in force do not change; the initiative's team is told why by email."))
