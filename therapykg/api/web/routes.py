"""The researcher pages' routes, one module per page or group of pages."""

from __future__ import annotations

from starlette.routing import BaseRoute

from therapykg.api.web import compare_page, dose_page, evidence_pages, home, regimens, search_page, therapy_page


def web_routes() -> list[BaseRoute]:
    return [*home.routes, *search_page.routes, *therapy_page.routes, *compare_page.routes, *regimens.routes,
            *dose_page.routes, *evidence_pages.routes]
