"""GraphQL errors with a stable `extensions.code` that clients can branch on."""

from __future__ import annotations

from graphql import GraphQLError

# Messages may quote the client's input (a 5,001-digit number, a 90 KB operation name):
# never more than this much of any message (then " [...]").
MAX_MESSAGE = 500


def clipped(message: str, limit: int = MAX_MESSAGE) -> str:
    """`message`, cut to `limit` characters (and marked so) when longer: what a client is
    told quotes its input, but not all of it."""
    return message if len(message) <= limit else message[:limit] + " [...]"


def error_code(error: GraphQLError) -> str:
    """The `extensions.code` of an error that has none yet.

    An error located in the document but on no response path is a request error: a
    variable or literal that does not coerce (a bad Int, Date or enum value, a number
    too long to convert). Its original error is the scalar's complaint, not a bug.
    """
    if error.message.startswith("Variable '$"):
        # graphql-core's variable coercion ("has invalid value"): the client's input, even
        # when no scalar or enum parser raised underneath.
        return "BAD_USER_INPUT"
    if error.original_error is not None:
        if error.path is None and error.locations:
            return "BAD_USER_INPUT"
        if isinstance(error.original_error, GraphQLError) and error.message.startswith(
            "Argument '"
        ):
            # graphql-core's coercion of a field's or directive's arguments while executing:
            # an explicit null for a variable with a default, used where null is not
            # allowed ("Argument 'query' of non-null type 'String!' must not be null").
            return "BAD_USER_INPUT"
        return "INTERNAL_SERVER_ERROR"
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    return "GRAPHQL_VALIDATION_FAILED"


def validation_code(error: GraphQLError) -> str:
    """The `extensions.code` of an error GraphQL's validation found without one: a literal
    that does not coerce (the scalar's complaint is its original error) is the client's
    input, anything else an invalid document, also where it names a variable (`Variable
    '$a' is never used`, `... used in position expecting 'Boolean!'`), which `error_code`
    would take for a variable's value that does not coerce (hostile review 13m)."""
    return "BAD_USER_INPUT" if error.original_error is not None else "GRAPHQL_VALIDATION_FAILED"


def is_client_error(error: GraphQLError) -> bool:
    """A mistake of the client's (or the database's state), not a bug of ours."""
    return ((error.extensions or {}).get("code") or error_code(error)) != "INTERNAL_SERVER_ERROR"


class CodedError(GraphQLError):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class BadUserInput(CodedError):
    code = "BAD_USER_INPUT"


class QueryTooCostly(CodedError):
    code = "QUERY_TOO_COSTLY"


class NotFound(CodedError):
    code = "NOT_FOUND"


class Unauthenticated(CodedError):
    code = "UNAUTHENTICATED"


class DatabaseUnavailable(CodedError):
    code = "DATABASE_UNAVAILABLE"


class Timeout(CodedError):
    code = "TIMEOUT"


class IngestInterrupted(CodedError):
    """The process analysing a document ended without answering (killed, out of memory,
    the server shutting down): not the client's mistake, but not a bug to hide either."""

    code = "INGEST_INTERRUPTED"


class Busy(GraphQLError):
    """Refused before it started, for lack of capacity: `retryAfter` seconds later may do."""

    code = "BUSY"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, extensions={"code": self.code, "retryAfter": retry_after})


class ResponseTooLarge(GraphQLError):
    """The response would exceed the configured budget; nothing of it is returned."""

    code = "RESPONSE_TOO_LARGE"

    def __init__(self, limit: int, estimate: int) -> None:
        super().__init__(
            f"the response would exceed {limit} bytes (about {estimate} estimated so far); "
            "ask for fewer or smaller fields (a document's text is large) or smaller pages",
            extensions={"code": self.code, "limit": limit, "estimate": estimate},
        )


# Failures of the database round trip (schema.context.Context.run; BUSY: a new statement
# refused its turn to be planned): an attempt that met one
# hands it to the next instead of waiting for the database again (schema.compiled).
NEO4J_FAILURES = (DatabaseUnavailable, Timeout, ResponseTooLarge, Busy)
