"""Relay global ids: base64 of `Type:slug`."""

from __future__ import annotations

import base64
import binascii

from schema.specs import FIELDS


def to_global_id(type_name: str, slug: str) -> str:
    return base64.b64encode(f"{type_name}:{slug}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str | None, str]:
    """(type name, slug) of a global id; a bare slug is accepted too, with no type."""
    try:
        text = base64.b64decode(global_id.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None, global_id
    type_name, sep, slug = text.partition(":")
    if not sep or type_name not in FIELDS or not slug:
        return None, global_id
    return type_name, slug
