"""Benchmark: therapykg's SPARQL endpoint against Oxigraph's own server on
the same data, with wrk as the load generator in a separate process.

    python benchmarks/sparql_endpoint.py [--duration 5] [--connections 1 8] [--out BENCHMARKS.md]

Needs: the `oxigraph` CLI (pip install 'therapykg[bench]') and wrk (Debian
package wrk). Both servers are read-only, use the union of the named graphs
as default graph, and answer the same queries with the same Accept header.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from therapykg.namespaces import PREFIXES
from therapykg.queries import library, runnable_text
from therapykg.sparql_text import query_form
from therapykg.store.graph import load_graph

# The oxigraph CLI from the bench extras: beside this interpreter, else on PATH.
_BESIDE = Path(sys.executable).with_name("oxigraph")
OXIGRAPH = str(_BESIDE) if _BESIDE.exists() else (shutil.which("oxigraph") or "oxigraph")

HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

# Values for the library queries' parameters that have no default.
PARAMETERS = {
    "dose-on-day": {"weightKg": "60", "cycle": "1", "day": "8"},
    "pediatric-dose": {"bsa": "1.2", "cycle": "1", "day": "10"},
    "dose-modification": {"event": "tkgr:cytokine-release-syndrome", "grade": "3"},
    "search": {"text": "cd19"},
}

GENERIC = {
    "generic: count all triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "generic: 5-way join, filter, order": """
        SELECT ?claim ?label ?source ?sourceLabel ?n WHERE {
          ?claim a tkg:Claim ; rdfs:label ?label ; prov:wasDerivedFrom ?source .
          ?source rdfs:label ?sourceLabel .
          OPTIONAL { ?claim tkg:citedReference/tkg:referenceNumber ?n }
          FILTER (CONTAINS(LCASE(STR(?label)), "blinatumomab"))
        } ORDER BY ?label ?source""",
    "generic: group by type": "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) ?type",
    "generic: subclass closure": "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a/rdfs:subClassOf* ?c } GROUP BY ?c ORDER BY ?c",
    "generic: construct dose steps": "CONSTRUCT { ?step ?p ?o } WHERE { ?step a tkg:DoseStep ; ?p ?o }",
}


def workload() -> dict[str, str]:
    queries = {name: runnable_text(q, PARAMETERS.get(name)) for name, q in library().items()}
    queries.update(GENERIC)
    return {name: HEADER + text for name, text in queries.items()}


def wait_ready(url: str, process: subprocess.Popen, seconds: float = 30) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            httpx.post(url, data={"query": "ASK {}"}, timeout=1)
            return time.monotonic() - start
        except httpx.TransportError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} not ready after {seconds} s")


def accept_for(query: str) -> str:
    form = query_form(query)
    return "text/turtle" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"


def check_same_answers(ours: str, theirs: str, queries: dict[str, str]) -> None:
    """Both servers must give the same number of results before we time them."""
    for name, query in queries.items():
        sizes = []
        for url in (ours, theirs):
            response = httpx.post(url, data={"query": query}, headers={"Accept": accept_for(query)}, timeout=30)
            response.raise_for_status()
            if response.headers["content-type"].startswith("text/turtle"):
                sizes.append(len(list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))))
            else:
                body = response.json()
                sizes.append(len(body["results"]["bindings"]) if "results" in body else 1)
        if sizes[0] != sizes[1]:
            raise RuntimeError(f"{name}: the servers disagree ({sizes[0]} vs {sizes[1]} results)")


def wrk(url: str, body: str | None, headers: dict[str, str], connections: int, duration: int, scripts: Path) -> dict[str, float]:
    """POST ``body`` (GET when it is None) with wrk for ``duration`` seconds; p50 and p99 in ms and requests/s."""
    script = scripts / f"w{abs(hash((url, body, connections)))}.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = [==[{body}]==]"] if body is not None else []
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    lines += ["done = function(summary, latency, requests)",
              '  io.write(string.format("P50 %f\\nP99 %f\\nRPS %f\\nERRORS %d\\n", latency:percentile(50) / 1000,'
              " latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),"
              " summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))",
              "end"]
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run(["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{duration}s", "--timeout", "20s", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    values = dict(re.findall(r"^(P50|P99|RPS|ERRORS) ([\d.]+)$", out, re.M))
    if float(values["ERRORS"]) > 0:
        raise RuntimeError(f"wrk saw errors against {url}:\n{out}")
    return {"p50": float(values["P50"]), "p99": float(values["P99"]), "rps": float(values["RPS"])}


def run_wrk(url: str, query: str, connections: int, duration: int, scripts: Path) -> dict[str, float]:
    return wrk(url, urlencode({"query": query}), {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept_for(query)},
               connections, duration, scripts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--query-workers", type=int, default=2)
    parser.add_argument("--out", type=Path, help="write the Markdown table here (replacing the section)")
    args = parser.parse_args()
    for tool in ("wrk", OXIGRAPH):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: install wrk (Debian) and the oxigraph CLI (pip install oxigraph)")

    queries = workload()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        graph = load_graph()
        dump = tmp / "therapykg.nq"
        dump.write_bytes(graph.store.dump(format=ox.RdfFormat.N_QUADS))
        subprocess.run([OXIGRAPH, "load", "--location", str(tmp / "ox"), "--file", str(dump)], check=True, capture_output=True)
        ours_port, theirs_port = 18731, 18732
        ours = subprocess.Popen([sys.executable, "-m", "therapykg", "serve", "--port", str(ours_port), "--log-level", "warning",
                                 "--query-workers", str(args.query_workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs = subprocess.Popen([OXIGRAPH, "serve-read-only", "--location", str(tmp / "ox"), "--bind", f"127.0.0.1:{theirs_port}",
                                   "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            ours_url, theirs_url = f"http://127.0.0.1:{ours_port}/sparql", f"http://127.0.0.1:{theirs_port}/query"
            startup = {"therapykg": wait_ready(ours_url, ours), "oxigraph": wait_ready(theirs_url, theirs)}
            check_same_answers(ours_url, theirs_url, queries)
            rows = []
            for name, query in queries.items():
                for connections in args.connections:
                    # Alternate the servers so that machine noise hits both alike.
                    a = run_wrk(ours_url, query, connections, args.duration, tmp)
                    b = run_wrk(theirs_url, query, connections, args.duration, tmp)
                    rows.append((name, connections, a, b))
                    print(f"{name:45} c={connections}  ours p50 {a['p50']:.2f} ms  oxigraph p50 {b['p50']:.2f} ms", flush=True)
        finally:
            for process in (ours, theirs):
                process.terminate()
                process.wait()
    report = render(rows, startup, args, len(graph))
    print(report)
    if args.out:
        write_section(args.out, "SPARQL endpoint", report)


def render(rows, startup, args, triples: int) -> str:
    lines = [
        f"Command: `python benchmarks/sparql_endpoint.py --duration {args.duration} --connections {' '.join(map(str, args.connections))}"
        f"{' --out ' + str(args.out) if args.out else ''}`",
        "",
        f"Graph: {triples:,} triples. therapykg: `therapykg serve` (1 uvicorn worker, {args.query_workers} query processes). "
        "Oxigraph: `oxigraph serve-read-only --union-default-graph` on the same N-Quads. "
        f"Load: wrk, POST form queries, {args.duration} s per run, servers alternated. Latencies in ms.",
        "",
        f"Ready after start: therapykg {startup['therapykg']:.2f} s, Oxigraph {startup['oxigraph']:.2f} s.",
        "",
        "| query | conns | therapykg p50 | Oxigraph p50 | p50 ratio | therapykg p99 | Oxigraph p99 | therapykg req/s | Oxigraph req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, connections, a, b in rows:
        lines.append(f"| {name} | {connections} | {a['p50']:.2f} | {b['p50']:.2f} | {a['p50'] / b['p50']:.2f} | "
                     f"{a['p99']:.2f} | {b['p99']:.2f} | {a['rps']:,.0f} | {b['rps']:,.0f} |")
    for connections in args.connections:
        ratios = [a["p50"] / b["p50"] for name, c, a, b in rows if c == connections]
        lines.append("")
        lines.append(f"Median p50 ratio (therapykg / Oxigraph) at {connections} connection(s): {statistics.median(ratios):.2f} "
                     f"(min {min(ratios):.2f}, max {max(ratios):.2f}).")
    return "\n".join(lines) + "\n"


def write_section(path: Path, title: str, body: str) -> None:
    """Replace (or add) the '## title' section of the Markdown file."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = f"## {title}\n\n{body}"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
