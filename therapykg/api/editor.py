"""The HTML query editor (YASGUI, served from the package, no CDN),
pre-filled with the named queries as examples.

Nothing the page does leaves this service: completion comes from
/sparql/complete and the page's own list of predeclared prefixes (YASQE's
completers that ask prefix.cc or Linked Open Vocabularies are replaced, see
``static/editor.js``), results link to this service's own pages, and
downloads re-run the query here in the format asked for."""

from __future__ import annotations

import html
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse

from therapykg.api.web.render import site_header
from therapykg.namespaces import PREFIXES, TKG, TKGR
from therapykg.queries import library, runnable_text
from therapykg.store.formats import GRAPH_FORMATS, RESULT_FORMATS, Format

# What the "Download as" list calls each output format, and the file name's extension.
FORMAT_NAMES = {
    "json": ("SPARQL JSON", "json"), "xml": ("SPARQL XML", "xml"), "csv": ("CSV", "csv"), "tsv": ("TSV", "tsv"),
    "turtle": ("Turtle", "ttl"), "ntriples": ("N-Triples", "nt"), "jsonld": ("JSON-LD", "jsonld"),
    "rdfxml": ("RDF/XML", "rdf"),
}
# Where the editor keeps its tabs, queries and history in the browser (localStorage).
PERSISTENCE_ID = "therapykg-sparql"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>therapykg SPARQL endpoint</title>
<link rel="stylesheet" href="{static}/vendor/yasgui.min.css">
<link rel="stylesheet" href="{static}/site.css">
<link rel="stylesheet" href="{static}/therapykg.css">
<link rel="icon" href="{static}/favicon.svg" type="image/svg+xml">
</head>
<body>
{site_header}
<header class="editor">
  <h1>therapykg SPARQL endpoint</h1>
  <p>SPARQL 1.1 queries over the therapykg graph (version <code>{version}</code>).
  For research and informatics use, not for clinical decisions.</p>
  <label for="examples">Example queries</label>
  <select id="examples">{options}</select>
</header>
<main id="main"><div id="yasgui"></div>
<div id="editor-tools" class="editor-tools">
  <div class="editor-actions">
    <label for="download-format">Download as</label>
    <select id="download-format"></select>
    <button type="button" id="download">Download</button>
    <label for="history">Recent queries</label>
    <select id="history"><option value="">(none yet)</option></select>
    <span id="editor-status" role="status" aria-live="polite"></span>
  </div>
  <details id="prefixes">
    <summary>Predeclared prefixes</summary>
    <p>Every query may use these prefixes without declaring them; Ctrl-Space completes
    names from this graph (<code>tkg:Ther</code>, <code>tkgr:blina</code>, or a word of a label).</p>
    <table class="prefixes">{prefix_rows}</table>
  </details>
</div>
</main>
<script src="{static}/vendor/yasgui.min.js"></script>
<script>window.THERAPYKG = {config};</script>
<script src="{static}/editor.js"></script>
</body>
</html>
"""


def editor_page(request: Request) -> HTMLResponse:
    examples = [{"name": q.name, "title": q.title, "query": _example_text(q)} for q in library().values()]
    options = "".join(f'<option value="{i}">{html.escape(e["title"])}</option>' for i, e in enumerate(examples))
    root = request.scope.get("root_path", "").rstrip("/")
    config = {
        "endpoint": str(request.url_for("sparql")),
        "complete": str(request.url_for("sparql_complete").path),
        "examples": examples,
        "prefixes": PREFIXES,
        # IRIs of this graph open this service's own pages.
        "pages": [[TKGR, f"{root}/resource/"], [TKG, f"{root}/ontology/"]],
        "formats": {"results": [_format(f) for f in RESULT_FORMATS], "graph": [_format(f) for f in GRAPH_FORMATS]},
        "persistenceId": PERSISTENCE_ID,
    }
    prefix_rows = "".join(f"<tr><th>{html.escape(p)}:</th><td><code>&lt;{html.escape(ns)}&gt;</code></td></tr>"
                          for p, ns in PREFIXES.items())
    page = PAGE.format(static=request.url_for("static", path="").path.rstrip("/"),
                       version=html.escape(request.app.state.engine.version or ""),
                       options=options, prefix_rows=prefix_rows,
                       config=json.dumps(config).replace("</", "<\\/"), site_header=site_header(request))
    return HTMLResponse(page)


def _format(fmt: Format) -> dict[str, str]:
    label, extension = FORMAT_NAMES.get(fmt.name, (fmt.name, fmt.name))
    return {"name": fmt.name, "label": label, "mediaType": fmt.media_type, "extension": extension}


def _example_text(query) -> str:
    """A library query made runnable as-is when every parameter has a default."""
    if any(p.default is None for p in query.parameters):
        return query.text
    return runnable_text(query)
