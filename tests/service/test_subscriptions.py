"""Subscriptions and webhooks against a real local receiver: a provider's re-import that
drops a 信息项 delivers one signed event to the subscribed consumer department, retried
after the receiver fails once; a subscription to an entry that becomes hidden stops."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from registry.importers import read
from registry.schema.codes import make_credit_code
from registry.schema.enums import Clearance
from registry.schema.model import Department, System
from registry.schema.records import NodeRef
from registry.service import Caller, EdgeDecl, NotFound, RegistryService, Role
from registry.service.subscriptions import (
    SIGNATURE_HEADER,
    Notifier,
    SubscriptionBook,
    http_sender,
    sign,
    subscribe,
)
from tests.cli import catalogue

ADMIN = Caller.system("test")
CONSUMER_CODE = make_credit_code("11", "330100", "00257088")
CONSUMER = Caller(identity="token:杭州市民政局", role=Role.REVIEWER, clearance=Clearance.PUBLIC)


class Receiver:
    """A webhook endpoint on 127.0.0.1 that fails the first ``failures`` requests."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = 500 if receiver.failures > 0 else 204
                receiver.failures -= 1
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver(failures=1)
    yield found
    found.close()


@pytest.fixture
def shared(service: RegistryService, tmp_path: Path) -> tuple[RegistryService, Path]:
    path = catalogue.write(tmp_path / "hz.csv", [1, 2])
    service.load(read(path), ADMIN)
    consumer = Department(code=CONSUMER_CODE, name="杭州市民政局")
    share = EdgeDecl("SHARED_WITH", NodeRef("Dataset", catalogue.code(1)), NodeRef("Department", CONSUMER_CODE))
    service.upsert(ADMIN, [consumer], [share])
    return service, path


def test_a_dropped_field_reaches_the_consumer_signed_and_retried(
    shared: tuple[RegistryService, Path], receiver: Receiver, tmp_path: Path
) -> None:
    service, path = shared
    book = SubscriptionBook(tmp_path / "registry.subscriptions.json")
    subscription, secret = subscribe(
        service, CONSUMER, book, target_kind="department", target=CONSUMER_CODE, url=receiver.url
    )
    assert oct(book.path.stat().st_mode & 0o777) == "0o600"
    notifier = Notifier(service, book, http_sender(timeout=5), attempts=3, backoff=0.05)
    service.listeners.append(notifier.deliver_batch)

    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line for line in lines if "姓名" not in line) + "\n", encoding="utf-8")
    service.load(read(path), ADMIN, force=True)  # the provider re-imports without 姓名

    assert len(receiver.received) == 2  # failed once, delivered on the retry
    headers, body = receiver.received[-1]
    assert headers[SIGNATURE_HEADER] == sign(secret, body)
    payload = json.loads(body)
    [event] = payload["events"]
    assert event["event"] == "upstream_changed" and event["change"] == "field_removed"
    assert event["field"] == "姓名" and event["entry"] == f"Dataset:{catalogue.code(1)}"
    [delivery] = book.deliveries([subscription.id])
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert "secret" not in subscription.public()


def test_nothing_is_sent_for_changes_the_consumer_does_not_depend_on(
    shared: tuple[RegistryService, Path], receiver: Receiver, tmp_path: Path
) -> None:
    service, path = shared
    book = SubscriptionBook(tmp_path / "registry.subscriptions.json")
    subscribe(service, CONSUMER, book, target_kind="department", target=CONSUMER_CODE, url=receiver.url)
    notifier = Notifier(service, book, http_sender(timeout=5), attempts=1, backoff=0)
    service.listeners.append(notifier.deliver_batch)
    catalogue.write(path, [1, 2], abstracts={2: "与民政局无关的修改"})
    service.load(read(path), ADMIN)
    assert receiver.received == []


def test_a_hidden_target_cannot_be_subscribed_and_stops_delivering(service: RegistryService, tmp_path: Path) -> None:
    book = SubscriptionBook(tmp_path / "registry.subscriptions.json")
    public = Caller.public()
    classified = System(code="330000-GA-XT009", name="重点人员管控测试系统", network="intranet")
    open_system = System(code="330000-GA-XT010", name="公开办事系统", network="extranet")
    service.upsert(ADMIN, [classified, open_system])
    with pytest.raises(NotFound):  # hidden answers like missing
        subscribe(
            service, public, book, target_kind="entry", target="System:330000-GA-XT009", url="http://127.0.0.1:9/"
        )
    watcher, _ = subscribe(
        service, public, book, target_kind="entry", target="System:330000-GA-XT010", url="http://127.0.0.1:9/"
    )
    sent: list[bytes] = []
    notifier = Notifier(service, book, lambda url, body, headers: sent.append(body), attempts=1)
    service.listeners.append(notifier.deliver_batch)
    service.upsert(ADMIN, [System(code="330000-GA-XT010", name="公开办事系统（二期）", network="extranet")])
    assert [json.loads(b)["subscription"] for b in sent] == [watcher.id]
    sent.clear()
    service.upsert(ADMIN, [System(code="330000-GA-XT010", name="公开办事系统（二期）", network="intranet")])
    assert sent == []  # the system moved to the intranet: hidden from a public subscriber, so nothing is sent


def test_a_direct_retirement_is_delivered(service: RegistryService, tmp_path: Path) -> None:
    book = SubscriptionBook(tmp_path / "registry.subscriptions.json")
    system = System(code="330000-GA-XT011", name="行政审批受理系统", network="extranet")
    service.upsert(ADMIN, [system])
    # a retired entry's level can no longer be computed, so only a caller cleared for
    # everything is told of it (as in the change feed)
    auditor = Caller(identity="token:省大数据局审计", role=Role.REVIEWER, clearance=Clearance.TOP_SECRET)
    watcher, _ = subscribe(
        service, auditor, book, target_kind="entry", target="System:330000-GA-XT011", url="http://127.0.0.1:9/"
    )
    sent: list[bytes] = []
    notifier = Notifier(service, book, lambda url, body, headers: sent.append(body), attempts=1)
    service.listeners.append(notifier.deliver_batch)
    service.retire(ADMIN, [NodeRef("System", "330000-GA-XT011")])
    [body] = sent
    payload = json.loads(body)
    assert payload["subscription"] == watcher.id
    assert [e["event"] for e in payload["events"]] == ["retired"]


def test_a_departments_retirement_reaches_a_public_subscriber(service: RegistryService, tmp_path: Path) -> None:
    """Departments are public by rule, so a public caller is told of a watched
    department's retirement, as the change feed shows it to everyone."""
    book = SubscriptionBook(tmp_path / "registry.subscriptions.json")
    archives = make_credit_code("11", "330000", "00250001")
    service.upsert(ADMIN, [Department(code=archives, name="浙江省档案局")])
    watcher, _ = subscribe(
        service, CONSUMER, book, target_kind="department", target=archives, url="http://127.0.0.1:9/"
    )
    sent: list[bytes] = []
    notifier = Notifier(service, book, lambda url, body, headers: sent.append(body), attempts=1)
    service.listeners.append(notifier.deliver_batch)
    service.retire(ADMIN, [NodeRef("Department", archives)])
    [body] = sent
    payload = json.loads(body)
    assert payload["subscription"] == watcher.id
    assert [e["event"] for e in payload["events"]] == ["retired"]
