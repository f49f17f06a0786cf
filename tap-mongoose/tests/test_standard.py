"""The SDK's standard tap tests, against the sandbox."""

from mongoose_harness import tap_config
from singer_sdk.testing import SuiteConfig, get_tap_test_class
from singer_sdk.testing.tap_tests import StreamRecordSchemaMatchesCatalogTest
from tap_mongoose.tap import TapMongoose


class RecordFieldsAreDeclaredOrPassedThrough(StreamRecordSchemaMatchesCatalogTest):
    """The SDK's check that every record field is in the catalog, for schemas that keep the
    fields Mongoose adds: a field the catalog does not name must be allowed by the schema."""

    def test(self) -> None:
        declared = set(self.stream.stream_maps[-1].transformed_schema["properties"])
        undeclared = set().union(*(record.keys() for record in self.stream_records)) - declared
        assert not undeclared or self.stream.schema.get("additionalProperties") is True, undeclared


# Two of the standard checks cannot fail (primary-key uniqueness and the final state's
# progress markers); test_state.py has versions of both that can.
TestTapMongoose = get_tap_test_class(
    TapMongoose,
    config=tap_config(start_date="today-3"),
    suite_config=SuiteConfig(max_records_limit=400),
)
TestTapMongoose.test_tap_stream_record_schema_matches_transformed_catalog = (  # type: ignore[attr-defined]
    RecordFieldsAreDeclaredOrPassedThrough().run
)
