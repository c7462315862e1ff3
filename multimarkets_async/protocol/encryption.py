"""Deprecated (one release): schemes B and C moved to :mod:`multimarkets_async.protocol.crypto`.

Every name this module exported is importable from ``multimarkets_async.protocol.crypto``; using it
from here warns with ``DeprecationWarning``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._deprecation import forward_moved_names
from . import crypto
from .crypto import encrypted_body, message_sign

if TYPE_CHECKING:  # type checkers see the real objects; at run time __getattr__ warns first
    from .crypto.encrypted_body import *  # noqa: F403
    from .crypto.message_sign import *  # noqa: F403

# Every name of schemes B and C: the old module exported exactly these.
__all__ = encrypted_body.__all__ + message_sign.__all__

__getattr__ = forward_moved_names(__name__, crypto, __all__)
