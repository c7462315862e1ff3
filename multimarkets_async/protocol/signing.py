"""Deprecated (one release): request signing moved to :mod:`multimarkets_async.protocol.crypto`.

Every name this module exported (schemes A, B and C, key loading, the MD5 helpers) is importable from
``multimarkets_async.protocol.crypto``; using it from here warns with ``DeprecationWarning``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._deprecation import forward_moved_names
from . import crypto

if TYPE_CHECKING:  # type checkers see the real objects; at run time __getattr__ warns first
    from .crypto import *  # noqa: F403

# Every name: the old module exported all that protocol.crypto now does, nothing else.
__all__ = list(crypto.__all__)

__getattr__ = forward_moved_names(__name__, crypto, __all__)
