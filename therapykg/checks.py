"""Quality checks: each ``queries/qc/*.rq`` returns the rows that violate it;
any row fails the build."""

from __future__ import annotations

from dataclasses import dataclass

from therapykg.namespaces import compact, shorten
from therapykg.queries import quality_checks
from therapykg.store.graph import KnowledgeGraph


@dataclass(frozen=True)
class CheckFailure:
    check: str
    entity: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.entity}: {self.message}"


def run_checks(graph: KnowledgeGraph) -> list[CheckFailure]:
    failures = []
    for name, check in quality_checks().items():
        for row in graph.select(check.text):
            entity = row.get("entity")
            message = row.get("message")
            failures.append(CheckFailure(
                check=name,
                entity=compact(entity.value) if entity is not None else "?",
                message=shorten(message.value) if message is not None else check.title,
            ))
    return failures
