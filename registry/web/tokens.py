"""API tokens: who a request is, stored hashed in a small JSON file beside the registry.

A token is ``reg_<id>_<secret>`` with 256 random bits of secret. Only the SHA-256 of the
secret is stored: tokens are random, not chosen passwords, so a fast hash is as safe as
a slow one and keeps authentication off the request's critical path. The id lets the
file be searched without comparing every hash; comparison is constant-time. The file is
re-read when it changes, so tokens created or revoked while the server runs take effect
at once.
"""

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock

from registry.schema.codes import validate_credit_code
from registry.schema.enums import Clearance
from registry.service import Caller, Role

PREFIX = "reg_"


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
        self._stamp: tuple[int, int] | None = None
        self._tokens: dict[str, TokenInfo] = {}

    def _load(self) -> dict[str, TokenInfo]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._tokens = None, {}
            return self._tokens
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            try:
                rows = json.loads(self.path.read_text(encoding="utf-8"))
                self._tokens = {row["id"]: TokenInfo(**row) for row in rows}
            except (ValueError, KeyError, TypeError) as exc:
                raise TokenError(f"token file {self.path} is damaged: {exc}") from None
            self._stamp = stamp
        return self._tokens

    def _save(self, tokens: dict[str, TokenInfo]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([asdict(t) for t in tokens.values()], handle, ensure_ascii=False, indent=1)
        os.replace(temp, self.path)
        self._stamp = None

    def create(
        self, *, role: str, clearance: str = "public", department: str | None = None, name: str | None = None
    ) -> tuple[str, TokenInfo]:
        """A new token (returned once, never stored) and what it grants."""
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
        token_id = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        info = TokenInfo(
            id=token_id,
            name=name or f"{parsed_role.value}-{token_id}",
            role=parsed_role.value,
            clearance=level.name.lower(),
            department=department,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            digest=_digest(secret),
        )
        with self._lock:
            tokens = dict(self._load())
            tokens[token_id] = info
            self._save(tokens)
        return f"{PREFIX}{token_id}_{secret}", info

    def list(self) -> list[TokenInfo]:
        with self._lock:
            return sorted(self._load().values(), key=lambda t: t.created)

    def revoke(self, token_id: str) -> TokenInfo:
        with self._lock:
            tokens = dict(self._load())
            info = tokens.pop(token_id, None)
            if info is None:
                raise TokenError(f"no token with id {token_id!r}")
            self._save(tokens)
            return info

    def authenticate(self, token: str) -> Caller | None:
        """The caller a presented token stands for, or None for any unknown or malformed one."""
        if not token.startswith(PREFIX):
            return None
        token_id, _, secret = token[len(PREFIX) :].partition("_")
        with self._lock:
            info = self._load().get(token_id)
        if info is None or not hmac.compare_digest(info.digest, _digest(secret)):
            return None
        return info.caller()


def default_token_path(store_location: str) -> Path:
    """Beside a registry file (``registry.db`` -> ``registry.tokens.json``); in the working
    directory for a Neo4j URL."""
    if "://" in store_location:
        return Path("registry.tokens.json")
    path = Path(store_location)
    return path.with_name(path.stem + ".tokens.json")
