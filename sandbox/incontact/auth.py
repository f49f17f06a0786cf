"""Signing in: the Central password grant, the CXone back-end application, and bearer checks.

Central: POST /InContactAuthorizationServer/Token with `Authorization: basic` and base64 of
`app@vendor:busNo`, and a JSON or form body. The answer names `resource_server_base_uri`,
the API host a client must use. CXone: discovery (`/.well-known/openid-configuration`, then
`/.well-known/cxone-configuration?tenantId=`, the tenant id being a claim of the token), then
POST /auth/token with the client's Basic credentials and an access key.
Traps reproduced: a refresh token dies 7200 s after the original grant (refreshing never
extends it), a wrong key is a 401 `invalid_client` naming the application, and access
tokens expire after `token_lifetime`, or at once with `expire_tokens()`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from sandbox.core.http import Request, Response
from sandbox.incontact.faults import Refusal

if TYPE_CHECKING:
    from sandbox.incontact.server import InContactSandbox

CENTRAL_AUTH_PATH = "/InContactAuthorizationServer/Token"
CXONE_AUTH_PATH = "/auth/token"
REFRESH_SECONDS = 7200
SCOPE = "RealTimeApi AdminApi AuthenticationApi PatronApi AgentApi CustomApi ReportingApi"
AREA, CLUSTER, DOMAIN = "na1", "C32", "niceincontact.com"


class Tokens:
    """Every token handed out, and how many grants and refreshes there were.

    An access token lives until its expiry, a refresh token until its original grant's deadline.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._access: dict[str, float] = {}  # token -> expiry, clock seconds
        self._refresh: dict[str, tuple[str, float]] = {}  # token -> (sign-in, deadline)
        self._issued: list[str] = []
        self.grants = 0
        self.refreshes = 0
        self._jwt_key = secrets.token_bytes(32)

    def remember(self, access: str, refresh: str, sign_in: str, deadline: float,
                 *, expires: float, refreshed: bool) -> None:  # fmt: skip
        with self._lock:
            self._access[access] = expires
            self._refresh[refresh] = (sign_in, deadline)
            self._issued += [access, refresh]
            self.refreshes += refreshed
            self.grants += not refreshed

    def note_issued(self, token: str) -> None:
        with self._lock:
            self._issued.append(token)

    def refresh_deadline(self, token: str | None, sign_in: str, now: float) -> float:
        """The original grant's deadline: refreshing never extends it."""
        with self._lock:
            known = self._refresh.get(token or "")
        if known is None or known[0] != sign_in:
            raise Refusal(400, "Invalid refresh token", "invalid_grant", oauth=True)
        if now >= known[1]:
            raise Refusal(400, "Refresh token expired", "invalid_grant", oauth=True)
        return known[1]

    def check_bearer(self, request: Request, now: float) -> None:
        scheme, _, token = (request.header("Authorization") or "").strip().partition(" ")
        with self._lock:
            expiry = self._access.get(token.strip(), 0.0)
        if scheme.lower() != "bearer" or expiry <= now:
            raise Refusal(401, "Invalid or expired access token", "invalid_token")

    def expire_access(self) -> None:
        with self._lock:
            self._access.clear()

    def issued(self) -> list[str]:
        with self._lock:
            return list(self._issued)

    def jwt(self, claims: dict[str, Any]) -> str:
        """Three base64url parts, as a CXone token; signed with a key nobody checks."""
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        signed = f"{header}.{_b64url(json.dumps(claims).encode())}"
        signature = hmac.new(self._jwt_key, signed.encode(), hashlib.sha256).digest()
        return f"{signed}.{_b64url(signature)}"


def central_token(sandbox: InContactSandbox, request: Request) -> Response:
    form, key = _form(request), _basic(request)
    if key != f"{sandbox.application_name}@{sandbox.vendor_name}:{sandbox.business_unit}":
        app = (key or "").split(":")[0] or "unknown"
        raise Refusal(401, f"Client application '{app}' not authorized for user",
                      "invalid_client", oauth=True)  # fmt: skip
    login = (sandbox.username, sandbox.password)
    deadline = _grant_deadline(sandbox, form, "central", login, "Invalid username or password")
    access, refresh = secrets.token_urlsafe(48), secrets.token_urlsafe(16) + "=="
    sandbox.tokens.remember(
        access,
        refresh,
        "central",
        deadline,
        expires=sandbox.clock().timestamp() + sandbox.token_lifetime,
        refreshed=form.get("grant_type") == "refresh_token",
    )
    agent = sandbox.world.unit.agents[0]
    return Response(json={
        "access_token": access, "token_type": "bearer", "expires_in": sandbox.token_lifetime,
        "refresh_token": refresh, "refresh_token_server_uri": sandbox.auth_url,
        "resource_server_base_uri": sandbox.api_base, "scope": SCOPE,
        "agent_id": agent["agentId"], "team_id": agent["teamId"], "bus_no": sandbox.bus_no,
    })  # fmt: skip


def cxone_token(sandbox: InContactSandbox, request: Request) -> Response:
    form, client = _form(request), _basic(request)
    if client != f"{sandbox.client_id}:{sandbox.client_secret}":
        raise Refusal(401, "Invalid client credentials", "invalid_client", oauth=True)
    key = (sandbox.access_key_id, sandbox.access_key_secret)
    deadline = _grant_deadline(sandbox, form, "cxone", key, "Invalid access key")
    issued = int(sandbox.clock().timestamp())
    claims = {
        "iss": sandbox.cxone_issuer, "sub": f"user:{sandbox.access_key_id}",
        "aud": sandbox.client_id, "iat": issued, "exp": issued + sandbox.token_lifetime,
        "tenantId": sandbox.tenant_id, "icBUId": sandbox.bus_no, "icClusterId": CLUSTER,
        "area": AREA, "icAgentId": sandbox.world.unit.agents[0]["agentId"],
    }  # fmt: skip
    jwt = sandbox.tokens.jwt
    access, id_token = (jwt(claims | {"jti": secrets.token_hex(8)}) for _ in "ab")
    refresh = secrets.token_urlsafe(32)
    sandbox.tokens.remember(
        access,
        refresh,
        "cxone",
        deadline,
        expires=sandbox.clock().timestamp() + sandbox.token_lifetime,
        refreshed=form.get("grant_type") == "refresh_token",
    )
    sandbox.tokens.note_issued(id_token)
    return Response(json={
        "access_token": access, "token_type": "Bearer", "expires_in": sandbox.token_lifetime,
        "refresh_token": refresh, "id_token": id_token,
    })  # fmt: skip


def openid_configuration(sandbox: InContactSandbox) -> Response:
    return Response(json={
        "issuer": sandbox.cxone_issuer, "token_endpoint": sandbox.url + CXONE_AUTH_PATH,
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "grant_types_supported": ["password", "refresh_token"],
    })  # fmt: skip


def cxone_configuration(sandbox: InContactSandbox, request: Request) -> Response:
    """Where the tenant's API lives: this server."""
    if request.param("tenantId") != sandbox.tenant_id:
        raise Refusal(404, "Tenant not found")
    return Response(json={
        "api_endpoint": sandbox.url, "auth_endpoint": sandbox.url, "ui_endpoint": sandbox.url,
        "area": AREA, "cluster": CLUSTER, "domain": DOMAIN, "acdDomain": DOMAIN,
        "uhDomain": "nice-incontact.com", "tenantId": sandbox.tenant_id,
    })  # fmt: skip


def _grant_deadline(sandbox: InContactSandbox, form: dict[str, str], sign_in: str,
                    login: tuple[str, str], refused: str) -> float:  # fmt: skip
    """When refresh tokens of this grant die: 7200 s after a password grant, never later."""
    grant = form.get("grant_type")
    if grant == "password":
        if (form.get("username"), form.get("password")) != login:
            raise Refusal(400, refused, "invalid_grant", oauth=True)
        return sandbox.clock().timestamp() + REFRESH_SECONDS
    if grant == "refresh_token":
        now = sandbox.clock().timestamp()
        return sandbox.tokens.refresh_deadline(form.get("refresh_token"), sign_in, now)
    raise Refusal(400, f"Unsupported grant_type {grant}", "unsupported_grant_type", oauth=True)


def _form(request: Request) -> dict[str, str]:
    """A token request's body: JSON or form-urlencoded."""
    text = request.body.decode("utf-8", "replace").strip()
    if not text.startswith("{"):
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    try:
        return {str(k): "" if v is None else str(v) for k, v in json.loads(text).items()}
    except (ValueError, AttributeError):
        raise Refusal(400, "Malformed JSON body", "invalid_request", oauth=True) from None


def _basic(request: Request) -> str | None:
    scheme, _, value = (request.header("Authorization") or "").strip().partition(" ")
    try:
        return (
            base64.b64decode(value.strip(), validate=True).decode()
            if scheme.lower() == "basic"
            else None
        )
    except (ValueError, UnicodeDecodeError):
        return None


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
