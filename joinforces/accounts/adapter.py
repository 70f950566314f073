import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.utils import timezone, translation

from joinforces.core.services import notification_send

UNIQUE_CONTEXT_KEYS = {"key", "code", "activate_url", "password_reset_url"}


class AccountAdapter(DefaultAccountAdapter):
    """Routes allauth's emails through the platform's one notification service; sends staff to the
    staff home after they log in (everyone else to "my space", LOGIN_REDIRECT_URL)."""

    def get_login_redirect_url(self, request):
        from django.urls import reverse

        from .rules import is_staff_member

        if is_staff_member(request.user):
            return reverse("portal:staff_home")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix, email, context):
        context = {"email": email, "current_site": get_current_site(self.request), **context}
        # Each verification or reset email carries its own signed key: the same content means the
        # same email, which must not go out twice; a new request makes a new key, hence a new email.
        tokens = sorted((k, str(v)) for k, v in context.items() if k in UNIQUE_CONTEXT_KEYS)
        if not tokens:
            # Emails with no token of their own ("this address already has an account") are
            # sent at most once a minute to the same address.
            tokens = [("minute", timezone.now().strftime("%Y%m%d%H%M"))]
        fingerprint = hashlib.sha256(repr(tokens).encode()).hexdigest()[:32]
        notification_send(
            to=email,
            template=template_prefix,
            context=context,
            key=f"accounts.{template_prefix.rsplit('/', 1)[-1]}:{email.lower()}:{fingerprint}",
            language=translation.get_language(),
        )

    def save_user(self, request, user, form, commit=True):
        user.language = (translation.get_language() or "fr")[:2]
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from .models import Role
            from .services import role_grant

            role_grant(user=user, role=Role.APPLICANT, actor=None)
        return user
