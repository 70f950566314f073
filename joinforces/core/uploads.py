"""Uploaded files: one checked form field, one safe storage path, one access-checked download.

    from joinforces.core.uploads import CheckedFileField, UploadTo, download_url

    class Attachment(models.Model):
        file = models.FileField(upload_to=UploadTo("attachments"))

    class AttachmentForm(forms.Form):
        file = CheckedFileField(kinds=("pdf", "docx"))

    {{ attachment|download_url:"file" }}   or   download_url(attachment, "file")

The download view finds the owner model through contenttypes and serves the file only if
`Owner.objects.visible_to(user)` contains the object, so core never imports an app.
"""

import posixpath
import uuid

import filetype
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext_lazy as _

# Extension → MIME type, for the kinds of file the platform accepts. Detection is by content.
KINDS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    # Plain text has no magic bytes: told apart by `text_kind` (bank statements, imports).
    "csv": "text/csv",
    "xml": "application/xml",
}
DOCUMENT_KINDS = ("pdf", "docx", "odt", "xlsx", "ods", "pptx", "png", "jpg")
EXTENSION_ALIASES = {"jpeg": "jpg"}


def safe_name(name: str) -> str:
    """A file name that is safe on every storage: ASCII slug of the stem, lower-case extension."""
    base = posixpath.basename(str(name).replace("\\", "/"))
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = slugify(stem)[:80] or "fichier"
    ext = get_valid_filename(ext.lower())[:10] if ext.strip(" .") else ""
    return f"{stem}.{ext}" if ext else stem


@deconstructible
class UploadTo:
    """`upload_to` that files each upload under an unguessable folder: prefix/YYYY/<uuid>/name."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename):
        return f"{self.prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}/{safe_name(filename)}"

    def __eq__(self, other):
        return isinstance(other, UploadTo) and other.prefix == self.prefix


def detect_kind(uploaded) -> str | None:
    """The kind of a file by its first bytes (never by its name or declared type)."""
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(position)
    guess = filetype.guess(head)
    if guess is None:
        return text_kind(head)
    return EXTENSION_ALIASES.get(guess.extension, guess.extension)


def text_kind(head: bytes) -> str | None:
    """Text (UTF-8 or Windows-1252, no control characters): "xml" when it opens with a tag, else "csv"."""
    if not head or b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # A character cut at the end of the sample is still UTF-8; anything else may be Windows-1252.
        cut = error.start >= len(head) - 3 and error.reason == "unexpected end of data"
        try:
            text = head[: error.start].decode("utf-8-sig") if cut else head.decode("cp1252")
        except UnicodeDecodeError:
            return None
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return None
    return "xml" if text.lstrip().startswith("<") else "csv"


class CheckedFileField(forms.FileField):
    """A file field that checks the real type by content, the size and gives the file a safe name."""

    default_error_messages = {
        "kind": _("This file is not a real %(ext)s file. Accepted: %(kinds)s."),
        "extension": _("Files of type “%(ext)s” are not accepted. Accepted: %(kinds)s."),
        "size": _("This file is too large (%(size)s). The limit is %(limit)s."),
        "empty": _("The submitted file is empty."),
    }

    def __init__(self, *, kinds=DOCUMENT_KINDS, max_bytes=None, **kwargs):
        self.kinds = tuple(kinds)
        self._max_bytes = max_bytes
        kwargs.setdefault("help_text", self.describe())
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ",".join(f".{k}" for k in self.kinds))

    @property
    def max_bytes(self):
        return self._max_bytes or settings.UPLOAD_MAX_BYTES

    def describe(self):
        return _("Accepted: %(kinds)s, at most %(limit)s.") % {
            "kinds": ", ".join(k.upper() for k in self.kinds),
            "limit": filesizeformat(self._max_bytes or settings.UPLOAD_MAX_BYTES),
        }

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        kinds = ", ".join(k.upper() for k in self.kinds)
        if uploaded.size > self.max_bytes:
            raise forms.ValidationError(
                self.error_messages["size"],
                code="size",
                params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(self.max_bytes)},
            )
        claimed = uploaded.name.rpartition(".")[2].lower() if "." in uploaded.name else ""
        claimed = EXTENSION_ALIASES.get(claimed, claimed)
        if claimed not in self.kinds:
            raise forms.ValidationError(
                self.error_messages["extension"], code="extension", params={"ext": claimed or "?", "kinds": kinds}
            )
        if detect_kind(uploaded) != claimed:
            raise forms.ValidationError(
                self.error_messages["kind"], code="kind", params={"ext": claimed.upper(), "kinds": kinds}
            )
        uploaded.name = safe_name(uploaded.name)
        uploaded.content_type = KINDS[claimed]
        return uploaded


def download_url(obj, field_name: str) -> str:
    """The access-checked URL that serves `obj.<field_name>` as an attachment."""
    content_type = ContentType.objects.get_for_model(obj)
    return reverse(
        "core:download", kwargs={"content_type_id": content_type.pk, "object_id": obj.pk, "field": field_name}
    )
