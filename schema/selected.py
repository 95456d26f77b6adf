"""The selections a compiled plan's root resolvers read, built once per root field.

The root resolvers of `schema.query` read `info.selected_fields` (Strawberry's
`SelectedField` trees, with the arguments of nested fields) to compile their statement.
Building those trees anew for every request is a walk over the whole document. Below a
root field whose nested arguments and directives name no variable, the tree is the same
for every request, so it is built once, when the plan is compiled (in a worker thread),
and shared (nobody mutates it: the projection builders only read). The root field's own
arguments and directives, which may name variables, are converted per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, Node, VariableNode
from strawberry.types.nodes import (
    SelectedField,
    Selection,
    convert_arguments,
    convert_directives,
)

from schema.selection import Kept, included


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


# Above this many fields (fragment spreads expanded), a root's selections that depend on
# the request's variables are built in a worker thread: Strawberry's walk over a 1,000-field
# fan-out takes the interpreter for over 100 ms on a loaded machine.
THREAD_ABOVE_FIELDS = 200


def fixed_selections(node: FieldNode, fragments: Mapping[str, FragmentDefinitionNode]
                     ) -> list[Selection] | None:  # fmt: skip
    """The selections below a root field node when no variable appears there (built once,
    when its plan is compiled, in a worker thread); None when each request's own."""
    below = node.selection_set
    if below is not None and names_variables(below, fragments):
        return None
    info = _NoVariables(fragments)
    return Kept(included(SelectedField.from_node(info, node).selections))  # type: ignore[arg-type]


def field_count(node: Node, fragments: Mapping[str, FragmentDefinitionNode]) -> int:
    """The field selections below `node`, each fragment spread expanded (capped at 10,000:
    the cost rules refuse far fewer)."""
    count, stack = 0, [node]
    while stack and count < 10_000:
        item = stack.pop()
        if isinstance(item, FieldNode):
            count += 1
        if isinstance(item, FragmentSpreadNode):
            stack.append(fragments[item.name.value])
        selection_set = getattr(item, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


def selected_field(info: Any, node: FieldNode, fixed: list[Selection] | None) -> SelectedField:
    """What `SelectedField.from_node(info, node)` returns, reusing `fixed` selections.

    `info` carries `fragments` and `variable_values` (as Strawberry's `Info` does); the root
    field's own arguments and directives may name variables: they are converted each time."""
    if fixed is None:
        return SelectedField.from_node(info, node)
    return SelectedField(
        name=node.name.value,
        directives=convert_directives(info, node.directives),
        alias=getattr(node.alias, "value", None),
        arguments=convert_arguments(info, node.arguments),
        selections=fixed,
    )


class _NoVariables:
    """What `SelectedField.from_node` reads of an `Info`, for selections without variables."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.variable_values: dict[str, Any] = {}
