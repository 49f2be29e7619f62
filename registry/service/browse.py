"""Browsing the catalogue as two trees, each node with counts: the resource classification
(基础 / 主题 / 部门信息资源, then 类 / 项 / 目 / 细目 by the digits of the category code)
and the departments (by their parent department).

The category code of a 2017-guide resource code (``101330100/001`` -> ``101330100``) is read
as 类 (1 digit), 项 (3), 目 (6) and 细目 (9): each level is a prefix of the next, so a
path is simply a longer prefix. Counts come from the caller's projection, so hidden
datasets are neither listed nor counted.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from registry.schema.records import NodeRef
from registry.service.caller import Caller
from registry.service.core import RegistryService
from registry.service.errors import InvalidInput, NotFound

LEVELS = (1, 3, 6, 9)
LEVEL_NAMES = ("类", "项", "目", "细目")
CATEGORY_NAMES = {"1": "基础信息资源", "2": "主题信息资源", "3": "部门信息资源"}
LISTED = 200
"""Datasets listed at a tree node at most (the count says how many there are)."""


@dataclass
class TreeNode:
    path: str
    name: str
    level: str
    count: int
    children: list[dict[str, Any]] = field(default_factory=list)
    datasets: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _category_code(attrs: dict[str, Any], key: str) -> str:
    code = str(attrs.get("category_code") or "")
    if not code and "/" in key:
        code = key.split("/", 1)[0]
    return code if code.isdigit() else ""


def browse_categories(service: RegistryService, caller: Caller, path: str = "") -> TreeNode:
    """The classification node at ``path`` (a category-code prefix; empty for the root)."""
    path = path.strip()
    if path and not path.isdigit():
        raise InvalidInput(f"a classification path is digits of a category code, not {path!r}")
    graph = service.graph(caller, labels=["Dataset"], edge_types=[])
    below = [
        (node, attrs) for node, attrs in graph.nodes(data=True) if _category_code(attrs, node.key).startswith(path)
    ]
    if path and not below:
        raise NotFound(f"no datasets under classification {path!r}")
    depth = next((n for n in LEVELS if n > len(path)), None)
    children: Counter[str] = Counter()
    if depth is not None:
        for node, attrs in below:
            code = _category_code(attrs, node.key)
            if len(code) >= depth:
                children[code[:depth]] += 1
    level = "" if not path else LEVEL_NAMES[max(i for i, n in enumerate(LEVELS) if n <= len(path))]
    datasets = sorted((attrs.get("name", node.key), node.key) for node, attrs in below)
    return TreeNode(
        path=path,
        name=CATEGORY_NAMES.get(path, path) if path else "信息资源目录",
        level=level,
        count=len(below),
        children=[
            {"path": code, "name": CATEGORY_NAMES.get(code, code), "count": n} for code, n in sorted(children.items())
        ],
        datasets=[{"key": key, "name": name} for name, key in datasets[:LISTED]] if depth is None or path else [],
    )


def browse_departments(service: RegistryService, caller: Caller, code: str | None = None) -> TreeNode:
    """A department with its sub-departments (by ``parent``) and what each holds; the root
    lists the departments without a known parent."""
    graph = service.graph(caller, labels=["Department", "System", "Dataset"], edge_types=["OPERATES", "PROVIDES"])
    departments = {n.key: attrs for n, attrs in graph.nodes(data=True) if n.label == "Department"}
    if code is not None and code not in departments:
        raise NotFound(f"no Department with key {code!r}")
    parent_of = {key: attrs.get("parent") for key, attrs in departments.items()}
    held: dict[str, Counter[str]] = {}
    for key in departments:
        counter: Counter[str] = Counter()
        for other in graph.successors(NodeRef("Department", key)):
            counter[other.label] += 1
        held[key] = counter

    def children_of(parent: str | None) -> list[str]:
        return sorted(
            (k for k, p in parent_of.items() if (p if p in departments else None) == parent),
            key=lambda k: departments[k].get("name", k),
        )

    def entry(key: str) -> dict[str, Any]:
        return {
            "path": key,
            "name": departments[key].get("name", key),
            "count": held[key]["Dataset"],
            "systems": held[key]["System"],
            "departments": len(children_of(key)),
        }

    kids = children_of(code)
    if code is None:
        total = sum(held[k]["Dataset"] for k in departments)
        return TreeNode("", "政务部门", "", total, [entry(k) for k in kids])
    datasets = sorted(
        (graph.nodes[n].get("name", n.key), n.key)
        for n in graph.successors(NodeRef("Department", code))
        if n.label == "Dataset"
    )
    return TreeNode(
        code,
        departments[code].get("name", code),
        "部门",
        held[code]["Dataset"],
        [entry(k) for k in kids],
        [{"key": key, "name": name} for name, key in datasets[:LISTED]],
    )
