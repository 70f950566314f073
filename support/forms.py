"""Forms of support: input shape only (no side effects)."""

from datetime import timedelta

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import AvailabilityRule, Booking, Domain, Language, Level, PlanNeed, Resource, Stage

DURATIONS = [(60, _("1 hour")), (90, _("1 h 30")), (120, _("2 hours")), (180, _("3 hours")),
             (210, _("Half a day (3 h 30)")), (420, _("A day (7 hours)"))]


class AwareDateTimeField(forms.CharField):
    """An ISO 8601 date and time with its offset (the slots the page offers carry theirs)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parsed = parse_datetime(value.strip())
        if parsed is None or parsed.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the slots offered."))
        return parsed


class BookingForm(forms.Form):
    expert = forms.IntegerField(widget=forms.HiddenInput)
    start = AwareDateTimeField(label=_("Slot"))
    duration = forms.TypedChoiceField(label=_("Duration"), choices=DURATIONS, coerce=int, initial=120)
    mode = forms.ChoiceField(label=_("Mode"), choices=Booking.Mode.choices, initial=Booking.Mode.REMOTE)
    location = forms.CharField(label=_("Place or link"), max_length=300, required=False)
    notes = forms.CharField(label=_("Notes for the expert and the team"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    @property
    def end(self):
        return self.cleaned_data["start"] + timedelta(minutes=self.cleaned_data["duration"])


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(label=_("New start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                                  format="%Y-%m-%dT%H:%M"),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])
    duration = forms.TypedChoiceField(label=_("Duration"), choices=DURATIONS, coerce=int, initial=120)


class SlotRescheduleForm(forms.Form):
    """Moving a session to one of the slots offered (signed links)."""

    start = AwareDateTimeField(label=_("New slot"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to everyone concerned)"), max_length=300, required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (for the JOIN FORCES team)"), max_length=300, required=False)


class NeedForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=Language.choices, initial=["fr"],
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = PlanNeed
        fields = ["domain", "budget_days", "description", "window_start", "window_end", "territories", "languages",
                  "remote_allowed", "minimum_level"]
        widgets = {
            "window_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "window_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from joinforces.core.models import Territory

        self.fields["territories"].queryset = Territory.objects.filter(kind="region").order_by("name")
        self.fields["territories"].help_text = _("The régions where the sessions may take place.")
        self.fields["domain"].choices = Domain.choices
        self.fields["minimum_level"].choices = Level.choices
        # Saving is the service's job (need_save): the form only checks the input.
        self.instance = PlanNeed()


class PaymentForm(forms.Form):
    expert = forms.ModelChoiceField(label=_("Expert"), queryset=None)
    amount = forms.DecimalField(label=_("Amount paid (€)"), max_digits=14, decimal_places=2, min_value=0.01)
    reference = forms.CharField(label=_("Reference (invoice)"), max_length=100)

    def __init__(self, *args, experts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(n, str(n)) for n in range(1, 6)],
                                    help_text=_("From 1 (not useful) to 5 (very useful)."))
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))


SLOTS_PER_DAY = 2


class AvailabilityForm(forms.Form):
    """Up to two slots a weekday (for example a morning and an afternoon), in the expert's time zone."""

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        by_day = {}
        for rule in rules:
            by_day.setdefault(rule.weekday, []).append(rule)
        for weekday, label in AvailabilityRule.Weekday.choices:
            existing = by_day.get(weekday, [])
            for n in range(SLOTS_PER_DAY):
                rule = existing[n] if n < len(existing) else None
                widget = forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-sm"},
                                         format="%H:%M")
                self.fields[f"d{weekday}_{n}_start"] = forms.TimeField(
                    label=_("%(day)s, slot %(n)s, from") % {"day": label, "n": n + 1}, required=False, widget=widget,
                    initial=rule.start_time if rule else None)
                self.fields[f"d{weekday}_{n}_end"] = forms.TimeField(
                    label=_("%(day)s, slot %(n)s, to") % {"day": label, "n": n + 1}, required=False, widget=widget,
                    initial=rule.end_time if rule else None)

    def days(self):
        """(label, [(start field, end field), …]) for each weekday, for the template."""
        return [(label, [(self[f"d{weekday}_{n}_start"], self[f"d{weekday}_{n}_end"]) for n in range(SLOTS_PER_DAY)])
                for weekday, label in AvailabilityRule.Weekday.choices]

    def clean(self):
        data = super().clean()
        rules = []
        for weekday, label in AvailabilityRule.Weekday.choices:
            for n in range(SLOTS_PER_DAY):
                start, end = data.get(f"d{weekday}_{n}_start"), data.get(f"d{weekday}_{n}_end")
                if start is None and end is None:
                    continue
                if start is None or end is None or end <= start:
                    raise forms.ValidationError(_("%(day)s: each slot needs a start and a later end.")
                                                % {"day": label})
                rules.append((weekday, start, end))
        data["rules"] = rules
        return data


class DayOffForm(forms.Form):
    start_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(label=_("To (included)"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


DayOffFormSet = forms.formset_factory(DayOffForm, extra=2, can_delete=True)


class ToolboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}))
    domain = forms.ChoiceField(label=_("Domain"), required=False, choices=[("", _("All domains")), *Domain.choices],
                               widget=forms.Select(attrs={"class": "form-select"}))
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices],
                              widget=forms.Select(attrs={"class": "form-select"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Resource.Kind.choices],
                             widget=forms.Select(attrs={"class": "form-select"}))
