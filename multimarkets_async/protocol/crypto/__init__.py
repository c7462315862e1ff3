"""Every cryptographic scheme of the wire protocol, sans-I/O, importable from one place.

* :mod:`.keys`: loading RSA keys, the MD5 digests of passwords and of the secret key, shared rules.
* :mod:`.open_api`: scheme A (Open API, Bridge API), SHA1withRSA ``signature`` headers.
* :mod:`.encrypted_body`: scheme B (Client API, Manager API), MD5-signed, RSA-encrypted bodies.
* :mod:`.message_sign`: scheme C (Message API), the ``sign`` the platform puts in its calls to us.

The schemes import :mod:`.keys` and nothing else of each other.
"""

from __future__ import annotations

from .encrypted_body import (
    BodyEncryptor,
    decrypt_body,
    encode_uri_component,
    encrypted_payload_json,
    md5_signature,
    verify_md5_signature,
)
from .keys import load_private_key, load_public_key, md5_password, secret_key_md5
from .message_sign import message_api_sign, verify_message_api_sign
from .open_api import OpenApiSigner, canonical_body, open_api_string_to_sign, verify_open_api_signature

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
