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

    def __post_init__(self):
        if self.graphql_cache_size < 0:
            raise ValueError("THERAPYKG_GRAPHQL_CACHE_SIZE must be 0 (off) or more")
        if self.query_timeout <= 0 or self.max_rows <= 0 or self.query_workers <= 0 or self.max_body_bytes <= 0:
            raise ValueError("THERAPYKG_QUERY_TIMEOUT, _MAX_ROWS, _QUERY_WORKERS and _MAX_BODY_BYTES must be positive")


ENVIRONMENT = {f.name: f"THERAPYKG_{f.name.upper()}" for f in fields(Settings)}
