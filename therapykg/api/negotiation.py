"""Content negotiation for SPARQL results and RDF, by Accept header or a
``format`` parameter."""

from __future__ import annotations

from therapykg.store.formats import GRAPH_FORMATS, RESULT_FORMATS, Format


class NotAcceptable(Exception):
    def __init__(self, offered: tuple[Format, ...]):
        self.offered = offered
        super().__init__("no acceptable format; this resource is available as " + ", ".join(f.media_type for f in offered))


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges by preference (stable for equal q)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((index, media, q))
    ranges.sort(key=lambda item: (-item[2], item[0]))
    return [(media, q) for _, media, q in ranges]


def choose(offered: tuple[Format, ...], accept: str | None, format_param: str | None) -> Format:
    """The format named by ``format_param``, else the best match for ``accept``.

    :raises NotAcceptable: nothing offered is acceptable.
    """
    if format_param:
        wanted = format_param.strip().lower()
        for fmt in offered:
            if wanted in (fmt.name, fmt.media_type, *fmt.aliases):
                return fmt
        raise NotAcceptable(offered)
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in ("*/*", "*"):
            return offered[0]
        for fmt in offered:
            if media == fmt.media_type or media in fmt.aliases:
                return fmt
        major = media.split("/")[0]
        if media.endswith("/*"):
            for fmt in offered:
                if fmt.media_type.startswith(major + "/"):
                    return fmt
    raise NotAcceptable(offered)


def chosen_formats(accept: str | None, format_param: str | None) -> tuple[str | None, str | None]:
    """The output formats for a query whose kind of result is not known yet:
    (for SELECT and ASK, for CONSTRUCT and DESCRIBE), None where nothing of
    that kind is acceptable."""
    return _name(RESULT_FORMATS, accept, format_param), _name(GRAPH_FORMATS, accept, format_param)


def _name(offered: tuple[Format, ...], accept: str | None, format_param: str | None) -> str | None:
    try:
        return choose(offered, accept, format_param).name
    except NotAcceptable:
        return None


def not_acceptable(kind: str) -> NotAcceptable:
    """The refusal for a result of ``kind`` ("results" or "graph") with no acceptable format."""
    return NotAcceptable(RESULT_FORMATS if kind == "results" else GRAPH_FORMATS)
