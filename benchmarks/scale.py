"""How cost grows with the graph: synthetic graphs of about 10^4, 10^5, 10^6
(and 10^7 with --max 7) triples; for each, the build (phases, peak memory),
server start, and p50/p99 of every named query and of compareTherapies on
the embedded store (release dump in memory), the on-disk store and
Oxigraph's server. Writes tables to BENCHMARKS.md and a log-log plot.

    python benchmarks/scale.py [--max 6] [--requests 15] [--out BENCHMARKS.md]

Needs the `oxigraph` CLI and matplotlib (pip install 'therapykg[bench]').
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from sparql_endpoint import OXIGRAPH, write_section  # noqa: E402
from synth import generate  # noqa: E402

from therapykg.queries import library  # noqa: E402

# Parameters for the library queries, pointing at synthetic resources.
PARAMETERS = {
    "dose-on-day": {"weightKg": "60", "cycle": "1", "day": "8", "therapy": "tkgr:synth-0", "source": "tkgr:source-article"},
    "pediatric-dose": {"bsa": "1.2", "cycle": "1", "day": "10"},
    "dose-modification": {"event": "tkgr:cytokine-release-syndrome", "grade": "3", "therapy": "tkgr:synth-1"},
    "search": {"text": "synthetic therapy 12"},
}
COMPARE = """{ compareTherapies(ids: ["synth-0", "synth-1", "synth-2", "synth-3"]) {
  rows { label cells { status values { text sources { source { id } } } } } } }"""

BUILD_CHILD = """
import json, resource, sys, time
from pathlib import Path
from therapykg.build import build
from therapykg.graph import write_store
root = Path(sys.argv[1])
marks = [("start", time.perf_counter())]
result = build(ontology_dir=root / "ontology", data_dir=root / "graph_data", out_dir=root / "dist", scalable=True,
               write_inferences=False, progress=lambda m: marks.append((m, time.perf_counter())))
marks.append(("release written", time.perf_counter()))
write_store(result.graph, root / "store")
marks.append(("on-disk store written", time.perf_counter()))
phases = {marks[i][0]: round(marks[i + 1][1] - marks[i][1], 2) for i in range(len(marks) - 1)}
print(json.dumps({"triples": result.counts["triples"], "phases": phases, "total": round(marks[-1][1] - marks[0][1], 2),
                  "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def measure_build(root: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", BUILD_CHILD, str(root)], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def start(args: list[str], url: str, env: dict | None = None) -> tuple[subprocess.Popen, float]:
    began = time.monotonic()
    process = subprocess.Popen(args, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while time.monotonic() - began < 600:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return process, time.monotonic() - began
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"{args[0]} exited")
        time.sleep(0.05)
    raise RuntimeError(f"{url} not ready")


def latencies(client: httpx.Client, request, n: int) -> tuple[float, float]:
    request(client)  # warm up
    times = []
    for _ in range(n):
        began = time.perf_counter()
        response = request(client)
        times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]


def measure_queries(base: str, n: int) -> dict[str, tuple[float, float]]:
    results = {}
    with httpx.Client(base_url=base, timeout=120, headers={"Accept": "application/sparql-results+json"}) as client:
        for name, query in library().items():
            params = {k: v for k, v in PARAMETERS.get(name, {}).items() if k in {p.name for p in query.parameters}}
            results[name] = latencies(client, lambda c: c.get(f"/queries/{name}", params=params), n)
        results["compareTherapies (GraphQL, uncached)"] = latencies(client, lambda c: c.post("/graphql", json={"query": COMPARE}), n)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=6, help="largest size as a power of ten")
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--render-only", action="store_true", help="redo the tables and plot from benchmarks/scale.json")
    args = parser.parse_args()
    sizes = [10 ** k for k in range(4, args.max + 1)]
    if args.render_only:
        report = json.loads(Path(__file__).with_name("scale.json").read_text(encoding="utf-8"))
        report["builds"] = {int(k): v for k, v in report["builds"].items()}
        finish(report, sizes, args)
        return
    report = {"builds": {}, "queries": {}, "starts": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root = Path(tmp) / f"s{size}"
            generate(size, root)
            build = measure_build(root)
            report["builds"][size] = build
            print(f"{size:>9}: {build}", flush=True)
            env = {"THERAPYKG_GRAPHQL_CACHE_SIZE": "0", "THERAPYKG_QUERY_TIMEOUT": "120", "THERAPYKG_MAX_ROWS": "1000"}
            backends = {
                "embedded": [sys.executable, "-m", "therapykg", "serve", "--port", "18801", "--store", str(root / "dist" / "therapykg.nq")],
                "on-disk": [sys.executable, "-m", "therapykg", "serve", "--port", "18802", "--store", str(root / "store")],
            }
            ports = {"embedded": 18801, "on-disk": 18802}
            for name, command in backends.items():
                process, seconds = start(command, f"http://127.0.0.1:{ports[name]}/readyz", env)
                report["starts"][f"{size} {name}"] = round(seconds, 2)
                try:
                    report["queries"][f"{size} {name}"] = measure_queries(f"http://127.0.0.1:{ports[name]}", args.requests)
                finally:
                    process.terminate()
                    process.wait()
            # Oxigraph's server as a remote backend, loaded through the Graph Store protocol.
            oxigraph, _ = start([OXIGRAPH, "serve", "--location", str(root / "oxigraph"), "--bind", "127.0.0.1:18803"],
                                "http://127.0.0.1:18803/query?query=ASK%7B%7D")
            try:
                from therapykg.graph import load_dump
                from therapykg.remote_load import load_into

                began = time.monotonic()
                load_into(load_dump(root / "dist" / "therapykg.nq"), "http://127.0.0.1:18803/store")
                report["starts"][f"{size} oxigraph-load"] = round(time.monotonic() - began, 2)
                process, seconds = start([sys.executable, "-m", "therapykg", "serve", "--port", "18804",
                                          "--backend", "http://127.0.0.1:18803/query"], "http://127.0.0.1:18804/readyz", env)
                report["starts"][f"{size} oxigraph-backend"] = round(seconds, 2)
                try:
                    report["queries"][f"{size} oxigraph"] = measure_queries("http://127.0.0.1:18804", args.requests)
                finally:
                    process.terminate()
                    process.wait()
            finally:
                oxigraph.terminate()
                oxigraph.wait()
    Path(__file__).with_name("scale.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    finish(report, sizes, args)


def finish(report, sizes, args) -> None:
    text = render(report, sizes, args)
    print(text)
    plot(report, sizes, Path(__file__).with_name("scale.png"))
    if args.out:
        write_section(args.out, "Scale", text)


PHASES = {"loading": "load", "validating (SHACL as SPARQL)": "shapes", "reasoning (HermiT on the ontology)": "HermiT (ontology)",
          "materializing inferences (rules)": "rules", "running quality checks": "checks", "writing release files": "release files",
          "release written": "on-disk store"}


def _phases(build: dict) -> dict[str, float]:
    out = {}
    for key, seconds in build["phases"].items():
        name = next((label for prefix, label in PHASES.items() if key.startswith(prefix)), None)
        if name:
            out[name] = seconds
    return out


def render(report, sizes, args) -> str:
    lines = [f"Command: `python benchmarks/scale.py --max {args.max} --requests {args.requests}{' --out ' + str(args.out) if args.out else ''}` "
             "(graphs from `benchmarks/synth.py`, built with `therapykg build --scalable`; one client, sequential requests; ms).", "",
             "![latency and build time against graph size](benchmarks/scale.png)", "",
             "| target size | triples | build s | phases (s) | peak MiB | start embedded s | start on-disk s | Oxigraph load s |",
             "|---:|---:|---:|---|---:|---:|---:|---:|"]
    for size in sizes:
        b = report["builds"][size]
        phases = ", ".join(f"{k} {v}" for k, v in _phases(b).items())
        lines.append(f"| 10^{len(str(size)) - 1} | {b['triples']:,} | {b['total']} | {phases} | {b['peak_mib']:,} | "
                     f"{report['starts'][f'{size} embedded']} | {report['starts'][f'{size} on-disk']} | {report['starts'][f'{size} oxigraph-load']} |")
    names = list(next(iter(report["queries"].values())).keys())
    columns = [f"{size} {backend}" for size in sizes for backend in ("embedded", "on-disk", "oxigraph")]
    lines += ["", "p50 (p99) per query, by size and store:", "",
              "| query | " + " | ".join(f"10^{len(c.split()[0]) - 1} {c.split()[1]}" for c in columns) + " |",
              "|---|" + "---:|" * len(columns)]
    for name in names:
        cells = [f"{report['queries'][c][name][0]:.1f} ({report['queries'][c][name][1]:.1f})" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(report, sizes, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    triples = [report["builds"][s]["triples"] for s in sizes]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    left.loglog(triples, [report["builds"][s]["total"] for s in sizes], "o-", label="build (total)")
    for phase in _phases(report["builds"][sizes[-1]]):
        left.loglog(triples, [max(_phases(report["builds"][s]).get(phase, 0), 0.01) for s in sizes], ".--", label=phase)
    left.set_xlabel("triples")
    left.set_ylabel("seconds")
    left.set_title("build time")
    left.legend(fontsize=7)
    for backend in ("embedded", "on-disk", "oxigraph"):
        medians = [statistics.median(v[0] for v in report["queries"][f"{s} {backend}"].values()) for s in sizes]
        worst = [max(v[0] for v in report["queries"][f"{s} {backend}"].values()) for s in sizes]
        right.loglog(triples, medians, "o-", label=f"{backend}: median of query p50s")
        right.loglog(triples, worst, "x--", label=f"{backend}: slowest query p50")
    right.set_xlabel("triples")
    right.set_ylabel("ms")
    right.set_title("query latency")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
