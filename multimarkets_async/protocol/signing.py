"""Deprecated (one release): request signing moved to :mod:`multimarkets_async.protocol.crypto`.

Every name this module exported (schemes A, B and C, key loading, the MD5 helpers) is importable from
``multimarkets_async.protocol.crypto``; using it from here warns with ``DeprecationWarning``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._deprecation import forward_moved_names
from . import crypto

if TYPE_CHECKING:  # type checkers see the real objects; at run time __getattr__ warns first
    from .crypto import (
        BodyEncryptor,
        OpenApiSigner,
        canonical_body,
        decrypt_body,
        encode_uri_component,
        encrypted_payload_json,
        load_private_key,
        load_public_key,
        md5_password,
        md5_signature,
        message_api_sign,
        open_api_string_to_sign,
        secret_key_md5,
        verify_md5_signature,
        verify_message_api_sign,
        verify_open_api_signature,
    )

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

__getattr__ = forward_moved_names(__name__, crypto, __all__)
