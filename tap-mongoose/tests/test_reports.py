"""Both reports as the contract describes them: formats, auth placement, types, pages."""

import math
import re
from pathlib import Path

import pytest
from mongoose_harness import api_records, sync, tap_config
from tap_mongoose import client, contract, streams


@pytest.fixture(scope="module")
def json_run():
    return sync(tap_config(start_date="today-6"))


def test_json_and_xml_basic_and_params_land_the_same_records(sandbox, json_run) -> None:
    for fmt, auth_method in (("xml", "basic"), ("xml", "params"), ("json", "params")):
        config = tap_config(start_date="today-6", response_format=fmt, auth_method=auth_method)
        assert sync(config).by_stream() == json_run.by_stream(), (fmt, auth_method)


def test_xml_is_asked_for_and_the_key_placed_as_configured(sandbox) -> None:
    sync(tap_config(start_date="today", response_format="xml", auth_method="params"))
    assert sandbox.requests
    for request in sandbox.requests:
        assert request.query["format"] == ["xml"]
        assert request.headers["Accept"] == "application/xml"
        assert "Authorization" not in request.headers
        assert set(request.query) >= {"username", "api_key"}
    sandbox.clear_log()
    sync(tap_config(start_date="today"))
    for request in sandbox.requests:
        assert request.headers["Authorization"].startswith("Basic ")
        assert "api_key" not in request.query


def test_values_have_their_schema_types(json_run) -> None:
    calls = json_run.records("fulfilled")
    assert calls
    for call in calls:
        assert isinstance(call["cdr_entry_date"], int)
        assert isinstance(call["call_duration"], int)
        assert isinstance(call["duration_in_mins"], float)
        assert call["recording_available"] is (call["recording_completed"] == "Y")
        assert len(call["cdr_rated_code"]) == 40
    assert any(call["session_uniqueid"] for call in calls)
    assert any(call["custom1"] is None for call in calls)
    for row in json_run.records("customers"):
        assert isinstance(row["total_calls"], int)
        assert isinstance(row["total_charges"], float)


REPORTS = {"fulfilled": contract.FULFILLED, "customers": contract.CUSTOMERS}


@pytest.mark.parametrize("stream", REPORTS)
def test_every_field_mongoose_sends_is_emitted_as_sent(json_run, stream) -> None:
    report = REPORTS[stream]
    path = {"fulfilled": contract.FULFILLED_PATH, "customers": contract.CUSTOMER_REPORT_PATH}
    emitted = {tuple(r[k] for k in report.primary_keys): r for r in json_run.records(stream)}
    days = sorted(r[report.date_field][:10] for r in emitted.values())
    answers = api_records(path[stream].lstrip("/"), days[0], days[-1])
    assert len(answers) == len(emitted)
    for answer in answers:
        record = emitted[tuple(answer[k] for k in report.primary_keys)]
        assert {name: record[name] for name in answer} == answer
    # Fields the contract does not name come through too.
    unlisted = {"fulfilled": {"caller_city", "tracking_source"}, "customers": {"billing_plan"}}
    assert set(answers[0]) - set(report.schema["properties"]) == unlisted[stream]


def test_every_record_of_the_range_is_read_once(json_run) -> None:
    first, last = min(c["call_date"] for c in json_run.records("fulfilled"))[:10], None
    last = max(c["call_date"] for c in json_run.records("fulfilled"))[:10]
    truth = {r["cdr_rated_code"] for r in api_records("get_fulfilled", first, last)}
    keys = [c["cdr_rated_code"] for c in json_run.records("fulfilled")]
    assert len(keys) == len(set(keys))
    assert set(keys) == truth


def test_pages_stop_on_total_pages_and_never_ask_for_an_empty_one(sandbox) -> None:
    output = sync(tap_config(start_date="today-3", page_size=7))
    for report, stream in (("get_fulfilled", "fulfilled"), ("customer_report", "customers")):
        requests = [r for r in sandbox.requests if r.path.endswith(report)]
        assert {r.query["per_page"][0] for r in requests} == {"7"}
        by_window: dict[tuple[str, str], list[int]] = {}
        for request in requests:
            window = (request.query["start_date"][0], request.query["end_date"][0])
            by_window.setdefault(window, []).append(int(request.query["page"][0]))
        day_field = "call_date" if stream == "fulfilled" else "report_date"
        for (first, last), pages in by_window.items():
            days = [r[day_field][:10] for r in output.records(stream)]
            count = sum(1 for day in days if first <= day <= last)
            assert pages == list(range(1, max(1, math.ceil(count / 7)) + 1)), (report, first)


def test_customer_report_totals_agree_with_the_fulfilled_calls(json_run) -> None:
    calls = json_run.records("fulfilled")
    for row in json_run.records("customers"):
        day_calls = [
            c
            for c in calls
            if c["account_code"] == row["account_code"]
            and c["call_date"][:10] == row["report_date"]
        ]
        assert row["total_calls"] == len(day_calls)
        assert row["answered_calls"] == sum(c["status"] == "ANSWERED" for c in day_calls)


CONTRACT_WORDS = (
    "get_fulfilled", "customer_report", "start_date", "end_date", "per_page", "total_pages",
    "records", "timezone", "cdr_rated_code", "call_date", "cdr_entry_date", "report_date",
    "AUTH_FAILED", "RATE_LIMITED", "application/json", "%Y-%m-%d", "page",
)  # fmt: skip


@pytest.mark.parametrize("module", [client, streams])
def test_stream_code_names_no_contract_detail(module) -> None:
    source = Path(module.__file__).read_text()
    literals = re.findall(r"\"([^\"\n]*)\"|'([^'\n]*)'", source)
    quoted = {text for pair in literals for text in pair if text}
    assert not quoted & set(CONTRACT_WORDS)
    assert contract.FULFILLED.primary_keys == ("cdr_rated_code",)
    assert contract.CUSTOMERS.primary_keys == ("account_code", "report_date")
