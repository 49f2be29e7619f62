"""Fixtures shared by every test package: a fresh embedded store and a service on it, and
a real Bolt server for the Neo4j store.

The Bolt server is ``NEO4J_URI`` when set (a Neo4j 5 server, as the neo4j workflow runs);
otherwise ArcadeDB's Bolt server from the ``bolt`` extra, started once per test session
on a free loopback port by whichever process asks first (see ``tests/bolt_server.py``)
and stopped by its pid when the session ends, passed or failed. Each xdist worker gets its
own database on it, so workers never wipe each other's data; on an external server, which
may have a single database, the Neo4j tests of different workers take turns instead.
"""

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest

from registry.service import RegistryService
from registry.store.neo4j import Neo4jStore
from registry.store.sqlite import SQLiteStore
from tests import bolt_server

# Most assertions read English output; the Chinese default is tested explicitly with
# ``--lang zh`` / ``REGISTRY_LANG=zh`` (tests/test_i18n.py, tests/cli/test_everyday.py).
os.environ["REGISTRY_LANG"] = "en"

SHARED = Path(__file__).resolve().parents[2] / "shared"
_BOLT_DIR = "REGISTRY_TEST_BOLT_DIR"
_owned = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """The controlling process (xdist's, or the only one) owns the session's scratch
    directory for the Bolt server; workers inherit it through the environment."""
    if not hasattr(config, "workerinput") and _BOLT_DIR not in os.environ:
        os.environ[_BOLT_DIR] = tempfile.mkdtemp(prefix="registry-bolt-")
        config.stash[_owned] = Path(os.environ[_BOLT_DIR])


def pytest_unconfigure(config: pytest.Config) -> None:
    directory = config.stash.get(_owned, None)
    if directory is not None:
        bolt_server.stop_shared(directory)
        shutil.rmtree(directory, ignore_errors=True)
        os.environ.pop(_BOLT_DIR, None)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "registry.db")
    yield store
    store.close()


@pytest.fixture
def service(sqlite_store: SQLiteStore) -> RegistryService:
    return RegistryService(sqlite_store)


BoltDatabase = Callable[[str], str]


@pytest.fixture(scope="session")
def bolt_database() -> BoltDatabase:
    """``bolt_database("cli")``: the URL of a database of that purpose on a real Bolt
    server, this worker's own (on ``NEO4J_URI``, the one database it names)."""
    external = os.environ.get("NEO4J_URI")
    if external:
        return lambda _purpose: external
    if find_spec("arcadedb_embedded") is None:
        reason = "no Bolt server: set NEO4J_URI, or install the bolt extra (pip install -e '.[bolt]')"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the Neo4j store")
        pytest.skip(reason)
    directory = Path(os.environ[_BOLT_DIR])
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    controller = os.getppid() if worker else os.getpid()
    server = bolt_server.shared(directory, watch_pid=controller)

    def database(purpose: str) -> str:
        name = f"{purpose}_{worker or 'main'}"
        server.create_database(name)
        return server.url(name)

    return database


@pytest.fixture(scope="session")
def bolt_url(bolt_database: BoltDatabase) -> str:
    """The URL of this worker's database for the store tests."""
    return bolt_database("store")


@contextlib.contextmanager
def bolt_turn() -> Iterator[None]:
    """On an external server the workers' Neo4j tests take turns (one database for all)."""
    if not (os.environ.get("NEO4J_URI") and os.environ.get("PYTEST_XDIST_WORKER")):
        yield
        return
    with open(Path(os.environ[_BOLT_DIR]) / "external.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@pytest.fixture
def bolt_store(bolt_url: str) -> Iterator[Neo4jStore]:
    """An empty Neo4j store on the session's Bolt server."""
    with bolt_turn():
        store = Neo4jStore.from_url(bolt_url)
        store.wipe()
        yield store
        store.close()
