"""The simulator's sockets: the session registry and runner, the quote, message-push and data-push sockets."""

from __future__ import annotations
