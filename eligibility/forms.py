from django import forms
from django.utils.translation import gettext_lazy as _

from .self_assessment import QUESTIONS


class SelfAssessmentForm(forms.Form):
    """The self-assessment's questions, one radio group each (input shape only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.name] = forms.ChoiceField(
                label=question.label,
                choices=question.all_choices(),
                widget=forms.RadioSelect,
                help_text=question.help_text,
                error_messages={"required": _("Choose an answer, or “I don't know”.")},
            )

    def questions(self):
        return [self[question.name] for question in QUESTIONS]
