"""Field encryption and blind indexes (docs/adr/0003-field-encryption.md).

Ciphertexts carry a prefix naming their cipher, so switching ``SAFETYNET_CIPHER`` leaves old
values readable. Blind indexes are keyed hashes of a normalised value and a purpose, so the
same identity number hashes differently for lookups and for department pseudonyms.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_PREFIX = {"aes-gcm": "a1", "sm4-gcm": "s1"}


def _decode_key(name: str, value: str, sizes: tuple[int, ...]) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be base64 (generate one with `safetynet keys generate`)."
        ) from None
    if len(key) not in sizes:
        raise ImproperlyConfigured(
            f"{name} must decode to {' or '.join(map(str, sizes))} bytes, got {len(key)}."
        )
    return key


@lru_cache(maxsize=4)
def _keys(field_key: str, index_key: str) -> tuple[bytes, bytes]:
    return (
        _decode_key("SAFETYNET_FIELD_KEY", field_key, (32,)),
        _decode_key("SAFETYNET_INDEX_KEY", index_key, (32,)),
    )


def field_key() -> bytes:
    return _keys(settings.SAFETYNET_FIELD_KEY, settings.SAFETYNET_INDEX_KEY)[0]


def index_key() -> bytes:
    return _keys(settings.SAFETYNET_FIELD_KEY, settings.SAFETYNET_INDEX_KEY)[1]


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def encrypt(plaintext: str, *, cipher: str | None = None) -> str:
    """Encrypt text; returns ``<prefix>:<base64(nonce|ciphertext|tag)>``."""
    cipher = cipher or settings.SAFETYNET_CIPHER
    nonce = os.urandom(12)
    data = plaintext.encode("utf-8")
    if cipher == "aes-gcm":
        body = AESGCM(field_key()).encrypt(nonce, data, None)
    else:
        # SM4 takes a 128-bit key: the first half of the field key.
        encryptor = Cipher(algorithms.SM4(field_key()[:16]), modes.GCM(nonce)).encryptor()
        body = encryptor.update(data) + encryptor.finalize() + encryptor.tag
    return f"{_PREFIX[cipher]}:" + base64.b64encode(nonce + body).decode()


def decrypt(token: str) -> str:
    prefix, _, payload = token.partition(":")
    raw = base64.b64decode(payload)
    nonce, body = raw[:12], raw[12:]
    if prefix == "a1":
        return AESGCM(field_key()).decrypt(nonce, body, None).decode("utf-8")
    if prefix == "s1":
        decryptor = Cipher(algorithms.SM4(field_key()[:16]), modes.GCM(nonce, body[-16:])).decryptor()
        return (decryptor.update(body[:-16]) + decryptor.finalize()).decode("utf-8")
    raise ValueError(f"unknown ciphertext prefix {prefix!r}")


def blind_index(value: str, *, purpose: str = "lookup", algorithm: str | None = None) -> str:
    """Keyed hash (hex) of a normalised value; equal inputs give equal outputs for one key."""
    algorithm = algorithm or settings.SAFETYNET_BLIND_INDEX
    message = f"{purpose}:{value.strip().upper()}".encode()
    if algorithm == "hmac-sha256":
        return hmac.new(index_key(), message, hashlib.sha256).hexdigest()
    mac = crypto_hmac.HMAC(index_key(), hashes.SM3())
    mac.update(message)
    return mac.finalize().hex()
