"""CKAN catalogues: ``package_search`` and ``package_show`` API responses, and the JSON
lines ``ckanapi dump datasets`` writes (one package per line).

Organisations become departments (when they carry a 统一社会信用代码), packages datasets,
resources interfaces, and DataStore columns (``ckanapi dump --datastore-fields``, or a
resource's ``fields``) the dataset's fields. ``docs/interop.md`` tables the mapping.
Records are reported at ``result.results[i]``, ``result`` or ``line N``.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from registry.i18n import t
from registry.importers.base import Format, Probe
from registry.importers.dcat_us import load
from registry.importers.documents import DocumentSyntaxError, parse
from registry.importers.foreign import Distribution, Publisher, Record, build
from registry.importers.metadata import format_of
from registry.importers.source import decode, sha256
from registry.schema.enums import FormatCategory
from registry.service.declaration import Declaration
from registry.service.errors import Issue

NAME = "ckan"
LINE_SUFFIXES = (".jsonl", ".ndjson", ".jl")

PROPERTIES = {
    "resource_code": "id",
    "name": "title",
    "abstract": "notes",
    "provider": "organization",
    "provider_code": "organization.extras.credit_code",
    "share_type": "private",
    "published_on": "metadata_created",
    "modified": "metadata_modified",
    "update_cycle": "extras.frequency",
    "code": "resources",
    "url": "resources",
    "kind": "resources",
    "data_type": "datastore_fields",
}
_CODE_KEYS = ("credit_code", "统一社会信用代码", "unified_social_credit_code", "identifier")
_SITE = re.compile(r"^(https?://[^\s\"]+?)/api/(?:\d+/)?action/")


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _extras(raw: Any) -> dict[str, Any]:
    """CKAN writes extras as ``[{"key": k, "value": v}]``; some exports as a mapping."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, list):
        return {e["key"]: e.get("value") for e in raw if isinstance(e, dict) and isinstance(e.get("key"), str)}
    return {}


def _publisher(package: dict[str, Any], extras: dict[str, Any]) -> Publisher | None:
    org = package.get("organization")
    if not isinstance(org, dict):
        return None
    org_extras = _extras(org.get("extras"))
    codes = [org_extras.get(k) for k in _CODE_KEYS] + [org.get(k) for k in _CODE_KEYS]
    codes += [extras.get(k) for k in ("publisher_credit_code", "统一社会信用代码")]
    return Publisher(_text(org.get("title")) or _text(org.get("name")), codes)


def _fields(resource: dict[str, Any]) -> list[tuple[object, object]]:
    raw = resource.get("datastore_fields") or resource.get("fields") or []
    if not isinstance(raw, list):
        return []
    return [(f.get("id"), f.get("type")) for f in raw if isinstance(f, dict)]


def _distribution(resource: dict[str, Any]) -> Distribution:
    url = _text(resource.get("url"))
    found = format_of(resource.get("format"), resource.get("mimetype"))
    service = found is not None and found[0] == FormatCategory.SERVICE_INTERFACE
    return Distribution(
        key=_text(resource.get("id")),
        title=_text(resource.get("name")),
        access_url=url if service else None,
        download_url=None if service else url,
        format=resource.get("format"),
        media_type=resource.get("mimetype"),
        fields=_fields(resource),
    )


def _record(where: str, package: dict[str, Any], site: str | None) -> Record:
    extras = _extras(package.get("extras"))
    level = extras.get("accessLevel") or extras.get("access_level")
    if level is None and isinstance(package.get("private"), bool):
        level = "non-public" if package["private"] else "public"
    name = _text(package.get("name"))
    resources = package.get("resources")
    return Record(
        where=where,
        identifier=package.get("id") or name,
        title=package.get("title") or name,
        description=package.get("notes"),
        publisher=_publisher(package, extras),
        access_level=level,
        rights=extras.get("rights"),
        issued=extras.get("issued") or package.get("metadata_created"),
        modified=package.get("metadata_modified"),
        periodicity=extras.get("frequency") or extras.get("accrualPeriodicity") or extras.get("update_frequency"),
        source=f"{site}/dataset/{name}" if site and name else _text(package.get("id")),
        distributions=[_distribution(r) for r in resources if isinstance(r, dict)]
        if isinstance(resources, list)
        else [],
        properties=PROPERTIES,
    )


def _packages(file: str, raw: Any, issues: list[Issue]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, package) of an API response or a bare list of packages."""
    if isinstance(raw, list):
        items: Any = raw
        prefix = ""
    elif isinstance(raw, dict) and "result" in raw:
        if raw.get("success") is False:
            error = raw.get("error")
            shown = json.dumps(error, ensure_ascii=False)[:200] if error is not None else "no error given"
            issues.append(Issue(file, None, "success", "false", t("od.ckan_failed", shown=shown)))
            return
        result = raw["result"]
        if isinstance(result, dict) and isinstance(result.get("results"), list):
            items, prefix = result["results"], "result.results"
        elif isinstance(result, dict):
            yield "result", result
            return
        else:
            items, prefix = result, "result"
    elif isinstance(raw, dict):
        yield "", raw
        return
    else:
        items, prefix = None, ""
    if not isinstance(items, list):
        issues.append(Issue(file, None, None, None, t("od.not_ckan")))
        return
    for i, item in enumerate(items):
        yield f"{prefix}[{i}]", item


def _lines(path: Path, text: str, issues: list[Issue]) -> Iterator[tuple[str, Any]]:
    """Each line parsed as the other JSON documents are (``documents.parse``, with its bounds)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", parse(path, line)
        except DocumentSyntaxError as exc:
            issues.append(Issue(str(path), f"line {number}", None, None, str(exc)))


def _is_lines(path: Path, text: str) -> bool:
    if path.suffix.lower() in LINE_SUFFIXES:
        return True
    first, _, rest = text.lstrip().partition("\n")
    return first.rstrip().endswith("}") and rest.lstrip().startswith("{")


def records(path: Path, issues: list[Issue]) -> tuple[list[Record], str]:
    """The file's packages as records, and the file's sha256."""
    file = str(path)
    data = path.read_bytes()
    decoded = decode(path, data)
    if decoded.issue:
        issues.append(decoded.issue)
    if decoded.text is None:
        return [], sha256(data)
    if _is_lines(path, decoded.text):
        items: Iterator[tuple[str, Any]] = _lines(path, decoded.text, issues)
        site = None
    else:
        raw, _, problems = load(path)
        issues.extend(p for p in problems if p != decoded.issue)
        if raw is None:
            return [], sha256(data)
        help_url = raw.get("help") if isinstance(raw, dict) else None
        match = _SITE.match(help_url) if isinstance(help_url, str) else None
        site = match[1] if match else None
        items = _packages(file, raw, issues)
    out: list[Record] = []
    for where, package in items:
        if not isinstance(package, dict):
            issues.append(Issue(file, where, None, None, t("od.not_object", what="package")))
            continue
        if package.get("state") not in (None, "active") or package.get("type") not in (None, "dataset"):
            state = f"state {package.get('state')!r}, type {package.get('type')!r}"
            issues.append(Issue(file, where, "state", None, t("od.not_active", state=state), "warning"))
            continue
        out.append(_record(where, package, site))
    return out, sha256(data)


def read(path: Path, *, skip_invalid: bool = False) -> Declaration:
    issues: list[Issue] = []
    found, digest = records(path, issues)
    declaration = Declaration(source=str(path), format=NAME, sha256=digest, issues=issues)
    build(str(path), NAME, found, declaration)
    return declaration


def sniff(probe: Probe) -> bool:
    """An API response names its action in ``help``; a dump line is a package (it has
    ``owner_org`` or ``num_resources``, which no other format here writes)."""
    if probe.has(r'"help"\s*:\s*"[^"]*/api/(?:\d+/)?action/'):
        return True
    first = probe.text.lstrip().partition("\n")[0]
    return bool(re.search(r'"(?:owner_org|num_resources)"\s*:', first))


FORMAT = Format(
    name=NAME,
    description="CKAN package_search / package_show response, or ckanapi dump JSON lines",
    suffixes=(".json", *LINE_SUFFIXES),
    priority=70,
    sniff=sniff,
    read=read,
)
