"""Service settings from environment variables (the CLI sets them from its
flags, so that every uvicorn worker process sees the same values)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields


def _env(name: str, default: str) -> str:
    return os.environ.get(f"THERAPYKG_{name}", default)


@dataclass(frozen=True)
class Settings:
    store: str = field(default_factory=lambda: _env("STORE", "memory"))
    backend: str = field(default_factory=lambda: _env("BACKEND", ""))
    query_workers: int = field(default_factory=lambda: int(_env("QUERY_WORKERS", str(min(os.cpu_count() or 2, 4)))))
    query_timeout: float = field(default_factory=lambda: float(_env("QUERY_TIMEOUT", "10")))
    max_rows: int = field(default_factory=lambda: int(_env("MAX_ROWS", "10000")))
    max_body_bytes: int = field(default_factory=lambda: int(_env("MAX_BODY_BYTES", str(64 * 1024))))
    cors_origins: tuple[str, ...] = field(default_factory=lambda: tuple(o.strip() for o in _env("CORS_ORIGINS", "*").split(",") if o.strip()))
    cache_seconds: int = field(default_factory=lambda: int(_env("CACHE_SECONDS", "300")))
    base: str = field(default_factory=lambda: _env("BASE", "https://w3id.org/therapykg/"))
    graphql_cache_size: int = field(default_factory=lambda: int(_env("GRAPHQL_CACHE_SIZE", "1024")))
    page_cache_bytes: int = field(default_factory=lambda: int(_env("PAGE_CACHE_BYTES", str(32 << 20))))
    max_result_bytes: int = field(default_factory=lambda: int(_env("MAX_RESULT_BYTES", str(16 << 20))))
    query_memory_mib: int = field(default_factory=lambda: int(_env("QUERY_MEMORY_MIB", "0")))
    query_sandbox: str = field(default_factory=lambda: _env("QUERY_SANDBOX", "auto"))
    adhoc_queue: int = field(default_factory=lambda: int(_env("ADHOC_QUEUE", "16")))
    service_queue: int = field(default_factory=lambda: int(_env("SERVICE_QUEUE", "256")))
    send_timeout: float = field(default_factory=lambda: float(_env("SEND_TIMEOUT", "30")))
    max_header_bytes: int = field(default_factory=lambda: int(_env("MAX_HEADER_BYTES", str(16 * 1024))))
    header_timeout: float = field(default_factory=lambda: float(_env("HEADER_TIMEOUT", "10")))
    keepalive_timeout: float = field(default_factory=lambda: float(_env("KEEPALIVE_TIMEOUT", "5")))
    max_connections: int = field(default_factory=lambda: int(_env("MAX_CONNECTIONS", "512")))
    graphql_persisted_only: bool = field(default_factory=lambda: _env("GRAPHQL_PERSISTED_ONLY", "").lower() in ("1", "true", "yes", "on"))
    freeze_heap: bool = field(default_factory=lambda: _env("FREEZE_HEAP", "1").lower() in ("1", "true", "yes", "on"))

    def __post_init__(self):
        if self.graphql_cache_size < 0 or self.page_cache_bytes < 0:
            raise ValueError("THERAPYKG_GRAPHQL_CACHE_SIZE and _PAGE_CACHE_BYTES must be 0 (off) or more")
        if self.query_sandbox not in ("auto", "required", "off"):
            raise ValueError("THERAPYKG_QUERY_SANDBOX must be auto, required or off")
        if self.query_memory_mib < 0:
            raise ValueError("THERAPYKG_QUERY_MEMORY_MIB must be 0 (scaled to the store) or more")
        if min(self.max_result_bytes, self.adhoc_queue, self.service_queue, self.send_timeout) <= 0:
            raise ValueError("THERAPYKG_MAX_RESULT_BYTES, _ADHOC_QUEUE, _SERVICE_QUEUE and _SEND_TIMEOUT must be positive")
        if self.query_timeout <= 0 or self.max_rows <= 0 or self.query_workers <= 0 or self.max_body_bytes <= 0:
            raise ValueError("THERAPYKG_QUERY_TIMEOUT, _MAX_ROWS, _QUERY_WORKERS and _MAX_BODY_BYTES must be positive")
        if min(self.max_header_bytes, self.header_timeout, self.keepalive_timeout, self.max_connections) <= 0:
            raise ValueError("THERAPYKG_MAX_HEADER_BYTES, _HEADER_TIMEOUT, _KEEPALIVE_TIMEOUT and _MAX_CONNECTIONS must be positive")


ENVIRONMENT = {f.name: f"THERAPYKG_{f.name.upper()}" for f in fields(Settings)}
