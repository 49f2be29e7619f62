"""The format registry: names are unique, and detection follows priority, not the order
in which modules happened to register."""

from pathlib import Path

import pytest

from registry import importers
from registry.importers import DuplicateFormat, Format, Probe, UnknownFormat
from registry.importers.formats import FormatRegistry
from registry.service.declaration import Declaration


def _format(name: str, priority: int, claims: str | None = None, suffixes: tuple[str, ...] = (".csv",)) -> Format:
    """A format that recognises a file when its head contains ``claims`` (every file if None)."""

    def read(path: Path, *, skip_invalid: bool = False) -> Declaration:
        return Declaration(source=str(path), format=name)

    return Format(
        name=name,
        description=name,
        suffixes=suffixes,
        priority=priority,
        sniff=lambda probe: claims is None or claims in probe.text,
        read=read,
    )


@pytest.fixture
def project_sheet(tmp_path: Path) -> Path:
    path = tmp_path / "项目清单.csv"
    path.write_text("项目名称,项目编号,牵头单位\n政务云扩容,XM-2024-001,浙江省大数据发展管理局\n", encoding="utf-8")
    return path


def test_a_name_registered_twice_is_refused() -> None:
    registry = FormatRegistry()
    registry.register(_format("catalogue", 0))
    with pytest.raises(DuplicateFormat, match="already registered"):
        registry.register(_format("catalogue", 50, "项目名称"))
    assert registry.names() == ["catalogue"]


def test_a_priority_tie_on_a_shared_suffix_is_refused() -> None:
    registry = FormatRegistry()
    registry.register(_format("catalogue", 0))
    with pytest.raises(DuplicateFormat, match="different priorities"):
        registry.register(_format("project-sheet", 0, "项目名称"))
    registry.register(_format("native", 0, suffixes=(".json",)))
    assert registry.names() == ["catalogue", "native"]


@pytest.mark.parametrize("order", [("catalogue", "project-sheet"), ("project-sheet", "catalogue")])
def test_detection_follows_priority_whatever_the_registration_order(
    order: tuple[str, str], project_sheet: Path, tmp_path: Path
) -> None:
    formats = {"catalogue": _format("catalogue", 0), "project-sheet": _format("project-sheet", 50, "项目名称")}
    registry = FormatRegistry()
    for name in order:
        registry.register(formats[name])
    assert registry.detect(project_sheet).name == "project-sheet"
    other = tmp_path / "目录.csv"
    other.write_text("信息资源代码,信息资源名称\n10201/001,企业登记信息\n", encoding="utf-8")
    assert registry.detect(other).name == "catalogue"
    assert registry.names() == ["project-sheet", "catalogue"]


def test_a_format_is_only_asked_about_its_own_suffixes(project_sheet: Path) -> None:
    registry = FormatRegistry()
    registry.register(_format("yaml-only", 99, suffixes=(".yaml",)))
    with pytest.raises(UnknownFormat, match="yaml-only"):
        registry.detect(project_sheet)


def test_probe_reads_only_the_head(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b'\xef\xbb\xbf{"datasets": [' + b" " * 200_000 + b"]}")
    probe = Probe.of(path)
    assert len(probe.head) == 64 * 1024
    assert probe.text.startswith('{"datasets"') and probe.has(r'"datasets"\s*:')


def test_a_bad_format_name_is_refused_by_the_model() -> None:
    with pytest.raises(ValueError, match="name"):
        _format("Project Sheet", 10)


def test_the_packaged_fallbacks_come_last() -> None:
    assert importers.formats()[-2:] == ["native", "catalogue"]
