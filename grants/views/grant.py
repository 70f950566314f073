"""(being written by a helper: replace these stubs)"""

from django.http import Http404


def grant_detail(request, pk, **kwargs):
    raise Http404


def agreement_upload(request, pk, **kwargs):
    raise Http404

