"""Scheme C of the wire protocol (Message API, platform -> integrator): the ``sign`` check, sans-I/O.

``sign`` = base64 RSA-encrypt (PKCS#1 v1.5) of ``toUser@timestamp@trace`` with the integrator's public
key: ``message_api_sign`` makes one (the platform's side, used by the simulator) and
``verify_message_api_sign`` checks one (the integrator's side, used by the webhooks). The current time is
passed in; nothing here reads a clock.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from .keys import PKCS1V15, load_private_key, load_public_key, plaintext_limit

__all__ = ["message_api_sign", "verify_message_api_sign"]


def message_api_sign(
    public_key: str | bytes | RSAPublicKey, to_user: str, timestamp_ms: int, trace: str
) -> str:
    """Return a Message API ``sign`` (the platform's side, used by the simulator).

    Args:
        public_key: the integrator's Message-API public key; see ``load_public_key``.
        to_user: the body's ``toUser``.
        timestamp_ms: the body's ``timestamp``.
        trace: the body's ``trace``.

    Returns:
        base64 of RSA-PKCS#1-v1.5-encrypt(``f"{to_user}@{timestamp_ms}@{trace}"``); random each call.

    Raises:
        errors.ConfigurationError: ``public_key`` cannot be loaded.
        ValueError: the text is longer than the key can encrypt (117 bytes for RSA-1024).
    """
    key = load_public_key(public_key)
    plain = f"{to_user}@{int(timestamp_ms)}@{trace}".encode()
    limit = plaintext_limit(key)
    if len(plain) > limit:
        raise ValueError(f"toUser@timestamp@trace is {len(plain)} bytes; the key encrypts at most {limit}")
    return base64.b64encode(key.encrypt(plain, PKCS1V15)).decode("ascii")


def verify_message_api_sign(
    private_key: str | bytes | RSAPrivateKey,
    body: Mapping[str, object],
    *,
    now_ms: int | None = None,
    max_skew_ms: int = 300_000,
) -> bool:
    """Check the ``sign`` of a Message API call the platform made to us (the integrator's side).

    Args:
        private_key: our Message-API private key; see ``load_private_key``.
        body: the received JSON object (``toUser``, ``timestamp``, ``trace``, ``sign``, ...).
        now_ms: the local time; when given and ``max_skew_ms > 0``, a ``timestamp`` further than
            ``max_skew_ms`` from it fails the check (the platform binds no freshness window itself).
        max_skew_ms: the accepted distance; 0 turns the check off.

    Returns:
        True when ``sign`` decrypts to ``toUser@timestamp@trace`` (compared in constant time) and the
        timestamp is fresh; False for anything else, including malformed members.

    Raises:
        errors.ConfigurationError: ``private_key`` cannot be loaded.
    """
    key = load_private_key(private_key)
    sign, to_user, trace = body.get("sign"), body.get("toUser"), body.get("trace")
    timestamp = body.get("timestamp")
    if not (isinstance(sign, str) and isinstance(to_user, str) and isinstance(trace, str)):
        return False
    # The platform sends a JSON number; a string of digits is taken verbatim for the plaintext.
    if isinstance(timestamp, str) and timestamp.isascii() and timestamp.isdigit():
        timestamp_text, timestamp_value = timestamp, int(timestamp)
    elif isinstance(timestamp, int) and not isinstance(timestamp, bool):
        timestamp_text, timestamp_value = str(timestamp), timestamp
    else:
        return False
    if now_ms is not None and max_skew_ms > 0 and abs(now_ms - timestamp_value) > max_skew_ms:
        return False
    try:
        plain = key.decrypt(base64.b64decode(sign, validate=True), PKCS1V15)
    except ValueError:
        return False
    return hmac.compare_digest(plain, f"{to_user}@{timestamp_text}@{trace}".encode())
