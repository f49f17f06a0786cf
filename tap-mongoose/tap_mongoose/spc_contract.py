"""Everything mongoose-spc assumes about the Mongoose SPC SOAP API, in one place.

Mongoose Metrics does not publish the SPC WSDL, so the names here are the ASSUMED contract of
docs/api/mongoose.md, not vendor facts. The shipped WSDL (wsdl/SpcService.wsdl) declares the
same names. With a real account, either pass the vendor's WSDL (`--wsdl` or MONGOOSE_SPC_WSDL) and
correct the names below to match it, or correct this module and the shipped WSDL together: the
client in spc.py reads every name from here.
"""

from __future__ import annotations

from pathlib import Path

#: The WSDL of the assumed contract, shipped inside the package.
WSDL_PATH = Path(__file__).with_name("wsdl") / "SpcService.wsdl"

NAMESPACE = "urn:mongoosemetrics:spc:v1"
# SOAP 1.1: every answer is an Envelope; one that is not a 200 holds a Fault in its Body.
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
SOAP_BODY = f"{{{SOAP_ENV}}}Body"
SOAP_FAULT = f"{{{SOAP_ENV}}}Fault"
SERVICE = "SpcService"
PORT = "SpcServicePort"

# Operations (SOAPAction is `{NAMESPACE}#{operation}`, declared in the WSDL)
GET_SESSION_NUMBER = "GetSessionNumber"
UPDATE_SESSION_DATA = "UpdateSessionData"

# The SOAP header every call carries
AUTH_HEADER = "AuthHeader"
AUTH_USERNAME = "Username"
AUTH_API_KEY = "ApiKey"

# Request and response elements
CAMPAIGN_CODE = "CampaignCode"
KEYWORDS = "Keywords"
CUSTOM_FIELDS = "CustomFields"
CUSTOM_FIELD = "CustomField"
FIELD_NUMBER = "FieldNumber"
FIELD_VALUE = "Value"
REFERENCE_ID = "ReferenceId"
PHONE_NUMBER = "PhoneNumber"
SESSION_ID = "SessionId"
EXPIRATION_TIME = "ExpirationTime"
SUCCESS = "Success"

#: Custom tracking fields are numbered 1 to CUSTOM_FIELD_COUNT (web script: custom1, custom2, ...).
CUSTOM_FIELD_COUNT = 10
CUSTOM_VALUE_MAX_LENGTH = 255

# Fault detail: soap:Fault/detail/SpcFault/{ErrorCode, Message}
FAULT_DETAIL = "SpcFault"
FAULT_ERROR_CODE = "ErrorCode"
FAULT_MESSAGE = "Message"

# Error codes
AUTH_FAILED = "AUTH_FAILED"
API_ACCESS_DISABLED = "API_ACCESS_DISABLED"
INVALID_CAMPAIGN = "INVALID_CAMPAIGN"
NO_NUMBER_AVAILABLE = "NO_NUMBER_AVAILABLE"
SESSION_NOT_FOUND = "SESSION_NOT_FOUND"
SESSION_EXPIRED = "SESSION_EXPIRED"
INVALID_FIELD = "INVALID_FIELD"
RATE_LIMITED = "RATE_LIMITED"
INTERNAL_ERROR = "INTERNAL_ERROR"

#: Faults that may pass if the same call is made again later (faultcode soap:Server).
TEMPORARY_ERRORS = frozenset({NO_NUMBER_AVAILABLE, RATE_LIMITED, INTERNAL_ERROR})

#: What the user can do about each fault, added to its one-line message.
HINTS = {
    AUTH_FAILED: "check the username and API key",
    API_ACCESS_DISABLED: "enable API access in the Mongoose portal and use a v2 key from there",
    INVALID_CAMPAIGN: "the campaign code must name an SPC (session-based) campaign",
    NO_NUMBER_AVAILABLE: "every number of the campaign's pool is in use; try again later",
    SESSION_NOT_FOUND: "check the session id or phone number",
    SESSION_EXPIRED: "ask for a new number with get-number",
    INVALID_FIELD: f"custom field numbers are 1 to {CUSTOM_FIELD_COUNT}, values at most "
    f"{CUSTOM_VALUE_MAX_LENGTH} characters",
    RATE_LIMITED: "slow down and try again",
    INTERNAL_ERROR: "a temporary error at Mongoose; try again",
}
