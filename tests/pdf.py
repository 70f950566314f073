"""Reading back the PDFs the platform renders, as a person would read them (poppler's pdftotext)."""

import shutil
import subprocess

from tests.conftest import require


def pdf_text(content) -> str:
    """The text of a PDF (bytes, or a stored file), on one line, spaces of every kind made plain."""
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    if hasattr(content, "open"):
        with content.open("rb") as handle:
            content = handle.read()
    result = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=content,
                            capture_output=True, check=True)
    text = result.stdout.decode("utf-8").replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.split())
