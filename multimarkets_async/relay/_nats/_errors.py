"""The one place where nats-py's exceptions become the SDK's: a table looked up along the MRO, a
``translating`` context manager for every call into nats-py, and URL masking for what goes in messages.

    nats.errors.Error / nats.js.errors.Error                 -> SDK class
    ├── TimeoutError (FlushTimeout, DrainTimeout, FetchTimeout) RequestTimeoutError
    ├── NoServersError, AuthorizationError, SecureConn*, InvalidUserCredentials   ConnectError
    ├── BadSubject, BadHeader, MaxPayload, BadTimeout, InvalidKey, InvalidBucketName ...  InvalidArgumentError
    ├── JsonParseError, ProtocolError, NotJSMessageError, DigestMismatchError     ProtocolError
    ├── SlowConsumerError                                     SlowConsumerError
    ├── js ServiceUnavailableError, NoStreamResponseError     TransportError (JetStream not answering)
    ├── js APIError and the other JetStream errors            StreamError (the server refused)
    └── anything else (closed, reconnecting, stale, EOF ...)  TransportError
    OSError                                                   TransportError
    TimeoutError (asyncio)                                    RequestTimeoutError

Only ``multimarkets_async.relay._nats`` imports nats-py; its callers see these classes and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final
from urllib.parse import urlsplit

import nats.errors
import nats.js.errors

from ...errors import (
    ConnectError,
    InvalidArgumentError,
    MultiMarketsError,
    ProtocolError,
    RequestTimeoutError,
    SlowConsumerError,
    StreamError,
    TransportError,
)
from ...protocol.hints import add_hint

__all__ = ["NATS_ERRORS", "map_nats_error", "mask_url", "scrub", "translating"]

_NE = nats.errors
_JE = nats.js.errors

# nats-py class -> SDK class, most specific first (the first entry the exception is an instance of wins).
_TABLE: Final[tuple[tuple[type[BaseException], type[MultiMarketsError]], ...]] = (
    (_NE.TimeoutError, RequestTimeoutError),
    (_NE.NoServersError, ConnectError),
    (_NE.AuthorizationError, ConnectError),
    (_NE.InvalidUserCredentialsError, ConnectError),
    (_NE.SecureConnRequiredError, ConnectError),
    (_NE.SecureConnWantedError, ConnectError),
    (_NE.SecureConnFailedError, ConnectError),
    (_NE.SlowConsumerError, SlowConsumerError),
    (_NE.BadSubjectError, InvalidArgumentError),
    (_NE.BadHeaderError, InvalidArgumentError),
    (_NE.MaxPayloadError, InvalidArgumentError),
    (_NE.BadTimeoutError, InvalidArgumentError),
    (_NE.InvalidCallbackTypeError, InvalidArgumentError),
    (_JE.InvalidKeyError, InvalidArgumentError),
    (_JE.InvalidBucketNameError, InvalidArgumentError),
    (_JE.InvalidObjectNameError, InvalidArgumentError),
    (_JE.KeyHistoryTooLargeError, InvalidArgumentError),
    (_NE.JsonParseError, ProtocolError),
    (_NE.ProtocolError, ProtocolError),
    (_NE.NotJSMessageError, ProtocolError),
    (_JE.DigestMismatchError, ProtocolError),
    (_JE.BadObjectMetaError, ProtocolError),
    (_JE.ServiceUnavailableError, TransportError),
    (_JE.NoStreamResponseError, TransportError),
    (_JE.TooManyStalledMsgsError, TransportError),
    (_JE.Error, StreamError),
    (_NE.Error, TransportError),
    (TimeoutError, RequestTimeoutError),
    (OSError, TransportError),
)

_NO_STORAGE: Final = 10047
_NO_STORAGE_HINT: Final = (
    "JetStream cannot reserve the stream's byte limit; lower Retention.kept_max_bytes "
    "(relay --kept-max-bytes) or give the server more storage (jetstream max_file_store)"
)

NATS_ERRORS: Final[tuple[type[BaseException], ...]] = (_NE.Error, OSError, TimeoutError)
"""What ``translating`` catches: every nats-py error, socket errors and timeouts."""

_URL_IN_TEXT: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>,]+")


def mask_url(url: str) -> str:
    """``url`` with its password (or token) replaced by ``***``: ``nats://user:***@host:4222``.

    A URL without credentials comes back unchanged; text that is not a URL comes back with anything
    before an ``@`` masked, so a secret never leaks through a malformed value.
    """
    try:
        parts = urlsplit(url if "://" in url else f"nats://{url}")
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "***" if "@" in url else url
    if "@" not in parts.netloc:
        return url
    user, sep, _password = parts.netloc.rpartition("@")[0].partition(":")
    auth = f"{user}:***" if sep else "***"
    masked = f"{parts.scheme}://{auth}@{host}{parts.path}"
    return masked if "://" in url else masked.removeprefix("nats://")


def scrub(text: str) -> str:
    """``text`` with every URL in it masked (nats-py's messages may repeat a server URL)."""
    return _URL_IN_TEXT.sub(lambda found: mask_url(found[0]), text)


def _describe(exc: BaseException) -> str:
    try:
        text = scrub(str(exc))
    except Exception:  # a foreign __str__ that fails on missing fields must not hide the error
        text = ""
    name = type(exc).__name__
    return f"{name}: {text}" if text and text != name else name


def map_nats_error(exc: BaseException, what: str) -> MultiMarketsError:
    """The SDK error for ``exc``, raised while doing ``what`` (``"publish to <subject>"``).

    The message names the nats-py class and its (masked) text; the caller raises it ``from exc``.
    """
    for foreign, ours in _TABLE:
        if isinstance(exc, foreign):
            error = ours(f"NATS {what} failed: {_describe(exc)}")
            if getattr(exc, "err_code", None) == _NO_STORAGE:
                add_hint(error, _NO_STORAGE_HINT)
            return error
    return TransportError(f"NATS {what} failed: {_describe(exc)}")


@contextmanager
def translating(what: str) -> Iterator[None]:
    """Raise the SDK's error ``from`` any nats-py, socket or timeout error raised inside the block."""
    try:
        yield
    except NATS_ERRORS as exc:
        raise map_nats_error(exc, what) from exc
