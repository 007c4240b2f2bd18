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
from typing import Any

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


def decrypt_many(tokens: list[str]) -> list[str]:
    """``decrypt`` of many tokens, in order (an empty token gives ""): one AES-GCM object for all
    and each distinct token decrypted once."""
    decrypt_gcm = AESGCM(field_key()).decrypt
    a2b = binascii.a2b_base64
    seen: dict[str, str] = {"": ""}
    out = []
    for token in tokens:
        text = seen.get(token)
        if text is None:
            if token[:3] == "a1:":
                raw = a2b(token[3:])
                text = decrypt_gcm(raw[:12], raw[12:], None).decode("utf-8")
            else:
                text = decrypt(token)
            seen[token] = text
        out.append(text)
    return out


def blind_index_many(
    values: list[str] | Any, *, purpose: str = "lookup", algorithm: str | None = None
) -> Any:
    """``blind_index`` of many values, in order, as an Arrow string array. ``values``: a list of
    text (normalised here as ``blind_index`` does) or an Arrow string array already normalised
    (``strip().upper()``). HMAC-SHA256 is computed in DuckDB, vectorised over the cores
    (HMAC = H(K ^ opad || H(K ^ ipad || message)) with the 32-byte key padded to the 64-byte
    block); SM3 one value at a time in Python."""
    import pyarrow as pa

    algorithm = algorithm or settings.SAFETYNET_BLIND_INDEX
    if isinstance(values, list):
        values = pa.array([v.strip().upper() for v in values], pa.string())
    if algorithm != "hmac-sha256":
        return pa.array([_blind_index_normal(v, purpose, algorithm) for v in values.to_pylist()], pa.string())
    import duckdb

    block = index_key().ljust(64, b"\0")
    db = duckdb.connect()
    db.register("v", pa.table({"v": values}))
    hashed = db.sql(
        "SELECT sha256($o || unhex(sha256($i || encode($p || v)))) AS h FROM v",
        params={"o": bytes(b ^ 0x5C for b in block), "i": bytes(b ^ 0x36 for b in block), "p": f"{purpose}:"},
    ).to_arrow_table()
    db.close()
    return hashed.column("h").combine_chunks()


def _blind_index_normal(value: str, purpose: str, algorithm: str) -> str:
    message = f"{purpose}:{value}".encode()
    if algorithm == "hmac-sha256":
        return hmac.new(index_key(), message, hashlib.sha256).hexdigest()
    mac = crypto_hmac.HMAC(index_key(), hashes.SM3())
    mac.update(message)
    return mac.finalize().hex()


def blind_index(value: str, *, purpose: str = "lookup", algorithm: str | None = None) -> str:
    """Keyed hash (hex) of a normalised value; equal inputs give equal outputs for one key."""
    return _blind_index_normal(value.strip().upper(), purpose, algorithm or settings.SAFETYNET_BLIND_INDEX)
