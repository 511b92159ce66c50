"""Checking an uploaded picture by its content: Pillow reads it, not its name or the browser's content type.

Shared by every module that takes photos (volunteering's stories, care's visits, service cases' attachments).
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from yinling.core.refusals import Refused

PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Pillow's format name -> the extension the file is stored under.
PICTURE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def picture_extension(upload: UploadedFile) -> str | None:
    """The extension of a JPEG, PNG or WebP picture that Pillow can read and verify; None for anything else."""
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    return PICTURE_FORMATS.get(kind)


def check_photo(photo: UploadedFile) -> str:
    """The photo's file extension; Refused("invalid") for anything but a JPEG, PNG or WebP picture of at most 5 MB."""
    if photo.size is not None and photo.size > PHOTO_MAX_BYTES:
        raise Refused("invalid", _("The photo is larger than 5 MB."))
    extension = picture_extension(photo)
    if extension is None:
        raise Refused("invalid", _("The photo must be a JPEG, PNG or WebP picture."))
    return extension
