"""What the benchmark scripts share: stopping a server process, and the quote socket's wire pieces
their feed servers write (a raw text frame, a reply envelope)."""

from __future__ import annotations

import contextlib
import json
import struct
import subprocess
from typing import Any

__all__ = ["reply", "stop_process", "ws_text_frame"]


def stop_process(proc: subprocess.Popen[str]) -> None:
    """Close the child's stdin (its stop signal), then terminate and kill it if it lingers."""
    with contextlib.suppress(OSError):
        if proc.stdin is not None:
            proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def ws_text_frame(text: str) -> bytes:
    """A complete unmasked, unfragmented server-to-client WebSocket text frame."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


def reply(cmd_id: int, request: dict[str, Any], data: dict[str, Any]) -> str:
    """A quote reply envelope (``ret`` 200) echoing the request's ``seq_id`` and ``ext``."""
    return json.dumps(
        {
            "ret": 200,
            "msg": "ok",
            "cmd_id": cmd_id,
            "seq_id": request.get("seq_id"),
            "ext": request.get("ext"),
            "data": data,
        },
        separators=(",", ":"),
    )
