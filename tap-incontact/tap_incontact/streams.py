"""inContact streams: one per report users know."""

from __future__ import annotations

import base64
import binascii
import csv
import io
import time
import typing as t
from datetime import datetime, timedelta, timezone
from functools import cached_property

import requests
from singer_sdk.exceptions import FatalAPIError

from tap_incontact import schemas
from tap_incontact.client import (
    InContactStream,
    IncrementalStream,
    PerformanceStream,
    WindowStream,
    iso_z,
)
from tap_incontact.common.answers import AnswerProblem, json_object, repaired_text
from tap_incontact.common.dates import SettingError, midnight, parse_timestamp
from tap_incontact.common.failures import RunFailed, describe_failure

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

#: **Assumed** (incontact.md): contacts/completed refuses an updatedSince older than 30 days;
#: a day of margin keeps clock differences out of the way.
UPDATED_SINCE_MAX_AGE = timedelta(days=29)
#: **Assumed** (incontact.md): a startDate..endDate window of contacts/completed spans 30 days
#: at most. No cap on the rows a window pages through is documented, so windows are this wide.
CONTACT_WINDOW_MAX = timedelta(days=30)
DATA_DOWNLOAD_HISTORY = timedelta(days=2 * 365)  # data download serves the last two years
DATA_DOWNLOAD_SPAN_MAX = timedelta(days=30)
SUMMARY_SPAN_MAX = timedelta(days=30)  # skills/summary: "Invalid date range. Max 30 days."
#: The report types that run as Custom Report jobs (Prebuilt reports cannot run by API).
CUSTOM_REPORT_KINDS = ("Public", "Private")


class AgentsStream(InContactStream):
    name = "agents"
    path = "agents"
    records_key = "agents"
    primary_keys = ("agentId",)
    paginated = True
    schema = schemas.AGENTS


class TeamsStream(InContactStream):
    name = "teams"
    path = "teams"
    records_key = "teams"
    primary_keys = ("teamId",)
    paginated = True
    schema = schemas.TEAMS


class SkillsStream(InContactStream):
    name = "skills"
    path = "skills"
    records_key = "skills"
    primary_keys = ("skillId",)
    paginated = True
    schema = schemas.SKILLS


class CampaignsStream(InContactStream):
    name = "campaigns"
    path = "campaigns"
    records_key = "campaigns"
    primary_keys = ("campaignId",)
    paginated = True
    schema = schemas.CAMPAIGNS

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        # v33.0 renamed campaignId/campaignName to id/name.
        row.setdefault("campaignId", row.pop("id", None))
        row.setdefault("campaignName", row.pop("name", None))
        return super().post_process(row, context)


class ContactsStream(IncrementalStream):
    """Completed contacts, by last update: contacts change for a while after they end.

    Up to 30 days back, one `updatedSince` query; older history is read first in windows of
    contact start as wide as the API allows (the API refuses an older updatedSince). Contacts
    updated at or after the end of the range are not emitted, so the bookmark stays inside it.
    """

    name = "contacts"
    path = "contacts/completed"
    records_key = "completedContacts"
    primary_keys = ("contactId",)
    replication_key = "lastUpdateTime"
    paginated = True
    duration_fields = schemas.CONTACT_DURATIONS
    schema = schemas.CONTACTS

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        lookback = timedelta(minutes=self.config["lookback_minutes"])
        start = self.resume_from(self.bookmark(context), lookback)
        if start is None:
            return
        end = self.tap.sync_range.end
        # Without end_date, a contact dated after now (a clock far ahead) is still emitted.
        bound = end if self.config.get("end_date") else None
        recent = min(max(start, datetime.now(timezone.utc) - UPDATED_SINCE_MAX_AGE), end)
        window_start = start
        while window_start < recent:  # older history, by contact start
            window_end = min(window_start + CONTACT_WINDOW_MAX, recent)
            window = {"startDate": iso_z(window_start), "endDate": iso_z(window_end)}
            yield from self.updated_before(bound, self.listing(window, context))
            window_start = window_end
        if recent >= end:
            return
        updated = {"updatedSince": iso_z(recent), "orderBy": "lastUpdateTime asc"}
        for contact in self.updated_before(bound, self.listing(updated, context)):
            # Contacts that started inside the windows above were just written, as they are now.
            if start == recent or not start <= self.started_at(contact) < recent:
                yield contact

    def listing(self, query: dict[str, str], context: Context | None) -> t.Iterator[dict]:
        """Every contact one filtered listing pages through, each once (see each_once)."""
        yield from self.each_once(self.filtered(query, context))

    @staticmethod
    def updated_before(bound: datetime | None, contacts: t.Iterable[dict]) -> t.Iterator[dict]:
        """`contacts` without those updated at or after `bound` (all of them without one).

        A contact whose lastUpdateTime is missing or no date-time passes: post_process then
        stops the run, naming the field.
        """
        for contact in contacts:
            try:
                late = bound is not None and parse_timestamp(contact["lastUpdateTime"]) >= bound
            except (KeyError, TypeError, ValueError, OverflowError):
                late = False
            if not late:
                yield contact

    @staticmethod
    def started_at(contact: dict) -> datetime:
        """When a contact started; the end of time when it does not say (post_process then
        refuses a start that is not a date-time, naming the field)."""
        try:
            return parse_timestamp(contact.get("contactStartDate") or contact["contactStart"])
        except (KeyError, ValueError, OverflowError):
            return datetime.max.replace(tzinfo=timezone.utc)


class AgentPerformanceStream(PerformanceStream):
    name = "agent_performance"
    path = "agents/performance"
    records_key = "agentPerformance"
    primary_keys = ("agentId", "interval", "interval_start")
    replication_key = "interval_start"
    duration_fields = schemas.AGENT_DURATIONS
    schema = schemas.AGENT_PERFORMANCE


class TeamPerformanceStream(PerformanceStream):
    name = "team_performance"
    path = "teams/performance-total"
    records_key = "teamPerformanceTotal"
    primary_keys = ("teamId", "interval", "interval_start")
    replication_key = "interval_start"
    duration_fields = schemas.TEAM_DURATIONS
    schema = schemas.TEAM_PERFORMANCE


class SkillSummariesStream(PerformanceStream):
    """Skill totals per window; one request never spans more than the API's 30 days."""

    name = "skill_summaries"
    path = "skills/summary"
    records_key = "skillSummaries"
    primary_keys = ("skillId", "interval", "interval_start")
    replication_key = "interval_start"
    duration_fields = schemas.SKILL_DURATIONS
    schema = schemas.SKILL_SUMMARIES
    max_span = SUMMARY_SPAN_MAX


class ReportsStream(InContactStream):
    """The reports users pick ids from. Prebuilt reports have no id and cannot run by API."""

    name = "reports"
    path = "reports"
    records_key = "reports"
    primary_keys = ("reportId",)
    schema = schemas.REPORTS

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        if row.get("reportId") is None:
            self.logger.debug("Leaving out report %r: it has no id", row.get("reportName"))
            return None
        return super().post_process(row, context)


def chosen_reports(stream: InContactStream, setting: str, kinds: tuple[str, ...]) -> list[int]:
    """The report ids `setting` names, each by id or by name as `GET reports` lists it.

    The listing is read once, and only when a name is given. An unknown name stops the run
    with one line listing the names of the account's reports of these kinds.
    """
    wanted = stream.config.get(setting) or []
    if all(isinstance(v, int) or str(v).strip().isdigit() for v in wanted):
        return [int(v) for v in wanted]
    try:
        listing = stream.json_of(stream.call("GET", f"{stream.url_base}reports", None))
    except requests.RequestException as error:  # unreachable after every retry
        raise RunFailed(stream.redact(describe_failure(error))) from None
    reports = listing.get("reports")
    reports = reports if isinstance(reports, list) else []
    by_name = {
        str(r.get("reportName")).strip(): r["reportId"]
        for r in reports
        if isinstance(r, dict) and r.get("reportType") in kinds and r.get("reportId") is not None
    }
    ids = []
    for value in wanted:
        text = str(value).strip()
        if text.isdigit():
            ids.append(int(text))
        elif text in by_name:
            ids.append(int(by_name[text]))
        else:
            names = ", ".join(sorted(by_name)) or "none"
            msg = f"setting '{setting}' names no report of this account: {text!r}"
            msg += f" (its reports: {names})"
            raise SettingError(msg)
    return ids


def file_text(encoded: t.Any, response: requests.Response) -> str:
    """The text of a Base64 CSV file an answer carries; bytes that are not UTF-8 become U+FFFD
    (and are counted, as in any answer)."""
    if not isinstance(encoded, str):
        raise AnswerProblem("has no Base64 'file'")
    try:
        raw = base64.b64decode("".join(encoded.split()), validate=True)
    except binascii.Error:
        raise AnswerProblem("has a 'file' that is not Base64") from None
    return repaired_text(raw, response).removeprefix("\ufeff")


def csv_rows(text: str) -> t.Iterator[dict[str, str]]:
    """The rows of a CSV file, every column kept: repeated or missing names get one."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    names: list[str] = []
    for position, raw_name in enumerate(header, 1):
        name = raw_name.strip() or f"column_{position}"
        names.append(name if name not in names else f"{name}_{position}")
    for values in reader:
        extra = [f"column_{n}" for n in range(len(names) + 1, len(values) + 1)]
        yield dict(zip([*names, *extra], values, strict=False))


class CustomReportsStream(InContactStream):
    """Custom inContact Reports: start the job, poll it, download its file, one record per row.

    The report's own template decides the dates (the API takes none since v17).
    """

    name = "custom_reports"
    path = "report-jobs/{report_id}"
    primary_keys = ("report_id", "row_number")
    schema = schemas.CUSTOM_REPORTS

    @cached_property
    def partitions(self) -> list[dict] | None:
        ids = chosen_reports(self, "custom_report_ids", CUSTOM_REPORT_KINDS)
        return [{"report_id": report_id} for report_id in ids]

    def validate_response(self, response: requests.Response) -> None:
        if response.status_code != 409:  # 409: the job's file is not ready yet
            super().validate_response(response)

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        if context is None:  # no custom_report_ids: the SDK still calls once, with no partition
            return
        report_id = context["report_id"]
        params = {
            "fileType": "CSV",
            "includeHeaders": "true",
            "deleteAfter": 7,
            "overwrite": "true",
        }
        started = self.call("POST", self.get_url(context), context, params)
        job_id = self.json_of(started).get("jobId")
        if not isinstance(job_id, int):
            raise self.answer_error(started, "has no 'jobId'")
        file_url = self._wait_for_file(report_id, job_id, context)
        rows = self.parse_checked(self.fetch_file(file_url, context))
        for number, row in enumerate(rows, 1):
            yield {"report_id": report_id, "job_id": job_id, "row_number": number, "data": row}

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        """The rows of a report file: `{"files": {"file": <Base64 CSV>}}`."""
        files = json_object(response).get("files")
        yield from csv_rows(
            file_text(files.get("file") if isinstance(files, dict) else None, response)
        )

    def _wait_for_file(self, report_id: int, job_id: int, context: Context | None) -> str:
        deadline = time.monotonic() + self.config["report_timeout_seconds"]
        while True:
            answer = self.call("GET", f"{self.url_base}report-jobs/{job_id}", context)
            if answer.status_code != 409:
                job = self.json_of(answer)
                job = job.get("jobResult", job)
                if not isinstance(job, dict):
                    raise self.answer_error(answer, "has no job")
                if str(job.get("state", "")).lower() == "failed":
                    msg = f"inContact report {report_id} failed (job {job_id})"
                    raise FatalAPIError(msg)
                if job.get("resultFileURL"):
                    return str(job["resultFileURL"])
            if time.monotonic() >= deadline:
                msg = (
                    f"inContact report {report_id} was not ready after "
                    f"{self.config['report_timeout_seconds']} s (job {job_id})"
                )
                raise FatalAPIError(msg)
            time.sleep(float(self.config["report_poll_seconds"]))


class DataDownloadReportsStream(WindowStream):
    """Data Download reports, one request per window of data_download_window_days (≤ 30) of
    the account's days; the last window ends where settled data ends, and grows next run."""

    name = "data_download_reports"
    path = "report-jobs/datadownload/{report_id}"
    http_method = "POST"
    primary_keys = ("report_id", "window_start", "row_number")
    replication_key = "window_start"
    window_fields = ("window_start", "window_end")
    schema = schemas.DATA_DOWNLOAD_REPORTS

    @cached_property
    def partitions(self) -> list[dict] | None:
        ids = chosen_reports(self, "data_download_report_ids", ("Data Download",))
        return [{"report_id": report_id} for report_id in ids]

    def get_records(self, context: Context | None) -> t.Iterable[dict[str, t.Any]]:
        # Without report ids the SDK still calls once, without a partition: nothing to run.
        if context is not None:
            yield from super().get_records(context)

    def windows(self, context: Context | None) -> list[tuple[datetime, datetime]]:
        """Windows of data_download_window_days from the zone's midnight, one day shorter
        where the clocks go back inside one (the API counts 30 days of 24 hours)."""
        first, until, zone = self.first_instant(context), self.settled_until, self.tap.zone
        if first is None:
            return []
        days, windows = self.config["data_download_window_days"], []
        start = midnight(first.astimezone(zone).date(), zone)
        while start < until:
            day = start.astimezone(zone).date()
            end = midnight(day + timedelta(days=days), zone)
            if end - start > DATA_DOWNLOAD_SPAN_MAX:
                end = midnight(day + timedelta(days=days - 1), zone)
            windows.append((start, min(end, until)))
            start = end
        return windows

    @property
    def earliest(self) -> datetime:
        oldest_served = datetime.now(timezone.utc) - DATA_DOWNLOAD_HISTORY + timedelta(days=1)
        return max(self.tap.sync_range.start, oldest_served)

    def window_query(self, start: datetime, end: datetime) -> dict[str, str]:
        # No offset: the API refuses one. **Assumed**: the bounds are read as UTC.
        return {
            "startDate": start.strftime("%Y-%m-%dT%H:%M:%S"),
            "endDate": end.strftime("%Y-%m-%dT%H:%M:%S"),
            "saveAsFile": "false",
            "includeHeaders": "true",
        }

    def parse_response(self, response: requests.Response) -> t.Iterable[dict]:
        answer = json_object(response)
        if answer.get("errorMessage"):
            msg = f"inContact data download failed for {self.name}: {answer['errorMessage']}"
            raise FatalAPIError(self.redact(msg))
        for number, row in enumerate(csv_rows(file_text(answer.get("file"), response)), 1):
            yield {"row_number": number, "data": row}

    def post_process(self, row: dict, context: Context | None = None) -> dict | None:
        return super().post_process({**row, "report_id": (context or {})["report_id"]}, context)


STREAMS: tuple[type[InContactStream], ...] = (
    AgentsStream,
    TeamsStream,
    SkillsStream,
    CampaignsStream,
    ContactsStream,
    AgentPerformanceStream,
    TeamPerformanceStream,
    SkillSummariesStream,
    ReportsStream,
    CustomReportsStream,
    DataDownloadReportsStream,
)
