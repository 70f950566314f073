"""Forms of the grantee's pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .iban import validate_bic, validate_iban


class BankDetailsForm(forms.Form):
    """New bank details for a grant: the payee among the application's member organisations, the
    account holder, IBAN and BIC (validated; the service checks everything again)."""

    payee = forms.ModelChoiceField(label=_("Payee (member organisation of the collective)"), queryset=None,
                                   empty_label=_("Choose the member organisation"))
    holder = forms.CharField(label=_("Account holder (as on the bank details)"), max_length=140)
    iban = forms.CharField(label=_("IBAN"), max_length=50,
                           help_text=_("As on the bank details (RIB), for example FR76 3000 6000 0112 3456 7890 189."))
    bic = forms.CharField(label=_("BIC (SWIFT code)"), max_length=20,
                          help_text=_("8 or 11 characters, for example AGRIFRPP or AGRIFRPP882."))

    def __init__(self, *args, grant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payee"].queryset = grant.application.members.all()
        self.fields["holder"].widget.attrs.update({"autocomplete": "off"})
        for name in ("iban", "bic"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false",
                                                   "autocapitalize": "characters"})

    def clean_iban(self):
        return validate_iban(self.cleaned_data["iban"])

    def clean(self):
        data = super().clean()
        if "bic" in data:
            try:
                # Checked against the IBAN's country only when the IBAN itself is valid.
                data["bic"] = validate_bic(data["bic"], iban=data.get("iban"))
            except forms.ValidationError as error:
                self.add_error("bic", error)
        return data
