"""The SDK's standard tap tests, against the sandbox."""

import pytest
from mongoose_harness import API_KEY, USERNAME, tap_config
from singer_sdk.testing import SuiteConfig, TapTestRunner, get_tap_test_class
from singer_sdk.testing.tap_tests import StreamRecordSchemaMatchesCatalogTest
from tap_mongoose.tap import TapMongoose

from sandbox.mongoose import MongooseSandbox

SUITE = SuiteConfig(max_records_limit=400)
#: The SDK builds the test class, and a tap to list its streams, when this module is
#: imported, before any sandbox runs: that tap sends no request, so an address that answers
#: nothing will do. The `runner` below syncs against the session's sandbox.
NOT_CONTACTED = {"username": USERNAME, "api_key": API_KEY, "api_url": "http://127.0.0.1:9",
                 "start_date": "today-3"}  # fmt: skip


class RecordFieldsAreDeclaredOrPassedThrough(StreamRecordSchemaMatchesCatalogTest):
    """The SDK's check that every record field is in the catalog, for schemas that keep the
    fields Mongoose adds: a field the catalog does not name must be allowed by the schema."""

    def test(self) -> None:
        declared = set(self.stream.stream_maps[-1].transformed_schema["properties"])
        undeclared = set().union(*(record.keys() for record in self.stream_records)) - declared
        assert not undeclared or self.stream.schema.get("additionalProperties") is True, undeclared


# Two of the standard checks cannot fail (primary-key uniqueness and the final state's
# progress markers); test_state.py has versions of both that can.
class TestTapMongoose(get_tap_test_class(TapMongoose, config=NOT_CONTACTED, suite_config=SUITE)):  # type: ignore[misc]
    test_tap_stream_record_schema_matches_transformed_catalog = (
        RecordFieldsAreDeclaredOrPassedThrough().run
    )

    @pytest.fixture(scope="class")
    @classmethod
    def runner(cls, shared: MongooseSandbox) -> TapTestRunner:
        runner = TapTestRunner(
            TapMongoose, config=tap_config(start_date="today-3"), suite_config=SUITE
        )
        runner.sync_all()
        return runner
