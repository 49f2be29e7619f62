"""Bytes to text, the way departments' files actually arrive.

Catalogues come from Excel on Chinese Windows as often as from anywhere else: UTF-8 with
or without a BOM, GBK/GB18030 ("ANSI" on a Chinese system), or UTF-16 from Excel's
"Unicode text" export. Decoding tries them in that order and says which one it used, so
a user whose file was misread can tell why; an undecodable file is an Issue, not a
traceback.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

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
