"""Booking an expert: staff book a slot, the expert and the team are invited with an .ics, the expert
confirms or declines; an overlap (buffers included) is refused with a clear message and other slots;
reschedule and cancel raise the calendar's SEQUENCE; reminders and feedback requests go once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from joinforces.core.models import AuditEvent, Notification
from support import services
from support.models import Booking, BookingStatus, Feedback

from .factories import ExpertFactory, booking_row, next_weekday, plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(staff):
    plan = plan_for()
    need = plan.needs.get(domain="mediation")
    expert = ExpertFactory(name="Claire Médiatrice")
    return staff, need, expert


def book(world, start, hours=2, **kwargs):
    staff, need, expert = world
    return services.booking_create(need=need, expert=expert, start=start, end=start + timedelta(hours=hours),
                                   actor=staff, **kwargs)


def test_staff_book_a_session_and_the_expert_and_the_team_are_invited(world, django_capture_on_commit_callbacks):
    _staff, need, expert = world
    start = next_weekday()
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(world, start, notes="Préparer le conflit de gouvernance.")
    assert booking.status == BookingStatus.PROPOSED and booking.sequence == 0
    assert booking.blocked_start == start - timedelta(minutes=15)
    assert booking.blocked_end == start + timedelta(hours=2, minutes=15)
    team = need.plan.grant.application.created_by
    sent = Notification.objects.filter(key__startswith=f"support.booking_invitation:{booking.pk}:0:")
    assert sorted(sent.values_list("to", flat=True)) == sorted([expert.email, team.email])
    assert all(n.attachments[0]["filename"] == "invitation.ics" for n in sent)
    assert len(mail.outbox) == 2
    assert "/accompagnement/lien/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="support.booking_created").count() == 1


def test_an_overlap_is_refused_with_other_slots_and_nothing_is_booked(world):
    first = book(world, next_weekday(hour=10))
    # 12:00 starts within the 15 minutes of buffer after the first session (10:00–12:00).
    with translation.override("en"), pytest.raises(services.SlotTaken) as refusal:
        book(world, next_weekday(hour=12))
    assert "Claire Médiatrice is already booked at that time" in refusal.value.message
    assert refusal.value.alternatives
    for start, end in refusal.value.alternatives:
        assert end <= first.blocked_start - timedelta(minutes=15) or start >= first.blocked_end + timedelta(minutes=15)
    assert Booking.objects.count() == 1


def test_a_cancelled_or_declined_booking_frees_the_time(world):
    start = next_weekday(hour=10)
    booking_row(expert=world[2], need=world[1], start=start, status=BookingStatus.CANCELLED)
    booking_row(expert=world[2], need=world[1], start=start, status=BookingStatus.DECLINED)
    assert book(world, start).status == BookingStatus.PROPOSED


@pytest.mark.parametrize(("change", "message"), [
    ({"hours": -1}, "end after"),
    ({"hours": 11}, "at most"),
])
def test_bad_times_are_refused(world, change, message):
    with translation.override("en"), pytest.raises(services.SupportError) as refusal:
        book(world, next_weekday(), **change)
    assert message in refusal.value.message
    assert not Booking.objects.exists()


def test_a_session_in_the_past_is_refused(world):
    with pytest.raises(services.SupportError):
        book(world, timezone.now() - timedelta(hours=3))


def test_an_expert_in_conflict_of_interest_cannot_be_booked(world):
    staff, need, _expert = world
    linked = ExpertFactory(linked=[("Le Lien", "732829320")])
    with pytest.raises(services.SupportError) as refusal:
        services.booking_create(need=need, expert=linked, start=next_weekday(),
                                end=next_weekday() + timedelta(hours=1), actor=staff)
    assert "Association Le Lien" in refusal.value.message


def test_only_staff_book(world, applicant):
    _staff, need, expert = world
    with pytest.raises(services.SupportError):
        services.booking_create(need=need, expert=expert, start=next_weekday(),
                                end=next_weekday() + timedelta(hours=1), actor=applicant)


def test_the_expert_confirms_or_declines_only_their_own_session(world, expert, make_user):
    _staff, _need, expert_profile = world
    expert_profile.user = expert
    expert_profile.save()
    booking = book(world, next_weekday())
    other_expert = make_user("expert")
    with pytest.raises(services.SupportError):
        services.booking_confirm(booking=booking, actor=other_expert)
    confirmed = services.booking_confirm(booking=booking, actor=expert)
    assert confirmed.status == BookingStatus.CONFIRMED and confirmed.confirmed_at
    second = book(world, next_weekday(weeks=2))
    declined = services.booking_decline(booking=second, actor=expert, reason="En congé")
    assert declined.status == BookingStatus.DECLINED
    assert Notification.objects.filter(key__startswith=f"support.booking_cancelled:{second.pk}:").exists()
    # The time is free again.
    assert book(world, next_weekday(weeks=2)).status == BookingStatus.PROPOSED


def test_reschedule_raises_the_sequence_and_invites_again_and_cancel_sends_method_cancel(world):
    booking = book(world, next_weekday(hour=10))
    moved = services.booking_reschedule(booking=booking, start=next_weekday(hour=14),
                                        end=next_weekday(hour=16), actor=world[0])
    assert moved.sequence == 1 and moved.start == next_weekday(hour=14) and moved.status == BookingStatus.PROPOSED
    assert Notification.objects.filter(key__startswith=f"support.booking_invitation:{booking.pk}:1:").count() == 2
    # Moving onto itself (overlapping its own old range) is fine; the old time is free again.
    assert book(world, next_weekday(hour=10)).pk != booking.pk
    cancelled = services.booking_cancel(booking=moved, actor=world[0], reason="Report demandé")
    assert cancelled.status == BookingStatus.CANCELLED and cancelled.sequence == 2
    assert Notification.objects.filter(key__startswith=f"support.booking_cancelled:{booking.pk}:2:").count() == 2
    with pytest.raises(services.SupportError):
        services.booking_cancel(booking=cancelled, actor=world[0])


def test_reminders_go_once_the_day_before(world):
    booking = book(world, next_weekday(hour=10))
    day_before = booking.start - timedelta(hours=20)
    assert services.booking_reminders_send(now=booking.start - timedelta(days=3)) == 0
    assert services.booking_reminders_send(now=day_before) == 1
    assert services.booking_reminders_send(now=day_before + timedelta(hours=1)) == 0  # the task runs again
    assert Notification.objects.filter(key__startswith=f"support.booking_reminder:{booking.pk}:").count() == 2
    from support.tasks import booking_reminders_task

    assert booking_reminders_task.delay().get() == 0


def test_a_moved_session_is_reminded_again_for_its_new_time(world):
    booking = book(world, next_weekday(hour=10))
    services.booking_reminders_send(now=booking.start - timedelta(hours=20))
    moved = services.booking_reschedule(booking=booking, start=next_weekday(hour=14, weeks=2),
                                        end=next_weekday(hour=16, weeks=2), actor=world[0])
    assert services.booking_reminders_send(now=moved.start - timedelta(hours=2)) == 1


def test_after_the_session_both_sides_are_asked_for_feedback_once_and_give_it_once(world):
    booking = book(world, next_weekday(hour=10))
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED, confirmed_at=timezone.now())
    after = booking.end + timedelta(hours=1)
    assert services.feedback_requests_send(now=booking.end - timedelta(minutes=5)) == 0
    assert services.feedback_requests_send(now=after) == 1
    assert services.feedback_requests_send(now=after) == 0
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DELIVERED
    requests = Notification.objects.filter(key__startswith=f"support.feedback_request:{booking.pk}:")
    assert requests.count() == 2 and all("/accompagnement/avis/" in n.body_text for n in requests)
    services.feedback_give(booking=booking, side="expert", email=booking.expert.email, rating=5, comment="Très bien")
    with pytest.raises(services.SupportError):
        services.feedback_give(booking=booking, side="expert", email=booking.expert.email, rating=4)
    with pytest.raises(services.SupportError):
        services.feedback_give(booking=booking, side="initiative", email="x@example.org", rating=9)
    services.feedback_give(booking=booking, side="initiative", email="x@example.org", rating=4)
    assert Feedback.objects.filter(booking=booking).count() == 2


def test_feedback_before_the_session_is_refused(world):
    booking = book(world, next_weekday())
    with pytest.raises(services.SupportError):
        services.feedback_give(booking=booking, side="expert", email="a@example.org", rating=5)


def test_hours_count_against_the_budget_in_days_of_seven_hours(world):
    from support.selectors import plan_figures

    book(world, next_weekday(hour=9), hours=7)
    figures = plan_figures(world[1].plan)
    row = next(r for r in figures.needs if r.need.domain == "mediation")
    assert row.booked_days == Decimal("1.00") and row.remaining_days == Decimal("2.00")
    assert row.value == Decimal("600.00")
