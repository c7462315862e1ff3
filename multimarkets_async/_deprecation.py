"""One-release shims for moved public names: a module ``__getattr__`` that warns, then forwards.

A public module that moved keeps its old path for one release as a shim::

    from . import crypto
    from .._deprecation import forward_moved_names

    __all__ = ["OpenApiSigner", ...]
    __getattr__ = forward_moved_names(__name__, crypto, __all__)

Importing the shim is silent; using one of its names (``from old import X``, ``old.X``) emits a
``DeprecationWarning`` that points at the caller and names the new path, then returns the object from
its new home (the same object, so ``isinstance`` and ``except`` keep working).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from types import ModuleType

__all__ = ["forward_moved_names"]


def forward_moved_names(old: str, new: ModuleType, names: Iterable[str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for the shim ``old``, whose ``names`` now live in ``new``.

    Args:
        old: the shim's module name (its ``__name__``).
        new: the module the names moved to.
        names: the names the shim still answers (its ``__all__``).

    Returns:
        The function to assign to the shim's ``__getattr__``; it raises ``AttributeError`` for any
        other name.
    """
    moved = frozenset(names)

    def __getattr__(name: str) -> object:
        if name not in moved:
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warnings.warn(
            f"{old}.{name} is deprecated, import it from {new.__name__}; {old} goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(new, name)

    return __getattr__
