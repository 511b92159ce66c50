"""Attachments of a case: pictures (JPEG, PNG, WebP, read by Pillow) and PDF files, each at most 10 MB."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from yinling.cases.models import Case, CaseAttachment
from yinling.core.refusals import Refused
from yinling.core.uploads import picture_extension

MAX_BYTES = 10 * 1024 * 1024


def check_upload(upload: UploadedFile) -> str:
    """The file's kind; Refused("invalid") for anything but a picture or a PDF up to 10 MB (judged by the
    content, not by the name or the browser's content type)."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise Refused("invalid", _("The file %(name)s is larger than 10 MB.") % {"name": upload.name})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "pdf"
    extension = picture_extension(upload)
    if extension is None:
        raise Refused("invalid", _("Attach a photo (JPEG, PNG or WebP) or a PDF file."))
    return "jpeg" if extension == "jpg" else extension  # the attachment's kind, as its rows record it


def save_uploads(case: Case, files: Mapping[str, UploadedFile]) -> list[CaseAttachment]:
    saved = []
    for field, upload in files.items():
        kind = check_upload(upload)
        saved.append(
            CaseAttachment.objects.create(
                case=case, field=field, file=upload, name=str(upload.name)[:200], size=upload.size or 0, kind=kind
            )
        )
    return saved
