"""Input shape of the yearly report page. Every field is optional while the report is a draft: what is
missing is listed by `reports.report_missing`, and submission refuses an incomplete report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from joinforces.core.uploads import CheckedFileField

REPORT_DOCUMENT_KINDS = ("pdf", "docx", "odt", "xlsx", "ods", "pptx")
COUNT = {"min_value": 0, "max_value": 1_000_000_000, "required": False}


def territory_choices(territories) -> list:
    """Régions, each with its départements, then the overseas collectivities: choices grouped for a
    select (the value is the territory's code)."""
    by_region: dict = {}
    regions, others = [], []
    for territory in territories:
        if territory.kind == "region":
            regions.append(territory)
        elif territory.region_id:
            by_region.setdefault(territory.region_id, []).append(territory)
        else:
            others.append(territory)
    groups = []
    for region in sorted(regions, key=lambda r: r.name):
        options = [(region.code, _("%(name)s (the whole région)") % {"name": region.name})]
        departements = sorted(by_region.get(region.pk, []), key=lambda d: d.code)
        options += [(d.code, f"{d.code} · {d.name}") for d in departements]
        groups.append((region.name, options))
    if others:
        groups.append((_("Overseas collectivities"), [(t.code, f"{t.code} · {t.name}") for t in others]))
    return groups


class MarkErrorsMixin:
    """Inputs rendered one by one in a table say that they are invalid, and where the message is."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class ReportForm(forms.Form):
    narrative = forms.CharField(
        label=_("What the collective achieved this year"), required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What you did together, what changed for the members and the people you serve, what was "
                    "hard and what you learned."))
    summary = forms.CharField(
        label=_("Summary in a few lines"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A short text that JOIN FORCES may pass on, if you agree below."))
    share_with_donors = forms.BooleanField(
        label=_("The summary may be shared with the initiative's donors"), required=False)
    organisations_involved = forms.IntegerField(label=_("Organisations involved"), **COUNT)
    territories = forms.MultipleChoiceField(
        label=_("Territories covered"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Choose a whole région or départements. To choose several, hold Ctrl (Cmd on a Mac) while "
                    "you click, or use Shift and the arrow keys."))
    people_reached = forms.IntegerField(label=_("People reached"), **COUNT)
    staff_shared = forms.DecimalField(label=_("Staff shared (full-time equivalent)"), max_digits=6,
                                      decimal_places=1, min_value=0, required=False,
                                      widget=forms.NumberInput(attrs={"step": "0.1"}))
    governance_meetings = forms.IntegerField(label=_("Governance meetings held"), **COUNT)

    def __init__(self, *args, territories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territories"].choices = territory_choices(territories)

    def report_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("narrative", "summary", "share_with_donors", "organisations_involved",
                                              "people_reached", "staff_shared", "governance_meetings")}


class SpendingForm(MarkErrorsMixin, forms.Form):
    """What the year cost, one amount and one comment per budget category (`spent_<code>`,
    `comment_<code>`)."""

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        for code, label in self.categories:
            self.fields[f"spent_{code}"] = forms.DecimalField(
                label=_("Spent on “%(category)s” (€)") % {"category": label}, max_digits=14, decimal_places=2,
                min_value=0, required=False,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "form-control"}))
            self.fields[f"comment_{code}"] = forms.CharField(
                label=_("Comment on “%(category)s”") % {"category": label}, max_length=300, required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}))

    def rows(self):
        """(code, label, amount field, comment field), in the order of the categories."""
        return [(code, label, self[f"spent_{code}"], self[f"comment_{code}"]) for code, label in self.categories]

    def lines(self) -> dict:
        data = self.cleaned_data
        return {code: (data.get(f"spent_{code}"), data.get(f"comment_{code}", ""))
                for code, _label in self.categories
                if data.get(f"spent_{code}") is not None or data.get(f"comment_{code}")}


class IndicatorForm(MarkErrorsMixin, forms.Form):
    label = forms.CharField(label=_("Indicator"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control"}))
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2, required=False,
                               widget=forms.NumberInput(attrs={"step": "0.01", "class": "form-control"}))
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean(self):
        data = super().clean()
        if data.get("value") is not None and not (data.get("label") or "").strip():
            self.add_error("label", _("Name the indicator you give a value to."))
        if (data.get("label") or "").strip() and data.get("value") is None and "value" not in self.errors:
            self.add_error("value", _("Give this indicator a value."))
        return data


class BaseIndicatorFormSet(forms.BaseFormSet):
    def rows(self) -> list:
        return [(f.cleaned_data.get("label", ""), f.cleaned_data.get("value"), f.cleaned_data.get("unit", ""))
                for f in self.forms if (f.cleaned_data.get("label") or "").strip()]


IndicatorFormSet = forms.formset_factory(IndicatorForm, formset=BaseIndicatorFormSet, extra=2, max_num=20,
                                         validate_max=True, absolute_max=40)
ReadOnlyIndicatorFormSet = forms.formset_factory(IndicatorForm, formset=BaseIndicatorFormSet, extra=0)


class ReportAttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title of the document"), max_length=200, required=False,
                            help_text=_("For example: activity report, accounts of the year."))
    file = CheckedFileField(label=_("Document"), kinds=REPORT_DOCUMENT_KINDS)
