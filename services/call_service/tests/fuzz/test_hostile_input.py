"""Hostile input against every operation of the served OpenAPI document.

The operations come from the app's own `/api/openapi.json` (so a new one is covered the day
it is documented). Each of an operation's slots, read from the document, is poisoned in
turn: a path parameter, a query parameter (cursors get base64url JSON with NUL bytes or edge
dates inside), a header (the key, the documented ones, Content-Type, any other) or a body
field. Hypothesis draws a valid request (schemathesis, positive mode) and puts in the slot
(and now and then in a second one) a hostile value: NUL and other control characters, lone
surrogates (`\\ud800` escapes in JSON, raw non-UTF-8 bytes elsewhere), calendar-edge and
out-of-range times, odd JSON (1e400, 10**400, -0, deep nesting, huge arrays, duplicate
keys, wrong types) and strings near and over the limits. Requests go over a raw socket, so
header, path and query bytes are sent exactly as drawn.

Every answer must be:

- never a 5xx (nor a dropped connection);
- when a 4xx, an RFC 9457 `application/problem+json` body whose `status` is the answer's;
- when a 4xx, free of writes: the row count of every table of the public schema is the
  same before and after (the rate limiter's Redis keys are not counted).

A 2xx on a hostile value the contract allows is fine. Every request is checked, failures
are collected (with the `unhandled_error` the app logged, traceback included) and reported
together, grouped by the code location that raised. The explicit cases below pin the known
examples, each with the answer it must get.

Bounded for `make test` (about 2,500 requests, well under a minute): a few examples per
slot, derandomized, no example database, no shrinking.
"""

import asyncio
import base64
import contextlib
import http.client
import json
import logging
import re
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote_from_bytes, urlsplit

import asyncpg
import pytest
import schemathesis
import structlog
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core import NotSet

# Each slot of each operation (a parameter, a header, a body field) is poisoned in turn;
# times and cursors, which break the most, get more examples.
EXAMPLES_PER_SLOT = 10
EXAMPLES_PER_SHARP_SLOT = 30
MIN_OPERATIONS = 20
PROBLEM_JSON = "application/problem+json"
QUEUE_ID = "fuzzq"
CALL_ID = "fuzz-call-1"
# Tables whose rows may change on a refused request; none today.
NOT_COUNTED_TABLES: frozenset[str] = frozenset()
# Header lines and request lines stay under aiohttp's 8190-byte parser limit: what is
# tested is the app, not the HTTP parser's line length refusal.
MAX_HEADER_VALUE = 4096
MAX_TARGET = 8000

HOSTILE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


# --- hostile values -----------------------------------------------------------------------


@dataclass(frozen=True)
class RawJson:
    """A JSON text written as is: numbers JSON allows and Python would not round-trip."""

    text: str

    def encode(self) -> bytes:
        return self.text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class DuplicateKeys:
    """An object that names one key twice (the parser keeps one of them)."""

    pairs: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class RawBody:
    """A whole request body of bytes that need not be JSON, nor UTF-8."""

    data: bytes


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_of(*parts: Any) -> str:
    """A cursor as the API hands them out: base64url of a JSON array (`\\u` escapes kept)."""
    return b64url(json.dumps(list(parts)).encode())


SHARP_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59Z",
    "1969-12-31T23:59:59Z",
]
EDGE_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:59:59+01:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00-01:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-01:00",
    "9999-12-31T23:59:59.999999-23:59",
    "9999-12-31T23:00:00+01:00",
    "0000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "294277-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00+00:01",
    "1900-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2999-12-31T23:59:59Z",
    "2024-02-30T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T00:00:60Z",
    "2024-01-01T00:00:00+24:00",
    "2024-01-01T00:00:00-23:59",
    "2024-01-01T00:00:00",
    "2024-01-01T00:00:00\x00Z",
    "2024-01-01T00:00:00.0000000000001Z",
    "2024-01-01",
]
# Offsets from now, for times near and past the future-skew limit.
FUTURE_OFFSETS = [timedelta(seconds=301), timedelta(days=1), timedelta(days=365 * 1000)]
CONTROL_CHARACTERS = "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\x85\x9f"
LONE_SURROGATES = "\ud800\udbff\udc00\udfff"
ODD_CHARACTERS = "\u2028\u2029\u202e\u0301\ufeff\ufffe\uffff\U0010ffff"
LENGTHS = [63, 64, 65, 127, 128, 129, 200, 201, 255, 256, 511, 512, 513]
BODY_LENGTHS = [1024, 2048, 2049, 65536]
RAW_BYTES = [
    b"\xff\xfe",
    b"a\xffb",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\x80",
    b"\xc0\xaf",
    b"\xef\xbb\xbf",
]


def now_plus(offset: timedelta) -> str:
    return (datetime.now(UTC) + offset).isoformat()


hostile_char = st.sampled_from(CONTROL_CHARACTERS + LONE_SURROGATES + ODD_CHARACTERS)
# Drawn more often: a time Python cannot move to UTC, one the contract refuses.
sharp_times = st.one_of(st.sampled_from(SHARP_TIMES), st.sampled_from(FUTURE_OFFSETS).map(now_plus))
times = st.one_of(
    sharp_times,
    st.sampled_from(EDGE_TIMES),
    st.builds(
        lambda year, offset: f"{year:04d}-01-01T00:00:00{offset}",
        st.sampled_from([0, 1, 2, 1969, 9999, 10000, 99999]),
        st.sampled_from(["Z", "+01:00", "-01:00", "+23:59", "-23:59"]),
    ),
)


def long_texts(lengths: Sequence[int]) -> st.SearchStrategy[str]:
    return st.sampled_from(lengths).flatmap(
        lambda n: st.sampled_from(["x" * n, "é" * n, "😀" * n, "a" * (n - 1) + "\x00"])
    )


def texts(lengths: Sequence[int]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                "\x00",
                "a\x00b",
                "\ud800",
                "a\udfffb",
                "\x7f",
                "\x1b[31m",
                "..",
                "%00",
                "%",
                "' OR 1=1 --",
                "\\",
                "null",
                "",
                " ",
            ]
        ),
        st.builds(
            lambda prefix, char, suffix: prefix + char + suffix,
            st.sampled_from(["", "a", CALL_ID, QUEUE_ID]),
            hostile_char,
            st.sampled_from(["", "b"]),
        ),
        long_texts(lengths),
        st.text(st.characters(categories=["Cc", "Cs", "Cf", "Co", "Zl", "Zp"]), max_size=6),
    )


numbers_as_text = st.sampled_from(
    ["1e400", "-1e400", "1" + "0" * 400, "-0", "-1", "0", "NaN", "Infinity", "2" * 30, "0x10"]
)
ODD_JSON = [
    RawJson("1e400"),
    RawJson("-1e400"),
    RawJson("1" + "0" * 400),
    RawJson("-" + "9" * 4301),
    RawJson("-0"),
    RawJson("-0.0"),
    RawJson("1e-400"),
    RawJson("0e99999999"),
    RawJson("NaN"),
    RawJson("Infinity"),
    RawJson('"\\ud800"'),
    RawJson('"a\\u0000b"'),
    RawJson('"\\udfff\\ud800"'),
    RawJson('"\ud800"'),  # the surrogate's bytes themselves: not UTF-8
    RawJson("[" * 5000 + "]" * 5000),
    RawJson('{"a":' * 3000 + "1" + "}" * 3000),
    RawJson("[" + ",".join(["0"] * 15000) + "]"),
    RawJson('{"a":1,"a":2}'),
    2**63,
    -(2**63) - 1,
    2**64,
    10**30,
    -1,
    0,
    0.5,
    True,
    False,
    None,
    "",
    [],
    {},
    [None],
    {"": None},
    [[[[[[]]]]]],
]
odd_json = st.sampled_from(ODD_JSON)
cursor_parts: st.SearchStrategy[Any] = st.one_of(
    times, texts(LENGTHS), st.integers(), st.none(), st.just([])
)
cursor_ids = st.one_of(
    texts(LENGTHS),
    st.sampled_from([str(uuid.UUID(int=0)), str(uuid.uuid5(uuid.NAMESPACE_URL, "fuzz"))]),
    st.integers(),
    st.none(),
)
cursors = st.one_of(
    st.builds(cursor_of, sharp_times, st.sampled_from(["x", CALL_ID, str(uuid.UUID(int=1))])),
    st.builds(
        cursor_of,
        st.just("2024-01-01T00:00:00+00:00"),
        st.sampled_from(["a\x00b", "\x00", "\ud800", "a\x1fb"]),
    ),
    st.builds(cursor_of, times, cursor_ids),
    st.builds(cursor_of, cursor_parts, cursor_parts),
    st.builds(lambda a, b, c: cursor_of(a, b, c), times, cursor_ids, cursor_ids),
    st.sampled_from(
        [
            b64url(b"\x00"),
            b64url(b"\xff\xfe"),
            b64url(b"[]"),
            b64url(b"{}"),
            b64url(b'["x"]'),
            b64url(b"null"),
            b64url(b'"x"'),
            b64url(b"[" * 300 + b"]" * 300),
            b64url(b'["2024-01-01T00:00:00+00:00","a"] trailing'),
            b64url(b'["2024-01-01T00:00:00+00:00","\\ud800"]'),
            b64url('["2024-01-01T00:00:00+00:00","\ud800"]'.encode("utf-8", "surrogatepass")),
            b64url(b'[1e400,"a"]'),
            "!!!!",
            "====",
            "a",
            "\x00",
        ]
    ),
)

# What may go in a slot, by where the slot is and what its schema says it holds.
_TEXT_ANYWHERE = st.one_of(texts(LENGTHS), times, numbers_as_text)
_RAW = st.sampled_from(RAW_BYTES)
_IN_TARGET = st.one_of(_TEXT_ANYWHERE, _RAW)
_IN_BODY = st.one_of(texts(LENGTHS + BODY_LENGTHS), times, odd_json)
_TIMES_IN_BODY = st.one_of(times, odd_json, st.sampled_from([253402300800, -62135596801, 1e20]))


def value_strategy(location: str, kind: str) -> st.SearchStrategy[Any]:
    if location == "body":
        return st.one_of(sharp_times, _TIMES_IN_BODY, _IN_BODY) if kind == "time" else _IN_BODY
    if kind == "cursor":
        return st.one_of(cursors, _IN_TARGET)
    if kind == "time":
        return st.one_of(sharp_times, times, _IN_TARGET)
    return _IN_TARGET


API_KEY_VALUES = [b"\xff\xfe", b"\x80" * 8, b"", b"\x00", b"\x7f"]
CONTENT_TYPES = [
    b"application/json\x00",
    b"application/json; charset=\xff",
    b"application/json; charset=utf-16",
    b"application/json;;;",
    b"application/problem+json",
    b"text/plain",
    b"",
    b"\xff\xfe",
    b"application/\x00json",
]


def api_keys(admin_key: str) -> st.SearchStrategy[bytes | str]:
    return st.one_of(
        st.sampled_from(API_KEY_VALUES),
        st.sampled_from(
            [
                admin_key + "\x00",
                "\x00" + admin_key,
                admin_key + "\udc80",
                admin_key + "\x7f",
                admin_key.upper(),
                admin_key * 100,
            ]
        ),
        texts(LENGTHS),
    )


# --- raw HTTP -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    target: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes | None = None

    def describe(self) -> str:
        lines = [f"{self.method} {self.target!r}"]
        lines += [f"  {name.decode()}: {value[:200]!r}" for name, value in self.headers]
        if self.body is not None:
            shown = self.body[:300] + (b"..." if len(self.body) > 300 else b"")
            lines.append(f"  body ({len(self.body)} bytes): {shown!r}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def exchange(port: int, request: Request, timeout: float = 30) -> Reply:
    """One request on a new connection, bytes exactly as given; the parsed answer."""
    head = [
        request.method.encode() + b" " + request.target + b" HTTP/1.1",
        b"Host: 127.0.0.1:%d" % port,
        b"Connection: close",
        *(name + b": " + value for name, value in request.headers),
    ]
    if request.body is not None:
        head.append(b"Content-Length: %d" % len(request.body))
    data = b"\r\n".join(head) + b"\r\n\r\n" + (request.body or b"")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # The server may answer (413) before it has read the whole body.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        response = http.client.HTTPResponse(sock, method=request.method)
        response.begin()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        return Reply(response.status, media_type, headers, body)


def utf8(value: str) -> bytes:
    """UTF-8, a lone surrogate written as its three (invalid) bytes."""
    return value.encode("utf-8", "surrogatepass")


def as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return utf8(value)
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, RawJson):
        return value.encode()
    return utf8(json.dumps(value))


def pct(value: Any) -> str:
    return quote_from_bytes(as_bytes(value), safe="")


def target_of(
    template: str, path: Mapping[str, Any], query: Sequence[tuple[Any, Any]] = ()
) -> bytes:
    target = re.sub(r"\{(\w+)\}", lambda m: pct(path[m[1]]), template)
    if query:
        target += "?" + "&".join(f"{pct(k)}={pct(v)}" for k, v in query)
    return target.encode("ascii")


def dump_json(value: Any) -> bytes:
    """JSON with the hostile nodes written as they are; `\\uXXXX` for anything not ASCII."""
    if isinstance(value, RawJson):
        return value.encode()
    if isinstance(value, DuplicateKeys | dict):
        pairs = value.pairs if isinstance(value, DuplicateKeys) else tuple(value.items())
        inner = b",".join(dump_json(str(k)) + b":" + dump_json(v) for k, v in pairs)
        return b"{" + inner + b"}"
    if isinstance(value, list | tuple):
        return b"[" + b",".join(dump_json(v) for v in value) + b"]"
    return json.dumps(value).encode()


def body_bytes(body: Any) -> bytes:
    return body.data if isinstance(body, RawBody) else dump_json(body)


# --- the server's side: logged errors and row counts ----------------------------------------


@dataclass
class ServerLog:
    """What the app logged: every structlog event, and aiohttp's own logged errors."""

    events: list[Mapping[str, Any]] = field(default_factory=list)

    def errors_since(self, mark: int) -> list[str]:
        found = []
        for event in self.events[mark:]:
            if event.get("level") in {"error", "critical"} or "exception" in event:
                text = event.get("exception") or ""
                found.append(f"{event.get('event')}: {text}".strip())
        return found

    def routes_since(self, mark: int) -> set[tuple[str, str]]:
        return {
            (str(e.get("method")), str(e.get("route")))
            for e in self.events[mark:]
            if e.get("event") == "http_request"
        }


class _StdlibErrors(logging.Handler):
    def __init__(self, log: ServerLog) -> None:
        super().__init__(logging.ERROR)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        text = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        self.log.events.append(
            {"event": f"{record.name}: {record.getMessage()}", "level": "error", "exception": text}
        )


@pytest.fixture
def server_log() -> Iterator[ServerLog]:
    """Capture the app's log (it runs in this process): tracebacks kept, nothing printed."""
    log = ServerLog()

    def keep(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> Any:
        log.events.append(event_dict)
        raise structlog.DropEvent

    previous = structlog.get_config()["processors"]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            keep,
        ]
    )
    handler = _StdlibErrors(log)
    aiohttp_logger = logging.getLogger("aiohttp")
    propagated = aiohttp_logger.propagate
    aiohttp_logger.addHandler(handler)
    aiohttp_logger.propagate = False  # kept here; a failure's report shows the relevant ones
    try:
        yield log
    finally:
        aiohttp_logger.propagate = propagated
        aiohttp_logger.removeHandler(handler)
        structlog.configure(processors=previous)


@pytest.fixture
def row_counts(fresh_database_url: str) -> Iterator[Callable[[], dict[str, int]]]:
    """A function giving the row count of every table of the public schema, in one query."""
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(asyncpg.connect(fresh_database_url))
    names = loop.run_until_complete(
        conn.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    )
    tables = [r["table_name"] for r in names if r["table_name"] not in NOT_COUNTED_TABLES]
    assert tables, "the migrated database has no tables"
    query = "SELECT " + ", ".join(
        f'(SELECT count(*) FROM public."{name}") AS "{name}"' for name in tables
    )

    def counts() -> dict[str, int]:
        return dict(loop.run_until_complete(conn.fetchrow(query)))

    try:
        yield counts
    finally:
        loop.run_until_complete(conn.close())
        loop.close()


# --- checking one answer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    request: Request
    reply: Reply | None
    transport_error: str | None
    logged: tuple[str, ...]
    routes: frozenset[tuple[str, str]]
    writes: Mapping[str, tuple[int, int]]

    @property
    def status(self) -> int | None:
        return self.reply.status if self.reply else None

    def violations(self) -> list[str]:
        """What is wrong with this answer, whatever the request was; [] when it is fine."""
        reply = self.reply
        if reply is None:
            return [f"no answer: {self.transport_error}"]
        if reply.status >= 500:
            return [f"a {reply.status}"]
        if not 400 <= reply.status < 500:
            return []
        found = []
        if _refused_by_http_parser(reply):
            pass  # not HTTP at all: aiohttp's parser answers before the application runs
        elif reply.content_type != PROBLEM_JSON:
            found.append(f"a {reply.status} as {reply.content_type!r}, not {PROBLEM_JSON}")
        else:
            found += problem_violations(reply)
        if self.writes:
            changed = ", ".join(f"{t}: {a} -> {b}" for t, (a, b) in sorted(self.writes.items()))
            found.append(f"a {reply.status} that wrote rows ({changed})")
        return found

    def describe(self) -> str:
        answer = f"{self.status}" if self.reply else f"no answer ({self.transport_error})"
        if self.reply is not None:
            answer += f" {self.reply.content_type} {self.reply.body[:300]!r}"
        return f"{self.request.describe()}\n  -> {answer}"


def _refused_by_http_parser(reply: Reply) -> bool:
    """A header value holding a byte HTTP forbids (RFC 9110 5.5: a control character other
    than HTAB) is refused by aiohttp's HTTP parser with a plain-text 400, before any of the
    application's code runs; the contract's "4xx, nothing written" holds."""
    return (
        reply.status == 400
        and reply.content_type == "text/plain"
        and reply.body.startswith(b"Invalid header value char")
    )


def problem_violations(reply: Reply) -> list[str]:
    try:
        problem = reply.json()
    except ValueError:
        return [f"a {reply.status} whose body is not JSON: {reply.body[:200]!r}"]
    if not isinstance(problem, dict):
        return [f"a {reply.status} whose problem is not an object: {problem!r}"]
    found = []
    if problem.get("status") != reply.status:
        found.append(f"a {reply.status} whose problem says status {problem.get('status')!r}")
    for member in ("type", "title", "detail"):
        if not isinstance(problem.get(member), str):
            found.append(f"a {reply.status} whose problem has no {member} string")
    return found


@dataclass
class Probe:
    """Sends requests to the running app and observes what it did about each."""

    port: int
    admin_key: str
    log: ServerLog
    counts: Callable[[], dict[str, int]]

    def send(self, request: Request) -> Outcome:
        before = self.counts()
        mark = len(self.log.events)
        reply: Reply | None = None
        error = None
        try:
            reply = exchange(self.port, request)
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        writes: dict[str, tuple[int, int]] = {}
        if reply is not None and 400 <= reply.status < 500:
            after = self.counts()
            writes = {t: (before[t], after[t]) for t in before if before[t] != after.get(t)}
        return Outcome(
            request,
            reply,
            error,
            tuple(self.log.errors_since(mark)),
            frozenset(self.log.routes_since(mark)),
            writes,
        )

    def call(
        self,
        method: str,
        target: str | bytes,
        body: Any = None,
        headers: Sequence[tuple[bytes, bytes]] | None = None,
    ) -> Outcome:
        """A request with the admin key (unless `headers` say otherwise) and a JSON body."""
        sent = list(headers) if headers is not None else [(b"X-API-Key", self.admin_key.encode())]
        if body is not None:
            sent.append((b"Content-Type", b"application/json"))
        raw_target = target if isinstance(target, bytes) else target.encode("ascii")
        data = None if body is None else body_bytes(body)
        return self.send(Request(method, raw_target, tuple(sent), data))


@pytest.fixture
def probe(
    running_app: str,
    admin_key: str,
    server_log: ServerLog,
    row_counts: Callable[[], dict[str, int]],
) -> Probe:
    port = urlsplit(running_app).port
    assert port is not None
    return Probe(port, admin_key, server_log, row_counts)


@pytest.fixture
def seeded(probe: Probe) -> dict[str, str]:
    """A queue, a call in it and a webhook, so that hostile requests can reach past 404."""
    known = {"queue_id": QUEUE_ID, "call_id": CALL_ID, "to_queue_id": QUEUE_ID}
    steps = [
        ("/api/queues", {"id": QUEUE_ID, "name": "Fuzz queue"}),
        ("/api/events", call_initiated(CALL_ID)),
    ]
    for target, body in steps:
        outcome = probe.call("POST", target, body)
        assert outcome.status == 201, outcome.describe()
    webhook = probe.call(
        "POST", "/api/webhooks", {"url": "https://1.1.1.1/hook", "event_types": ["call_ended"]}
    )
    if webhook.status == 201 and webhook.reply is not None:
        known["webhook_id"] = webhook.reply.json()["id"]
    return known


def call_initiated(call_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "type": "call_initiated",
        "data": {"media": "voice", "queue_id": QUEUE_ID},
        **fields,
    }


# --- failures, grouped by where they were raised --------------------------------------------

_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')
_OURS = ("/call_service/", "/service_kit/", "/contracts/")


def raised_at(traceback_text: str) -> str:
    """`ExceptionType (message) @ file:line in function` of a logged traceback: the last
    exception raised, at the deepest frame of the project's code (else the deepest frame)."""
    lines = traceback_text.strip().splitlines()
    raised = [
        i
        for i, line in enumerate(lines)
        if line[:1].isalpha() and not line.startswith(("Traceback", "During", "The above"))
    ]
    frames = _FRAME.findall(traceback_text)
    ours = [f for f in frames if any(p in f[0] for p in _OURS) and "site-packages" not in f[0]]
    path, line, function = (ours or frames or [("?", "?", "?")])[-1]
    exception, _, message = (lines[raised[-1]] if raised else "?").partition(":")
    if raised and message.endswith(":") and raised[-1] + 1 < len(lines):
        message += " " + lines[raised[-1] + 1].strip()  # aiohttp's "400, message:\n  why"
    # The message without its values: one cause whatever the offending input was.
    message = re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "''", message)).strip()[:70]
    return f"{exception.strip()} ({message}) @ {_short(path)}:{line} in {function}"


def _short(path: str) -> str:
    for part in _OURS:
        if part in path:
            return part.strip("/") + "/" + path.split(part, 1)[1]
    return path


@dataclass
class Failures:
    """Every failed check, kept by cause: the raising code location, else the violation."""

    by_cause: dict[str, list[tuple[str, str, Outcome]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def check(self, label: str, outcome: Outcome, extra: Sequence[str] = ()) -> None:
        found = [*extra, *outcome.violations()]
        if not found:
            return
        tracebacks = [t for t in outcome.logged if "Traceback" in t or "File " in t]
        causes = [raised_at(t) for t in tracebacks] or [
            f"{found[0].split(' (')[0]} (no exception logged)"
        ]
        self.by_cause[causes[0]].append((label, "; ".join(found), outcome))

    def report(self) -> str:
        parts = []
        for cause, cases in sorted(self.by_cause.items()):
            labels = sorted({label for label, _, _ in cases})
            label, found, outcome = cases[0]
            logged = "\n".join(outcome.logged)[-3000:]
            parts.append(
                f"== {cause}\n{len(cases)} failing request(s) on: {', '.join(labels)}\n"
                f"first: {label}: {found}\n{outcome.describe()}\n{logged}"
            )
        return "\n\n".join(parts)

    def __bool__(self) -> bool:
        return bool(self.by_cause)


# --- the operations of the served document ---------------------------------------------------

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@dataclass(frozen=True)
class Slot:
    """One place of a request that can be poisoned."""

    # "path", "query", "query-name", "header", "body", "body-dup", "body-extra" or "whole"
    location: str
    name: str | tuple[str | int, ...]
    kind: str = "any"  # "time" | "cursor" | "key" | "content-type" | "any"


def _resolve(schema: Any, document: Mapping[str, Any], depth: int = 0) -> Any:
    while isinstance(schema, dict) and "$ref" in schema and depth < 20:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return {}
        node: Any = document
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema, depth = node, depth + 1
    return schema


def _kind_of(name: str, schema: Any, document: Mapping[str, Any]) -> str:
    if name == "cursor":
        return "cursor"
    text = json.dumps(_resolve(schema, document), default=str)
    return "time" if '"date-time"' in text else "any"


def body_fields(
    schema: Any, document: Mapping[str, Any], prefix: tuple[str | int, ...] = (), depth: int = 0
) -> dict[tuple[str | int, ...], str]:
    """Every field path the body schema declares (arrays as their first item), with kind."""
    schema = _resolve(schema, document)
    found: dict[tuple[str | int, ...], str] = {}
    if not isinstance(schema, dict) or depth > 4:
        return found
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in schema.get(key, []):
            found.update(body_fields(sub, document, prefix, depth + 1))
    for name, sub in schema.get("properties", {}).items():
        path = (*prefix, name)
        found[path] = _kind_of(name, sub, document)
        found.update(body_fields(sub, document, path, depth + 1))
    if "items" in schema:
        found.update(body_fields(schema["items"], document, (*prefix, 0), depth + 1))
    return found


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[tuple[str, str, str], ...]  # (location, name, kind)
    body: dict[tuple[str | int, ...], str] | None
    secured_by: str | None

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    def slots(self) -> list[Slot]:
        """Every place of a request of this operation that can be poisoned."""
        slots = [Slot(location, name, kind) for location, name, kind in self.parameters]
        slots += [Slot("query", "unknown"), Slot("query-name", "")]
        if self.secured_by:
            slots.append(Slot("header", self.secured_by, "key"))
        slots.append(Slot("header", "X-Fuzz"))
        if self.method in {"post", "put", "patch"}:
            slots += [Slot("header", "Content-Type", "content-type"), Slot("whole", "")]
            for path, kind in (self.body or {}).items():
                slots += [Slot("body", path, kind), Slot("body-dup", path, kind)]
            slots.append(Slot("body-extra", ("\x00",)))
        return slots


def operations_of(document: Mapping[str, Any]) -> list[Operation]:
    schemes = document.get("components", {}).get("securitySchemes", {})
    key_headers = {
        name: s["name"] for name, s in schemes.items() if s.get("in") == "header" and "name" in s
    }
    found = []
    for path, item in document["paths"].items():
        for method, spec in item.items():
            if method not in HTTP_METHODS:
                continue
            parameters = tuple(
                (p["in"], p["name"], _kind_of(p["name"], p.get("schema"), document))
                for p in [*item.get("parameters", []), *spec.get("parameters", [])]
                if p.get("in") in {"path", "query", "header"}
            )
            content = spec.get("requestBody", {}).get("content", {})
            json_schema = content.get("application/json", {}).get("schema")
            body = body_fields(json_schema, document) if json_schema is not None else None
            secured = next(
                (
                    key_headers[n]
                    for req in spec.get("security", [])
                    for n in req
                    if n in key_headers
                ),
                None,
            )
            found.append(Operation(method, path, parameters, body, secured))
    return found


# --- one hostile request ---------------------------------------------------------------------


def _set_at(body: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """`body` with `value` at `path`, containers made on the way as needed."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(body) if isinstance(body, list) else []
        if not items:
            items.append({})
        items[0] = _set_at(items[0], rest, value)
        return items
    node = dict(body) if isinstance(body, dict) else {}
    node[head] = _set_at(node.get(head), rest, value)
    return node


def _duplicate_at(body: Any, path: tuple[str | int, ...], value: Any, first: bool) -> Any:
    """`body` whose object at `path[:-1]` names `path[-1]` twice, `value` first or last."""
    if len(path) == 1:
        node = dict(body) if isinstance(body, dict) else {}
        key = str(path[0])
        kept = [(k, v) for k, v in node.items() if k != key]
        original = node.get(key, value)
        pair = [(key, value), (key, original)] if first else [(key, original), (key, value)]
        return DuplicateKeys((*kept, *pair))
    head = path[0]
    if isinstance(head, int):
        items = list(body) if isinstance(body, list) and body else [{}]
        items[0] = _duplicate_at(items[0], path[1:], value, first)
        return items
    node = dict(body) if isinstance(body, dict) else {}
    node[head] = _duplicate_at(node.get(head), path[1:], value, first)
    return node


WHOLE_BODIES = [
    RawBody(b""),
    RawBody(b"\x00"),
    RawBody(b"{"),
    RawBody(b"\xff\xfe{\x00}\x00"),
    RawBody(b'{"a": 1} trailing'),
    RawBody(b"\xef\xbb\xbf{}"),
    RawBody('{"call_id": "x"}'.encode("utf-16")),
    RawBody(b"[" * 100_000),
    RawBody(b"[" * 50_000 + b"]" * 50_000),
    RawBody(b'{"a":' * 20_000 + b"1" + b"}" * 20_000),
    RawBody(b"[" + b"0," * 32_000 + b"0]"),
    RawBody(b'"' + b"x" * 70_000 + b'"'),
    RawBody(b"1e400"),
    RawBody(b"-0"),
    RawBody(b"null"),
    RawBody(b"[]"),
    RawBody(b'"\\ud800"'),
]


def draw_request(
    data: st.DataObject,
    operation: Operation,
    slot: Slot,
    base: st.SearchStrategy[Any],  # of schemathesis.Case
    known: Mapping[str, str],
    admin_key: str,
) -> Request:
    """A valid request for `operation` with `slot` (and, now and then, one more) poisoned.

    Hypothesis draws its simplest choices first, so every choice below puts the likeliest
    way to reach deep first: the seeded ids, no other query parameter, one poisoned slot.
    """
    case = data.draw(base, label="valid request")
    path = dict(case.path_parameters or {})
    for name in path:
        if name in known and not data.draw(st.booleans(), label=f"drawn {name}"):
            path[name] = known[name]
    query: list[tuple[Any, Any]] = []
    if data.draw(st.booleans(), label="keep the valid query"):
        query = list((case.query or {}).items())
    headers: dict[str, Any] = dict(case.headers or {})
    if operation.secured_by:
        headers[operation.secured_by] = admin_key
    body: Any = None if isinstance(case.body, NotSet) else case.body
    if isinstance(body, dict):
        for name in ("call_id", "queue_id"):
            if name in body and name in known and not data.draw(st.booleans(), label=name):
                body[name] = known[name]
        if isinstance(body.get("data"), dict) and "queue_id" in body["data"]:
            body["data"]["queue_id"] = known["queue_id"]
    if body is not None or operation.method in {"post", "put", "patch"}:
        headers["Content-Type"] = "application/json"
    slots = [slot]
    if data.draw(st.sampled_from([False, False, False, True]), label="a second slot"):
        slots.append(data.draw(st.sampled_from(operation.slots()), label="second slot"))
    for poisoned in slots:
        if poisoned.location == "whole":
            body = data.draw(st.sampled_from(WHOLE_BODIES), label="whole body")
            continue
        if poisoned.kind == "key":
            value: Any = data.draw(api_keys(admin_key), label="key")
        elif poisoned.kind == "content-type":
            value = data.draw(st.sampled_from(CONTENT_TYPES), label="content type")
        else:
            where = poisoned.location.split("-")[0]
            value = data.draw(value_strategy(where, poisoned.kind), label=str(poisoned.name))
        if poisoned.location == "path":
            path[str(poisoned.name)] = value
        elif poisoned.location == "query":
            if not data.draw(st.booleans(), label="repeat the parameter"):
                query = [(k, v) for k, v in query if k != poisoned.name]
            query.append((poisoned.name, value))
        elif poisoned.location == "query-name":
            query.append((value, "1"))
        elif poisoned.location == "header":
            headers[str(poisoned.name)] = value
        elif poisoned.location in {"body", "body-extra"}:
            assert isinstance(poisoned.name, tuple)
            body = _set_at(body, poisoned.name, value)
        elif poisoned.location == "body-dup":
            assert isinstance(poisoned.name, tuple)
            first = data.draw(st.booleans(), label="hostile value first")
            body = _duplicate_at(body, poisoned.name, value, first)
    raw_headers = []
    for name, value in headers.items():
        raw = as_bytes(value).replace(b"\r", b"").replace(b"\n", b"")[:MAX_HEADER_VALUE]
        raw_headers.append((name.encode("ascii"), raw))
    target = target_of(operation.path, path, query)[:MAX_TARGET]
    return Request(
        operation.method.upper(),
        target,
        tuple(raw_headers),
        None if body is None else body_bytes(body),
    )


def served_document(probe: Probe) -> dict[str, Any]:
    outcome = probe.call("GET", "/api/openapi.json")
    assert outcome.reply is not None, outcome.describe()
    assert outcome.status == 200, outcome.describe()
    document: dict[str, Any] = outcome.reply.json()
    return document


def fuzz_slot(
    operation: Operation,
    slot: Slot,
    base: st.SearchStrategy[Any],  # of schemathesis.Case
    probe: Probe,
    known: Mapping[str, str],
    failures: Failures,
) -> bool:
    """Hypothesis over one slot's hostile values; whether any request reached the handler."""
    reached = False
    examples = EXAMPLES_PER_SHARP_SLOT if slot.kind in {"time", "cursor"} else EXAMPLES_PER_SLOT

    @settings(HOSTILE, max_examples=examples)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        nonlocal reached
        outcome = probe.send(draw_request(data, operation, slot, base, known, probe.admin_key))
        routed = (operation.method.upper(), operation.path) in outcome.routes
        reached = reached or routed or (outcome.status is not None and outcome.status < 300)
        failures.check(operation.label, outcome)

    run()
    return reached


@pytest.mark.timeout(300)
def test_every_operation_survives_hostile_input(probe: Probe, seeded: dict[str, str]) -> None:
    # One pytest test for every operation: the list comes from the document the running app
    # serves, and each is run even when another fails; all failures are reported together.
    document = served_document(probe)
    operations = operations_of(document)
    schema = schemathesis.openapi.from_dict(document)
    failures = Failures()
    reached = set()
    for operation in operations:
        base = schema[operation.path][operation.method.upper()].as_strategy(
            generation_mode=schemathesis.GenerationMode.POSITIVE
        )
        for slot in operation.slots():
            if fuzz_slot(operation, slot, base, probe, seeded, failures):
                reached.add(operation.label)
    labels = sorted(op.label for op in operations)
    assert len(labels) >= MIN_OPERATIONS, labels
    assert reached == set(labels), f"never reached: {sorted(set(labels) - reached)}"
    assert not failures, (
        f"hostile input failed in {len(failures.by_cause)} way(s):\n\n{failures.report()}"
    )


# --- the known examples ------------------------------------------------------------------------


NUL_CURSOR = cursor_of("2024-01-01T00:00:00+00:00", "a\u0000b")
YEAR_1_CURSOR = cursor_of("0001-01-01T00:00:00+01:00", "x")
YEAR_9999_CURSOR = cursor_of("9999-12-31T23:59:59Z", str(uuid.UUID(int=1)))
NOT_A_UUID_CURSOR = cursor_of("2024-01-01T00:00:00+00:00", "x")
YEAR_9999_OFFSET_CURSOR = cursor_of("9999-12-31T23:59:59-01:00", "x")
ANY_4XX = "4xx"
NOT_5XX = "not 5xx"
WEBHOOK = "{webhook_id}"


@dataclass(frozen=True)
class Example:
    method: str
    target: str
    body: Any = None
    expect: int | str = ANY_4XX
    api_key: bytes | None = None
    headers: tuple[tuple[bytes, bytes], ...] = ()


def _event(timestamp: str, **fields: Any) -> dict[str, Any]:
    return call_initiated(f"hostile-{uuid.uuid4().hex[:8]}", timestamp=timestamp, **fields)


def _stats(start: str, end: str) -> str:
    return f"/api/stats?from={pct(start)}&to={pct(end)}"


EXAMPLES = {
    "event_id with NUL": Example("POST", "/api/events", call_initiated("nul-1", event_id="a\x00b")),
    "event_id lone surrogate": Example(
        "POST", "/api/events", call_initiated("sur-1", event_id="\ud800")
    ),
    "call_id with NUL": Example("POST", "/api/events", call_initiated("a\x00b")),
    "agent path id with NUL": Example("GET", "/api/agents/a%00b", expect=404),
    "call path id with NUL": Example("GET", "/api/calls/a%00b", expect=404),
    "call events path id with NUL": Example("GET", "/api/calls/a%00b/events", expect=404),
    "queue path id with NUL": Example("GET", "/api/queues/a%00b", expect=404),
    "agent path id not UTF-8": Example("GET", "/api/agents/%FF%FE", expect=404),
    "call path id not UTF-8": Example("GET", "/api/calls/%ED%A0%80", expect=404),
    "calls cursor with NUL": Example("GET", f"/api/calls?cursor={NUL_CURSOR}"),
    "alerts cursor with NUL": Example("GET", f"/api/alerts?cursor={NUL_CURSOR}"),
    "deliveries cursor with NUL": Example(
        "GET", f"/api/webhooks/{WEBHOOK}/deliveries?cursor={NUL_CURSOR}"
    ),
    "calls cursor year 1 +01:00": Example("GET", f"/api/calls?cursor={YEAR_1_CURSOR}"),
    "alerts cursor year 1 +01:00": Example("GET", f"/api/alerts?cursor={YEAR_1_CURSOR}"),
    "calls cursor 9999 Z": Example("GET", f"/api/calls?cursor={YEAR_9999_CURSOR}", expect=NOT_5XX),
    "alerts cursor 9999 Z": Example(
        "GET", f"/api/alerts?cursor={YEAR_9999_CURSOR}", expect=NOT_5XX
    ),
    "alerts cursor id not a UUID": Example("GET", f"/api/alerts?cursor={NOT_A_UUID_CURSOR}"),
    "deliveries cursor id not a UUID": Example(
        "GET", f"/api/webhooks/{WEBHOOK}/deliveries?cursor={NOT_A_UUID_CURSOR}"
    ),
    "calls cursor 9999 -01:00": Example("GET", f"/api/calls?cursor={YEAR_9999_OFFSET_CURSOR}"),
    "deliveries cursor 9999 -01:00": Example(
        "GET", f"/api/webhooks/{WEBHOOK}/deliveries?cursor={YEAR_9999_OFFSET_CURSOR}"
    ),
    "call_initiated at year 1 +01:00": Example(
        "POST", "/api/events", _event("0001-01-01T00:00:00+01:00"), expect=422
    ),
    "call_initiated at 9999 Z": Example(
        "POST", "/api/events", _event("9999-12-31T23:59:59Z"), expect=422
    ),
    "call_initiated at 9999 -01:00": Example(
        "POST", "/api/events", _event("9999-12-31T23:59:59-01:00"), expect=422
    ),
    "call_initiated a day ahead": Example(
        "POST", "/api/events", _event(now_plus(timedelta(days=1))), expect=422
    ),
    "backfill a day ahead": Example(
        "POST",
        "/api/events",
        _event(now_plus(timedelta(days=1))),
        expect=422,
        headers=((b"X-Backfill", b"true"),),
    ),
    "call_initiated before 1970": Example(
        "POST", "/api/events", _event("1969-12-31T23:59:59Z"), expect=422
    ),
    "backfill before 1970": Example(
        "POST",
        "/api/events",
        _event("1969-12-31T23:59:59Z"),
        expect=422,
        headers=((b"X-Backfill", b"true"),),
    ),
    "stats from year 1 +01:00": Example(
        "GET", _stats("0001-01-01T00:00:00+01:00", "0001-01-02T00:00:00+01:00")
    ),
    "stats to 9999 -01:00": Example(
        "GET", _stats("9999-12-31T00:00:00-01:00", "9999-12-31T23:59:59-01:00")
    ),
    "stats in 9999 Z": Example(
        "GET", _stats("9999-12-31T00:00:00Z", "9999-12-31T23:59:59Z"), expect=NOT_5XX
    ),
    "alerts since year 1 +01:00": Example(
        "GET", f"/api/alerts?since={pct('0001-01-01T00:00:00+01:00')}"
    ),
    "alerts until 9999 -01:00": Example(
        "GET", f"/api/alerts?until={pct('9999-12-31T23:59:59-01:00')}"
    ),
    "key not UTF-8 on a read": Example("GET", "/api/calls", expect=401, api_key=b"\xff\xfe"),
    "key not UTF-8 on a write": Example(
        "POST", "/api/events", call_initiated("key-1"), expect=401, api_key=b"\xff\xfe"
    ),
    "key with NUL": Example("GET", "/api/queues", api_key=b"fuzz-admin-key\x00"),
    "wait_time 1e400": Example(
        "POST",
        "/api/events",
        {"call_id": CALL_ID, "type": "call_answered", "data": {"wait_time": RawJson("1e400")}},
        expect=422,
    ),
    "wait_time 10**400": Example(
        "POST",
        "/api/events",
        {"call_id": CALL_ID, "type": "call_answered", "data": {"wait_time": 10**400}},
        expect=422,
    ),
    "body nested 100000 deep": Example("POST", "/api/events", RawBody(b"[" * 100_000)),
    "batch nested 100000 deep": Example("POST", "/api/events/batch", RawBody(b"[" * 100_000)),
    "queue name with NUL": Example(
        "POST", "/api/queues", {"id": "nulq", "name": "a\x00b"}, expect=422
    ),
    "queue name lone surrogate": Example(
        "POST", "/api/queues", {"id": "surq", "name": RawJson('"\\ud800"')}, expect=422
    ),
}


@pytest.mark.parametrize("example", list(EXAMPLES.values()), ids=list(EXAMPLES))
def test_known_hostile_example(probe: Probe, seeded: dict[str, str], example: Example) -> None:
    target = example.target.replace(
        WEBHOOK, seeded.get("webhook_id", str(uuid.uuid5(uuid.NAMESPACE_URL, "none")))
    )
    key = example.api_key if example.api_key is not None else probe.admin_key.encode()
    outcome = probe.call(
        example.method, target, example.body, [(b"X-API-Key", key), *example.headers]
    )
    failures = Failures()
    expected = []
    status = outcome.status
    if example.expect == ANY_4XX and not (status is not None and 400 <= status < 500):
        expected.append(f"expected a 4xx, got {status}")
    if isinstance(example.expect, int) and status != example.expect:
        expected.append(f"expected {example.expect}, got {status}")
    failures.check(example.method + " " + example.target, outcome, expected)
    assert not failures, failures.report()


POISONS = {
    "event_id with NUL": {"event_id": "a\x00b"},
    "timestamp year 1 +01:00": {"timestamp": "0001-01-01T00:00:00+01:00"},
    "timestamp 9999 -01:00": {"timestamp": "9999-12-31T23:59:59-01:00"},
    "timestamp a day ahead": {"timestamp": now_plus(timedelta(days=1))},
    "timestamp before 1970": {"timestamp": "1969-12-31T23:59:59Z"},
}


@pytest.mark.parametrize("poison", list(POISONS.values()), ids=list(POISONS))
def test_a_poisoned_batch_item_fails_alone(
    probe: Probe, seeded: dict[str, str], poison: dict[str, str]
) -> None:
    good = call_initiated(f"good-{uuid.uuid4().hex[:8]}")
    bad = call_initiated(f"bad-{uuid.uuid4().hex[:8]}", **poison)
    outcome = probe.call("POST", "/api/events/batch", {"events": [good, bad]})
    failures = Failures()
    wrong = []
    if outcome.status != 200 or outcome.reply is None:
        wrong.append(f"expected 200 with one result per event, got {outcome.status}")
    else:
        statuses = [r.get("status") for r in outcome.reply.json().get("results", [])]
        if len(statuses) != 2 or statuses[0] != 201 or not 400 <= (statuses[1] or 0) < 500:
            wrong.append(f"expected results [201, 4xx], got {statuses}")
    failures.check("POST /api/events/batch", outcome, wrong)
    for event, status in [(good, 200), (bad, 404)]:
        read = probe.call("GET", f"/api/calls/{event['call_id']}")
        extra = [] if read.status == status else [f"the call reads {read.status}, not {status}"]
        failures.check("GET /api/calls/{call_id} after the batch", read, extra)
    assert not failures, failures.report()
