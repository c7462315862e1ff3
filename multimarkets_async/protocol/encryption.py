"""Deprecated (one release): schemes B and C moved to :mod:`multimarkets_async.protocol.crypto`.

Every name this module exported is importable from ``multimarkets_async.protocol.crypto``; using it
from here warns with ``DeprecationWarning``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._deprecation import forward_moved_names
from . import crypto

if TYPE_CHECKING:  # type checkers see the real objects; at run time __getattr__ warns first
    from .crypto import (
        BodyEncryptor,
        decrypt_body,
        encode_uri_component,
        encrypted_payload_json,
        md5_signature,
        message_api_sign,
        verify_md5_signature,
        verify_message_api_sign,
    )

__all__ = [
    "BodyEncryptor",
    "decrypt_body",
    "encode_uri_component",
    "encrypted_payload_json",
    "md5_signature",
    "message_api_sign",
    "verify_md5_signature",
    "verify_message_api_sign",
]

__getattr__ = forward_moved_names(__name__, crypto, __all__)
