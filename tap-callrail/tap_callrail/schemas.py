"""Record schemas, after docs/api/callrail.md. Every field is nullable but the keys.

Ids are strings (CallRail mixes integers and masked strings); date-times are UTC. Every
schema keeps the fields it does not declare, so nothing CallRail adds is dropped.
"""

from __future__ import annotations

from singer_sdk import typing as th

from tap_callrail.common.schemas import props, schema

S, INT, B, DT = th.StringType, th.IntegerType, th.BooleanType, th.DateTimeType
ANY_OBJECT = th.ObjectType(additional_properties=True)

#: Every record names the account it belongs to.
ACCOUNT_ID = th.Property("account_id", S, required=True)

ID = th.Property("id", S, required=True)
NAMED_REF = th.ObjectType(th.Property("id", S), th.Property("name", S))
TAGS = th.Property("tags", th.ArrayType(NAMED_REF))  # CallRail sends names or {id, name}

_TOUCH = th.ObjectType(
    *props("ad_position", "campaign", "device", "keywords", "landing", "match_type"),
    *props("medium", "referrer", "session_browser", "source"),
    th.Property("event_date", DT),
    th.Property("landing_page_url_params", ANY_OBJECT),
    th.Property("referrer_url_params", ANY_OBJECT),
    th.Property("url_utm_params", ANY_OBJECT),
)
MILESTONES = th.Property(
    "milestones",
    th.ObjectType(
        *(
            th.Property(name, _TOUCH)
            for name in ("first_touch", "lead_created", "qualified", "last_touch")
        )
    ),
)

ACCOUNTS = schema(
    ACCOUNT_ID,
    ID,
    th.Property("name", S),
    th.Property("time_zone", S),
    th.Property("outbound_recording_enabled", B),
    th.Property("hipaa_account", B),
    th.Property("numeric_id", INT),
)

COMPANIES = schema(
    ACCOUNT_ID,
    ID,
    *props("name", "status", "time_zone", "script_url", "swap_landing_override"),
    *props("swap_cookie_duration_unit"),
    th.Property("created_at", DT),
    th.Property("disabled_at", DT),
    *props("dni_active", "callscore_enabled", "lead_scoring_enabled", kind=B),
    *props("callscribe_enabled", "swap_exclude_jquery", "swap_ppc_override", kind=B),
    *props("keyword_spotting_enabled", "form_capture", kind=B),
    th.Property("swap_cookie_duration", INT),
    th.Property(
        "verified_caller_ids",
        th.ArrayType(th.ObjectType(th.Property("name", S), th.Property("phone_number", S))),
    ),
)

CALLS = schema(
    ACCOUNT_ID,
    ID,
    *props("answered", "voicemail", "first_call", kind=B),
    *props("business_phone_number", "customer_city", "customer_country", "customer_name"),
    *props("customer_phone_number", "customer_state", "direction", "recording"),
    *props("recording_duration", "recording_player", "tracking_phone_number"),
    th.Property("duration", INT),
    th.Property("start_time", DT, required=True),
    th.Property("created_at", DT),
    *props("agent_email", "call_type", "campaign", "company_id", "company_name"),
    *props("company_time_zone", "device_type", "fbclid", "ga", "gclid", "msclkid"),
    *props("good_lead_call_time", "keywords", "landing_page_url", "last_requested_url"),
    *props("lead_status", "medium", "note", "person_id", "referrer_domain", "referring_url"),
    *props("sentiment", "session_uuid", "source", "source_name", "timeline_url", "tracker_id"),
    *props("transcription", "utm_campaign", "utm_content", "utm_medium", "utm_source"),
    *props("utm_term", "lead_score", "lead_explanation", "call_summary"),
    *props("formatted_call_type", "formatted_customer_location"),
    *props("formatted_business_phone_number", "formatted_customer_name"),
    *props("formatted_customer_name_or_phone_number", "formatted_customer_phone_number"),
    *props("formatted_duration", "formatted_tracking_phone_number"),
    *props("formatted_tracking_source", "formatted_value"),
    *props("good_lead_call_id", "prior_calls", "total_calls", "value", kind=INT),
    *props("custom", "keypad_entries", "speaker_percent", kind=ANY_OBJECT),
    th.Property(
        "voice_assist_message",
        th.ObjectType(
            th.Property("contents", S),
            th.Property("overrides", S),
            th.Property("recorded_at", DT),
            th.Property("urgency", S),
        ),
    ),
    MILESTONES,
    th.Property("call_highlights", th.ArrayType(ANY_OBJECT)),
    th.Property("keywords_spotted", th.ArrayType(ANY_OBJECT)),
    TAGS,
    th.Property("waveforms", th.ArrayType(S)),
    th.Property("zip_code", S),
)

CONVERSATIONS = schema(
    ACCOUNT_ID,
    ID,
    *props("company_id", "initial_tracker_id", "current_tracker_id", "customer_name"),
    *props("customer_phone_number", "initial_tracking_number", "current_tracking_number"),
    th.Property("last_message_at", DT, required=True),
    *props("state", "company_time_zone", "formatted_customer_phone_number"),
    *props("formatted_initial_tracking_number", "formatted_current_tracking_number"),
    *props("formatted_customer_name", "lead_status", "source"),
    th.Property(
        "recent_messages",
        th.ArrayType(
            th.ObjectType(
                *props("direction", "content", "type"),
                th.Property("created_at", DT),
                th.Property("media_urls", th.ArrayType(S)),
            )
        ),
    ),
)

FORM_SUBMISSIONS = schema(
    ACCOUNT_ID,
    ID,
    *props("company_id", "person_id", "form_url", "landing_page_url", "referrer"),
    th.Property("form_data", ANY_OBJECT),
    th.Property("submitted_at", DT, required=True),
    th.Property("first_form", B),
    *props("referring_url", "customer_phone_number", "customer_name", "customer_email"),
    *props("formatted_customer_phone_number", "formatted_customer_name", "source"),
    *props("keywords", "campaign", "medium", "company_name", "lead_status", "note"),
    *props("utm_source", "utm_medium", "utm_campaign", "form_name", "timeline_url"),
    th.Property("value", INT),
    TAGS,
    MILESTONES,
)

NOTIFICATIONS = schema(
    ACCOUNT_ID,
    ID,
    *props("user_id", "email", "alert_type", "company_id", "tracker_id", "name"),
    *props("call_enabled", "sms_enabled", "send_desktop", "send_email", "send_push", kind=B),
)

CALLER_IDS = schema(
    ACCOUNT_ID,
    ID,
    *props("phone_number", "name", "company_id", "validation_code"),
    th.Property("verified", B),
    th.Property("created_at", DT),
)

_METRICS = (
    *props("total_calls", "missed_calls", "answered_calls", "first_time_callers", kind=INT),
    *props("leads", "average_duration", kind=INT),
    th.Property("formatted_average_duration", S),
)
#: Every metric the summary and time-series endpoints offer, requested with `fields=`.
METRIC_FIELDS = ",".join(prop.name for prop in _METRICS)

#: The scope, period and zone of a report row: `company_id` "" is the whole account.
_REPORT_ROW = (
    th.Property("company_id", S, required=True),
    th.Property("interval", S, required=True),
    th.Property("date", th.DateType, required=True),  # the local day the period begins
    th.Property("time_zone", S),  # the zone whose days the row counts
)

CALLS_SUMMARY = schema(
    ACCOUNT_ID,
    *_REPORT_ROW,
    th.Property("user_id", S, required=True),  # "" for all users
    th.Property("group_by", S, required=True),  # "" for the ungrouped total
    th.Property("key", S, required=True),
    *_METRICS,
)

CALLS_TIMESERIES = schema(
    ACCOUNT_ID,
    *_REPORT_ROW,
    th.Property("period_start", DT, required=True),
    *_METRICS,
)

SUMMARY_EMAILS = schema(
    ACCOUNT_ID,
    ID,
    th.Property("scope", th.ObjectType(*props("id", "type", "name"))),
    th.Property("frequency", th.ArrayType(S)),
    th.Property(
        "config",
        th.ObjectType(
            *props("summary_statistics", "top_sources", "top_keywords", "call_log", kind=B)
        ),
    ),
    th.Property("user", th.ObjectType(*props("id", "name", "email"))),
    th.Property("email", S),
    th.Property("filters", th.ObjectType(th.Property("lead_status", S))),
)

TAG_RECORDS = schema(
    ACCOUNT_ID,
    ID,
    *props("name", "tag_level", "color", "background_color", "company_id", "status"),
    th.Property("created_at", DT),
)

TRACKERS = schema(
    ACCOUNT_ID,
    ID,
    *props("name", "type", "status", "destination_number", "whisper_message"),
    th.Property("tracking_numbers", th.ArrayType(S)),
    *props("sms_enabled", "sms_supported", kind=B),
    th.Property("company", NAMED_REF),
    *props("call_flow", "source", "message_flow", kind=ANY_OBJECT),
    th.Property("created_at", DT),
    th.Property("disabled_at", DT),
    th.Property("campaign_name", S),
    th.Property("swap_targets", th.ArrayType(S)),
)

USERS = schema(
    ACCOUNT_ID,
    ID,
    *props("email", "role", "first_name", "last_name", "name"),
    th.Property("created_at", DT),
    th.Property("accepted", B),
    th.Property("companies", th.ArrayType(NAMED_REF)),
)
