"""The operations the simulator serves, one module per family, and the bizType -> operation table."""

from __future__ import annotations
