"""The staff's admin of grant agreements: which are produced and signed, links to download them, and a
page to upload the signed copy on the grantee's behalf (through `agreements.agreement_sign`, like the
grantee's own upload). An agreement, once produced, is never produced again nor edited here."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from joinforces.core.admin import ReadOnlyAdmin
from joinforces.core.uploads import CheckedFileField, download_url

from .agreements import agreement_sign
from .models import GrantAgreement, GrantStatus
from .services import GrantError


class SignedCopyForm(forms.Form):
    file = CheckedFileField(label=_("Signed agreement (PDF)"), kinds=("pdf",))


class SignedFilter(admin.SimpleListFilter):
    title = _("signature")
    parameter_name = "signed"

    def lookups(self, request, model_admin):
        return [("yes", _("Signed copy received")), ("no", _("Waiting for the signed copy"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(signed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(signed_at__isnull=True)
        return queryset


@admin.register(GrantAgreement)
class GrantAgreementAdmin(ReadOnlyAdmin):
    list_display = ["grant", "language", "produced", "signed", "document_link"]
    list_filter = [SignedFilter, "language"]
    search_fields = ["grant__application__reference", "grant__application__name"]
    list_select_related = ["grant__application"]
    fields = ["grant", "language", "generated_at", "document_link", "signed_at", "signed_by", "signed_copy_link",
              "upload_link"]
    readonly_fields = fields
    actions = None

    def get_urls(self):
        return [path("<int:object_id>/copie-signee/", self.admin_site.admin_view(self.signed_copy_view),
                     name="grants_grantagreement_signed_copy"), *super().get_urls()]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("grant__application", "signed_by")

    @admin.display(description=_("produced"), ordering="generated_at")
    def produced(self, obj):
        return obj.generated_at or "—"

    @admin.display(description=_("signed copy received"), ordering="signed_at")
    def signed(self, obj):
        return obj.signed_at or "—"

    @admin.display(description=_("agreement to sign"))
    def document_link(self, obj):
        if not obj.document:
            return _("being produced")
        return format_html('<a href="{}">{}</a>', download_url(obj, "document"), _("Download (PDF)"))

    @admin.display(description=_("signed copy"))
    def signed_copy_link(self, obj):
        if not obj.signed_copy:
            return "—"
        return format_html('<a href="{}">{}</a>', download_url(obj, "signed_copy"), _("Download (PDF)"))

    @admin.display(description=_("on the grantee's behalf"))
    def upload_link(self, obj):
        if obj.signed_at or not obj.document or obj.grant.status != GrantStatus.AGREEMENT_PENDING:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:grants_grantagreement_signed_copy", args=[obj.pk]),
                           _("Upload the signed copy received"))

    def signed_copy_view(self, request, object_id):
        """Upload the signed copy received from the grantee (by post or email): it meets the first
        tranche's condition and activates the grant, as the grantee's own upload does."""
        if not request.user.has_perm("grants.sign_grantagreement"):
            raise PermissionDenied
        agreement = get_object_or_404(GrantAgreement.objects.select_related("grant__application"), pk=object_id)
        form = SignedCopyForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                agreement_sign(grant=agreement.grant, file=form.cleaned_data["file"], actor=request.user)
            except GrantError as error:
                form.add_error("file", error.message)
            else:
                self.message_user(request, _("The signed agreement is recorded: the grant is active."),
                                  level=messages.SUCCESS)
                return redirect(reverse("admin:grants_grantagreement_change", args=[agreement.pk]))
        return TemplateResponse(request, "admin/grants/grantagreement_signed_copy.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "agreement": agreement,
            "title": _("Upload the signed agreement"),
        })
