from __future__ import annotations

import jsonschema
import pytest
from singer_sdk import typing as th

from common.schemas import props, schema


def test_props_declares_each_name_nullable_of_one_kind() -> None:
    declared = schema(*props("a", "b", kind=th.IntegerType))
    assert declared["properties"]["a"] == {"type": ["integer", "null"]}
    assert set(declared["properties"]) == {"a", "b"}


def test_undeclared_fields_are_allowed_and_declared_fields_stay_typed() -> None:
    declared = schema(th.Property("id", th.IntegerType, required=True), *props("name"))
    jsonschema.validate({"id": 1, "name": None, "city": "Chicago", "sla": {"s": 20}}, declared)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": 1, "name": 7}, declared)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x"}, declared)
