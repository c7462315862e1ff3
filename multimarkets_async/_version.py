"""The installed version of multimarkets-async."""

__version__ = "0.1.0"
