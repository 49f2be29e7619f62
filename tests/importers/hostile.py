"""A fixed corpus of hostile import files, built at run time from seeded generators.

Every file is named by what it is (``merge-bomb-full-sheet.xlsx``, ``random-017.csv``) and
built by a function, so a test can ask for one file at a time and the corpus costs only
what the files it runs cost. Files derived from a real catalogue (truncations, flipped
bytes, wrong encodings) start from one that carries a bad 信息资源代码 in its first data
row: whatever part of it survives a cut or a flipped byte, it can never import cleanly,
so "refused, exit 2, nothing written" holds for every file of the corpus.
"""

import codecs
import io
import json
import random
import struct
import zipfile
from collections.abc import Callable
from functools import cache

from openpyxl import Workbook

from registry.schema.codes import make_credit_code

Builder = Callable[[], bytes]

HEADERS = [
    "信息资源分类",
    "信息资源名称",
    "信息资源代码",
    "信息资源提供方",
    "信息资源提供方代码",
    "信息资源格式",
    "信息项名称",
    "数据类型",
    "共享类型",
    "共享条件",
    "共享方式",
    "更新周期",
]
PROVIDER = ("杭州市数据资源管理局", make_credit_code("11", "330100", "00257061"))


def _row(code: str, item: str) -> list[str]:
    return [
        "基础信息资源",
        "居民户籍信息",
        code,
        *PROVIDER,
        "数据库/oracle",
        item,
        "C",
        "有条件共享",
        "用于政务服务身份核验",
        "共享平台/接口",
        "每日",
    ]


ROWS = [_row("资源#01", "姓名"), *(_row(f"101330100/{i:03d}", f"信息项{i}") for i in range(2, 12))]
"""The first data row's 信息资源代码 is invalid: the base catalogue never imports cleanly."""


def _csv(rows: list[list[str]], sep: str = ",") -> str:
    return "\n".join(sep.join(r) for r in [HEADERS, *rows]) + "\n"


@cache
def base_csv() -> bytes:
    return _csv(ROWS).encode("utf-8")


@cache
def base_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "目录"
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    sheet.merge_cells("A2:A4")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@cache
def base_json() -> bytes:
    doc = {
        "departments": [{"code": PROVIDER[1], "name": PROVIDER[0]}],
        "datasets": [
            {"resource_code": "资源#01", "name": "居民户籍信息", "provider": PROVIDER[1], "fields": [{"name": "姓名"}]},
            {"resource_code": "101330100/002", "name": "婚姻登记信息", "provider": PROVIDER[1]},
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


@cache
def base_yaml() -> bytes:
    return (
        f"departments:\n  - code: {PROVIDER[1]}\n    name: {PROVIDER[0]}\n"
        "datasets:\n  - resource_code: 资源#01\n    name: 居民户籍信息\n"
        f"    provider: {PROVIDER[1]}\n    fields:\n      - name: 姓名\n"
    ).encode()


# -- xlsx surgery -----------------------------------------------------------------------


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def _with_sheet(xml: bytes) -> bytes:
    members = _members(base_xlsx())
    members[SHEET] = xml
    return _zip(members)


def _sheet(body: str, extra: str = "", dimension: str = "A1:L12") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData>{extra}</worksheet>'
    ).encode()


def _inline(row: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{row}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values) if i < 26
    )
    return f'<row r="{row}">{cells}</row>'


def _catalogue_rows() -> str:
    return _inline(1, HEADERS) + "".join(_inline(i + 2, r) for i, r in enumerate(ROWS))


def _merges(*refs: str) -> str:
    return f'<mergeCells count="{len(refs)}">' + "".join(f'<mergeCell ref="{r}"/>' for r in refs) + "</mergeCells>"


def merge_bomb(refs: tuple[str, ...]) -> Builder:
    return lambda: _with_sheet(_sheet(_catalogue_rows(), _merges(*refs)))


def many_merges(n: int) -> bytes:
    refs = tuple(f"A{i}:B{i}" for i in range(1, n + 1))
    return _with_sheet(_sheet(_catalogue_rows(), _merges(*refs)))


def million_rows() -> bytes:
    """The 2.5 MB sheet of a million plain rows that once took 91 s to a MemoryError."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(2, 1_000_002))
    head, tail = _sheet("\0").split(b"\0")
    members = _members(base_xlsx())
    members[SHEET] = head + _inline(1, HEADERS).encode() + rows + tail
    return _zip(members)


def far_row() -> bytes:
    return _with_sheet(_sheet(_catalogue_rows() + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'))


def wide_row() -> bytes:
    cells = "".join(f'<row r="{i}"><c r="XFD{i}"><v>1</v></c></row>' for i in range(13, 1000))
    return _with_sheet(_sheet(_catalogue_rows() + cells))


def cell_type(cell: str) -> Builder:
    return lambda: _with_sheet(_sheet(_catalogue_rows() + f'<row r="13">{cell}</row>'))


def huge_xlsx_cell(chars: int) -> bytes:
    return _with_sheet(_sheet(_catalogue_rows() + _inline(13, ["基础信息资源", "x" * chars])))


def sheet_xml(xml: bytes) -> Builder:
    return lambda: _with_sheet(xml)


def member(name: str, data: bytes) -> Builder:
    def build() -> bytes:
        members = _members(base_xlsx())
        members[name] = data
        return _zip(members)

    return build


def zip_bomb(size: int) -> bytes:
    members = _members(base_xlsx())
    members["xl/media/bomb.bin"] = b"\0" * size
    return _zip(members)


def declared_bomb() -> bytes:
    """A member whose zip headers claim 3 GB: only the declared size says it is a bomb."""
    data = bytearray(_zip({**_members(base_xlsx()), "xl/media/big.bin": b"\0" * 1000}))
    at = data.rfind(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == b"xl/media/big.bin":
            struct.pack_into("<I", data, at + 24, 3_000_000_000)
        at = data.rfind(b"PK\x01\x02", 0, at)
    return bytes(data)


def many_members(n: int) -> bytes:
    members = _members(base_xlsx())
    members.update({f"xl/media/m{i}.bin": b"" for i in range(n)})
    return _zip(members)


def drop_member(name: str) -> Builder:
    def build() -> bytes:
        members = _members(base_xlsx())
        members.pop(name, None)
        return _zip(members)

    return build


# -- text formats -------------------------------------------------------------------------


def huge_csv_cell(chars: int, column: int = 1) -> Builder:
    def build() -> bytes:
        row = _row("101330100/001", "姓名")
        row[column] = "长" * chars
        return _csv([row, *ROWS]).encode("utf-8")

    return build


def quoted_runaway() -> bytes:
    return (_csv(ROWS) + '基础信息资源,"' + "x" * 300_000).encode("utf-8")


def many_rows(n: int) -> bytes:
    return (_csv(ROWS) + "a\n" * n).encode("utf-8")


def deep_json(depth: int, where: str = "top") -> Builder:
    def build() -> bytes:
        nest = "[" * depth + "]" * depth
        if where == "top":
            return nest.encode()
        if where == "dict":
            return ('{"a":' * depth + "1" + "}" * depth).encode()
        return f'{{"datasets": [{{"resource_code": "101330100/001", "name": {nest}}}]}}'.encode()

    return build


def deep_yaml(depth: int, flow: bool) -> Builder:
    def build() -> bytes:
        if flow:
            return ("datasets: " + "[" * depth + "]" * depth + "\n").encode()
        return "".join(" " * i + "a:\n" for i in range(depth)).encode()

    return build


def yaml_text(text: str) -> Builder:
    return lambda: text.encode("utf-8")


def billion_laughs(levels: int) -> bytes:
    lines = ['a0: &a0 ["哈哈哈哈哈哈哈哈哈"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append(f"datasets: *a{levels - 1}")
    return ("\n".join(lines) + "\n").encode()


def huge_int(digits: int, where: str) -> Builder:
    def build() -> bytes:
        number = "9" * digits
        if where == "json-top":
            return number.encode()
        if where == "json-field":
            return f'{{"datasets": [{{"resource_code": {number}, "name": "x"}}]}}'.encode()
        head = "datasets:\n  - resource_code: 101330100/001\n    name: x\n"
        return f"{head}    fields:\n      - name: x\n        length: {number}\n".encode()

    return build


def truncated(base: Callable[[], bytes], fraction: float) -> Builder:
    return lambda: base()[: int(len(base()) * fraction)]


def flipped(base: Callable[[], bytes], seed: int) -> Builder:
    def build() -> bytes:
        rng = random.Random(seed)
        data = bytearray(base())
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)

    return build


def random_bytes(seed: int, prefix: bytes = b"") -> Builder:
    def build() -> bytes:
        rng = random.Random(seed)
        return prefix + rng.randbytes(rng.choice((0, 1, 7, 100, 4096, 65536)))

    return build


def encoded(encoding: str) -> Builder:
    return lambda: codecs.encode(_csv(ROWS), encoding, "replace")


def _corpus() -> dict[str, Builder]:
    c: dict[str, Builder] = {}
    # merge bombs and grids that lie about their size
    for name, refs in {
        "full-sheet": ("A1:XFD1048576",),
        "full-column": ("A1:A1048576",),
        "full-row": ("A1:XFD1",),
        "overlapping": ("A1:XFD1048576",) * 50,
        "past-grid": ("B20:XFD1048576",),
        "reversed": ("XFD1048576:A1",),
        "inside": ("A2:L12",),
        "not-a-range": ("A1:ZZZZ9",),
        "garbage": ("hello",),
        "empty": ("",),
    }.items():
        c[f"merge-bomb-{name}.xlsx"] = merge_bomb(refs)
    c["merge-many.xlsx"] = lambda: many_merges(100_001)
    c["rows-million.xlsx"] = million_rows
    c["row-far.xlsx"] = far_row
    c["cells-wide.xlsx"] = wide_row
    c["dimension-lies.xlsx"] = sheet_xml(_sheet(_catalogue_rows(), dimension="A1:XFD1048576"))
    c["cell-huge-xlsx.xlsx"] = lambda: huge_xlsx_cell(40_000)
    # bad cell types
    for name, cell in {
        "shared-index": '<c r="A13" t="s"><v>999999</v></c>',
        "shared-negative": '<c r="A13" t="s"><v>-5</v></c>',
        "shared-text": '<c r="A13" t="s"><v>abc</v></c>',
        "number-text": '<c r="A13" t="n"><v>abc</v></c>',
        "bool-text": '<c r="A13" t="b"><v>maybe</v></c>',
        "date-text": '<c r="A13" t="d"><v>not a date</v></c>',
        "error": '<c r="A13" t="e"><v>#BOOM</v></c>',
        "inline-empty": '<c r="A13" t="inlineStr"></c>',
        "unknown-type": '<c r="A13" t="zz"><v>1</v></c>',
        "bad-ref": '<c r="13A"><v>1</v></c>',
        "huge-number": '<c r="A13"><v>1e999999</v></c>',
        "huge-style": '<c r="A13" s="99999"><v>1</v></c>',
    }.items():
        c[f"cell-type-{name}.xlsx"] = cell_type(cell)
    # malformed XML inside the zip
    for name, xml in {
        "truncated": _sheet(_catalogue_rows())[:300],
        "garbage": b"\x00\x01not xml at all",
        "unclosed": b"<worksheet><sheetData><row r='1'><c><v>1</v></c>",
        "entity-bomb": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<worksheet><sheetData><row><c t='inlineStr'><is><t>&lol2;</t></is></c></row></sheetData></worksheet>",
        "external-entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<worksheet><sheetData><row><c t='inlineStr'><is><t>&e;</t></is></c></row></sheetData></worksheet>",
        "wrong-root": b"<?xml version='1.0'?><html><body/></html>",
        "empty": b"",
        "utf16": _sheet(_catalogue_rows()).decode().encode("utf-16"),
    }.items():
        c[f"xml-{name}.xlsx"] = sheet_xml(xml)
    for part in ("xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml"):
        slug = part.rsplit("/", 1)[-1].strip("[]").replace(".", "-").lower()
        c[f"part-garbage-{slug}.xlsx"] = member(part, b"<<<not xml")
        c[f"part-missing-{slug}.xlsx"] = drop_member(part)
    # zip containers
    c["zip-bomb-ratio.xlsx"] = lambda: zip_bomb(50 * 1024 * 1024)
    c["zip-bomb-declared.xlsx"] = declared_bomb
    c["zip-members-many.xlsx"] = lambda: many_members(5_000)
    c["zip-stored-empty.xlsx"] = lambda: _zip({})
    c["zip-just-magic.xlsx"] = lambda: b"PK\x03\x04"
    c["zip-end-only.xlsx"] = lambda: b"PK\x05\x06" + b"\0" * 18
    for i, fraction in enumerate((0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)):
        c[f"zip-truncated-{i:02d}.xlsx"] = truncated(base_xlsx, fraction)
    for seed in range(30):
        c[f"zip-flipped-{seed:02d}.xlsx"] = flipped(base_xlsx, seed)
    # CSV
    for chars, column in ((32_768, 1), (131_073, 1), (1_000_000, 6), (200_000, 2), (50_000, 0)):
        c[f"cell-huge-{chars}-col{column}.csv"] = huge_csv_cell(chars, column)
    c["cell-runaway-quote.csv"] = quoted_runaway
    c["rows-too-many.csv"] = lambda: many_rows(300_000)
    c["nul-bytes.csv"] = lambda: base_csv().replace(b",", b"\0,", 3)
    c["only-newlines.csv"] = lambda: b"\n" * 10_000
    c["only-separators.csv"] = lambda: b",;\t" * 30_000
    for i, fraction in enumerate((0.0, 0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97)):
        c[f"csv-truncated-{i:02d}.csv"] = truncated(base_csv, fraction)
    for seed in range(20):
        c[f"csv-flipped-{seed:02d}.csv"] = flipped(base_csv, seed)
    for encoding in ("utf-16-le", "utf-16-be", "utf-32", "shift_jis", "big5", "latin-1", "koi8-r", "cp1252"):
        c[f"encoding-{encoding}.csv"] = encoded(encoding)
    c["encoding-broken-utf8.csv"] = lambda: base_csv()[:-7] + b"\xe4\xb8" + b"\xff\xfe\xfd"
    c["encoding-bom-lies.csv"] = lambda: b"\xff\xfe" + base_csv()
    # JSON
    for depth in (100, 1_000, 10_000, 200_000):
        for where in ("top", "dict", "field"):
            c[f"json-deep-{where}-{depth}.json"] = deep_json(depth, where)
    for digits in (4_301, 100_000):
        for where in ("json-top", "json-field", "yaml-field"):
            suffix = "yaml" if where.startswith("yaml") else "json"
            c[f"int-huge-{where}-{digits}.{suffix}"] = huge_int(digits, where)
    for i, fraction in enumerate((0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)):
        c[f"json-truncated-{i:02d}.json"] = truncated(base_json, fraction)
        c[f"yaml-truncated-{i:02d}.yaml"] = truncated(base_yaml, fraction)
    for seed in range(10):
        c[f"json-flipped-{seed:02d}.json"] = flipped(base_json, seed)
        c[f"yaml-flipped-{seed:02d}.yaml"] = flipped(base_yaml, seed)
    for name, text in {
        "list": "[1, 2, 3]",
        "string": '"datasets"',
        "null": "null",
        "datasets-string": '{"datasets": "all of them"}',
        "datasets-numbers": '{"datasets": [1, 2, 3]}',
        "fields-dict": '{"datasets": [{"resource_code": "101330100/001", "name": "x", "fields": {"a": 1}}]}',
        "nan": '{"datasets": [{"resource_code": NaN, "name": Infinity}]}',
        "duplicate-keys": '{"datasets": [], "datasets": [{"resource_code": {}}]}',
        "float-huge": '{"datasets": [{"resource_code": 1e999999, "name": "x"}]}',
        "lone-surrogate": '{"datasets": [{"resource_code": "\\ud800", "name": "\\udfff"}]}',
    }.items():
        c[f"json-shape-{name}.json"] = yaml_text(text)
    # YAML
    for depth in (1_000, 20_000):
        c[f"yaml-deep-flow-{depth}.yaml"] = deep_yaml(depth, True)
    for depth in (200, 3_000):
        c[f"yaml-deep-block-{depth}.yaml"] = deep_yaml(depth, False)
    c["yaml-billion-laughs.yaml"] = lambda: billion_laughs(9)
    c["yaml-laughs-small.yaml"] = lambda: billion_laughs(4)
    for name, text in {
        "python-apply": "datasets: !!python/object/apply:os.system ['echo pwned']\n",
        "python-name": "datasets: !!python/name:os.system\n",
        "python-object": "datasets: !!python/object:collections.OrderedDict {}\n",
        "binary": "datasets:\n  - resource_code: !!binary aGVsbG8=\n    name: x\n",
        "set": "datasets: !!set {a, b}\n",
        "omap": "datasets: !!omap [a: 1, b: 2]\n",
        "pairs": "datasets: !!pairs [a: 1, a: 2]\n",
        "custom": "datasets: !registry/evil [1]\n",
        "local-tag": "datasets:\n  - !dataset {resource_code: '101330100/001'}\n",
        "verbatim": "datasets: !<tag:evil.example,2024:x> [1]\n",
        "recursive": "datasets: &a [*a]\n",
        "recursive-map": "departments: &d {self: *d}\n",
        "merge-keys": "base: &b {name: x}\ndatasets:\n  - <<: *b\n    resource_code: 资源#01\n",
        "undefined-alias": "datasets: *nothing\n",
        "tabs": "datasets:\n\t- name: x\n",
        "multi-document": "datasets: []\n---\ndatasets: []\n",
        "timestamp-bad": "datasets:\n  - resource_code: 101330100/001\n    name: x\n    published_on: 2023-13-45\n",
        "directive": "%YAML 9.9\n---\ndatasets: []\n",
        "control-chars": 'datasets:\n  - name: "\\x00\\x07"\n',
    }.items():
        c[f"yaml-{name}.yaml"] = yaml_text(text)
    # random bytes under every suffix, and with the magic numbers formats are sniffed by
    for seed in range(12):
        for suffix in ("csv", "xlsx", "json", "yaml"):
            c[f"random-{seed:03d}.{suffix}"] = random_bytes(seed * 7 + len(suffix))
    for seed in range(6):
        c[f"random-pk-{seed:02d}.xlsx"] = random_bytes(seed, b"PK\x03\x04")
        c[f"random-ole-{seed:02d}.xlsx"] = random_bytes(seed, b"\xd0\xcf\x11\xe0")
        c[f"random-bom-{seed:02d}.csv"] = random_bytes(seed, b"\xef\xbb\xbf")
    return c


CORPUS = _corpus()
