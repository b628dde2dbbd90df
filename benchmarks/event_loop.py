"""Benchmark: how long /healthz takes while a heavy GraphQL request runs
again and again on the same server, with the start-up heap frozen
(THERAPYKG_FREEZE_HEAP=1, the default) and without (0), the two servers
alternated round by round. Optionally beside CPU-bound processes, as on a
shared machine. Written to the section "Event loop under load" of ``--out``.

    python benchmarks/event_loop.py [--rounds 4] [--samples 150] [--out BENCHMARKS.md]

The heavy request is therapykg.testing.HEAVY_GRAPHQL (the one the hostile
GraphQL tests use). The attacker is a process of its own (its JSON decoding does not share the
prober's interpreter lock); the prober sends one /healthz every 10 ms.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from sparql_endpoint import write_section  # noqa: E402

from therapykg.testing import HEAVY_GRAPHQL as HEAVY  # noqa: E402
from therapykg.testing import ServerProcess, start_server, stop_server  # noqa: E402

ATTACKER = """
import sys, httpx
query, n = sys.argv[2], 0
with httpx.Client(base_url=sys.argv[1], timeout=30) as client:
    while True:
        n += 1  # a new document each time: no cached result
        client.post("/graphql", json={"query": f"{query}\\n# {n}"}).raise_for_status()
"""
BURNER = "while True: pass"


def start(freeze: bool) -> tuple[ServerProcess, str]:
    return start_server("--query-workers", "2", env={"THERAPYKG_FREEZE_HEAP": "1" if freeze else "0"})


def probe(url: str, samples: int) -> list[float]:
    """/healthz latencies in seconds, one request every 10 ms."""
    latencies = []
    with httpx.Client(base_url=url, timeout=5) as client:
        while len(latencies) < samples:
            start = time.perf_counter()
            client.get("/healthz").raise_for_status()
            latencies.append(time.perf_counter() - start)
            time.sleep(0.01)
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(p * len(ordered)) - 1]


def measure(url: str, samples: int, *, attack: bool, burners: int) -> list[float]:
    helpers = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(burners)]
    if attack:
        helpers.append(subprocess.Popen([sys.executable, "-c", ATTACKER, url, HEAVY]))
    try:
        time.sleep(1.5 if attack else 0.2)  # the first heavy request under way
        return probe(url, samples)
    finally:
        for helper in helpers:
            helper.kill()
            helper.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--samples", type=int, default=150, help="/healthz requests per round")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    servers = {freeze: start(freeze) for freeze in (True, False)}
    workloads = [("idle", False, 0), ("heavy GraphQL", True, 0), ("heavy GraphQL + 2 CPU-bound processes", True, 2)]
    results: dict[tuple[str, bool], list[float]] = {}
    try:
        for _ in range(args.rounds):
            for name, attack, burners in workloads:
                for freeze, (_, url) in servers.items():
                    results.setdefault((name, freeze), []).extend(measure(url, args.samples, attack=attack, burners=burners))
    finally:
        for process, _ in servers.values():
            stop_server(process)
    rows = []
    for name, _, _ in workloads:
        off, on = results[(name, False)], results[(name, True)]
        p99_off, p99_on = percentile(off, 0.99), percentile(on, 0.99)
        rows.append(f"| {name} | {statistics.median(off) * 1000:.1f} | {statistics.median(on) * 1000:.1f} | "
                    f"{p99_off * 1000:.1f} | {p99_on * 1000:.1f} | {p99_on / p99_off:.2f} | {max(off) * 1000:.1f} | {max(on) * 1000:.1f} |")
    body = "\n".join([
        f"Command: `python benchmarks/event_loop.py --rounds {args.rounds} --samples {args.samples} --out BENCHMARKS.md`",
        "",
        f"Two `therapykg serve` processes (2 query processes each), one with `THERAPYKG_FREEZE_HEAP=0`, alternated; "
        f"{args.rounds} rounds of {args.samples} `/healthz` requests, 10 ms apart, per server and workload. "
        "The heavy request is `therapykg.testing.HEAVY_GRAPHQL` (30 comparisons of eight therapies, 2.3 MB of JSON; the "
        "hostile GraphQL tests send it too), sent again and again by another process. Latencies in ms; the ratio is frozen / not frozen.",
        "",
        "| workload | p50 not frozen | p50 frozen | p99 not frozen | p99 frozen | p99 ratio | max not frozen | max frozen |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ])
    print(body)
    if args.out:
        write_section(args.out, "Event loop under load", body)


if __name__ == "__main__":
    main()
