"""The web tests reuse the GraphQL fixture registry and its client; the browser tests get
the served demo and headless Chromium from ``tests.web.browser``."""

from tests.graphql.conftest import loaded
from tests.web.browser import browser, demo_server

__all__ = ["browser", "demo_server", "loaded"]
