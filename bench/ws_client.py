"""A lean websocket client for the fan-out benchmark: a thousand of them share one core with the server.

The `websockets` library costs tens of microseconds per message on this
machine, so 1 000 of its clients measure themselves more than the server. This
one is an asyncio protocol that does the opening handshake, sends masked text
frames, and reads the server's (unmasked, unfragmented) text frames, noting
for each graph event its run id, seq and the time its bytes arrived.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import time
from collections.abc import Callable

from bench.ws_messages import run_and_seq

Receipt = tuple[str, int, float]


TEXT, PING, PONG = 0x1, 0x9, 0xA


def _frame(payload: bytes, opcode: int = TEXT) -> bytes:
    """A client frame: final, masked (clients must mask)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    return header + mask + masked


class LeanClient(asyncio.Protocol):
    def __init__(self, host: str, path: str, on_receipt: Callable[[Receipt], None]) -> None:
        self._request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self._on_receipt = on_receipt
        self._buffer = b""
        self._open = False
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.first_text: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self._request)

    def send_text(self, text: str) -> None:
        assert self.transport is not None
        self.transport.write(_frame(text.encode()))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        received = time.monotonic()
        self._buffer += data
        if not self._open:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self._buffer[: self._buffer.find(b"\r\n")]
            self._buffer = self._buffer[end + 4 :]
            self._open = True
            if b" 101 " in status:
                self.opened.set_result(None)
            else:
                self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                return
        self._read_frames(received)

    def _read_frames(self, received: float) -> None:
        buffer = self._buffer
        offset = 0
        while len(buffer) - offset >= 2:
            opcode, length = buffer[offset] & 0x0F, buffer[offset + 1] & 0x7F
            start = offset + 2
            if length == 126:
                if len(buffer) - offset < 4:
                    break
                (length,) = struct.unpack_from("!H", buffer, start)
                start += 2
            elif length == 127:
                if len(buffer) - offset < 10:
                    break
                (length,) = struct.unpack_from("!Q", buffer, start)
                start += 8
            if len(buffer) < start + length:
                break
            if opcode == PING and self.transport is not None:
                # Daphne pings every 20 s and drops clients that do not answer.
                self.transport.write(_frame(bytes(buffer[start : start + length]), PONG))
            elif opcode == TEXT:
                text = buffer[start : start + length].decode()
                if not self.first_text.done():
                    self.first_text.set_result(text)
                else:
                    key = run_and_seq(text)
                    if key is not None:
                        self._on_receipt((key[0], key[1], received))
            offset = start + length
        self._buffer = buffer[offset:]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))


async def connect(host: str, port: int, path: str, on_receipt: Callable[[Receipt], None]) -> LeanClient:
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(lambda: LeanClient(f"{host}:{port}", path, on_receipt), host, port)
    await client.opened
    return client
