"""ExecuteCode against a local server speaking E2B's API, envd's Connect RPC and the code interpreter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from apps.blocks.base import BlockExecutionError
from apps.blocks.e2b_sandbox import Sandbox, sandbox_request
from apps.blocks.library.code_executor import ExecuteCodeBlock
from apps.blocks.provider_http import ProviderUnavailableError
from apps.credentials.types import APIKeyCredentials
from tests.blocks.outputs import outputs_of
from tests.fakes import e2b
from tests.fakes.e2b import FakeE2B, fake_e2b

KEY = APIKeyCredentials(id="c0ffee00-0000-4000-8000-000000000005", provider="e2b", api_key=SecretStr(e2b.API_KEY))
WRONG_KEY = APIKeyCredentials(id=KEY.id, provider="e2b", api_key=SecretStr("e2b_wrong"))


@pytest.fixture
def fake(settings) -> Iterator[FakeE2B]:
    with fake_e2b() as started:
        started.apply(settings)
        yield started


def node_input(**fields: object) -> dict[str, object]:
    return {"credentials": KEY.meta(), **fields}


async def test_the_code_runs_in_a_fresh_code_interpreter_sandbox_which_is_then_stopped(fake: FakeE2B) -> None:
    fake.script(
        "summarise()",
        stdout=["loading\n", "done\n"],
        stderr=["warning: slow\n"],
        results=[
            {"text": "<Figure>", "png": "iVBORw0K", "is_main_result": False},
            {"text": "{'items': [1, 2]}", "json": {"items": [1, 2]}, "is_main_result": True},
        ],
    )

    outputs = await outputs_of(ExecuteCodeBlock, node_input(code="summarise()"), credentials=KEY)

    assert outputs == [
        ("main_result", {"text": "{'items': [1, 2]}", "json": {"items": [1, 2]}}),
        (
            "results",
            [
                {"text": "<Figure>", "png": "iVBORw0K", "is_main_result": False},
                {"text": "{'items': [1, 2]}", "json": {"items": [1, 2]}, "is_main_result": True},
            ],
        ),
        ("response", "{'items': [1, 2]}"),
        ("stdout_logs", "loading\ndone\n"),
        ("stderr_logs", "warning: slow\n"),
    ]
    (created,) = fake.requests_to("/sandboxes")
    assert created.headers["X-Api-Key"] == e2b.API_KEY
    assert created.json() == {"templateID": "code-interpreter-v1", "timeout": 300}
    (sandbox,) = fake.sandboxes.values()
    assert fake.executions == [
        {
            "sandbox_id": sandbox.sandbox_id,
            "code": "summarise()",
            "context_id": None,
            "language": "python",
            "env_vars": {},
        }
    ]
    assert not sandbox.alive


async def test_setup_commands_run_in_order_through_envd_before_the_code(fake: FakeE2B) -> None:
    await outputs_of(
        ExecuteCodeBlock,
        node_input(setup_commands=["pip install cowsay", "echo ready"], code="print('hi')", language="bash"),
        credentials=KEY,
    )

    (sandbox,) = fake.sandboxes.values()
    assert fake.commands == [(sandbox.sandbox_id, "pip install cowsay"), (sandbox.sandbox_id, "echo ready")]
    started = fake.requests_to("/sandbox/process.Process/Start")[0]
    assert started.headers["E2B-Sandbox-Port"] == "49983"
    assert started.headers["X-Access-Token"] == sandbox.access_token
    assert started.headers["Authorization"] == "Basic dXNlcjo="
    assert fake.executions[0]["language"] == "bash"


async def test_a_failing_setup_command_fails_the_node_with_its_exit_code_and_stderr(fake: FakeE2B) -> None:
    fake.command_reply("pip install nothing-here", stderr="ERROR: No matching distribution\n", exit_code=1)

    with pytest.raises(BlockExecutionError) as failure:
        await outputs_of(ExecuteCodeBlock, node_input(setup_commands=["pip install nothing-here"]), credentials=KEY)

    assert str(failure.value) == "Command exited with code 1 and error:\nERROR: No matching distribution\n"
    assert fake.executions == []
    assert not next(iter(fake.sandboxes.values())).alive


async def test_an_exception_in_the_code_is_the_nodes_error_and_stops_the_sandbox_even_when_kept(
    fake: FakeE2B,
) -> None:
    fake.script("1 / 0", error={"name": "ZeroDivisionError", "value": "division by zero", "traceback": "Traceback"})

    with pytest.raises(BlockExecutionError) as failure:
        await outputs_of(ExecuteCodeBlock, node_input(code="1 / 0", dispose_sandbox=False), credentials=KEY)

    assert str(failure.value) == (
        "ExecutionError(name='ZeroDivisionError', value='division by zero', traceback='Traceback')"
    )
    assert not next(iter(fake.sandboxes.values())).alive


async def test_a_kept_sandbox_is_left_running_for_its_lifetime(fake: FakeE2B) -> None:
    outputs = await outputs_of(
        ExecuteCodeBlock, node_input(code="print('kept')\n42", dispose_sandbox=False, timeout=600), credentials=KEY
    )

    assert outputs[0] == ("main_result", {"text": "42"})
    (sandbox,) = fake.sandboxes.values()
    assert sandbox.alive and sandbox.timeout == 600
    assert [received.method for received in fake.requests if received.path.startswith("/sandboxes")] == ["POST"]


async def test_a_named_template_is_started_and_an_unknown_one_is_refused_with_e2bs_message(fake: FakeE2B) -> None:
    await outputs_of(ExecuteCodeBlock, node_input(code="1", template_id="base"), credentials=KEY)
    assert fake.requests_to("/sandboxes")[0].json()["templateID"] == "base"

    with pytest.raises(BlockExecutionError, match=r"^404: template 'nope' not found$"):
        await outputs_of(ExecuteCodeBlock, node_input(code="1", template_id="nope"), credentials=KEY)


async def test_a_wrong_key_gets_e2bs_unauthorized_text_and_starts_nothing(fake: FakeE2B) -> None:
    with pytest.raises(BlockExecutionError) as failure:
        await outputs_of(ExecuteCodeBlock, {"credentials": KEY.meta(), "code": "1"}, credentials=WRONG_KEY)

    assert str(failure.value) == (
        "401: Unauthorized, please check your credentials. - Invalid API key, please visit https://e2b.dev/docs/api-key"
    )
    assert fake.sandboxes == {}
    assert "e2b_wrong" not in str(failure.value)


async def test_a_rate_limited_start_is_handed_back_to_be_tried_again_later(fake: FakeE2B) -> None:
    fake.reply_next("/sandboxes", 429, {"code": 429, "message": "Rate limit exceeded"}, {"Retry-After": "5"})

    with pytest.raises(
        ProviderUnavailableError, match=r"^429: Rate limit exceeded, please try again later\. - Rate limit exceeded$"
    ):
        await outputs_of(ExecuteCodeBlock, node_input(code="1"), credentials=KEY)

    assert ExecuteCodeBlock.retry is not None
    assert ExecuteCodeBlock.retry.retry_on == (ProviderUnavailableError,)


async def test_a_sandbox_gone_before_the_code_ran_reports_the_sandbox_timeout(fake: FakeE2B) -> None:
    fake.reply_next("/sandbox/execute", 502, "The sandbox was not found")

    with pytest.raises(
        BlockExecutionError, match=r"^The sandbox was not found: This error is likely due to sandbox timeout\."
    ):
        await outputs_of(ExecuteCodeBlock, node_input(code="1"), credentials=KEY)


async def test_an_unreachable_e2b_is_handed_back_to_be_tried_again_later(settings) -> None:
    settings.PROVIDER_BASE_URLS = {**settings.PROVIDER_BASE_URLS, "e2b": "http://127.0.0.1:9"}

    with pytest.raises(ProviderUnavailableError, match="Could not reach E2B"):
        await outputs_of(ExecuteCodeBlock, node_input(code="1"), credentials=KEY)


def test_without_a_sandbox_url_each_sandbox_is_reached_at_its_own_host(settings) -> None:
    settings.PROVIDER_BASE_URLS = {**settings.PROVIDER_BASE_URLS, "e2b_sandbox": ""}
    sandbox = Sandbox(sandbox_id="isb1", domain="e2b.app", access_token="token")

    url, headers = sandbox_request(sandbox, 49999, "/execute")

    assert url == "https://49999-isb1.e2b.app/execute"
    assert headers == {"E2b-Sandbox-Id": "isb1", "E2b-Sandbox-Port": "49999", "X-Access-Token": "token"}


async def test_a_sandbox_id_that_is_not_a_host_name_is_refused(fake: FakeE2B) -> None:
    fake.reply_next("/sandboxes", 201, {"sandboxID": "evil.example/x", "envdVersion": "0.2.4", "domain": None})

    with pytest.raises(BlockExecutionError, match="not a host name"):
        await outputs_of(ExecuteCodeBlock, node_input(code="1"), credentials=KEY)

    assert fake.requests_to("/sandbox/execute") == []
