"""Key material and the value rules every signing scheme shares, sans-I/O.

Keys travel as base64 DER with no PEM armour (PKCS#8 private, X.509 SubjectPublicKeyInfo public); PEM
is accepted too. ``load_private_key`` and ``load_public_key`` never put any part of a key into an error
or a traceback. Also here: the MD5 digests of passwords and of the secret key, the RSA padding and
per-block limit the schemes share, and how a ``decimal.Decimal`` is written in signed JSON (as a
*string* holding ``str(value)``; the protocol sends quantities and prices as decimal strings anyway,
pass them as ``str`` or ``Decimal``, not ``float``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Final

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from ...errors import ConfigurationError

__all__ = [
    "PKCS1V15",
    "drop_nulls",
    "json_default",
    "load_private_key",
    "load_public_key",
    "md5_password",
    "plaintext_limit",
    "secret_key_md5",
]

PKCS1V15: Final = padding.PKCS1v15()
"""The RSA padding of every scheme (signatures, encrypted bodies, the Message API ``sign``)."""

_PKCS1V15_OVERHEAD: Final = 11  # bytes of type-2 padding: an RSA-1024 key encrypts at most 117 bytes


def plaintext_limit(key: RSAPublicKey) -> int:
    """The most bytes one PKCS#1 v1.5 block of ``key`` encrypts (117 for RSA-1024)."""
    return key.key_size // 8 - _PKCS1V15_OVERHEAD


def _key_bytes(key: str | bytes) -> tuple[bool, bytes]:
    """Return ``(is_pem, data)``: PEM text as bytes, or the DER bytes of base64 text (whitespace ignored)."""
    if isinstance(key, bytes):
        if b"-----BEGIN" in key:
            return True, key
        try:
            text = key.decode("ascii")
        except UnicodeDecodeError:
            return False, key  # raw DER
    else:
        text = key
    if "-----BEGIN" in text:
        return True, text.strip().encode("ascii")
    return False, base64.b64decode("".join(text.split()), validate=True)


def _load(
    key: str | bytes, load_pem: Callable[[bytes], object], load_der: Callable[[bytes], object], failure: str
) -> object:
    """``key`` loaded by ``load_pem`` or ``load_der``; a failure is a ``ConfigurationError`` whose
    message is ``failure`` with the exception's class name, never any part of the key."""
    try:
        is_pem, data = _key_bytes(key)
        return load_pem(data) if is_pem else load_der(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # ``from None``: the chained exception would put key-derived data in tracebacks.
        raise ConfigurationError(failure.format(type(exc).__name__)) from None


def load_private_key(key: str | bytes | RSAPrivateKey) -> RSAPrivateKey:
    """Load an RSA private key as the platform hands it out, or as PEM.

    Args:
        key: base64 PKCS#8 DER text (whitespace anywhere is ignored), PEM text or bytes (PKCS#8
            ``PRIVATE KEY`` or PKCS#1 ``RSA PRIVATE KEY``, unencrypted), raw DER bytes, or a loaded key.

    Returns:
        The loaded key.

    Raises:
        errors.ConfigurationError: the key cannot be decoded or is not an RSA key. The message never
            contains any part of the key.
    """
    if isinstance(key, RSAPrivateKey):
        return key
    loaded = _load(
        key,
        lambda data: serialization.load_pem_private_key(data, password=None),
        lambda data: serialization.load_der_private_key(data, password=None),
        "secret key could not be loaded ({}): expected base64 PKCS#8 DER or PEM",
    )
    if not isinstance(loaded, RSAPrivateKey):
        raise ConfigurationError("secret key is not an RSA private key")
    return loaded


def load_public_key(key: str | bytes | RSAPublicKey) -> RSAPublicKey:
    """Load an RSA public key: base64 X.509 SubjectPublicKeyInfo DER text (whitespace ignored) or PEM.

    Args:
        key: base64 text, PEM text or bytes, raw DER bytes, or a loaded key.

    Returns:
        The loaded key.

    Raises:
        errors.ConfigurationError: the key cannot be decoded or is not an RSA key.
    """
    if isinstance(key, RSAPublicKey):
        return key
    loaded = _load(
        key,
        serialization.load_pem_public_key,
        serialization.load_der_public_key,
        "public key could not be loaded ({}): expected base64 X.509 DER or PEM",
    )
    if not isinstance(loaded, RSAPublicKey):
        raise ConfigurationError("public key is not an RSA public key")
    return loaded


def md5_password(plain: str) -> str:
    """Return the lowercase hex MD5 of a UTF-8 password: what every password field carries."""
    return hashlib.md5(plain.encode("utf-8"), usedforsecurity=False).hexdigest()


def secret_key_md5(private_key_b64: str) -> str:
    """Return ``secretKeyMd5``: the lowercase hex MD5 of the private key's base64 text, whitespace removed."""
    return hashlib.md5("".join(private_key_b64.split()).encode("ascii"), usedforsecurity=False).hexdigest()


def json_default(value: object) -> object:
    """``json.dumps``'s ``default`` for signed bodies: ``Decimal`` as ``str(value)``, mappings as dicts
    without their null members; anything else is a ``TypeError``."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return drop_nulls(dict(value))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def drop_nulls(value: object) -> object:
    """``value`` without the null members of its objects, at every depth (scheme A signs no nulls).

    Array order and null array elements stay.
    """
    if isinstance(value, dict):
        return {key: drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [drop_nulls(item) for item in value]
    return value
