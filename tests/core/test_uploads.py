"""One checked upload field and one access-checked download view."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import Form
from django.urls import reverse

from joinforces.core.models import Job
from joinforces.core.uploads import CheckedFileField, UploadTo, download_url, safe_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class UploadForm(Form):
    file = CheckedFileField(kinds=("pdf", "png"), max_bytes=1024)


def upload(name, content):
    form = UploadForm(files={"file": SimpleUploadedFile(name, content, content_type="application/pdf")})
    form.is_valid()
    return form


def test_a_real_pdf_is_accepted_with_a_safe_name():
    form = upload("Statuts signés (v2).PDF", PDF)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["file"].name == "statuts-signes-v2.pdf"
    assert form.cleaned_data["file"].content_type == "application/pdf"


def test_an_upload_lying_about_its_type_is_refused():
    form = upload("rapport.pdf", PNG)
    assert not form.is_valid()
    assert form.errors["file"] == ["Ce fichier n’est pas un vrai fichier PDF. Formats acceptés : PDF, PNG."]


def test_a_script_renamed_to_pdf_is_refused():
    assert not upload("facture.pdf", b"#!/bin/sh\nrm -rf /\n").is_valid()


def test_an_extension_outside_the_list_is_refused():
    form = upload("macro.docm", PDF)
    assert not form.is_valid()


def test_a_file_over_the_limit_is_refused():
    form = upload("gros.pdf", PDF + b"0" * 2048)
    assert not form.is_valid()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("../../etc/passwd", "passwd"), ("C:\\Users\\x\\Budget 2027.xlsx", "budget-2027.xlsx"), (".pdf", "fichier.pdf"),
     ("é" * 300 + ".odt", "e" * 80 + ".odt")],
)
def test_safe_name(name, expected):
    assert safe_name(name) == expected


def test_upload_to_files_each_upload_under_an_unguessable_folder():
    path = UploadTo("attachments")(None, "Mon dossier.pdf")
    prefix, _year, folder, name = path.split("/")
    assert prefix == "attachments" and len(folder) == 32 and name == "mon-dossier.pdf"
    assert UploadTo("attachments")(None, "x.pdf") != UploadTo("attachments")(None, "x.pdf")


@pytest.fixture
def job_with_file(db, applicant):
    job = Job.objects.create(key="t:1", kind="test", title="Export", owner=applicant, task_name="x")
    job.result.save("export.json", ContentFile(b'{"ok": true}'))
    return job


def test_the_owner_downloads_the_file_as_an_attachment(applicant_client, job_with_file):
    response = applicant_client.get(download_url(job_with_file, "result"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b'{"ok": true}'


def test_a_download_is_refused_to_the_wrong_user(other_applicant_client, donor_client, staff_client, job_with_file):
    url = download_url(job_with_file, "result")
    for client in (other_applicant_client, donor_client, staff_client):
        assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, job_with_file):
    response = client.get(download_url(job_with_file, "result"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_unknown_fields_models_and_ids_are_not_found(applicant_client, job_with_file):
    from django.contrib.contenttypes.models import ContentType

    from joinforces.accounts.models import User

    job_type = ContentType.objects.get_for_model(Job)
    user_type = ContentType.objects.get_for_model(User)
    for kwargs in (
        {"content_type_id": job_type.pk, "object_id": job_with_file.pk, "field": "title"},
        {"content_type_id": job_type.pk, "object_id": job_with_file.pk, "field": "nope"},
        {"content_type_id": job_type.pk, "object_id": "not-a-uuid", "field": "result"},
        {"content_type_id": user_type.pk, "object_id": "1", "field": "email"},
        {"content_type_id": 999999, "object_id": "1", "field": "result"},
    ):
        assert applicant_client.get(reverse("core:download", kwargs=kwargs)).status_code == 404, kwargs


def test_the_error_speaks_english_to_english_speakers():
    from django.utils import translation

    with translation.override("en"):
        form = upload("rapport.pdf", PNG)
        assert form.errors["file"] == ["This file is not a real PDF file. Accepted: PDF, PNG."]
