"""The simulator's HTTP side: each API family's gateway, limits, the request pipeline, the operations."""

from __future__ import annotations
