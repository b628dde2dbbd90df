"""The researcher pages are tested on the service in this process (the
``app_client`` of the API tests) and, in the live tier, on a real server."""

from tests.api.conftest import app_client, live_client, server  # noqa: F401  (fixtures shared with the API tests)
