"""`reports`, custom report jobs and Data Download.

A custom report runs as a job: POST report-jobs/{reportId} answers 202 `{"jobId"}`, GET
report-jobs/{jobId} is polled until it names a `resultFileURL`, and GET files?fileName=
gives the file, base64-encoded inside JSON. Traps reproduced: the first poll of every job
is a 409 ("Interval data pending"), the second finds it Running, only the third Finished;
only CSV is written; a prebuilt report is listed with a null `reportId` and cannot run.
Opt-in (`InContactSandbox.report_files_elsewhere()`): finished jobs name a `resultFileURL`
on another host, a `ReportFileHost` that serves the files without sign-in, as a storage
service would; it logs every request, so a test sees whether a bearer token reached it.
Data Download (POST report-jobs/datadownload/{reportId}) answers its file inline, for a
window of at most 30 days within the last 2 years, whose dates carry no time-zone offset.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sandbox.core.http import Request, Response
from sandbox.core.server import SandboxServer
from sandbox.incontact.dates import (
    DAY_MS,
    MAX_WINDOW_ERROR,
    MAX_WINDOW_MS,
    iso_z,
    parse_date,
    to_ms,
)
from sandbox.incontact.faults import Refusal
from sandbox.incontact.report_files import csv_text, download_table, report_csv
from sandbox.incontact.world import World

DOWNLOAD_HISTORY_MS = 730 * DAY_MS
FIRST_JOB_ID = 90_001


@dataclass(frozen=True)
class Report:
    id: int | None
    name: str
    type: str
    description: str


CUSTOM_REPORTS = (
    Report(4087, "Contact Detail Export", "Public", "Handled contacts of the last 7 days"),
    Report(4112, "Skill Handle Times", "Private", "Handle time and service level by skill, day"),
    Report(4153, "Agent Daily Logins", "Public", "Login time and contacts per agent and day"),
)
DOWNLOAD_REPORTS = (
    Report(5201, "Completed Contacts Extract", "Data Download", "One row per completed contact"),
    Report(5246, "Agent Wrap-up Extract", "Data Download", "Hold and wrap-up by agent"),
)
PREBUILT_REPORT = Report(None, "Agent Performance by Skill", "Prebuilt", "Standard report")


@dataclass
class Job:
    id: int
    report: Report
    started: datetime
    file_name: str
    headers: bool
    polls: int = 0


class ReportJobs:
    """The jobs started so far and the files the finished ones wrote."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}
        self._files: dict[str, str] = {}
        self._next_id = FIRST_JOB_ID

    def start(self, report: Report, started: datetime, headers: bool) -> Job:
        with self._lock:
            job_id, self._next_id = self._next_id, self._next_id + 1
            name = f"{report.name.replace(' ', '_')}_{job_id}.csv"
            job = self._jobs[job_id] = Job(job_id, report, started, name, headers)
        return job

    def poll(self, job_id: str) -> Job:
        """The job, counting this poll; 404 for an unknown id."""
        with self._lock:
            job = self._jobs.get(int(job_id)) if job_id.isdigit() else None
            if job is None:
                raise Refusal(404, f"Invalid jobId: {job_id}")
            job.polls += 1
        return job

    def store(self, name: str, text: str) -> None:
        with self._lock:
            self._files[name] = text

    def file(self, name: str) -> str | None:
        with self._lock:
            return self._files.get(name)


def report_list(request: Request, version: int, *, api_base: str, bus_no: int) -> Response:
    wanted = (request.param("reportType") or "").lower()
    base = f"{api_base}services/v{version}.0/report-jobs/"
    kinds = {"Data Download": "datadownload/", "Prebuilt": None}
    return Response(json={"reports": [{
        "businessUnitId": bus_no, "reportId": r.id, "reportName": r.name,
        "reportType": r.type, "reportSubType": "Custom" if r.id else "Standard",
        "reportDescription": r.description, "reportOwner": "api.user@example.com",
        "url": "" if r.id is None else f"{base}{kinds.get(r.type, '')}{r.id}",
    } for r in (*CUSTOM_REPORTS, *DOWNLOAD_REPORTS, PREBUILT_REPORT)
        if wanted in ("", r.type.lower())]})  # fmt: skip


def start_job(jobs: ReportJobs, world: World, request: Request, report_id: str) -> Response:
    report = _report_by_id(CUSTOM_REPORTS, report_id)
    if (request.param("fileType") or "CSV").upper() != "CSV":
        raise Refusal(400, "Invalid fileType: the sandbox writes CSV only")
    job = jobs.start(report, world.clock(), _include_headers(request))
    return Response(202, {"jobId": job.id})


def poll_job(jobs: ReportJobs, world: World, job_id: str, *, version: int,
             api_base: str, file_host: str | None = None) -> Response:  # fmt: skip
    """The first poll of every job is a 409; the second finds it Running; then Finished.

    The file is named under the API, or on `file_host` when one is given.
    """
    job = jobs.poll(job_id)
    if job.polls == 1:
        raise Refusal(409, "Interval data pending, try again later")
    finished = job.polls > 2
    if finished and job.report.id is not None:
        jobs.store(job.file_name, report_csv(world, job.report.id, job.headers))
    url = f"{api_base}services/v{version}.0/files?{urlencode({'fileName': job.file_name})}"
    if file_host is not None:
        url = f"{file_host}/files/{job.file_name}"
    return Response(json={
        "jobId": job.id, "reportId": job.report.id, "reportName": job.report.name,
        "jobStart": iso_z(to_ms(job.started)),
        "jobEnd": iso_z(to_ms(job.started) + 3000) if finished else None,
        "fileName": job.file_name, "resultFileURL": url if finished else "",
        "state": "Finished" if finished else "Running",
        "deleteTime": iso_z(to_ms(job.started) + 7 * DAY_MS),
    })  # fmt: skip


def result_file(jobs: ReportJobs, request: Request) -> Response:
    name = request.param("fileName") or ""
    text = jobs.file(name)
    if text is None:
        raise Refusal(404, f"File not found: {name}")
    return Response(json={"files": {"fileName": name, "file": _b64(text)}})


class ReportFileHost(SandboxServer):
    """Another host serving finished report files as a storage service does: the URL is the
    key, so nothing asks for a sign-in, and a bearer token that arrives here has leaked."""

    def __init__(self, jobs: ReportJobs) -> None:
        super().__init__()
        self.jobs = jobs

    def handle(self, request: Request) -> Response:
        name = request.path.removeprefix("/files/")
        text = self.jobs.file(name) if request.method == "GET" else None
        if text is None:
            return Response.error(404, "Not Found")
        return Response(json={"files": {"fileName": name, "file": _b64(text)}})


def data_download(world: World, request: Request, report_id: str) -> Response:
    """Inline base64 CSV of the contacts that started in [startDate, endDate), in UTC."""
    report = _report_by_id(DOWNLOAD_REPORTS, report_id)
    now = to_ms(world.clock())
    start, end = _download_window(request, now)
    data = world.contacts()
    shown = [i for i in world.window_indices(start, end) if data.updated[i] <= now]
    header, rows = download_table(world, report.id, shown)
    name = request.param("fileName") or f"{report.name.replace(' ', '_')}_{iso_z(start)[:10]}.csv"
    return Response(json={
        "errorMessage": None, "fileName": name, "fileType": "CSV", "URI": "",
        "file": _b64(csv_text(header if _include_headers(request) else None, rows)),
    })  # fmt: skip


def _download_window(request: Request, now: int) -> tuple[int, int]:
    """startDate/endDate without offset, at most 30 days apart, starting within 2 years."""
    start, end = (parse_date(request.param(n), n, offset=False) for n in ("startDate", "endDate"))
    if end <= start:
        raise Refusal(400, "Invalid date range: endDate must be after startDate")
    if end - start > MAX_WINDOW_MS:
        raise Refusal(400, MAX_WINDOW_ERROR)
    if start < now - DOWNLOAD_HISTORY_MS:
        raise Refusal(400, "Invalid startDate: must be within the last 2 years")
    return start, end


def _report_by_id(reports: Sequence[Report], report_id: str) -> Report:
    found = next((r for r in reports if str(r.id) == report_id), None)
    if found is None:
        raise Refusal(404, f"Invalid reportId: {report_id}")
    return found


def _include_headers(request: Request) -> bool:
    return (request.param("includeHeaders") or "true").lower() != "false"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
