# Copied from common/schemas.py by `python3 tasks.py copy-common`: edit the source, not this copy.
"""The two helpers every tap's record schemas are written with.

`props` declares several nullable fields of one kind in a line. `schema` builds a stream's
schema that keeps every field the vendor sends: declared fields stay typed, and fields the
tap does not know yet pass through as they came (`additionalProperties`), so that nothing the
vendor sends is dropped when it adds a field.
"""

from __future__ import annotations

from singer_sdk import typing as th

Kind = type[th.JSONTypeHelper] | th.JSONTypeHelper


def props(*names: str, kind: Kind = th.StringType) -> list[th.Property]:
    """One nullable property of `kind` for each name."""
    return [th.Property(name, kind) for name in names]


def schema(*properties: th.Property) -> dict:
    """A record schema of `properties` that also keeps the fields it does not declare."""
    return {**th.PropertiesList(*properties).to_dict(), "additionalProperties": True}
