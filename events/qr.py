"""QR codes of check-in links: SVG for pages and badges, PNG for the confirmation email."""

import io

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> str:
    """An SVG of `data` (paths only, no style attribute: the page's CSP stays strict)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode")


def qr_png(data: str) -> bytes:
    """A PNG of `data` (Pillow comes with WeasyPrint)."""
    buffer = io.BytesIO()
    qrcode.make(data, border=2, box_size=8).save(buffer, format="PNG")
    return buffer.getvalue()
