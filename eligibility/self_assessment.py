"""The public self-assessment: about ten plain questions whose answers fill `Facts` directly.

"I don't know" leaves the fact `UNKNOWN`, which the criteria never take as a pass. The same
criteria then run as for a submitted application (`criteria.screen_facts`), so the two cannot
disagree. Pure: no ORM, no request; the view only shows the questions and the outcome.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .facts import KIND_FAMILY, UNKNOWN, Facts, Family

DONT_KNOW = "dont_know"


@dataclass(frozen=True)
class Question:
    name: str
    label: Any
    choices: tuple[tuple[str, Any], ...]
    help_text: Any = ""
    dont_know: bool = True

    def all_choices(self):
        extra = ((DONT_KNOW, _("I don't know")),) if self.dont_know else ()
        return self.choices + extra


QUESTIONS: tuple[Question, ...] = (
    Question("kind", _("What are you building together?"), (
        ("coalition", _("A coalition")),
        ("alliance", _("An alliance")),
        ("collective", _("A collective of organisations")),
        ("merger_absorption", _("A merger-absorption")),
        ("transfer_takeover", _("A transfer and takeover")),
        ("transmission", _("A transmission")),
    ), dont_know=False),
    Question("organisations", _("How many organisations take part?"), (
        ("1", _("Only one")),
        ("2", _("Two")),
        ("3", _("Three to five")),
        ("6", _("Six or more")),
    ), help_text=_("For a merger, a takeover or a transmission, count both sides."), dont_know=False),
    Question("main_purpose", _("What do you mainly do together?"), (
        ("joint_programmes", _("Common, coordinated or articulated programmes on the ground")),
        ("consolidation", _("We are combining our organisations (merger, takeover, transmission)")),
        ("advocacy", _("Advocacy: influencing public policy")),
        ("campaign", _("A campaign for a great cause, an election or one fundraising drive")),
        ("fundraising", _("Raising funds together")),
        ("calls_for_projects", _("Answering calls for projects or tenders as a consortium")),
        ("shared_resources", _("Sharing premises, staff or services")),
        ("sector_representation", _("Representing our sector or our members' interests")),
        ("affiliate_network", _("Spreading or coordinating affiliates of one concept or parent structure")),
    )),
    Question("does_advocacy", _("Besides, do you also do advocacy together?"), (
        ("yes", _("Yes")), ("no", _("No")),
    )),
    Question("temporary", _("Is your collective set up for a limited action with an end date?"), (
        ("yes", _("Yes, for a campaign, an election or a single call")),
        ("no", _("No, it is meant to last")),
    )),
    Question("programmes", _("Do at least two of you run programmes together on a territory?"), (
        ("shared", _("Yes: common, coordinated or articulated programmes in one or more départements or régions")),
        ("own", _("Each organisation runs its own programmes on its territory")),
        ("none", _("No programme on a territory (national, online or advocacy work only)")),
    )),
    Question("network_head", _("Is one of the organisations the head of a network, a federation or the parent "
                               "structure of the others?"), (
        ("yes", _("Yes")), ("no", _("No")),
    )),
    Question("governance", _("How does the collective make its decisions?"), (
        ("one_member_one_vote", _("One organisation, one vote")),
        ("consensus", _("By consensus")),
        ("weighted_balanced", _("Weighted votes; no organisation holds a third of the votes or more")),
        ("weighted_blocking", _("Weighted votes; one organisation holds between a third and half of the votes")),
        ("weighted_majority", _("Weighted votes; one organisation holds more than half of the votes")),
        ("veto", _("One organisation can block the decisions alone")),
    ), help_text=_("For a merger, a takeover or a transmission, answer for the project as a whole.")),
    Question("decision", _("Have the organisations already decided to join forces?"), (
        ("decided", _("Yes: each governing body has decided, or the agreement is signed")),
        ("in_progress", _("Partly: some decisions are still to be taken")),
        ("exploring", _("Not yet: we are still looking for partners or weighing the idea")),
    )),
    Question("members_scope", _("Are the organisations non-profit and of general interest?"), (
        ("all", _("All of them")),
        ("some", _("Most of them; one is a company or serves only its members")),
        ("few", _("Few or none of them")),
    )),
    Question("budget", _("What would the funding pay for?"), (
        ("collective", _("Running the collective: coordination, facilitation, legal and HR work, shared tools")),
        ("mixed", _("Mostly running the collective, partly delivering programmes")),
        ("programmes", _("Mostly delivering programmes, or one member's own overheads")),
    )),
    Question("years", _("Over how many years?"), (
        ("1", _("One year")), ("2", _("Two years")), ("3", _("Three years")), ("4", _("More than three years")),
    )),
)

# Representative shares for the governance answers, inside the band that each answer names.
GOVERNANCE = {
    "one_member_one_vote": {"governance": "one_member_one_vote", "veto_holder": False},
    "consensus": {"governance": "consensus", "veto_holder": False},
    "weighted_balanced": {"governance": "weighted", "largest_voting_share": 0.25, "shares_add_up": True,
                          "veto_holder": False},
    "weighted_blocking": {"governance": "weighted", "largest_voting_share": 0.4, "shares_add_up": True,
                          "veto_holder": False},
    "weighted_majority": {"governance": "weighted", "largest_voting_share": 0.6, "shares_add_up": True,
                          "veto_holder": False},
    "veto": {"veto_holder": True},
}
PROGRAMMES = {
    "shared": {"shared_programme_on_ground": True, "territorialised_programme": True},
    "own": {"shared_programme_on_ground": False, "territorialised_programme": True},
    "none": {"shared_programme_on_ground": False, "territorialised_programme": False},
}
# Representative shares of fundable budget, inside the band that each answer names.
BUDGET = {"collective": Decimal("1"), "mixed": Decimal("0.7"), "programmes": Decimal("0.3")}
YES_NO = {"yes": True, "no": False}


def answers_to_facts(answers: dict[str, str]) -> Facts:
    """The facts the answers state; every "I don't know" (or missing answer) stays UNKNOWN."""

    def answer(name):
        value = answers.get(name, DONT_KNOW)
        return None if value in (DONT_KNOW, "", None) else value

    values: dict[str, Any] = {}
    kind = answer("kind")
    family = KIND_FAMILY.get(kind, UNKNOWN) if kind else UNKNOWN
    values["family"] = family
    organisations = int(answer("organisations")) if answer("organisations") else UNKNOWN
    values["organisations"] = organisations
    if answer("main_purpose"):
        values["main_purpose"] = answer("main_purpose")
    for name, fact in (("does_advocacy", "does_advocacy"), ("temporary", "temporary"),
                       ("network_head", "head_or_affiliate")):
        if answer(name):
            values[fact] = YES_NO[answer(name)]
    values.update(PROGRAMMES.get(answer("programmes"), {}))
    values.update(GOVERNANCE.get(answer("governance"), {}))
    if answer("decision"):
        values["decision"] = answer("decision")
    scope = answer("members_scope")
    if scope == "all":
        values["members_outside_scope"] = 0
    elif scope == "some":
        values["members_outside_scope"] = 1
    elif scope == "few" and organisations is not UNKNOWN:
        values["members_outside_scope"] = organisations
    if answer("budget"):
        values["fundable_share"] = BUDGET[answer("budget")]
    if answer("years"):
        values["years"] = int(answer("years"))
    # Both sides of a consolidation take part when at least two organisations do.
    if family is Family.COALITION:
        values["both_sides"] = None
    elif family is Family.CONSOLIDATION and organisations is not UNKNOWN:
        values["both_sides"] = organisations >= 2
    return Facts(**values)


# What to do next when a criterion excludes: where JOIN FORCES is probably not the right funder.
GUIDANCE = {
    "advocacy_only": _("Funds that support advocacy, civic mobilisation and campaigns suit you better. If your "
                       "members also run shared programmes on the ground, tell us about them: they change the "
                       "answer."),
    "ralliance": _("JOIN FORCES funds collectives of equals. When one organisation leads and the others join it, "
                   "funders of that organisation's development or programmes are the natural route."),
    "off_ground": _("Networks and think tanks without programmes on a territory can turn to funders of research, "
                    "networks and public debate."),
    "federation": _("Federations and network heads are usually funded by their members' dues and by the public "
                    "bodies or sector funds of their field."),
    "fundraising_consortium": _("A consortium that answers calls for projects or pools its fundraising fits project "
                                "funders and public calls for projects; JOIN FORCES funds the integration of "
                                "programmes."),
    "operating_costs": _("JOIN FORCES pays the operating costs of acting together (coordination, facilitation, the "
                         "legal and HR work of a merger…), not programme delivery, which programme funders cover."),
    "duration": _("Our calls fund one to three years of operating costs: adjust the length of your request."),
    "decided": _("JOIN FORCES supports organisations that have already decided to act together. While you explore, "
                 "local support schemes (such as the Dispositif local d'accompagnement) can help; come back once "
                 "your governing bodies have decided."),
    "members": _("At least two organisations must take part: both sides of a merger, a takeover or a transmission."),
    "non_profit": _("JOIN FORCES funds non-profit organisations of general interest; social-enterprise and "
                    "impact-investment funders may suit companies better."),
}
