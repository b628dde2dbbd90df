"""The HTML query editor (YASGUI, served from the package, no CDN),
pre-filled with the named queries as examples."""

from __future__ import annotations

import html
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse

from therapykg.api.web.render import site_header
from therapykg.queries import library, runnable_text

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
<main id="main"><div id="yasgui"></div></main>
<script src="{static}/vendor/yasgui.min.js"></script>
<script>window.THERAPYKG = {config};</script>
<script src="{static}/editor.js"></script>
</body>
</html>
"""


def editor_page(request: Request) -> HTMLResponse:
    examples = [{"name": q.name, "title": q.title, "query": _example_text(q)} for q in library().values()]
    options = "".join(f'<option value="{i}">{html.escape(e["title"])}</option>' for i, e in enumerate(examples))
    config = {"endpoint": str(request.url_for("sparql")), "examples": examples}
    page = PAGE.format(static=request.url_for("static", path="").path.rstrip("/"),
                       version=html.escape(request.app.state.engine.version or ""),
                       options=options, config=json.dumps(config).replace("</", "<\\/"), site_header=site_header(request))
    return HTMLResponse(page)


def _example_text(query) -> str:
    """A library query made runnable as-is when every parameter has a default."""
    if any(p.default is None for p in query.parameters):
        return query.text
    return runnable_text(query)
