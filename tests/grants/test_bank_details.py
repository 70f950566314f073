"""Bank details of a grant: IBAN and BIC validated; a change entered by the team (after re-entering a
password) or by staff takes effect only once another staff member approves it; every step audited with
the masked IBAN only, the team told by email; donors never see bank details."""

import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from applications.models import MemberOrganisation, TeamMember
from grants import services
from grants.bank_details import (
    bank_details_approve,
    bank_details_in_force,
    bank_details_reject,
    bank_details_request,
)
from grants.iban import normalise_iban, validate_bic, validate_iban
from grants.models import BankDetails, BankDetailsStatus, DonorContact, GrantStatus
from joinforces.core.models import AuditEvent, Notification
from tests.conftest import give_totp
from tests.factories import PASSWORD, ApplicantFactory, StaffFactory

from .factories import DonorFactory, grant_for, receive

pytestmark = pytest.mark.django_db

FR = "FR7630006000011234567890189"
DE = "DE89370400440532013000"
BE = "BE68539007547034"


def iban_for(country: str, bban: str) -> str:
    """An IBAN with the right check digits for `bban` (to make other valid IBANs than the examples)."""
    digits = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


FR_OTHER = iban_for("FR", "30004000031234567890143")


# The refusals, as the services and forms say them (in the active language).
STRANGER = "Only the initiative's team or the JOIN FORCES team can change its bank details."
OUTSIDE = "The payee must be one of the member organisations of the collective."
CLOSED = "This grant is closed: its bank details can no longer be changed."
SELF_APPROVE = ("You entered this change of bank details yourself: another member of the JOIN FORCES team must "
                "approve it (second pair of eyes).")
SELF_REFUSE = ("You entered this change of bank details yourself: another member of the JOIN FORCES team must "
               "refuse it, or enter new bank details to replace it.")
STAFF_ONLY = "Only the JOIN FORCES team can approve or refuse a change of bank details."
NO_REASON = "Say why this change of bank details is refused: the team will read it."
CHECKSUM = "This IBAN is not valid: its check digits do not match the rest (a character is probably mistyped)."


def refused(message):
    return pytest.raises(services.GrantError, match=re.escape(_(message)))


def member(application, name="Banque alimentaire de Lille"):
    return MemberOrganisation.objects.create(application=application, name=name, legal_form="association",
                                             non_profit=True, role="lead")


@pytest.fixture
def grant():
    return grant_for(amount_per_year="10000.00", years=2)


@pytest.fixture
def owner(grant):
    return grant.application.created_by


@pytest.fixture
def payee(grant):
    return member(grant.application)


@pytest.fixture
def colleague(db):
    """A second staff member: the second pair of eyes."""
    user = StaffFactory()
    give_totp(user)
    return user


def request_details(grant, actor, payee, iban=FR, bic="BNPAFRPP", holder="Banque alimentaire de Lille"):
    return bank_details_request(grant=grant, actor=actor, payee=payee, holder=holder, iban=iban, bic=bic)


# --- IBAN and BIC ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    (FR, FR), (DE, DE), (BE, BE),
    ("fr76 3000 6000 0112 3456 7890 189", FR),
    ("  DE89-3704-0044-0532-0130-00\u00a0", DE),
    ("IBAN BE68 5390 0754 7034", BE),
    ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
    ("MC58 1122 2000 0101 2345 6789 030", "MC5811222000010123456789030"),
])
def test_valid_ibans_are_normalised(value, expected):
    assert validate_iban(value) == expected
    assert normalise_iban(value) == expected


@pytest.mark.parametrize("value, code, words", [
    ("", "required", ["IBAN"]),
    ("FR76 3000 6000 0112 3456 7890 18*", "characters", ["IBAN"]),
    ("7630006000011234567890189", "start", ["FR76"]),
    ("ZZ7630006000011234567890189", "country", ["ZZ"]),
    ("FR763000600001123456789018", "length", ["FR", "27", "26"]),
    ("DE8937040044053201300099", "length", ["DE", "22", "24"]),
    ("BE6853900754703", "length", ["BE", "16", "15"]),
    ("FR7630006000011234567890188", "checksum", ["IBAN"]),
    ("DE88370400440532013000", "checksum", ["IBAN"]),
    ("BE69539007547034", "checksum", ["IBAN"]),
    ("DE89370400440532O13000", "format", ["DE"]),
])
def test_invalid_ibans_are_refused_with_what_is_wrong(value, code, words):
    with pytest.raises(ValidationError) as caught:
        validate_iban(value)
    assert caught.value.code == code
    assert all(word in caught.value.messages[0] for word in words)


def test_bics_are_checked_for_their_form_and_their_country():
    assert validate_bic("bnpa fr pp") == "BNPAFRPP"
    assert validate_bic("AGRIFRPP882", iban=FR) == "AGRIFRPP882"
    assert validate_bic("COBADEFFXXX", iban=DE) == "COBADEFFXXX"
    assert validate_bic("GEBABEBB", iban=BE) == "GEBABEBB"
    # Monaco and the French overseas territories may bank with a French BIC.
    assert validate_bic("CMCIFRPP", iban="MC5811222000010123456789030") == "CMCIFRPP"
    for value, code in [("", "required"), ("BNPAFRP", "length"), ("BNPAFRPP12", "length"), ("BNP1FRPP", "format"),
                        ("BNPAF1PP", "format")]:
        with pytest.raises(ValidationError) as caught:
            validate_bic(value)
        assert caught.value.code == code
    with pytest.raises(ValidationError) as caught:
        validate_bic("COBADEFF", iban=FR)
    assert caught.value.code == "country" and "DE" in caught.value.messages[0] and "FR" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        validate_bic("MONAMCMC", iban=FR)  # a Monegasque BIC for a French IBAN: not the other way round


# --- Requesting ------------------------------------------------------------------------------------


def test_the_team_requests_new_details_audited_masked_and_told_by_email(grant, owner, payee):
    co_applicant = ApplicantFactory()
    TeamMember.objects.create(application=grant.application, user=co_applicant)
    details = request_details(grant, owner, payee, iban="fr76 3000 6000 0112 3456 7890 189", bic="bnpafrpp")

    assert (details.status, details.iban, details.bic, details.requested_by) == (
        BankDetailsStatus.PENDING, FR, "BNPAFRPP", owner)
    assert bank_details_in_force(grant) is None  # not in force before a second approval
    event = AuditEvent.objects.get(action="grants.bank_details_requested")
    assert event.after["iban"] == details.masked_iban == "FR76 •••• 0189"
    everything = f"{event.before}{event.after}{event.target_repr}"
    assert FR not in everything and "3000600001123456789" not in everything
    emails = Notification.objects.filter(template="grants/email/bank_details_requested")
    assert sorted(emails.values_list("to", flat=True)) == sorted([owner.email, co_applicant.email])
    for email in emails:
        assert "FR76 •••• 0189" in email.body_text and FR not in email.body_text
        assert reverse("grants:bank_details", args=[grant.pk]) in email.body_text


def test_a_new_request_replaces_the_waiting_one(grant, owner, payee):
    first = request_details(grant, owner, payee)
    second = request_details(grant, owner, payee, iban=FR_OTHER)
    first.refresh_from_db()
    assert first.status == BankDetailsStatus.SUPERSEDED and first.decided_by is None
    assert second.status == BankDetailsStatus.PENDING
    assert AuditEvent.objects.filter(action="grants.bank_details_requested").first().before["replaced"][0][
        "bank_details"] == first.pk


def test_a_stranger_a_donor_or_a_payee_outside_the_application_is_refused(grant, owner, payee, other_applicant,
                                                                           donor):
    for stranger in (other_applicant, donor):
        with refused(STRANGER):
            request_details(grant, stranger, payee)
    elsewhere = member(grant_for(amount_per_year="10000.00", years=1).application, "Autre association")
    with refused(OUTSIDE):
        request_details(grant, owner, elsewhere)
    with refused(CHECKSUM):
        request_details(grant, owner, payee, iban="FR7630006000011234567890188")
    with pytest.raises(services.GrantError, match="BIC"):
        request_details(grant, owner, payee, bic="COBADEFF")
    assert not BankDetails.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="grants.bank_details").exists()


def test_a_closed_grant_keeps_its_details(grant, owner, payee):
    grant.status = GrantStatus.TERMINATED
    grant.save(update_fields=["status"])
    with refused(CLOSED):
        request_details(grant, owner, payee)
    assert not BankDetails.objects.exists()


# --- Approving and refusing ------------------------------------------------------------------------


def test_approval_by_another_staff_member_puts_the_details_in_force_and_replaces_the_previous(
        grant, owner, payee, staff, colleague):
    first = bank_details_approve(details=request_details(grant, owner, payee), actor=staff, note="RIB vérifié")
    assert bank_details_in_force(grant) == first
    assert (first.decided_by, first.decision_note) == (staff, "RIB vérifié")

    second = request_details(grant, staff, payee, iban=FR_OTHER, holder="BALille")
    assert bank_details_in_force(grant) == first  # the change waits
    bank_details_approve(details=second, actor=colleague)
    first.refresh_from_db()
    assert first.status == BankDetailsStatus.SUPERSEDED
    assert bank_details_in_force(grant) == second
    event = AuditEvent.objects.filter(action="grants.bank_details_approved").first()
    assert event.before["in_force"][0]["bank_details"] == first.pk
    assert FR_OTHER not in f"{event.before}{event.after}"
    assert Notification.objects.filter(template="grants/email/bank_details_approved", to=owner.email).count() == 2


def test_self_approval_is_refused_with_a_message_and_the_database_guards_it_too(grant, payee, staff):
    details = request_details(grant, staff, payee)
    with refused(SELF_APPROVE):
        bank_details_approve(details=details, actor=staff)
    with refused(SELF_REFUSE):
        bank_details_reject(details=details, actor=staff, note="Erreur")
    details.refresh_from_db()
    assert details.status == BankDetailsStatus.PENDING and bank_details_in_force(grant) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        BankDetails.objects.filter(pk=details.pk).update(status=BankDetailsStatus.APPROVED, decided_by=staff,
                                                         decided_at=timezone.now())


def test_only_staff_approve_or_refuse(grant, owner, payee):
    details = request_details(grant, owner, payee)
    co_applicant = ApplicantFactory()
    TeamMember.objects.create(application=grant.application, user=co_applicant)
    with refused(STAFF_ONLY):
        bank_details_approve(details=details, actor=co_applicant)
    with refused(STAFF_ONLY):
        bank_details_reject(details=details, actor=co_applicant, note="Non")
    details.refresh_from_db()
    assert details.status == BankDetailsStatus.PENDING


def test_a_refusal_needs_a_reason_keeps_the_details_in_force_and_tells_the_team(grant, owner, payee, staff):
    in_force = bank_details_approve(details=request_details(grant, owner, payee), actor=staff)
    details = request_details(grant, owner, payee, iban=FR_OTHER)
    with refused(NO_REASON):
        bank_details_reject(details=details, actor=staff, note="  ")
    bank_details_reject(details=details, actor=staff, note="Le RIB ne correspond pas.")
    details.refresh_from_db()
    assert (details.status, details.decided_by) == (BankDetailsStatus.REJECTED, staff)
    assert bank_details_in_force(grant) == in_force
    email = Notification.objects.get(template="grants/email/bank_details_rejected")
    assert "Le RIB ne correspond pas." in email.body_text
    with pytest.raises(services.GrantError):
        bank_details_approve(details=details, actor=staff)


# --- The grantee's page ----------------------------------------------------------------------------


def url(grant):
    return reverse("grants:bank_details", args=[grant.pk])


def client_for(user, *, reauthenticated_ago=None):
    """A signed-in client; with `reauthenticated_ago` (seconds), the session records a password
    re-authentication that long ago, as allauth stores it."""
    client = Client()
    client.force_login(user)
    if reauthenticated_ago is not None:
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time() - reauthenticated_ago, "reauthenticated": True}]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client


def form_data(payee, **changes):
    return {"payee": payee.pk, "holder": "Banque alimentaire de Lille", "iban": "FR76 3000 6000 0112 3456 7890 189",
            "bic": "BNPAFRPP", **changes}


def test_the_team_sees_its_details_masked_and_the_waiting_change(grant, owner, payee, staff):
    bank_details_approve(details=request_details(grant, owner, payee), actor=staff)
    pending = request_details(grant, owner, payee, iban=FR_OTHER)
    response = client_for(owner).get(url(grant))
    assert response.status_code == 200
    page = response.content.decode()
    assert "FR76 •••• 0189" in page and f"FR76 •••• {FR_OTHER[-4:]}" in page
    assert FR not in page and FR_OTHER not in page
    assert "JOIN FORCES" in page and str(pending.requested_by) in page
    assert 'name="iban"' in page and "Banque alimentaire de Lille" in page


def test_another_applicant_and_a_funding_donor_get_no_bank_details(grant, owner, payee, staff, other_applicant,
                                                                     donor):
    bank_details_approve(details=request_details(grant, owner, payee), actor=staff)
    funder = DonorFactory()
    DonorContact.objects.create(donor=funder, user=donor)
    receive(funder, "10000.00", staff=staff)
    services.ledger_allocate(tranche=grant.tranches.get(number=1), actor=staff)
    assert grant.__class__.objects.visible_to(donor).filter(pk=grant.pk).exists()  # the donor follows the grant

    assert not BankDetails.objects.visible_to(donor).exists()
    assert not BankDetails.objects.visible_to(other_applicant).exists()
    assert BankDetails.objects.visible_to(owner).count() == 1
    for user in (other_applicant, donor):
        client = client_for(user, reauthenticated_ago=0)
        assert client.get(url(grant)).status_code == 404
        assert client.post(url(grant), form_data(payee, iban=FR_OTHER)).status_code == 404
    assert BankDetails.objects.count() == 1
    assert Client().get(url(grant)).status_code == 302  # to the login page


def test_sending_new_details_asks_to_reenter_the_password_then_records_them(grant, owner, payee):
    client = client_for(owner)  # signed in, never re-authenticated
    response = client.post(url(grant), form_data(payee))
    reauthenticate = reverse("account_reauthenticate")
    assert response.status_code == 302 and response["Location"].startswith(reauthenticate)
    assert not BankDetails.objects.exists()

    # Re-entering the password replays the form that was sent.
    response = client.post(f"{reauthenticate}?next={url(grant)}", {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == url(grant)
    details = BankDetails.objects.get()
    assert (details.status, details.iban, details.requested_by) == (BankDetailsStatus.PENDING, FR, owner)


def test_an_old_reauthentication_is_not_enough(grant, owner, payee):
    response = client_for(owner, reauthenticated_ago=3600).post(url(grant), form_data(payee))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert not BankDetails.objects.exists()


def test_a_recent_reauthentication_records_the_request(grant, owner, payee):
    client = client_for(owner, reauthenticated_ago=10)
    response = client.post(url(grant), form_data(payee))
    assert response.status_code == 302 and response["Location"] == url(grant)
    assert BankDetails.objects.get().status == BankDetailsStatus.PENDING
    page = client.get(url(grant)).content.decode()
    assert "FR76 •••• 0189" in page


def test_an_invalid_iban_shows_the_error_and_records_nothing(grant, owner, payee):
    client = client_for(owner, reauthenticated_ago=10)
    response = client.post(url(grant), form_data(payee, iban="FR76 3000 6000 0112 3456 7890 188"))
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(_(CHECKSUM)) in page and 'aria-invalid="true"' in page
    response = client.post(url(grant), form_data(payee, bic="COBADEFF"))
    assert response.status_code == 200 and "DE" in response.content.decode()
    other_member = member(grant_for(amount_per_year="10000.00", years=1).application, "Autre association")
    assert client.post(url(grant), {**form_data(payee), "payee": other_member.pk}).status_code == 200
    assert not BankDetails.objects.exists()


# --- The staff's admin -----------------------------------------------------------------------------


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_lists_masked_ibans_and_shows_the_full_one_on_the_detail_page(grant, owner, payee, staff):
    details = request_details(grant, owner, payee)
    client = admin_client(staff)
    page = client.get("/admin/grants/bankdetails/").content.decode()
    assert "FR76 •••• 0189" in page and FR not in page
    page = client.get(f"/admin/grants/bankdetails/{details.pk}/change/").content.decode()
    assert "FR76 3000 6000 0112 3456 7890 189" in page
    assert client.get("/admin/grants/bankdetails/add/").status_code == 403
    assert admin_client(owner).get("/admin/grants/bankdetails/").status_code == 302


def test_the_admin_approves_by_a_second_staff_member_and_refuses_the_requester(grant, payee, staff, colleague):
    details = request_details(grant, staff, payee)
    action = {"action": "approve", "_selected_action": [details.pk]}
    # The confirmation page shows the full IBAN to check against the RIB.
    response = admin_client(staff).post("/admin/grants/bankdetails/", action)
    assert response.status_code == 200 and "FR76 3000 6000 0112 3456 7890 189" in response.content.decode()

    response = admin_client(staff).post("/admin/grants/bankdetails/", {**action, "apply": "1"}, follow=True)
    assert escape(_(SELF_APPROVE)) in response.content.decode()
    details.refresh_from_db()
    assert details.status == BankDetailsStatus.PENDING

    admin_client(colleague).post("/admin/grants/bankdetails/", {**action, "apply": "1", "note": "RIB vérifié"})
    details.refresh_from_db()
    assert (details.status, details.decided_by, details.decision_note) == (
        BankDetailsStatus.APPROVED, colleague, "RIB vérifié")


def test_the_admin_refuses_with_a_reason(grant, owner, payee, staff):
    details = request_details(grant, owner, payee)
    client = admin_client(staff)
    action = {"action": "refuse", "_selected_action": [details.pk], "apply": "1"}
    response = client.post("/admin/grants/bankdetails/", {**action, "note": ""})
    assert response.status_code == 200  # the reason is required: the page again
    details.refresh_from_db()
    assert details.status == BankDetailsStatus.PENDING
    client.post("/admin/grants/bankdetails/", {**action, "note": "Titulaire différent du bénéficiaire"})
    details.refresh_from_db()
    assert (details.status, details.decision_note) == (BankDetailsStatus.REJECTED,
                                                       "Titulaire différent du bénéficiaire")

