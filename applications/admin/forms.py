"""Forms of the committee's and the staff's admin pages: input shape only, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from eligibility.models import Criterion

from ..models import Outcome, Recommendation, ReviewCriterion

SCORE_CHOICES = [(value, str(value)) for value in range(1, 6)]


class ConflictForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with one of these organisations?"),
        choices=[("no", _("No, I have no link with any of them")),
                 ("yes", _("Yes, I have a conflict of interest"))],
        widget=forms.RadioSelect, coerce=lambda value: value == "yes",
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations concerned"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    details = forms.CharField(label=_("Details (the nature of the link)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, members, only_conflict=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = members
        if only_conflict:
            self.fields["has_conflict"].choices = [("yes", _("Yes, I have a conflict of interest"))]
            self.fields["has_conflict"].initial = "yes"


class ReviewForm(forms.Form):
    """Scores 1-5 with a comment per criterion, a recommendation and a suggested amount. Everything
    is optional in a draft; the service checks completeness on submission."""

    recommendation = forms.ChoiceField(label=_("Recommendation"), required=False, widget=forms.RadioSelect,
                                       choices=Recommendation.choices)
    suggested_amount = forms.DecimalField(label=_("Suggested amount per year (€)"), required=False, min_value=0,
                                          max_digits=14, decimal_places=2)
    general_comment = forms.CharField(label=_("General comment"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in ReviewCriterion:
            self.fields[criterion.value] = forms.TypedChoiceField(
                label=criterion.label, choices=SCORE_CHOICES, coerce=int, required=False, empty_value=None,
                widget=forms.RadioSelect)
            self.fields[f"{criterion.value}_comment"] = forms.CharField(
                label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def criteria(self):
        """(criterion, score field, comment field) for the template, in the funder's order."""
        return [(criterion, self[criterion.value], self[f"{criterion.value}_comment"]) for criterion in ReviewCriterion]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    amount_per_year = forms.DecimalField(label=_("Amount per year (€)"), required=False, min_value=0,
                                         max_digits=14, decimal_places=2)
    years = forms.IntegerField(label=_("Duration (years)"), required=False, min_value=1, max_value=10)
    excluded_criteria = forms.MultipleChoiceField(
        label=_("Exclusion criteria met (for a decline)"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=Criterion.choices)
    reasons = forms.CharField(label=_("Reasons given to the team (in the letter)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    rationale = forms.CharField(label=_("Rationale (internal, never sent)"), widget=forms.Textarea(attrs={"rows": 3}))


class InfoRequestForm(forms.Form):
    steps = forms.TypedMultipleChoiceField(label=_("Steps to reopen"), coerce=int, widget=forms.CheckboxSelectMultiple,
                                           choices=[])
    message = forms.CharField(label=_("Message to the team"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps"].choices = steps
