"""Benchmark: the researcher pages, server time of each page with the page
cache on (the default) and off, at 1 and 16 connections, beside GraphQL's
compareTherapies for the same four therapies in the same run.

    python benchmarks/pages.py [--duration 5] [--out BENCHMARKS.md]

Needs wrk (Debian package wrk).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from graphql_api import COMPARE, run_wrk, start  # noqa: E402
from sparql_endpoint import write_section, wrk  # noqa: E402

FOUR = "blinatumomab,inotuzumab-ozogamicin,tisagenlecleucel,brexucabtagene-autoleucel"
PAGES = {
    "front door /": "/",
    "comparison page, 4 therapies": f"/compare?ids={FOUR}",
    "comparison CSV, 4 therapies": f"/compare.csv?ids={FOUR}",
    "therapy page (blinatumomab)": "/therapies/blinatumomab",
    "search ?q=blin": "/search?q=blin",
    "dose (blinatumomab, cycle 1 day 8)": "/dose?therapy=blinatumomab&setting=relapsed-refractory&weight=70&cycle=1&day=8",
    "conflicts": "/conflicts",
    "sources": "/sources",
    "regimen timeline SVG": "/regimens/blina-rr-adult/timeline.svg",
}


def wrk_get(url: str, connections: int, duration: int, scripts: Path) -> dict[str, float]:
    """GET ``url`` as a browser asks for a page (Accept: text/html)."""
    return wrk(url, None, {"Accept": "text/html"}, connections, duration, scripts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found (Debian package wrk)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for cached in (True, False):
            port = 18791 + cached
            server = start(port, 1, 1024 if cached else 0, page_cache=32 << 20 if cached else 0)
            base = f"http://127.0.0.1:{port}"
            try:
                for name, path in PAGES.items():
                    status = httpx.get(base + path, headers={"Accept": "text/html"}, timeout=60).status_code
                    if status != 200:
                        raise RuntimeError(f"{path}: HTTP {status}")
                    for connections in (1, 16):
                        figures = wrk_get(base + path, connections, args.duration, Path(tmp))
                        rows.append((name, cached, connections, figures))
                        print(f"{name:40} cache={'on' if cached else 'off'} c={connections} p50 {figures['p50']:.2f} ms "
                              f"{figures['rps']:.0f} req/s", flush=True)
                for connections in (1, 16):
                    figures = run_wrk(base + "/graphql", COMPARE, connections, args.duration, Path(tmp))
                    rows.append(("GraphQL compareTherapies, 4 therapies (peer)", cached, connections, figures))
                    print(f"{'GraphQL compareTherapies':40} cache={'on' if cached else 'off'} c={connections} "
                          f"p50 {figures['p50']:.2f} ms", flush=True)
            finally:
                server.terminate()
                server.wait()
    lines = [f"Command: `python benchmarks/pages.py --duration {args.duration}{' --out ' + str(args.out) if args.out else ''}`", "",
             "wrk GETs one page for the whole run (Accept: text/html), on one uvicorn worker. With the caches on (the "
             "default) a page is rendered once per graph version and then served from the page cache (and GraphQL from "
             "its result cache); with them off (`THERAPYKG_PAGE_CACHE_BYTES=0`, `THERAPYKG_GRAPHQL_CACHE_SIZE=0`) every "
             "request runs the domain service, its SPARQL queries and the template. Latencies in ms.", "",
             "| page | caches | connections | p50 | p99 | req/s |", "|---|---|---:|---:|---:|---:|"]
    for name, cached, connections, f in rows:
        lines.append(f"| {name} | {'on' if cached else 'off'} | {connections} | {f['p50']:.2f} | {f['p99']:.2f} | {f['rps']:,.0f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        write_section(args.out, "Researcher pages", report)


if __name__ == "__main__":
    main()
