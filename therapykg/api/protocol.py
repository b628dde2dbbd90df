"""The HTTP/1.1 connection handling the service runs under uvicorn: uvicorn's
httptools protocol with bounds on each request head (request line and
headers), which uvicorn leaves unbounded in size and in time, and the uvicorn
options that bound connections."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from therapykg.api.settings import Settings

ABORT_EXTENSION = "therapykg.abort"


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``. They travel inside uvicorn's
    configuration, so every worker process gets the same bounds."""
    return {
        "http": functools.partial(BoundedHttpToolsProtocol, max_head_bytes=settings.max_header_bytes,
                                  head_timeout=settings.header_timeout),
        "ws": "none",  # no WebSocket routes: nothing takes a connection past these bounds
        "timeout_keep_alive": settings.keepalive_timeout,
        "limit_concurrency": settings.max_connections,
    }


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """A request head longer than ``max_head_bytes`` gets 431, one not complete
    ``head_timeout`` seconds after its first byte gets 408; either way the
    connection is closed. A new connection that sends nothing for
    ``head_timeout`` seconds is closed without an answer (between requests,
    uvicorn's keep-alive timeout closes idle connections).

    Bytes are counted before they reach the parser: httptools joins the pieces
    of a header value by copying, so an endless header costs time quadratic in
    its length, all of it on the event loop."""

    def __init__(self, *args: Any, max_head_bytes: int, head_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_head_bytes, self.head_timeout = max_head_bytes, head_timeout
        self.in_head = True  # the next bytes belong to a request head
        self.head_bytes = 0
        self.head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.in_head and self.head_timer is None:
            self._arm_head_timer()
        while data and self.in_head:
            room = self.max_head_bytes - self.head_bytes
            if room <= 0:
                self._refuse(431, f"request line and headers larger than {self.max_head_bytes} bytes")
                return
            piece, data = data[:room], data[room:]
            self.head_bytes += len(piece)
            super().data_received(piece)
            if self.transport.is_closing():
                return
        if data:
            super().data_received(data)

    def on_headers_complete(self) -> None:
        self.in_head = False
        self._disarm_head_timer()
        super().on_headers_complete()
        # A response cut off mid-stream must drop the connection at once:
        # close() would wait for a client that never reads to drain it.
        self.scope.setdefault("extensions", {})[ABORT_EXTENSION] = {"abort": self.transport.abort}

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_head, self.head_bytes = True, 0

    def _arm_head_timer(self) -> None:
        self._disarm_head_timer()
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.transport.is_closing():
            return
        if self.head_bytes == 0:
            self.transport.close()  # a new connection that never sent a byte
        else:
            self._refuse(408, f"request headers not complete within {self.head_timeout:g} s")

    def _refuse(self, status: int, reason: str) -> None:
        """Answer ``status`` and close; while an earlier response is still being
        written, stop reading and close once it is done instead."""
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False
            self.flow.pause_reading()
            return
        self.logger.warning("%s: %s", status, reason)
        body = f"{reason}\n".encode()
        head = [STATUS_LINE[status]]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [b"content-type: text/plain; charset=utf-8\r\n", b"content-length: %d\r\n" % len(body), b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
