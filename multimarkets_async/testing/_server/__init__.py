"""Assembly of the simulator: its whole state, the RPC socket that joins HTTP and sockets, and uvicorn."""

from __future__ import annotations
