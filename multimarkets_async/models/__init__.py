"""Typed models of the platform's data: pydantic for REST payloads, slotted dataclasses for hot paths."""
