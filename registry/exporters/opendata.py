"""The datasets open to the public (是否向社会开放 = 是) for an open-data portal: DCAT-US
``data.json`` (v1.1) and DCAT-AP as JSON-LD.

Only datasets the caller may see and that are marked open are written; a dataset whose
openness is not stated is not open. The export reads the rows in passes (which datasets
are open; their providers and interfaces; those departments and interfaces; then each
dataset as it is written), holding only the open datasets' links, never the whole
registry. What maps to what is tabled in ``docs/interop.md``; the ``dcat-us`` importer
reads a ``data.json`` written here back to the same datasets and departments.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from registry.exporters.output import Written, text_file
from registry.exporters.selection import Selection
from registry.i18n import label_of
from registry.schema.enums import ResourceCategory
from registry.schema.records import NodeRecord

_PERIODICITY = {
    "realtime": "R/PT1S",
    "daily": "R/P1D",
    "weekly": "R/P1W",
    "ten_days": "R/P10D",
    "monthly": "R/P1M",
    "quarterly": "R/P3M",
    "half_yearly": "R/P6M",
    "yearly": "R/P1Y",
    "irregular": "irregular",
}
_EU_FREQUENCY = {
    "realtime": "CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "ten_days": "OTHER",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "half_yearly": "ANNUAL_2",
    "yearly": "ANNUAL",
    "irregular": "IRREG",
    "other": "OTHER",
}
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
BASE = "urn:x-registry:"
"""IRIs of what a JSON-LD export describes: the registry has no public address of its own."""


@dataclass
class _Open:
    """The open datasets' links and the nodes they point at."""

    provider: dict[str, str] = field(default_factory=dict)
    interfaces: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    departments: dict[str, dict[str, Any]] = field(default_factory=dict)
    interface_props: dict[str, dict[str, Any]] = field(default_factory=dict)


def _gather(selection: Selection) -> tuple[set[str], _Open]:
    keys = {n.key for n in selection.nodes(["Dataset"]) if n.props.get("open_to_public") is True}
    found = _Open()
    for edge in selection.edges(["PROVIDES", "EXPOSED_VIA"]):
        if edge.type == "PROVIDES" and edge.dst.key in keys:
            found.provider[edge.dst.key] = edge.src.key
        elif edge.type == "EXPOSED_VIA" and edge.src.key in keys:
            found.interfaces[edge.src.key].append(edge.dst.key)
    wanted_departments = set(found.provider.values())
    wanted_interfaces = {k for ks in found.interfaces.values() for k in ks}
    for node in selection.nodes(["Department", "Interface"]):
        if node.label == "Department" and node.key in wanted_departments:
            found.departments[node.key] = node.props
        elif node.label == "Interface" and node.key in wanted_interfaces:
            found.interface_props[node.key] = node.props
    return keys, found


def _open_datasets(selection: Selection, keys: set[str]) -> Iterator[NodeRecord]:
    return (n for n in selection.nodes(["Dataset"]) if n.key in keys)


def _access_level(props: dict[str, Any]) -> tuple[str, str | None]:
    """Open and shared unconditionally: public; open under a condition: restricted public."""
    condition = props.get("open_condition") or (
        props.get("share_condition") if props.get("share_type") != "unconditional" else None
    )
    if props.get("share_type") in (None, "unconditional") and not props.get("open_condition"):
        return "public", None
    return "restricted public", condition or "按开放条件申请"


def _distribution(key: str, props: dict[str, Any]) -> dict[str, Any]:
    url = props.get("url") or key
    out: dict[str, Any] = {"@type": "dcat:Distribution"}
    out["downloadURL" if props.get("kind") == "file" else "accessURL"] = url
    if props.get("protocol"):
        out["format"] = props["protocol"]
    return out


def _dcat_us(dataset: NodeRecord, found: _Open) -> dict[str, Any]:
    p = dataset.props
    level, rights = _access_level(p)
    record: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "title": p.get("name", dataset.key),
        "description": p.get("abstract") or p.get("name", dataset.key),
        "keyword": [label_of(ResourceCategory, p["category"], "zh")] if p.get("category") else ["政务信息资源"],
        "identifier": dataset.key,
        "accessLevel": level,
    }
    if rights:
        record["rights"] = rights
    if p.get("published_on"):
        record["modified"] = record["issued"] = p["published_on"]
    provider = found.provider.get(dataset.key)
    if provider is not None and provider in found.departments:
        name = found.departments[provider].get("name", provider)
        record["publisher"] = {"@type": "org:Organization", "name": name, "identifier": provider}
        record["contactPoint"] = {"@type": "vcard:Contact", "fn": name}
    if p.get("update_cycle") in _PERIODICITY:
        record["accrualPeriodicity"] = _PERIODICITY[p["update_cycle"]]
    distributions = [
        _distribution(k, found.interface_props[k])
        for k in found.interfaces.get(dataset.key, [])
        if k in found.interface_props
    ]
    if distributions:
        record["distribution"] = distributions
    record["language"] = ["zh"]
    return record


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _items(out: TextIO, items: Iterator[dict[str, Any]], written: Written) -> None:
    for item in items:
        out.write(("," if written.nodes else "") + "\n" + _dump(item))
        written.nodes += 1


def write_dcat_us(selection: Selection, path: Path) -> Written:
    written = Written(files=[path])
    keys, found = _gather(selection)
    head = {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
    }
    with text_file(path) as out:
        out.write(_dump(head)[:-1] + ',"dataset":[')
        _items(out, (_dcat_us(d, found) for d in _open_datasets(selection, keys)), written)
        out.write("\n]}\n")
    return written


CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _iri(kind: str, key: str) -> str:
    return f"{BASE}{kind}:{quote(key, safe='')}"


def _zh(text: Any) -> dict[str, Any]:
    return {"@value": str(text), "@language": "zh"}


def _dcat_ap(dataset: NodeRecord, found: _Open, catalogue: str) -> dict[str, Any]:
    p = dataset.props
    level, rights = _access_level(p)
    node: dict[str, Any] = {
        "@id": _iri("dataset", dataset.key),
        "@type": "dcat:Dataset",
        "@reverse": {"dcat:dataset": {"@id": catalogue}},
        "dct:identifier": dataset.key,
        "dct:title": _zh(p.get("name", dataset.key)),
        "dct:description": _zh(p.get("abstract") or p.get("name", dataset.key)),
        "dct:accessRights": {"@id": f"{EU_AUTHORITY}access-right/{'PUBLIC' if level == 'public' else 'RESTRICTED'}"},
    }
    if rights:
        node["dct:rights"] = {"@type": "dct:RightsStatement", "rdfs:label": _zh(rights)}
    if p.get("published_on"):
        node["dct:issued"] = {"@value": p["published_on"], "@type": "xsd:date"}
    if p.get("update_cycle") in _EU_FREQUENCY:
        node["dct:accrualPeriodicity"] = {"@id": f"{EU_AUTHORITY}frequency/{_EU_FREQUENCY[p['update_cycle']]}"}
    provider = found.provider.get(dataset.key)
    if provider is not None and provider in found.departments:
        node["dct:publisher"] = {
            "@id": _iri("department", provider),
            "@type": "foaf:Agent",
            "foaf:name": _zh(found.departments[provider].get("name", provider)),
            "dct:identifier": provider,
        }
    distributions = []
    for key in found.interfaces.get(dataset.key, []):
        props = found.interface_props.get(key)
        if props is None:
            continue
        url = {"@id": props.get("url") or key}
        dist: dict[str, Any] = {"@id": _iri("interface", key), "@type": "dcat:Distribution", "dcat:accessURL": url}
        if props.get("kind") == "file":
            dist["dcat:downloadURL"] = url
        if props.get("protocol"):
            dist["dct:format"] = props["protocol"]
        distributions.append(dist)
    if distributions:
        node["dcat:distribution"] = distributions
    return node


def write_dcat_ap(selection: Selection, path: Path) -> Written:
    """JSON-LD: the catalogue first, then each dataset linking itself to it (``@reverse``),
    so nothing has to be held back to list the catalogue's datasets."""
    written = Written(files=[path])
    keys, found = _gather(selection)
    catalogue = f"{BASE}catalogue"
    head = {
        "@id": catalogue,
        "@type": "dcat:Catalog",
        "dct:title": _zh("政务信息资源目录（向社会开放部分）"),
        "dct:description": _zh("登记库中向社会开放的信息资源"),
    }
    with text_file(path) as out:
        out.write(_dump({"@context": {**CONTEXT, "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}})[:-1])
        out.write(',"@graph":[\n' + _dump(head))
        for dataset in _open_datasets(selection, keys):
            out.write(",\n" + _dump(_dcat_ap(dataset, found, catalogue)))
            written.nodes += 1
        out.write("\n]}\n")
    return written
