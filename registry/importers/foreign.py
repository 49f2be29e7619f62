"""Records of foreign catalogues (DCAT, CKAN) to one declaration, the same way for each.

Each format reads its file into ``Record``s: the source values it found, with where the
record is in the file (``dataset[12]``, ``line 7``, an RDF node). ``build`` turns them
into departments, datasets, fields and interfaces, reporting every problem at the record
and source property it came from. A problem with one record never stops the others; a
record that cannot become a dataset at all (no title, no identifier, an identifier
another record already took) is an error, anything the registry can do without (an
unreadable date, an unknown access level, a publisher without a 统一社会信用代码) is a
warning and the value is left empty.

No retirement scopes are declared: a portal's export is not a department's complete
list in the guide's sense, so re-importing one never retires what another file declared.
Re-importing the same file changes nothing (keys come from the records' identifiers).
"""

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError

from registry.i18n import t
from registry.importers.metadata import (
    access,
    credit_code,
    data_type,
    format_of,
    interface_kind,
    parse_any_date,
    plain_text,
    resource_code,
    update_cycle,
)
from registry.schema.enums import Network, ShareMode
from registry.schema.model import Dataset, Department, FieldItem, Interface, NodeModel
from registry.schema.records import NodeRef
from registry.service.declaration import Declaration, EdgeDecl
from registry.service.errors import Issue

M = TypeVar("M", bound=NodeModel)


@dataclass
class Publisher:
    name: str | None
    codes: list[object] = field(default_factory=list)
    """Values that may hold its 统一社会信用代码 (an identifier, an extra)."""


@dataclass
class Distribution:
    key: str | None
    """A stable id of its own (a CKAN resource id); else its URL names it."""
    title: str | None = None
    access_url: str | None = None
    download_url: str | None = None
    format: object = None
    media_type: object = None
    fields: list[tuple[object, object]] = field(default_factory=list)
    """(name, type) of its columns, when the source lists them (CKAN DataStore)."""


@dataclass
class Record:
    where: str
    """Where the record is in the file, as reported (``dataset[12]``)."""
    identifier: object
    title: object
    description: object = None
    publisher: Publisher | None = None
    access_level: object = None
    rights: object = None
    issued: object = None
    modified: object = None
    periodicity: object = None
    source: str | None = None
    """The record's own address (landing page, API URL), kept as ``source_record``."""
    distributions: list[Distribution] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    """Registry property -> the source property it is read from, for messages."""


class _Builder:
    def __init__(self, file: str, declaration: Declaration, fmt: str) -> None:
        self.file = file
        self.fmt = fmt
        self.declaration = declaration
        self.departments: dict[str, Department] = {}
        self.departments_by_name: dict[str, Department | None] = {}
        self.interfaces: set[str] = set()
        self.codes: dict[str, str] = {}
        self.errors = 0

    def issue(self, record: Record, prop: str | None, value: object, reason: str, severity: str = "error") -> None:
        shown = None if value is None or isinstance(value, dict | list) else str(value)
        column = record.properties.get(prop, prop) if prop else None
        self.declaration.issues.append(Issue(self.file, record.where, column, shown, reason, severity))
        if severity == "error":
            self.errors += 1

    def warn(self, record: Record, prop: str | None, value: object, reason: str) -> None:
        self.issue(record, prop, value, reason, "warning")

    def model(self, record: Record, model: type[M], props: dict[str, Any]) -> M | None:
        try:
            return model(**props)
        except ValidationError as exc:
            for error in exc.errors():
                prop = str(error["loc"][0]) if error["loc"] else None
                self.issue(record, prop, props.get(prop or ""), str(error["msg"]).removeprefix("Value error, "))
            return None

    def department(self, record: Record) -> Department | None:
        publisher = record.publisher
        name = plain_text(publisher.name) if publisher else None
        if publisher is None or name is None:
            self.warn(record, "provider", None, t("od.no_publisher"))
            return None
        code, problem = credit_code(publisher.codes)
        if problem is not None:
            self.issue(record, "provider_code", None, t("od.publisher_code", name=name, problem=problem))
            return None
        if code is None:
            if name not in self.departments_by_name:
                self.departments_by_name[name] = None
                self.warn(
                    record,
                    "provider_code",
                    name,
                    t("od.publisher_without_code"),
                )
            return None
        found = self.departments.get(code)
        if found is None:
            found = self.model(record, Department, {"code": code, "name": name})
            if found is not None:
                self.departments[code] = found
                self.declaration.nodes.append(found)
        return found

    def dataset(self, record: Record) -> Dataset | None:
        code, problem = resource_code(record.identifier)
        if code is None:
            self.issue(record, "resource_code", record.identifier, problem or t("od.no_identifier"))
            return None
        title = plain_text(record.title)
        if title is None:
            self.issue(record, "name", record.title, t("od.no_title"))
            return None
        first = self.codes.get(code)
        if first is not None:
            self.issue(
                record,
                "resource_code",
                record.identifier,
                t("od.code_taken", code=code, first=first),
            )
            return None
        self.codes[code] = record.where
        props: dict[str, Any] = {"resource_code": code, "name": title, "code_recognised": False}
        self._describe(record, props)
        return self.model(record, Dataset, props)

    def _describe(self, record: Record, props: dict[str, Any]) -> None:
        abstract = plain_text(record.description)
        if abstract is not None:
            props["abstract"] = abstract
        rights = plain_text(record.rights)
        level, problem = access(record.access_level, rights)
        if problem is not None:
            self.warn(record, "share_type", record.access_level, problem)
        if level is not None:
            props["share_type"] = level.share_type
            props["open_to_public"] = level.open_to_public
            if level.share_condition is not None:
                props["share_condition"] = level.share_condition
            if level.open_condition is not None:
                props["open_condition"] = level.open_condition
        self._dates(record, props)
        cycle = update_cycle(record.periodicity)
        if cycle is not None:
            props["update_cycle"] = cycle
        formats = [f for d in record.distributions if (f := format_of(d.format, d.media_type)) is not None]
        if formats:
            props["format_category"], props["format_type"] = formats[0]
        if any(d.access_url and not d.download_url for d in record.distributions):
            props["share_mode"] = ShareMode.INTERFACE
        elif record.distributions:
            props["share_mode"] = ShareMode.FILE
        if record.source:
            props["source_record"] = f"{self.fmt}:{record.source}"

    def _dates(self, record: Record, props: dict[str, Any]) -> None:
        """``issued`` is the publication date; without one, ``modified`` stands in when it
        is a date (DCAT-US also lets it be a repeating duration such as ``R/P1D``, which
        then says how often the dataset is updated)."""
        day, problem = parse_any_date(record.issued)
        if problem is not None:
            self.warn(record, "published_on", record.issued, problem)
        if day is None and record.modified is not None:
            if isinstance(record.modified, str) and record.modified.upper().startswith("R/"):
                record.periodicity = record.periodicity or record.modified
                return
            day, problem = parse_any_date(record.modified)
            if problem is not None:
                self.warn(record, "modified", record.modified, problem)
        if day is not None:
            props["published_on"] = day

    def distributions(self, record: Record, dataset: Dataset) -> None:
        ref = NodeRef(Dataset.LABEL, dataset.key())
        names: set[str] = set()
        exposed: set[str] = set()
        for i, dist in enumerate(record.distributions):
            url = dist.download_url or dist.access_url
            code = dist.key or url or f"{dataset.key()}#{i + 1}"
            fmt = format_of(dist.format, dist.media_type)
            props: dict[str, Any] = {
                "code": code,
                "kind": interface_kind(dist.access_url, dist.download_url, fmt[1] if fmt else None),
            }
            if url:
                props["url"] = url
                if url.lower().startswith(("http://", "https://", "ftp://")):
                    props["network"] = Network.INTERNET
            if fmt is not None:
                props["protocol"] = fmt[1]
            interface = self.model(record, Interface, props)
            if interface is None:
                continue
            if interface.key() not in self.interfaces:
                self.interfaces.add(interface.key())
                self.declaration.nodes.append(interface)
            if interface.key() not in exposed:
                exposed.add(interface.key())
                self.declaration.edges.append(EdgeDecl("EXPOSED_VIA", ref, NodeRef(Interface.LABEL, interface.key())))
            for name, kind in dist.fields:
                self._field(record, dataset, name, kind, names)

    def _field(self, record: Record, dataset: Dataset, name: object, kind: object, names: set[str]) -> None:
        if not isinstance(name, str) or not name.strip() or name.startswith("_"):
            return
        if name.strip() in names:
            return
        names.add(name.strip())
        props: dict[str, Any] = {"dataset": dataset.key(), "name": name}
        found = data_type(kind)
        if found is not None:
            props["data_type"] = found
        elif kind is not None:
            self.warn(record, "data_type", kind, t("od.datastore_type", name=name))
        item = self.model(record, FieldItem, props)
        if item is not None:
            self.declaration.nodes.append(item)
            self.declaration.edges.append(
                EdgeDecl("HAS_FIELD", NodeRef(Dataset.LABEL, dataset.key()), NodeRef(FieldItem.LABEL, item.key()))
            )


def build(file: str, fmt: str, records: list[Record], declaration: Declaration) -> None:
    """Add each record's department, dataset, fields and interfaces to ``declaration``."""
    builder = _Builder(file, declaration, fmt)
    for record in records:
        errors = builder.errors
        department = builder.department(record)
        dataset = builder.dataset(record)
        if dataset is None or builder.errors > errors:
            continue
        declaration.nodes.append(dataset)
        if department is not None:
            declaration.edges.append(
                EdgeDecl("PROVIDES", NodeRef(Department.LABEL, department.key()), NodeRef(Dataset.LABEL, dataset.key()))
            )
        builder.distributions(record, dataset)
