"""Hostile and odd answers (issue 9): no key leaves its host, no lead is lost in silence.

Each test drives the `tap-clickpoint` command against one of the sandbox's opt-in hostile
answers and checks the exit code, the one error line, what was emitted, the state, and
that the key reached no other host and none of the run's output.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from clickpoint_harness import (
    API_KEY,
    assert_key_kept,
    error_line,
    pass_through,
    run_cli,
    sync,
    tap_config,
)
from tap_clickpoint.streams import LeadsStream

from sandbox.leadexec import MORTGAGE
from sandbox.leadexec.assumed import JSON_TIMESTAMP

LID = MORTGAGE.lid
PACIFIC = ZoneInfo("America/Los_Angeles")
RECENT = {"lead_type_ids": [LID], "start_date": "today-3"}
#: A month read in one-day windows (by default it is one window), for failures of one window.
MONTH = {"lead_type_ids": [LID], "start_date": "today-30", "window_days": 1}
#: With MONTH, request number FAILED_WINDOW reads the window that starts this many days ago
#: (windows are Pacific days, the oldest first); more than a thousand leads come before it, so
#: a STATE message has been written by then.
FAILED_WINDOW = 30


def keys(records: list[dict]) -> set[tuple]:
    return {tuple(r[k] for k in LeadsStream.primary_keys) for r in records}


def midnight(days_ago: int) -> datetime:
    """The instant a day of source_timezone (Pacific by default) begins."""
    day = datetime.now(PACIFIC).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(), PACIFIC).astimezone(timezone.utc)


def bookmark(state: dict) -> str:
    [partition] = state["bookmarks"]["leads"]["partitions"]
    return str(partition["replication_key_value"])


def json_uid(uid: int) -> str:
    """A UID as the simulator writes it in JSON: every fourth one as a string."""
    return json.dumps(str(uid) if uid % 4 == 0 else uid)


@pytest.fixture(scope="module")
def clean_month():
    return sync(tap_config(**MONTH))


# Credentials stay on their origin


@pytest.mark.parametrize("status", [307, 308])
def test_a_redirect_to_another_host_is_not_followed(
    sandbox, catalog, elsewhere, tmp_path, status
) -> None:
    sandbox.inject(status, headers={"Location": elsewhere.url + "/steal"})
    output = run_cli(tmp_path, tap_config(**RECENT), catalog=catalog)
    line = error_line(output)
    assert f"HTTP {status}" in line
    assert urlsplit(elsewhere.url).netloc in line
    assert elsewhere.requests == []
    assert len(sandbox.requests) == 1
    assert output.records() == []
    assert output.states == []
    assert_key_kept(output, elsewhere)


@pytest.mark.parametrize("args", [("--discover",), ()], ids=["discovery", "sync that samples"])
def test_a_redirect_while_sampling_lead_types_is_not_followed(
    sandbox, elsewhere, tmp_path, args
) -> None:
    sandbox.inject(307, headers={"Location": elsewhere.url + "/"})
    output = run_cli(tmp_path, tap_config(**RECENT), None, *args)
    line = error_line(output)
    assert "HTTP 307" in line
    assert urlsplit(elsewhere.url).netloc in line
    assert elsewhere.requests == []
    assert output.stdout == ""
    assert_key_kept(output, elsewhere)


def test_a_post_redirected_on_its_own_host_is_not_sent_again(sandbox, catalog, tmp_path) -> None:
    sandbox.inject(308, headers={"Location": sandbox.url + "/moved"})
    output = run_cli(tmp_path, tap_config(**RECENT), catalog=catalog)
    assert "never sent twice" in error_line(output)
    assert [r.path for r in sandbox.requests] == ["/"]
    assert_key_kept(output)


@pytest.mark.parametrize("args", [("--discover",), ()], ids=["discovery", "sync that samples"])
def test_a_host_that_cannot_be_reached_fails_with_one_line(sandbox, tmp_path, args) -> None:
    output = run_cli(tmp_path, tap_config(**RECENT, api_url="http://127.0.0.1:9/"), None, *args)
    assert "cannot reach 127.0.0.1: the connection was refused" in error_line(output)
    assert output.stdout == ""
    assert_key_kept(output)


# Answers that cannot be right fail loudly


#: Answers that are not a page of leads, and what the error line says of each.
NOT_A_PAGE = {
    "empty": ({"status": 200, "raw": b""}, "is empty"),
    "html": ({"status": 200, "raw": "<html><body>Please wait"}, "is neither XML nor JSON"),
    "cut off": (
        {"status": 200, "raw": b'{"QueryTotal": 40, "Leads": [{"UID": 1',
         "content_type": "application/json"},
        "is not JSON",
    ),
    "no Leads key": ({"status": 200, "body": {"Message": "Service warming up"}}, "has no Leads"),
    "no Leads root": (
        {"status": 200, "raw": b"<Status>OK</Status>", "content_type": "text/xml"},
        "has no Leads",
    ),
    "error": ({"status": 200, "body": {"Error": "Account suspended"}}, "Account suspended"),
    "odd Leads": ({"status": 200, "body": {"QueryTotal": 1, "Leads": {"UID": 1}}}, "not a list"),
    "no total": ({"status": 200, "body": {"Leads": []}}, "no usable QueryTotal"),
}  # fmt: skip


@pytest.mark.parametrize("case", NOT_A_PAGE.values(), ids=NOT_A_PAGE.keys())
def test_an_answer_that_cannot_be_right_fails_and_the_next_run_reads_it_again(
    sandbox, catalog, clean_month, tmp_path, case
) -> None:
    fault, says = case
    pass_through(sandbox, FAILED_WINDOW - 1)
    sandbox.inject(**fault)
    config = tap_config(**MONTH)
    first = run_cli(tmp_path, config, catalog=catalog)
    line = error_line(first)
    assert "for leads (/)" in line
    assert f"lead type {LID}" in line
    assert says in line
    # Everything before the window that failed, once; nothing of it or after it.
    cut = midnight(31 - FAILED_WINDOW).isoformat()
    assert first.records() == [r for r in clean_month.records() if r["DateAdded"] < cut]
    # The state never passes what was read in full, so the next run reads the rest.
    assert first.states
    assert bookmark(first.states[-1]) < cut
    sandbox.clear_faults()
    second = sync(config, state=first.states[-1], catalog=catalog)
    assert keys(clean_month.records()) <= keys(first.records() + second.records())
    assert_key_kept(first)


def test_a_lead_without_a_usable_date_added_fails_the_run_naming_it(
    sandbox, catalog, tmp_path
) -> None:
    window = sandbox.leads(LID, midnight(3), midnight(2))
    lead = window[5]
    added = lead["DateAdded"].strftime(JSON_TIMESTAMP)
    sandbox.inject(replace=[(f'"DateAdded": "{added}"', '"DateAdded": "N/A"')], count=50)
    output = run_cli(tmp_path, tap_config(**RECENT), catalog=catalog)
    line = error_line(output)
    assert f"has a lead without a usable DateAdded (UID {lead['UID']})" in line
    assert output.records() == []  # the whole answer is refused
    assert_key_kept(output)


# Bookmarks never pass the moment the run started


def test_a_lead_dated_in_the_future_is_emitted_but_the_bookmark_stops_at_the_run_start(
    sandbox, catalog, tmp_path
) -> None:
    newest = sandbox.leads(LID)[-1]
    added = newest["DateAdded"].strftime(JSON_TIMESTAMP)
    future = "2999" + added[4:]
    sandbox.inject(replace=[(f'"DateAdded": "{added}"', f'"DateAdded": "{future}"')], count=1000)
    started = datetime.now(timezone.utc)
    first = run_cli(tmp_path, tap_config(**RECENT), catalog=catalog)
    assert first.exit_code == 0
    by_uid = {r["UID"]: r for r in first.records()}
    assert by_uid[newest["UID"]]["DateAdded"].startswith("2999-")
    capped = datetime.fromisoformat(bookmark(first.final_state))
    assert started - timedelta(seconds=5) <= capped <= datetime.now(timezone.utc)
    assert_key_kept(first)
    # A lead added the moment that run started is read by the next one, even without a
    # look-back (a bookmark in 2999 would have been read as the next run's own start).
    sandbox.clear_faults()
    late = sandbox.add_lead(LID, capped, visible_after=0)
    try:
        config = tap_config(**RECENT, lookback_days=0, end_date="today")
        second = sync(config, state=first.final_state, catalog=catalog)
        assert late in {r["UID"] for r in second.records()}
    finally:
        sandbox.delete_lead(LID, late)


# Refusals are failures


@pytest.mark.parametrize("refusal", [(401, "rejected the API key"), (403, "HTTP 403")])
@pytest.mark.parametrize("when", ["sync", "discovery"])
def test_a_refusal_fails_the_run_with_one_line(sandbox, catalog, tmp_path, refusal, when) -> None:
    status, says = refusal
    sandbox.inject(status, count=50, body={"Error": "Access denied"})
    if when == "sync":
        output = run_cli(tmp_path, tap_config(**RECENT), catalog=catalog)
    else:
        output = run_cli(tmp_path, tap_config(**RECENT), None, "--discover")
    assert says in error_line(output)
    assert len(sandbox.requests) == 1  # not retried
    assert output.records() == []
    assert output.states == []
    assert_key_kept(output)


# Pagination ends


def test_a_repeated_page_fails_with_one_line_and_no_duplicate(sandbox, catalog, tmp_path) -> None:
    sandbox.inject(replay=True, count=2)
    output = run_cli(tmp_path, tap_config(**RECENT, page_size=10), catalog=catalog)
    assert "in a circle (the same page came twice)" in error_line(output)
    records = output.records()
    assert len(records) == 10
    assert len(keys(records)) == 10
    assert len(sandbox.requests) == 2
    assert_key_kept(output)


def test_a_window_answered_with_the_window_before_fails_with_one_line_and_no_duplicate(
    sandbox, catalog, tmp_path
) -> None:
    sandbox.inject(replay=True, count=2)
    output = run_cli(tmp_path, tap_config(**RECENT, window_days=1), catalog=catalog)
    assert "the leads of one window came again for the next" in error_line(output)
    first_window = sandbox.leads(LID, midnight(3), midnight(2))
    assert [r["UID"] for r in output.records()] == [lead["UID"] for lead in first_window]
    assert_key_kept(output)


def test_a_trickled_answer_is_abandoned_at_request_timeout_and_retried(
    sandbox, catalog, tmp_path
) -> None:
    clean = sync(tap_config(**RECENT), catalog=catalog)
    sandbox.clear_log()
    sandbox.inject(trickle=0.5, count=1)
    output = run_cli(tmp_path, tap_config(**RECENT, request_timeout=1), catalog=catalog)
    assert output.exit_code == 0
    retries = [line for line in output.log.splitlines() if "Retrying leads" in line]
    assert len(retries) == 1
    assert "no complete answer within 1 s" in retries[0]
    first, again = sandbox.requests[:2]
    assert first.body == again.body
    assert output.records() == clean.records()
    assert_key_kept(output)


# Redaction


@pytest.mark.parametrize(
    "error",
    [(400, "json"), (400, "xml"), (500, "json"), (500, "xml")],
    ids=lambda e: f"{e[0]} {e[1]}",
)
@pytest.mark.parametrize("when", ["sync", "discovery"])
def test_an_error_answer_echoing_the_key_is_redacted_everywhere(
    sandbox, catalog, tmp_path, error, when
) -> None:
    status, answer = error
    echo = f"Invalid request key={API_KEY}&lid={LID} (key {API_KEY!r})"
    if answer == "json":
        sandbox.inject(status, count=50, body={"Error": echo})
    else:
        xml = f"<Error>{echo}</Error>".encode()
        sandbox.inject(status, count=50, raw=xml, content_type="text/xml")
    config = tap_config(**RECENT, max_retries=1)
    if when == "sync":
        output = run_cli(tmp_path, config, catalog=catalog)
    else:
        output = run_cli(tmp_path, config, None, "--discover")
    line = error_line(output)
    assert f"HTTP {status}" in line
    assert "Invalid request key=***&lid=" in line
    assert_key_kept(output)


# Missing primary keys


@pytest.mark.parametrize("answer", ["json", "xml"])
def test_a_lead_without_its_uid_fails_the_run_naming_the_stream(
    sandbox, catalog, tmp_path, answer
) -> None:
    window = sandbox.leads(LID, midnight(3), midnight(2))
    uid = window[5]["UID"]
    if answer == "json":
        sandbox.inject(replace=[(f'{{"UID": {json_uid(uid)}, ', "{")], count=50)
    else:
        sandbox.json_on_request = False
        sandbox.inject(replace=[(f"<UID>{uid}</UID>", "")], count=50)
    output = run_cli(tmp_path, tap_config(**RECENT), catalog=catalog)
    assert "LeadExec sent a leads record without UID" in error_line(output)
    assert [r["UID"] for r in output.records()] == [lead["UID"] for lead in window[:5]]
    assert_key_kept(output)


# Bad bytes


@pytest.mark.parametrize("answer", ["json", "xml"])
def test_bad_bytes_become_replacement_characters_with_one_warning_counting_the_leads(
    sandbox, catalog, tmp_path, answer
) -> None:
    clean = sync(tap_config(**RECENT), catalog=catalog)
    sandbox.json_on_request = answer == "json"
    sandbox.inject(replace=[(b"QuoteWizard", b"Quote\xffWizard")], count=1000)
    output = run_cli(tmp_path, tap_config(**RECENT), catalog=catalog)
    assert output.exit_code == 0
    touched = [r for r in output.records() if r["LeadSource"] == "Quote\ufffdWizard"]
    assert len(touched) == sum(r["LeadSource"] == "QuoteWizard" for r in clean.records()) > 0
    warnings = [line for line in output.log.splitlines() if "not UTF-8" in line]
    assert len(warnings) == 1
    assert f"leads: {len(touched)} records held bytes that are not UTF-8" in warnings[0]
    assert keys(output.records()) == keys(clean.records())
    assert_key_kept(output)


# Defaults run


def test_the_tap_syncs_with_only_its_required_settings(sandbox, tmp_path) -> None:
    config = {
        "api_key": API_KEY,
        "lead_type_ids": [LID],
        "start_date": "today-2",
        "api_url": sandbox.api_url,
    }
    output = run_cli(tmp_path, config)
    assert output.exit_code == 0
    assert output.records()
    assert output.final_state["bookmarks"]["leads"]["partitions"]
    assert_key_kept(output)
