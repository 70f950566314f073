"""Input shape of the public forms of events (no side effects: the views call the services)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SessionsField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, sessions=(), **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Sessions"))
        super().__init__(choices=[(s.pk, f"{timezone.localtime(s.starts_at):%H:%M} · {s}") for s in sessions], **kwargs)


class IdentityForm(forms.Form):
    """Name, address and organisation, asked of people without an account (or not logged in)."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"), help_text=_("We send you a link to confirm it."))
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            for name in ("first_name", "last_name", "email"):
                del self.fields[name]
        for name, autocomplete in (("first_name", "given-name"), ("last_name", "family-name"),
                                   ("email", "email"), ("organisation", "organization")):
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = autocomplete


class RegistrationForm(IdentityForm):
    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sessions"] = SessionsField(sessions=sessions)


class SessionsForm(forms.Form):
    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sessions"] = SessionsField(sessions=sessions)
