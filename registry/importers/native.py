"""The native JSON/YAML format: the whole graph, validated by ``registry.schema.document``.

A clean document is validated in one pydantic call (fast at millions of fields). A
document with errors gets every error reported at the item's path (``datasets[3].fields[2]``)
and property; the bad items are then cut out and the rest validated again, so that with
``skip_invalid`` the service can write what is good. References between items are checked
against what the document itself declares: a document is a self-contained description,
and the service checks again against the store when it writes.
"""

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from registry.importers.base import Format, Probe
from registry.importers.documents import YAML_SUFFIXES, DocumentSyntaxError, parse
from registry.importers.limits import DEFAULT, Limits
from registry.importers.source import decode, sha256
from registry.importers.values import share_rule
from registry.schema.codes import clean_code, validate_resource_code
from registry.schema.document import FieldDoc, NativeDocument
from registry.schema.model import (
    DataElement,
    Dataset,
    Department,
    FieldItem,
    Interface,
    Need,
    NodeModel,
    Project,
    SharedWithProps,
    SharingRequest,
    System,
    field_key,
)
from registry.schema.records import NodeRef
from registry.service.declaration import Declaration, EdgeDecl, RetireScope
from registry.service.errors import Issue

NAME = "native"
_MAX_PASSES = 4

Loc = tuple[str | int, ...]


def path_text(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _item_loc(loc: Loc) -> tuple[Loc, str | None]:
    """Split an error location into the item (up to its last list index) and the property."""
    last = max((i for i, part in enumerate(loc) if isinstance(part, int)), default=0)
    item, rest = loc[: last + 1], loc[last + 1 :]
    return item, ".".join(str(p) for p in rest) or None


def _shown(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def _reason(error: ErrorDetails) -> str:
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


def _remove(raw: Any, loc: Loc) -> Any:
    """Cut the item at ``loc`` out of the raw document; returns what was cut."""
    parent = raw
    for part in loc[:-1]:
        parent = parent[part]
    return parent.pop(loc[-1])


class Cuts:
    """Where invalid items were cut out, in the document's original positions, so that
    every path reported after a cut still points at the item the user wrote. ``base``
    places a part of a streamed document (``native_stream``): the position in the file
    of the first item of each section the part holds."""

    def __init__(self, base: Mapping[str, int] | None = None) -> None:
        self.removed: dict[Loc, list[int]] = {}
        self.items: list[Any] = []
        self.base = dict(base or {})

    def __bool__(self) -> bool:
        return bool(self.removed) or bool(self.items)

    @property
    def moves(self) -> bool:
        """Whether ``original`` changes any location."""
        return bool(self) or bool(self.base)

    def uncut(self, loc: Loc) -> Loc:
        """Where an item was before the cuts (within the part)."""
        out: list[str | int] = []
        for part in loc:
            if isinstance(part, int):
                for gone in sorted(self.removed.get(tuple(out), ())):
                    if gone <= part:
                        part += 1
            out.append(part)
        return tuple(out)

    def original(self, loc: Loc) -> Loc:
        """Where an item was in the file (asked once per item, so the common cases are quick)."""
        out = self.uncut(loc) if self.removed else loc
        base = self.base.get(str(out[0])) if self.base and len(out) > 1 else None
        if base:
            return (out[0], int(out[1]) + base, *out[2:])
        return out

    def record(self, original: Loc, item: Any) -> None:
        self.items.append(item)
        if original and isinstance(original[-1], int):
            self.removed.setdefault(original[:-1], []).append(original[-1])


def validate(file: str, raw: Any, cuts: Cuts | None = None) -> tuple[NativeDocument | None, list[Issue], Cuts]:
    """The document, every validation issue, and the items cut out for being invalid."""
    cuts = Cuts() if cuts is None else cuts
    if not isinstance(raw, dict):
        return (
            None,
            [Issue(file, None, None, None, "a native document is a mapping with sections such as datasets")],
            cuts,
        )
    issues: list[Issue] = []
    for _ in range(_MAX_PASSES):
        try:
            return NativeDocument.model_validate(raw), issues, cuts
        except ValidationError as exc:
            items: dict[Loc, Loc] = {}
            for error in exc.errors():
                item, prop = _item_loc(tuple(error["loc"]))
                issues.append(
                    Issue(file, path_text(cuts.original(item)), prop, _shown(error.get("input")), _reason(error))
                )
                items.setdefault(item, cuts.uncut(item))
            for item in sorted(items, key=lambda loc: [str(p).zfill(12) for p in loc], reverse=True):
                try:
                    removed = _remove(raw, item)
                except (KeyError, IndexError, TypeError):
                    continue
                cuts.record(items[item], removed)
    return None, issues, cuts


LABELS = ("Department", "System", "Dataset", "Field", "DataElement", "Interface", "Project", "Need", "SharingRequest")


@dataclasses.dataclass
class Shared:
    """What the parts of one streamed document (``native_stream``) know of each other.

    Each part adds to it as it is built: where each entry was first declared (fields only
    as keys: a province has millions, and a field can only be declared twice within its
    dataset, which is one part), the keys of invalid items, and references not declared
    yet, which are judged once every part has been read (``unresolved``). A later part
    reads it: an entry declared first elsewhere is a duplicate, and a reference resolves
    against what the document declared before it."""

    keys: dict[str, dict[str, Loc]] = dataclasses.field(
        default_factory=lambda: {label: {} for label in LABELS if label != "Field"}
    )
    fields: set[str] = dataclasses.field(default_factory=set)
    invalid: set[str] = dataclasses.field(default_factory=set)
    pending: list[tuple[str, str, str, Loc, str]] | None = dataclasses.field(default_factory=list)
    """(label, key, as written, row, column); None once the document has been read."""

    def declared(self, label: str, key: str) -> bool:
        return key in self.fields if label == "Field" else key in self.keys[label]

    def unresolved(self, file: str) -> list[Issue]:
        """The references to entries the whole document does not declare."""
        pending, self.pending = self.pending or [], None
        return [
            Issue(file, path_text(row), column, raw, f"refers to {label} {key!r}, which this document does not declare")
            for label, key, raw, row, column in pending
            if not self.declared(label, key) and key not in self.invalid
        ]


class _Builder:
    """Turns a validated document into nodes and edges, checking references as it goes."""

    def __init__(self, file: str, declaration: Declaration, cuts: Cuts, shared: Shared | None = None) -> None:
        self.file = file
        self.cuts = cuts
        self.cut = cuts.moves
        self.declaration = declaration
        self.upserts = declaration.kept_upserts()
        """The nodes' upserts beside them (``Declaration.upserts``), with the key ``declare``
        has made already."""
        self.issues = declaration.issues
        self.keys: dict[str, dict[str, Loc]] = {label: {} for label in LABELS}
        self.shared = shared
        self.invalid: set[str] = shared.invalid if shared is not None else set()
        self.invalid.update(key for item in cuts.items for key in _raw_keys(item))
        self.dropped = False
        self.fields_of: dict[int, list[tuple[int, FieldDoc, str, Loc]]] = {}
        """Each dataset's fields that were declared (by the dataset's place in its section):
        their place, item, key and where they are, for the edges from them."""
        self.resolved: dict[tuple[str, str], NodeRef] = {}
        """References already found, by label and code as written: a province's two million
        fields name a few thousand data elements, each cleaned and looked up once."""

    def at(self, *loc: str | int) -> Loc:
        """Where an item was in the document as written; formatted only if reported."""
        return self.cuts.original(loc) if self.cut else loc

    def within(self, item: Loc, *loc: str | int) -> Loc:
        """``at(*loc)`` for a place inside the item found at ``item`` (``at(*loc[:2])``):
        where nothing was cut out, ``item`` with the rest of ``loc`` after it, without
        working out the whole place again for each of a dataset's fields."""
        return (*item, *loc[2:]) if not self.cuts.removed else self.at(*loc)

    def issue(self, row: Loc, column: str | None, value: str | None, reason: str, severity: str = "error") -> None:
        self.issues.append(Issue(self.file, path_text(row), column, value, reason, severity))
        if severity == "error":
            self.dropped = True

    def declare(self, node: NodeModel, row: Loc, key: str | None = None) -> bool:
        """``key``: the node's key, when the caller has made it."""
        seen = self.keys[node.LABEL]
        if key is None:
            key = node.key()
        first = seen.get(key)
        if first is None and self.shared is not None and node.LABEL != "Field":
            first = self.shared.keys[node.LABEL].get(key)
        if first is not None:
            self.issue(row, None, key, f"{node.LABEL} {key!r} is declared twice (first at {path_text(first)})")
            return False
        seen[key] = row
        if self.shared is not None and self.shared.pending is not None:
            if node.LABEL == "Field":
                self.shared.fields.add(key)
            else:
                self.shared.keys[node.LABEL][key] = row
        self.declaration.nodes.append(node)
        self.upserts.append((node.LABEL, key, node.props()))
        return True

    def ref(self, label: str, raw: str, row: Loc, column: str) -> NodeRef | None:
        """Only after every item is declared: a reference found once stays found. In a
        streamed document (``shared``) one not declared yet is returned too, and judged
        once the whole document has been read (``Shared.unresolved``)."""
        found = self.resolved.get((label, raw))
        if found is not None:
            return found
        key = clean_code(raw)
        if label == "Department":
            key = key.upper()
        if key in self.keys[label] or (self.shared is not None and self.shared.declared(label, key)):
            found = self.resolved[label, raw] = NodeRef(label, key)
            return found
        if self.shared is not None and self.shared.pending is not None and key not in self.invalid:
            # perhaps declared further down the file: judged at its end, the edge kept till then
            self.shared.pending.append((label, key, raw, row, column))
            return NodeRef(label, key)
        if key not in self.invalid:
            self.issue(row, column, raw, f"refers to {label} {key!r}, which this document does not declare")
        else:
            self.dropped = True
        return None

    def edge(
        self, edge_type: str, src: NodeRef | None, dst: NodeRef | None, props: dict[str, Any] | None = None
    ) -> None:
        if src is not None and dst is not None:
            self.declaration.edges.append(EdgeDecl(edge_type, src, dst, props or {}))


_Fields = tuple[tuple[str, ...], frozenset[str], tuple[str, ...] | None]
"""A node model's fields as a tuple and a set, and an item model's relations (``_fields``)."""
_FIELDS: dict[tuple[type[NodeModel], type[BaseModel]], _Fields] = {}
N = TypeVar("N", bound=NodeModel)


def _fields(model: type[NodeModel], doc: type[BaseModel]) -> _Fields:
    """The node's fields, as a tuple and a set, and the item's other fields (its
    relations) when the item holds the node's fields in the node's order: then a node's
    values are the item's copied (in C) less those, instead of picked one by one."""
    names = tuple(model.model_fields)
    own = [name for name in doc.model_fields if name in model.model_fields]
    relations = tuple(name for name in doc.model_fields if name not in model.model_fields)
    return names, frozenset(names), relations if tuple(own) == names else None


def _node(model: type[N], doc: BaseModel, **extra: Any) -> N:
    """The graph node behind a document item: its properties without the relations, with
    only those the document wrote marked as set (``props`` keeps just those), so that an
    omitted property keeps what another source declared.

    The item's model extends the node's, so every value has already passed the node's own
    validators; the node is built from them as they are instead of being validated a second
    time, which was a third of building a 2M-field declaration (``model_construct`` does the
    same, but loops over aliases in Python and costs more than validating). ``extra`` holds
    values the importer has checked itself (the enclosing dataset's code)."""
    found = _FIELDS.get((model, type(doc)))
    if found is None:
        found = _FIELDS[model, type(doc)] = _fields(model, type(doc))
    names, written, relations = found
    values = doc.__dict__
    if relations is not None:  # the item's values in the node's order, less its relations
        data = values.copy()
        for name in relations:
            del data[name]
    else:
        data = {name: values[name] for name in names}
    data.update(extra)
    written_here = doc.model_fields_set & written  # a new set: the item's own is left alone
    written_here.update(extra)
    return model.assembled(data, written_here)


def _raw_keys(item: Any) -> Iterator[str]:
    """Keys an invalid item would have declared, so references to it are not reported a
    second time as references to nothing."""
    if not isinstance(item, dict):
        return
    for name in ("code", "resource_code", "id"):
        if isinstance(item.get(name), str | int):
            key = clean_code(str(item[name]))
            yield key.upper() if name == "code" else key
            if name == "resource_code" and isinstance(item.get("fields"), list):
                for field in item["fields"]:
                    if isinstance(field, dict) and isinstance(field.get("name"), str):
                        yield field_key(key, field["name"].strip())
            return


def build(file: str, doc: NativeDocument, declaration: Declaration, cuts: Cuts, shared: Shared | None = None) -> bool:
    """Fill ``declaration`` from ``doc``; True when every item made it in. ``shared``
    when ``doc`` is one part of a streamed document."""
    b = _Builder(file, declaration, cuts, shared)
    for i, department in enumerate(doc.departments):
        b.declare(_node(Department, department), b.at("departments", i))
    for i, element in enumerate(doc.data_elements):
        b.declare(_node(DataElement, element), b.at("data_elements", i))
    for i, interface in enumerate(doc.interfaces):
        b.declare(_node(Interface, interface), b.at("interfaces", i))
    systems = [b.declare(_node(System, item), b.at("systems", i)) for i, item in enumerate(doc.systems)]
    datasets = _declare_datasets(b, doc)
    projects = [b.declare(_node(Project, item), b.at("projects", i)) for i, item in enumerate(doc.projects)]
    needs = [b.declare(_node(Need, item), b.at("needs", i)) for i, item in enumerate(doc.needs)]
    requests = [b.declare(_node(SharingRequest, item), b.at("requests", i)) for i, item in enumerate(doc.requests)]
    _system_edges(b, doc, systems)
    _dataset_edges(b, doc, datasets)
    _project_edges(b, doc, projects)
    _need_edges(b, doc, needs)
    _request_edges(b, doc, requests)
    _authority_edges(b, doc)
    complete = [d.code for d in doc.departments if d.complete]
    for i, raw in enumerate(doc.complete):
        ref = b.ref("Department", raw, b.at("complete", i), "complete")
        if ref is not None and ref.key not in complete:
            complete.append(ref.key)
    declaration.scopes.extend(RetireScope(code, label) for code in complete for label in ("Dataset", "System"))
    return not b.dropped and not cuts


def _declare_datasets(b: _Builder, doc: NativeDocument) -> list[bool]:
    declared = []
    uncut = not b.cuts.removed
    for i, item in enumerate(doc.datasets):
        row = b.at("datasets", i)
        code = validate_resource_code(item.resource_code)
        if not code.recognised:
            b.issue(row, "resource_code", item.resource_code, str(code.warning), "warning")
        broken = share_rule(item.share_type, item.share_condition)
        if broken:
            b.issue(row, "share_condition", item.share_condition, broken)
            b.invalid.add(item.resource_code)
            b.invalid.update(field_key(item.resource_code, f.name) for f in item.fields)
            declared.append(False)
            continue
        ok = b.declare(_node(Dataset, item, code_recognised=code.recognised), row)
        declared.append(ok)
        if not ok:
            continue
        kept = b.fields_of[i] = []
        for j, field in enumerate(item.fields):
            # b.within(row, "datasets", i, "fields", j), without a call where nothing was cut
            where = (*row, "fields", j) if uncut else b.at("datasets", i, "fields", j)
            if field.dataset is not None and clean_code(field.dataset) != item.resource_code:
                b.issue(where, "dataset", field.dataset, f"differs from the enclosing {item.resource_code}")
                continue
            node = _node(FieldItem, field, dataset=item.resource_code)
            key = node.key()
            if b.declare(node, where, key):
                kept.append((j, field, key, where))
    return declared


def _system_edges(b: _Builder, doc: NativeDocument, declared: list[bool]) -> None:
    for i, item in _kept(doc.systems, declared):
        row = b.at("systems", i)
        system = NodeRef("System", item.code)
        if item.department is not None:
            b.edge("OPERATES", b.ref("Department", item.department, row, "department"), system)
        for j, code in enumerate(item.holds):
            b.edge("HOLDS", system, b.ref("Dataset", code, row, f"holds[{j}]"))


def _dataset_edges(b: _Builder, doc: NativeDocument, declared: list[bool]) -> None:
    for i, item in _kept(doc.datasets, declared):
        row = b.at("datasets", i)
        dataset = NodeRef("Dataset", item.resource_code)
        if item.provider is not None:
            b.edge("PROVIDES", b.ref("Department", item.provider, row, "provider"), dataset)
        for j, code in enumerate(item.interfaces):
            b.edge("EXPOSED_VIA", dataset, b.ref("Interface", code, row, f"interfaces[{j}]"))
        for j, share in enumerate(item.shared_with):
            where = b.at("datasets", i, "shared_with", j)
            target = (
                b.ref("Department", share.department, where, "department")
                if share.department is not None
                else b.ref("System", share.system or "", where, "system")
            )
            props = SharedWithProps(agreement=share.agreement, since=share.since, request=share.request).model_dump(
                mode="json", exclude_none=True
            )
            b.edge("SHARED_WITH", dataset, target, props)
        for j, field, key, declared_at in b.fields_of.get(i, ()):
            ref = NodeRef("Field", key)
            b.edge("HAS_FIELD", dataset, ref)
            if field.element is not None:
                b.edge("MEANS", ref, b.ref("DataElement", field.element, declared_at, "element"))
            for k, source in enumerate(field.derived_from):
                at = b.within(row, "datasets", i, "fields", j, "derived_from", k)
                target = b.ref("Field", field_key(clean_code(source.dataset), source.field), at, "field")
                props = {"processing_method": source.processing_method} if source.processing_method else {}
                b.edge("DERIVED_FROM", ref, target, props)


def _project_edges(b: _Builder, doc: NativeDocument, declared: list[bool]) -> None:
    for i, item in _kept(doc.projects, declared):
        row = b.at("projects", i)
        project = NodeRef("Project", item.code)
        if item.led_by is not None:
            b.edge("LED_BY", project, b.ref("Department", item.led_by, row, "led_by"))
        for j, code in enumerate(item.co_built_by):
            b.edge("CO_BUILT_BY", project, b.ref("Department", code, row, f"co_built_by[{j}]"))
        for j, code in enumerate(item.builds):
            b.edge("BUILDS", project, b.ref("System", code, row, f"builds[{j}]"))


def _need_edges(b: _Builder, doc: NativeDocument, declared: list[bool]) -> None:
    for i, item in _kept(doc.needs, declared):
        row = b.at("needs", i)
        need = NodeRef("Need", item.id)
        by = (
            b.ref("Department", item.by_department, row, "by_department")
            if item.by_department is not None
            else b.ref("System", item.by_system or "", row, "by_system")
        )
        b.edge("NEEDS", by, need)
        target = (
            b.ref("DataElement", item.for_element, row, "for_element")
            if item.for_element is not None
            else b.ref("Dataset", item.for_dataset or "", row, "for_dataset")
        )
        b.edge("FOR", need, target)


def _request_edges(b: _Builder, doc: NativeDocument, declared: list[bool]) -> None:
    """Who asked whom for what; a delivered request for a dataset is also the sharing
    relation it brought about, naming the request as where it came from."""
    for i, item in _kept(doc.requests, declared):
        row = b.at("requests", i)
        request = NodeRef("SharingRequest", item.id)
        requester = b.ref("Department", item.requester, row, "requester")
        b.edge("REQUESTS", requester, request)
        b.edge("ADDRESSED_TO", request, b.ref("Department", item.provider, row, "provider"))
        if item.for_element is not None:
            b.edge("FOR", request, b.ref("DataElement", item.for_element, row, "for_element"))
            continue
        dataset = b.ref("Dataset", item.for_dataset or "", row, "for_dataset")
        b.edge("FOR", request, dataset)
        if item.delivered_on is not None:
            props = SharedWithProps(request=item.id, since=item.delivered_on).model_dump(mode="json", exclude_none=True)
            b.edge("SHARED_WITH", dataset, requester, props)


def _authority_edges(b: _Builder, doc: NativeDocument) -> None:
    for i, item in enumerate(doc.data_elements):
        element = NodeRef("DataElement", item.code)
        if not item.authoritative_sources or b.keys["DataElement"].get(item.code) != b.at("data_elements", i):
            continue
        for j, source in enumerate(item.authoritative_sources):
            where = b.at("data_elements", i, "authoritative_sources", j)
            if source.department is not None:
                b.edge("AUTHORITATIVE_SOURCE", element, b.ref("Department", source.department, where, "department"))
            if source.dataset is not None:
                b.edge("AUTHORITATIVE_SOURCE", element, b.ref("Dataset", source.dataset, where, "dataset"))


def _kept(items: list[Any], declared: list[bool]) -> Iterator[tuple[int, Any]]:
    return ((i, item) for i, (item, ok) in enumerate(zip(items, declared, strict=True)) if ok)


def load_raw(path: Path, limits: Limits = DEFAULT) -> tuple[Any, str, list[Issue]]:
    """The parsed document, the file's sha256, and issues if it could not be parsed;
    ``TooCostly`` beyond ``limits``."""
    limits.check_size(path.stat().st_size)
    data = path.read_bytes()
    digest = sha256(data)
    decoded = decode(path, data)
    issues = [decoded.issue] if decoded.issue else []
    if decoded.text is None:
        return None, digest, issues
    try:
        return parse(path, decoded.text, limits), digest, issues
    except DocumentSyntaxError as exc:
        return None, digest, [*issues, Issue(str(path), None, None, None, str(exc))]


def read(path: Path, *, skip_invalid: bool = False) -> Declaration:
    raw, digest, issues = load_raw(path)
    declaration = Declaration(source=str(path), format=NAME, sha256=digest, issues=issues)
    if raw is None and issues:
        return declaration
    doc, problems, cuts = validate(str(path), raw)
    declaration.issues.extend(problems)
    if doc is None:
        return declaration
    declaration.records = doc.records
    complete = build(str(path), doc, declaration, cuts)
    if not complete and skip_invalid and declaration.scopes:
        declaration.scopes.clear()
        declaration.issues.append(skipped_warning(str(path)))
    return declaration


def skipped_warning(file: str) -> Issue:
    """Why a document with skipped items retires nothing: what it does not list may be
    what was skipped."""
    return Issue(
        file, None, "complete", None, "items were skipped as invalid, so nothing missing from this document is retired",
        "warning",
    )  # fmt: skip


def sniff(probe: Probe) -> bool:
    """The fallback for JSON/YAML that no content-sniffing format (DCAT, CKAN) claimed."""
    return True


FORMAT = Format(
    name=NAME,
    description="the registry's own JSON/YAML document (registry/schema/native.schema.json)",
    suffixes=(".json", *YAML_SUFFIXES),
    priority=10,
    sniff=sniff,
    read=read,
)
