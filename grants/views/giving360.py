"""Downloads of the grants in 360Giving JSON: every grant for staff, a donor's funded grants for the
donor's contact persons."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone

from joinforces.accounts.decorators import staff_required

from .. import giving360
from ..models import Donor, Grant


def _download(data, name):
    response = HttpResponse(giving360.json_bytes(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
def export_all(request):
    return _download(giving360.package(Grant.objects.all()), "joinforces-360giving")


@login_required
def export_for_donor(request):
    """The grants funded by the donors the person is a contact of (no donor: no such page)."""
    donors = list(Donor.objects.filter(contacts__user=request.user))
    if not donors:
        raise Http404
    grants = Grant.objects.none()
    for donor in donors:
        grants = grants | giving360.grants_funded_by(donor)
    return _download(giving360.package(grants), "joinforces-360giving-mes-dons")
