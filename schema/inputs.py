"""Filter inputs, and their translation into graph filters.

The same `where` shapes serve root lists (typed resolver arguments) and nested
connections (read from the request's selection, where literals arrive as text
and names as written in GraphQL); `to_filter` accepts both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import strawberry

from graph.projection import EdgeFilter, Filter
from schema.errors import BadUserInput
from schema.ids import from_global_id


@strawberry.input(description="Filters on entities; fields are ANDed. Ids are slugs or global ids.")
class EntityWhere:
    AND: list[EntityWhere] | None = None
    OR: list[EntityWhere] | None = None
    NOT: EntityWhere | None = None
    ids: list[strawberry.ID] | None = None
    text: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of name, aliases or description."
    )
    date_from: date | None = strawberry.field(default=None, description="Dated on or after.")
    date_to: date | None = strawberry.field(default=None, description="Dated on or before.")
    country: strawberry.ID | None = strawberry.field(
        default=None, description="Held in, located in, representing or party for this country."
    )
    issue: strawberry.ID | None = strawberry.field(
        default=None, description="Discussed, raised or involving this issue."
    )
    participant: strawberry.ID | None = strawberry.field(
        default=None, description="Attended by this actor, directly or in a delegation."
    )
    participant_where: EntityWhere | None = strawberry.field(
        default=None, description="Attended by an actor matching this filter."
    )
    related_to: strawberry.ID | None = strawberry.field(
        default=None, description="Directly related to this entity."
    )


@strawberry.input(description="Filters on the relationships of a connection.")
class EdgeWhere:
    date_from: date | None = strawberry.field(
        default=None, description="The edge's date or period (start to end) reaches this day."
    )
    date_to: date | None = strawberry.field(
        default=None, description="The edge's date or period begins by this day."
    )


def slug_of(value: str) -> str:
    return from_global_id(value)[1]


def _get(value: Any, graphql_name: str, python_name: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(graphql_name, value.get(python_name))
    return getattr(value, python_name, None)


def _date(value: Any, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadUserInput(f"'{name}' must be a date (YYYY-MM-DD), not {value!r}") from None


def _slug(value: Any) -> str | None:
    return slug_of(str(value)) if value else None


def to_filter(where: Any) -> Filter:
    """A graph filter from an `EntityWhere` or its raw argument form."""
    if where is None:
        return Filter()
    any_of = _get(where, "OR", "OR")
    none_of = _get(where, "NOT", "NOT")
    ids = _get(where, "ids", "ids")
    participant_where = _get(where, "participantWhere", "participant_where")
    return Filter(
        all_of=[to_filter(w) for w in _get(where, "AND", "AND") or []],
        any_of=[to_filter(w) for w in any_of] if any_of is not None else None,
        none_of=to_filter(none_of) if none_of is not None else None,
        ids=[slug_of(str(i)) for i in ids] if ids is not None else None,
        text=_get(where, "text", "text"),
        date_from=_date(_get(where, "dateFrom", "date_from"), "dateFrom"),
        date_to=_date(_get(where, "dateTo", "date_to"), "dateTo"),
        country=_slug(_get(where, "country", "country")),
        issue=_slug(_get(where, "issue", "issue")),
        participant=_slug(_get(where, "participant", "participant")),
        participant_where=to_filter(participant_where) if participant_where is not None else None,
        related_to=_slug(_get(where, "relatedTo", "related_to")),
    )


def to_edge_filter(where: Any) -> EdgeFilter | None:
    """A relationship filter from an `EdgeWhere` or its raw argument form."""
    if where is None:
        return None
    return EdgeFilter(
        date_from=_date(_get(where, "dateFrom", "date_from"), "dateFrom"),
        date_to=_date(_get(where, "dateTo", "date_to"), "dateTo"),
    )
