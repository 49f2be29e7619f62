"""DCAT-AP catalogues in RDF: Turtle, JSON-LD, RDF/XML or N-Triples, parsed by rdflib.

Every ``dcat:Dataset`` in the graph is a record, reported at its IRI; the mapping is the
one DCAT-US and CKAN share (``docs/interop.md``), read from the DCAT-AP properties:
``dct:identifier``, ``dct:title`` and ``dct:description`` (Chinese preferred among
languages), ``dct:publisher`` (``foaf:name``, ``dct:identifier``), ``dct:accessRights``
(the EU access-right authority: PUBLIC, RESTRICTED, NON_PUBLIC), ``dct:issued``,
``dct:modified``, ``dct:accrualPeriodicity`` and ``dcat:distribution``.

A JSON-LD document whose ``@context`` is a URL is refused with a reason rather than
fetched: the importer never reaches the network. A parse error is one issue naming the
file, whatever rdflib's parser raised.
"""

import json
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import RDF
from rdflib.term import Literal, Node, URIRef

from registry.i18n import t
from registry.importers.base import Format, Probe
from registry.importers.foreign import Distribution, Publisher, Record, build
from registry.importers.source import decode, sha256
from registry.service.declaration import Declaration
from registry.service.errors import Issue

NAME = "dcat-ap"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
RDFS = rdflib.Namespace("http://www.w3.org/2000/01/rdf-schema#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")

_PARSERS = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".xml": "xml", ".nt": "nt"}
_ACCESS = {"PUBLIC": "public", "RESTRICTED": "restricted public", "NON_PUBLIC": "non-public"}
PROPERTIES = {
    "resource_code": "dct:identifier",
    "name": "dct:title",
    "abstract": "dct:description",
    "provider": "dct:publisher",
    "provider_code": "dct:publisher/dct:identifier",
    "share_type": "dct:accessRights",
    "published_on": "dct:issued",
    "modified": "dct:modified",
    "update_cycle": "dct:accrualPeriodicity",
    "code": "dcat:distribution",
    "url": "dcat:distribution",
    "kind": "dcat:distribution",
}


def _text(graph: rdflib.Graph, subject: Node, *predicates: URIRef) -> str | None:
    """A literal of the first predicate that has one: Chinese first, then no language,
    then English, then any."""
    for predicate in predicates:
        literals = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
        if not literals:
            continue
        for wanted in ("zh", None, "en"):
            for literal in literals:
                language = literal.language.split("-")[0].lower() if literal.language else None
                if language == wanted:
                    return str(literal)
        return str(literals[0])
    return None


def _iri(node: Node | None) -> str | None:
    return str(node) if isinstance(node, URIRef) else None


def _own_iri(node: Node) -> str | None:
    """A record's IRI when it is the publisher's own (a registry export's ``urn:x-registry:``
    IRIs are not addresses, and its interfaces are keyed by their URLs)."""
    iri = _iri(node)
    return None if iri is None or iri.startswith("urn:x-registry:") else iri


def _last(node: Node | None) -> str | None:
    """The last segment of an authority IRI (…/access-right/PUBLIC → PUBLIC), or a literal's text."""
    if isinstance(node, URIRef):
        return str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return str(node) if isinstance(node, Literal) else None


def _publisher(graph: rdflib.Graph, dataset: Node) -> Publisher | None:
    agent = graph.value(dataset, DCT.publisher)
    if agent is None:
        return None
    name = _text(graph, agent, FOAF.name, SKOS.prefLabel, RDFS.label)
    codes: list[object] = [str(o) for o in graph.objects(agent, DCT.identifier)]
    codes += [_last(agent)]
    return Publisher(name, codes)


def _rights(graph: rdflib.Graph, dataset: Node) -> str | None:
    rights = graph.value(dataset, DCT.rights)
    if rights is None:
        return None
    if isinstance(rights, Literal):
        return str(rights)
    return _text(graph, rights, RDFS.label, DCT.description)


def _distributions(graph: rdflib.Graph, dataset: Node) -> list[Distribution]:
    out = []
    for dist in graph.objects(dataset, DCAT.distribution):
        fmt = graph.value(dist, DCT["format"])
        out.append(
            Distribution(
                key=_own_iri(dist),
                title=_text(graph, dist, DCT.title),
                access_url=_iri(graph.value(dist, DCAT.accessURL)),
                download_url=_iri(graph.value(dist, DCAT.downloadURL)),
                format=_last(fmt),
                media_type=_last(graph.value(dist, DCAT.mediaType)),
            )
        )
    return out


def _order(graph: rdflib.Graph, dataset: Node) -> tuple[int, str]:
    """IRIs in order, then datasets without one by their text: a blank node's id is new at
    every parse, so it can neither order nor name a record."""
    iri = _iri(dataset)
    if iri is not None:
        return 0, iri
    return 1, _text(graph, dataset, DCT.title) or _text(graph, dataset, DCT.description) or ""


def records(graph: rdflib.Graph) -> list[Record]:
    out = []
    blank = 0
    for dataset in sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=lambda d: _order(graph, d)):
        identifier = _text(graph, dataset, DCT.identifier) or _iri(dataset)
        if _iri(dataset) is None:
            blank += 1
        access = _last(graph.value(dataset, DCT.accessRights))
        out.append(
            Record(
                where=_iri(dataset) or f"dcat:Dataset without IRI #{blank}",
                identifier=identifier,
                title=_text(graph, dataset, DCT.title),
                description=_text(graph, dataset, DCT.description),
                publisher=_publisher(graph, dataset),
                access_level=_ACCESS.get(access.upper(), access) if access else None,
                rights=_rights(graph, dataset),
                issued=_text(graph, dataset, DCT.issued),
                modified=_text(graph, dataset, DCT.modified),
                periodicity=_last(graph.value(dataset, DCT.accrualPeriodicity)),
                source=_iri(dataset)
                if _iri(dataset) and not str(dataset).startswith("urn:x-registry:")
                else identifier,
                distributions=_distributions(graph, dataset),
                properties=PROPERTIES,
            )
        )
    return out


def _remote_context(text: str) -> bool:
    """Whether a JSON-LD document names its context by URL (rdflib would fetch it)."""
    try:
        doc: Any = json.loads(text)
    except json.JSONDecodeError:
        return False
    contexts = [d.get("@context") for d in (doc if isinstance(doc, list) else [doc]) if isinstance(d, dict)]
    flat = [c for ctx in contexts for c in (ctx if isinstance(ctx, list) else [ctx])]
    return any(isinstance(c, str) for c in flat)


def read(path: Path, *, skip_invalid: bool = False) -> Declaration:
    data = path.read_bytes()
    declaration = Declaration(source=str(path), format=NAME, sha256=sha256(data))
    decoded = decode(path, data)
    if decoded.issue:
        declaration.issues.append(decoded.issue)
    if decoded.text is None:
        return declaration
    parser = _PARSERS.get(path.suffix.lower(), "turtle")
    if parser == "json-ld" and _remote_context(decoded.text):
        reason = t("od.remote_context")
        declaration.issues.append(Issue(str(path), None, "@context", None, reason))
        return declaration
    graph = rdflib.Graph()
    try:
        graph.parse(data=decoded.text, format=parser)
    except Exception as exc:  # rdflib's parsers raise their own error types, and ValueError and more
        declaration.issues.append(
            Issue(str(path), None, None, None, t("od.not_rdf", parser=parser, reason=str(exc)[:300]))
        )
        return declaration
    found = records(graph)
    if not found:
        declaration.issues.append(Issue(str(path), None, None, None, t("od.no_datasets")))
    build(str(path), NAME, found, declaration)
    return declaration


def sniff(probe: Probe) -> bool:
    """An RDF file naming the DCAT vocabulary (a DCAT-US data.json is claimed first)."""
    return probe.has(r"w3\.org/ns/dcat#?") or probe.has(r'"dcat:Dataset"|\bdcat:Dataset\b')


FORMAT = Format(
    name=NAME,
    description="DCAT-AP catalogue in RDF (Turtle, JSON-LD, RDF/XML, N-Triples)",
    suffixes=(".ttl", ".jsonld", ".rdf", ".xml", ".nt", ".json"),
    priority=50,
    sniff=sniff,
    read=read,
)
