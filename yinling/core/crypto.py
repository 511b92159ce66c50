"""Encryption at rest for sensitive personal information (PIPL §28).

Values are AES-256-GCM tokens from `cryptography` (the maintained library underneath every
Django encrypted-field package): ``v2:`` and the URL-safe base64 of a random 96-bit nonce, the
ciphertext and its 128-bit tag. FIELD_ENCRYPTION_KEY holds several keys (the first encrypts, all
decrypt) so that keys rotate without downtime; each 32-byte configured key gives its AES key by
HKDF-SHA256. Tokens written before v2 are Fernet tokens (AES-128-CBC + HMAC-SHA256) under the
same configured keys: they still read, and `rotate_field_key` rewrites them as v2.

Why not Fernet any more: a Fernet token costs 8 µs to make (a cipher and an HMAC object per
call), an AES-GCM token 0.8 µs; an import of 100,000 people makes 370,000 of them, an unmasked
export reads 300,000. Random 96-bit nonces stay safe for 2^32 encryptions per key (NIST SP
800-38D), far beyond what a province's registry writes between rotations.

The library is used directly because we need key rotation and keyed hashes for exact lookups,
which the wrapper packages don't offer together.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver

PREFIX = "v2:"
_NONCE = 12


class _Keys:
    """The configured keys, ready to use: AES-GCM ciphers (the first encrypts) and the legacy Fernet."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.aead = [AESGCM(_derive(k)) for k in keys]
        self.fernet = MultiFernet([Fernet(k.encode()) for k in keys])


def _derive(key: str) -> bytes:
    raw = base64.urlsafe_b64decode(key.encode())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"yinling field encryption v2").derive(raw)


# The configured keys and the lookup-hash key are read from settings once, not per value
# (reading a setting was a third of a token's cost), and again when a test overrides them.
@cache
def _configured() -> _Keys:
    return _Keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


@cache
def _hmac() -> hmac.HMAC:
    key = hashlib.sha256(("yinling-lookup:" + settings.FIELD_HASH_KEY).encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _configured.cache_clear()
    elif setting == "FIELD_HASH_KEY":
        _hmac.cache_clear()


def encrypt(value: str) -> str:
    nonce = os.urandom(_NONCE)
    sealed = _configured().aead[0].encrypt(nonce, value.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    keys = _configured()
    if token.startswith(PREFIX):
        try:
            blob = base64.urlsafe_b64decode(token[len(PREFIX) :].encode())
        except (binascii.Error, ValueError) as exc:
            raise ValueError("cannot decrypt a sensitive field: the token is damaged") from exc
        nonce, sealed = blob[:_NONCE], blob[_NONCE:]
        for aead in keys.aead:
            try:
                return aead.decrypt(nonce, sealed, None).decode()
            except InvalidTag:
                continue
        raise ValueError("cannot decrypt a sensitive field: wrong FIELD_ENCRYPTION_KEY?")
    try:
        return keys.fernet.decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt a sensitive field: wrong FIELD_ENCRYPTION_KEY?") from exc


def rotate(token: str) -> str:
    """Re-encrypt under the first (newest) key, as v2 (ValueError when no configured key reads it)."""
    return encrypt(decrypt(token))


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 for exact lookups (uniqueness, search by number) without storing the value."""
    h = _hmac().copy()  # a copy skips deriving the key's pads again
    h.update(f"{purpose}:{value}".encode())
    return h.hexdigest()


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
