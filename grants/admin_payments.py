"""The staff's admin of payments: payment runs (prepare one from the tranches ready to be paid,
download its SEPA file for the bank, mark it executed by the bank or cancel it) and the payments.

Everything goes through `grants.payments`; nothing here edits a run or a payment by hand. The SEPA file
is served from this admin (staff only), as an attachment.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from joinforces.core.admin import ReadOnlyAdmin

from . import payments
from .models import Payment, PaymentRun, PaymentRunStatus, Tranche
from .services import GrantError

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def next_working_day(day):
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class PrepareRunForm(forms.Form):
    execution_date = forms.DateField(label=_("Requested execution date"), widget=DATE_WIDGET,
                                     help_text=_("The day on which the bank is asked to execute the transfers."))
    tranches = forms.ModelMultipleChoiceField(
        label=_("Tranches to pay"), queryset=Tranche.objects.all(), widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Choose at least one tranche to pay.")})


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Executed by the bank on"), widget=DATE_WIDGET)
    bank_reference = forms.CharField(label=_("Bank's reference of the transfers"), max_length=140)


class CancelRunForm(forms.Form):
    reason = forms.CharField(label=_("Why is this run cancelled?"), widget=forms.Textarea(attrs={"rows": 3}))


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = ["tranche", "due_on", "payee", "account", "amount", "end_to_end_id", "status", "paid_at"]
    readonly_fields = fields
    verbose_name_plural = _("payments of this run")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tranche__grant__application", "bank_details")

    @admin.display(description=_("due on"))
    def due_on(self, obj):
        return date_format(obj.tranche.due_on, "SHORT_DATE_FORMAT")

    @admin.display(description=_("payee"))
    def payee(self, obj):
        return obj.bank_details.holder

    @admin.display(description=_("IBAN"))
    def account(self, obj):
        return obj.bank_details.masked_iban


@admin.register(PaymentRun)
class PaymentRunAdmin(ReadOnlyAdmin):
    """Runs of tranche payments: the list, the page that prepares one, each run with its payments,
    its file and the forms that mark it executed or cancel it."""

    list_display = ["message_id", "status", "execution_date", "payment_count", "total", "prepared_by", "prepared_at",
                    "paid_on"]
    list_filter = ["status", "execution_date"]
    search_fields = ["message_id", "bank_reference", "payments__end_to_end_id"]
    list_select_related = ["prepared_by"]
    fields = ["message_id", "status", "execution_date", "payment_count", "total", "file_link", "prepared_by",
              "prepared_at", "paid_on", "bank_reference", "marked_paid_by"]
    readonly_fields = fields
    inlines = [PaymentInline]
    change_list_template = "admin/grants/payment_run_change_list.html"
    change_form_template = "admin/grants/payment_run_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(payments_count=Count("payments"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preparer/", view(self.prepare_view), name="grants_paymentrun_prepare"),
            path("<int:pk>/fichier/", view(self.download_view), name="grants_paymentrun_download"),
            path("<int:pk>/executee/", view(self.mark_paid_view), name="grants_paymentrun_mark_paid"),
            path("<int:pk>/annuler/", view(self.cancel_view), name="grants_paymentrun_cancel"),
            *super().get_urls(),
        ]

    @admin.display(description=_("payments"), ordering="payments_count")
    def payment_count(self, obj):
        return obj.payments_count

    @admin.display(description=_("SEPA file (pain.001)"))
    def file_link(self, obj):
        if not obj.file:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:grants_paymentrun_download", args=[obj.pk]),
                           _("Download the file for the bank"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, {
            **(extra_context or {}), "may_act": request.user.has_perm("grants.change_paymentrun"),
            "prepared": PaymentRunStatus.PREPARED})

    # --- Pages of their own ------------------------------------------------------------------------

    def _require(self, request, perm):
        if not request.user.has_perm(perm):
            raise PermissionDenied

    def _page(self, request, template, **context):
        return TemplateResponse(request, template, {**self.admin_site.each_context(request), "opts": self.opts,
                                                    **context})

    def prepare_view(self, request):
        """The tranches ready to be paid, all ticked, and the execution date: POST prepares the run."""
        self._require(request, "grants.add_paymentrun")
        today = timezone.localdate()
        form = PrepareRunForm(request.POST or None, initial={"execution_date": next_working_day(today)})
        if request.method == "POST" and form.is_valid():
            try:
                run = payments.payment_run_prepare(actor=request.user,
                                                   execution_date=form.cleaned_data["execution_date"],
                                                   tranches=list(form.cleaned_data["tranches"]))
            except GrantError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Payment run %(run)s prepared: %(count)d payment(s). Download its file "
                                             "and send it to the bank.")
                                  % {"run": run.message_id, "count": run.payments.count()})
                return redirect(reverse("admin:grants_paymentrun_change", args=[run.pk]))
        chosen = set(request.POST.getlist("tranches")) if form.is_bound else None
        rows = []
        for tranche in payments.payable_tranches(today):
            details = tranche.grant.bank_details_in_force[0] if tranche.grant.bank_details_in_force else None
            rows.append({"tranche": tranche, "details": details,
                         "checked": chosen is None or str(tranche.pk) in chosen})
        return self._page(request, "admin/grants/payment_prepare.html", form=form, rows=rows,
                          total=sum((row["tranche"].amount for row in rows), 0),
                          title=_("Prepare a payment run"))

    def _run(self, request, pk, perm):
        self._require(request, perm)
        return get_object_or_404(PaymentRun, pk=pk)

    def download_view(self, request, pk):
        run = self._run(request, pk, "grants.view_paymentrun")
        if not run.file:
            raise Http404
        return FileResponse(run.file.open("rb"), as_attachment=True, filename=f"{run.message_id}.xml",
                            content_type="application/xml")

    def mark_paid_view(self, request, pk):
        run = self._run(request, pk, "grants.change_paymentrun")
        today = timezone.localdate()
        initial = min(today, max(run.execution_date, timezone.localdate(run.prepared_at)))
        form = MarkPaidForm(request.POST or None, initial={"paid_on": initial})
        if request.method == "POST" and form.is_valid():
            try:
                payments.payment_run_mark_paid(run=run, actor=request.user, paid_on=form.cleaned_data["paid_on"],
                                               bank_reference=form.cleaned_data["bank_reference"])
            except GrantError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Payment run %(run)s recorded as executed by the bank: its tranches are "
                                             "paid.") % {"run": run.message_id})
                return redirect(reverse("admin:grants_paymentrun_change", args=[run.pk]))
        return self._page(request, "admin/grants/payment_mark_paid.html", form=form, run=run,
                          title=_("Mark the run as executed by the bank"))

    def cancel_view(self, request, pk):
        run = self._run(request, pk, "grants.change_paymentrun")
        form = CancelRunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                payments.payment_run_cancel(run=run, actor=request.user, reason=form.cleaned_data["reason"])
            except GrantError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Payment run %(run)s cancelled: its tranches may go into a new run.")
                                  % {"run": run.message_id}, level=messages.WARNING)
                return redirect(reverse("admin:grants_paymentrun_change", args=[run.pk]))
        return self._page(request, "admin/grants/payment_cancel.html", form=form, run=run,
                          title=_("Cancel the run"))


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["end_to_end_id", "run", "tranche", "payee", "account", "amount", "status", "paid_at"]
    list_filter = ["status", "paid_at"]
    search_fields = ["end_to_end_id", "run__message_id", "tranche__grant__application__reference",
                     "tranche__grant__application__name", "bank_details__holder"]
    list_select_related = ["run", "tranche__grant__application", "bank_details"]
    fields = ["run", "tranche", "payee", "account", "amount", "end_to_end_id", "status", "paid_at", "funded_by"]
    readonly_fields = fields

    @admin.display(description=_("funded by"))
    def funded_by(self, obj):
        """The donations this payment's tranche was funded from, net of reversals: every euro paid
        traced to the donations it came from."""
        from django.db.models import Sum
        from django.utils.html import format_html_join

        from joinforces.core.formats import euros

        from .models import AllocationPart

        rows = (AllocationPart.objects.filter(allocation__tranche=obj.tranche_id)
                .values("donation", "donation__donor__name", "donation__received_on")
                .annotate(total=Sum("amount")).filter(total__gt=0).order_by("donation__received_on", "donation"))
        return format_html_join("", "<div>{} · {} · {}</div>", (
            (row["donation__donor__name"], row["donation__received_on"].strftime("%d/%m/%Y"), euros(row["total"]))
            for row in rows)) or "—"

    @admin.display(description=_("payee"), ordering="bank_details__holder")
    def payee(self, obj):
        return obj.bank_details.holder

    @admin.display(description=_("IBAN"))
    def account(self, obj):
        return obj.bank_details.masked_iban
