"""Fault controls: one-shot HTTP faults (``sim.faults``) and socket faults (``sim.socket_faults``)."""

from __future__ import annotations
