"""GraphQL over HTTP: content negotiation, request-error status codes and JSON HTTP errors.

The current GraphQL-over-HTTP spec defines the media type
`application/graphql-response+json`. A client that asks for it (by `Accept`)
gets it, and with it status codes that tell request errors apart: a document
that does not parse or validate, or variables that do not coerce, answer 400
with no `data` entry. `application/json` (also what `*/*` or no `Accept` get)
keeps answering 200 with the errors in the body, as legacy clients expect.

Requests refused before GraphQL runs (not JSON, nested too deeply, a batch,
an unsupported content type) answer a JSON body with a coded error too, never
a plain-text page or a stack trace.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from contextlib import suppress
from contextvars import ContextVar
from typing import Any, cast
from urllib.parse import unquote_to_bytes

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException, StarletteRequestAdapter
from graphql import GraphQLError, OperationDefinitionNode
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.types import QueryParams
from strawberry.types import ExecutionResult

from schema.context import Context
from schema.errors import clipped
from schema.limits import Documents, documents

logger = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
SERVED = (GRAPHQL_RESPONSE, JSON)
# The names of UTF-8 a `charset` parameter may give (IANA's, and its common alias).
UTF8 = frozenset({"utf-8", "utf8"})

ALLOWED_METHODS = "GET, HEAD, POST"
HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}
BATCH_REFUSED = (
    "batched requests (a JSON array of operations) are not supported: "
    "send one operation per request"
)
TOO_DEEP = "the request's JSON is nested too deeply"
NOT_UTF8 = "the request body is not valid UTF-8"
NUMBER_TOO_LONG = "a number in the request's JSON has over 4,300 digits"
OPERATION_NAME_NEEDED = "operationName is required: the document holds several operations"
OPERATION_NAME_NOT_A_STRING = "operationName must be a string (or null, or left out)"
NOT_AN_OBJECT = "the request body must be a JSON object with a 'query' string"
NOT_ACCEPTABLE = (
    "the Accept header refuses every media type served here (q=0): accept "
    f"{GRAPHQL_RESPONSE} or {JSON}"
)
LONE_SURROGATE = "the request contains a lone surrogate escape (\\ud800-\\udfff): not valid Unicode"
QUERY_STRING_NOT_UTF8 = "the query string is not valid UTF-8 (once percent-decoded)"
# A GET's parameters that hold JSON (Strawberry's view decodes them).
JSON_PARAMETERS = ("variables", "extensions")


def _not_json(constant: str) -> float:
    """`NaN`, `Infinity` and `-Infinity`: Python's decoder takes them, JSON has no such
    numbers (RFC 8259)."""
    raise HTTPException(400, f"the request's JSON holds {constant}, which is no JSON number")


# The body a request decoded, and its value (decode_json): one decoding per request.
_DECODED: ContextVar[tuple[bytes, object] | None] = ContextVar("decoded_body", default=None)


def negotiate(accept: str | None) -> str:
    """The response media type for an `Accept` header.

    The served type with the highest quality wins (each takes the quality of the most
    specific range that matches it), the one named earlier on a tie;
    `application/json` is the answer to no header, to `*/*` and `application/*`,
    and to a header that names neither supported type (and the type of the 406 body
    for a header that refuses both: `acceptable`).
    """
    return _chosen(accept) or JSON


def acceptable(accept: str | None) -> bool:
    """False when `Accept` names the supported types (or a range that holds them) only
    at quality 0: `application/json;q=0`, `*/*;q=0`. Such a request answers 406 (GraphQL
    over HTTP; RFC 9110: q=0 is "not acceptable"). A header naming neither type is
    answered in `application/json`, as before."""
    return _chosen(accept) is not None


def prefers_html(accept: str | None) -> bool:
    """Whether `Accept` ranks HTML (GraphiQL's page) above both types served as JSON: a
    browser's `text/html, ..., */*;q=0.8` does; `application/json, text/html;q=0.5`,
    `text/html;q=0.1, application/json` and `*/*` do not (any mention of HTML won before,
    hostile review 13m). On a tie the type named earlier wins."""
    ranges = media_ranges(accept)
    html = _quality(ranges, "text/html")
    best = max((_quality(ranges, served) for served in SERVED), key=_rank)
    return html[0] > 0 and _rank(html) > _rank(best)


def accepts_html(accept: str | None) -> bool:
    """Whether `Accept` takes HTML at all (quality above 0, `*/*` included)."""
    return _quality(media_ranges(accept), "text/html")[0] > 0


def media_ranges(accept: str | None) -> list[tuple[str, float]]:
    """The media ranges of an `Accept` header, lowercased, each with its quality. A
    quality that is no number in 0-1 is ignored (1), as RFC 9110 lets a recipient be
    lenient: `application/json;q=abc` is not a refusal (it answered 406 before)."""
    ranges = []
    for part in (accept or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                with suppress(ValueError):
                    given = float(value)
                    quality = given if 0 <= given <= 1 else quality
        ranges.append((media.lower(), quality))
    return ranges


def _quality(ranges: list[tuple[str, float]], media_type: str) -> tuple[float, int]:
    """The quality a media type has in `ranges` and the position of the range that gives
    it: the most specific range matching it (`type/subtype`, then `type/*`, then `*/*`;
    the first of equals) decides (RFC 9110 12.5.1). (0, len): no range matches it."""
    kind = media_type.split("/")[0]
    for pattern in (media_type, f"{kind}/*", "*/*"):
        for position, (media, quality) in enumerate(ranges):
            if media == pattern:
                return quality, position
    return 0.0, len(ranges)


def _rank(found: tuple[float, int]) -> tuple[float, int]:
    """Higher quality first, then the earlier range."""
    return found[0], -found[1]


# Clients send the same few `Accept` headers: each is read once (a short one; a long one,
# which only a hostile client sends, is read each time and not kept).
SHORT_ACCEPT = 256


def _chosen(accept: str | None) -> str | None:
    """The served type `Accept` ranks first; JSON for a header matching neither (or
    none); None when it gives both quality 0. On a tie the earlier range wins, and
    JSON, the legacy default, when one range matches both (`*/*`, `application/*`)."""
    if accept is None or len(accept) <= SHORT_ACCEPT:
        return _chosen_short(accept)
    return _ranked_first(accept)


@functools.lru_cache(maxsize=128)
def _chosen_short(accept: str | None) -> str | None:
    return _ranked_first(accept)


def _ranked_first(accept: str | None) -> str | None:
    ranges = media_ranges(accept)
    found = {served: _quality(ranges, served) for served in (JSON, GRAPHQL_RESPONSE)}
    if all(position == len(ranges) for _, position in found.values()):
        return JSON
    best = max(found, key=lambda served: _rank(found[served]))  # JSON first on a tie
    return best if found[best][0] > 0 else None


def other_charset(content_type: str | None) -> str | None:
    """The `charset` a `Content-Type` names when it is not UTF-8 (`latin-1`, `utf-16`),
    else None. JSON exchanged between systems is UTF-8 (RFC 8259 8.1): a body said to be
    in another charset is refused with 415 naming it, not read as UTF-8 regardless."""
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
            if charset not in UTF8:
                return charset or "(empty)"
    return None


def is_request_error(response: Mapping[str, Any]) -> bool:
    """True for a result with no data because the request itself was refused.

    A document that fails to parse or validate, or variables that fail to coerce,
    produce errors without a `path`; a field error always has one.
    """
    errors = response.get("errors") or []
    return response.get("data") is None and bool(errors) and all("path" not in e for e in errors)


def utf8_query_string(query_string: bytes) -> bool:
    """Whether a query string, percent-decoded, is UTF-8. Starlette decodes it replacing
    what is not (U+FFFD): a GET's query then failed to parse on a character the client
    never sent, where a POST body that is not UTF-8 is refused as such."""
    try:
        unquote_to_bytes(query_string).decode()
    except UnicodeDecodeError:
        return False
    return True


def head_as_get(scope: Scope) -> Scope:
    """A HEAD request's scope as a GET's (a copy); any other scope as it is."""
    return {**scope, "method": "GET"} if scope["method"] == "HEAD" else scope


def error_body(message: str, code: str) -> bytes:
    """A refusal's JSON body; its message clipped, as it may quote the request (Strawberry's
    'Unknown operation named' quotes the whole of `operationName`)."""
    errors = [{"message": clipped(message), "extensions": {"code": code}}]
    return json.dumps({"errors": errors}).encode()


class UnsupportedEncoding(HTTPException):
    """A request body with a `Content-Encoding` (gzip, deflate, br ...): 415, and
    `Accept-Encoding: identity` says what is accepted (RFC 9110, 15.5.16)."""

    def __init__(self, encoding: str) -> None:
        super().__init__(
            415,
            f"unsupported Content-Encoding '{encoding[:100]}': send the request body "
            "uncompressed (identity)",
        )


class CaseBlindContentType(StarletteRequestAdapter):
    """Media types are case-insensitive (RFC 9110): `APPLICATION/JSON` is JSON to
    Strawberry's own check too, as it is to `answer_directly` (hostile review 6)."""

    @property
    def content_type(self) -> str | None:
        given = super().content_type
        return given.lower() if given is not None else None


class GraphQLOverHTTP(GraphQL[Context, None]):
    """Strawberry's ASGI view with content negotiation and JSON errors for refused requests."""

    request_adapter_class = CaseBlindContentType

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # HEAD is GET without the body (RFC 9110 9.3.2): answered as the GET would be (the
        # page's head, or the query's), and the server sends the head only. A copy of the
        # scope: the server drops the body by the method of its own.
        request = Request(head_as_get(scope), receive=receive)
        try:
            if request.method not in {"GET", "POST"}:
                # (Strawberry's own says "GraphQL only supports GET and POST requests".)
                raise HTTPException(405, f"method {request.method} not allowed on "
                                    f"{scope['path']}: use {ALLOWED_METHODS}")  # fmt: skip
            if not acceptable(request.headers.get("accept")):
                raise HTTPException(406, NOT_ACCEPTABLE)
            if request.method == "GET" and not utf8_query_string(scope["query_string"]):
                raise HTTPException(400, QUERY_STRING_NOT_UTF8)
            # Every Content-Encoding header, each a list of codings (RFC 9110 8.4).
            codings = ", ".join(request.headers.getlist("content-encoding")).strip().lower()
            unsupported = {c.strip() for c in codings.split(",")} - {"", "identity"}
            if scope["method"] == "POST" and unsupported:
                # Else a gzip body was "not valid UTF-8". Decoding it would need its own
                # bound on the expanded size (a zip bomb): refused, as RFC 9110 allows.
                raise UnsupportedEncoding(codings)
            response = await self.answer_directly(request) if scope["method"] == "POST" else None
            if response is None:
                # (The body the direct attempt read stays with `request`: read once.)
                response = await self.run(request)
        except ClientDisconnect:
            # The client left mid-body (or its body was refused for it): no one to answer,
            # and nothing went wrong here; uvicorn would log a traceback per drop.
            logger.debug("client gone before its request body was complete: %s", scope["path"])
            return
        except HTTPException as error:
            media_type = negotiate(request.headers.get("accept"))
            code = HTTP_CODES.get(error.status_code, "BAD_REQUEST")
            response = Response(error_body(error.reason, code), error.status_code,
                                media_type=media_type)  # fmt: skip
            if error.status_code == 405:
                response.headers["allow"] = ALLOWED_METHODS
            if isinstance(error, UnsupportedEncoding):
                response.headers["accept-encoding"] = "identity"
        await response(scope, receive, send)

    async def answer_directly(self, request: Request) -> Response | None:
        """A plain POST of JSON answered without Strawberry's view (its request adapter and
        a second decoding of the body: a third of the Python of a small request), when
        `execute_directly` has the result; None: the view answers, as for anything else."""
        headers = request.headers
        accept = headers.get("accept")
        content_type = headers.get("content-type")
        media_type = (content_type or "").split(";")[0].strip().lower()
        if (
            media_type != JSON
            or other_charset(content_type) is not None
            or (accept and ("multipart" in accept or "event-stream" in accept))
        ):
            return None
        data = direct_request(await request.body())
        if data is None:
            return None
        result = await self.execute_directly(request, data)
        if result is None:
            return None
        sub_response = await self.get_sub_response(request)
        return self.create_response(await self.process_result(request, result), sub_response)

    async def execute_directly(
        self, request: Request, data: GraphQLRequestData
    ) -> ExecutionResult | None:
        """The result of a request read by `answer_directly`; None: the view answers it
        (Strawberry's execution). Nothing is answered directly by default."""
        return None

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiate(request.headers.get("accept"))
        return sub_response

    def decode_json(self, data: str | bytes) -> object:
        """JSON of valid Unicode (UTF-8, no lone surrogate), not nested too deeply; else 400."""
        last = _DECODED.get()
        if last is not None and last[0] is data:
            return last[1]
        try:
            # Bytes as UTF-8 only: json.loads would detect UTF-16 and UTF-32 (a byte order
            # mark, or the NULs of ASCII in them) and answer such a body (hostile review 13m).
            text = data.decode() if isinstance(data, bytes) else data
            value = json.loads(text, parse_constant=_not_json)
        except RecursionError:
            raise HTTPException(400, TOO_DEEP) from None
        except UnicodeDecodeError:
            raise HTTPException(400, NOT_UTF8) from None
        except json.JSONDecodeError:
            raise
        except ValueError:  # an integer over Python's 4,300-digit conversion limit
            raise HTTPException(400, NUMBER_TOO_LONG) from None
        try:
            # A lone surrogate decodes into a str that no UTF-8 consumer (Neo4j) accepts.
            json.dumps(value, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise HTTPException(400, LONE_SURROGATE) from None
        except RecursionError:
            raise HTTPException(400, TOO_DEEP) from None
        return value

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        """A GET's parameters, its JSON ones decoded; one that is no JSON is refused naming
        it (Strawberry's view said "Unable to parse request body as JSON" of a GET)."""
        parsed: dict[str, Any] = dict(params)
        for name in JSON_PARAMETERS:
            if parsed.get(name):
                try:
                    parsed[name] = self.decode_json(parsed[name])
                except json.JSONDecodeError as error:
                    why = f"{error.msg} at character {error.pos}"
                    message = f"the query string's '{name}' is not JSON: {why}"
                    raise HTTPException(400, message) from None
        return parsed

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if request.method == "POST" and media_type != JSON:
            # Strawberry answers 400 for this; HTTP's own status for it is 415. The media
            # type itself, not a substring of the header ("application/jsonx").
            given = media_type[:100] or "none"
            raise HTTPException(415, f"unsupported content type '{given}': send application/json")
        charset = other_charset(request.content_type)
        if request.method == "POST" and charset is not None:
            given = charset[:100]
            raise HTTPException(415, f"unsupported charset '{given}': send the body in UTF-8")
        if request.method == "POST":
            body = await request.get_body()
            if body.lstrip()[:1] == b"[":
                raise HTTPException(400, BATCH_REFUSED)
            decoded = self.decode_json(body)
            if not isinstance(decoded, dict):
                raise HTTPException(400, NOT_AN_OBJECT)
            if not isinstance(decoded.get("operationName"), str | None):
                # Strawberry's view took `5` for a name: 'Unknown operation named "5"'.
                raise HTTPException(400, OPERATION_NAME_NOT_A_STRING)
            # Strawberry's parse_http_body decodes the same body again: it gets this value.
            _DECODED.set((body, decoded))
        try:
            data = await super().parse_http_body(request)
        finally:
            _DECODED.set(None)
        unnamed = isinstance(data, GraphQLRequestData) and data.operation_name is None
        query = getattr(data, "query", None) or ""
        if (
            unnamed
            and not self.one_operation(query)
            and several_operations(query, documents(cast(Schema, self.schema)))
        ):
            raise HTTPException(400, OPERATION_NAME_NEEDED)
        return data

    def one_operation(self, query: str) -> bool:
        """Whether `query` is already known to hold one operation (parsed before), which
        spares parsing it again here. Nothing is known by default."""
        return False

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = sub_response.media_type or JSON
        if (
            media_type == GRAPHQL_RESPONSE
            and isinstance(response_data, dict)
            and is_request_error(response_data)
        ):
            # The spec: a request error has no `data` entry and a 4xx status.
            response_data = {k: v for k, v in response_data.items() if k != "data"}  # type: ignore[assignment]
            sub_response.status_code = 400
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = media_type
        return response


# Where orjson's reading of a body could differ from the full path's (Python's json, which
# keeps integers over 64 bits exact and refuses nesting past its recursion limit with
# TOO_DEEP): such bodies take the full path. orjson itself refuses NaN, lone surrogates and
# a byte order mark, which the full path reports.
MAX_DIRECT_BRACKETS = 500
# orjson reads an integer beyond 64 bits as a float, Python's json as the exact integer: a
# float that large among the variables or extensions sends the body to the full path. (A
# search of the body for 19 digits in a row cost more than parsing it: 57 us a request.)
_INEXACT = 2.0**63


def _inexact(value: Any) -> bool:
    # A loop, not recursion: variables may nest as deep as the brackets allow.
    pending = [value]
    while pending:
        item = pending.pop()
        if item.__class__ is float and not -_INEXACT < item < _INEXACT:
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def direct_request(body: bytes) -> GraphQLRequestData | None:
    """The operation a POST body holds, read quickly, when it is one JSON object whose
    `query` is a string and whose other members have the types Strawberry's view requires;
    None for anything else (the view then reads it and reports what is wrong)."""
    if body.count(b"{") + body.count(b"[") > MAX_DIRECT_BRACKETS:
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    query, variables = data.get("query"), data.get("variables")
    name, extensions = data.get("operationName"), data.get("extensions")
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(name, str | None)
        or not isinstance(extensions, dict | None)
        or _inexact(variables)
        or _inexact(extensions)
    ):
        return None
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=name, extensions=extensions
    )


def several_operations(query: str, known: Documents) -> bool:
    """Whether the document holds more than one operation: GraphQL's GetOperation then
    needs `operationName` (Strawberry would run the first). A document that does not parse
    is left to the parser's own coded error."""
    if query.count("{") < 2:
        return False
    try:
        # The parse the compiled path and Strawberry's execution then take from the cache.
        document = known.parse(query)
    except GraphQLError:
        return False
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions) > 1
