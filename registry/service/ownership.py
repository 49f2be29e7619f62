"""Which department owns an entry, for the rule that an editor changes only its own.

Ownership follows the graph: a department owns itself, the systems it OPERATES, the
datasets it PROVIDES, the projects it LEADS, the sharing requests it makes and, through them, fields,
interfaces and needs. What the store already records wins over what a declaration claims, so an editor
cannot take over another department's dataset by declaring a PROVIDES edge to it. Data
elements are shared vocabulary and have no owner.
"""

from registry.schema.records import Direction, NodeRef
from registry.service.declaration import Declaration
from registry.store.base import Store

# label -> (edge type, direction to the parent, parent label or None for "any")
_PARENT: dict[str, tuple[str, Direction]] = {
    "System": ("OPERATES", "in"),
    "Dataset": ("PROVIDES", "in"),
    "Field": ("HAS_FIELD", "in"),
    "Interface": ("EXPOSED_VIA", "in"),
    "Need": ("NEEDS", "in"),
    "SharingRequest": ("REQUESTS", "in"),
    "Project": ("LED_BY", "out"),
}


def owners(store: Store, declaration: Declaration) -> dict[NodeRef, str | None]:
    declared: dict[tuple[NodeRef, str, str], NodeRef] = {}
    for edge in declaration.edges:
        declared.setdefault((edge.dst, edge.type, "in"), edge.src)
        declared.setdefault((edge.src, edge.type, "out"), edge.dst)
    memo: dict[NodeRef, str | None] = {}

    def parent(ref: NodeRef) -> NodeRef | None:
        edge_type, direction = _PARENT[ref.label]
        stored = store.edges([ref], direction=direction, types=[edge_type])
        if stored:
            return stored[0].src if direction == "in" else stored[0].dst
        return declared.get((ref, edge_type, direction))

    def owner(ref: NodeRef, depth: int = 0) -> str | None:
        if ref in memo:
            return memo[ref]
        if ref.label == "Department":
            result: str | None = ref.key
        elif ref.label in _PARENT and depth < 4:
            up = parent(ref)
            result = None if up is None else owner(up, depth + 1)
        else:
            result = None
        memo[ref] = result
        return result

    refs = {NodeRef(n.LABEL, n.key()) for n in declaration.nodes} | {e.src for e in declaration.edges}
    return {ref: owner(ref) for ref in refs if ref.label != "DataElement"}
