"""Every email goes through one service: keyed by address and idempotency key, HTML and text,
in the recipient's language."""

import pytest
from django.core import mail

from joinforces.core.ics import ICS_MIMETYPE
from joinforces.core.models import Notification
from joinforces.core.services import EmailAttachment, notification_deliver, notification_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Send the welcome email; the delivery task, enqueued on commit, runs as a real commit would."""

    def send(to="inscrite@example.org", key="events.registered:1", deliver=True, **kwargs):
        with django_capture_on_commit_callbacks(execute=deliver):
            return notification_send(to=to, template="accounts/email/welcome",
                                     context={"user": {"get_short_name": "Zoé", "email": to}}, key=key, **kwargs)

    return send


def test_the_same_notification_asked_twice_sends_one_email(send):
    first = send()
    second = send()
    assert first.pk == second.pk
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    assert Notification.objects.get().status == Notification.Status.SENT


def test_another_key_sends_another_email(send):
    send(key="a.b:1")
    send(key="a.b:2")
    assert len(mail.outbox) == 2


def test_a_recipient_without_account_gets_text_and_html_in_the_given_language(send):
    send(to="visiteur@example.org", language="en")
    message = mail.outbox[0]
    assert message.to == ["visiteur@example.org"]
    assert message.subject == "[JOIN FORCES] Welcome to JOIN FORCES"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<html" in html
    assert "Your email address is verified" in message.body


def test_an_account_holder_gets_it_in_their_own_language(send, make_user):
    user = make_user(language="fr")
    send(to=user.email.upper(), language="en")
    assert mail.outbox[0].subject == "[JOIN FORCES] Bienvenue sur JOIN FORCES"
    user.language = "en"
    user.save()
    send(to=user.email, key="other:1", language="fr")
    assert mail.outbox[1].subject == "[JOIN FORCES] Welcome to JOIN FORCES"


def test_delivering_twice_sends_once(send):
    notification = send(deliver=False)
    notification_deliver(notification_id=notification.pk)
    notification_deliver(notification_id=notification.pk)
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.sent_at is not None


def test_attachments_travel_with_the_email(send):
    send(attachments=[EmailAttachment("invitation.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", ICS_MIMETYPE)])
    filename, content, mimetype = mail.outbox[0].attachments[0]
    assert (filename, mimetype) == ("invitation.ics", ICS_MIMETYPE)
    assert "BEGIN:VCALENDAR" in (content if isinstance(content, str) else content.decode())


def test_a_text_only_template_still_goes_out_in_html(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(to="x@example.org", template="account/email/unknown_account", context={}, key="t:1",
                          language="fr")
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_a_failing_mail_server_leaves_it_failed_for_the_sweep(send, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    notification = send(key="down:1", deliver=False)
    with pytest.raises(OSError):
        notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 1 and notification.error


def test_the_text_part_and_the_subject_are_not_html_escaped(send, django_capture_on_commit_callbacks):
    """A name with an apostrophe or an ampersand reads as written in the text part and the subject;
    the HTML part escapes it."""
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(to="l-alliance@example.org", template="accounts/email/welcome", language="fr",
                          context={"user": {"get_short_name": "L'Alliance & <Cie>", "email": "x"}}, key="esc:1")
    message = mail.outbox[0]
    assert "L'Alliance & <Cie>" in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.body
    html, _mimetype = message.alternatives[0]
    assert "L&#x27;Alliance &amp; &lt;Cie&gt;" in html or "L&#39;Alliance &amp; &lt;Cie&gt;" in html
