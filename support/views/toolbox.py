"""The toolbox: methods, templates and guides, for the experts and the supported initiatives (and
staff), searchable and filtered by domain and stage. Anyone else gets a 404; an unpublished resource is
staff's only."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from ..forms import ToolboxFilterForm
from ..models import Resource
from ..rules import may_use_toolbox

PAGE_SIZE = 20


@login_required
def toolbox(request):
    if not may_use_toolbox(request.user):
        raise Http404
    resources = Resource.objects.visible_to(request.user)
    form = ToolboxFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            words = data["q"].split()[:8]
            for word in words:
                resources = resources.filter(Q(title__icontains=word) | Q(summary__icontains=word)
                                             | Q(body__icontains=word))
        for name in ("domain", "stage", "kind"):
            if data[name]:
                resources = resources.filter(**{name: data[name]})
    page = Paginator(resources.order_by("title", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "support/toolbox.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def resource_detail(request, slug):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), slug=slug)
    return render(request, "support/resource_detail.html", {"resource": resource})
