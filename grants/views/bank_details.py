"""(being written by a helper: replace these stubs)"""

from django.http import Http404


def bank_details_edit(request, pk, **kwargs):
    raise Http404

