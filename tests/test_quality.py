"""Repository-wide rules: a complete French catalogue, no inline script in our templates."""

import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent


def test_french_catalogue_is_complete():
    require(shutil.which("msgfmt") is not None, "msgfmt (gettext) is not installed")
    po = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    result = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True, check=True)
    stats = result.stderr.strip()
    assert "translated" in stats
    assert "untranslated" not in stats and "fuzzy" not in stats, stats


def test_no_string_is_left_out_of_the_catalogue(tmp_path):
    """Every translatable string of the code is in locale/fr (makemessages finds nothing new)."""
    require(shutil.which("xgettext") is not None, "xgettext (gettext) is not installed")
    po = (ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    known = set(re.findall(r'^msgid "(.+)"$', po, flags=re.M))
    templates = [p for p in (ROOT / "templates").rglob("*.html") if "allauth" not in p.parts]
    missing = []
    for path in templates:
        for match in re.finditer(r'{% (?:translate|trans) "([^"]+)"', path.read_text(encoding="utf-8")):
            if match.group(1) not in known:
                missing.append((path.name, match.group(1)))
    assert missing == []


def test_templates_have_no_inline_script_or_event_handler():
    offenders = []
    for path in list((ROOT / "templates").rglob("*.html")) + list(ROOT.glob("joinforces/**/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+=\"", text):
            offenders.append(f"{path}: {match.group(0)}")
        if "core/email/" not in str(path) and re.search(r"\sstyle=\"", text):
            offenders.append(f"{path}: inline style")
    assert offenders == []


def test_numbers_are_never_grouped_unless_asked():
    """Ids and years go into attributes, URLs and form values ("1 234" broke htmx swaps, option values
    and aria references): plain numbers are never grouped. Amounts are grouped by `euros`, other
    figures where a template asks for it (`floatformat:"-2g"`)."""
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("fr"):
        html = Template('{% load core_tags %}<option value="{{ n }}">{{ year }}</option> {{ amount|euros }} '
                        '{{ people|floatformat:"-2g" }}').render(
            Context({"n": 1234, "year": 2026, "amount": 12500, "people": 2000}))
    assert html.startswith('<option value="1234">2026</option> ')
    assert "12\u202f500,00\u00a0€" in html or "12\u00a0500,00\u00a0€" in html
    assert html.endswith(("2\u202f000", "2\u00a0000", "2 000"))
