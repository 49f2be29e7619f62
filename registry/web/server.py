"""Run the app with uvicorn: what ``registry serve`` and ``registry demo --serve`` share.

With more than one worker, uvicorn starts that many processes, each building its own app
from the settings this process leaves in the environment (``worker_config``): each opens
the store itself (SQLite in WAL mode lets the processes read at once and queues their
writes; Neo4j is a server) and reads the same token file, which is re-read when it
changes and written under a lock. Caches (projections, visibility) are per process and
keyed by the store's version, so a write through one worker is seen by every other at
its next request. What costs most is computed once for all of them: clearance levels
(updated by the worker that wrote) and the analyses are shared in a folder beside the
registry file (``registry.service.shared``). Connections are spread over the workers by
how many each holds (``registry.web.balance``), not by which woke first.
"""

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import uvicorn

from registry.graphql import Limits
from registry.service import RegistryService
from registry.web.app import WebSettings, create_app
from registry.web.balance import SHARES_ENV, BalancedLoop, Shares
from registry.web.tokens import TokenStore

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WORKER_HEALTHCHECK_SECONDS = 120
"""How long uvicorn waits for a worker's answer to its health ping before killing it. Its
default, 5 s, is shorter than a worker holding the interpreter at 100k datasets (reading
the shared results or computing them): such a worker was killed mid-request and its
clients saw "Server disconnected". A worker that hangs is still replaced, later."""
WORKER_ENV = "REGISTRY_SERVE_WORKER"
"""Environment variable carrying a worker's settings (store, token file, web settings)."""


def default_workers() -> int:
    """One worker per core."""
    return os.cpu_count() or 1


def run(
    service: RegistryService,
    tokens: TokenStore,
    settings: WebSettings,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int = 1,
    worker_factory: str | None = None,
) -> None:
    """Serve until interrupted, in this process (one worker) or in ``workers`` processes,
    each building its app with ``worker_factory`` (``module:function``, as uvicorn takes
    it), which opens the store the way the caller opened this one (``worker_config``)."""
    if workers <= 1 or worker_factory is None:
        uvicorn.run(create_app(service, tokens, settings), host=host, port=port, log_level="info", access_log=False)
        return
    os.environ[WORKER_ENV] = json.dumps(
        {
            "store": service.store.url,
            "tokens": str(tokens.path),
            "public_view": settings.public_view,
            "cors_origins": list(settings.cors_origins),
            "max_body_bytes": settings.max_body_bytes,
            "limits": asdict(settings.limits),
        }
    )
    service.store.close()
    with tempfile.TemporaryDirectory(prefix="registry-serve-") as folder:
        # the workers' open connections, so that they spread (registry.web.balance)
        os.environ[SHARES_ENV] = str(Shares.create(Path(folder) / "shares"))
        uvicorn.run(
            worker_factory,
            factory=True,
            workers=workers,
            loop=f"{BalancedLoop.__module__}:{BalancedLoop.__name__}",
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            host=host,
            port=port,
            log_level="info",
            access_log=False,
        )


def worker_config() -> tuple[str, TokenStore, WebSettings]:
    """In a worker process: the store location, token file and settings ``run`` left in
    the environment."""
    config = json.loads(os.environ[WORKER_ENV])
    settings = WebSettings(
        public_view=config["public_view"],
        cors_origins=tuple(config["cors_origins"]),
        max_body_bytes=config["max_body_bytes"],
        limits=Limits(**config["limits"]),
    )
    return config["store"], TokenStore(config["tokens"]), settings
