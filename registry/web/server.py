"""Run the app with uvicorn: what ``registry serve`` and ``registry demo --serve`` share."""

import uvicorn

from registry.service import RegistryService
from registry.web.app import WebSettings, create_app
from registry.web.tokens import TokenStore

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def run(
    service: RegistryService,
    tokens: TokenStore,
    settings: WebSettings,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
) -> None:
    """Serve until interrupted. One worker: the embedded store is one file opened once, and
    its projection cache is per process."""
    uvicorn.run(create_app(service, tokens, settings), host=host, port=port, log_level="info", access_log=False)
