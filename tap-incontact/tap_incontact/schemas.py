"""Record schemas for the pinned API version (v30.0), after docs/api/incontact.md.

Every field is nullable but the keys. Durations are numbers of seconds (`routingTime` stays in
milliseconds, as the API counts it); date-times are UTC. Fields not declared here (agents'
city and atHome, teams' thresholds, whatever a later version adds) pass through as sent.
"""

from __future__ import annotations

from singer_sdk import typing as th

from tap_incontact.common.schemas import props, schema

S, INT, NUM, B, DT = th.StringType, th.IntegerType, th.NumberType, th.BooleanType, th.DateTimeType
ANY_OBJECT = th.ObjectType(additional_properties=True)


AGENTS = schema(
    th.Property("agentId", INT, required=True),
    *props("userName", "firstName", "lastName", "emailAddress", "teamName", "profileName"),
    *props("timeZone", "location", "custom1", "custom2", "custom3", "custom4", "custom5"),
    *props("internalId", "middleName", "userId"),
    *props("isActive", "isSupervisor", "isBillable", "isLocked", kind=B),
    *props("teamId", "reportToId", "profileId", kind=INT),
    *props("lastLogin", "lastUpdated", "createDate", "inactiveDate", "hireDate", kind=DT),
    *props("terminationDate", kind=DT),
)

TEAMS = schema(
    th.Property("teamId", INT, required=True),
    *props("teamName", "description", "notes"),
    th.Property("isActive", B),
    th.Property("lastUpdateTime", DT),
    *props("agentCount", "maxConcurrentChats", kind=INT),
)

SKILLS = schema(
    th.Property("skillId", INT, required=True),
    *props("skillName", "mediaTypeName", "campaignName", "outboundStrategy"),
    *props("mediaTypeId", "campaignId", "serviceLevelThreshold", "serviceLevelGoal", kind=INT),
    *props("isActive", "isOutbound", "requireDisposition", kind=B),
    th.Property("dispositions", th.ArrayType(ANY_OBJECT)),
)

CAMPAIGNS = schema(
    th.Property("campaignId", INT, required=True),
    *props("campaignName", "description", "notes"),
    th.Property("isActive", B),
    th.Property("lastUpdateTime", DT),
)

CONTACT_DURATIONS = (
    "abandonSeconds", "acwSeconds", "agentSeconds", "conferenceSeconds", "holdSeconds",
    "inQueueSeconds", "preQueueSeconds", "postQueueSeconds", "releaseSeconds",
    "totalDurationSeconds",
)  # fmt: skip
CONTACTS = schema(
    th.Property("contactId", INT, required=True),
    *props("masterContactId", "agentId", "teamId", "skillId", "campaignId", kind=INT),
    *props("pointOfContactId", "primaryDispositionId", "secondaryDispositionId", kind=INT),
    *props("transferIndicatorId", "mediaTypeId", "mediaSubTypeId", "holdCount", kind=INT),
    *props("callbackTime", "routingTime", "serviceLevelFlag", "divisionNo", kind=INT),
    *props("routingAttribute", "highProficiency", "lowProficiency", kind=INT),
    *props("firstName", "lastName", "teamName", "skillName", "campaignName"),
    *props("pointOfContactName", "mediaTypeName", "mediaSubTypeName", "fromAddress"),
    *props("toAddress", "dispositionNotes", "refuseReason", "transferIndicatorName", "endReason"),
    *props("contactStartDate", "dateContactWarehoused", "dateACWWarehoused", kind=DT),
    *props("refuseTime", "analyticsProcessedDate", kind=DT),
    th.Property("lastUpdateTime", DT, required=True),
    *props(*CONTACT_DURATIONS, kind=NUM),
    *props("abandoned", "isOutbound", "isRefused", "isShortAbandon", "isTakeover", kind=B),
    *props("isLogged", "isAnalyticsProcessed", kind=B),
    th.Property("tags", th.ArrayType(S)),
)

AGENT_DURATIONS = (
    "inboundTime", "inboundTalkTime", "inboundAvgTalkTime", "outboundTime", "outboundTalkTime",
    "outboundAvgTalkTime", "totalTalkTime", "totalAvgTalkTime", "totalAvgHandleTime",
    "consultTime", "availableTime", "unavailableTime", "acwTime", "loginTime",
)  # fmt: skip
#: A performance row's window: its kind (15m, 1h, 1d or range), its bounds, and the zone
#: whose days and hours the windows follow.
_WINDOW = (
    th.Property("interval", S, required=True),
    th.Property("interval_start", DT, required=True),
    th.Property("interval_end", DT, required=True),
    th.Property("time_zone", S),
)
_PERFORMANCE = (
    *props("agentOffered", "inboundHandled", "outboundHandled", "totalHandled", kind=INT),
    *props("refused", kind=INT),
    *props("percentRefused", "workingRate", "occupancy", *AGENT_DURATIONS, kind=NUM),
)
AGENT_PERFORMANCE = schema(
    th.Property("agentId", INT, required=True),
    th.Property("teamId", INT),
    *_PERFORMANCE,
    *_WINDOW,
)

TEAM_DURATIONS = (*AGENT_DURATIONS, "avgAvailableTime", "avgUnavailableTime")
TEAM_PERFORMANCE = schema(
    th.Property("teamId", INT, required=True),
    *_PERFORMANCE,
    th.Property("totalAvgHandled", INT),
    *props("avgAvailableTime", "avgUnavailableTime", kind=NUM),
    *_WINDOW,
)

SKILL_DURATIONS = (
    "averageHandleTime", "averageSpeedToAnswer", "averageTalkTime", "averageWrapTime",
    "averageInqueueTime", "holdTime", "longestQueueDur", "totalContactTime",
)  # fmt: skip
SKILL_SUMMARIES = schema(
    th.Property("skillId", INT, required=True),
    *props("businessUnitId", "campaignId", "mediaTypeId", kind=INT),
    *props("businessUnitName", "skillName", "campaignName", "mediaTypeName"),
    th.Property("isOutbound", B),
    *props("contactsOffered", "contactsHandled", "contactsQueued", "abandonCount", kind=INT),
    *props("contactsWithinSLA", "contactsOutOfSLA", "dials", "connects", kind=INT),
    *props("rightPartyConnects", "serviceLevelGoal", "serviceLevelThreshold", kind=INT),
    *props("abandonRate", "serviceLevel", *SKILL_DURATIONS, kind=NUM),
    *props("connectsAHT", "rightPartyConnectsAHT"),
    # Real-time values at the moment of the request, not totals of the window.
    *props("agentsAcw", "agentsAvailable", "agentsIdle", "agentsLoggedIn", kind=INT),
    *props("agentsUnavailable", "agentsWorking", "contactsActive", "queueCount", kind=INT),
    *_WINDOW,
)

REPORTS = schema(
    th.Property("reportId", INT, required=True),
    th.Property("businessUnitId", INT),
    *props("reportName", "reportType", "reportSubType", "reportDescription", "url"),
)

#: A report's rows have the columns only the report knows: each row is kept whole as `data`.
CUSTOM_REPORTS = schema(
    th.Property("report_id", INT, required=True),
    th.Property("row_number", INT, required=True),
    th.Property("job_id", INT),
    th.Property("data", ANY_OBJECT),
)

DATA_DOWNLOAD_REPORTS = schema(
    th.Property("report_id", INT, required=True),
    th.Property("window_start", DT, required=True),
    th.Property("row_number", INT, required=True),
    th.Property("window_end", DT),
    th.Property("time_zone", S),
    th.Property("data", ANY_OBJECT),
)
