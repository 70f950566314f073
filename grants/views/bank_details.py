"""The grantee's page of bank details: what is in force, what waits for approval, and the form to
enter new details. Only the initiative's team and staff reach it (`grant_for_team`: donors get a 404);
entering new details asks the person to re-enter their password (allauth's re-authentication: a
recent login alone is not enough), after which allauth replays the form they sent."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..bank_details import bank_details_in_force, bank_details_pending, bank_details_request
from ..forms import BankDetailsForm
from ..models import BankDetails, BankDetailsStatus
from ..selectors import grant_for_team
from ..services import GrantError


def _page(request, grant, form):
    in_force = bank_details_in_force(grant)
    pending = bank_details_pending(grant)
    latest = BankDetails.objects.filter(grant=grant).order_by("-requested_at", "-pk").first()
    refused = latest if latest is not None and latest.status == BankDetailsStatus.REJECTED else None
    return render(request, "grants/bank_details.html", {
        "grant": grant, "application": grant.application, "in_force": in_force, "pending": pending,
        "refused": refused, "form": form, "has_members": grant.application.members.exists(),
    })


@login_required
def bank_details_edit(request, pk):
    grant = grant_for_team(request.user, pk)
    if request.method == "POST":
        return _bank_details_submit(request, grant)
    in_force = bank_details_in_force(grant)
    initial = {"payee": in_force.payee_id, "holder": in_force.holder, "bic": in_force.bic} if in_force else {}
    return _page(request, grant, BankDetailsForm(grant=grant, initial=initial))


@reauthentication_required
def _bank_details_submit(request, grant):
    """Sending new details needs a recent re-authentication: otherwise allauth's middleware sends the
    person to re-enter their password, then replays this request."""
    form = BankDetailsForm(request.POST, grant=grant)
    if form.is_valid():
        data = form.cleaned_data
        try:
            bank_details_request(grant=grant, actor=request.user, payee=data["payee"], holder=data["holder"],
                                 iban=data["iban"], bic=data["bic"])
        except GrantError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your new bank details are recorded. They take effect once the JOIN FORCES "
                                        "team has approved them; until then, payments go to the details in force."))
            return redirect("grants:bank_details", pk=grant.pk)
    return _page(request, grant, form)
