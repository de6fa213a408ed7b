"""ExecuteCode: run a snippet in an E2B sandbox, as upstream's `blocks/code_executor/`.

A sandbox is started from the template (E2B's code interpreter unless another is named),
the setup commands run in it one after another, then the code; the sandbox is stopped
afterwards unless the graph keeps it (`dispose_sandbox`), and always when the code failed,
as upstream's `on_error` does. `apps/blocks/e2b_sandbox.py` speaks the wire protocols.
"""

from __future__ import annotations

import enum
import logging
from typing import Any, Literal

from pydantic import BaseModel, Field, JsonValue, SecretStr

from apps.blocks import e2b_sandbox, provider_http
from apps.blocks.base import Block, BlockCategory, BlockCost, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.credentials.fields import CredentialsField, CredentialsMetaInput
from apps.credentials.providers import ProviderName
from apps.credentials.types import APIKeyCredentials

logger = logging.getLogger(__name__)

E2BCredentialsInput = CredentialsMetaInput[Literal[ProviderName.E2B], Literal["api_key"]]

TEST_CREDENTIALS = APIKeyCredentials(
    id="01234567-89ab-cdef-0123-456789abcdef",
    provider="e2b",
    api_key=SecretStr("mock-e2b-api-key"),
    title="Mock E2B API key",
)
TEST_CREDENTIALS_INPUT = TEST_CREDENTIALS.meta()

# A result's representations, in the order the SDK's `Result.formats()` lists them.
RESULT_FORMATS = (
    "text", "html", "markdown", "svg", "png", "jpeg", "pdf", "latex", "json", "javascript", "data", "chart",
)  # fmt: skip

MAIN_RESULT_DESCRIPTION = (
    "The main result from the code execution (the script's final expression). Its `json` sub-field is ONLY "
    "populated when the result is a dict/object/map — bare lists, strings, and numbers land in `text` as a string "
    "instead. To pass structured data downstream via `main_result_#_json_#_<key>` links, end the script with a "
    "key-value structure in the script's language (e.g. `{'items': my_list}` in Python, `({items: myList})` in "
    "JavaScript)."
)


class ProgrammingLanguage(enum.Enum):
    PYTHON = "python"
    JAVASCRIPT = "js"
    BASH = "bash"
    R = "r"
    JAVA = "java"


class MainCodeExecutionResult(BaseModel):
    """One displayed value of the run, in every representation the sandbox gave it."""

    text: str | None = None
    html: str | None = None
    markdown: str | None = None
    svg: str | None = None
    png: str | None = None
    jpeg: str | None = None
    pdf: str | None = None
    latex: str | None = None
    json_data: JsonValue | None = Field(None, alias="json")
    javascript: str | None = None
    data: dict[str, Any] | None = None
    chart: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None


class CodeExecutionResult(MainCodeExecutionResult):
    is_main_result: bool = False


def shown_result(result: dict[str, Any]) -> dict[str, Any]:
    """Upstream's shape of a result: its non-empty formats, `extra`, and `is_main_result`."""
    extra = result.get("extra")
    formats = [name for name in RESULT_FORMATS if result.get(name)]
    formats += list(extra) if isinstance(extra, dict) else []
    shown = {name: result[name] for name in [*formats, "extra"] if result.get(name) is not None}
    return {**shown, "is_main_result": bool(result.get("is_main_result"))}


class ExecuteCodeBlock(Block):
    id = "0b02b072-abe7-11ef-8372-fb5d162dd712"
    description = "Executes code in a sandbox environment with internet access."
    categories = frozenset({BlockCategory.DEVELOPER_TOOLS})
    # Upstream charges 1 credit per 10 s of wall time after the run; ours charges before it (docs/blocks.md).
    costs = (BlockCost(cost_amount=1),)
    retry = provider_http.PROVIDER_RETRY

    class Input(BlockSchemaInput):
        credentials: E2BCredentialsInput = CredentialsField(
            description="Enter your API key for the E2B platform. You can get it in here - https://e2b.dev/docs",
        )
        setup_commands: list[str] = SchemaField(
            description=(
                "Shell commands to set up the sandbox before running the code. You can use `curl` or `git` to "
                "install your desired Debian based package manager. `pip` and `npm` are pre-installed.\n\n"
                "These commands are executed with `sh`, in the foreground."
            ),
            placeholder="pip install cowsay",
            default_factory=list,
            advanced=False,
        )
        code: str = SchemaField(
            description="Code to execute in the sandbox",
            placeholder="print('Hello, World!')",
            default="",
            advanced=False,
        )
        language: ProgrammingLanguage = SchemaField(
            description="Programming language to execute", default=ProgrammingLanguage.PYTHON, advanced=False
        )
        timeout: int = SchemaField(description="Sandbox lifetime in seconds from creation", default=300)
        dispose_sandbox: bool = SchemaField(
            description=(
                "Whether to dispose of the sandbox immediately after execution. "
                "If disabled, the sandbox will run until its timeout expires."
            ),
            default=True,
        )
        template_id: str = SchemaField(
            description=(
                "You can use an E2B sandbox template by entering its ID here. Check out the E2B docs for more "
                "details: [E2B - Sandbox template](https://e2b.dev/docs/sandbox-template)"
            ),
            default="",
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        main_result: MainCodeExecutionResult = SchemaField(title="Main Result", description=MAIN_RESULT_DESCRIPTION)
        results: list[CodeExecutionResult] = SchemaField(description="List of results from the code execution")
        response: str = SchemaField(
            title="Main Text Output", description="Text output (if any) of the main execution result"
        )
        stdout_logs: str = SchemaField(description="Standard output logs from execution")
        stderr_logs: str = SchemaField(description="Standard error logs from execution")

    test_input = {
        "credentials": TEST_CREDENTIALS_INPUT,
        "code": "print('Hello World')",
        "language": ProgrammingLanguage.PYTHON.value,
        "setup_commands": [],
        "timeout": 300,
        "template_id": "",
    }
    # Upstream's mock also answered a main text; a real sandbox has none for a bare print().
    test_output = [("results", []), ("stdout_logs", "Hello World\n")]
    test_credentials = TEST_CREDENTIALS

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **context: Any
    ) -> BlockOutput:
        api_key = credentials.api_key.get_secret_value()
        sandbox = await e2b_sandbox.sandbox_create(
            api_key=api_key, template_id=input_data.template_id, timeout=input_data.timeout
        )
        execution: e2b_sandbox.Execution | None = None
        try:
            for command in input_data.setup_commands:
                await e2b_sandbox.run_command(sandbox=sandbox, command=command)
            execution = await e2b_sandbox.run_code(
                sandbox=sandbox, code=input_data.code, language=input_data.language.value
            )
        finally:
            if input_data.dispose_sandbox or execution is None or execution.error:
                await stop_quietly(api_key=api_key, sandbox=sandbox)
        if execution.error:
            raise e2b_sandbox.SandboxError(execution.error_message())
        results = [shown_result(result) for result in execution.results]
        main_result = next((result for result in results if result["is_main_result"]), None)
        if main_result is not None:
            yield "main_result", {name: value for name, value in main_result.items() if name != "is_main_result"}
        yield "results", results
        if execution.text:
            yield "response", execution.text
        if stdout := "".join(execution.stdout):
            yield "stdout_logs", stdout
        if stderr := "".join(execution.stderr):
            yield "stderr_logs", stderr


async def stop_quietly(*, api_key: str, sandbox: e2b_sandbox.Sandbox) -> None:
    # A sandbox that cannot be stopped now still stops when its lifetime ends; the run's own
    # outcome matters more than this cleanup, so its failure is logged and not raised.
    try:
        await e2b_sandbox.sandbox_kill(api_key=api_key, sandbox=sandbox)
    except (provider_http.ProviderError, provider_http.ProviderUnavailableError) as error:
        logger.warning("Could not stop E2B sandbox %s: %s", sandbox.sandbox_id, error)
