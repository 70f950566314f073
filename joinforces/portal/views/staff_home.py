from django.shortcuts import render

from joinforces.accounts.decorators import staff_required

from .. import staff_home as reads


@staff_required
def staff_home(request):
    """What needs attention today, for staff (MFA enforced by the decorator and the middleware)."""
    return render(request, "portal/staff_home.html", {"home": reads.staff_home()})
