"""The two request-signing schemes as ``httpx.Auth`` flows: the last step before bytes leave.

Each flow receives the request :func:`._request.build_request` described (final body, ``timestamp``
header) and signs or seals it, so what is signed is exactly what is sent. The cryptography itself is
sans-I/O in :mod:`multimarkets_async.protocol.crypto`.
"""

from __future__ import annotations

import json
from collections.abc import Generator

import httpx

from ..protocol.crypto import BodyEncryptor, OpenApiSigner
from ..protocol.envelope import encode_body

__all__ = ["EncryptedBodyAuth", "OpenApiAuth"]


class OpenApiAuth(httpx.Auth):
    """Scheme A: ``signature`` = SHA1withRSA over the canonical body plus the ``timestamp`` header."""

    def __init__(self, signer: OpenApiSigner) -> None:
        self._signer = signer

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = json.loads(request.content) if request.content else {}
        request.headers["signature"] = self._signer.sign(body, int(request.headers["timestamp"]))
        yield request


class EncryptedBodyAuth(httpx.Auth):
    """Scheme B: the body becomes ``{"data": "<RSA pieces>"}`` with the MD5 signature inside."""

    def __init__(self, encryptor: BodyEncryptor) -> None:
        self._encryptor = encryptor

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = json.loads(request.content) if request.content else {}
        sealed = self._encryptor.encrypt(body, int(request.headers["timestamp"]))
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        # A new request: carry the extensions over, or the call's timeout (held there) is lost.
        yield httpx.Request(
            request.method,
            request.url,
            headers=headers,
            content=encode_body(sealed),
            extensions=request.extensions,
        )
