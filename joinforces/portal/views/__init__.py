from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from applications.models import Call
from joinforces.accounts.services import user_preferences_update
from joinforces.core.panels import panels_for


def home(request):
    now = timezone.now()
    current_call = Call.objects.public(now).prefetch_related("themes").first()
    return render(request, "portal/home.html", {"call": current_call, "now": now})


@login_required
def my_space(request):
    return render(request, "portal/my_space.html", {"panels": panels_for(request)})


@require_POST
def set_language(request):
    """Django's language switch, remembered on the account of a signed-in person."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        user_preferences_update(user=request.user, actor=request.user, language=language)
    return django_set_language(request)
