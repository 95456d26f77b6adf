"""The selections a compiled plan's root resolvers read, built once per root field.

The root resolvers of `schema.query` read `info.selected_fields` (Strawberry's
`SelectedField` trees, with the arguments of nested fields) to compile their statement.
Building those trees anew for every request is a walk over the whole document. Below a
root field whose nested arguments and directives name no variable, the tree is the same
for every request, so it is built once and shared (nobody mutates it: the projection
builders only read). The root field's own arguments and directives, which may name
variables, are converted per request.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, Node, VariableNode
from strawberry.types.nodes import (
    SelectedField,
    Selection,
    convert_arguments,
    convert_directives,
)

from schema.limits import CACHE_SIZE


def names_variables(node: Node, fragments: Mapping[str, FragmentDefinitionNode]) -> bool:
    """Whether `node` or anything below it (fragments it spreads included) uses a variable."""
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, VariableNode):
            return True
        if isinstance(item, FragmentSpreadNode):
            stack.append(fragments[item.name.value])
        for key in item.keys:
            value = getattr(item, key, None)
            if isinstance(value, Node):
                stack.append(value)
            elif isinstance(value, tuple | list):
                stack.extend(v for v in value if isinstance(v, Node))
    return False


class SelectionCache:
    """Per root field node: its nested selections when they hold no variable (else None).

    Keyed by the node's identity; each entry keeps its node alive, so an id is not reused
    while its entry exists. Bounded like the plan cache.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[FieldNode, list[Selection] | None]] = OrderedDict()

    def selected_field(self, info: Any, node: FieldNode) -> SelectedField:
        """What `SelectedField.from_node(info, node)` returns, built once when it can be.

        `info` carries `fragments` and `variable_values` (as Strawberry's `Info` does)."""
        entry = self._entries.get(id(node))
        if entry is None or entry[0] is not node:
            below = node.selection_set
            fixed = below is None or not names_variables(below, info.fragments)
            field = SelectedField.from_node(info, node)
            self._entries[id(node)] = (node, field.selections if fixed else None)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return field
        self._entries.move_to_end(id(node))
        selections = entry[1]
        if selections is None:
            return SelectedField.from_node(info, node)
        return SelectedField(
            name=node.name.value,
            directives=convert_directives(info, node.directives),
            alias=getattr(node.alias, "value", None),
            arguments=convert_arguments(info, node.arguments),
            selections=selections,
        )
