"""The national catalogue layout (政务信息资源目录, 2017 编制指南), as CSV or XLSX.

One row per 信息项; the resource columns are filled on a resource's first row only (the
rest fill down) or repeated on every row, in which case they must agree. Headers are
matched by their Chinese names, the variants seen in the field and English aliases.
Every bad cell becomes an Issue at the row and under the header the user sees; a
resource with a bad resource-level cell is left out whole when skipping invalid rows,
a bad 信息项 only its own row.

A catalogue is a department's complete list, so each provider department in the file
gets a retirement scope: what it provided before and this file no longer lists is
retired by the service. When rows were skipped as invalid that scope is withheld for the
department concerned, since a skipped row is not a deleted entry.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import ValidationError

from registry.i18n import t
from registry.importers.base import Format, Probe
from registry.importers.source import sha256
from registry.importers.streamed import Reread
from registry.importers.tabular import Table, bound_table, read_table, sniff_table, stream_table
from registry.importers.values import (
    excel_number_hint,
    parse_data_type,
    parse_date,
    parse_format,
    parse_moment,
    share_rule,
    split_list,
)
from registry.schema.codes import clean_code, validate_credit_code, validate_resource_code
from registry.schema.enums import ResourceCategory, ShareMode, ShareType, UpdateCycle
from registry.schema.model import (
    FIELD_KEY_SEPARATOR,
    DataElement,
    Dataset,
    Department,
    FieldItem,
    Interface,
    NodeModel,
)
from registry.schema.records import NodeRef, NodeUpsert
from registry.schema.synonyms import canonical, normalise, parse_bool
from registry.service.declaration import Declaration, DeclarationStream, EdgeDecl, RetireScope
from registry.service.errors import Issue

NAME = "catalogue"

COLUMNS: dict[str, tuple[str, ...]] = {
    "category": ("信息资源分类", "资源分类", "category"),
    "name": ("信息资源名称", "资源名称", "name", "resource_name"),
    "resource_code": ("信息资源代码", "资源代码", "resource_code"),
    "provider": ("信息资源提供方", "提供方", "提供方名称", "信息资源提供方名称", "provider", "provider_name"),
    "provider_code": ("信息资源提供方代码", "提供方代码", "provider_code"),
    "abstract": ("信息资源摘要", "摘要", "abstract"),
    "format": ("信息资源格式", "资源格式", "format"),
    "format_category": ("格式分类", "format_category"),
    "format_type": ("格式类型", "format_type"),
    "item": ("信息项名称", "信息项", "item_name", "field_name", "field"),
    "data_type": ("数据类型", "data_type"),
    "length": ("信息项长度", "数据长度", "长度", "length"),
    "share_type": ("共享类型", "共享属性", "share_type"),
    "share_condition": ("共享条件", "share_condition"),
    "share_mode": ("共享方式", "share_mode"),
    "open_to_public": ("是否向社会开放", "开放属性", "open_to_public"),
    "open_condition": ("开放条件", "open_condition"),
    "update_cycle": ("更新周期", "update_cycle"),
    "published_on": ("发布日期", "published_on"),
    "related": ("关联资源代码", "related_resource_codes"),
    "element": ("数据元", "数据元名称", "data_element", "element"),
    "element_code": ("数据元编码", "数据元标识符", "数据元代码", "element_code"),
    "processing_method": ("加工处理方法", "processing_method"),
    "traceability": ("信息可追溯要求", "信息可追溯的技术要求", "可追溯要求", "traceability_requirement"),
    "interface": ("技术接口", "接口地址", "interface"),
    "owner": ("责任人", "数据责任人", "owner"),
    "contact": ("联系人", "联系人姓名", "contact"),
    "contact_phone": ("联系电话", "联系方式", "contact_phone"),
    "contact_email": ("联系邮箱", "电子邮箱", "contact_email"),
    "technical_contact": ("技术联系人", "technical_contact"),
    "data_updated_at": ("数据更新时间", "最近更新时间", "数据更新日期", "data_updated_at"),
}
"""Canonical column -> the headers that name it; the first name is the one used in
messages when the column is absent from the file."""

REQUIRED = ("name", "resource_code", "provider", "provider_code", "item")
ROW_COLUMNS = frozenset(("item", "data_type", "length", "element", "element_code", "processing_method", "traceability"))
RESOURCE_COLUMNS = tuple(c for c in COLUMNS if c not in ROW_COLUMNS and c != "resource_code")
PROVIDER_COLUMNS = ("provider", "provider_code")

_PROPERTY_COLUMNS: dict[str, dict[str, str]] = {
    "Dataset": {"related_resource_codes": "related"},
    "Field": {"name": "item", "traceability_requirement": "traceability", "dataset": "resource_code"},
    "Department": {"code": "provider_code", "name": "provider"},
    "DataElement": {"code": "element_code", "name": "element"},
    "Interface": {"code": "interface", "url": "interface"},
}

_INTERFACE_KIND = {"interface": "api", "database": "database", "file": "file", "mail_or_media": "mail_or_media"}

M = TypeVar("M", bound=NodeModel)


def _header_key(header: str) -> str:
    """Headers carry required-markers and remarks: ``*信息资源名称``, ``数据类型(C/N/D)``."""
    text = normalise(header).lstrip("*＊")
    for opening, closing in (("(", ")"), ("[", "]"), ("【", "】")):
        if opening in text and text.endswith(closing):
            text = text[: text.index(opening)]
    return text


_ALIASES: dict[str, str] = {normalise(alias): column for column, aliases in COLUMNS.items() for alias in aliases}


def _getter(indexes: Sequence[int]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """The cells at ``indexes`` of a row as a tuple, picked in C (``itemgetter``)."""
    if not indexes:
        return lambda _cells: ()
    if len(indexes) == 1:
        only = indexes[0]
        return lambda cells: (cells[only],)
    return itemgetter(*indexes)


def column_of(header: str) -> str | None:
    return _ALIASES.get(_header_key(header))


def header_score(row: Sequence[str]) -> int:
    return sum(1 for cell in row if cell and column_of(cell))


@dataclass
class Cell:
    row: int
    text: str


@dataclass
class Resource:
    code: str
    first_row: int
    cells: dict[str, Cell] = field(default_factory=dict)
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    """Each row's number and cells as read; the reader's ``row_index`` says where its
    row columns are."""
    bad: bool = False


@dataclass(frozen=True)
class _Rejected:
    reason: str


_UNSET = object()
MEMO_SIZE = 100_000
"""Parsed spellings and data elements a reader remembers before it starts afresh."""
T = TypeVar("T")


class _Reader:
    def __init__(self, path: Path, table: Table) -> None:
        self.file = str(path)
        self.table = table
        self.issues: list[Issue] = list(table.issues)
        self._parsed: dict[tuple[str, str], object] = {}
        self._elements: dict[tuple[str, str], DataElement] = {}
        self._types: dict[str, tuple[str, int | None]] = {}
        """Data types as written -> (type, length): the same few, on every row."""
        self.index: dict[str, int] = {}
        for i, header in enumerate(table.headers):
            column = column_of(header) if header else None
            if column is not None and column not in self.index:
                self.index[column] = i
        self.row_index: dict[str, int | None] = {c: self.index.get(c) for c in ROW_COLUMNS}
        """Where each 信息项 column is in a row (None: not in the file)."""

    def header(self, column: str) -> str:
        i = self.index.get(column)
        return self.table.headers[i].strip() if i is not None else COLUMNS[column][0]

    def issue(
        self, row: int | None, column: str | None, value: str | None, reason: str, severity: str = "error"
    ) -> None:
        header = None if column is None else self.header(column)
        self.issues.append(Issue(self.file, row, header, value, reason, severity))

    # -- grouping rows into resources -------------------------------------------------

    def group(self) -> Iterator[Resource]:
        """Resources in file order, each handed out once its last row is read, so that
        only one is held. A resource's rows are consecutive (the fill-down layout depends
        on it); a code that comes back after other resources is an error at that row.
        Cells arrive stripped. A row whose resource cells are those of the row before,
        which raised nothing, has nothing new to say about its resource and is not
        compared again: that is every row but the first of a resource, in both layouts."""
        done: dict[str, int] = {}
        current: Resource | None = None
        code_at = self.index["resource_code"]
        resource_at = [(c, self.index[c]) for c in RESOURCE_COLUMNS if c in self.index]
        resource_cells = _getter([i for _c, i in resource_at])
        raw_code = ""
        code = ""
        previous: tuple[str, ...] | None = None
        for number, cells in self.table.rows:
            if cells[code_at] != raw_code:
                raw_code = cells[code_at]
                code = clean_code(raw_code)
            if code and (current is None or code != current.code):
                if current is not None:
                    done[current.code] = current.first_row
                    yield current
                current = Resource(code, number)
                previous = None
                if code in done:
                    self.issue(
                        number,
                        "resource_code",
                        raw_code,
                        f"resource {code} already appeared from row {done[code]}; a resource's rows must be "
                        "consecutive",
                    )
                    current.bad = True
            elif current is None:
                self.issue(number, "resource_code", raw_code, t("cat.code_empty_no_resource"))
                continue
            texts = resource_cells(cells)
            if texts != previous:
                issues = len(self.issues)
                self._resource_cells(current, number, resource_at, texts)
                previous = texts if len(self.issues) == issues else None
            current.rows.append((number, cells))
        if current is not None:
            yield current

    def _resource_cells(
        self, res: Resource, number: int, resource_at: list[tuple[str, int]], texts: tuple[str, ...]
    ) -> None:
        """A row's resource cells: the first of each is the resource's, a later one must agree."""
        seen_cells = res.cells
        for (column, _i), text in zip(resource_at, texts, strict=True):
            if not text:
                continue
            seen = seen_cells.get(column)
            if seen is None:
                seen_cells[column] = Cell(number, text)
            elif seen.text != text and normalise(seen.text) != normalise(text):
                self.issue(number, column, text, t("cat.differs", seen=seen.text, code=res.code, row=seen.row))
                res.bad = True

    # -- resources ----------------------------------------------------------------------

    def dataset(self, res: Resource, provider: Cell | None, provider_code: Cell | None) -> Dataset | None:
        """The resource's Dataset, or None after reporting why it cannot be one."""
        errors = len(self.issues)
        props: dict[str, Any] = {"resource_code": res.code}
        try:
            code = validate_resource_code(res.code)
        except ValueError as exc:
            self.issue(res.first_row, "resource_code", res.code, str(exc))
            return None
        if not code.recognised:
            hint = self._sequence_hint(res.code)
            self.issue(res.first_row, "resource_code", res.code, (code.warning or "") + hint, severity="warning")
        props["code_recognised"] = code.recognised
        name = res.cells.get("name")
        if name is None:
            self.issue(res.first_row, "name", "", t("col.empty", column="信息资源名称"))
        else:
            props["name"] = name.text
        for column, prop in (("abstract", "abstract"), ("open_condition", "open_condition")):
            if column in res.cells:
                props[prop] = res.cells[column].text
        self._category(res, code.category_digit, props)
        self._enum(res, "share_type", ShareType, props)
        self._enum(res, "update_cycle", UpdateCycle, props)
        self._share_mode(res, props)
        self._format(res, props)
        condition = res.cells.get("share_condition")
        if condition is not None:
            props["share_condition"] = condition.text
        broken = share_rule(props.get("share_type"), props.get("share_condition"))
        if broken:
            where = condition.row if condition else res.cells["share_type"].row
            self.issue(where, "share_condition", condition.text if condition else "", broken)
        self._convert(res, "open_to_public", parse_bool, props)
        self._convert(res, "data_updated_at", parse_moment, props)
        contacts = _contacts(res)
        if contacts:
            props["contacts"] = contacts
        self._convert(res, "published_on", parse_date, props)
        if "related" in res.cells:
            props["related_resource_codes"] = [clean_code(c) for c in split_list(res.cells["related"].text)]
        if provider_code is None:
            self.issue(res.first_row, "provider_code", "", t("col.empty", column="信息资源提供方代码"))
        if provider is None:
            self.issue(res.first_row, "provider", "", t("col.empty", column="信息资源提供方"))
        if len(self.issues) > errors and any(i.severity == "error" for i in self.issues[errors:]):
            return None
        return self._model(Dataset, props, res.first_row)

    @staticmethod
    def _sequence_hint(code: str) -> str:
        head, _, sequence = code.rpartition("/")
        if head and sequence.isdigit() and len(sequence) < 3:
            return " (the sequence after '/' has fewer than 3 digits: were leading zeros lost?)"
        return ""

    def _category(self, res: Resource, digit: str | None, props: dict[str, Any]) -> None:
        if digit is not None:
            props["category_code"] = res.code.partition("/")[0]
        cell = res.cells.get("category")
        if cell is not None:
            head = split_list(cell.text.replace("/", " ").replace("-", " "))[0].lstrip("0123456789.")
            for candidate in (cell.text, head, head.removesuffix("类"), head.removesuffix("信息资源类")):
                try:
                    props["category"] = canonical(ResourceCategory, candidate)
                    return
                except ValueError:
                    continue
        if digit is not None:
            props["category"] = canonical(ResourceCategory, digit)
        elif cell is not None:
            self.issue(
                cell.row, "category", cell.text, "unrecognised 信息资源分类 (基础/主题/部门); left empty", "warning"
            )

    def _enum(self, res: Resource, column: str, enum: type, props: dict[str, Any]) -> None:
        self._convert(res, column, lambda raw: canonical(enum, raw), props)

    def _convert(self, res: Resource, column: str, parse: Any, props: dict[str, Any]) -> None:
        cell = res.cells.get(column)
        if cell is None:
            return
        try:
            props[column] = self.parsed(column, parse, cell.text)
        except ValueError as exc:
            self.issue(cell.row, column, cell.text, str(exc))

    def _share_mode(self, res: Resource, props: dict[str, Any]) -> None:
        cell = res.cells.get("share_mode")
        if cell is None:
            return
        try:
            props["share_mode"] = self.parsed("share_mode", _share_mode, cell.text)
        except ValueError as exc:
            self.issue(cell.row, "share_mode", cell.text, str(exc))

    def _format(self, res: Resource, props: dict[str, Any]) -> None:
        combined = res.cells.get("format") or res.cells.get("format_category")
        if combined is not None:
            column = "format" if "format" in res.cells else "format_category"
            try:
                props["format_category"], props["format_type"] = self.parsed("format", parse_format, combined.text)
            except ValueError as exc:
                self.issue(combined.row, column, combined.text, str(exc))
        if "format_type" in res.cells:
            props["format_type"] = res.cells["format_type"].text
        if props.get("format_type") is None:
            props.pop("format_type", None)

    # -- fields -------------------------------------------------------------------------

    def fields(self, res: Resource, dataset_ok: bool) -> list[tuple[FieldItem, NodeUpsert, DataElement | None]]:
        """The resource's 信息项, each checked here against every rule of ``FieldItem`` and
        then built without validating it again (``NodeModel.trusted``): this loop runs for
        every row of a province's catalogue. Each comes with its upsert (label, key and
        properties: what ``key()`` and ``props()`` would give, as every value here is
        text or a whole number), made from what the loop holds already."""
        out: list[tuple[FieldItem, NodeUpsert, DataElement | None]] = []
        seen: dict[str, int] = {}
        code = res.code
        issues = self.issues
        types = self._types
        trusted = FieldItem.trusted
        at = self.row_index
        item_at, type_at, length_at = at["item"], at["data_type"], at["length"]
        method_at, trace_at = at["processing_method"], at["traceability"]
        element_at, element_code_at = at["element"], at["element_code"]
        with_elements = element_at is not None or element_code_at is not None
        for number, cells in res.rows:
            errors = len(issues)
            props: dict[str, Any] = {"dataset": code}
            name = cells[item_at] if item_at is not None else ""
            if not name:
                self.issue(number, "item", "", t("col.empty", column="信息项名称"))
            elif name in seen:
                self.issue(number, "item", name, t("cat.item_twice", name=name, code=code, row=seen[name]))
            else:
                seen[name] = number
                props["name"] = name
            raw_type = cells[type_at] if type_at is not None else ""
            if raw_type:
                known = types.get(raw_type)
                if known is None:
                    try:
                        data_type, length = self.parsed("data_type", parse_data_type, raw_type)
                    except ValueError as exc:
                        self.issue(number, "data_type", raw_type, str(exc))
                    else:
                        if len(types) >= MEMO_SIZE:
                            types.clear()
                        known = types[raw_type] = (data_type.value, length)
                if known is not None:
                    props["data_type"] = known[0]
                    if known[1] is not None:
                        props["length"] = known[1]
            raw_length = cells[length_at] if length_at is not None else ""
            if raw_length:
                if raw_length.isdecimal():
                    props["length"] = int(raw_length)
                else:
                    self.issue(number, "length", raw_length, t("cat.length", value=raw_length))
            if method_at is not None and cells[method_at]:
                props["processing_method"] = cells[method_at]
            if trace_at is not None and cells[trace_at]:
                props["traceability_requirement"] = cells[trace_at]
            element = None
            if with_elements:
                element = self._element(
                    number,
                    cells[element_code_at] if element_code_at is not None else "",
                    cells[element_at] if element_at is not None else "",
                )
            if len(issues) > errors or not dataset_ok:
                continue
            out.append((trusted(props), ("Field", f"{code}{FIELD_KEY_SEPARATOR}{name}", props), element))
        return out

    def _element(self, number: int, raw_code: str, name: str) -> DataElement | None:
        """Catalogues often name the 数据元 without its code; the name then stands in as
        its key, so the same name in two catalogues still meets. A province names a few
        thousand elements over millions of rows: each is built once."""
        if not raw_code and not name:
            return None
        element = self._elements.get((raw_code, name))
        if element is None:
            code = clean_code(raw_code)
            element = self._model(DataElement, {"code": code or clean_code(name), "name": name or code}, number)
            if element is not None:
                if len(self._elements) >= MEMO_SIZE:
                    self._elements.clear()
                self._elements[raw_code, name] = element
        return element

    def parsed(self, column: str, parse: Callable[[str], T], text: str) -> T:
        """``parse(text)``, remembered: a catalogue writes the same few spellings thousands
        of times, and one that is tried and rejected before another reading succeeds
        (``共享平台/接口`` as a share mode) would build its message every time."""
        found = self._parsed.get((column, text), _UNSET)
        if found is _UNSET:
            try:
                found = parse(text)
            except ValueError as exc:
                found = _Rejected(str(exc))
            if len(self._parsed) >= MEMO_SIZE:
                self._parsed.clear()
            self._parsed[column, text] = found
        if isinstance(found, _Rejected):
            raise ValueError(found.reason)
        return cast(T, found)

    # -- building -----------------------------------------------------------------------

    def _model(self, model: type[M], props: dict[str, Any], row: int) -> M | None:
        """Values are converted before this, so a failure here is a rule of the model
        itself (a length below zero, say), reported under the column it came from."""
        try:
            return model(**props)
        except ValidationError as exc:
            columns = _PROPERTY_COLUMNS.get(model.LABEL, {})
            for error in exc.errors():
                prop = str(error["loc"][0]) if error["loc"] else ""
                column = columns.get(prop, prop if prop in COLUMNS else None)
                value = props.get(prop)
                self.issue(row, column, None if value is None else str(value), f"{prop}: {error['msg']}")
            return None

    def department(self, code_cell: Cell, name_cell: Cell | None) -> Department | None:
        try:
            code = validate_credit_code(code_cell.text)
        except ValueError as exc:
            self.issue(code_cell.row, "provider_code", code_cell.text, str(exc) + excel_number_hint(code_cell.text))
            return None
        if name_cell is None:
            return None
        return self._model(Department, {"code": code, "name": name_cell.text}, code_cell.row)


PART_ROWS = 20_000
"""信息项 rows per part of a streamed catalogue: a part's records are a few tens of MB."""


def read(path: Path, *, skip_invalid: bool = False) -> Declaration:
    """The whole catalogue as one declaration, read within the cost limits
    (``read_table``): the path the CLI takes."""
    data = path.read_bytes()
    declaration = Declaration(source=str(path), format=NAME, sha256=sha256(data))
    for part in _parts(path, read_table(path, data, header_score), skip_invalid, PART_ROWS):
        declaration.extend(part)
    return declaration


def stream(path: Path, *, skip_invalid: bool = False, part_rows: int = PART_ROWS) -> DeclarationStream:
    """The catalogue in parts of about ``part_rows`` 信息项, read (within the cost limits)
    as they are loaded, afresh for each pass over them."""
    sniffed = sniff_table(path)
    bound_table(path, sniffed)

    def parts() -> Iterator[Declaration]:
        return _parts(path, stream_table(path, header_score, sniffed), skip_invalid, part_rows)

    return DeclarationStream(str(path), NAME, Reread(path, parts), sniffed.sha256)


def _parts(path: Path, table: Table, skip_invalid: bool, part_rows: int) -> Iterator[Declaration]:
    reader = _Reader(path, table)
    if table.header_row is not None:
        missing = [COLUMNS[c][0] for c in REQUIRED if c not in reader.index]
        if missing:
            reader.issue(
                table.header_row,
                None,
                None,
                "missing required column(s): "
                + ", ".join(missing)
                + " (headers found: "
                + ", ".join(h for h in table.headers if h)
                + ")",
            )
        else:
            yield from _build(reader, skip_invalid, part_rows)
            return
    yield Declaration(source=reader.file, format=NAME, issues=reader.issues)


def _build(reader: _Reader, skip_invalid: bool, part_rows: int) -> Iterator[Declaration]:
    """Parts of whole resources. A department and a data element are declared in the
    part where they first appear (before the edges to them); the retirement scopes come
    in the last part, once it is known whether any of a department's rows were bad."""
    departments: dict[str, Department | None] = {}
    incomplete: set[str] = set()
    elements: set[str] = set()
    provider: Cell | None = None
    provider_code: Cell | None = None
    part = Declaration(source=reader.file, format=NAME)
    rows = reported = 0
    for res in reader.group():
        provider = res.cells.get("provider", provider)
        provider_code = res.cells.get("provider_code", provider_code)
        department: Department | None = None
        if provider_code is not None:
            key = clean_code(provider_code.text).upper()
            if key not in departments:
                declared = departments[key] = reader.department(provider_code, provider)
                if declared is not None:
                    part.add(declared)
            department = departments[key]
        errors = len(reader.issues)
        dataset = reader.dataset(res, provider, provider_code)
        usable = dataset is not None and department is not None and not res.bad
        fields = reader.fields(res, usable)
        if department is not None and (res.bad or any(i.severity == "error" for i in reader.issues[errors:])):
            incomplete.add(department.code)
        if usable:
            part.left_out += len(res.rows) - len(fields)
        rows += len(res.rows)
        if dataset is None or department is None or res.bad:
            part.left_out += 1
        else:
            _emit(part, department, dataset, fields, elements, res, reader)
        if rows >= part_rows:
            part.issues, reported = reader.issues[reported:], len(reader.issues)
            yield part
            part, rows = Declaration(source=reader.file, format=NAME), 0
    for department in departments.values():
        if department is None:
            continue
        if department.code in incomplete and skip_invalid:
            reader.issue(
                None,
                None,
                None,
                f"rows of department {department.code} were skipped as invalid, so its entries missing from this "
                "file are not retired",
                "warning",
            )
        else:
            part.scopes.append(RetireScope(department.code))
    part.issues = reader.issues[reported:]
    yield part


def _emit(
    declaration: Declaration,
    department: Department,
    dataset: Dataset,
    fields: list[tuple[FieldItem, NodeUpsert, DataElement | None]],
    elements: set[str],
    res: Resource,
    reader: _Reader,
) -> None:
    dataset_ref = NodeRef(Dataset.LABEL, dataset.key())
    declaration.add(dataset)
    declaration.edges.append(EdgeDecl("PROVIDES", NodeRef(Department.LABEL, department.key()), dataset_ref))
    nodes, upserts, edges = declaration.nodes, declaration.kept_upserts(), declaration.edges
    for item, upsert, element in fields:
        field_ref = NodeRef("Field", upsert[1])
        nodes.append(item)
        upserts.append(upsert)
        edges.append(EdgeDecl("HAS_FIELD", dataset_ref, field_ref))
        if element is not None:
            element_key = element.key()
            if element_key not in elements:
                elements.add(element_key)
                declaration.add(element)
            edges.append(EdgeDecl("MEANS", field_ref, NodeRef(DataElement.LABEL, element_key)))
    cell = res.cells.get("interface")
    if cell is not None:
        kind = _INTERFACE_KIND.get(dataset.share_mode or "interface", "api")
        url = cell.text if "://" in cell.text else None
        interface = reader._model(Interface, {"code": clean_code(cell.text), "kind": kind, "url": url}, cell.row)
        if interface is not None:
            declaration.add(interface)
            declaration.edges.append(EdgeDecl("EXPOSED_VIA", dataset_ref, NodeRef(Interface.LABEL, interface.key())))


def _share_mode(text: str) -> ShareMode:
    """Free text such as ``共享平台/接口`` names the mode after the platform."""
    error = ValueError(text)
    for candidate in (text, text.replace("／", "/").rpartition("/")[2]):
        try:
            mode: ShareMode = canonical(ShareMode, candidate)
        except ValueError as exc:
            error = exc
        else:
            return mode
    raise error


def _contacts(res: Resource) -> list[dict[str, str]]:
    """责任人 (owner), 联系人 with phone and e-mail (steward), 技术联系人 (technical)."""
    found: list[dict[str, str]] = []
    for column, role in (("owner", "owner"), ("contact", "steward"), ("technical_contact", "technical")):
        cell = res.cells.get(column)
        if cell is None:
            continue
        contact = {"name": cell.text, "role": role}
        if role == "steward":
            for detail, key in (("contact_phone", "phone"), ("contact_email", "email")):
                if detail in res.cells:
                    contact[key] = res.cells[detail].text
        found.append(contact)
    return found


def sniff(probe: Probe) -> bool:
    """The fallback for tables: any CSV/TSV/XLSX that no content-sniffing format claimed."""
    return True


FORMAT = Format(
    name=NAME,
    description="政务信息资源目录 (2017 编制指南 layout), one row per 信息项",
    suffixes=(".csv", ".tsv", ".xlsx", ".xlsm", ".xls"),
    priority=0,
    sniff=sniff,
    read=read,
    stream=stream,
)
