"""A FastAPI service built on multimarkets-async: see ``app.py`` and ``README.md`` beside it."""

from __future__ import annotations

__all__: list[str] = []
