"""The PDF helper keeps French text intact; the .ics helper writes a valid invitation."""

import re
import shutil
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from joinforces.core.ics import ics_event
from joinforces.core.pdf import render_pdf
from tests.conftest import require


def test_pdf_keeps_french_accents_and_has_the_platform_frame(tmp_path):
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    pdf = render_pdf("pdf/base.html", {}, title="Lettre de décision — Collectif Éducation Ô Pluriel", language="fr")
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Lettre de décision — Collectif Éducation Ô Pluriel" in text
    assert "JOIN FORCES" in text           # header
    assert re.search(r"\b1\s*/\s*1\b", text)  # page numbers
    assert "Généré le" in text             # date of generation


def test_ics_event_is_a_valid_invitation_in_utc():
    paris = ZoneInfo("Europe/Paris")
    content = ics_event(
        uid="booking-42@joinforces.fr",
        start=datetime(2027, 3, 15, 9, 30, tzinfo=paris),
        end=datetime(2027, 3, 15, 12, 0, tzinfo=paris),
        summary="Séance de facilitation",
        location="Maison des associations, Lyon",
    )
    event = next(iter(Calendar.from_ical(content).walk("VEVENT")))
    assert str(event["uid"]) == "booking-42@joinforces.fr"
    assert str(event["summary"]) == "Séance de facilitation"
    assert event.decoded("dtstart") == datetime(2027, 3, 15, 8, 30, tzinfo=ZoneInfo("UTC"))
    assert b"METHOD:REQUEST" in content and b"mailto:bonjour@joinforces.fr" in content


def test_ics_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        ics_event(uid="x", start=datetime(2027, 1, 1, 9), end=datetime(2027, 1, 1, 10), summary="x")


def test_amounts_in_euros_follow_the_language():
    from decimal import Decimal

    from django.utils import translation

    from joinforces.core.templatetags.core_tags import euros

    with translation.override("fr"):
        assert euros(Decimal("12500")) == "12\u00a0500,00\u00a0€"
    with translation.override("en"):
        assert euros("12500.5") == "€12,500.50"
    assert euros("not a number") == ""
