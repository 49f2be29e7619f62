"""A generated registry as a native document on disk, with its ground truth beside it.

This is how the synthetic registry reaches the product the way real registries do: as a
file that ``registry import`` (``registry.importers.read``) reads and the service loads,
so tests and benchmarks exercise the native importer and not a shortcut around it.

    synth = generate(datasets=10_000, seed=1)
    files = write_native(synth, "synth-10k.json")   # also writes synth-10k.truth.json
    files.document, files.truth                      # the two paths
    truth = read_truth(files.truth)                  # what the document plants

- ``to_document(synth)`` is the document as plain data (valid against
  ``registry/schema/native.schema.json``), for small registries and for inspection.
- ``write_native(synth, path)`` writes JSON or YAML by the suffix and the truth as JSON
  at ``truth_path(path)`` (``x.json`` / ``x.yaml`` -> ``x.truth.json``). JSON is streamed
  item by item through the C encoder, so 100k datasets x 20 fields take seconds and never
  hold the whole text in memory; YAML goes through PyYAML and is only practical for a few
  thousand datasets.
- The same synth (same ``SynthConfig`` and seed) gives byte-identical files.

A dataset the native importer would reject is left out, with what refers to it (the
generator plants a conditional share with no condition, which the service accepts but an
import refuses: a file must state the condition). Its planted finding moves from the
truth's ``gaps`` to ``omitted``, and the truth's ``config`` counts what the file holds, so
the truth file describes the document exactly and the document reads with no errors.

Relations are written inside the items as a person would declare them: a system names
its department and the datasets it holds, a dataset its provider, fields and sharing
partners, a field its data element and lineage, a project its leading department and the
system it builds, a need who needs it and for what.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from registry.importers.documents import YAML_SUFFIXES, is_yaml
from registry.importers.export import write_document
from registry.importers.values import share_rule
from registry.schema.document import DOCUMENT_VERSION, SCHEMA_ID
from registry.synth import words
from registry.synth.generate import Synth

DOCUMENT_SUFFIXES = (".json", *YAML_SUFFIXES)
SHARE_AGREEMENT = "共享协议"
LINEAGE_METHOD = "汇总统计"
FIELD_DATA_TYPE = "C"
COUNTED = ("departments", "systems", "datasets", "fields", "needs")
"""What the truth's ``config`` counts in the document (a benchmark divides by these)."""

Item = dict[str, Any]


@dataclass(frozen=True)
class NativeFiles:
    document: Path
    truth: Path


def truth_path(path: Path | str) -> Path:
    path = Path(path)
    return path.with_name(f"{path.stem}.truth.json")


def read_truth(path: Path | str) -> dict[str, Any]:
    """The ground truth written beside a document; pass either the truth file or the document."""
    path = Path(path)
    if not path.name.endswith(".truth.json"):
        path = truth_path(path)
    truth: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return truth


class _Plan:
    """Which datasets and needs the document leaves out, decided once for every section."""

    def __init__(self, synth: Synth) -> None:
        self.synth = synth
        props = synth.dataset_props
        self.omitted = {
            i for i in range(len(synth.dataset_keys)) if share_rule(props[i]["share_type"], props[i]["share_condition"])
        }
        omitted_keys = {synth.dataset_keys[i] for i in self.omitted}
        self.omitted_needs = {
            n["id"] for n in synth.needs if n["target"][0] == "Dataset" and n["target"][1] in omitted_keys
        }
        self.omitted_subjects = omitted_keys | self.omitted_needs

    def kept(self) -> Iterator[int]:
        return (i for i in range(len(self.synth.dataset_keys)) if i not in self.omitted)

    def truth(self) -> dict[str, Any]:
        """The generator's truth restricted to the document; ``config`` counts what the
        document holds (``COUNTED``; fields are distinct per dataset)."""
        truth = self.synth.truth
        gone = self.omitted_subjects
        duplicates = {
            kind: [kept for group in groups if len(kept := [k for k in group if k not in gone]) > 1]
            for kind, groups in truth["duplicates"].items()
        }
        datasets = list(self.kept())
        fields = sum(len(dict.fromkeys(self.synth.field_lists[i])) for i in datasets)
        return {
            **truth,
            "duplicates": duplicates,
            "gaps": [g for g in truth["gaps"] if g["subject"] not in gone],
            "omitted": [g for g in truth["gaps"] if g["subject"] in gone],
            "config": {
                **truth["config"],
                "departments": len(self.synth.departments),
                "systems": len(self.synth.systems),
                "datasets": len(datasets),
                "fields": fields,
                "needs": len(self.synth.needs) - len(self.omitted_needs),
            },
        }

    def departments(self) -> Iterator[Item]:
        for d in self.synth.departments:
            yield {"code": d["code"], "name": d["name"], "level": d["level"], "region": d["region"]}

    def data_elements(self) -> Iterator[Item]:
        for code, name, synonyms in (*words.ELEMENTS, words.UNPROVIDED_ELEMENT):
            yield {"code": code, "name": name, "synonyms": list(synonyms)}

    def systems(self) -> Iterator[Item]:
        synth = self.synth
        holds: list[list[str]] = [[] for _ in synth.systems]
        for i in self.kept():
            holds[synth.dataset_system[i]].append(synth.dataset_keys[i])
        for s, system in enumerate(synth.systems):
            dept = synth.departments[synth.system_department[s]]["code"]
            yield {**system, "department": dept, "holds": holds[s]}

    def projects(self) -> Iterator[Item]:
        synth = self.synth
        for project, system in zip(synth.projects, synth.systems, strict=True):
            yield {
                "code": project["code"],
                "name": project["name"],
                "stage": project["stage"],
                "approved_on": project["approved_on"].isoformat(),
                "led_by": synth.departments[project["department"]]["code"],
                "builds": [system["code"]],
            }

    def datasets(self) -> Iterator[Item]:
        synth = self.synth
        elements = {name: code for code, name, _ in (*words.ELEMENTS, words.UNPROVIDED_ELEMENT)}
        lineage: dict[tuple[int, int], list[Item]] = defaultdict(list)
        for derived, derived_field, origin, origin_field in synth.lineage:
            if origin not in self.omitted:
                source = {
                    "dataset": synth.dataset_keys[origin],
                    "field": synth.field_names[origin_field],
                    "processing_method": LINEAGE_METHOD,
                }
                lineage[derived, derived_field].append(source)
        shares: dict[int, list[Item]] = defaultdict(list)
        for dataset, dept in synth.shares:
            shares[dataset].append({"department": synth.departments[dept]["code"], "agreement": SHARE_AGREEMENT})
        names = synth.field_names
        for i in self.kept():
            fields = []
            for fid in dict.fromkeys(synth.field_lists[i]):
                name = names[fid]
                field: Item = {"name": name, "data_type": FIELD_DATA_TYPE}
                element = elements.get(name)
                if element is not None:
                    field["element"] = element
                sources = lineage.get((i, fid))
                if sources:
                    field["derived_from"] = sources
                fields.append(field)
            item: Item = {
                "resource_code": synth.dataset_keys[i],
                "name": synth.dataset_names[i],
                "abstract": synth.dataset_abstracts[i],
                **{k: v for k, v in synth.dataset_props[i].items() if v is not None},
                "provider": synth.departments[synth.department_of(i)]["code"],
                "fields": fields,
            }
            if i in shares:
                item["shared_with"] = shares[i]
            yield item

    def needs(self) -> Iterator[Item]:
        for need in self.synth.needs:
            if need["id"] in self.omitted_needs:
                continue
            label, key = need["target"]
            yield {
                "id": need["id"],
                "purpose": need["purpose"],
                "by_system": self.synth.systems[need["requester"]]["code"],
                "for_element" if label == "DataElement" else "for_dataset": key,
            }

    def sections(self) -> Iterator[tuple[str, Iterator[Item]]]:
        yield "departments", self.departments()
        yield "data_elements", self.data_elements()
        yield "systems", self.systems()
        yield "projects", self.projects()
        yield "datasets", self.datasets()
        yield "needs", self.needs()


def _header() -> Item:
    return {"$schema": SCHEMA_ID, "version": DOCUMENT_VERSION}


def to_document(synth: Synth) -> dict[str, Any]:
    """The whole document in memory; ``write_native`` streams the same items instead."""
    return {**_header(), **{name: list(items) for name, items in _Plan(synth).sections()}}


def document_truth(synth: Synth) -> dict[str, Any]:
    """The ground truth of the document ``to_document`` gives (what ``write_native`` writes beside it)."""
    return _Plan(synth).truth()


def _stream_json(plan: _Plan, handle: TextIO) -> None:
    """One item per line: ``json.dump`` of a whole document runs the pure-Python encoder,
    while encoding item by item keeps the C encoder and bounds memory to one item."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    handle.write(encode(_header())[:-1])
    for name, items in plan.sections():
        handle.write(f",\n{encode(name)}: [")
        separator = "\n"
        for item in items:
            handle.write(separator)
            handle.write(encode(item))
            separator = ",\n"
        handle.write("\n]")
    handle.write("\n}\n")


def write_native(synth: Synth, path: Path | str) -> NativeFiles:
    """Write the registry to ``path`` (JSON, or YAML for .yaml/.yml) and its ground truth
    to ``truth_path(path)``. Each file is written under a temporary name and renamed, so an
    interrupted run never leaves a half-written file that looks complete."""
    path = Path(path)
    if path.suffix.lower() not in DOCUMENT_SUFFIXES:
        raise ValueError(f"{path}: a native document ends in {', '.join(DOCUMENT_SUFFIXES)}")
    plan = _Plan(synth)
    if is_yaml(path):
        write_document({**_header(), **{name: list(items) for name, items in plan.sections()}}, path)
    else:
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="utf-8") as handle:
            _stream_json(plan, handle)
        partial.replace(path)
    truth = truth_path(path)
    partial = truth.with_name(truth.name + ".partial")
    partial.write_text(json.dumps(plan.truth(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    partial.replace(truth)
    return NativeFiles(document=path, truth=truth)
