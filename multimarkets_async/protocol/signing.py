"""Request signing: key loading and scheme A of the wire protocol, sans-I/O; the one import point for
every cryptographic scheme (schemes B and C live in :mod:`.encryption` and are re-exported here).

Scheme A (Open API, Bridge API): ``signature`` header = base64 SHA1withRSA (PKCS#1 v1.5) over
``canonical_body(body) + str(timestamp)``; see ``OpenApiSigner`` and ``verify_open_api_signature``.

Plus the MD5 helpers for passwords and ``secretKeyMd5``. Keys travel as base64 DER with no PEM armour
(PKCS#8 private, X.509 SubjectPublicKeyInfo public); PEM is accepted too. Nothing here reads a clock or
does I/O: timestamps are passed in as integer milliseconds.

``decimal.Decimal`` values are not JSON numbers to this module: they are written as JSON *strings* holding
``str(value)``, both in the canonical form and in encrypted bodies. The protocol sends quantities and
prices as decimal strings anyway (http.md section 13): pass them as ``str`` or ``Decimal``, not ``float``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from multimarkets_async import errors

__all__ = [
    "BodyEncryptor",
    "OpenApiSigner",
    "canonical_body",
    "decrypt_body",
    "encode_uri_component",
    "encrypted_payload_json",
    "load_private_key",
    "load_public_key",
    "md5_password",
    "md5_signature",
    "message_api_sign",
    "open_api_string_to_sign",
    "secret_key_md5",
    "verify_md5_signature",
    "verify_message_api_sign",
    "verify_open_api_signature",
]

_PKCS1V15 = padding.PKCS1v15()
_SHA1 = hashes.SHA1()  # noqa: S303 - the protocol mandates SHA1withRSA
_URI_SAFE = "!~*'()"  # with quote()'s always-safe "A-Za-z0-9_.-~" this is exactly encodeURIComponent's set
_PKCS1V15_OVERHEAD = 11  # bytes of type-2 padding: an RSA-1024 key encrypts at most 117 bytes


# --------------------------------------------------------------------------------------------- keys


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
    try:
        is_pem, data = _key_bytes(key)
        loaded = (
            serialization.load_pem_private_key(data, password=None)
            if is_pem
            else serialization.load_der_private_key(data, password=None)
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # ``from None``: the chained exception would put key-derived data in tracebacks.
        msg = f"secret key could not be loaded ({type(exc).__name__}): expected base64 PKCS#8 DER or PEM"
        raise errors.ConfigurationError(msg) from None
    if not isinstance(loaded, RSAPrivateKey):
        raise errors.ConfigurationError("secret key is not an RSA private key")
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
    try:
        is_pem, data = _key_bytes(key)
        loaded = (
            serialization.load_pem_public_key(data) if is_pem else serialization.load_der_public_key(data)
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        msg = f"public key could not be loaded ({type(exc).__name__}): expected base64 X.509 DER or PEM"
        raise errors.ConfigurationError(msg) from None
    if not isinstance(loaded, RSAPublicKey):
        raise errors.ConfigurationError("public key is not an RSA public key")
    return loaded


# ----------------------------------------------------------------------------------- scheme A (Open API)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return _drop_nulls(dict(value))
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _has_null_member(value: object) -> bool:
    """Whether a dict at any depth holds a ``None`` value (null list elements do not count)."""
    if isinstance(value, dict):
        return any(item is None or _has_null_member(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_null_member(item) for item in value)
    return False


def _drop_nulls(value: object) -> object:
    # Null object members go at every depth; array order and null array elements stay (signing.md 2.3).
    if isinstance(value, dict):
        return {key: _drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_drop_nulls(item) for item in value]
    return value


def canonical_body(body: Mapping[str, object]) -> str:
    """Return the scheme A canonical form of a request body (signing.md section 2.3).

    Null members are dropped at every depth, keys are sorted by code point at every depth, the JSON is
    compact with non-ASCII characters kept, and then every ASCII ``"`` is removed. Booleans print as
    ``true``/``false``, integers plainly, floats as Python's JSON does, ``Decimal`` as ``str(value)``.

    Args:
        body: the JSON object that is sent.

    Returns:
        The canonical text, e.g. ``{companyId:1,customerNo:86001308,lang:zh-CN}``.

    Raises:
        TypeError: a value is not JSON-serialisable.
        ValueError: a float is NaN or infinite.
    """
    data: object = body if isinstance(body, dict) else dict(body)
    if _has_null_member(data):
        data = _drop_nulls(data)
    text = json.dumps(
        data,
        separators=(",", ":"),
        sort_keys=True,
        ensure_ascii=False,
        allow_nan=False,
        default=_json_default,
    )
    return text.replace('"', "")


def open_api_string_to_sign(body: Mapping[str, object], timestamp_ms: int) -> str:
    """Return the scheme A string to sign: ``canonical_body(body) + str(timestamp_ms)``, no separator."""
    return canonical_body(body) + str(int(timestamp_ms))


class OpenApiSigner:
    """Scheme A signer: holds the loaded ``secretKey`` and signs one request body at a time.

    Args:
        secret_key: the Open API (or Bridge) secret key; see ``load_private_key``.

    Raises:
        errors.ConfigurationError: the key cannot be loaded.
    """

    __slots__ = ("_key",)

    def __init__(self, secret_key: str | bytes | RSAPrivateKey) -> None:
        self._key = load_private_key(secret_key)

    def __repr__(self) -> str:
        return f"OpenApiSigner(algorithm='SHA1withRSA', key_size={self._key.key_size})"

    def sign(self, body: Mapping[str, object], timestamp_ms: int) -> str:
        """Return the ``signature`` header: base64 SHA1withRSA over the scheme A string to sign.

        Args:
            body: the JSON object that is sent (sign what you send).
            timestamp_ms: the exact value of the ``timestamp`` header.

        Returns:
            172 base64 characters for an RSA-1024 key.
        """
        message = open_api_string_to_sign(body, timestamp_ms).encode("utf-8")
        return base64.b64encode(self._key.sign(message, _PKCS1V15, _SHA1)).decode("ascii")


def verify_open_api_signature(
    public_key: str | bytes | RSAPublicKey, body: Mapping[str, object], timestamp_ms: int, signature: str
) -> bool:
    """Check a scheme A ``signature`` header (the simulator's side).

    Args:
        public_key: the key pair's public key; see ``load_public_key``.
        body: the JSON object as received.
        timestamp_ms: the ``timestamp`` header as an integer.
        signature: the ``signature`` header.

    Returns:
        True when the signature verifies; False for a wrong signature or any malformed input.

    Raises:
        errors.ConfigurationError: ``public_key`` cannot be loaded.
    """
    key = load_public_key(public_key)
    if not isinstance(signature, str):
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, open_api_string_to_sign(body, timestamp_ms).encode("utf-8"), _PKCS1V15, _SHA1)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


# ---------------------------------------------------------------------------------------- MD5 helpers


def md5_password(plain: str) -> str:
    """Return the lowercase hex MD5 of a UTF-8 password: what every password field carries (http.md 11)."""
    return hashlib.md5(plain.encode("utf-8"), usedforsecurity=False).hexdigest()


def secret_key_md5(private_key_b64: str) -> str:
    """Return ``secretKeyMd5``: the lowercase hex MD5 of the private key's base64 text, whitespace removed."""
    return hashlib.md5("".join(private_key_b64.split()).encode("ascii"), usedforsecurity=False).hexdigest()


# Schemes B and C, re-exported so callers import every scheme from one place.
from .encryption import (  # noqa: E402
    BodyEncryptor,
    decrypt_body,
    encode_uri_component,
    encrypted_payload_json,
    md5_signature,
    message_api_sign,
    verify_md5_signature,
    verify_message_api_sign,
)
