"""The audit log: namespaced actions, who/when/old→new, append-only."""

import pytest
from django.db import IntegrityError, connection, transaction

from joinforces.core.models import AuditEvent
from joinforces.core.services import audit

pytestmark = pytest.mark.django_db


def test_audit_records_who_what_target_and_change(staff, applicant):
    event = audit(actor=staff, action="accounts.preferences_changed", target=applicant,
                  before={"language": "fr"}, after={"language": "en"})
    event.refresh_from_db()
    assert event.actor == staff and event.actor_repr == staff.email
    assert event.target_repr == str(applicant) and event.target_id == str(applicant.pk)
    assert (event.before, event.after) == ({"language": "fr"}, {"language": "en"})
    assert list(AuditEvent.objects.for_target(applicant).filter(action="accounts.preferences_changed")) == [event]


def test_system_actions_have_no_actor(applicant):
    event = audit(actor=None, action="core.sweep", target=applicant)
    assert event.actor is None and event.actor_repr == "système"


def test_actions_must_be_namespaced(applicant):
    with pytest.raises(ValueError):
        audit(actor=None, action="submitted", target=applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(action="submitted")


def test_events_cannot_be_changed_or_deleted(applicant):
    event = audit(actor=None, action="core.test", target=applicant)
    event.action = "core.changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="core.changed")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "core.test"


@pytest.mark.postgres
def test_the_database_itself_refuses_updates_and_deletes(applicant):
    event = audit(actor=None, action="core.test", target=applicant)
    statements = ("UPDATE core_auditevent SET action = 'core.x' WHERE id = %s",
                  "DELETE FROM core_auditevent WHERE id = %s")
    for sql in statements:
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="core.test").exists()


def test_staff_see_the_audit_log_in_the_admin(staff_client, applicant):
    audit(actor=None, action="accounts.role_granted", target=applicant, after={"role": "donor"})
    response = staff_client.get("/admin/core/auditevent/")
    assert response.status_code == 200
    assert b"accounts.role_granted" in response.content
    detail = AuditEvent.objects.filter(action="accounts.role_granted").latest("id")
    page = staff_client.get(f"/admin/core/auditevent/{detail.pk}/change/")
    assert page.status_code == 200 and b"donor" in page.content
    assert b'name="_save"' not in page.content  # read-only


def test_the_other_roles_do_not_see_the_audit_log(applicant_client, donor_client, expert_client):
    for client in (applicant_client, donor_client, expert_client):
        assert client.get("/admin/core/auditevent/").status_code in (302, 403)
