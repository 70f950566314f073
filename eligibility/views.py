from django.shortcuts import render
from django.utils.translation import get_language
from django_htmx.http import reswap, retarget

from joinforces.core.ratelimit import ratelimit

from . import services
from .criteria import Result, screen_facts
from .forms import SelfAssessmentForm
from .self_assessment import GUIDANCE, answers_to_facts


@ratelimit("eligibility.self_assessment", limit=30, period=3600)
def self_assessment(request):
    """Anyone, without an account, learns whether JOIN FORCES funds what they do, and why.

    Nothing personal is stored: only this week's count of each result.
    """
    form = SelfAssessmentForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        outcome = screen_facts(answers_to_facts(form.cleaned_data))
        services.self_assessment_count(outcome=outcome)
        language = get_language() or "fr"
        context["outcome"] = outcome
        context["findings"] = [
            {
                "finding": finding,
                "reason": finding.reason_in(language),
                "guidance": GUIDANCE.get(finding.criterion) if finding.result == Result.EXCLUDE else None,
            }
            for finding in outcome.findings
        ]
        if request.htmx:
            return render(request, "eligibility/self_assessment_result.html", context)
    elif request.method == "POST" and request.htmx:
        # Missing answers: show the form again, with its errors, in place of the form.
        response = render(request, "eligibility/self_assessment_form.html", context)
        return reswap(retarget(response, "#self-assessment-form"), "outerHTML")
    return render(request, "eligibility/self_assessment.html", context)
