"""The SDK's standard tap tests, against the sandbox."""

from incontact_harness import tap_config
from singer_sdk.testing import SuiteConfig, get_tap_test_class
from tap_incontact.tap import TapInContact

# Two of the standard checks cannot fail (primary-key uniqueness and the final state's
# progress markers); test_state.py has versions of both that can.
TestTapInContact = get_tap_test_class(
    TapInContact,
    config=tap_config(),
    suite_config=SuiteConfig(max_records_limit=400),
)
