"""Bytes to text, the way departments' files actually arrive.

Catalogues come from Excel on Chinese Windows as often as from anywhere else: UTF-8 with
or without a BOM, GBK/GB18030 ("ANSI" on a Chinese system), or UTF-16 from Excel's
"Unicode text" export. Decoding tries them in that order and says which one it used, so
a user whose file was misread can tell why; an undecodable file is an Issue, not a
traceback.
"""

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from registry.service.errors import Issue


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Decoded:
    text: str | None
    encoding: str | None
    issue: Issue | None


def decode(path: Path, data: bytes) -> Decoded:
    """The text of ``data``; a warning issue names the encoding when it is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _try(path, data, "utf-16", note=True)
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8", None)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return Decoded(
            None,
            None,
            Issue(
                str(path),
                None,
                None,
                None,
                f"cannot decode the file: not UTF-8 (byte {utf8_error.start}) and not GBK/GB18030; "
                "save it as UTF-8 CSV",
            ),
        )
    return Decoded(text, "gb18030", _note(path, "GBK/GB18030"))


def _try(path: Path, data: bytes, encoding: str, *, note: bool) -> Decoded:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        return Decoded(None, None, Issue(str(path), None, None, None, f"cannot decode the file as {encoding}: {exc}"))
    return Decoded(text.lstrip("\ufeff"), encoding, _note(path, encoding.upper()) if note else None)


def _note(path: Path, encoding: str) -> Issue:
    return Issue(str(path), None, None, None, f"file is not UTF-8; read as {encoding}", severity="warning")


BLOCK = 1 << 20
"""Bytes read at a time when a file is checked without being held."""


@dataclass(frozen=True)
class Sniffed:
    """What ``decode`` would say about a file, found without holding it: its encoding (or
    the issue why it has none) and its digest."""

    encoding: str | None
    issue: Issue | None
    sha256: str


def sniff_file(path: Path) -> Sniffed:
    """``decode``'s choice of encoding, checked over the whole file a block at a time
    (decoding is cheap next to parsing) so that a stream reader never meets an
    undecodable byte after it has begun handing out rows."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            ok, _where = _check(handle, "utf-16", digest)
            sha = digest.hexdigest()
            if not ok:
                return Sniffed(None, Issue(str(path), None, None, None, "cannot decode the file as utf-16"), sha)
            return Sniffed("utf-16", _note(path, "UTF-16"), sha)
        ok, where = _check(handle, "utf-8-sig", digest)
        sha = digest.hexdigest()
        if ok:
            return Sniffed("utf-8-sig", None, sha)
        handle.seek(0)
        if _check(handle, "gb18030", None)[0]:
            return Sniffed("gb18030", _note(path, "GBK/GB18030"), sha)
    reason = f"cannot decode the file: not UTF-8 (byte {where}) and not GBK/GB18030; save it as UTF-8 CSV"
    return Sniffed(None, Issue(str(path), None, None, None, reason), sha)


def _check(handle: BinaryIO, encoding: str, digest: "hashlib._Hash | None") -> tuple[bool, int]:
    """Whether the rest of ``handle`` decodes; where it first fails. Hashes what it reads
    into ``digest`` (all of it, even past a failure, since the digest is the file's)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    failed_at: int | None = None
    while block := handle.read(BLOCK):
        if digest is not None:
            digest.update(block)
        if failed_at is None:
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                failed_at = offset + exc.start
                if digest is None:
                    break
        offset += len(block)
    if failed_at is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            failed_at = offset + exc.start
    return failed_at is None, failed_at or 0
