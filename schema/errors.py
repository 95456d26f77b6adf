"""GraphQL errors with a stable `extensions.code` that clients can branch on."""

from __future__ import annotations

from graphql import GraphQLError


class CodedError(GraphQLError):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class BadUserInput(CodedError):
    code = "BAD_USER_INPUT"


class NotFound(CodedError):
    code = "NOT_FOUND"


class Unauthenticated(CodedError):
    code = "UNAUTHENTICATED"


class DatabaseUnavailable(CodedError):
    code = "DATABASE_UNAVAILABLE"


class Timeout(CodedError):
    code = "TIMEOUT"


class ResponseTooLarge(GraphQLError):
    """The response would exceed the configured budget; nothing of it is returned."""

    code = "RESPONSE_TOO_LARGE"

    def __init__(self, limit: int, estimate: int) -> None:
        super().__init__(
            f"the response would exceed {limit} bytes (about {estimate} estimated so far); "
            "ask for fewer or smaller fields (a document's text is large) or smaller pages",
            extensions={"code": self.code, "limit": limit, "estimate": estimate},
        )
