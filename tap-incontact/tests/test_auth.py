"""Signing in: one token per run, renewed before expiry and once after a 401, never shared."""

import pytest
from incontact_harness import SANDBOX, cxone_config, run_cli, sync, tap_config
from tap_incontact.auth import refresh_margin
from tap_incontact.tap import TapInContact

from sandbox.incontact import InContactSandbox

ADMIN = {"agents", "teams", "skills", "campaigns", "reports"}


def test_refresh_margin_shrinks_with_short_lifetimes() -> None:
    assert refresh_margin(3600) == 300
    assert refresh_margin(60) == 6


def test_one_token_serves_every_stream_of_a_run(sandbox) -> None:
    before = sandbox.tokens_issued
    output = sync(tap_config())
    assert sandbox.tokens_issued == before + 1
    assert len(output.by_stream()) == 11


def test_cxone_sign_in_discovers_token_endpoint_and_api_host(sandbox) -> None:
    output = sync(cxone_config(), select=ADMIN)
    assert output.records("agents")
    assert output.by_stream().keys() == ADMIN


@pytest.fixture(scope="module")
def short_lived():
    """Tokens that live 2 seconds, so a sync outlives several of them."""
    with InContactSandbox(token_lifetime=2, agents=30, contacts_per_day=200, seed=9) as quick:
        yield quick


def test_token_expiring_mid_sync_is_renewed_without_a_401(short_lived) -> None:
    config = tap_config(
        auth_url=short_lived.auth_url,
        password="sandbox-password",
        page_size=5,
        custom_report_ids=short_lived.report_ids[:1],
        data_download_report_ids=[],
        report_poll_seconds=1,
    )
    output = sync(config, select={"agents", "contacts", "custom_reports"})
    assert short_lived.refreshes + short_lived.tokens_issued >= 2
    assert not [r for r in short_lived.requests if r.status == 401]
    assert len({c["contactId"] for c in output.records("contacts")}) == len(
        output.records("contacts")
    )
    assert output.records("custom_reports")


def test_a_401_renews_the_token_once_and_the_sync_goes_on(sandbox) -> None:
    clean = sync(tap_config(page_size=5), select={"agents"})
    before = sandbox.tokens_issued
    sandbox.expire_tokens()
    renewed = sync(tap_config(page_size=5), select={"agents"})
    assert renewed.records("agents") == clean.records("agents")
    assert sandbox.tokens_issued == before + 1


def test_two_taps_in_one_process_do_not_share_a_token(sandbox) -> None:
    good = TapInContact(config=tap_config())
    bad = TapInContact(config=tap_config(password="wrong-password"))
    assert good.auth is not bad.auth
    assert good.auth.access_token()
    with pytest.raises(Exception, match="refused the sign-in"):
        bad.auth.access_token()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"password": "wrong-password"}, "refused the sign-in at"),
        ({"application_name": "OtherApp"}, "refused the sign-in at"),
    ],
)
def test_wrong_credentials_say_the_token_step_refused_them(
    sandbox, tmp_path, overrides, expected
) -> None:
    output = run_cli(tmp_path, tap_config(**overrides), select={"agents"})
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    last = output.log.strip().splitlines()[-1]
    assert expected in last
    assert SANDBOX.auth_url in last


def test_an_api_that_keeps_refusing_the_token_stops_with_one_line(sandbox, tmp_path) -> None:
    sandbox.inject(401, count=10, path_contains="/agents")
    output = run_cli(tmp_path, tap_config(), select={"agents"})
    assert output.exit_code == 1
    assert "Traceback" not in output.log
    assert "API refused a new token" in output.log.strip().splitlines()[-1]
