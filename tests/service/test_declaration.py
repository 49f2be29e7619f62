"""A declaration's upserts (``Declaration.upserts``) are used only while they are one for
one with its nodes: a node added without its upsert, or a part joined that has none, makes
``node_rows`` ask each node again rather than hand the store rows for other nodes."""

from registry.schema.model import DataElement, NodeModel
from registry.service.declaration import Declaration

A, B, C = (DataElement(code=f"DE000{i}", name=name) for i, name in enumerate(("姓名", "性别", "出生日期")))


def _rows(nodes: list[NodeModel]) -> list[tuple[str, str, dict[str, object]]]:
    return [(n.LABEL, n.key(), n.props()) for n in nodes]


def _declaration(*nodes: NodeModel, upserts: bool) -> Declaration:
    declaration = Declaration(source="test", format="api")
    for node in nodes:
        if upserts:
            declaration.add(node)
        else:
            declaration.nodes.append(node)
    return declaration


def test_nodes_added_with_their_upserts_hand_them_over() -> None:
    declaration = _declaration(A, B, upserts=True)
    assert declaration.node_rows() is declaration.upserts
    assert declaration.node_rows() == _rows([A, B])


def test_a_node_added_alone_puts_the_upserts_out_of_step_until_they_are_made_again() -> None:
    declaration = _declaration(A, upserts=True)
    declaration.nodes.append(B)
    assert declaration.node_rows() is not declaration.upserts
    assert declaration.node_rows() == _rows([A, B])
    declaration.add(C)  # kept_upserts makes them again from the nodes first
    assert declaration.node_rows() is declaration.upserts
    assert declaration.node_rows() == _rows([A, B, C])


def test_extend_keeps_the_upserts_only_where_both_sides_have_them_in_step() -> None:
    both = _declaration(A, upserts=True)
    both.extend(_declaration(B, C, upserts=True))
    assert both.node_rows() is both.upserts
    assert both.node_rows() == _rows([A, B, C])
    for other in (_declaration(B, upserts=False), _declaration(B, upserts=True)):
        if other.upserts is not None:
            other.nodes.append(C)  # out of step
        mixed = _declaration(A, upserts=True)
        mixed.extend(other)
        assert mixed.upserts is None
        assert mixed.node_rows() == _rows(mixed.nodes)
