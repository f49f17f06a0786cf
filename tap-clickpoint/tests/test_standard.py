"""The SDK's standard tap tests, against the sandbox."""

from clickpoint_harness import tap_config
from singer_sdk.testing import SuiteConfig, get_tap_test_class
from tap_clickpoint.tap import TapClickPoint

# Two of the standard checks cannot fail (primary-key uniqueness and the final state's
# progress markers); test_state.py has versions of both that can.
TestTapClickPoint = get_tap_test_class(
    TapClickPoint,
    config=tap_config(start_date="today-2"),
    suite_config=SuiteConfig(max_records_limit=400),
)
