"""Benchmark: the GraphQL API: compareTherapies of 4 therapies with all
aspects, and a typical front-end page query, at 1 and 16 connections with 1
and 2 uvicorn workers, with the result cache on (the default) and off.

    python benchmarks/graphql_api.py [--duration 5] [--out BENCHMARKS.md]

Needs wrk (Debian package wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from sparql_endpoint import write_section, wrk  # noqa: E402

COMPARE = """query Compare { compareTherapies(ids: ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel"]) {
  therapies { id label kind }
  rows { aspect label comparable note cells { therapy status note values { text disputed
    quantity { value lower upper unit } hazardRatio pValue context { trial population setting endpoint comparator combination }
    sources { section articleReferences source { id title urls } } } } } } }"""

PAGE = """query TherapyPage { therapy(id: "tkgr:blinatumomab") { id label kind brandNames synonyms
  targets { id label } mechanisms { label } externalIds { ncit rxnorm drugbank atc }
  indications { label approvalDate diseaseStates { label } populations { label } sources { source { title } articleReferences } }
  regimens { label maximumCycles cycles { firstCycle lastCycle length { text } doseSteps { firstDay lastDay dose { text } cap { text } } } }
  adverseReactions { label anyGrade { text } grade3Plus { text } disputed sources { source { title } } } } }"""

QUERIES = {"compareTherapies (4 therapies, all aspects)": COMPARE, "front-end therapy page": PAGE}


def start(port: int, workers: int, cache: int, *, page_cache: int | None = None) -> subprocess.Popen:
    env = {**os.environ, "THERAPYKG_GRAPHQL_CACHE_SIZE": str(cache)}
    if page_cache is not None:
        env["THERAPYKG_PAGE_CACHE_BYTES"] = str(page_cache)
    process = subprocess.Popen([sys.executable, "-m", "therapykg", "serve", "--port", str(port), "--workers", str(workers),
                                "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                time.sleep(0.5 * workers)  # every worker process up
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not start")


def run_wrk(url: str, query: str, connections: int, duration: int, scripts: Path) -> dict[str, float]:
    response = httpx.post(url, json={"query": query}, timeout=30).json()
    if "errors" in response:
        raise RuntimeError(response["errors"])
    return wrk(url, json.dumps({"query": query}), {"Content-Type": "application/json"}, connections, duration, scripts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found (Debian package wrk)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for cache in (1024, 0):
            for workers in (1, 2):
                port = 18741 + workers + (10 if cache else 0)
                server = start(port, workers, cache)
                try:
                    for name, query in QUERIES.items():
                        for connections in (1, 16):
                            figures = run_wrk(f"http://127.0.0.1:{port}/graphql", query, connections, args.duration, Path(tmp))
                            rows.append((name, "on" if cache else "off", workers, connections, figures))
                            print(f"{name:45} cache={'on' if cache else 'off'} workers={workers} c={connections} "
                                  f"p50 {figures['p50']:.2f} ms  {figures['rps']:.0f} req/s", flush=True)
                finally:
                    server.terminate()
                    server.wait()
    lines = [f"Command: `python benchmarks/graphql_api.py --duration {args.duration}{' --out ' + str(args.out) if args.out else ''}`", "",
             "wrk POSTs the same GraphQL document for the whole run. With the result cache on (the default), repeats are "
             "answered from the cache for the graph version; with it off (`THERAPYKG_GRAPHQL_CACHE_SIZE=0`) every request "
             "runs its resolvers and SPARQL queries. Latencies in ms.", "",
             "| query | result cache | uvicorn workers | connections | p50 | p99 | req/s |", "|---|---|---:|---:|---:|---:|---:|"]
    for name, cache, workers, connections, f in rows:
        lines.append(f"| {name} | {cache} | {workers} | {connections} | {f['p50']:.2f} | {f['p99']:.2f} | {f['rps']:,.0f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        write_section(args.out, "GraphQL", report)


if __name__ == "__main__":
    main()
