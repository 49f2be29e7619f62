"""Who writes a sharing request's answer.

A request belongs to the department that makes it (``ownership``), but its reply (答复) and
its delivery are the provider's acts: the department the request is ADDRESSED_TO records
them, and only them, so a reply in the registry is the provider's word and not the
requester's account of it. Conversely the requester may not write or erase an answer.
Administrators are not judged here.
"""

from collections.abc import Mapping

from pydantic import BaseModel

from registry.schema.model import SharingRequest
from registry.schema.records import NodeRef
from registry.service.declaration import Declaration
from registry.store.base import Store

ANSWER_FIELDS = frozenset({"outcome", "replied_on", "conditions", "refusal_basis", "delivered_on"})


def _changed(declared: BaseModel, stored: BaseModel | None) -> set[str]:
    if stored is None:
        return {name for name in type(declared).model_fields if getattr(declared, name) is not None}
    return {name for name in type(declared).model_fields if getattr(declared, name) != getattr(stored, name)}


def judge(
    store: Store, declaration: Declaration, department: str | None, owners: Mapping[NodeRef, str | None]
) -> tuple[set[NodeRef], set[NodeRef]]:
    """The requests this department may write as their provider although another
    department owns them, and those it may not write although it owns them (it would
    change their answer)."""
    declared = {node.key(): node for node in declaration.nodes if isinstance(node, SharingRequest)}
    if not declared or department is None:
        return set(), set()
    stored = {
        key: SharingRequest.model_validate(record.props)
        for key, record in store.get_nodes(SharingRequest.LABEL, declared.keys()).items()
    }
    refs = [NodeRef(SharingRequest.LABEL, key) for key in declared]
    providers = {edge.src: edge.dst.key for edge in store.edges(refs, direction="out", types=["ADDRESSED_TO"])}
    providers.update(
        (edge.src, edge.dst.key)
        for edge in declaration.edges
        if edge.type == "ADDRESSED_TO" and edge.src.label == SharingRequest.LABEL and edge.src not in providers
    )
    granted: set[NodeRef] = set()
    refused: set[NodeRef] = set()
    for ref in refs:
        changed = _changed(declared[ref.key], stored.get(ref.key))
        owner, provider = owners.get(ref) == department, providers.get(ref) == department
        if owner and not provider and changed & ANSWER_FIELDS:
            refused.add(ref)
        elif provider and not owner and ref.key in stored and changed <= ANSWER_FIELDS:
            granted.add(ref)
    return granted, refused
