"""The partner (back-office) side's state: Manager credentials, company tokens, the Bridge, platform calls."""

from __future__ import annotations
