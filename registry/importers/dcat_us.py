"""DCAT-US (Project Open Data metadata schema v1.1) ``data.json`` catalogues.

A catalogue is one JSON object with ``conformsTo`` the v1.1 schema and a ``dataset``
list; each dataset has ``title``, ``identifier``, ``publisher``, ``accessLevel``,
``distribution`` and more. What becomes what is tabled in ``docs/interop.md``. Records
are reported as ``dataset[i]`` under the DCAT-US property name.
"""

from pathlib import Path
from typing import Any

from registry.i18n import t
from registry.importers.base import Format, Probe
from registry.importers.documents import DocumentSyntaxError, parse
from registry.importers.foreign import Distribution, Publisher, Record, build
from registry.importers.source import decode, sha256
from registry.service.declaration import Declaration
from registry.service.errors import Issue

NAME = "dcat-us"

PROPERTIES = {
    "resource_code": "identifier",
    "name": "title",
    "abstract": "description",
    "provider": "publisher",
    "provider_code": "publisher.identifier",
    "share_type": "accessLevel",
    "published_on": "issued",
    "update_cycle": "accrualPeriodicity",
    "code": "distribution",
    "url": "distribution",
    "kind": "distribution",
}


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _publisher(raw: Any) -> Publisher | None:
    if isinstance(raw, str):
        return Publisher(raw)
    if not isinstance(raw, dict):
        return None
    codes = [raw.get(k) for k in ("identifier", "@id", "creditCode", "统一社会信用代码")]
    return Publisher(_text(raw.get("name")), codes)


def _distributions(raw: Any) -> list[Distribution]:
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    return [
        Distribution(
            key=None,
            title=_text(d.get("title")),
            access_url=_text(d.get("accessURL")),
            download_url=_text(d.get("downloadURL")),
            format=d.get("format"),
            media_type=d.get("mediaType"),
        )
        for d in raw
        if isinstance(d, dict)
    ]


def records(file: str, catalogue: Any, issues: list[Issue]) -> list[Record]:
    """The catalogue's datasets as records; a catalogue without a ``dataset`` list is one issue."""
    datasets = catalogue.get("dataset") if isinstance(catalogue, dict) else None
    if not isinstance(datasets, list):
        issues.append(Issue(file, None, "dataset", None, t("od.not_catalogue")))
        return []
    out: list[Record] = []
    for i, raw in enumerate(datasets):
        where = f"dataset[{i}]"
        if not isinstance(raw, dict):
            issues.append(Issue(file, where, None, None, t("od.not_object", what="dataset")))
            continue
        out.append(
            Record(
                where=where,
                identifier=raw.get("identifier"),
                title=raw.get("title"),
                description=raw.get("description"),
                publisher=_publisher(raw.get("publisher")),
                access_level=raw.get("accessLevel"),
                rights=raw.get("rights"),
                issued=raw.get("issued"),
                modified=raw.get("modified"),
                periodicity=raw.get("accrualPeriodicity"),
                source=_text(raw.get("identifier")) if isinstance(raw.get("identifier"), str) else None,
                distributions=_distributions(raw.get("distribution")),
                properties=PROPERTIES,
            )
        )
    return out


def load(path: Path) -> tuple[Any, str, list[Issue]]:
    """The parsed JSON, the file's sha256, and issues when it could not be parsed."""
    data = path.read_bytes()
    decoded = decode(path, data)
    issues = [decoded.issue] if decoded.issue else []
    if decoded.text is None:
        return None, sha256(data), issues
    try:
        return parse(path, decoded.text), sha256(data), issues
    except DocumentSyntaxError as exc:
        return None, sha256(data), [*issues, Issue(str(path), None, None, None, str(exc))]


def read(path: Path, *, skip_invalid: bool = False) -> Declaration:
    raw, digest, issues = load(path)
    declaration = Declaration(source=str(path), format=NAME, sha256=digest, issues=issues)
    if raw is not None:
        build(str(path), NAME, records(str(path), raw, declaration.issues), declaration)
    return declaration


def sniff(probe: Probe) -> bool:
    """The v1.1 schema's address, or a top-level ``dataset`` list (the native format's
    section is ``datasets``)."""
    return probe.has(r"project-open-data\.cio\.gov/v1\.1") or probe.has(r'^\s*\{[^\[]*"dataset"\s*:\s*\[')


FORMAT = Format(
    name=NAME,
    description="DCAT-US (Project Open Data v1.1) data.json catalogue",
    suffixes=(".json",),
    priority=60,
    sniff=sniff,
    read=read,
)
