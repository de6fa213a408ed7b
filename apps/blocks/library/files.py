"""Files in graphs: keeping one among the user's files, and reading one as text (upstream's FileStore and FileRead).

A block's file input is one of the run owner's file URIs (from `POST /api/files/upload` or
another FileStore), a `data:` URI, or a URL; `apps/files/media.py` reads it, owner-checked.
"""

from __future__ import annotations

from typing import Any

from apps.blocks.base import Block, BlockCategory, BlockOutput
from apps.blocks.schema import BlockSchemaInput, BlockSchemaOutput, SchemaField
from apps.files.media import data_uri, media_file_keep, media_file_read
from apps.files.uris import is_file_uri

HELLO_DATA_URI = "data:text/plain;base64,SGVsbG8gV29ybGQ="


class FileStoreBlock(Block):
    id = "cbb50872-625b-42f0-8203-a2ae78242d8a"
    description = "Stores the input file in the temporary directory."
    categories = frozenset({BlockCategory.BASIC, BlockCategory.MULTIMEDIA})
    static_output = True

    class Input(BlockSchemaInput):
        file_in: str = SchemaField(
            description="The file to store in the temporary directory, it can be a URL, data URI, or local path.",
            format="file",
        )
        base_64: bool = SchemaField(
            description=(
                "Whether produce an output in base64 format (not recommended, you can pass the string path "
                "just fine accross blocks)."
            ),
            default=False,
            advanced=True,
            title="Produce Base64 Output",
        )

    class Output(BlockSchemaOutput):
        file_out: str = SchemaField(
            description="The relative path to the stored file in the temporary directory.", format="file"
        )

    test_input = [{"file_in": HELLO_DATA_URI, "base_64": True}, {"file_in": HELLO_DATA_URI}]
    test_output = [("file_out", HELLO_DATA_URI), ("file_out", is_file_uri)]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, user_id: str, **context: Any
    ) -> BlockOutput:
        media = await media_file_read(input_data.file_in, user_id=user_id, allow_urls=True)
        if input_data.base_64:
            yield "file_out", data_uri(media)
        else:
            yield "file_out", await media_file_keep(media, user_id=user_id)


def _chunks(text: str, size_limit: int) -> list[str]:
    if size_limit <= 0:
        return [text] if text else []
    return [text[start : start + size_limit] for start in range(0, len(text), size_limit)]


class FileReadBlock(Block):
    id = "3735a31f-7e18-4aca-9e90-08a7120674bc"
    description = (
        "Reads a file and returns its content as a string, with optional chunking by delimiter and size limits"
    )
    categories = frozenset({BlockCategory.TEXT, BlockCategory.DATA})

    class Input(BlockSchemaInput):
        file_input: str = SchemaField(description="The file to read from (URL, data URI, or local path)", format="file")
        delimiter: str = SchemaField(
            description="Delimiter to split the content into rows/chunks (e.g., '\\n' for lines)",
            default="",
            advanced=True,
        )
        size_limit: int = SchemaField(
            description="Maximum size in bytes per chunk to yield (0 for no limit)", default=0, advanced=True
        )
        row_limit: int = SchemaField(
            description="Maximum number of rows to process (0 for no limit, requires delimiter)",
            default=0,
            advanced=True,
        )
        skip_size: int = SchemaField(
            description="Number of characters to skip from the beginning of the file", default=0, advanced=True
        )
        skip_rows: int = SchemaField(
            description="Number of rows to skip from the beginning (requires delimiter)", default=0, advanced=True
        )

    class Output(BlockSchemaOutput):
        content: str = SchemaField(
            description="File content, yielded as individual chunks when delimiter or size limits are applied"
        )

    test_input = [
        {"file_input": HELLO_DATA_URI},
        {"file_input": "data:text/csv;base64,YSxiCjEsMgozLDQK", "delimiter": "\n", "skip_rows": 1, "row_limit": 2},
        {"file_input": HELLO_DATA_URI, "size_limit": 6},
    ]
    test_output = [
        ("content", "Hello World"),
        ("content", "1,2\n3,4"),
        ("content", "Hello "),
        ("content", "World"),
    ]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, user_id: str, **context: Any
    ) -> BlockOutput:
        media = await media_file_read(input_data.file_input, user_id=user_id, allow_urls=True)
        try:
            content = media.content.decode("utf-8")
        except UnicodeDecodeError:
            # Upstream's fallback: every byte string is valid Latin-1.
            content = media.content.decode("latin-1")
        if input_data.skip_size > 0:
            content = content[input_data.skip_size :]
        items = content.split(input_data.delimiter) if input_data.delimiter else [content]
        if input_data.skip_rows > 0:
            items = items[input_data.skip_rows :]
        if input_data.row_limit > 0:
            items = items[: input_data.row_limit]
        if not items:
            yield "content", ""
            return
        for chunk in _chunks(input_data.delimiter.join(items), input_data.size_limit):
            yield "content", chunk
