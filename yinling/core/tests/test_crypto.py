"""Field encryption: v2 tokens (AES-256-GCM), the Fernet tokens written before them, rotation."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from yinling.core import crypto

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_it_writes_v2_tokens_that_read_back_and_never_repeat() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        first, second = crypto.encrypt("330106194503011234"), crypto.encrypt("330106194503011234")
        assert first.startswith("v2:") and first != second  # a fresh nonce each time
        assert "330106" not in first
        assert crypto.decrypt(first) == crypto.decrypt(second) == "330106194503011234"
        assert crypto.decrypt(crypto.encrypt("浙江省杭州市西湖区")) == "浙江省杭州市西湖区"


def test_it_still_reads_fernet_tokens_written_before_v2() -> None:
    legacy = Fernet(OLD.encode()).encrypt(b"13800138000").decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        assert crypto.decrypt(legacy) == "13800138000"
        rotated = crypto.rotate(legacy)
    assert rotated.startswith("v2:")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert crypto.decrypt(rotated) == "13800138000"


def test_it_reads_with_any_configured_key_and_rotates_to_the_first() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        token = crypto.encrypt("secret")
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD]):
        assert crypto.decrypt(token) == "secret"
        rotated = crypto.rotate(token)
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert crypto.decrypt(rotated) == "secret"
        with pytest.raises(ValueError, match="wrong FIELD_ENCRYPTION_KEY"):
            crypto.decrypt(token)


def test_it_refuses_a_tampered_or_damaged_token() -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        token = crypto.encrypt("330106194503011234")
        blob = bytearray(base64.urlsafe_b64decode(token[3:]))
        blob[-1] ^= 1  # one bit of the tag
        with pytest.raises(ValueError, match="decrypt"):
            crypto.decrypt("v2:" + base64.urlsafe_b64encode(bytes(blob)).decode())
        with pytest.raises(ValueError, match="damaged"):
            crypto.decrypt("v2:not base64!")
        with pytest.raises(ValueError, match="decrypt"):
            crypto.decrypt("gAAAAAnot-a-fernet-token")
