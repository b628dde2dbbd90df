"""Benchmark: this checkout against an earlier commit (a git worktree):
the SPARQL endpoint and the GraphQL API, same workload, same machine,
servers alternated query by query. Written to the section ``--section`` of
``--out`` (by default "Hardening cost", what the service's limits cost).

    python benchmarks/hardening.py --baseline f7d2fca [--duration 3] [--section TITLE] [--out BENCHMARKS.md]

Needs wrk (Debian package wrk). Both servers run from this interpreter; the
baseline imports its own package from the worktree (PYTHONPATH).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from graphql_api import COMPARE, PAGE  # noqa: E402
from graphql_api import run_wrk as graphql_wrk  # noqa: E402
from sparql_endpoint import run_wrk as sparql_wrk  # noqa: E402
from sparql_endpoint import workload, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPARQL_QUERIES = ("alternatives", "dose-on-day", "search", "trial-results", "generic: 5-way join, filter, order",
                  "generic: construct dose steps", "generic: count all triples")


def start(source: Path, port: int, cache: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(source), "THERAPYKG_GRAPHQL_CACHE_SIZE": str(cache)}
    process = subprocess.Popen([sys.executable, "-m", "therapykg", "serve", "--port", str(port), "--log-level", "warning",
                                "--query-workers", "2"], cwd=source, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server from {source} did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="the commit to compare with")
    parser.add_argument("--duration", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--section", default="Hardening cost", help="the BENCHMARKS.md section to write")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found (Debian package wrk)")
    queries = {name: text for name, text in workload().items() if name in SPARQL_QUERIES}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        baseline = tmp / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(baseline), args.baseline],
                       check=True, capture_output=True)
        try:
            for cache in (1024, 0):
                servers = {"before": start(baseline, 18761, cache), "after": start(ROOT, 18762, cache)}
                ports = {"before": 18761, "after": 18762}
                try:
                    work = [("GraphQL " + name, "/graphql", query, graphql_wrk) for name, query in
                            (("compareTherapies", COMPARE), ("therapy page", PAGE))]
                    if cache:
                        work += [("SPARQL " + name, "/sparql", query, sparql_wrk) for name, query in queries.items()]
                    for name, path, query, run in work:
                        for connections in (1, 8):
                            figures = {}
                            for side in ("before", "after"):
                                figures[side] = run(f"http://127.0.0.1:{ports[side]}{path}", query, connections, args.duration, tmp)
                            label = f"{name}{'' if cache or path != '/graphql' else ' (result cache off)'}"
                            rows.append((label, connections, figures["before"], figures["after"]))
                            print(f"{label:50} c={connections} p50 {figures['before']['p50']:.2f} -> {figures['after']['p50']:.2f} ms  "
                                  f"{figures['before']['rps']:.0f} -> {figures['after']['rps']:.0f} req/s", flush=True)
                finally:
                    for process in servers.values():
                        process.terminate()
                        process.wait()
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)], capture_output=True)
    report = render(rows, args)
    print(report)
    if args.out:
        write_section(args.out, args.section, report)


def render(rows, args) -> str:
    section = f" --section \"{args.section}\"" if args.section != "Hardening cost" else ""
    lines = [f"Command: `python benchmarks/hardening.py --baseline {args.baseline} --duration {args.duration}{section}"
             f"{' --out ' + str(args.out) if args.out else ''}`", "",
             f"Before: commit `{args.baseline}`; after: this checkout. Both `therapykg serve` with 2 query processes, "
             f"wrk POSTs, {args.duration} s per run, the two servers alternated run by run. Ratios are after / before: "
             "p50 above 1 or req/s below 1 is a cost. Latencies in ms.", "",
             "| workload | conns | p50 before | p50 after | p50 ratio | req/s before | req/s after | req/s ratio |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, connections, before, after in rows:
        lines.append(f"| {name} | {connections} | {before['p50']:.2f} | {after['p50']:.2f} | {after['p50'] / before['p50']:.2f} | "
                     f"{before['rps']:,.0f} | {after['rps']:,.0f} | {after['rps'] / before['rps']:.2f} |")
    p50 = [after["p50"] / before["p50"] for _, _, before, after in rows]
    rps = [after["rps"] / before["rps"] for _, _, before, after in rows]
    lines += ["", f"Median p50 ratio {statistics.median(p50):.2f} (min {min(p50):.2f}, max {max(p50):.2f}); "
                  f"median req/s ratio {statistics.median(rps):.2f} (min {min(rps):.2f}, max {max(rps):.2f})."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
