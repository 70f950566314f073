"""QR codes of check-in links: SVG for pages and badges, PNG for the confirmation email."""

import io
import re

import qrcode
import qrcode.image.svg


def qr_svg(data: str, *, size_mm: int | None = None) -> str:
    """An SVG of `data` (paths only, no style attribute: the page's CSP stays strict), `size_mm` wide
    when given (for print), else sized by the page's stylesheet."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    if size_mm:
        svg = re.sub(r'width="[^"]+" height="[^"]+"', f'width="{size_mm}mm" height="{size_mm}mm"', svg, count=1)
    return svg


def qr_png(data: str) -> bytes:
    """A PNG of `data` (Pillow comes with WeasyPrint)."""
    buffer = io.BytesIO()
    qrcode.make(data, border=2, box_size=8).save(buffer, format="PNG")
    return buffer.getvalue()
