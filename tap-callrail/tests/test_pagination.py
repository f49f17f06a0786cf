"""Pages: ceil(n/250) requests for n records, never an extra empty page."""

import math

import pytest
from callrail_harness import sync, tap_config
from tap_callrail import client

from sandbox.callrail import CallRailSandbox


@pytest.fixture(scope="module")
def busy_sandbox():
    """About 770 calls a week per account: a week's window needs several pages."""
    with CallRailSandbox(api_keys=("busy-key",), calls_per_account=80_000, seed=3) as busy:
        yield busy


def test_calls_follow_next_page_and_cost_ceil_n_over_250_requests(busy_sandbox) -> None:
    config = tap_config(api_key="busy-key", api_url=busy_sandbox.api_url, start_date="today-6")
    calls = sync(config, select={"calls"}).records("calls")
    for account in busy_sandbox.account_ids:
        count = sum(1 for c in calls if c["account_id"] == account)
        requests = [r for r in busy_sandbox.requests if r.path == f"/v3/a/{account}/calls.json"]
        assert count > 2 * 250
        assert len(requests) == math.ceil(count / 250), account
        assert all(r.query["relative_pagination"] == ["true"] for r in requests)
    assert len({c["id"] for c in calls}) == len(calls)


@pytest.fixture(scope="module")
def quiet_sandbox():
    """One account with 3,000 calls in two years, and its forms and conversations."""
    with CallRailSandbox(api_keys=("quiet-key",), accounts=1, calls_per_account=3000) as quiet:
        yield quiet


DATED_LISTS = {
    "calls": "calls.json",
    "form_submissions": "form_submissions.json",
    "conversations": "text-messages.json",
}


def test_a_25_month_backfill_costs_the_pages_its_records_need(quiet_sandbox) -> None:
    config = tap_config(api_key="quiet-key", api_url=quiet_sandbox.api_url, start_date="2000-01-01")
    output = sync(config, select=set(DATED_LISTS))
    (account,) = quiet_sandbox.account_ids
    for stream, path in DATED_LISTS.items():
        count = len(output.records(stream))
        requests = [r for r in quiet_sandbox.requests if r.path == f"/v3/a/{account}/{path}"]
        assert count > 0, stream
        assert len(requests) == math.ceil(count / 250), stream
    assert len(output.records("calls")) == 3000  # 12 requests, the minimum at 250 a page


def test_an_empty_25_month_backfill_costs_one_request_per_stream(quiet_sandbox) -> None:
    quiet_sandbox.clear_log()
    config = tap_config(
        api_key="quiet-key",
        api_url=quiet_sandbox.api_url,
        start_date="2000-01-01",
        end_date="today-740",  # before the sandbox's two years of history
    )
    output = sync(config, select=set(DATED_LISTS))
    (account,) = quiet_sandbox.account_ids
    for stream, path in DATED_LISTS.items():
        assert output.records(stream) == [], stream
        requests = [r for r in quiet_sandbox.requests if r.path == f"/v3/a/{account}/{path}"]
        assert len(requests) == 1, stream


def test_the_company_list_is_read_once_per_account_whoever_needs_it(sandbox) -> None:
    # companies, caller_ids, summary_emails and both reports need it, side by side.
    output = sync(tap_config(start_date="today-3", max_parallel=4))
    assert output.records("caller_ids")
    assert output.records("summary_emails")
    for account in sandbox.account_ids:
        path = f"/v3/a/{account}/companies.json"
        assert len([r for r in sandbox.requests if r.path == path]) == 1, account
    companies = {(c["account_id"], c["id"]) for c in output.records("companies")}
    assert {c["account_id"] for c in output.records("companies")} == set(sandbox.account_ids)
    assert len(companies) == len(output.records("companies"))


def test_offset_pages_stop_on_total_pages(sandbox, monkeypatch) -> None:
    monkeypatch.setattr(client, "PAGE_SIZE", 3)
    tags = sync(tap_config(), select={"tags"}).records("tags")
    for account in sandbox.account_ids:
        count = sum(1 for t in tags if t["account_id"] == account)
        requests = [r for r in sandbox.requests if r.path == f"/v3/a/{account}/tags.json"]
        assert count > 3
        assert [int(r.query["page"][0]) for r in requests] == list(
            range(1, math.ceil(count / 3) + 1)
        )


def test_lists_ask_for_250_records_a_page(sandbox) -> None:
    sync(tap_config(start_date="today-2"), select={"users", "calls", "companies"})
    assert sandbox.requests
    assert {r.query.get("per_page", [""])[0] for r in sandbox.requests} == {"250"}


def test_summary_emails_are_read_per_company_and_kept_once(sandbox) -> None:
    emails = sync(tap_config(), select={"summary_emails"}).records("summary_emails")
    assert len({e["id"] for e in emails}) == len(emails)
    assert any((e.get("scope") or {}).get("type") == "Company" for e in emails)
    assert any((e.get("scope") or {}).get("type") == "Account" for e in emails)
