"""Input shape of the application's steps. Every field is optional while the application is a
draft: what is missing is listed by `completeness.missing_items`, and submission refuses it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from joinforces.core.models import Territory, Theme
from joinforces.core.uploads import CheckedFileField

from .identifiers import normalise_identifier, validate_identifier
from .models import (
    Attachment,
    BudgetCategory,
    DecisionForm,
    DecisionStatus,
    Governance,
    Integration,
    Kind,
    LegalForm,
    MainPurpose,
    MemberRole,
    SupportDomain,
)

YES_NO = [("", _("Not answered")), ("yes", _("Yes")), ("no", _("No"))]
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0, "required": False}


def blank(choices):
    return [("", "—"), *choices]


def yes_no(value):
    return {"yes": True, "no": False}.get(value)


class CollectiveForm(forms.Form):
    name = forms.CharField(label=_("Name of the collective"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=blank(Kind.choices), required=False)
    themes = forms.ModelMultipleChoiceField(label=_("Themes"), queryset=Theme.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple, to_field_name="code")
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    years_together = forms.IntegerField(label=_("How many years have the members worked together?"),
                                        min_value=0, max_value=200, required=False)
    main_purpose = forms.ChoiceField(label=_("What do the members mainly do together?"),
                                     choices=blank(MainPurpose.choices), required=False)
    does_advocacy = forms.BooleanField(label=_("The collective also does advocacy"), required=False)
    temporary = forms.ChoiceField(label=_("Is the collective set up for a limited action with an end date?"),
                                  choices=YES_NO, required=False)

    def values(self):
        data = dict(self.cleaned_data)
        data["temporary"] = yes_no(data["temporary"])
        return data


class MemberForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=blank(LegalForm.choices), required=False)
    non_profit = forms.BooleanField(label=_("Non-profit"), required=False)
    general_interest = forms.BooleanField(label=_("Serves the general interest (not only its members)"),
                                          required=False, initial=True)
    role = forms.ChoiceField(label=_("Role"), choices=blank(MemberRole.choices), required=False)
    identifier = forms.CharField(label=_("SIREN or RNA number"), max_length=20, required=False)
    identifier_missing_reason = forms.CharField(label=_("No number? Say why"), max_length=300, required=False)
    annual_budget = forms.DecimalField(label=_("Annual budget (€)"), **MONEY)
    staff_count = forms.IntegerField(label=_("Staff (FTE)"), min_value=0, max_value=1_000_000, required=False)

    def clean_identifier(self):
        value = normalise_identifier(self.cleaned_data["identifier"])
        if value:
            validate_identifier(value)
        return value


class GovernanceForm(forms.Form):
    governance = forms.ChoiceField(label=_("How does the collective decide?"), choices=blank(Governance.choices),
                                   required=False, widget=forms.RadioSelect)


class MemberVoteForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput)
    voting_share = forms.DecimalField(label=_("Share of the votes (%)"), max_digits=5, decimal_places=2,
                                      min_value=0, max_value=100, required=False)
    veto_holder = forms.BooleanField(label=_("Can block decisions alone"), required=False)


class ProgrammeForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    integration = forms.ChoiceField(label=_("Level of integration"), choices=blank(Integration.choices),
                                    required=False)
    territories = forms.ModelMultipleChoiceField(
        label=_("Territories (départements or régions)"), queryset=Territory.objects.all(), to_field_name="code",
        required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    members_involved = forms.MultipleChoiceField(label=_("Members involved"), required=False,
                                                 widget=forms.CheckboxSelectMultiple)
    beneficiaries = forms.CharField(label=_("Beneficiaries"), widget=forms.Textarea(attrs={"rows": 2}),
                                    required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members_involved"].choices = [(str(m.pk), m.name) for m in members]


class CommitmentForm(forms.Form):
    why_together = forms.CharField(label=_("Why together? What do you expect from joining forces?"),
                                   widget=forms.Textarea(attrs={"rows": 4}), required=False)


class MemberDecisionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput)
    decision_status = forms.ChoiceField(label=_("Decision of its board"), choices=blank(DecisionStatus.choices),
                                        required=False)
    decision_date = forms.DateField(label=_("Date of the decision"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    decision_form = forms.ChoiceField(label=_("Form of the decision"), choices=blank(DecisionForm.choices),
                                      required=False)
    contribution = forms.CharField(label=_("What it brings"), widget=forms.Textarea(attrs={"rows": 2}),
                                   required=False)

    def clean_decision_date(self):
        value = self.cleaned_data["decision_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("A decision already taken cannot be dated in the future."),
                                        code="future")
        return value


class BudgetForm(forms.Form):
    years = forms.IntegerField(label=_("Over how many years?"), min_value=1, max_value=10, required=False)
    amount_requested = forms.DecimalField(label=_("Amount requested from JOIN FORCES (€)"), **MONEY)
    other_funders = forms.CharField(label=_("Other funders and co-funding"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, max_years=3, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_years = max_years
        self.fields["years"].widget.attrs["max"] = max_years

    def clean_years(self):
        years = self.cleaned_data["years"]
        if years and years > self.max_years:
            raise forms.ValidationError(
                _("This call funds at most %(max)s years."), params={"max": self.max_years}, code="max_years"
            )
        return years


class BudgetLineForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1, max_value=10, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=blank(BudgetCategory.choices), required=False)
    label = forms.CharField(label=_("Description"), max_length=300, required=False)
    amount = forms.DecimalField(label=_("Amount (€)"), max_digits=14, decimal_places=2, min_value=0,
                                max_value=100_000_000, required=False)
    programme_cost = forms.BooleanField(label=_("Programme delivery"), required=False,
                                        help_text=_("JOIN FORCES does not fund this line."))
    member_overhead = forms.BooleanField(label=_("One member's own costs"), required=False,
                                         help_text=_("JOIN FORCES does not fund this line."))


class SupportNeedForm(forms.Form):
    domain = forms.CharField(widget=forms.HiddenInput)
    wanted = forms.BooleanField(required=False)
    description = forms.CharField(label=_("What you need"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    days = forms.DecimalField(label=_("Estimate (days)"), max_digits=5, decimal_places=1, min_value=0.5,
                              max_value=365, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("wanted") and not cleaned.get("days"):
            self.add_error("days", _("Estimate the number of days."))
        if cleaned.get("domain") not in SupportDomain.values:
            raise forms.ValidationError(_("Unknown domain."))
        return cleaned


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=Attachment.Kind.choices)
    file = CheckedFileField(label=_("File"))


class ReviewForm(forms.Form):
    consent_public = forms.ChoiceField(
        label=_("If your application is selected, may JOIN FORCES name your collective publicly?"),
        choices=YES_NO, required=False, widget=forms.RadioSelect,
    )
    sworn_statement = forms.BooleanField(
        label=_("I certify that the information given is accurate and that I am authorised to apply on behalf of "
                "the members."), required=False,
    )


MemberFormSet = forms.formset_factory(MemberForm, extra=1, can_delete=True)
MemberVoteFormSet = forms.formset_factory(MemberVoteForm, extra=0)
MemberDecisionFormSet = forms.formset_factory(MemberDecisionForm, extra=0)
BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=2, can_delete=True)
SupportNeedFormSet = forms.formset_factory(SupportNeedForm, extra=0)


class ProgrammeFormSetBase(forms.BaseFormSet):
    def __init__(self, *args, members=(), **kwargs):
        self.members = members
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"members": self.members}


ProgrammeFormSet = forms.formset_factory(ProgrammeForm, formset=ProgrammeFormSetBase, extra=1, can_delete=True)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email of the person to invite"))
