"""Publication of the committee's decisions: the one way an outcome reaches a team.

Before publication the team sees "under review" and nothing of the decision; after it, the outcome
and its letter (PDF, in the team's language, never the internal rationale), sent once per person even
when the work runs twice; `decision_published` is sent once per decision; a withdrawn application's
decision is never published.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from applications import services
from applications.models import Decision, Status, TeamMember
from applications.signals import decision_published
from joinforces.core.models import Notification
from joinforces.core.uploads import download_url
from tests.factories import ApplicantFactory
from tests.pdf import pdf_text

from .factories import CallFactory, open_round, submitted_application

pytestmark = pytest.mark.django_db

RATIONALE = "NOTE-INTERNE-7731 : le comité hésitait sur la gouvernance."
# Words that name an outcome on the team's pages, in French (the default language).
OUTCOME_WORDS = ("Retenue", "retenue", "liste d’attente", "lettre de décision", "30\u00a0000,00")


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, application) -> str:
    return client.get(reverse("applications:detail", args=[application.pk])).content.decode()


def my_space(client) -> str:
    return client.get(reverse("portal:my_space")).content.decode()


def select(application, review_round, staff, **kwargs) -> Decision:
    values = {"outcome": "selected", "amount_per_year": Decimal("30000.00"), "years": 3, "rationale": RATIONALE}
    values.update(kwargs)
    return services.decision_record(application=application, review_round=review_round, actor=staff, **values)


def publish(review_round, staff, capture) -> list[Decision]:
    """Publish as staff do, then run what waits for the commit (the letter task, the signal)."""
    with capture(execute=True):
        return services.round_publish(review_round=review_round, actor=staff)


# --- (a) Nothing before publication; the outcome and its letter after -----------------------------


def test_the_team_sees_under_review_until_publication_then_the_outcome_and_its_letter(
        staff, applicant, other_applicant, donor, django_capture_on_commit_callbacks):
    """A recorded decision changes nothing for the team: its page and its space still say "under
    review", the decision is not visible to it and its letter is a 404 (even a file attached to the
    pending decision). Once published, the page and the space show the outcome, the amounts and the
    letter link, which serves the PDF to the team and is a 404 for another applicant and a donor."""
    call = CallFactory()
    application = submitted_application(call=call, user=applicant)
    review_round = open_round(call, staff=staff)
    decision = select(application, review_round, staff)
    team = logged(applicant)

    before = page(team, application)
    space = my_space(team)
    assert "En cours d’examen" in before and "en cours d’examen" in space
    for word in (*OUTCOME_WORDS, RATIONALE):
        assert word not in before and word not in space, word
    assert not Decision.objects.visible_to(applicant).exists()
    # Even a letter already on file stays out of reach while the decision is pending.
    decision.letter.save("fuite.pdf", ContentFile(b"%PDF-1.4 fuite"), save=True)
    url = download_url(decision, "letter")
    assert team.get(url).status_code == 404
    decision.letter = ""
    decision.save(update_fields=["letter"])

    published = publish(review_round, staff, django_capture_on_commit_callbacks)

    assert [d.pk for d in published] == [decision.pk]
    application.refresh_from_db()
    decision.refresh_from_db()
    assert application.status == Status.SELECTED and decision.letter
    after = page(team, application)
    assert "Retenue" in after and "30\u00a0000,00\u00a0€" in after and "90\u00a0000,00\u00a0€" in after
    assert url in after and "Décision publiée." in after
    assert RATIONALE not in after
    assert "retenue" in my_space(team)
    response = team.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert logged(other_applicant).get(url).status_code == 404
    assert logged(donor).get(url).status_code == 404
    assert Client().get(url).status_code in (302, 404)


@pytest.mark.parametrize(("outcome", "sentence", "panel"), [
    ("waitlisted", "Sur liste d’attente", "sur liste d’attente"),
    ("declined", "Non retenue", "non retenue"),
])
def test_other_outcomes_show_on_the_page_only_once_published(
        outcome, sentence, panel, staff, applicant, django_capture_on_commit_callbacks):
    """A waitlisted or declined decision shows as such on the team's page and space after
    publication (with the reasons given to the team), never before."""
    call = CallFactory()
    application = submitted_application(call=call, user=applicant)
    review_round = open_round(call, staff=staff)
    services.decision_record(application=application, review_round=review_round, outcome=outcome, actor=staff,
                             rationale=RATIONALE, reasons="Le budget reste à préciser.")
    team = logged(applicant)
    assert sentence not in page(team, application) and panel not in my_space(team)

    publish(review_round, staff, django_capture_on_commit_callbacks)

    shown = page(team, application)
    assert sentence in shown and "Le budget reste à préciser." in shown and RATIONALE not in shown
    assert panel in my_space(team)


def test_a_request_for_more_information_says_what_is_asked(staff, applicant):
    """While more information is requested, the team's page quotes the message and links the
    reopened steps; its space says so; the history records the request."""
    application = submitted_application(user=applicant)
    services.info_request(application=application, steps=[3, 6], message="Précisez les parts de voix.",
                          actor=staff)
    team = logged(applicant)
    shown = page(team, application)
    assert "Précisez les parts de voix." in shown
    assert reverse("applications:step", args=[application.pk, 3]) in shown
    assert reverse("applications:step", args=[application.pk, 6]) in shown
    assert reverse("applications:step", args=[application.pk, 5]) not in shown
    assert "informations complémentaires demandées" in my_space(team)


# --- (b) One letter per person, even when the work runs twice ------------------------------------


def test_publication_sends_one_letter_per_person_even_when_run_twice(
        staff, applicant, django_capture_on_commit_callbacks):
    """Each person of the team gets one email with the letter attached; running the letter task
    again, or publishing the round again, sends nothing more and renders no second letter."""
    call = CallFactory()
    application = submitted_application(call=call, user=applicant)
    co_applicant = ApplicantFactory()
    TeamMember.objects.create(application=application, user=co_applicant, role=TeamMember.Role.CO_APPLICANT)
    review_round = open_round(call, staff=staff)
    decision = select(application, review_round, staff)

    publish(review_round, staff, django_capture_on_commit_callbacks)
    decision.refresh_from_db()
    letter_name = decision.letter.name
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_letter_send(decision_id=decision.pk)
        services.decision_letter_send(decision_id=decision.pk)
    again = publish(review_round, staff, django_capture_on_commit_callbacks)

    assert again == []
    decision.refresh_from_db()
    assert decision.letter.name == letter_name
    keys = set(Notification.objects.filter(key__startswith=f"applications.decision_letter:{decision.pk}:")
               .values_list("key", flat=True))
    assert keys == {f"applications.decision_letter:{decision.pk}:{user.pk}" for user in (applicant, co_applicant)}
    letters = [m for m in mail.outbox if any(a[0].endswith(".pdf") for a in m.attachments)]
    assert sorted(m.to[0] for m in letters) == sorted([applicant.email, co_applicant.email])
    assert all(m.alternatives and application.reference in m.alternatives[0][0] for m in letters)


def test_an_unpublished_decision_has_no_letter(staff, applicant):
    """The letter task refuses a decision that is not published: nothing is rendered or sent."""
    call = CallFactory()
    application = submitted_application(call=call, user=applicant)
    decision = select(application, open_round(call, staff=staff), staff)
    with pytest.raises(services.ApplicationError):
        services.decision_letter_send(decision_id=decision.pk)
    decision.refresh_from_db()
    assert not decision.letter and not Notification.objects.filter(key__startswith="applications.decision_letter")


# --- (c) The letter, in French and in English ---------------------------------------------------


def published_letter(user, staff, capture, language, **decision_kwargs) -> tuple[Decision, str]:
    user.language = language
    user.save(update_fields=["language"])
    call = CallFactory(title="Appel Impact collectif 2027")
    application = submitted_application(call=call, user=user, **decision_kwargs.pop("application", {}))
    review_round = open_round(call, staff=staff)
    if decision_kwargs.pop("ineligible", False):
        [decision] = services.decisions_decline_ineligible(review_round=review_round, actor=staff)
        decision = services.decision_record(
            application=application, review_round=review_round, outcome="declined", actor=staff,
            excluded_criteria=decision.excluded_criteria, reasons="Les parts de voix sont trop inégales.",
            rationale=RATIONALE)
    else:
        decision = select(application, review_round, staff, **decision_kwargs)
    publish(review_round, staff, capture)
    decision.refresh_from_db()
    with decision.letter.open("rb") as handle:
        return decision, pdf_text(handle.read())


def test_a_selection_letter_in_french(staff, applicant, django_capture_on_commit_callbacks):
    """The letter of a selected team whose owner speaks French is in French: place and date,
    addressee (collective and lead member), subject with the reference, amounts in the French
    format, duration, total, the grant agreement to come, the committee's signature; never the
    internal rationale."""
    decision, text = published_letter(applicant, staff, django_capture_on_commit_callbacks, "fr")
    application = decision.application
    assert decision.letter_language == "fr"
    assert "Paris, le" in text and application.reference in text and "Objet" in text
    assert application.name in text and "Banque alimentaire de Lille" in text
    assert "30 000,00 €" in text and "90 000,00 €" in text and "3 ans" in text
    assert "convention" in text and "Le comité de sélection de JOIN FORCES" in text
    assert "Madame, Monsieur" in text
    assert "NOTE-INTERNE-7731" not in text
    for english in ("Dear", "Subject", "per year", "selected"):
        assert english not in text


def test_a_selection_letter_in_english(staff, applicant, django_capture_on_commit_callbacks):
    """A team whose owner chose English gets the letter in English, with amounts in the English
    format."""
    decision, text = published_letter(applicant, staff, django_capture_on_commit_callbacks, "en")
    assert decision.letter_language == "en"
    assert "Paris," in text and "Subject" in text and decision.application.reference in text
    assert "€30,000.00" in text and "€90,000.00" in text and "3 years" in text
    assert "grant agreement" in text and "Dear Madam or Sir" in text
    assert "The selection committee of JOIN FORCES" in text
    assert "NOTE-INTERNE-7731" not in text
    for french in ("Objet", "Madame", "comité", "par an"):
        assert french not in text


@pytest.mark.parametrize(("language", "label", "sentence", "declined"), [
    ("fr", "« Ralliance »", "d’égal à égal", "ne pas retenir votre candidature"),
    ("en", "“Ralliance”", "do not work together as equals", "not to select your application"),
])
def test_a_decline_letter_gives_the_excluded_criteria_and_reasons_never_the_rationale(
        language, label, sentence, declined, staff, applicant, django_capture_on_commit_callbacks):
    """A declined ineligible application's letter names each excluded criterion with a sentence in
    plain words, and the reasons given to the team, in the team's language; never the rationale."""
    decision, text = published_letter(
        applicant, staff, django_capture_on_commit_callbacks, language,
        application={"governance": "weighted", "shares": ["80", "20"]}, ineligible=True)
    assert decision.excluded_criteria == ["ralliance"]
    assert label in text and sentence in text
    assert "Les parts de voix sont trop inégales." in text
    assert declined in text
    assert "NOTE-INTERNE-7731" not in text and "30 000" not in text and "30,000" not in text


# --- (d) The signal -------------------------------------------------------------------------------


def test_decision_published_is_sent_once_per_published_decision(staff, django_capture_on_commit_callbacks):
    """Each published decision sends `decision_published` once, after the commit; publishing the
    round again sends nothing."""
    received = []

    def receiver(sender, decision, **kwargs):
        received.append((sender, decision.pk, decision.is_published))

    call = CallFactory()
    first = submitted_application(call=call, user=ApplicantFactory())
    second = submitted_application(call=call, user=ApplicantFactory(), name="Collectif des aidants du Gers")
    review_round = open_round(call, staff=staff)
    one = select(first, review_round, staff)
    two = services.decision_record(application=second, review_round=review_round, outcome="waitlisted",
                                   actor=staff, rationale=RATIONALE)
    decision_published.connect(receiver, dispatch_uid="test_publication")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.round_publish(review_round=review_round, actor=staff)
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
        publish(review_round, staff, django_capture_on_commit_callbacks)
    finally:
        decision_published.disconnect(dispatch_uid="test_publication")
    assert sorted(received) == sorted([(Decision, one.pk, True), (Decision, two.pk, True)])


# --- (e) Withdrawn -------------------------------------------------------------------------------


def test_a_decision_on_a_withdrawn_application_is_not_published(
        staff, applicant, django_capture_on_commit_callbacks):
    """An application withdrawn after its decision was recorded keeps its status; its decision stays
    unpublished, with no letter, email or signal, while the round's other decisions go out."""
    received = []

    def receiver(sender, decision, **kwargs):
        received.append(decision.pk)

    call = CallFactory()
    withdrawn = submitted_application(call=call, user=applicant)
    kept = submitted_application(call=call, user=ApplicantFactory(), name="Collectif des aidants du Gers")
    review_round = open_round(call, staff=staff)
    left = select(withdrawn, review_round, staff)
    other = select(kept, review_round, staff)
    services.application_withdraw(application=withdrawn, actor=applicant, reason="Nous fusionnons autrement.")
    decision_published.connect(receiver, dispatch_uid="test_publication_withdrawn")
    try:
        published = publish(review_round, staff, django_capture_on_commit_callbacks)
    finally:
        decision_published.disconnect(dispatch_uid="test_publication_withdrawn")

    assert [d.pk for d in published] == [other.pk] and received == [other.pk]
    left.refresh_from_db()
    withdrawn.refresh_from_db()
    assert left.published_at is None and not left.letter
    assert withdrawn.status == Status.WITHDRAWN
    assert not Notification.objects.filter(key__startswith=f"applications.decision_letter:{left.pk}:").exists()
    assert applicant.email not in [m.to[0] for m in mail.outbox if m.attachments]
    assert not Decision.objects.visible_to(applicant).exists()
    assert "Retenue" not in page(logged(applicant), withdrawn)
