"""Scheme B of the wire protocol (Client API, Manager API): encrypted request bodies, sans-I/O.

An uppercase MD5 ``signature`` inside the body, then the whole JSON URL-encoded, cut into pieces and
RSA-encrypted with the company public key; see ``md5_signature``, ``BodyEncryptor`` and, for the
server side, ``decrypt_body`` and ``verify_md5_signature``. Timestamps are passed in as integer
milliseconds; keys are loaded by :mod:`.keys`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import urllib.parse
from collections.abc import Mapping
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from ...errors import ConfigurationError, ProtocolError
from .._json import loads
from .keys import PKCS1V15, json_default, load_private_key, load_public_key, plaintext_limit

__all__ = [
    "BodyEncryptor",
    "decrypt_body",
    "encode_uri_component",
    "encrypted_payload_json",
    "md5_signature",
    "verify_md5_signature",
]

_URI_SAFE = "!~*'()"  # with quote()'s always-safe "A-Za-z0-9_.-~" this is exactly encodeURIComponent's set


def _js_number_text(value: int | float) -> str:
    """``String(value)`` as JavaScript prints it (ECMAScript Number::toString, radix 10)."""
    if isinstance(value, int):
        return str(int(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent = int(exponent) + len(digit_tuple) - len(digits)
    k = len(digits)
    n = exponent + k  # value = 0.<digits> * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"


def _signed_text(value: object) -> str | None:
    """The text a value contributes to the MD5 string, or None when the value is not signed."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _js_number_text(value)
    if isinstance(value, Decimal):
        return str(value)  # travels as a JSON string, see keys.json_default
    return None


def _md5_string_to_sign(data: Mapping[str, object], timestamp_text: str) -> str:
    """String C of scheme B: ``"timestamp=<ts>&" + A``, A being the signed ``key=value`` pairs."""
    pairs = []
    for key in sorted(key for key in data if key != "signature"):
        text = _signed_text(data[key])
        if text is not None:
            pairs.append(key + "=" + text)
    return "timestamp=" + timestamp_text + "&" + "&".join(pairs)


def _md5_hex_upper(data: Mapping[str, object], timestamp_text: str) -> str:
    string_c = _md5_string_to_sign(data, timestamp_text)
    return hashlib.md5(string_c.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def _with_timestamp(body: Mapping[str, object], timestamp_ms: int) -> dict[str, object]:
    # A body "timestamp" is replaced and moves to the end; "signature" is never the caller's.
    data = {key: value for key, value in body.items() if key not in ("signature", "timestamp")}
    data["timestamp"] = int(timestamp_ms)
    return data


def md5_signature(body: Mapping[str, object], timestamp_ms: int) -> str:
    """Return the scheme B body ``signature`` D.

    ``timestamp`` is injected into the body; non-empty strings and numbers (not booleans) are signed as
    ``key=value`` in code-point key order joined by ``&`` (string A); D is the uppercase hex MD5 of
    ``"timestamp=<ts>&" + A``. Numbers print as JavaScript's ``String(number)``; ``Decimal`` as ``str()``.

    Args:
        body: the business body.
        timestamp_ms: the ``timestamp`` header value.

    Returns:
        32 uppercase hex digits.
    """
    return _md5_hex_upper(_with_timestamp(body, timestamp_ms), str(int(timestamp_ms)))


def encrypted_payload_json(body: Mapping[str, object], timestamp_ms: int) -> str:
    """Return the compact JSON that scheme B encrypts (step 7).

    Layout: ``signature`` first, then the body's keys in their order, then ``timestamp`` last (a
    ``timestamp`` or ``signature`` key already in the body is replaced).

    Args:
        body: the business body.
        timestamp_ms: the ``timestamp`` header value.

    Returns:
        The JSON text, non-ASCII characters kept.
    """
    data = _with_timestamp(body, timestamp_ms)
    payload = {"signature": _md5_hex_upper(data, str(int(timestamp_ms))), **data}
    return json.dumps(
        payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=json_default
    )


def encode_uri_component(text: str) -> str:
    """Percent-encode like JavaScript's ``encodeURIComponent``: UTF-8, uppercase hex, pure ASCII result.

    Everything except ``A-Z a-z 0-9 - _ . ! ~ * ' ( )`` is escaped.
    """
    return urllib.parse.quote(text, safe=_URI_SAFE)


class BodyEncryptor:
    """Scheme B encryptor: holds the company public key and turns a body into ``{"data": F}``.

    Args:
        public_key: the company public key (Manager authorize ``data.publicKey``); see
            ``load_public_key``.
        chunk_size: characters of the URL-encoded JSON per RSA block; 100 as the docs and the H5 client
            use. At most the key's PKCS#1 v1.5 limit (117 for RSA-1024).

    Raises:
        errors.ConfigurationError: the key cannot be loaded or ``chunk_size`` is out of range.
    """

    __slots__ = ("_chunk_size", "_key")

    def __init__(self, public_key: str | bytes | RSAPublicKey, *, chunk_size: int = 100) -> None:
        self._key = load_public_key(public_key)
        limit = plaintext_limit(self._key)
        if not 1 <= chunk_size <= limit:
            raise ConfigurationError(f"chunk_size must be between 1 and {limit}, got {chunk_size}")
        self._chunk_size = chunk_size

    def __repr__(self) -> str:
        return f"BodyEncryptor(key_size={self._key.key_size}, chunk_size={self._chunk_size})"

    def encrypt(self, body: Mapping[str, object], timestamp_ms: int) -> dict[str, str]:
        """Return the request body to send: ``{"data": "<b64>,<b64>,..."}`` (steps 1-11).

        RSA padding is random, so the result differs on every call.

        Args:
            body: the business body.
            timestamp_ms: the ``timestamp`` header value (it is also injected into the body).

        Returns:
            The JSON object to send, with ``trace`` starting ``x-``.
        """
        text = encode_uri_component(encrypted_payload_json(body, timestamp_ms))
        size = self._chunk_size
        pieces = (
            base64.b64encode(self._key.encrypt(text[i : i + size].encode("ascii"), PKCS1V15)).decode("ascii")
            for i in range(0, len(text), size)
        )
        return {"data": ",".join(pieces)}


def decrypt_body(data: str, private_key: str | bytes | RSAPrivateKey) -> dict[str, object]:
    """Reverse ``BodyEncryptor.encrypt`` (the simulator's side): decrypt, join, URL-decode, parse.

    Pieces are joined before URL-decoding, so a piece may end inside a ``%XX`` escape. Decoding follows
    Java's ``URLDecoder`` (``+`` is a space). OpenSSL's implicit rejection turns a bad PKCS#1 padding into
    random plaintext rather than an error; that then fails to decode, with the same ``ProtocolError``.

    Args:
        data: the ``data`` member of the received body.
        private_key: the company private key; see ``load_private_key``.

    Returns:
        The decrypted JSON object, still holding ``signature`` and ``timestamp``.

    Raises:
        errors.ProtocolError: bad base64, wrong ciphertext, undecodable text, bad JSON or not an object.
        errors.ConfigurationError: ``private_key`` cannot be loaded.
    """
    key = load_private_key(private_key)
    if not isinstance(data, str) or not data:
        raise ProtocolError("encrypted body: 'data' must be a non-empty string")
    try:
        plain = b"".join(
            key.decrypt(base64.b64decode(piece, validate=True), PKCS1V15) for piece in data.split(",")
        )
        text = urllib.parse.unquote_plus(plain.decode("utf-8"), encoding="utf-8", errors="strict")
        payload = loads(text, what="encrypted body")  # strict JSON; raises ProtocolError itself
    except ValueError as exc:  # binascii.Error, UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ProtocolError(f"encrypted body could not be decrypted ({type(exc).__name__})") from None
    if not isinstance(payload, dict):
        raise ProtocolError("encrypted body does not hold a JSON object")
    return payload


def verify_md5_signature(payload: Mapping[str, object]) -> bool:
    """Check a decrypted scheme B body (the simulator's side).

    D is recomputed from every member except ``signature``, prefixed with the body's own ``timestamp``
    (which must be an integer), and compared case-sensitively with ``signature``.

    Args:
        payload: the object ``decrypt_body`` returned.

    Returns:
        True when the signature matches; False otherwise, including for a missing or malformed member.
    """
    signature = payload.get("signature")
    timestamp = payload.get("timestamp")
    if not isinstance(signature, str) or not isinstance(timestamp, int) or isinstance(timestamp, bool):
        return False
    expected = _md5_hex_upper(payload, str(timestamp))
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8"))
