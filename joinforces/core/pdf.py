"""HTML to PDF with WeasyPrint and the platform's one print stylesheet.

    pdf_bytes = render_pdf("grants/agreement_pdf.html", {"grant": grant}, title=_("Grant agreement"))

Templates extend `pdf/base.html`: the platform's header, page numbers and the date of generation
come from there and from `static/css/print.css`.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation


def render_pdf(template_name: str, context: dict, *, title: str, language: str | None = None) -> bytes:
    from weasyprint import CSS, HTML

    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        html = render_to_string(
            template_name,
            {**context, "title": title, "generated_at": timezone.localtime(), "site_name": settings.SITE_NAME},
        )
    stylesheet = CSS(filename=finders.find("css/print.css"))
    return HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf(stylesheets=[stylesheet])
