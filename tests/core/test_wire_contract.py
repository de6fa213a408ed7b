"""The wire contract: every route we serve that upstream's OpenAPI document also has, really called with
data that fills its fields (a queued and a finished run, a graph with a trigger, an API key, OAuth2
credentials...), answers a status upstream documents for it, in the shape documented for that status.

Our routes are read from the URL resolver: a route added later fails the first test until it gets a
call here, or an entry in OURS_ONLY saying why upstream has nothing to compare it with.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from apps.accounts.models import User
from tests.conftest import client_for, funded_user
from tests.credentials.conftest import consent, google_server  # noqa: F401  (the fake Google, a fixture)
from tests.factories import UserFactory
from tests.graph_builders import AGENT_INPUT, AGENT_OUTPUT, STORE_VALUE, graph, link, node
from tests.runs import wait_for_run
from tests.upstream_shapes import component, document, pointer, schema_errors

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
GENERIC_TRIGGER = "8fa8c167-2002-47ce-aba8-97572fc5d387"

# Routes upstream's document has nothing to compare with, and why.
OURS_ONLY = {
    ("POST", "/api/auth/register"): "sign-up: upstream delegates accounts to Supabase",
    ("POST", "/api/auth/token"): "sign-in: upstream delegates accounts to Supabase",
    ("POST", "/api/auth/token/refresh"): "token refresh: upstream delegates accounts to Supabase",
    ("POST", "/api/auth/logout"): "sign-out: upstream delegates accounts to Supabase",
    ("GET", "/api/schema/"): "our own OpenAPI document (tests/core/test_schema_fuzz.py checks it)",
    ("GET", "/api/docs/"): "Swagger UI, HTML",
    ("GET", "/metrics"): "Prometheus metrics, text",
    ("GET", "/dashboard/"): "the dashboard page, HTML",
    # Upstream serves the external API as a separate application with its own document.
    ("GET", "/external-api/v1/me"): "external API: not in upstream's document (tests/api_keys cover it)",
    ("GET", "/external-api/v1/blocks"): "external API: not in upstream's document",
    ("POST", "/external-api/v1/blocks/{}/execute"): "external API: not in upstream's document",
    ("GET", "/external-api/v1/graphs"): "external API: not in upstream's document",
    ("POST", "/external-api/v1/graphs/{}/execute/{}"): "external API: not in upstream's document",
    ("GET", "/external-api/v1/graphs/{}/executions/{}"): "external API: not in upstream's document",
    ("GET", "/external-api/v1/graphs/{}/executions/{}/results"): "external API: not in upstream's document",
}
# Function views say nothing of their methods to the resolver.
FUNCTION_VIEW_METHODS = {"/health": ("GET",), "/metrics": ("GET",), "/dashboard/": ("GET",)}


def _template(route: str) -> str:
    """`api/graphs/<uuid:graph_id>` and `/api/graphs/{graph_id}` both become `/api/graphs/{}`."""
    return "/" + re.sub(r"<[^>]+>|\{[^}]+\}", "{}", route.lstrip("/"))


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "app_name", None) == "admin":
                continue  # Django's admin site: HTML forms
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def our_operations() -> set[tuple[str, str]]:
    operations = set()
    for route, callback in _walk(get_resolver()):
        path = _template(route)
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if view is None:
            methods = FUNCTION_VIEW_METHODS[path]
        else:
            methods = tuple(method.upper() for method in HTTP_METHODS if hasattr(view, method))
        operations.update((method, path) for method in methods)
    return operations


def upstream_operations() -> dict[tuple[str, str], tuple[str, str]]:
    """(METHOD, template) → upstream's (path, method), for looking its responses up."""
    return {
        (method.upper(), _template(path)): (path, method)
        for path, item in document()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


# --- the calls -----------------------------------------------------------------------


@dataclass
class World:
    """The data the calls share, filled in as they go."""

    client: APIClient
    staff: APIClient
    user: User
    ids: dict[str, Any] = field(default_factory=dict)


Call = Callable[[World], Any]
CALLS: dict[tuple[str, str], Call] = {}
ORDER: list[tuple[str, str]] = []


def call(method: str, path: str) -> Callable[[Call], Call]:
    """Registers `function` as the call of upstream's operation `method path` (in upstream's spelling)."""

    def register(function: Call) -> Call:
        key = (method, _template(path))
        assert key not in CALLS, key
        CALLS[key] = function
        ORDER.append(key)
        return function

    return register


def echo_graph() -> dict[str, Any]:
    source = node(AGENT_INPUT, {"name": "text", "description": "What to repeat"})
    sink = node(AGENT_OUTPUT, {"name": "echo"})
    return graph([source, sink], [link(source, "result", sink, "value")], name="Echo", description="Repeats")


def triggered_graph() -> dict[str, Any]:
    trigger = node(GENERIC_TRIGGER, {})
    output = node(AGENT_OUTPUT, {"name": "payload"})
    return graph([trigger, output], [link(trigger, "payload", output, "value")], name="On delivery")


@call("GET", "/health")
def _health(w: World) -> Any:
    return APIClient().get("/health")


@call("POST", "/api/auth/user")
def _user(w: World) -> Any:
    return w.client.post("/api/auth/user")


@call("POST", "/api/auth/user/timezone")
def _set_timezone(w: World) -> Any:
    return w.client.post("/api/auth/user/timezone", {"timezone": "Europe/Paris"}, format="json")


@call("GET", "/api/auth/user/timezone")
def _timezone(w: World) -> Any:
    return w.client.get("/api/auth/user/timezone")


@call("GET", "/api/blocks")
def _blocks(w: World) -> Any:
    return w.client.get("/api/blocks")


@call("POST", "/api/blocks/{block_id}/execute")
def _execute_block(w: World) -> Any:
    return w.client.post(f"/api/blocks/{STORE_VALUE}/execute", {"input": "x", "data": 5}, format="json")


@call("POST", "/api/graphs")
def _create_graph(w: World) -> Any:
    response = w.client.post("/api/graphs", {"graph": echo_graph()}, format="json")
    w.ids["graph"] = response.json()
    return response


@call("PUT", "/api/graphs/{graph_id}")
def _update_graph(w: World) -> Any:
    response = w.client.put(f"/api/graphs/{w.ids['graph']['id']}", echo_graph(), format="json")
    w.ids["graph"] = response.json()
    # The graph with a trigger node, for `trigger_setup_info`, the webhook routes and presets as triggers.
    w.ids["triggered"] = w.client.post("/api/graphs", {"graph": triggered_graph()}, format="json").json()
    return response


@call("GET", "/api/graphs")
def _graphs(w: World) -> Any:
    return w.client.get("/api/graphs")


@call("GET", "/api/graphs/{graph_id}")
def _graph(w: World) -> Any:
    response = w.client.get(f"/api/graphs/{w.ids['triggered']['id']}")
    assert response.json()["trigger_setup_info"] is not None, "the triggered graph shows its trigger"
    return response


@call("GET", "/api/graphs/{graph_id}/versions")
def _graph_versions(w: World) -> Any:
    return w.client.get(f"/api/graphs/{w.ids['graph']['id']}/versions")


@call("PUT", "/api/graphs/{graph_id}/versions/active")
def _activate(w: World) -> Any:
    body = {"active_graph_version": w.ids["graph"]["version"]}
    return w.client.put(f"/api/graphs/{w.ids['graph']['id']}/versions/active", body, format="json")


@call("GET", "/api/graphs/{graph_id}/versions/{version}")
def _graph_version(w: World) -> Any:
    return w.client.get(f"/api/graphs/{w.ids['graph']['id']}/versions/1")


@call("POST", "/api/graphs/{graph_id}/execute/{graph_version}")
def _execute(w: World) -> Any:
    graph_json = w.ids["graph"]
    response = w.client.post(
        f"/api/graphs/{graph_json['id']}/execute/{graph_json['version']}",
        {"inputs": {"text": "hello"}},
        format="json",
    )
    assert response.json()["status"] == "QUEUED", "the answer is the run as queued"
    w.ids["run"] = response.json()
    return response


@call("GET", "/api/graphs/{graph_id}/executions/{graph_exec_id}")
def _run(w: World) -> Any:
    run = w.ids["run"]
    wait_for_run(run["id"])
    response = w.client.get(f"/api/graphs/{run['graph_id']}/executions/{run['id']}")
    assert response.json()["outputs"] == {"echo": ["hello"]}, "a finished run with its outputs"
    return response


@call("GET", "/api/graphs/{graph_id}/executions")
def _graph_runs(w: World) -> Any:
    return w.client.get(f"/api/graphs/{w.ids['graph']['id']}/executions")


@call("GET", "/api/executions")
def _runs(w: World) -> Any:
    return w.client.get("/api/executions")


@call("POST", "/api/graphs/{graph_id}/executions/{graph_exec_id}/stop")
def _stop(w: World) -> Any:
    run = w.ids["run"]
    return w.client.post(f"/api/graphs/{run['graph_id']}/executions/{run['id']}/stop")


@call("POST", "/api/graphs/{graph_id}/executions/{graph_exec_id}/share")
def _share(w: World) -> Any:
    run = w.ids["run"]
    response = w.client.post(f"/api/graphs/{run['graph_id']}/executions/{run['id']}/share")
    w.ids["share_token"] = response.json()["share_token"]
    return response


@call("GET", "/api/public/shared/{share_token}")
def _shared(w: World) -> Any:
    return APIClient().get(f"/api/public/shared/{w.ids['share_token']}")


@call("DELETE", "/api/graphs/{graph_id}/executions/{graph_exec_id}/share")
def _unshare(w: World) -> Any:
    run = w.ids["run"]
    return w.client.delete(f"/api/graphs/{run['graph_id']}/executions/{run['id']}/share")


@call("POST", "/api/api-keys")
def _create_key(w: World) -> Any:
    body = {"name": "ci", "permissions": ["READ_BLOCK", "EXECUTE_GRAPH"], "description": "for CI"}
    response = w.client.post("/api/api-keys", body, format="json")
    w.ids["key"] = response.json()["api_key"]["id"]
    return response


@call("GET", "/api/api-keys")
def _keys(w: World) -> Any:
    return w.client.get("/api/api-keys")


@call("GET", "/api/api-keys/{key_id}")
def _key(w: World) -> Any:
    return w.client.get(f"/api/api-keys/{w.ids['key']}")


@call("PUT", "/api/api-keys/{key_id}/permissions")
def _key_permissions(w: World) -> Any:
    return w.client.put(f"/api/api-keys/{w.ids['key']}/permissions", {"permissions": ["READ_GRAPH"]}, format="json")


@call("POST", "/api/api-keys/{key_id}/suspend")
def _suspend_key(w: World) -> Any:
    return w.client.post(f"/api/api-keys/{w.ids['key']}/suspend")


@call("DELETE", "/api/api-keys/{key_id}")
def _revoke_key(w: World) -> Any:
    return w.client.delete(f"/api/api-keys/{w.ids['key']}")


@call("GET", "/api/credits")
def _credits(w: World) -> Any:
    return w.client.get("/api/credits")


@call("GET", "/api/credits/transactions")
def _transactions(w: World) -> Any:
    return w.client.get("/api/credits/transactions")


@call("POST", "/api/credits/admin/add_credits")
def _add_credits(w: World) -> Any:
    body = {"user_id": str(w.user.pk), "amount": 200, "comments": "goodwill"}
    return w.staff.post("/api/credits/admin/add_credits", body, format="json")


@call("GET", "/api/credits/admin/users_history")
def _users_history(w: World) -> Any:
    return w.staff.get("/api/credits/admin/users_history")


def _webhook_id(w: World) -> str:
    trigger = next(item for item in w.ids["triggered"]["nodes"] if item["block_id"] == GENERIC_TRIGGER)
    return str(trigger["webhook_id"])


@call("POST", "/api/integrations/{provider}/webhooks/{webhook_id}/ingress")
def _ingress(w: World) -> Any:
    path = f"/api/integrations/generic_webhook/webhooks/{_webhook_id(w)}/ingress"
    return APIClient().post(path, {"event": "signup"}, format="json")


@call("POST", "/api/integrations/webhooks/{webhook_id}/ping")
def _ping(w: World) -> Any:
    return w.client.post(f"/api/integrations/webhooks/{_webhook_id(w)}/ping")


@call("POST", "/api/integrations/{provider}/credentials")
def _create_credentials(w: World) -> Any:
    body = {"type": "api_key", "api_key": "sk-contract", "title": "OpenAI key"}
    response = w.client.post("/api/integrations/openai/credentials", body, format="json")
    w.ids["credentials"] = response.json()["id"]
    return response


@call("GET", "/api/integrations/{provider}/login")
def _login(w: World) -> Any:
    response = w.client.get("/api/integrations/google/login", {"scopes": "https://www.googleapis.com/auth/gmail.send"})
    w.ids["login"] = response.json()
    return response


@call("POST", "/api/integrations/{provider}/callback")
def _callback(w: World) -> Any:
    returned = consent(w.ids["login"]["login_url"])
    body = {"code": returned["code"], "state_token": returned["state"]}
    return w.client.post("/api/integrations/google/callback", body, format="json")


@call("GET", "/api/integrations/credentials")
def _all_credentials(w: World) -> Any:
    return w.client.get("/api/integrations/credentials")


@call("GET", "/api/integrations/{provider}/credentials")
def _provider_credentials(w: World) -> Any:
    return w.client.get("/api/integrations/openai/credentials")


@call("GET", "/api/integrations/{provider}/credentials/{cred_id}")
def _credentials(w: World) -> Any:
    return w.client.get(f"/api/integrations/openai/credentials/{w.ids['credentials']}")


@call("DELETE", "/api/integrations/{provider}/credentials/{cred_id}")
def _delete_credentials(w: World) -> Any:
    return w.client.delete(f"/api/integrations/openai/credentials/{w.ids['credentials']}")


@call("GET", "/api/integrations/providers")
def _providers(w: World) -> Any:
    return w.client.get("/api/integrations/providers")


@call("GET", "/api/integrations/providers/names")
def _provider_names(w: World) -> Any:
    return w.client.get("/api/integrations/providers/names")


@call("GET", "/api/integrations/providers/constants")
def _provider_constants(w: World) -> Any:
    return w.client.get("/api/integrations/providers/constants")


@call("GET", "/api/integrations/providers/enum-example")
def _provider_enum(w: World) -> Any:
    return w.client.get("/api/integrations/providers/enum-example")


@call("POST", "/api/graphs/{graph_id}/schedules")
def _schedule(w: World) -> Any:
    body = {"name": "Weekdays", "cron": "0 9 * * 1-5", "inputs": {"text": "hi"}, "timezone": "Europe/Paris"}
    response = w.client.post(f"/api/graphs/{w.ids['graph']['id']}/schedules", body, format="json")
    w.ids["schedule"] = response.json()["id"]
    return response


@call("GET", "/api/graphs/{graph_id}/schedules")
def _graph_schedules(w: World) -> Any:
    return w.client.get(f"/api/graphs/{w.ids['graph']['id']}/schedules")


@call("GET", "/api/schedules")
def _schedules(w: World) -> Any:
    return w.client.get("/api/schedules")


@call("DELETE", "/api/schedules/{schedule_id}")
def _delete_schedule(w: World) -> Any:
    return w.client.delete(f"/api/schedules/{w.ids['schedule']}")


@call("POST", "/api/library/presets")
def _create_preset(w: World) -> Any:
    graph_json = w.ids["graph"]
    body = {
        "graph_id": graph_json["id"],
        "graph_version": graph_json["version"],
        "inputs": {"text": "from a preset"},
        "credentials": {},
        "name": "Preset",
        "description": "Echoes a preset",
    }
    response = w.client.post("/api/library/presets", body, format="json")
    w.ids["preset"] = response.json()["id"]
    return response


@call("POST", "/api/library/presets/setup-trigger")
def _setup_trigger(w: World) -> Any:
    triggered = w.ids["triggered"]
    body = {"name": "On signup", "graph_id": triggered["id"], "graph_version": triggered["version"]}
    body["trigger_config"] = {"constants": {"source": "preset"}}
    return w.client.post("/api/library/presets/setup-trigger", body, format="json")


@call("GET", "/api/library/presets")
def _presets(w: World) -> Any:
    return w.client.get("/api/library/presets")


@call("GET", "/api/library/presets/{preset_id}")
def _preset(w: World) -> Any:
    return w.client.get(f"/api/library/presets/{w.ids['preset']}")


@call("PATCH", "/api/library/presets/{preset_id}")
def _update_preset(w: World) -> Any:
    return w.client.patch(f"/api/library/presets/{w.ids['preset']}", {"name": "Renamed"}, format="json")


@call("POST", "/api/library/presets/{preset_id}/execute")
def _execute_preset(w: World) -> Any:
    return w.client.post(f"/api/library/presets/{w.ids['preset']}/execute", {}, format="json")


@call("DELETE", "/api/library/presets/{preset_id}")
def _delete_preset(w: World) -> Any:
    return w.client.delete(f"/api/library/presets/{w.ids['preset']}")


@call("GET", "/api/library/agents")
def _library(w: World) -> Any:
    response = w.client.get("/api/library/agents")
    w.ids["agent"] = next(item["id"] for item in response.json()["agents"] if item["graph_id"] == w.ids["graph"]["id"])
    return response


@call("PATCH", "/api/library/agents/{library_agent_id}")
def _update_agent(w: World) -> Any:
    return w.client.patch(f"/api/library/agents/{w.ids['agent']}", {"is_favorite": True}, format="json")


@call("GET", "/api/library/agents/favorites")
def _favorites(w: World) -> Any:
    return w.client.get("/api/library/agents/favorites")


@call("GET", "/api/library/agents/{library_agent_id}")
def _agent(w: World) -> Any:
    return w.client.get(f"/api/library/agents/{w.ids['agent']}")


@call("GET", "/api/library/agents/by-graph/{graph_id}")
def _agent_by_graph(w: World) -> Any:
    return w.client.get(f"/api/library/agents/by-graph/{w.ids['triggered']['id']}")


@call("GET", "/api/library/agents/marketplace/{store_listing_version_id}")
def _agent_from_store(w: World) -> Any:
    return w.client.get(f"/api/library/agents/marketplace/{uuid.uuid4()}")


@call("POST", "/api/library/agents")
def _add_from_store(w: World) -> Any:
    return w.client.post("/api/library/agents", {"store_listing_version_id": str(uuid.uuid4())}, format="json")


@call("POST", "/api/library/agents/{library_agent_id}/fork")
def _fork(w: World) -> Any:
    return w.client.post(f"/api/library/agents/{w.ids['agent']}/fork")


@call("DELETE", "/api/library/agents/{library_agent_id}")
def _delete_agent(w: World) -> Any:
    return w.client.delete(f"/api/library/agents/{w.ids['agent']}")


@call("POST", "/api/files/upload")
def _upload(w: World) -> Any:
    upload = SimpleUploadedFile("notes.txt", b"hello, files\n", content_type="text/plain")
    return w.client.post("/api/files/upload?expiration_hours=2", {"file": upload}, format="multipart")


@call("DELETE", "/api/executions/{graph_exec_id}")
def _delete_run(w: World) -> Any:
    return w.client.delete(f"/api/executions/{w.ids['run']['id']}")


@call("DELETE", "/api/graphs/{graph_id}")
def _delete_graph(w: World) -> Any:
    return w.client.delete(f"/api/graphs/{w.ids['graph']['id']}")


# --- checking ------------------------------------------------------------------------


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = component(schema["$ref"].rsplit("/", 1)[-1])
    return schema


def _undeclared_gaps(body: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """Fields upstream's models declare that the body leaves out, at any depth: upstream's models
    answer every field, nulls and defaults included."""
    schema = _resolved(schema)
    if "anyOf" in schema:
        branches = [branch for branch in schema["anyOf"] if _resolved(branch).get("type") != "null"]
        gaps = [_undeclared_gaps(body, branch, where) for branch in branches]
        return min(gaps, key=len) if gaps else []
    if isinstance(body, list) and "items" in schema:
        return [gap for i, item in enumerate(body) for gap in _undeclared_gaps(item, schema["items"], f"{where}/{i}")]
    if isinstance(body, dict) and isinstance(schema.get("additionalProperties"), dict):
        value_schema = schema["additionalProperties"]
        return [gap for key, item in body.items() for gap in _undeclared_gaps(item, value_schema, f"{where}/{key}")]
    if isinstance(body, dict) and "properties" in schema:
        gaps = [f"{where or '(body)'}: missing field {name!r}" for name in schema["properties"] if name not in body]
        for name, declared in schema["properties"].items():
            if name in body:
                gaps += _undeclared_gaps(body[name], declared, f"{where}/{name}")
        return gaps
    return []


def contract_violations(method: str, path: str, response: Any) -> list[str]:
    upstream_path, upstream_method = upstream_operations()[(method, _template(path))]
    responses = document()["paths"][upstream_path][upstream_method]["responses"]
    status = str(response.status_code)
    if status not in responses:
        return [f"status {status} is not one upstream documents ({sorted(responses)}): {response.content[:300]!r}"]
    content = responses[status].get("content", {}).get("application/json")
    if content is None or not content.get("schema"):
        return []
    body = response.json()
    at = pointer("paths", upstream_path, upstream_method, "responses", status, "content", "application/json", "schema")
    errors = schema_errors(body, at)
    return errors or _undeclared_gaps(body, content["schema"])


def test_every_route_is_checked_against_upstream_or_listed_as_ours_with_a_reason() -> None:
    ours = our_operations()
    upstream = upstream_operations()

    unchecked = sorted(op for op in ours if op not in CALLS and op not in OURS_ONLY)
    stale = sorted(op for op in [*CALLS, *OURS_ONLY] if op not in ours)
    claimed_but_upstream = sorted(op for op in OURS_ONLY if op in upstream)
    checked_but_not_upstream = sorted(op for op in CALLS if op not in upstream)

    assert not unchecked, f"routes without a contract check (add a call, or an OURS_ONLY reason): {unchecked}"
    assert not stale, f"checks of routes we no longer serve: {stale}"
    assert not claimed_but_upstream, f"upstream documents these: check them instead: {claimed_but_upstream}"
    assert not checked_but_not_upstream, f"upstream has no such operations: {checked_but_not_upstream}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker_process", "google_server")
def test_every_shared_route_answers_in_upstreams_documented_shape(settings: Any, tmp_path: Any) -> None:
    settings.PLATFORM_BASE_URL = "https://agents.example.com"
    settings.STORAGES = {
        **settings.STORAGES,
        "files": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/m")
    user = funded_user()
    world = World(client=client_for(user), staff=client_for(UserFactory(is_staff=True)), user=user)

    violations = {}
    for method, path in ORDER:
        response = CALLS[(method, path)](world)
        found = contract_violations(method, path, response)
        if found:
            violations[f"{method} {path}"] = found

    assert not violations, "\n".join(f"{operation}: {errors}" for operation, errors in violations.items())


def _sample_path(template: str) -> str:
    """A concrete path for a template: ids where ids go, version 1 after `execute`/`versions`."""
    parts = template.split("/")
    for index, part in enumerate(parts):
        if part == "{}":
            parts[index] = "1" if parts[index - 1] in ("execute", "versions") else str(uuid.uuid4())
    return "/".join(parts)


@pytest.mark.django_db
def test_every_shared_route_upstream_guards_answers_401_without_credentials() -> None:
    client = APIClient()
    wrong = {}
    for method, path in sorted(CALLS):
        upstream_path, upstream_method = upstream_operations()[(method, path)]
        if "401" not in document()["paths"][upstream_path][upstream_method]["responses"]:
            continue  # public upstream too: providers, the shared-run page, webhook deliveries
        response = client.generic(method, _sample_path(path), "{}", content_type="application/json")
        if response.status_code != 401:
            wrong[f"{method} {path}"] = response.status_code

    assert wrong == {}
