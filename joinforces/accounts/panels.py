from allauth.mfa.utils import is_mfa_enabled

from joinforces.core.models import Job

from .middleware import mfa_setup_required


def account_panel_context(request):
    user = request.user
    return {
        "account": user,
        "mfa_enabled": is_mfa_enabled(user),
        "mfa_required": mfa_setup_required(user),
        "exports": Job.objects.visible_to(user).filter(kind="accounts.data_export")[:3],
    }
