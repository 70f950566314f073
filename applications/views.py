from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .models import Call


def call_list(request):
    """Open and upcoming calls, soonest closing first."""
    now = timezone.now()
    calls = Call.objects.public(now).prefetch_related("themes")
    page = Paginator(calls, 20).get_page(request.GET.get("page"))
    return render(request, "applications/call_list.html", {"page": page, "now": now})


def call_detail(request, slug):
    now = timezone.now()
    call = get_object_or_404(Call.objects.prefetch_related("themes"), slug=slug)
    return render(request, "applications/call_detail.html", {"call": call, "now": now, "is_open": call.is_open(now)})
