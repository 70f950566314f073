"""The staff's admin of money: donors and their pledges and donations, bank statements and the
reconciliation queue, grants and their tranches, the ledger, and the fund's overview.

Money moves only through `grants.services`: adding a donation receives it into the pool, tranches are
funded by allocation actions, an entry is corrected by a reversing entry; nothing here edits or
deletes a movement of money.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from joinforces.core.admin import ReadOnlyAdmin
from joinforces.core.services import audit
from joinforces.core.uploads import download_url

from . import selectors, services
from .admin_bank import BankLineAdmin, BankStatementAdmin
from .models import (
    Allocation,
    AllocationPart,
    BankLine,
    BankStatement,
    Donation,
    Donor,
    DonorContact,
    Grant,
    GrantAgreement,
    Pledge,
    Tranche,
    TrancheStatus,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _total(expression):
    return Coalesce(Sum(expression), Value(0), output_field=MONEY)


class ServiceErrorsMixin:
    """A refused service call in a form view becomes a message, never a 500; nothing is saved."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.GrantError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return redirect(request.get_full_path())


# --- Donors ------------------------------------------------------------------------------------


class DonorContactInline(admin.TabularInline):
    model = DonorContact
    extra = 1
    autocomplete_fields = ["user"]
    verbose_name_plural = _("contact persons (they see the donor's dashboard)")


class DonorForm(forms.ModelForm):
    class Meta:
        model = Donor
        fields = ["kind", "name", "email", "siren", "public", "consent_recorded_at", "consent_note", "address",
                  "postcode", "city", "country", "bank_accounts", "bank_label_keywords", "notes"]

    def clean(self):
        data = super().clean()
        if data.get("public") and not data.get("consent_recorded_at"):
            if not (data.get("consent_note") or "").strip():
                self.add_error("consent_note", _("Say how the donor agreed to be named publicly."))
            else:
                data["consent_recorded_at"] = timezone.now()
        return data


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    form = DonorForm
    list_display = ["name", "kind", "public", "received_total", "pledged_total", "contact_count"]
    list_filter = ["kind", "public"]
    search_fields = ["name", "email", "siren"]
    inlines = [DonorContactInline]
    fieldsets = [
        (None, {"fields": ["kind", "name", "email", "siren"]}),
        (_("Naming"), {"fields": ["public", "consent_recorded_at", "consent_note"]}),
        (_("Address (for tax receipts)"), {"fields": ["address", "postcode", "city", "country"]}),
        (_("Recognising its transfers"), {"fields": ["bank_accounts", "bank_label_keywords"]}),
        (None, {"fields": ["notes"]}),
    ]

    def get_queryset(self, request):
        from django.db.models import OuterRef, Subquery

        received = (Donation.objects.filter(donor=OuterRef("pk")).order_by().values("donor")
                    .annotate(total=Sum("amount")).values("total"))
        pledged = (Pledge.objects.filter(donor=OuterRef("pk")).order_by().values("donor")
                   .annotate(total=Sum("amount")).values("total"))
        return super().get_queryset(request).annotate(
            received_sum=Coalesce(Subquery(received, output_field=MONEY), Value(0), output_field=MONEY),
            pledged_sum=Coalesce(Subquery(pledged, output_field=MONEY), Value(0), output_field=MONEY),
            contacts_count=Count("contacts", distinct=True))

    @admin.display(description=_("received"), ordering="received_sum")
    def received_total(self, obj):
        return obj.received_sum

    @admin.display(description=_("pledged"), ordering="pledged_sum")
    def pledged_total(self, obj):
        return obj.pledged_sum

    @admin.display(description=_("contacts"), ordering="contacts_count")
    def contact_count(self, obj):
        return obj.contacts_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit(actor=request.user, action="grants.donor_saved", target=obj,
              after={"changed": form.changed_data, "public": obj.public})


# --- Pledges and donations ------------------------------------------------------------------------


@admin.register(Pledge)
class PledgeAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ["donor", "amount", "received_so_far", "pledged_on", "expected_from", "expected_until"]
    list_filter = ["pledged_on", "themes"]
    search_fields = ["donor__name", "note"]
    list_select_related = ["donor"]
    autocomplete_fields = ["donor"]
    filter_horizontal = ["themes"]
    fields = ["donor", "amount", "pledged_on", "expected_from", "expected_until", "themes", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(received_sum=_total("donations__amount"))

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("received so far"), ordering="received_sum")
    def received_so_far(self, obj):
        return obj.received_sum

    def save_model(self, request, obj, form, change):
        created = services.pledge_record(
            donor=obj.donor, amount=obj.amount, pledged_on=obj.pledged_on, actor=request.user,
            expected_from=obj.expected_from, expected_until=obj.expected_until,
            themes=form.cleaned_data.get("themes", []), note=obj.note)
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """The service has set the themes."""


class DonationPartInline(admin.TabularInline):
    """Where this donation went: its attributions, entry by entry (reversals negative)."""

    model = AllocationPart
    fk_name = "donation"
    extra = 0
    can_delete = False
    fields = ["entry_date", "initiative", "entry_kind", "amount"]
    readonly_fields = fields
    verbose_name_plural = _("where this donation went")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("allocation__grant__application", "allocation__tranche")

    @admin.display(description=_("date"))
    def entry_date(self, obj):
        return obj.allocation.created_at

    @admin.display(description=_("initiative"))
    def initiative(self, obj):
        tranche = obj.allocation.tranche
        return f"{obj.allocation.grant}" + (f" · {_('tranche')} {tranche.number}" if tranche else "")

    @admin.display(description=_("kind"))
    def entry_kind(self, obj):
        return obj.allocation.get_kind_display()


@admin.register(Donation)
class DonationAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    """Adding a donation receives the money into the pool (through the service); a donation is never
    changed afterwards — its attribution to allocations is the ledger's."""

    list_display = ["received_on", "donor", "amount", "restriction", "allocated", "available_amount",
                    "receipt_link"]
    list_filter = ["restricted", "themes", "received_on"]
    search_fields = ["donor__name", "reference", "receipt_number"]
    list_select_related = ["donor"]
    autocomplete_fields = ["donor", "pledge"]
    filter_horizontal = ["themes"]
    date_hierarchy = "received_on"
    fields = ["donor", "pledge", "amount", "received_on", "themes", "reference"]

    def get_inlines(self, request, obj):
        return [DonationPartInline] if obj else []

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("themes")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.fields, "allocated", "receipt_number", "receipt_link"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("restricted to"))
    def restriction(self, obj):
        return ", ".join(str(theme) for theme in obj.themes.all()) if obj.restricted else "—"

    @admin.display(description=_("available"))
    def available_amount(self, obj):
        return obj.available

    @admin.display(description=_("tax receipt"))
    def receipt_link(self, obj):
        if not obj.receipt:
            return obj.receipt_number or "—"
        return format_html('<a href="{}">{}</a>', download_url(obj, "receipt"), obj.receipt_number)

    def save_model(self, request, obj, form, change):
        themes = form.cleaned_data.get("themes")
        created = services.donation_receive(
            donor=obj.donor, amount=obj.amount, received_on=obj.received_on, actor=request.user, pledge=obj.pledge,
            themes=list(themes) if themes else None, reference=obj.reference)
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """The service has set the restriction."""


# --- Grants, tranches and the ledger ---------------------------------------------------------------


class TrancheInline(admin.TabularInline):
    model = Tranche
    extra = 0
    can_delete = False
    fields = ["number", "due_on", "amount", "condition", "condition_year", "condition_met_at", "funded", "status"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EntryInline(admin.TabularInline):
    model = Allocation
    fk_name = "grant"
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "tranche", "amount", "reference", "note", "created_by"]
    readonly_fields = fields
    verbose_name_plural = _("ledger entries")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tranche__grant__application", "created_by")


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["reference", "collective", "call", "total_amount", "funded_total", "tranche_count_display",
                    "next_due", "status"]
    list_filter = ["status", "application__call", "start_date"]
    search_fields = ["application__reference", "application__name", "application__members__name"]
    fields = ["application", "decision", "total_amount", "start_date", "years", "status", "created_at",
              "terminated_at", "life_links"]
    readonly_fields = fields
    inlines = [TrancheInline, EntryInline]
    change_list_template = "admin/grants/grant_change_list.html"

    def get_queryset(self, request):
        return selectors.grant_list()

    def get_urls(self):
        return [path("apercu/", self.admin_site.admin_view(self.overview_view), name="grants_grant_overview"),
                *super().get_urls()]

    @admin.display(description=_("reference"), ordering="application__reference")
    def reference(self, obj):
        return obj.application.reference

    @admin.display(description=_("collective"), ordering="application__name")
    def collective(self, obj):
        return obj.application.name

    @admin.display(description=_("call"))
    def call(self, obj):
        return obj.application.call

    @admin.display(description=_("funded"), ordering="funded")
    def funded_total(self, obj):
        return obj.funded

    @admin.display(description=_("tranches"))
    def tranche_count_display(self, obj):
        return obj.tranche_count

    @admin.display(description=_("the grant's life"))
    def life_links(self, obj):
        """Where the rest of this grant is run: its agreement, bank details, reports, amendments, and
        the grantee's own page."""
        query = f"?grant__id__exact={obj.pk}"
        links = [
            (reverse("admin:grants_bankdetails_changelist") + query, _("Bank details")),
            (reverse("admin:grants_grantreport_changelist") + query, _("Reports")),
            (reverse("admin:grants_amendment_changelist") + query, _("Amendments")),
            (reverse("admin:grants_payment_changelist") + f"?tranche__grant__id__exact={obj.pk}", _("Payments")),
            (reverse("grants:grant_detail", args=[obj.pk]), _("The grantee's page")),
        ]
        agreement = GrantAgreement.objects.filter(grant=obj).first()
        if agreement is not None:
            links.insert(0, (reverse("admin:grants_grantagreement_change", args=[agreement.pk]), _("Agreement")))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.display(description=_("next tranche due"), ordering="next_due_on")
    def next_due(self, obj):
        return obj.next_due_on or "—"

    def overview_view(self, request):
        """The fund at a glance: its figures and charts for a period (as a donor's, for the whole fund),
        what is still to raise for what was promised, the donors ranked, the grants portfolio, exports."""
        from . import dashboards

        today = timezone.localdate()
        period = dashboards.Period.parse(request.GET.get("periode"))
        board = dashboards.dashboard(donor=None, period=period, page=request.GET.get("page"))
        due = (Tranche.objects.due_between(today, today + timedelta(days=90)).select_related("grant__application")
               .annotate(missing=F("amount") - F("funded")).order_by("due_on")[:50])
        # Filtered before the sum, so that the sum counts the period's donations only.
        donors = (selectors._period(Donor.objects.all(), "donations__received_on", period.start, period.end)
                  .annotate(received=_total("donations__amount")).filter(received__gt=0)
                  .order_by("-received", "name")[:20])
        return TemplateResponse(request, "admin/grants/overview.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("The fund at a glance"),
            "board": board, "figures": board.figures, "due": due, "donors": donors,
            "portfolio": dashboards.portfolio(),
        })


class AllocateDueForm(forms.Form):
    start = forms.DateField(label=_("Due from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Due until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end comes before the start."))
        return data


class TrancheDueFilter(admin.SimpleListFilter):
    title = _("funding")
    parameter_name = "funding"

    def lookups(self, request, model_admin):
        return [("unfunded", _("Not fully funded")), ("funded", _("Fully funded")),
                ("due90", _("Due within 90 days, not fully funded")),
                ("late", _("Due date passed, not fully funded"))]

    def queryset(self, request, queryset):
        if self.value() == "unfunded":
            return queryset.filter(funded__lt=F("amount"), status=TrancheStatus.PLANNED)
        if self.value() == "funded":
            return queryset.filter(funded=F("amount"))
        if self.value() == "due90":
            today = timezone.localdate()
            return queryset.due_between(today, today + timedelta(days=90)).filter(funded__lt=F("amount"))
        if self.value() == "late":
            return queryset.filter(status=TrancheStatus.PLANNED, due_on__lt=timezone.localdate(),
                                   funded__lt=F("amount"))
        return queryset


@admin.register(Tranche)
class TrancheAdmin(ReadOnlyAdmin):
    """Tranches to fund: one by one (action), or all those due in a period."""

    list_display = ["grant", "number", "due_on", "amount", "funded", "missing", "condition", "status"]
    list_filter = [TrancheDueFilter, "status", "condition", "due_on"]
    search_fields = ["grant__application__reference", "grant__application__name"]
    list_select_related = ["grant__application"]
    date_hierarchy = "due_on"
    actions = ["allocate"]
    change_list_template = "admin/grants/tranche_change_list.html"
    ordering = ["due_on", "pk"]

    def get_urls(self):
        return [path("financer-periode/", self.admin_site.admin_view(self.allocate_due_view),
                     name="grants_tranche_allocate_due"), *super().get_urls()]

    @admin.display(description=_("still needed"))
    def missing(self, obj):
        return obj.remaining

    @admin.action(description=_("Fund from the pool (what each still needs)"))
    def allocate(self, request, queryset):
        done = 0
        for tranche in queryset.order_by("due_on", "pk"):
            try:
                services.ledger_allocate(tranche=tranche, actor=request.user)
                done += 1
            except services.GrantError as error:
                self.message_user(request, f"{tranche}: {error.message}", level=messages.WARNING)
        if done:
            self.message_user(request, _("%(count)d tranche(s) funded.") % {"count": done})

    def allocate_due_view(self, request):
        form = AllocateDueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                entries = services.ledger_allocate_due(start=form.cleaned_data["start"], end=form.cleaned_data["end"],
                                                       actor=request.user)
            except services.GrantError as error:
                form.add_error(None, error.message)
            else:
                total = sum((entry.amount for entry in entries), 0)
                self.message_user(request, _("%(count)d tranche(s) funded, %(total)s € in all.")
                                  % {"count": len(entries), "total": total})
                return redirect(reverse("admin:grants_tranche_changelist"))
        return TemplateResponse(request, "admin/grants/allocate_due.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form,
            "title": _("Fund the tranches due in a period"), "pool": selectors.fund_figures().pool,
        })


class PartInline(admin.TabularInline):
    model = AllocationPart
    extra = 0
    can_delete = False
    fields = ["donation", "amount"]
    readonly_fields = fields
    verbose_name_plural = _("attribution to donations")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("donation__donor")


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why is this entry reversed?"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    """The ledger, append-only: staff read it and correct it by reversing entries."""

    list_display = ["created_at", "kind", "grant", "tranche", "amount", "reference", "created_by", "reversed_state"]
    list_filter = ["kind", "created_at"]
    search_fields = ["grant__application__reference", "grant__application__name", "reference", "note"]
    list_select_related = ["grant__application", "tranche__grant__application", "created_by", "reversed_by"]
    fields = ["kind", "grant", "tranche", "amount", "reverses", "reference", "note", "created_by", "created_at"]
    readonly_fields = fields
    inlines = [PartInline]
    actions = ["reverse"]
    date_hierarchy = "created_at"

    @admin.display(description=_("reversed"), boolean=True)
    def reversed_state(self, obj):
        return hasattr(obj, "reversed_by")

    @admin.action(description=_("Reverse these entries (with a reason)"))
    def reverse(self, request, queryset):
        form = ReverseForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for entry in queryset:
                try:
                    services.ledger_reverse(entry=entry, actor=request.user, reason=form.cleaned_data["reason"])
                    done += 1
                except services.GrantError as error:
                    self.message_user(request, f"{entry}: {error.message}", level=messages.WARNING)
            if done:
                self.message_user(request, _("%(count)d entry(ies) reversed.") % {"count": done})
            return None
        return TemplateResponse(request, "admin/grants/reverse_confirm.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "entries": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "title": _("Reverse ledger entries"),
        })


admin.site.register(BankStatement, BankStatementAdmin)
admin.site.register(BankLine, BankLineAdmin)

# The admin of grants in life registers itself, area by area.
from . import admin_agreements, admin_amendments, admin_bank_details, admin_payments, admin_reports  # noqa: E402,F401
