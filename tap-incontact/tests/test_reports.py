"""Report jobs: start, poll past 409 and Running, download, decode; every column kept."""

import base64
import csv
import io

import requests
from incontact_harness import SANDBOX, error_line, run_cli, sync, tap_config
from tap_incontact.streams import csv_rows


def test_custom_report_job_is_polled_until_its_file_is_ready(sandbox) -> None:
    output = sync(tap_config(custom_report_ids=sandbox.report_ids[:1]), select={"custom_reports"})
    rows = output.records("custom_reports")
    polls = [r for r in sandbox.requests if "/report-jobs/" in r.path and r.method == "GET"]
    assert [r.status for r in polls][:1] == [409]
    assert len(polls) >= 3
    assert rows
    assert [r["row_number"] for r in rows] == list(range(1, len(rows) + 1))
    assert {r["report_id"] for r in rows} == {sandbox.report_ids[0]}


def test_each_report_keeps_every_column_it_returns(sandbox) -> None:
    output = sync(tap_config(custom_report_ids=sandbox.report_ids[:2]), select={"custom_reports"})
    columns = {r["report_id"]: set(r["data"]) for r in output.records("custom_reports")}
    assert len(columns) == 2
    first, second = columns.values()
    assert first != second


def test_csv_rows_keep_repeated_unnamed_and_extra_columns() -> None:
    text = 'Agent,Agent,,Avg. Handle Time (s)\r\nAnn,Bo,x,"1,5"\r\n"multi\nline",B,y,2,extra\r\n'
    rows = list(csv_rows(text))
    assert rows[0] == {
        "Agent": "Ann",
        "Agent_2": "Bo",
        "column_3": "x",
        "Avg. Handle Time (s)": "1,5",
    }
    assert rows[1]["Agent"] == "multi\nline"
    assert rows[1]["column_5"] == "extra"


def test_report_rows_match_the_file_the_api_serves(sandbox) -> None:
    report_id = sandbox.report_ids[0]
    rows = sync(tap_config(custom_report_ids=[report_id]), select={"custom_reports"}).records(
        "custom_reports"
    )
    token = requests.post(
        SANDBOX.auth_url,
        headers={
            "Authorization": "basic " + base64.b64encode(b"DemoApp@DemoVendor:4593101").decode()
        },
        json={
            "grant_type": "password",
            "username": "api.user@example.com",
            "password": tap_config()["password"],
        },
        timeout=10,
    ).json()["access_token"]
    assert token
    header = next(csv.reader(io.StringIO(sandbox.report_csv(report_id))))
    assert list(rows[0]["data"]) == header


def test_prebuilt_reports_without_an_id_are_left_out(sandbox) -> None:
    reports = sync(tap_config(), select={"reports"}).records("reports")
    assert reports
    assert all(r["reportId"] is not None for r in reports)
    assert set(sandbox.report_ids) <= {r["reportId"] for r in reports}


def test_reports_are_chosen_by_name_or_id(sandbox) -> None:
    config = tap_config(
        custom_report_ids=["Skill Handle Times", sandbox.report_ids[0]],
        data_download_report_ids=["Completed Contacts Extract"],
        start_date="today-1",
    )
    output = sync(config, select={"custom_reports", "data_download_reports"})
    assert {r["report_id"] for r in output.records("custom_reports")} == {4112, 4087}
    assert {r["report_id"] for r in output.records("data_download_reports")} == {5201}
    listings = [r for r in sandbox.requests if r.path.endswith("/reports")]
    assert len(listings) == 2  # once per setting that names a report


def test_reports_chosen_by_id_need_no_listing(sandbox) -> None:
    sync(tap_config(custom_report_ids=sandbox.report_ids[:1]), select={"custom_reports"})
    assert not [r for r in sandbox.requests if r.path.endswith("/reports")]


def test_an_unknown_report_name_fails_with_one_line_listing_the_names(sandbox, tmp_path) -> None:
    config = tap_config(custom_report_ids=["Agent Daily Logins", "Weekly Wallboard"])
    line = error_line(run_cli(tmp_path, config, select={"custom_reports"}))
    assert "setting 'custom_report_ids' names no report of this account: 'Weekly Wallboard'" in line
    assert "Agent Daily Logins, Contact Detail Export, Skill Handle Times" in line
    assert "Completed Contacts Extract" not in line  # a Data Download report, not a custom one
    assert not [r for r in sandbox.requests if "/report-jobs/" in r.path]
