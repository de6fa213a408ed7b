"""DataForSEO Labs' live keyword endpoints.

`POST /v3/dataforseo_labs/google/{keyword_suggestions,related_keywords}/live` with HTTP Basic
login and password and a JSON array of one task. As DataForSEO does, a wrong login gets HTTP
401 with `status_code` 40100; everything else is HTTP 200 with the outcome in `status_code`
(request level and task level): a task without `keyword` is 40501, and `reply_next` scripts
the per-minute rate limit (`RATE_LIMITED`, 40202). Keywords are generated from the seed, at
most `limit` (related keywords: as many as `depth` allows), so answers are deterministic.
The seeds of upstream's self-tests answer upstream's sample items.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response, request

from tests.fakes.provider import FakeProvider, json_response, provider_app
from tests.fakes.server import serve

USERNAME = "mock-dataforseo-username"
PASSWORD = "mock-dataforseo-password"
VERSION = "0.1.20250930"

UNAUTHORIZED = {
    "version": VERSION,
    "status_code": 40100,
    "status_message": (
        "You are not authorized to access this resource. See your login details here: "
        "https://app.dataforseo.com/api-access"
    ),
    "time": "0 sec.",
    "cost": 0,
    "tasks_count": 0,
    "tasks_error": 0,
    "tasks": None,
}
RATE_LIMITED = {
    "version": VERSION,
    "status_code": 40202,
    "status_message": "Rate-limit per minute exceeded.",
    "time": "0 sec.",
    "cost": 0,
    "tasks_count": 0,
    "tasks_error": 0,
    "tasks": None,
}
# Related keywords found per level of depth (DataForSEO: 0 -> 1, 1 -> ~8, 2 -> ~72, ...).
RELATED_PER_DEPTH = (1, 8, 72, 584, 4680)
# Upstream's sample answers, so its self-tests expect what they were written for.
SAMPLE_KEYWORDS = {"digital marketing": "digital marketing strategy", "content marketing": "content strategy"}


def keyword_data(keyword: str, n: int) -> dict[str, Any]:
    return {
        "se_type": "google",
        "keyword": keyword,
        "location_code": 2840,
        "language_code": "en",
        "keyword_info": {"search_volume": 1000 * n, "competition": 0.5, "cpc": 2.5},
        "keyword_properties": {"keyword_difficulty": 40 + n},
        "serp_info": {"se_results_count": 100000 * n},
        "clickstream_keyword_info": {"search_volume": 900 * n},
    }


def suggested_keywords(seed: str, count: int) -> list[str]:
    first = SAMPLE_KEYWORDS.get(seed, f"{seed} 1")
    return [first, *(f"{seed} {n}" for n in range(2, count + 1))][:count]


def answer(path: list[str], task: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    result = {"seed_keyword": task["keyword"], "total_count": len(items), "items_count": len(items), "items": items}
    return {
        "version": VERSION,
        "status_code": 20000,
        "status_message": "Ok.",
        "time": "0.1 sec.",
        "cost": 0.01,
        "tasks_count": 1,
        "tasks_error": 0,
        "tasks": [
            {
                "id": "09301200-0000-0000-0000-000000000001",
                "status_code": 20000,
                "status_message": "Ok.",
                "cost": 0.01,
                "result_count": 1,
                "path": path,
                "data": {"api": "dataforseo_labs", "function": path[-2], "se_type": "google", **task},
                "result": [result],
            }
        ],
    }


def task_error(path: list[str], task: dict[str, Any], code: int, message: str) -> dict[str, Any]:
    body = answer(path, task, [])
    body["tasks_error"] = 1
    body["tasks"][0].update(status_code=code, status_message=message, result=None)
    return body


@contextmanager
def fake_dataforseo() -> Iterator[FakeProvider]:
    state = FakeProvider()
    app = provider_app("fake-dataforseo", state)
    expected_auth = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()

    @app.post("/v3/dataforseo_labs/google/<function>/live")
    def live(function: str) -> Response:
        if request.headers.get("Authorization") != expected_auth:
            return json_response(UNAUTHORIZED, 401)
        if function not in ("keyword_suggestions", "related_keywords"):
            return json_response({**UNAUTHORIZED, "status_code": 40400, "status_message": "Not Found."}, 404)
        tasks = request.get_json(silent=True)
        if not isinstance(tasks, list) or len(tasks) != 1 or not isinstance(tasks[0], dict):
            return json_response({**UNAUTHORIZED, "status_code": 40006, "status_message": "Invalid Tasks Array."})
        task = tasks[0]
        path = ["v3", "dataforseo_labs", "google", function, "live"]
        if not task.get("keyword"):
            return json_response(task_error(path, {"keyword": ""}, 40501, "Invalid Field: 'keyword'."))
        limit = int(task.get("limit", 100))
        if function == "keyword_suggestions":
            keywords = suggested_keywords(task["keyword"], limit)
            items = [keyword_data(keyword, n) for n, keyword in enumerate(keywords, 1)]
        else:
            count = min(limit, RELATED_PER_DEPTH[int(task.get("depth", 1))])
            keywords = suggested_keywords(task["keyword"], count)
            items = [
                {"se_type": "google", "keyword_data": keyword_data(keyword, n), "depth": 1}
                for n, keyword in enumerate(keywords, 1)
            ]
        return json_response(answer(path, task, items))

    with serve(app) as base_url:
        state.base_url = base_url
        state.settings_urls = {"DATAFORSEO_BASE_URL": base_url}
        yield state
