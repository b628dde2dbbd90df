"""The ``therapykg`` command line: build, validate, query."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
import pyoxigraph as ox
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from therapykg import paths
from therapykg.domain.dosing import RESPONSES as RESPONSE_CHOICES
from therapykg.domain.dosing import SETTINGS as SETTING_CHOICES
from therapykg.errors import BuildError
from therapykg.namespaces import PREFIXES, compact

if TYPE_CHECKING:
    from therapykg.store.terms import QueryResult

err = Console(stderr=True)
out = Console()

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}


def _fail(error: BuildError) -> None:
    err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    sys.exit(error.exit_code)


def _progress(status):
    return lambda message: status.update(f"{message}...")


@click.group()
@click.version_option(package_name="therapykg")
def main() -> None:
    """therapykg: a clinical knowledge graph of therapies for relapsed/refractory
    Ph-negative B-cell precursor ALL. For research and informatics use, not for
    clinical decisions."""


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder for the release files.")
@click.option("--require-reasoner/--allow-materialized", default=False,
              help="Fail when Java is missing instead of using the committed inferences.")
@click.option("--into", "into", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the graph into an on-disk Oxigraph store at this path (for `serve --store`).")
@click.option("--scalable", is_flag=True,
              help="For large graphs: shapes as SPARQL, rule-based inferences, HermiT on the ontology only.")
@click.option("--ontology-dir", type=click.Path(file_okay=False, exists=True, path_type=Path), default=paths.ONTOLOGY_DIR,
              show_default=False, help="Ontology folder [default: the package's].")
@click.option("--data-dir", type=click.Path(file_okay=False, exists=True, path_type=Path), default=paths.DATA_DIR,
              show_default=False, help="Curated data folder [default: the package's].")
def build(out_dir: Path, require_reasoner: bool, into: Path | None, scalable: bool, ontology_dir: Path, data_dir: Path) -> None:
    """Load, validate, reason, check and write release files."""
    from therapykg.build import build as run_build

    try:
        with err.status("building...") as status:
            result = run_build(out_dir=out_dir, require_reasoner=require_reasoner, scalable=scalable,
                               ontology_dir=ontology_dir, data_dir=data_dir, progress=_progress(status))
    except BuildError as error:
        _fail(error)
    table = Table(title=f"therapykg {result.graph.version}", show_header=False)
    for name, value in result.counts.items():
        table.add_row(name, f"{value:,}")
    out.print(table)
    if not result.reasoned:
        err.print("[yellow]reasoner not run (no Java): used the committed inferences[/]")
    elif result.inferences_changed:
        err.print(f"[yellow]materialized inferences updated: {paths.INFERRED_FILE.name}[/]")
    out.print(f"release files in {result.release_dir}")
    if into is not None:
        from therapykg.store.graph import write_store

        write_store(result.graph, into)
        out.print(f"on-disk store in {into}")


@main.command()
@click.option("--require-reasoner/--allow-materialized", default=True,
              help="Fail when Java is missing (default) or use the committed inferences.")
def validate(require_reasoner: bool) -> None:
    """Validate the inputs (SHACL, reasoner, quality checks) without writing anything.

    Exit code 0 when valid, 1 on violations, 2 on unreadable input."""
    from therapykg.build import build as run_build

    try:
        with err.status("validating...") as status:
            result = run_build(require_reasoner=require_reasoner, write_inferences=False, progress=_progress(status))
    except BuildError as error:
        _fail(error)
    out.print(f"valid: {result.counts['triples']:,} triples, {result.counts['claims']:,} claims, version {result.graph.version}")
    if result.inferences_changed:
        err.print(f"[yellow]note: {paths.INFERRED_FILE.name} differs from a fresh reasoning run; `therapykg build` refreshes it[/]")


@main.command()
@click.argument("query", required=True)
@click.option("--format", "fmt", type=click.Choice(["table", *RESULT_FORMATS]), default="table", show_default=True)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter of a named query (repeatable).")
def query(query: str, fmt: str, params: tuple[str, ...]) -> None:
    """Run SPARQL against the built graph.

    QUERY is a .rq file, - for standard input, or the name of a query in the
    library (see `therapykg queries`)."""
    from therapykg.queries import library, parse_query_file, runnable_text
    from therapykg.store.graph import load_graph

    named = library().get(query)
    if query == "-":
        text = sys.stdin.read()
    else:
        try:
            named = named or parse_query_file(Path(query))
            text = runnable_text(named, dict(_split_param(p) for p in params))
        except (OSError, ValueError) as error:
            err.print(f"[bold red]error:[/] {error}", highlight=False)
            sys.exit(2)
    try:
        graph = load_graph()
        results = graph.query(text)
    except BuildError as error:
        _fail(error)
    except SyntaxError as error:
        err.print(f"[bold red]error:[/] malformed SPARQL query: {error}", highlight=False)
        sys.exit(2)
    _print_results(results, fmt)


@main.command()
def queries() -> None:
    """List the named query library with its parameters."""
    from therapykg.queries import library

    table = Table("name", "title", "parameters")
    for name, named in library().items():
        table.add_row(name, named.title, ", ".join(f"{p.name} ({p.type})" for p in named.parameters))
    out.print(table)


# What `therapykg serve` lists when it starts: the pages for people first, then the interfaces for software.
SERVICE_ADDRESSES = (("therapy options", "/"), ("compare", "/compare"), ("dose calculator", "/dose"),
                     ("conflicts", "/conflicts"), ("sources", "/sources"), ("SPARQL endpoint, editor", "/sparql"),
                     ("GraphQL, GraphiQL", "/graphql"), ("named queries", "/queries"), ("downloads, VoID", "/data"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="THERAPYKG_HOST", help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, envvar="THERAPYKG_PORT", help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1), envvar="THERAPYKG_WORKERS",
              help="uvicorn worker processes.")
@click.option("--store", default="memory", show_default=True, envvar="THERAPYKG_STORE",
              help="memory (the built graph from the package files), a release dump (dist/therapykg.nq) or the path of a store made by `build --into`.")
@click.option("--backend", envvar="THERAPYKG_BACKEND",
              help="URL of a SPARQL 1.1 query endpoint holding the graph (loaded by `therapykg load --into`), instead of --store.")
@click.option("--query-workers", type=click.IntRange(1), envvar="THERAPYKG_QUERY_WORKERS",
              help="Query processes per worker [default: cores, at most 4].")
@click.option("--timeout", "query_timeout", type=click.FloatRange(min=0.001), envvar="THERAPYKG_QUERY_TIMEOUT",
              help="Query timeout in seconds [default: 10].")
@click.option("--max-rows", type=click.IntRange(1), envvar="THERAPYKG_MAX_ROWS", help="Result row limit [default: 10000].")
@click.option("--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning", "error"]))
def serve(host, port, workers, store, backend, query_workers, query_timeout, max_rows, log_level) -> None:
    """Serve the researcher pages, the SPARQL endpoint, GraphQL, named queries and linked data over HTTP."""
    import os

    import uvicorn

    from therapykg.api.protocol import uvicorn_options
    from therapykg.api.settings import Settings

    if store != "memory" and not Path(store).is_dir() and not (store.endswith(".nq") and Path(store).is_file()):
        err.print(f"[bold red]error:[/] --store {store!r} is neither 'memory', a release dump (.nq) nor a store folder made by `therapykg build --into`")
        sys.exit(2)
    # Settings travel by environment so that every uvicorn worker sees them.
    for name, value in (("STORE", store), ("BACKEND", backend), ("QUERY_WORKERS", query_workers), ("QUERY_TIMEOUT", query_timeout), ("MAX_ROWS", max_rows)):
        if value is not None:
            os.environ[f"THERAPYKG_{name}"] = str(value)
    try:
        settings = Settings()
    except ValueError as error:
        err.print(f"[bold red]error:[/] invalid setting: {error}", highlight=False)
        sys.exit(2)
    base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    out.print("therapykg: for research and informatics use, not for clinical decisions.", highlight=False)
    for name, path in SERVICE_ADDRESSES:
        out.print(f"  {name:<24} {base}{path}", highlight=False)
    uvicorn.run("therapykg.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=False, log_config=_log_config(log_level), **uvicorn_options(settings))


def _log_config(level: str) -> dict:
    """uvicorn's own logs plus the service's JSON access log, on standard error."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["access_json"] = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"}
    config["formatters"]["plain"] = {"format": "%(message)s"}
    config["loggers"]["therapykg.access"] = {"handlers": ["access_json"], "level": level.upper(), "propagate": False}
    # The service's own loggers (engine, remote backend) at the same level.
    config["loggers"]["therapykg"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


@main.command()
@click.option("--into", "store_url", required=True, help="SPARQL 1.1 Graph Store endpoint, for example http://localhost:7878/store.")
@click.option("--user", help="User for HTTP digest authentication (password in THERAPYKG_BACKEND_PASSWORD).")
def load(store_url: str, user: str | None) -> None:
    """Push the built graph into a SPARQL store: a new version graph, then an
    atomic switch of the pointer, then the old version is dropped."""
    import os

    import httpx

    from therapykg.store.graph import load_graph
    from therapykg.store.remote_load import load_into

    try:
        graph = load_graph()
    except BuildError as error:
        _fail(error)
    auth = (user, os.environ.get("THERAPYKG_BACKEND_PASSWORD", "")) if user else None
    try:
        target, previous = load_into(graph, store_url, auth=auth)
    except httpx.HTTPError as error:
        err.print(f"[bold red]error:[/] loading into {store_url} failed: {error}", highlight=False)
        sys.exit(1)
    out.print(f"loaded {len(graph):,} triples into <{target}> at {store_url}" + (f"; replaced <{previous}>" if previous else ""), highlight=False)


ASPECT_NAMES = "mechanism, modality, administration, indications, applicability, efficacy, adverse-events, monitoring, safety"

# The domain names the arguments of the Python API and GraphQL; a message
# shown on the command line names the command's own options and arguments
# ({ids} is the argument or option that took the therapy ids).
_MESSAGES = tuple((re.compile(pattern), replacement) for pattern, replacement in (
    (r"^unknown aspect ('.*'); aspects are (.*)$", r"--aspect \1 is not one of \2"),
    (r"^(setting|population|response) ('.*' is not one of .*)$", r"--\1 \2"),
    (r"^not a therapy: ('[^']*'|\S+)(.*)$", r"{ids} \1 is not a therapy\2"),
    (r"^('.*' (?:is not a valid id|names more than one therapy).*)$", r"{ids} \1"),
    (r"^compare at least two different therapies$", r"{ids} name at least two different therapies"),
))
_CLOSEST = re.compile(r" \(the closest (is|are) (.*)\)$")
# The dose engine's problems with a patient or a day, several at once.
_PROBLEMS = (("weight ", "--weight "), ("height ", "--height "), ("body surface area ", "--bsa "), ("age ", "--age "),
             ("day ", "--day "), ("cycles are counted", "--cycle: cycles are counted"))


def _user_message(message: str, ids: str) -> str:
    """A message of the domain in the command line's words: ``--aspect 'taste'
    is not one of ...``, ``THERAPIES: tkgr:x is not a therapy (did you mean ...?)``,
    ``--weight -3 kg is not a plausible body weight``."""
    if found := _CLOSEST.search(message):  # "(the closest are a, b and c)" -> "(did you mean a, b or c?)"
        names = found.group(2).rsplit(" and ", 1) if found.group(1) == "are" else [found.group(2)]
        message = message[:found.start()] + f" (did you mean {' or '.join(names)}?)"
    for pattern, replacement in _MESSAGES:
        if pattern.match(message):
            said = pattern.sub(replacement.replace("{ids}", ids), message)
            if said.startswith("--aspect "):  # the aspects as the option's help spells them
                value, _, names = said.rpartition(" is not one of ")
                said = f"{value} is not one of {names.replace('_', '-')}"
            return said
    parts = message.split("; ")
    for i, part in enumerate(parts):
        parts[i] = next((cli + part[len(word):] for word, cli in _PROBLEMS if part.startswith(word)), part)
    return "; ".join(parts)


def _refuse(error: ValueError, ids: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(_user_message(str(error), ids))}", highlight=False, soft_wrap=True)
    sys.exit(2)


@main.command()
@click.argument("therapies", nargs=-1, required=True)
@click.option("--aspect", "aspects", multiple=True, metavar="ASPECT",
              help=f"Only these aspects (repeatable): {ASPECT_NAMES} (any case; - _ or a space between words).")
@click.option("--setting", type=click.Choice(["relapsed-refractory", "mrd-positive", "consolidation"], case_sensitive=False),
              help="Only claims in this setting (a claim that states none takes its trial's; one with neither is kept).")
@click.option("--population", type=click.Choice(["adult", "pediatric"], case_sensitive=False),
              help="Only claims about this age group (a claim that states none takes its trial's; one with neither is kept).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "markdown"]), default="table", show_default=True,
              help="table fits the terminal; csv is tidy (one row per value); json and markdown as the web page's downloads.")
@click.option("--sources", "sources_path", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Also write the comparison's sources to this CSV file (number, id, title, URLs, label version).")
def compare(therapies: tuple[str, ...], aspects: tuple[str, ...], setting: str | None, population: str | None, fmt: str,
            sources_path: Path | None) -> None:
    """Compare therapies side by side, with a source marker on every value.

    THERAPIES are ids, names, synonyms or brand names, in any case, such as
    blinatumomab, tkgr:inotuzumab-ozogamicin, BLINCYTO, Kymriah or HiDAC
    (`therapykg therapies` lists them)."""
    import therapykg
    from therapykg import compare_output

    try:
        result = therapykg.compare(therapykg.load_graph(), therapies, aspects=aspects or None, setting=setting,
                                   population=population)
    except BuildError as error:
        _fail(error)
    except ValueError as error:
        _refuse(error, "THERAPIES:")
    if sources_path is not None:
        sources_path.write_text(compare_output.as_sources_csv(result), encoding="utf-8")
    if fmt == "table":
        tables, notes = compare_output.as_tables(result, width=out.width)
        for table in tables:
            out.print(table)
        for note in notes:
            out.print(note, highlight=False, markup=False)
    else:
        render = {"csv": compare_output.as_tidy_csv, "json": compare_output.as_json, "markdown": compare_output.as_markdown}[fmt]
        click.echo(render(result), nl=False)


@main.command()
@click.option("--all", "everything", is_flag=True,
              help="Also list the therapies no claim is about (drugs named only as parts of regimens).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "markdown"]), default="table", show_default=True)
def therapies(everything: bool, fmt: str) -> None:
    """The therapies to compare or dose, by kind: the id, and the names
    (label, brand names, synonyms) that `compare` and `dose` also take.
    The therapy options with claims, or with --all every therapy of the graph."""
    import csv
    import io
    import json
    from dataclasses import asdict

    import therapykg

    try:
        listed = therapykg.therapies(therapykg.load_graph(), everything=everything)
    except BuildError as error:
        _fail(error)
    if fmt == "json":
        click.echo(json.dumps([asdict(t) for t in listed], indent=2, ensure_ascii=False))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["id", "label", "kind", "brand_names", "synonyms", "claims", "sources"])
        for t in listed:
            writer.writerow([t.local, t.label, t.kind or "", "; ".join(t.brand_names), "; ".join(t.synonyms), t.claims, t.sources])
        click.echo(buffer.getvalue(), nl=False)
    elif fmt == "markdown":
        lines = ["| id | kind | label | brand names | synonyms | claims |", "|---|---|---|---|---|---:|"]
        lines += [f"| {t.local} | {t.kind or ''} | {t.label} | {', '.join(t.brand_names)} | {', '.join(t.synonyms)} | {t.claims} |"
                  for t in listed]
        click.echo("\n".join(lines))
    else:
        table = Table(title="therapykg therapies" + ("" if everything else " with claims (--all for every one)"),
                      caption="Any name, in any case, stands for the id.", box=box.SIMPLE_HEAD)
        table.add_column("id", no_wrap=True)  # never cut: it is what to type
        table.add_column("kind", overflow="fold", max_width=20)
        table.add_column("names", overflow="fold")
        for t in listed:
            names = Text(t.label)
            if t.brand_names:
                names.append(f"\nbrand: {', '.join(t.brand_names)}")
            if t.synonyms:
                names.append(f"\nalso: {', '.join(t.synonyms)}")
            table.add_row(Text(t.local), Text(t.kind or ""), names)
        out.print(table)


@main.command()
@click.option("--all", "everything", is_flag=True,
              help="Also list the therapies no claim is about (drugs named only as parts of regimens).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "markdown"]), default="table", show_default=True)
def coverage(everything: bool, fmt: str) -> None:
    """How many claims, and from how many sources, back each aspect of each
    therapy: a therapy-by-aspect matrix showing where the graph is thin."""
    import therapykg
    from therapykg import coverage_output

    try:
        result = therapykg.coverage(therapykg.load_graph())
    except BuildError as error:
        _fail(error)
    if not everything:
        result = result.with_claims()
    if fmt == "table":
        for table in coverage_output.as_tables(result, width=out.width):
            out.print(table)
    else:
        render = {"csv": coverage_output.as_csv, "json": coverage_output.as_json, "markdown": coverage_output.as_markdown}[fmt]
        click.echo(render(result), nl=False)


@main.command()
@click.option("--therapy", required=True, help="Therapy id or name, for example blinatumomab, inotuzumab-ozogamicin or BLINCYTO.")
@click.option("--setting", required=True, type=click.Choice(sorted(SETTING_CHOICES)), help="The clinical setting.")
@click.option("--weight", "weight_kg", type=float, required=True, help="Body weight in kg.")
@click.option("--height", "height_cm", type=float, help="Height in cm (body surface area by Mosteller when --bsa is not given).")
@click.option("--bsa", "bsa_m2", type=float, help="Body surface area in m2.")
@click.option("--age", "age_years", type=float, help="Age in years (for schedules with an age band).")
@click.option("--cycle", type=int, required=True, help="Cycle number, from 1.")
@click.option("--day", type=int, required=True, help="Day of the cycle, from 1.")
@click.option("--response", type=click.Choice(sorted(RESPONSE_CHOICES)), help="Response so far, for response-dependent schedules.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def dose(therapy: str, setting: str, weight_kg: float, height_cm: float | None, bsa_m2: float | None, age_years: float | None,
         cycle: int, day: int, response: str | None, fmt: str) -> None:
    """The dose on a day of a cycle for a patient, one answer per source (and why where there is none)."""
    import json

    import therapykg

    try:
        answers = therapykg.dose(therapykg.load_graph(), therapy=therapy, setting=setting, weight_kg=weight_kg, height_cm=height_cm,
                                 bsa_m2=bsa_m2, age_years=age_years, cycle=cycle, day=day, response=response)
    except BuildError as error:
        _fail(error)
    except ValueError as error:
        _refuse(error, "--therapy")
    if fmt == "json":
        click.echo(json.dumps([_answer_json(a) for a in answers], indent=2, ensure_ascii=False))
        return
    if not answers:
        out.print(f"No source in the graph gives a {therapy} regimen for the {setting} setting.", highlight=False)
    table = Table("status", "dose", "as stated", "source", "reason", show_lines=True)
    for a in answers:
        table.add_row(a.status.name, a.amount.text if a.amount else "", a.stated.text if a.stated else "",
                      "; ".join(source.label for source in a.sources), a.reason + "".join(f"\n{c}" for c in a.caveats))
    out.print(table)
    out.print("For research and informatics use, not for clinical decisions.", style="dim")


def _answer_json(a) -> dict:
    def amount(x):
        if x is None:
            return None
        return {"value": x.value, "unit": x.unit} if x.value is not None else {"lower": x.lower, "upper": x.upper, "unit": x.unit}
    return {"status": a.status.name, "amount": amount(a.amount), "stated": amount(a.stated), "cap": amount(a.cap), "capped": a.capped,
            "bodySurfaceAreaM2": a.body_surface_area_m2, "bsaFormula": a.bsa_formula, "reason": a.reason, "caveats": a.caveats,
            "regimen": a.regimen, "regimenLabel": a.regimen_label, "step": a.dose_step,
            "sources": [{"id": source.id, "label": source.label} for source in a.sources], "section": a.section, "drug": a.drug}


@main.group()
def export() -> None:
    """Export the graph in the formats of other standards."""


@export.command("fhir")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write one JSON file per resource under this folder ({Type}/{id}.json).")
@click.option("--bundle", "bundle_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write one collection Bundle (JSON) to this file.")
def export_fhir(out_dir: Path | None, bundle_file: Path | None) -> None:
    """The graph's therapy knowledge as FHIR R5 resources: MedicationKnowledge, ClinicalUseDefinition,
    PlanDefinition, ActivityDefinition, Evidence, Group, Citation and List (conflicts), each validated;
    a collection Bundle (--bundle FILE) or one file per resource (--out DIR). Same graph, same bytes."""
    import therapykg
    from therapykg import fhir_output

    if out_dir is None and bundle_file is None:
        raise click.UsageError("give --out DIR or --bundle FILE (or both)")
    try:
        counts = fhir_output.export(therapykg.load_graph(), out_dir=out_dir, bundle=bundle_file)
    except BuildError as error:
        _fail(error)
    for kind, count in counts.items():
        click.echo(f"{kind}\t{count}", err=True)
    click.echo(f"total\t{sum(counts.values())}", err=True)


@main.command(name="graphql-schema")
@click.option("--check", is_flag=True, help="Exit 1 if schema.graphql differs from the code instead of writing it.")
def graphql_schema(check: bool) -> None:
    """Write the GraphQL SDL to schema.graphql (or check it)."""
    from therapykg.api.graphql.schema import schema

    path = paths.ROOT / "schema.graphql"
    sdl = "# Generated by `therapykg graphql-schema` from the code; do not edit.\n" + schema.as_str() + "\n"
    if check:
        if not path.exists() or path.read_text(encoding="utf-8") != sdl:
            err.print(f"[bold red]error:[/] {path} differs from the schema in the code: run `therapykg graphql-schema`")
            sys.exit(1)
        out.print(f"{path} is up to date")
        return
    path.write_text(sdl, encoding="utf-8")
    out.print(f"wrote {path}")


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"--param {text!r} must be NAME=VALUE")
    return name.strip().lstrip("?"), value


def _print_results(results: QueryResult, fmt: str) -> None:
    # (serialize answers None only when writing to a file)
    if isinstance(results, ox.QueryBoolean):
        click.echo("true" if results else "false")
    elif isinstance(results, ox.QueryTriples):
        click.echo((ox.serialize(list(results), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"").decode(), nl=False)
    elif fmt == "table":
        names = [v.value for v in results.variables]
        table = Table(*names)
        for row in results:
            table.add_row(*[_cell(row[n]) for n in names])
        out.print(table)
    else:
        sys.stdout.buffer.write(results.serialize(format=RESULT_FORMATS[fmt]) or b"")


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return term.value
