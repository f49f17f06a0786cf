"""The CallRail simulator over real HTTP: the API facts the tap relies on, and the test hooks."""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from sandbox.callrail import CallRailSandbox

NOW = datetime(2025, 6, 15, 15, 30, tzinfo=timezone.utc)
AUTH = {"Authorization": 'Token token="sandbox-key"'}
UTC = {"time_zone": "Etc/UTC"}
OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$")
DOCUMENTED_CALL_FIELDS = (
    "agent_email", "call_type", "campaign", "company_id", "company_name", "company_time_zone",
    "device_type", "fbclid", "ga", "gclid", "msclkid", "good_lead_call_time", "keywords",
    "landing_page_url", "last_requested_url", "lead_status", "medium", "note", "person_id",
    "referrer_domain", "referring_url", "sentiment", "session_uuid", "source", "source_name",
    "timeline_url", "tracker_id", "transcription", "utm_campaign", "utm_content", "utm_medium",
    "utm_source", "utm_term", "lead_score", "lead_explanation", "call_summary",
    "formatted_call_type", "formatted_customer_location", "formatted_business_phone_number",
    "formatted_customer_name", "formatted_customer_name_or_phone_number",
    "formatted_customer_phone_number", "formatted_duration", "formatted_tracking_phone_number",
    "formatted_tracking_source", "formatted_value", "created_at", "good_lead_call_id",
    "prior_calls", "total_calls", "value", "first_call", "custom", "keypad_entries",
    "speaker_percent", "voice_assist_message", "milestones", "call_highlights", "keywords_spotted",
    "tags", "waveforms", "zip_code",
)  # fmt: skip


@pytest.fixture(scope="module")
def sandbox() -> Iterator[CallRailSandbox]:
    with CallRailSandbox(calls_per_account=3000, now=NOW, rate_limit_per_hour=100_000) as running:
        yield running


@pytest.fixture
def fresh() -> Iterator[CallRailSandbox]:
    """A sandbox of its own, for tests that change data or exhaust limits."""
    with CallRailSandbox(calls_per_account=300, now=NOW, rate_limit_per_hour=100_000) as running:
        yield running


def get(sandbox: CallRailSandbox, path: str, **params: Any) -> requests.Response:
    return requests.get(sandbox.api_url + path, headers=AUTH, params=params, timeout=10)


def ok(sandbox: CallRailSandbox, path: str, **params: Any) -> Any:
    response = get(sandbox, path, **params)
    assert response.status_code == 200, response.text
    return response.json()


def calls_path(sandbox: CallRailSandbox, index: int = 1) -> str:
    return f"/a/{sandbox.account_ids[index]}/calls.json"


def all_call_ids(sandbox: CallRailSandbox, path: str, **params: Any) -> list[str]:
    first = ok(sandbox, path, per_page=250, **params)
    ids = [call["id"] for call in first["calls"]]
    for page in range(2, first["total_pages"] + 1):
        ids += [
            call["id"] for call in ok(sandbox, path, per_page=250, page=page, **params)["calls"]
        ]
    return ids


def test_both_authorization_header_forms_are_accepted(sandbox: CallRailSandbox) -> None:
    for header in ('Token token="sandbox-key"', "Token token=sandbox-key"):
        response = requests.get(
            sandbox.api_url + "/a.json", headers={"Authorization": header}, timeout=10
        )
        assert response.status_code == 200
        assert len(response.json()["accounts"]) == 3
    assert "sandbox-key" in sandbox.api_keys


@pytest.mark.parametrize("header", [None, 'Token token="wrong"', "Bearer sandbox-key"])
def test_missing_or_wrong_key_is_401(sandbox: CallRailSandbox, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = requests.get(sandbox.api_url + "/a.json", headers=headers, timeout=10)
    assert (response.status_code, response.json()) == (401, {"error": "Unauthorized"})


def test_offset_pages_cover_every_record_once(sandbox: CallRailSandbox) -> None:
    params = {"start_date": "2025-05-01", "end_date": "2025-05-31", **UTC, "per_page": 7}
    first = ok(sandbox, calls_path(sandbox), **params)
    assert set(first) == {"page", "per_page", "total_pages", "total_records", "calls"}
    assert first["total_pages"] == math.ceil(first["total_records"] / 7) > 3
    ids = [call["id"] for call in first["calls"]]
    for page in range(2, first["total_pages"] + 1):
        ids += [c["id"] for c in ok(sandbox, calls_path(sandbox), page=page, **params)["calls"]]
    assert len(ids) == len(set(ids)) == first["total_records"]
    past_end = get(sandbox, calls_path(sandbox), page=first["total_pages"] + 1, **params)
    assert past_end.status_code == 200
    assert past_end.json()["calls"] == []
    assert "Link" not in past_end.headers


def test_per_page_above_250_is_400(sandbox: CallRailSandbox) -> None:
    response = get(sandbox, f"/a/{sandbox.account_ids[1]}/tags.json", per_page=251)
    assert response.status_code == 400
    assert response.json() == {"error": "per_page must be less than or equal to 250"}


def test_relative_pagination_follows_next_page_to_the_end(sandbox: CallRailSandbox) -> None:
    params = {"start_date": "2025-04-01", "end_date": "2025-05-31", **UTC, "fields": "source,tags"}
    url: str | None = sandbox.api_url + calls_path(sandbox)
    query: dict[str, Any] | None = {**params, "relative_pagination": "true", "per_page": 50}
    ids, pages = [], 0
    while url:
        body = requests.get(url, headers=AUTH, params=query, timeout=10).json()
        assert set(body) == {"next_page", "has_next_page", "calls"}
        assert all("source" in call and "tags" in call for call in body["calls"])
        ids += [call["id"] for call in body["calls"]]
        url, query, pages = body["next_page"], None, pages + 1
        assert (url is not None) == body["has_next_page"]
        if url:
            assert url.startswith(sandbox.api_url + calls_path(sandbox) + "?")
            kept = parse_qs(urlsplit(url).query)
            assert kept["offset"] == [str(pages)]
            assert {k: v[0] for k, v in kept.items() if k in params} == params
    assert pages > 3
    assert ids == all_call_ids(sandbox, calls_path(sandbox), **params)


def test_no_dates_means_only_the_last_7_days(sandbox: CallRailSandbox) -> None:
    path = calls_path(sandbox, 0)  # the key owner's zone is New York
    undated = ok(sandbox, path, per_page=250)
    first_day = NOW.astimezone(sandbox._accounts[0].zone).date() - timedelta(days=6)
    starts = [datetime.fromisoformat(c["start_time"]) for c in undated["calls"]]
    assert starts
    assert all(start.date() >= first_day and start <= NOW for start in starts)
    assert ok(sandbox, path, date_range="recent")["total_records"] == undated["total_records"]
    month = ok(sandbox, path, start_date="2025-05-15", end_date="2025-06-15")
    assert month["total_records"] > undated["total_records"]


def test_dates_are_read_in_the_time_zone_sent(fresh: CallRailSandbox) -> None:
    account = fresh.account_ids[0]  # America/New_York, UTC-4 in June
    late = fresh.add_call(account, datetime(2025, 6, 10, 2, 0, tzinfo=timezone.utc))
    day = {"start_date": "2025-06-10", "end_date": "2025-06-10"}
    in_utc = all_call_ids(fresh, f"/a/{account}/calls.json", **day, **UTC)
    in_new_york = all_call_ids(fresh, f"/a/{account}/calls.json", **day)
    assert late in in_utc
    assert late not in in_new_york
    assert set(in_utc) != set(in_new_york)
    day_before = ok(
        fresh, f"/a/{account}/calls.json", start_date="2025-06-09", end_date="2025-06-09"
    )
    found = next(call for call in day_before["calls"] if call["id"] == late)
    assert found["start_time"] == "2025-06-09T22:00:00.000-04:00"
    as_utc = ok(fresh, f"/a/{account}/calls.json", **day, **UTC)["calls"]
    assert all(
        OFFSET_TIME.match(c["start_time"]) and c["start_time"].endswith("+00:00") for c in as_utc
    )


def test_ranges_past_the_25_month_retention_are_400(sandbox: CallRailSandbox) -> None:
    retention = {
        "error": "The requested date range is outside of the data retention period of 25 months. "
        "Please revise the date range."
    }
    for params in (
        {"start_date": "2023-05-15", "end_date": "2023-06-01"},
        {"date_range": "all_time"},
    ):
        response = get(sandbox, calls_path(sandbox), **params, **UTC)
        assert (response.status_code, response.json()) == (400, retention)
    assert get(sandbox, calls_path(sandbox), start_date="2023-05-16", **UTC).status_code == 200
    forms = get(
        sandbox, f"/a/{sandbox.account_ids[1]}/form_submissions.json", date_range="all_time"
    )
    assert forms.status_code == 400


@pytest.mark.parametrize(
    "value",
    [
        "2025-06-01T14:00",
        "2025-06-01T14:00:00",
        "2025-06-01T14:00:00Z",
        "2025-06-01T14:00:00-05:00",
    ],
)
def test_iso_dates_are_accepted(sandbox: CallRailSandbox, value: str) -> None:
    assert (
        get(sandbox, calls_path(sandbox), start_date=value, end_date="2025-06-02").status_code
        == 200
    )


@pytest.mark.parametrize(
    "params", [{"start_date": "yesterday"}, {"start_date": "2025-06-02", "end_date": "2025-06-01"}]
)
def test_bad_dates_are_400(sandbox: CallRailSandbox, params: dict[str, str]) -> None:
    assert get(sandbox, calls_path(sandbox), **params).status_code == 400


def test_timeseries_over_200_points_is_400(sandbox: CallRailSandbox) -> None:
    path = f"/a/{sandbox.account_ids[1]}/calls/timeseries.json"
    start = date(2024, 11, 1)
    end = (start + timedelta(days=199)).isoformat()
    body = ok(sandbox, path, start_date=start.isoformat(), end_date=end, **UTC)
    assert len(body["data"]) == 200
    assert body["data"][0]["date"] == "2024-11-01"
    too_many = {
        "error": "Too many data points requested, please shorten the date range or use a larger "
        "interval"
    }
    over = get(
        sandbox,
        path,
        start_date=start.isoformat(),
        end_date=(start + timedelta(days=200)).isoformat(),
    )
    assert (over.status_code, over.json()) == (400, too_many)
    hourly = get(sandbox, path, start_date="2025-06-01", end_date="2025-06-09", interval="hour")
    assert hourly.status_code == 400
    weekly = ok(
        sandbox, path, start_date="2025-05-01", end_date="2025-05-31", interval="week", **UTC
    )
    assert [point["date"] for point in weekly["data"]][:2] == ["2025-04-28", "2025-05-05"]
    hours = ok(sandbox, path, start_date="2025-06-01", end_date="2025-06-01", interval="hour")
    assert hours["data"][6]["date"] == "2025-06-01T06:00:00-0700"  # the owner's zone: Los Angeles


def test_summary_agrees_with_calls(sandbox: CallRailSandbox) -> None:
    account = sandbox.account_ids[1]
    window = {"start_date": "2024-06-01", "end_date": "2025-05-31", **UTC}
    count = ok(sandbox, f"/a/{account}/calls.json", per_page=1, **window)["total_records"]
    fields = "answered_calls,missed_calls,leads,average_duration,formatted_average_duration"
    summary = ok(
        sandbox, f"/a/{account}/calls/summary.json", group_by="source", fields=fields, **window
    )
    totals = summary["total_results"]
    assert totals["total_calls"] == count > 0
    assert totals["answered_calls"] + totals["missed_calls"] == count
    assert re.fullmatch(r"\d+m \d+s", totals["formatted_average_duration"])
    assert summary["start_date"] == "2024-06-01T00:00:00-0000"
    assert summary["end_date"] == "2025-05-31T23:59:59-0000"
    assert summary["grouped_by"] == "source"
    groups = summary["grouped_results"]
    assert sum(group["total_calls"] for group in groups) == count
    assert None in {group["key"] for group in groups}
    plain = ok(sandbox, f"/a/{account}/calls/summary.json", **window)
    assert "grouped_by" not in plain
    assert "grouped_results" not in plain
    assert plain["total_results"] == {"total_calls": count}
    series = ok(sandbox, f"/a/{account}/calls/timeseries.json", interval="month", **window)
    assert sum(point["total_calls"] for point in series["data"]) == count
    unknown = get(sandbox, f"/a/{account}/calls/summary.json", group_by="weather", **window)
    assert unknown.status_code == 400


def test_injected_faults_from_python(sandbox: CallRailSandbox) -> None:
    path = f"/a/{sandbox.account_ids[1]}/tags.json"
    sandbox.inject(429, retry_after=30, path_contains="tags.json")
    limited = get(sandbox, path)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "30"
    assert limited.json() == {"error": "Rate limit exceeded"}
    assert get(sandbox, path).status_code == 200
    sandbox.inject(503)
    unavailable = get(sandbox, path)
    assert (unavailable.status_code, unavailable.json()) == (
        503,
        {"error": "Internal Server Error"},
    )
    sandbox.inject(drop=True)
    with pytest.raises(requests.ConnectionError):
        get(sandbox, path)
    sandbox.inject(delay=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(sandbox.api_url + path, headers=AUTH, timeout=0.2)
    assert get(sandbox, path).status_code == 200


def test_faults_and_log_over_http(sandbox: CallRailSandbox) -> None:
    control = sandbox.url + "/_sandbox"
    requests.delete(control + "/requests", timeout=10).raise_for_status()
    fault = {"status": 500, "count": 2, "path_contains": "users.json"}
    requests.post(control + "/faults", json=fault, timeout=10).raise_for_status()
    users, tags = (
        f"/a/{sandbox.account_ids[2]}/users.json",
        f"/a/{sandbox.account_ids[2]}/tags.json",
    )
    assert get(sandbox, tags).status_code == 200
    assert [get(sandbox, users).status_code for _ in range(3)] == [500, 500, 200]
    requests.post(control + "/faults", json={"drop": True}, timeout=10).raise_for_status()
    requests.delete(control + "/faults", timeout=10).raise_for_status()
    assert get(sandbox, users).status_code == 200
    log = requests.get(control + "/requests", timeout=10).json()
    assert [(entry["path"], entry["status"]) for entry in log] == [
        ("/v3" + tags, 200),
        *[("/v3" + users, status) for status in (500, 500, 200, 200)],
    ]
    assert log[0]["headers"]["Authorization"] == AUTH["Authorization"]
    assert sandbox.requests[-1].status == 200
    assert requests.post(control + "/faults", json={"colour": "red"}, timeout=10).status_code == 400


def test_caller_ids_are_forbidden_on_the_standard_plan(sandbox: CallRailSandbox) -> None:
    gated = get(sandbox, f"/a/{sandbox.gated_account_id}/caller_ids.json", company_id="COM1")
    assert gated.status_code == 403
    assert gated.json() == {"error": "You do not have permission to perform the requested action"}
    account = sandbox.account_ids[1]
    assert get(sandbox, f"/a/{account}/caller_ids.json").status_code == 400
    company = ok(sandbox, f"/a/{account}/companies.json")["companies"][0]["id"]
    caller_ids = ok(sandbox, f"/a/{account}/caller_ids.json", company_id=company)["caller_ids"]
    assert caller_ids
    assert all(isinstance(c["id"], int) and c["company_id"] == company for c in caller_ids)


def test_company_summary_emails_repeat_the_account_level_ones(sandbox: CallRailSandbox) -> None:
    account = sandbox.account_ids[1]
    base = ok(sandbox, f"/a/{account}/summary_emails")["summary_emails"]
    assert base
    assert {email["scope"]["type"] for email in base} == {"Account"}
    assert ok(sandbox, f"/a/{account}/summary_emails.json")["summary_emails"] == base
    companies = ok(sandbox, f"/a/{account}/companies.json")["companies"]
    per_company = [
        ok(sandbox, f"/a/{account}/summary_emails", company_id=c["id"])["summary_emails"]
        for c in companies
    ]
    base_ids = {email["id"] for email in base}
    assert all(base_ids <= {email["id"] for email in emails} for emails in per_company)
    assert any(email["scope"]["type"] == "Company" for emails in per_company for email in emails)


def test_changed_added_and_deleted_calls_are_visible(fresh: CallRailSandbox) -> None:
    account = fresh.account_ids[1]
    path = f"/a/{account}/calls.json"
    window = {"start_date": "2025-06-01", "end_date": "2025-06-15", **UTC}
    before = ok(fresh, path, fields="tags,lead_status,value", **window)
    changed = before["calls"][-1]["id"]
    fresh.update_call(changed, tags=["Booked"], lead_status="good_lead", value=500)
    after = ok(fresh, path, fields="tags,lead_status,value", **window)
    updated = next(call for call in after["calls"] if call["id"] == changed)
    assert (updated["tags"], updated["lead_status"], updated["value"]) == (
        ["Booked"],
        "good_lead",
        500,
    )
    summary = ok(fresh, f"/a/{account}/calls/summary.json", lead_status="good_lead", **window)
    assert summary["total_results"]["total_calls"] >= 1
    late = fresh.add_call(
        account, datetime(2025, 6, 14, 12, tzinfo=timezone.utc), customer_name="Late"
    )
    newest = ok(fresh, path, **window)
    assert newest["total_records"] == before["total_records"] + 1
    added = next(call for call in newest["calls"] if call["id"] == late)
    assert (added["customer_name"], added["start_time"]) == (
        "Late",
        "2025-06-14T12:00:00.000+00:00",
    )
    starts = [call["start_time"] for call in newest["calls"]]
    assert starts == sorted(starts, reverse=True)
    fresh.delete_call(changed)
    assert changed not in all_call_ids(fresh, path, **window)
    with pytest.raises(KeyError):
        fresh.update_call(changed, note="gone")


def test_rate_limit_is_per_account_and_per_key(fresh: CallRailSandbox) -> None:
    fresh.rate_limiter.limit = 3
    first, second = (f"/a/{account}/tags.json" for account in fresh.account_ids[:2])
    assert [get(fresh, first).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert get(fresh, first).json() == {"error": "Rate limit exceeded"}
    assert "Retry-After" not in get(fresh, first).headers
    assert get(fresh, second).status_code == 200
    assert get(fresh, "/a.json").status_code == 200
    fresh.rate_limiter.window = 0.0
    assert get(fresh, first).status_code == 200


def test_ids_fields_and_types(sandbox: CallRailSandbox) -> None:
    accounts = ok(sandbox, "/a.json", fields="numeric_id")["accounts"]
    assert [a["id"] for a in accounts] == sandbox.account_ids
    assert all(re.fullmatch(r"ACC[0-9a-f]{32}", a["id"]) and a["numeric_id"] for a in accounts)
    assert "numeric_id" not in ok(sandbox, "/a.json")["accounts"][0]
    by_number = ok(sandbox, f"/a/{accounts[1]['numeric_id']}/companies.json")["companies"]
    assert by_number == ok(sandbox, f"/a/{accounts[1]['id']}/companies.json")["companies"]
    window = {"start_date": "2025-01-01", "end_date": "2025-03-31", **UTC}
    calls = ok(
        sandbox,
        calls_path(sandbox),
        per_page=250,
        fields=",".join(DOCUMENTED_CALL_FIELDS),
        **window,
    )["calls"]
    defaults = set(ok(sandbox, calls_path(sandbox), **window)["calls"][0])
    assert defaults == {
        "id", "answered", "business_phone_number", "customer_city", "customer_country",
        "customer_name", "customer_phone_number", "customer_state", "direction", "duration",
        "recording", "recording_duration", "recording_player", "start_time",
        "tracking_phone_number", "voicemail", "integration_data",
    }  # fmt: skip
    assert all(set(call) == defaults | set(DOCUMENTED_CALL_FIELDS) for call in calls)
    assert all(re.fullmatch(r"\+\d{10,13}", call["customer_phone_number"]) for call in calls)
    assert {type(call["recording_duration"]) for call in calls} == {str, type(None)}
    assert {type(tag) for call in calls for tag in call["tags"]} == {str, dict}
    assert {call["transcription"] for call in calls} == {None}
    invalid = get(sandbox, calls_path(sandbox), fields="colour", **window)
    assert (invalid.status_code, invalid.json()) == (400, {"error": "Invalid field: colour"})
    forms = ok(sandbox, f"/a/{accounts[1]['id']}/form_submissions.json", per_page=250, **window)
    assert "anonymous" in {form["person_id"] for form in forms["form_submissions"]}
    assert all(form["submitted_at"].endswith("Z") for form in forms["form_submissions"])


def test_sorting(sandbox: CallRailSandbox) -> None:
    window = {"start_date": "2025-05-01", "end_date": "2025-05-31", **UTC}
    ascending = ok(sandbox, calls_path(sandbox), sort="start_time", order="asc", **window)["calls"]
    starts = [call["start_time"] for call in ascending]
    assert starts == sorted(starts)
    assert get(sandbox, calls_path(sandbox), order="asc", **window).status_code == 400
    forms_path = f"/a/{sandbox.account_ids[1]}/form_submissions.json"
    forms = ok(sandbox, forms_path, sort="submitted_at", order="asc", **window)["form_submissions"]
    submitted = [form["submitted_at"] for form in forms]
    assert submitted == sorted(submitted)
    conversations = ok(sandbox, f"/a/{sandbox.account_ids[1]}/text-messages.json", **window)
    last = [c["last_message_at"] for c in conversations["conversations"]]
    assert last == sorted(last, reverse=True)
    assert all(len(c["recent_messages"]) <= 2 for c in conversations["conversations"])


def test_unknown_paths_methods_and_bodies(sandbox: CallRailSandbox) -> None:
    assert get(sandbox, "/a/ACCnope/calls.json").status_code == 404
    assert get(sandbox, "/nothing.json").json() == {"error": "Not Found"}
    url = sandbox.api_url + calls_path(sandbox)
    assert requests.post(url, headers=AUTH, timeout=10).status_code == 405
    with_body = requests.get(url, headers=AUTH, data={"start_date": "2025-06-01"}, timeout=10)
    assert with_body.status_code == 406


def test_same_seed_and_now_give_the_same_data(sandbox: CallRailSandbox) -> None:
    with CallRailSandbox(calls_per_account=3000, now=NOW) as twin:
        params = {"start_date": "2025-06-01", "fields": "source,tags,milestones", **UTC}
        assert ok(twin, calls_path(twin), **params) == ok(sandbox, calls_path(sandbox), **params)


def test_a_slow_answer_to_a_request_made_before_clear_log_is_not_logged_after_it() -> None:
    with CallRailSandbox(api_keys=("k",), calls_per_account=10) as slow:
        slow.inject(delay=1.0, count=1, path_contains="/a.json")
        with contextlib.suppress(requests.exceptions.Timeout):
            requests.get(
                slow.api_url + "/a.json", headers={"Authorization": 'Token token="k"'}, timeout=0.2
            )
        slow.clear_log()
        time.sleep(1.2)
        assert slow.requests == []


def test_zones_company_groupings_and_undocumented_fields(sandbox: CallRailSandbox) -> None:
    accounts = ok(sandbox, "/a.json")["accounts"]
    assert len({a["time_zone"] for a in accounts}) > 1  # accounts in several zones
    account = accounts[1]["id"]
    companies = ok(sandbox, f"/a/{account}/companies.json")["companies"]
    assert len({c["time_zone"] for c in companies}) > 1  # companies of one account differ
    company = companies[0]
    window = {"start_date": "2025-06-01", "end_date": "2025-06-30"}
    path = f"/a/{account}/calls/summary.json"
    refused = get(sandbox, path, group_by="company_id", company_id=company["id"], **window)
    assert refused.status_code == 400
    by_company = ok(sandbox, path, group_by="company_id", fields="leads", **UTC, **window)
    assert {g["key"] for g in by_company["grouped_results"]} <= {c["id"] for c in companies}
    assert "voicemail_calls" in by_company["total_results"]  # sent, though undocumented
    # A company's day in its own zone differs from the UTC day.
    local = ok(sandbox, path, company_id=company["id"], time_zone=company["time_zone"], **window)
    utc = ok(sandbox, path, company_id=company["id"], **UTC, **window)
    assert local["time_zone"] == company["time_zone"]
    assert local["start_date"] != utc["start_date"]
