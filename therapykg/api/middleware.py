"""ASGI middleware: structured access logs and a request body size limit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("therapykg.access")


class AccessLogMiddleware:
    """One JSON line per request: method, path, status, bytes, duration."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status, size = 0, 0

        async def sending(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                client = scope.get("client") or ("", 0)
                access_log.info(json.dumps({
                    "method": scope["method"], "path": scope["path"], "query": scope.get("query_string", b"").decode("latin-1")[:200],
                    "status": status, "bytes": size, "ms": round((time.perf_counter() - start) * 1000, 2),
                    "client": client[0],
                }))


class BodyLimitMiddleware:
    """413 for a request body larger than ``limit`` bytes, declared or streamed.

    The rest of the body is read and dropped before the answer (up to
    ``drain_bytes`` more and ``drain_seconds``, in constant memory): a client
    that writes its whole body before reading would otherwise meet a
    connection reset, since closing a socket with unread data resets it. The
    413 closes the connection, so a body beyond those bounds is cut."""

    def __init__(self, app: ASGIApp, limit: int, *, drain_bytes: int = 4 * 1024 * 1024, drain_seconds: float = 5.0):
        self.app, self.limit = app, limit
        self.drain_bytes, self.drain_seconds = drain_bytes, drain_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            # A client waiting for "100 Continue" has not sent the body: nothing to drain.
            if headers.get(b"expect", b"").lower() != b"100-continue":
                await self._drain(receive)
            await self._too_large(send)
            return
        seen = 0

        async def receiving() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(more=message.get("more_body", False))
            return message

        try:
            await self.app(scope, receiving, send)
        except _TooLarge as too_large:
            if too_large.more:
                await self._drain(receive)
            await self._too_large(send)

    async def _drain(self, receive: Receive) -> None:
        drained = 0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.drain_seconds):
                while drained <= self.drain_bytes:
                    message = await receive()
                    if message["type"] != "http.request":
                        return
                    drained += len(message.get("body", b""))
                    if not message.get("more_body", False):
                        return

    async def _too_large(self, send: Send) -> None:
        body = f"request body larger than {self.limit} bytes\n".encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    def __init__(self, *, more: bool):
        super().__init__()
        self.more = more
