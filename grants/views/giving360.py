"""Downloads of the grants in 360Giving JSON: every grant for staff, a donor's funded grants for the
donor's contact persons."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
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
def export_for_donor(request, pk):
    """The grants funded by one donor, for its contact persons (and staff); anyone else gets a 404."""
    donor = get_object_or_404(Donor.objects.visible_to(request.user), pk=pk)
    return _download(giving360.package(giving360.grants_funded_by(donor)), f"joinforces-360giving-{donor.pk}")
