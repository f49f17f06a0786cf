"""The SDK's standard tap tests, against the sandbox."""

import pytest
from clickpoint_harness import API_KEY, tap_config
from singer_sdk.testing import SuiteConfig, TapTestRunner, get_tap_test_class
from singer_sdk.testing.tap_tests import StreamRecordSchemaMatchesCatalogTest
from tap_clickpoint.fields import LEAD_PROPERTIES
from tap_clickpoint.tap import TapClickPoint

from sandbox.leadexec import LeadExecSandbox

SUITE = SuiteConfig(max_records_limit=400)
#: The SDK builds the test class, and a tap to list its streams, when this module is
#: imported, before any sandbox runs. Given a catalog, that tap samples no lead type, so it
#: sends no request and an address that answers nothing will do: its schema has the fields
#: every lead has. The `runner` below discovers and syncs against the session's sandbox.
NOT_CONTACTED = {"api_key": API_KEY, "api_url": "http://127.0.0.1:9/", "lead_type_ids": [1],
                 "start_date": "today-2"}  # fmt: skip
FIXED_CATALOG = {
    "streams": [
        {
            "tap_stream_id": "leads",
            "stream": "leads",
            "schema": {**LEAD_PROPERTIES, "additionalProperties": True},
            "metadata": [{"breadcrumb": [], "metadata": {"selected": True}}],
        }
    ]
}


class RecordFieldsAreDeclaredOrPassedThrough(StreamRecordSchemaMatchesCatalogTest):
    """The SDK's check that every record field is in the catalog, for a schema that keeps the
    fields of each lead type: a field the catalog does not name must be allowed by it."""

    def test(self) -> None:
        declared = set(self.stream.stream_maps[-1].transformed_schema["properties"])
        undeclared = set().union(*(record.keys() for record in self.stream_records)) - declared
        assert not undeclared or self.stream.schema.get("additionalProperties") is True, undeclared


# Two of the standard checks cannot fail (primary-key uniqueness and the final state's
# progress markers); test_state.py has versions of both that can. test_schema.py checks
# each lead type's own fields against the schema discovery gives.
STANDARD_TESTS = get_tap_test_class(
    TapClickPoint, config=NOT_CONTACTED, catalog=FIXED_CATALOG, suite_config=SUITE
)


class TestTapClickPoint(STANDARD_TESTS):  # type: ignore[misc,valid-type]
    test_tap_stream_record_schema_matches_transformed_catalog = (
        RecordFieldsAreDeclaredOrPassedThrough().run
    )

    @pytest.fixture(scope="class")
    @classmethod
    def runner(cls, shared: LeadExecSandbox) -> TapTestRunner:
        config = tap_config(start_date="today-2")
        runner = TapTestRunner(TapClickPoint, config=config, suite_config=SUITE)
        runner.sync_all()
        return runner
