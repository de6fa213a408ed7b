"""Airtable's Web API: bases (metadata API) and records.

`GET /v0/meta/bases` pages `page_size` bases at a time with `offset`; `POST /v0/meta/bases`
(`name`, `workspaceId`, `tables`) creates a base and answers its tables with ids;
`GET /v0/meta/bases/{id}/tables`; `POST /v0/{base}/{table id or name}` creates at most ten
records (`typecast`, `returnFieldsByFieldId`). Personal access tokens and OAuth tokens are
both bearer tokens: `TOKENS` are accepted. Airtable's error bodies: 401
`AUTHENTICATION_REQUIRED`, 404 `NOT_FOUND` for an unknown base or table, 422
`INVALID_RECORDS` beyond ten records or for a field the table lacks, and `RATE_LIMITED`
(429) for `reply_next`. The sample workspace holds no base until one is made.

The same host plays airtable.com's OAuth2 server: `/oauth2/v1/authorize` and
`/oauth2/v1/token` (PKCE required; the integration authenticates with HTTP Basic only; the
answer carries `refresh_expires_in`; refreshes rotate the refresh token), and
`GET /v0/meta/whoami`. Tokens it issues are accepted by the API like `TOKENS`.
`apply(settings)` and `env()` configure both the OAuth integration and the API endpoint.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Response, request

from tests.fakes.oauth2_server import Account, Client, OAuthState, authorization_server, authorize
from tests.fakes.provider import FakeProvider, bearer_token, json_response, provider_app
from tests.fakes.server import serve

API_KEY = "mock-airtable-api-key"
TOKENS = {API_KEY}
UNAUTHORIZED = {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}}
NOT_FOUND = {"error": "NOT_FOUND"}
RATE_LIMITED = {"errors": [{"error": "RATE_LIMIT_REACHED", "message": "Rate limit exceeded. Please try again later"}]}
MAX_RECORDS_PER_REQUEST = 10
CLIENT_ID = "airtable-client-id"
CLIENT_SECRET = "airtable-client-secret"
ACCOUNT = Account(id="usrSample0000001", email="builder@example.com", login="builder")
DEFAULT_REDIRECT_URI = "http://localhost:3000/auth/integrations/oauth_callback"
REFRESH_EXPIRES_IN = 60 * 24 * 3600
OAUTH_PATHS = ("/oauth2/v1/authorize", "/oauth2/v1/token")


def invalid_records(message: str) -> dict[str, Any]:
    return {"error": {"type": "INVALID_RECORDS", "message": message}}


class AirtableClient(Client):
    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # A confidential integration must send its secret in the Authorization header.
        return method == "client_secret_basic"


@dataclass
class FakeAirtable(FakeProvider):
    oauth: OAuthState | None = None
    page_size: int = 100
    bases: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def apply(self, settings: Any) -> None:
        super().apply(settings)
        settings.OAUTH_PROVIDERS = {
            **settings.OAUTH_PROVIDERS,
            "airtable": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "base_url": self.base_url},
        }

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "AIRTABLE_CLIENT_ID": CLIENT_ID,
            "AIRTABLE_CLIENT_SECRET": CLIENT_SECRET,
            "AIRTABLE_OAUTH_BASE_URL": self.base_url,
        }

    def add_base(self, base_id: str, name: str, tables: list[dict[str, Any]]) -> None:
        self.bases[base_id] = {"id": base_id, "name": name, "permissionLevel": "create", "tables": tables}


@contextmanager
def fake_airtable(redirect_uri: str = DEFAULT_REDIRECT_URI) -> Iterator[FakeAirtable]:
    oauth = OAuthState(AirtableClient(CLIENT_ID, CLIENT_SECRET, [redirect_uri]), ACCOUNT)
    state = FakeAirtable(oauth=oauth)
    app = provider_app("fake-airtable", state)
    server = authorization_server(app, oauth, rotate_refresh_tokens=True)
    ids = itertools.count(1)
    state.add_base(
        "appSample0000001",
        "Sample base",
        [
            {
                "id": "tblSample0000001",
                "name": "Default table",
                "primaryFieldId": "fldSample0000001",
                "fields": [{"id": "fldSample0000001", "name": "ID", "type": "number", "options": {"precision": 0}}],
                "views": [{"id": "viwSample0000001", "name": "Grid view", "type": "grid"}],
            }
        ],
    )

    def new_id(prefix: str) -> str:
        return f"{prefix}{next(ids):014d}"

    @app.before_request
    def authenticate() -> Response | None:
        if request.path in OAUTH_PATHS:
            return None
        if bearer_token() not in TOKENS and oauth.live_token(bearer_token()) is None:
            return json_response(UNAUTHORIZED, 401)
        return None

    app.add_url_rule("/oauth2/v1/authorize", view_func=lambda: authorize(server, oauth))

    @app.post("/oauth2/v1/token")
    def token() -> Response:
        if request.form.get("grant_type") == "authorization_code" and not request.form.get("code_verifier"):
            return json_response({"error": "invalid_request", "error_description": "code_verifier is required"}, 400)
        answer: Response = server.create_token_response()
        body = answer.get_json()
        if answer.status_code == 200:
            body["refresh_expires_in"] = REFRESH_EXPIRES_IN
        return json_response(body, answer.status_code)

    @app.get("/v0/meta/whoami")
    def whoami() -> Response:
        issued = oauth.live_token(bearer_token())
        me: dict[str, Any] = {"id": ACCOUNT.id}
        if issued is not None and "user.email:read" in issued.scope.split():
            me["email"] = ACCOUNT.email
        return json_response(me)

    @app.get("/v0/meta/bases")
    def list_bases() -> Response:
        listed = [{key: base[key] for key in ("id", "name", "permissionLevel")} for base in state.bases.values()]
        start = int(request.args.get("offset") or 0)
        body: dict[str, Any] = {"bases": listed[start : start + state.page_size]}
        if start + state.page_size < len(listed):
            body["offset"] = str(start + state.page_size)
        return json_response(body)

    @app.post("/v0/meta/bases")
    def create_base() -> Response:
        body = request.get_json(silent=True) or {}
        tables = body.get("tables")
        if not body.get("name") or not body.get("workspaceId") or not isinstance(tables, list) or not tables:
            return json_response(
                {
                    "error": {
                        "type": "INVALID_REQUEST_UNKNOWN",
                        "message": "Invalid request: parameter validation failed. Check your request data.",
                    }
                },
                422,
            )
        made = []
        for table in tables:
            fields = [{"id": new_id("fld"), **column} for column in table.get("fields") or []]
            made.append(
                {
                    "id": new_id("tbl"),
                    "name": table.get("name"),
                    "description": table.get("description"),
                    "primaryFieldId": fields[0]["id"] if fields else None,
                    "fields": fields,
                    "views": [{"id": new_id("viw"), "name": "Grid view", "type": "grid"}],
                }
            )
        base_id = new_id("app")
        state.add_base(base_id, body["name"], made)
        return json_response({"id": base_id, "tables": made})

    @app.get("/v0/meta/bases/<base_id>/tables")
    def base_tables(base_id: str) -> Response:
        base = state.bases.get(base_id)
        if base is None:
            return json_response(NOT_FOUND, 404)
        return json_response({"tables": base["tables"]})

    @app.post("/v0/<base_id>/<table_name>")
    def create_records(base_id: str, table_name: str) -> Response:
        base = state.bases.get(base_id)
        table = next((t for t in (base or {}).get("tables", []) if table_name in (t["id"], t["name"])), None)
        if table is None:
            return json_response(NOT_FOUND, 404)
        body = request.get_json(silent=True) or {}
        records = body.get("records")
        if not isinstance(records, list) or not records or len(records) > MAX_RECORDS_PER_REQUEST:
            return json_response(
                invalid_records("You must provide an array of up to 10 record objects, each with a fields object."), 422
            )
        by_name = {column["name"]: column["id"] for column in table["fields"]}
        created = []
        for record in records:
            fields = record.get("fields") if isinstance(record, dict) else None
            if not isinstance(fields, dict):
                return json_response(invalid_records("Could not parse record: missing fields object"), 422)
            unknown = [name for name in fields if name not in by_name and name not in by_name.values()]
            if unknown:
                return json_response(invalid_records(f'Unknown field name: "{unknown[0]}"'), 422)
            if body.get("returnFieldsByFieldId"):
                fields = {by_name.get(name, name): value for name, value in fields.items()}
            created.append({"id": new_id("rec"), "createdTime": "2025-10-30T12:00:00.000Z", "fields": fields})
        state.records.setdefault(table["id"], []).extend(created)
        return json_response({"records": created})

    with serve(app) as base_url:
        state.base_url = base_url
        state.settings_urls = {"AIRTABLE_BASE_URL": base_url}
        yield state
