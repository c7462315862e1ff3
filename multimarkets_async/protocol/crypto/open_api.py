"""Scheme A of the wire protocol (Open API, Bridge API): SHA1withRSA request signatures, sans-I/O.

``signature`` header = base64 SHA1withRSA (PKCS#1 v1.5) over ``canonical_body(body) + str(timestamp)``;
see ``OpenApiSigner`` (the SDK's side) and ``verify_open_api_signature`` (the simulator's). Nothing here
reads a clock: timestamps are passed in as integer milliseconds. ``decimal.Decimal`` values are written
as JSON strings holding ``str(value)`` (see :mod:`.keys`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from .keys import PKCS1V15, drop_nulls, json_default, load_private_key, load_public_key

__all__ = ["OpenApiSigner", "canonical_body", "open_api_string_to_sign", "verify_open_api_signature"]

_SHA1 = hashes.SHA1()  # noqa: S303 - the protocol mandates SHA1withRSA


def _has_null_member(value: object) -> bool:
    """Whether a dict at any depth holds a ``None`` value (null list elements do not count)."""
    if isinstance(value, dict):
        return any(item is None or _has_null_member(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_null_member(item) for item in value)
    return False


def canonical_body(body: Mapping[str, object]) -> str:
    """Return the scheme A canonical form of a request body.

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
        data = drop_nulls(data)
    text = json.dumps(
        data,
        separators=(",", ":"),
        sort_keys=True,
        ensure_ascii=False,
        allow_nan=False,
        default=json_default,
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
        return base64.b64encode(self._key.sign(message, PKCS1V15, _SHA1)).decode("ascii")


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
        key.verify(raw, open_api_string_to_sign(body, timestamp_ms).encode("utf-8"), PKCS1V15, _SHA1)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
