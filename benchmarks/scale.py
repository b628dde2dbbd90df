"""How cost grows with the graph: synthetic graphs of about 10^4 to 10^7
triples; for each, the build (phases, peak memory), server start, and
p50/p99 of every named query (first page of 100 rows) and of
compareTherapies on the embedded store (release dump in memory), the on-disk
store, and Oxigraph's server and Virtuoso as remote backends (loaded with
`therapykg load`). Results are merged into benchmarks/scale.json, so sizes
can be measured in separate runs; tables go to BENCHMARKS.md with a log-log
plot.

    python benchmarks/scale.py --sizes 4 5 6 [--remote-max 6] [--requests 15] [--only QUERY ...] [--out BENCHMARKS.md]

Needs the `oxigraph` CLI and matplotlib (pip install 'therapykg[bench]') and
Virtuoso (Debian package virtuoso-opensource-7-bin).
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
sys.path.insert(0, str(Path(__file__).parent.parent))
from sparql_endpoint import write_section  # noqa: E402
from synth import generate  # noqa: E402

from therapykg.queries import library  # noqa: E402
from therapykg.store.graph import load_dump  # noqa: E402
from therapykg.store.remote_load import load_into  # noqa: E402
from therapykg.testing import ENGINES, free_port, make  # noqa: E402

RESULTS = Path(__file__).with_name("scale.json")
STORES = ("embedded", "on-disk", *ENGINES)
PAGE = "100"

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
from therapykg.store.graph import write_store
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


COMPARE_NAME = "compareTherapies (GraphQL, uncached)"


def measure_queries(base: str, n: int, only: set[str] | None) -> dict[str, tuple[float, float]]:
    results = {}
    with httpx.Client(base_url=base, timeout=600, headers={"Accept": "application/sparql-results+json"}) as client:
        for name, query in library().items():
            if only and name not in only:
                continue
            params = {k: v for k, v in PARAMETERS.get(name, {}).items() if k in {p.name for p in query.parameters}}
            if query.form == "SELECT":
                params["limit"] = PAGE
            results[name] = latencies(client, lambda c, name=name, params=params: c.get(f"/queries/{name}", params=params), n)
        if not only or "compareTherapies" in only:
            results[COMPARE_NAME] = latencies(client, lambda c: c.post("/graphql", json={"query": COMPARE}), n)
    return results


def wait_for_label_index(base: str, timeout: float = 600) -> None:
    """A service on a remote engine reads its label index after it is ready;
    measure searches once it is there."""
    deadline = time.monotonic() + timeout
    while "label_index" in (ready := httpx.get(base + "/readyz").json()) and ready["label_index"] is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no label index after {timeout:g} s")
        time.sleep(0.5)


def serve_and_measure(report: dict, key: str, args: list[str], options) -> None:
    env = {"THERAPYKG_GRAPHQL_CACHE_SIZE": "0", "THERAPYKG_QUERY_TIMEOUT": "600", "THERAPYKG_MAX_ROWS": "1000"}
    base = f"http://127.0.0.1:{free_port()}"
    process, seconds = start([sys.executable, "-m", "therapykg", "serve", "--port", base.rsplit(":", 1)[1], *args], base + "/readyz", env)
    report["starts"][f"{key}"] = round(seconds, 2)
    try:
        wait_for_label_index(base)
        # --only re-measures some queries and keeps the others from earlier runs.
        report["queries"].setdefault(key, {}).update(measure_queries(base, options.requests, set(options.only or ())))
    finally:
        process.terminate()
        process.wait()


def measure_size(size: int, root: Path, report: dict, args) -> None:
    generate(size, root)
    build = measure_build(root)
    report["builds"][str(size)] = build
    commands = report.setdefault("commands", {}).setdefault(str(size), [])
    if "python " + " ".join(sys.argv) not in commands:
        commands.append("python " + " ".join(sys.argv))
    print(f"{size:>9}: {build}", flush=True)
    serve_and_measure(report, f"{size} embedded", ["--store", str(root / "dist" / "therapykg.nq")], args)
    serve_and_measure(report, f"{size} on-disk", ["--store", str(root / "store")], args)
    if size > 10 ** args.remote_max:
        return
    graph = load_dump(root / "dist" / "therapykg.nq")
    for name in ENGINES:
        engine = make(name, root / name, timeout_s=600, **({"memory_mib": 4096} if name == "virtuoso" else {})).start()
        try:
            began = time.monotonic()
            load_into(graph, engine.store_url, auth=engine.auth, timeout=3600)
            report["starts"][f"{size} {name}-load"] = round(time.monotonic() - began, 2)
            serve_and_measure(report, f"{size} {name}", ["--backend", engine.query_url], args)
        finally:
            engine.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 5, 6], help="sizes as powers of ten")
    parser.add_argument("--remote-max", type=int, default=6, help="largest size (power of ten) loaded into the remote engines")
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--only", nargs="+", metavar="QUERY", help="measure only these queries (names, or compareTherapies)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--results", type=Path, default=RESULTS, help="the JSON file results are merged into")
    parser.add_argument("--render-only", action="store_true", help="redo the tables and plot from benchmarks/scale.json")
    args = parser.parse_args()
    report = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {"builds": {}, "queries": {}, "starts": {}}
    if not args.render_only:
        for power in args.sizes:
            with tempfile.TemporaryDirectory() as tmp:
                measure_size(10 ** power, Path(tmp) / f"s{power}", report, args)
            args.results.write_text(json.dumps(report, indent=1), encoding="utf-8")
    finish(report, args)


def finish(report, args) -> None:
    sizes = sorted(int(s) for s in report["builds"])
    text = render(report, sizes)
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


def _power(size: int) -> str:
    return f"10^{len(str(size)) - 1}"


def _cell(value) -> str:
    return "—" if value is None else str(value)


def render(report, sizes) -> str:
    commands = sorted({c for runs in report.get("commands", {}).values() for c in runs})
    lines = ["Commands: " + "; ".join(f"`{c}`" for c in commands) + " (graphs from `benchmarks/synth.py`, built with "
             "`therapykg build --scalable`; one client, sequential requests; ms; list queries ask for the first page of "
             f"{PAGE} rows; — = not measured at that size).", "",
             "![latency and build time against graph size](benchmarks/scale.png)", "",
             "| target size | triples | build s | phases (s) | peak MiB | start embedded s | start on-disk s | "
             + " | ".join(f"{e} load s" for e in ENGINES) + " |",
             "|---:|---:|---:|---|---:|---:|---:|" + "---:|" * len(ENGINES)]
    for size in sizes:
        b, starts = report["builds"][str(size)], report["starts"]
        phases = ", ".join(f"{k} {v}" for k, v in _phases(b).items())
        loads = " | ".join(_cell(starts.get(f"{size} {e}-load")) for e in ENGINES)
        lines.append(f"| {_power(size)} | {b['triples']:,} | {b['total']} | {phases} | {b['peak_mib']:,} | "
                     f"{_cell(starts.get(f'{size} embedded'))} | {_cell(starts.get(f'{size} on-disk'))} | {loads} |")
    columns = [f"{size} {store}" for size in sizes for store in STORES if f"{size} {store}" in report["queries"]]
    names = list(report["queries"][columns[0]].keys())
    lines += ["", "p50 (p99) per query, by size and store:", "",
              "| query | " + " | ".join(f"{_power(int(c.split()[0]))} {c.split()[1]}" for c in columns) + " |",
              "|---|" + "---:|" * len(columns)]
    for name in names:
        cells = [f"{report['queries'][c][name][0]:.1f} ({report['queries'][c][name][1]:.1f})" if name in report["queries"][c] else "—"
                 for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(report, sizes, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    triples = {s: report["builds"][str(s)]["triples"] for s in sizes}
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    left.loglog(list(triples.values()), [report["builds"][str(s)]["total"] for s in sizes], "o-", label="build (total)")
    for phase in _phases(report["builds"][str(sizes[-1])]):
        left.loglog(list(triples.values()), [max(_phases(report["builds"][str(s)]).get(phase, 0), 0.01) for s in sizes], ".--", label=phase)
    left.set_xlabel("triples")
    left.set_ylabel("seconds")
    left.set_title("build time")
    left.legend(fontsize=7)
    for store in STORES:
        measured = [s for s in sizes if f"{s} {store}" in report["queries"]]
        p50s = [[v[0] for v in report["queries"][f"{s} {store}"].values()] for s in measured]
        right.loglog([triples[s] for s in measured], [statistics.median(v) for v in p50s], "o-", label=f"{store}: median of query p50s")
        right.loglog([triples[s] for s in measured], [max(v) for v in p50s], "x--", label=f"{store}: slowest query p50")
    right.axhline(50, color="grey", linewidth=0.8, linestyle=":")
    right.set_xlabel("triples")
    right.set_ylabel("ms")
    right.set_title("query latency (p50)")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
