"""The keys of the audit chain: HMAC-SHA256 under secrets kept outside the database.

AUDIT_CHAIN_KEY holds one or more secrets, comma-separated, like FIELD_ENCRYPTION_KEY: the first
seals new records and signs new anchors, and every one of them verifies. Each record stores the
id of the key that sealed it (`key_id`, a fingerprint of the secret, never the secret), so a
rotated-out key still verifies the records it sealed as long as it stays configured. Sealed
records cannot be re-sealed (they are append-only), so unlike a field key an old chain key is
kept until `purge_audit` has removed the last record it sealed.

Each secret gives two keys by HMAC, one per purpose, so a chain MAC can never pass for an anchor
signature or the other way round.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

CHAIN = b"yinling audit chain v1"
ANCHOR = b"yinling audit anchor v1"


class UnknownKey(KeyError):
    """A record or anchor names a key id that AUDIT_CHAIN_KEY does not hold."""


def key_id(secret: str) -> str:
    """A short public fingerprint of a secret: names the key in records and anchors."""
    return hashlib.sha256(b"yinling audit key id:" + secret.encode()).hexdigest()[:12]


@cache
def _configured() -> dict[str, dict[bytes, bytes]]:
    """{key id: {purpose: derived key}}, in the configured order (the first is current)."""
    keys: dict[str, dict[bytes, bytes]] = {}
    for secret in settings.AUDIT_CHAIN_KEYS:
        root = hashlib.sha256(secret.encode()).digest()
        keys[key_id(secret)] = {p: hmac.new(root, p, hashlib.sha256).digest() for p in (CHAIN, ANCHOR)}
    return keys


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting == "AUDIT_CHAIN_KEYS":
        _configured.cache_clear()


def current_key_id() -> str:
    keys = _configured()
    if not keys:
        raise UnknownKey("AUDIT_CHAIN_KEY is empty: the audit chain cannot be sealed")
    return next(iter(keys))


def known(kid: str) -> bool:
    return kid in _configured()


def mac(purpose: bytes, kid: str, message: bytes) -> str:
    """HMAC-SHA256 of `message` under key `kid` for `purpose` (UnknownKey if it is not configured)."""
    try:
        key = _configured()[kid][purpose]
    except KeyError as exc:
        raise UnknownKey(kid) from exc
    return hmac.new(key, message, hashlib.sha256).hexdigest()
