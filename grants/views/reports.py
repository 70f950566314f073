"""(being written by a helper: replace these stubs)"""

from django.http import Http404


def report_edit(request, pk, **kwargs):
    raise Http404


def report_submit(request, pk, **kwargs):
    raise Http404

