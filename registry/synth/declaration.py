"""The generated registry as a service ``Declaration`` (validated node models and edges)."""

from registry.schema.model import (
    DataElement,
    Dataset,
    Department,
    FieldItem,
    Need,
    NodeModel,
    Project,
    System,
    field_key,
)
from registry.schema.records import NodeRef
from registry.service.declaration import Declaration, EdgeDecl
from registry.synth import words
from registry.synth.generate import Synth


def to_declaration(synth: Synth, source: str = "synth") -> Declaration:
    nodes: list[NodeModel] = []
    edges: list[EdgeDecl] = []
    dept_refs = []
    for d in synth.departments:
        nodes.append(Department(code=d["code"], name=d["name"], level=d["level"], region=d["region"]))
        dept_refs.append(NodeRef("Department", d["code"]))
    element_names = {}
    for code, name, synonyms in (*words.ELEMENTS, words.UNPROVIDED_ELEMENT):
        nodes.append(DataElement(code=code, name=name, synonyms=list(synonyms)))
        element_names[name] = code
    system_refs = []
    for s, (system, project) in enumerate(zip(synth.systems, synth.projects, strict=True)):
        nodes.append(System(**system))
        nodes.append(
            Project(
                code=project["code"], name=project["name"], stage=project["stage"], approved_on=project["approved_on"]
            )
        )
        ref = NodeRef("System", system["code"])
        project_ref = NodeRef("Project", project["code"])
        system_refs.append(ref)
        dept = dept_refs[synth.system_department[s]]
        edges += [
            EdgeDecl("OPERATES", dept, ref),
            EdgeDecl("BUILDS", project_ref, ref),
            EdgeDecl("LED_BY", project_ref, dept_refs[project["department"]]),
        ]
    dataset_refs = []
    for i, key in enumerate(synth.dataset_keys):
        nodes.append(
            Dataset(
                resource_code=key,
                name=synth.dataset_names[i],
                abstract=synth.dataset_abstracts[i],
                **{k: v for k, v in synth.dataset_props[i].items() if v is not None},
            )
        )
        ref = NodeRef("Dataset", key)
        dataset_refs.append(ref)
        edges.append(EdgeDecl("PROVIDES", dept_refs[synth.department_of(i)], ref))
        edges.append(EdgeDecl("HOLDS", system_refs[synth.dataset_system[i]], ref))
        for fid in dict.fromkeys(synth.field_lists[i]):
            name = synth.field_names[fid]
            item = FieldItem(dataset=key, name=name, data_type="C")
            nodes.append(item)
            field_ref = NodeRef("Field", item.key())
            edges.append(EdgeDecl("HAS_FIELD", ref, field_ref))
            if name in element_names:
                edges.append(EdgeDecl("MEANS", field_ref, NodeRef("DataElement", element_names[name])))
    for position, receiver in synth.shares:
        edges.append(EdgeDecl("SHARED_WITH", dataset_refs[position], dept_refs[receiver], {"agreement": "共享协议"}))
    for need in synth.needs:
        ref = NodeRef("Need", need["id"])
        nodes.append(Need(id=need["id"], purpose=need["purpose"]))
        edges.append(EdgeDecl("NEEDS", system_refs[need["requester"]], ref))
        edges.append(EdgeDecl("FOR", ref, NodeRef(*need["target"])))
    for derived, derived_field, origin_dataset, origin_field in synth.lineage:
        target = field_key(synth.dataset_keys[derived], synth.field_names[derived_field])
        origin = field_key(synth.dataset_keys[origin_dataset], synth.field_names[origin_field])
        props = {"processing_method": "汇总统计"}
        edges.append(EdgeDecl("DERIVED_FROM", NodeRef("Field", target), NodeRef("Field", origin), props))
    return Declaration(source=source, format="synth", nodes=nodes, edges=edges)
