"""Persisted operations: the allow-listed GraphQL documents of
queries/graphql/, run by id (the file's stem: ``GET
/graphql?id=compare-four&variables=...``, or ``documentId``) or by the
SHA-256 of their text (Apollo's automatic persisted queries,
``extensions={"persistedQuery": {"version": 1, "sha256Hash": ...}}``), so
that front-ends send short GET requests that CDNs and browsers can cache.
With THERAPYKG_GRAPHQL_PERSISTED_ONLY the endpoint runs these documents and
no others."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from therapykg import paths

PERSISTED_DIR = paths.QUERIES_ROOT / "graphql"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Persisted:
    by_id: dict[str, str]  # file stem -> document
    by_hash: dict[str, str]  # SHA-256 of the document (hex) -> document

    def allowed(self, document: str | None) -> bool:
        return document is not None and sha256(document) in self.by_hash


@cache
def persisted(folder: Path = PERSISTED_DIR) -> Persisted:
    """The documents of ``folder``, read once."""
    by_id = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.graphql"))}
    return Persisted(by_id=by_id, by_hash={sha256(text): text for text in by_id.values()})
