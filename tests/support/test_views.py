"""The staff's pages (plan, matching, booking, agenda, load), the expert's and the team's pages, the
signed links and the toolbox: what each shows, and who reaches it (others get a 404 or a 403 for a
role's page). Query counts of the matching page and the agenda are pinned and flat."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import TeamMember
from joinforces.core.models import Notification
from support import services
from support.links import feedback_url, manage_url
from support.models import Booking, BookingStatus, Feedback, Resource

from .factories import ExpertFactory, booking_row, next_weekday, plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return plan_for()


def need_of(plan, domain="mediation"):
    return plan.needs.get(domain=domain)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# --- Staff ---------------------------------------------------------------------------------------


def test_the_plan_page_shows_needs_days_and_value(staff_client, plan):
    expert = ExpertFactory()
    booking_row(expert=expert, need=need_of(plan), start=next_weekday(hour=9), hours=7)
    response = staff_client.get(reverse("support:plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Médiation et conflits" in text and "Finance" in text
    assert "600,00" in text  # one day at 600 €
    assert reverse("support:need_match", args=[need_of(plan).pk]) in text
    assert staff_client.get(reverse("support:plan_list")).status_code == 200


def test_the_matching_page_ranks_experts_with_reasons_and_excludes_a_conflict(staff_client, plan):
    ExpertFactory(name="Anne Occitanie", domains={"mediation": 3})
    ExpertFactory(name="Bruno Distance", domains={"mediation": 3}, regions=[])
    ExpertFactory(name="Chloé Liée", domains={"mediation": 3}, linked=[("Le Lien", "732829320")])
    ExpertFactory(name="Denis Finance", domains={"finance": 3})
    response = staff_client.get(reverse("support:need_match", args=[need_of(plan).pk]))
    assert response.status_code == 200
    ranked = [row.expert.name for row in response.context["ranked"]]
    assert ranked[:2] == ["Anne Occitanie", "Bruno Distance"]
    text = response.content.decode()
    assert text.index("Anne Occitanie") < text.index("Bruno Distance") < text.index("Chloé Liée")
    excluded = next(row for row in response.context["ranked"] if row.expert.name == "Chloé Liée")
    assert excluded.match.excluded and "Association Le Lien" in excluded.match.exclusion
    assert excluded.match.exclusion in text
    first = response.context["ranked"][0]
    assert first.slots and not first.match.excluded


def test_staff_book_a_slot_from_the_matching_page(staff_client, plan):
    expert = ExpertFactory(name="Anne Occitanie")
    start = next_weekday(hour=10)
    response = staff_client.post(reverse("support:book", args=[need_of(plan).pk]), {
        "expert": expert.pk, "start": start.isoformat(), "duration": 120, "mode": "remote", "notes": "Premier point"})
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == reverse("support:booking_detail", args=[booking.pk])
    assert booking.start == start and booking.end == start + timedelta(hours=2)
    assert booking.status == BookingStatus.PROPOSED
    assert staff_client.get(response.url).status_code == 200


def test_the_second_booking_of_the_same_slot_gets_a_clear_message_and_other_slots(staff_client, plan, make_user):
    expert = ExpertFactory(name="Anne Occitanie")
    start = next_weekday(hour=10)
    data = {"expert": expert.pk, "start": start.isoformat(), "duration": 120, "mode": "remote"}
    assert staff_client.post(reverse("support:book", args=[need_of(plan).pk]), data).status_code == 302
    other = client_for(make_user("staff", mfa=True))
    response = other.post(reverse("support:book", args=[need_of(plan).pk]), data)
    assert response.status_code == 409
    text = response.content.decode()
    message = next(iter(response.context["messages"])).message
    assert message.startswith("Anne Occitanie") and message in text
    assert response.context["taken"]["alternatives"]
    assert Booking.objects.count() == 1


def test_bad_input_on_booking_changes_nothing(staff_client, plan):
    expert = ExpertFactory()
    response = staff_client.post(reverse("support:book", args=[need_of(plan).pk]),
                                 {"expert": expert.pk, "start": "not a date", "duration": 120, "mode": "remote"})
    assert response.status_code == 400 and not Booking.objects.exists()


def test_staff_move_and_cancel_a_session_from_its_page(staff_client, plan):
    booking = booking_row(expert=ExpertFactory(), need=need_of(plan), start=next_weekday(hour=10))
    new = timezone.localtime(next_weekday(hour=14))
    response = staff_client.post(reverse("support:booking_reschedule", args=[booking.pk]),
                                 {"start": new.strftime("%Y-%m-%dT%H:%M"), "duration": 90})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.start == new and booking.sequence == 1
    staff_client.post(reverse("support:booking_cancel", args=[booking.pk]), {"reason": "Reporté"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.sequence == 2


def test_agenda_by_expert_and_by_initiative_and_the_load_of_the_month(staff_client, plan):
    anne, bruno = ExpertFactory(name="Anne"), ExpertFactory(name="Bruno")
    other_plan = plan_for()
    booking_row(expert=anne, need=need_of(plan), start=next_weekday(hour=9))
    booking_row(expert=bruno, need=need_of(other_plan), start=next_weekday(hour=9))
    url = reverse("support:agenda")
    assert staff_client.get(url).context["count"] == 2
    assert staff_client.get(url, {"expert": anne.pk}).context["count"] == 1
    by_plan = staff_client.get(url, {"plan": other_plan.pk})
    assert [b.expert.name for _day, bs in by_plan.context["days"] for b in bs] == ["Bruno"]
    month = next_weekday(hour=9).strftime("%Y-%m")
    load = staff_client.get(reverse("support:load"), {"mois": month})
    rows = {row.expert.name: row for row in load.context["rows"]}
    assert rows["Anne"].booked_hours == Decimal("2.00") and rows["Anne"].capacity_hours == Decimal("28.0")
    assert staff_client.get(url, {"expert": "x"}).status_code == 404


@pytest.mark.parametrize("name", ["plan_list", "agenda", "load"])
def test_staff_pages_are_staff_only(name, applicant_client, expert_client, client):
    url = reverse(f"support:{name}")
    assert applicant_client.get(url).status_code == 403
    assert expert_client.get(url).status_code == 403
    assert client.get(url).status_code == 302  # to the login page


def test_staff_without_mfa_are_sent_to_set_it_up(make_user, plan):
    response = client_for(make_user("staff")).get(reverse("support:plan_detail", args=[plan.pk]))
    assert response.status_code == 302 and "2fa" in response.url


@pytest.mark.parametrize("multiplier", [1, 10])
def test_the_matching_page_takes_a_fixed_number_of_queries(staff_client, plan, multiplier,
                                                           django_assert_max_num_queries):
    for n in range(2 * multiplier):
        expert = ExpertFactory(linked=[(f"Association {n}", "")])
        booking_row(expert=expert, need=need_of(plan, "finance"), start=next_weekday(hour=9))
    url = reverse("support:need_match", args=[need_of(plan).pk])
    # Session, user, roles, MFA twice (5); the need and its territories and members (3); the experts and
    # five prefetches (6); the bookings of the window and of the month (2).
    with django_assert_max_num_queries(16):
        response = staff_client.get(url)
    assert response.status_code == 200 and len(response.context["ranked"]) == 2 * multiplier


@pytest.mark.parametrize("multiplier", [1, 10])
def test_the_agenda_takes_a_fixed_number_of_queries(staff_client, plan, multiplier, django_assert_max_num_queries):
    for n in range(3 * multiplier):
        booking_row(expert=ExpertFactory(), need=need_of(plan), start=next_weekday(hour=9) + timedelta(days=n % 14))
    # Session, user, roles, MFA (4); the bookings (1); the experts and plans of the filters (2).
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("support:agenda"))
    assert response.context["count"] == 3 * multiplier


@pytest.mark.parametrize("multiplier", [1, 10])
def test_the_plan_page_and_the_load_take_a_fixed_number_of_queries(staff_client, plan, multiplier,
                                                                   django_assert_max_num_queries):
    for n in range(2 * multiplier):
        booking_row(expert=ExpertFactory(), need=need_of(plan), start=next_weekday(hour=9) + timedelta(days=n % 10))
    url = reverse("support:plan_detail", args=[plan.pk])
    with django_assert_max_num_queries(14):
        assert staff_client.get(url).status_code == 200
    with django_assert_max_num_queries(7):
        assert staff_client.get(reverse("support:load")).status_code == 200


# --- Experts ---------------------------------------------------------------------------------------


def test_an_expert_sees_only_their_bookings_and_confirms_them(expert, expert_client, plan, make_user):
    mine = ExpertFactory(user=expert)
    theirs = ExpertFactory(user=make_user("expert"))
    my_booking = booking_row(expert=mine, need=need_of(plan), start=next_weekday(), status=BookingStatus.PROPOSED)
    their_booking = booking_row(expert=theirs, need=need_of(plan), start=next_weekday(),
                                status=BookingStatus.PROPOSED)
    response = expert_client.get(reverse("support:expert_bookings"))
    assert [b.pk for b in response.context["coming"]] == [my_booking.pk]
    assert expert_client.post(reverse("support:expert_confirm", args=[their_booking.pk])).status_code == 404
    assert expert_client.post(reverse("support:expert_decline", args=[their_booking.pk])).status_code == 404
    assert expert_client.get(reverse("support:booking_detail", args=[my_booking.pk])).status_code == 403
    assert expert_client.post(reverse("support:expert_confirm", args=[my_booking.pk])).status_code == 302
    my_booking.refresh_from_db()
    their_booking.refresh_from_db()
    assert my_booking.status == BookingStatus.CONFIRMED and their_booking.status == BookingStatus.PROPOSED


def test_an_expert_role_without_an_expert_record_gets_a_404(expert_client):
    assert expert_client.get(reverse("support:expert_bookings")).status_code == 404


def test_the_expert_edits_their_weekly_availability_and_days_off(expert, expert_client):
    mine = ExpertFactory(user=expert, weekdays=[])
    data = {"d0_0_start": "09:00", "d0_0_end": "12:00", "d0_1_start": "14:00", "d0_1_end": "17:30",
            "d3_0_start": "10:00", "d3_0_end": "16:00",
            "conges-TOTAL_FORMS": "2", "conges-INITIAL_FORMS": "0", "conges-MIN_NUM_FORMS": "0",
            "conges-MAX_NUM_FORMS": "1000", "conges-0-start_date": "2027-08-02", "conges-0-end_date": "2027-08-20",
            "conges-0-reason": "Congés d’été"}
    response = expert_client.post(reverse("support:expert_availability"), data)
    assert response.status_code == 302
    assert [(r.weekday, r.start_time.hour, r.end_time.minute) for r in mine.availability_rules.order_by(
        "weekday", "start_time")] == [(0, 9, 0), (0, 14, 30), (3, 10, 0)]
    assert mine.availability_exceptions.get().reason == "Congés d’été"
    bad = expert_client.post(reverse("support:expert_availability"), {**data, "d3_0_end": "09:00"})
    assert bad.status_code == 200 and mine.availability_rules.count() == 3
    assert expert_client.get(reverse("support:expert_availability")).status_code == 200


# --- Initiatives ------------------------------------------------------------------------------------


def test_an_initiative_sees_its_own_plan_only(plan):
    owner = plan.grant.application.created_by
    other_plan = plan_for()
    client = client_for(owner)
    assert client.get(reverse("support:team_plan", args=[plan.pk])).status_code == 200
    assert client.get(reverse("support:team_plan", args=[other_plan.pk])).status_code == 404
    assert client.get(reverse("support:plan_detail", args=[plan.pk])).status_code == 403


def test_the_panels_of_my_space(expert, expert_client, plan):
    mine = ExpertFactory(user=expert)
    booking_row(expert=mine, need=need_of(plan), start=next_weekday(), status=BookingStatus.PROPOSED)
    text = expert_client.get(reverse("portal:my_space")).content.decode()
    assert reverse("support:expert_bookings") in text
    team = client_for(plan.grant.application.created_by).get(reverse("portal:my_space")).content.decode()
    assert reverse("support:team_plan", args=[plan.pk]) in team


# --- Signed links ----------------------------------------------------------------------------------


def test_the_team_moves_a_session_from_the_signed_link_and_the_expert_cancels_it(plan):
    expert = ExpertFactory()
    booking = booking_row(expert=expert, need=need_of(plan), start=next_weekday(hour=10))
    owner = plan.grant.application.created_by
    url = manage_url(booking, side="initiative", email=owner.email)
    page = Client().get(url)
    assert page.status_code == 200 and page.context["slots"]
    slot = page.context["slots"][0][0]
    assert Client().post(url, {"action": "move", "start": slot.isoformat()}).status_code == 302
    booking.refresh_from_db()
    assert booking.start == slot and booking.sequence == 1 and booking.status == BookingStatus.PROPOSED
    expert_url = manage_url(booking, side="expert", email=expert.email)
    Client().post(expert_url, {"action": "cancel", "reason": "Malade"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "Malade"
    assert Notification.objects.filter(key__startswith=f"support.booking_cancelled:{booking.pk}:2:").count() == 2


def test_an_altered_link_or_someone_no_longer_concerned_gets_a_404(plan):
    booking = booking_row(expert=ExpertFactory(), need=need_of(plan), start=next_weekday())
    url = manage_url(booking, side="initiative", email=plan.grant.application.created_by.email)
    assert Client().get(url[:-3] + "xyz/").status_code == 404
    assert Client().get(manage_url(booking, side="initiative", email="stranger@example.org")).status_code == 404
    TeamMember.objects.filter(application=plan.grant.application).delete()
    assert Client().get(url).status_code == 404
    # A feedback link does not manage the booking.
    token = feedback_url(booking, side="expert", email=booking.expert.email).rstrip("/").rsplit("/", 1)[1]
    assert Client().get(reverse("support:link_manage", args=[token])).status_code == 404


def test_feedback_from_the_signed_link_once(plan):
    expert = ExpertFactory()
    booking = booking_row(expert=expert, need=need_of(plan), start=next_weekday(), status=BookingStatus.DELIVERED)
    url = feedback_url(booking, side="expert", email=expert.email)
    assert Client().post(url, {"rating": "5", "comment": "Collectif très engagé"}).status_code == 302
    assert Client().post(url, {"rating": "1"}).status_code == 200
    feedback = Feedback.objects.get()
    assert (feedback.side, feedback.rating, feedback.author_email) == ("expert", 5, expert.email)


# --- The toolbox -----------------------------------------------------------------------------------


def resource(title, *, domain="mediation", stage="deciding", published=True, body="Texte"):
    from django.utils.text import slugify

    return Resource.objects.create(title=title, slug=slugify(title), domain=domain, stage=stage, summary=title,
                                   body=body, published=published)


def test_the_toolbox_searches_and_filters_published_resources(expert, expert_client):
    resource("Charte de la médiation", body="Un cadre pour la médiation entre membres.")
    resource("Modèle de budget commun", domain="finance", stage="merging")
    resource("Brouillon interne", published=False)
    listing = expert_client.get(reverse("support:toolbox"))
    assert [r.title for r in listing.context["page"]] == ["Charte de la médiation", "Modèle de budget commun"]
    assert [r.title for r in expert_client.get(reverse("support:toolbox"), {"q": "cadre"}).context["page"]] == [
        "Charte de la médiation"]
    assert [r.title for r in expert_client.get(reverse("support:toolbox"), {"domain": "finance",
                                                                            "stage": "merging"}).context["page"]] == [
        "Modèle de budget commun"]
    assert expert_client.get(reverse("support:resource_detail", args=["brouillon-interne"])).status_code == 404
    assert expert_client.get(reverse("support:resource_detail", args=["charte-de-la-mediation"])).status_code == 200


def test_the_toolbox_is_for_experts_supported_initiatives_and_staff(applicant_client, donor_client, plan,
                                                                    staff_client):
    resource("Charte")
    assert applicant_client.get(reverse("support:toolbox")).status_code == 404
    assert donor_client.get(reverse("support:toolbox")).status_code == 404
    assert client_for(plan.grant.application.created_by).get(reverse("support:toolbox")).status_code == 200
    assert staff_client.get(reverse("support:toolbox")).status_code == 200


def test_a_payment_to_an_expert_is_recorded_through_the_ledger(staff, staff_client, plan):
    from grants.models import Allocation, AllocationKind
    from tests.grants.factories import DonorFactory, receive

    receive(DonorFactory(), "5000.00", staff=staff, themes=())
    expert = ExpertFactory()
    booking_row(expert=expert, need=need_of(plan), start=next_weekday())
    response = staff_client.post(reverse("support:payment_record", args=[plan.pk]),
                                 {"expert": expert.pk, "amount": "1200.00", "reference": "Facture 2027-01"})
    assert response.status_code == 302
    entry = Allocation.objects.get(kind=AllocationKind.SUPPORT)
    assert entry.grant == plan.grant and entry.amount == Decimal("1200.00") and entry.support_payment.expert == expert
    from grants.services import ledger_differences

    assert ledger_differences() == []
    pro_bono = ExpertFactory(pro_bono=True)
    with pytest.raises(services.SupportError):
        services.payment_record(plan=plan, expert=pro_bono, amount="10.00", reference="X", actor=staff)


def test_giving_an_expert_an_account_in_the_admin_grants_the_expert_role(staff, make_user, rf):
    from django.contrib.admin.sites import site

    from support.admin import ExpertAdmin
    from support.models import Expert

    person = make_user()
    expert = ExpertFactory()
    expert.user = person
    request = rf.post("/admin/")
    request.user = staff
    form = type("Form", (), {"changed_data": ["user"]})()
    ExpertAdmin(Expert, site).save_model(request, expert, form, change=True)
    person = type(person).objects.get(pk=person.pk)
    assert person.has_role("expert")
    assert client_for(person).get(reverse("support:expert_bookings")).status_code == 200


def test_staff_see_the_support_link_in_the_header(staff_client, applicant_client):
    assert reverse("support:plan_list") in staff_client.get(reverse("portal:my_space")).content.decode()
    assert reverse("support:plan_list") not in applicant_client.get(reverse("portal:my_space")).content.decode()


def test_the_beat_schedule_runs_the_reminders_and_feedback_requests(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"support.booking_reminders", "support.feedback_requests"} <= tasks


def test_an_expert_without_an_account_confirms_from_the_signed_link(plan):
    expert = ExpertFactory()
    booking = booking_row(expert=expert, need=need_of(plan), start=next_weekday(), status=BookingStatus.PROPOSED)
    team_url = manage_url(booking, side="initiative", email=plan.grant.application.created_by.email)
    Client().post(team_url, {"action": "confirm"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PROPOSED  # the team cannot confirm for the expert
    url = manage_url(booking, side="expert", email=expert.email)
    assert Client().get(url).context["to_confirm"]
    Client().post(url, {"action": "confirm"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.confirmed_at is not None


def test_staff_move_a_session_to_one_of_the_expert_s_free_slots(staff_client, plan):
    booking = booking_row(expert=ExpertFactory(), need=need_of(plan), start=next_weekday(hour=10))
    page = staff_client.get(reverse("support:booking_detail", args=[booking.pk]))
    slot = page.context["slots"][0]
    assert staff_client.post(reverse("support:booking_reschedule", args=[booking.pk]),
                             {"slot": slot[0].isoformat()}).status_code == 302
    booking.refresh_from_db()
    assert (booking.start, booking.end) == slot and booking.sequence == 1
    staff_client.post(reverse("support:booking_reschedule", args=[booking.pk]), {"slot": "nonsense"})
    booking.refresh_from_db()
    assert booking.start == slot[0]
