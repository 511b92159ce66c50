"""Encryption at rest for sensitive personal information (PIPL §28).

Values are Fernet tokens (AES-128-CBC + HMAC-SHA256) from `cryptography`, the
maintained library underneath every Django encrypted-field package; we use it
directly because we need MultiFernet key rotation (FIELD_ENCRYPTION_KEY holds
several keys, the first encrypts) and keyed hashes for exact lookups, which the
wrapper packages don't offer together.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt a sensitive field: wrong FIELD_ENCRYPTION_KEY?") from exc


def rotate(token: str) -> str:
    """Re-encrypt under the first (newest) key."""
    return fernet().rotate(token.encode()).decode()


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 for exact lookups (uniqueness, search by number) without storing the value."""
    key = hashlib.sha256(("yinling-lookup:" + settings.FIELD_HASH_KEY).encode()).digest()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python sees the plain value."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value in (None, ""):
            return value
        return decrypt(value)  # type: ignore[arg-type]

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))


def mask_phone(phone: str) -> str:
    """138****5678."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 1)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_text(text: str, keep: int = 6) -> str:
    """Addresses and notes: the first characters (district level) and a mask."""
    if not text:
        return ""
    return text[:keep] + "****" if len(text) > keep else "****"
