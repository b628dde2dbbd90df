"""``therapykg export fhir``: the graph's FHIR R5 resources (the domain's
mapping, :mod:`therapykg.domain.fhir`) as one ``collection`` Bundle, or one
JSON file per resource (``{Type}/{id}.json`` under a folder). The output is
deterministic: the same graph gives the same bytes.

The command line (``therapykg/cli.py``) parses the options and calls :func:`export`."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from therapykg.domain.fhir import bundle as collection_bundle
from therapykg.domain.fhir import fhir_resources, resource_json
from therapykg.domain.loaders import Loaders
from therapykg.store.engine import GraphSelector
from therapykg.store.graph import KnowledgeGraph


def export(kg: KnowledgeGraph, *, out_dir: Path | None, bundle: Path | None) -> dict[str, int]:
    """Write the FHIR resources of ``kg`` to ``out_dir`` (one file per resource) and/or to ``bundle`` (a collection
    Bundle); answer how many resources of each type were written."""
    if out_dir is None and bundle is None:
        raise ValueError("give a folder (out_dir) or a bundle file (bundle)")
    resources = asyncio.run(fhir_resources(Loaders(GraphSelector(kg))))
    if bundle is not None:
        bundle.parent.mkdir(parents=True, exist_ok=True)
        bundle.write_bytes(resource_json(collection_bundle(resources, version=kg.version), indent=2) + b"\n")
    if out_dir is not None:
        for resource in resources:
            folder = out_dir / resource.get_resource_type()
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{resource.id}.json").write_bytes(resource_json(resource, indent=2) + b"\n")
    return dict(sorted(Counter(r.get_resource_type() for r in resources).items()))
