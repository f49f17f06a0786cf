"""The tests' inContact sandbox, one for the whole session, and ways to run the tap against it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tap_incontact.tap import TapInContact

from sandbox import taprun
from sandbox.incontact import InContactSandbox
from sandbox.taprun import SyncOutput

#: Secrets distinctive enough that finding one anywhere in output proves a leak.
PASSWORD = "pw-5e1f-SECRET-77aa"
CLIENT_SECRET = "cs-90b2-SECRET-c3d4"
ACCESS_KEY_SECRET = "aks-41fe-SECRET-e6f7"
SECRETS = (PASSWORD, CLIENT_SECRET, ACCESS_KEY_SECRET)
SANDBOX = InContactSandbox(
    password=PASSWORD,
    client_secret=CLIENT_SECRET,
    access_key_secret=ACCESS_KEY_SECRET,
    agents=12,
    contacts_per_day=40,
    seed=5,
).start()


def tap_config(**overrides: Any) -> dict[str, Any]:
    """Central password sign-in against the shared sandbox; quick report polling."""
    return {
        "auth_method": "password",
        "application_name": "DemoApp",
        "vendor_name": "DemoVendor",
        "business_unit": "4593101",
        "username": "api.user@example.com",
        "password": PASSWORD,
        "auth_url": SANDBOX.auth_url,
        "start_date": "today-3",
        "custom_report_ids": SANDBOX.report_ids[:2],
        "data_download_report_ids": SANDBOX.data_download_report_ids[:1],
        "report_poll_seconds": 0.05,
        **overrides,
    }


def cxone_config(**overrides: Any) -> dict[str, Any]:
    """CXone sign-in: token endpoint and API host discovered from the issuer."""
    config = tap_config(auth_method="cxone", **overrides)
    for central in ("application_name", "vendor_name", "business_unit", "username", "password"):
        config.pop(central)
    return {
        **config,
        "client_id": "sandbox-client",
        "client_secret": CLIENT_SECRET,
        "access_key_id": "sandbox-access-key",
        "access_key_secret": ACCESS_KEY_SECRET,
        "cxone_issuer": SANDBOX.cxone_issuer,
        **overrides,
    }


def sync(config: dict, state: dict | None = None, select: set[str] | None = None) -> SyncOutput:
    """Run the tap in this process, as `tap-incontact --config … --state …` would."""
    return taprun.sync(TapInContact, config, state, select)


def run_cli(
    tmp_path: Path, config: dict, state: dict | None = None, select: set[str] | None = None
) -> SyncOutput:
    """Run the installed `tap-incontact` command in a child process, with debug logging."""
    return taprun.run_command("tap-incontact", tmp_path, config, state, select=select)
