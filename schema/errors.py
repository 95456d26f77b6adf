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
