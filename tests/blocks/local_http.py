"""A real HTTP server on 127.0.0.1 for the web request tests; it records what it received."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class LocalServer:
    port: int
    requests: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _handle(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            received = {
                "method": self.command,
                "path": url.path,
                "host": self.headers.get("Host"),
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "body": self.rfile.read(length).decode() if length else None,
            }
            server.requests.append({**received, "headers": dict(self.headers.items())})
            if url.path == "/echo":
                self._send(200, json.dumps(received).encode())
            elif url.path == "/ok":
                self._send(200, b'{"ok": true}')
            elif url.path == "/missing":
                self._send(404, b'{"detail": "Nothing here"}')
            elif url.path == "/broken":
                self._send(503, b"Service unavailable", "text/plain")
            elif url.path == "/redirect":
                self._send(int(query.get("status", "302")), b"", Location=query.get("to", self.path))
            elif url.path == "/big":
                size = int(query["size"])
                if query.get("declare") == "1":
                    self._send(200, b"x" * size, "text/plain", Content_Length=str(size))
                else:
                    # HTTP/1.0 without Content-Length: the body runs until the connection closes.
                    self._send(200, b"", "text/plain")
                    for start in range(0, size, 4096):
                        self.wfile.write(b"x" * min(4096, size - start))
            elif url.path == "/slow":
                time.sleep(float(query.get("seconds", "2")))
                self._send(200, b'"late"')
            else:
                self._send(500, b"unexpected path")

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

    return Handler


@contextmanager
def local_http_server() -> Iterator[LocalServer]:
    state = LocalServer(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
