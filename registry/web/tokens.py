"""API tokens: who a request is, stored hashed in a small JSON file beside the registry.

A token is ``reg_<id>_<secret>`` with 256 random bits of secret. Only the SHA-256 of the
secret is stored: tokens are random, not chosen passwords, so a fast hash is as safe as
a slow one and keeps authentication off the request's critical path. The id lets the
file be searched without comparing every hash; comparison is constant-time. The file is
re-read when it changes, so tokens created or revoked while the server runs take effect
at once.

A token expires (``DEFAULT_DAYS`` after it is made unless ``registry token create
--expires`` says otherwise) and is then refused like a revoked one. When a token was last
used is kept in a second file beside the first (``*.used.json``, written by the server at
most once a minute per token), so the server never rewrites the file the operator's
``token create`` and ``revoke`` write.
"""

import fcntl
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from threading import Lock

from registry.schema.codes import validate_credit_code
from registry.schema.enums import Clearance
from registry.service import Caller, Role

PREFIX = "reg_"
DEFAULT_DAYS = 90
"""Life of a token unless ``--expires`` gives another."""
_TOUCH_SECONDS = 60.0


class TokenError(ValueError):
    """A token request that cannot be honoured; the message says why."""


@dataclass(frozen=True)
class TokenInfo:
    id: str
    name: str
    role: str
    clearance: str
    department: str | None
    created: str
    digest: str
    expires: str | None = None
    """ISO time after which the token is refused; None never expires (tokens made
    before expiry existed)."""
    last_used: str | None = None
    """Kept in the used-file, not in the token file; filled in by ``TokenStore.list``."""

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and datetime.fromisoformat(self.expires) <= now

    def caller(self) -> Caller:
        return Caller(
            identity=f"token:{self.name}",
            role=Role(self.role),
            clearance=Clearance.parse(self.clearance),
            department=self.department,
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._tokens: dict[str, TokenInfo] = {}
        self.used_path = self.path.with_name(self.path.stem + ".used.json")
        self._used: dict[str, str] = {}
        self._flushed: dict[str, float] = {}

    def _load(self) -> dict[str, TokenInfo]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._tokens = None, {}
            return self._tokens
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            try:
                rows = json.loads(self.path.read_text(encoding="utf-8"))
                self._tokens = {row["id"]: TokenInfo(**row) for row in rows}
            except (ValueError, KeyError, TypeError) as exc:
                raise TokenError(f"token file {self.path} is damaged: {exc}") from None
            self._stamp = stamp
        return self._tokens

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Held while the file is read, changed and replaced, so that two processes (two
        ``registry token create`` runs, or one beside a server's workers) never lose each
        other's change. Readers need no lock: the file is replaced whole, atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._stamp = None  # another process may have written since we last read
            yield
        finally:
            os.close(fd)

    def _save(self, tokens: dict[str, TokenInfo]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            rows = [{k: v for k, v in asdict(t).items() if k != "last_used"} for t in tokens.values()]
            json.dump(rows, handle, ensure_ascii=False, indent=1)
        os.replace(temp, self.path)
        self._stamp = None

    def create(
        self,
        *,
        role: str,
        clearance: str = "public",
        department: str | None = None,
        name: str | None = None,
        expires_in: timedelta | None = timedelta(days=DEFAULT_DAYS),
    ) -> tuple[str, TokenInfo]:
        """A new token (returned once, never stored) and what it grants, valid for
        ``expires_in`` (None: until revoked)."""
        try:
            parsed_role = Role(role.strip().lower())
        except ValueError:
            raise TokenError(f"unknown role {role!r}; expected one of {', '.join(r.value for r in Role)}") from None
        try:
            level = Clearance.parse(clearance)
        except ValueError as exc:
            raise TokenError(str(exc)) from None
        if parsed_role is Role.EDITOR and not department:
            raise TokenError("an editor token needs --department (the 统一社会信用代码 of the department it edits)")
        if parsed_role is Role.PUBLIC and level is not Clearance.PUBLIC:
            raise TokenError("a public token has public clearance; use the reviewer role for more")
        if department:
            try:
                department = validate_credit_code(department)
            except ValueError as exc:
                raise TokenError(str(exc)) from None
        if expires_in is not None and expires_in <= timedelta(0):
            raise TokenError("a token must be valid for some time; give --expires a positive number of days")
        token_id = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        info = TokenInfo(
            id=token_id,
            name=name or f"{parsed_role.value}-{token_id}",
            role=parsed_role.value,
            clearance=level.name.lower(),
            department=department,
            created=now.isoformat(timespec="seconds"),
            digest=_digest(secret),
            expires=None if expires_in is None else (now + expires_in).isoformat(timespec="seconds"),
        )
        with self._lock, self._file_lock():
            tokens = dict(self._load())
            tokens[token_id] = info
            self._save(tokens)
        return f"{PREFIX}{token_id}_{secret}", info

    def list(self) -> list[TokenInfo]:
        """Every token with when it was last used (as far as the server has recorded)."""
        with self._lock:
            tokens = sorted(self._load().values(), key=lambda t: t.created)
            used = {**self._read_used(), **self._used}
        return [replace(t, last_used=used.get(t.id)) for t in tokens]

    def _read_used(self) -> dict[str, str]:
        try:
            data = json.loads(self.used_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _touch(self, token_id: str, now: datetime) -> None:
        """Remember the use; write the used-file at most once a minute per token."""
        self._used[token_id] = now.isoformat(timespec="seconds")
        clock = now.timestamp()
        if clock - self._flushed.get(token_id, 0.0) < _TOUCH_SECONDS:
            return
        self._flushed[token_id] = clock
        merged = {**self._read_used(), **self._used}
        temp = self.used_path.with_name(self.used_path.name + ".tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(merged, handle)
            os.replace(temp, self.used_path)
        except OSError:
            pass  # a read-only directory costs the record of use, never the request

    def revoke(self, token_id: str) -> TokenInfo:
        with self._lock, self._file_lock():
            tokens = dict(self._load())
            info = tokens.pop(token_id, None)
            if info is None:
                raise TokenError(f"no token with id {token_id!r}")
            self._save(tokens)
            return info

    def authenticate(self, token: str) -> Caller | None:
        """The caller a presented token stands for, or None for any unknown, malformed,
        revoked or expired one."""
        if not token.startswith(PREFIX):
            return None
        token_id, _, secret = token[len(PREFIX) :].partition("_")
        now = datetime.now(UTC)
        with self._lock:
            info = self._load().get(token_id)
            if info is None or not hmac.compare_digest(info.digest, _digest(secret)) or info.expired(now):
                return None
            self._touch(token_id, now)
        return info.caller()


def default_token_path(store_location: str) -> Path:
    """Beside a registry file (``registry.db`` -> ``registry.tokens.json``); in the working
    directory for a Neo4j URL."""
    if "://" in store_location:
        return Path("registry.tokens.json")
    path = Path(store_location)
    return path.with_name(path.stem + ".tokens.json")
