"""Limits that keep one request from costing the server too much.

Depth, aliases and tokens use Strawberry's own extensions; the cost rule below
estimates how many nodes a request may fetch (page sizes multiplied along each
nesting path) and refuses it before it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    GraphQLError,
    GraphQLNamedType,
    IntValueNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from schema.selection import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

MAX_DEPTH = 20
MAX_ALIASES = 30
MAX_TOKENS = 4_000
MAX_COST = 100_000
# Distinct documents whose parse and validation are kept: a front end sends a few dozen.
CACHE_SIZE = 512


class CostLimit(ValidationRule):
    """Refuses operations whose worst-case count of fetched list items exceeds MAX_COST."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.multipliers: list[int] = [1]
        self.cost = 0
        self.reported = False

    def _page_size(self, node: FieldNode) -> int:
        type_: GraphQLNamedType | None = None
        output = self.context.get_type()
        if output is not None:
            type_ = get_named_type(output)
        is_list = type_ is not None and type_.name.endswith("Connection")
        size: int | None = None
        for argument in node.arguments or ():
            if argument.name.value in {"first", "last", "limit"}:
                value = argument.value
                if isinstance(value, IntValueNode):
                    size = int(value.value)
                elif isinstance(value, VariableNode):
                    size = MAX_PAGE_SIZE
        if size is None:
            size = DEFAULT_PAGE_SIZE if is_list else 1
        return max(1, size)

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        size = self._page_size(node)
        multiplier = self.multipliers[-1] * size
        self.multipliers.append(multiplier)
        if size > 1:
            self.cost += multiplier
        if self.cost > MAX_COST and not self.reported:
            self.reported = True
            self.report_error(
                GraphQLError(
                    f"query cost exceeds the limit of {MAX_COST} (estimated from page sizes "
                    "multiplied along each nesting path); ask for smaller pages",
                    node,
                    extensions={"code": "QUERY_TOO_COSTLY"},
                )
            )

    def leave_field(self, *_: Any) -> None:
        self.multipliers.pop()


# The rules are built once: the validation cache is keyed by the rule classes, and
# QueryDepthLimiter / MaxAliasesLimiter would make new ones for every request.
RULES: list[type[ASTValidationRule]] = [
    depth_rule(MAX_DEPTH, None),
    aliases_rule(MAX_ALIASES),
    CostLimit,
]


def extensions() -> list[Callable[[], SchemaExtension]]:
    """Limits, with parsing (token limit included) and validation cached per document."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(RULES),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ]
