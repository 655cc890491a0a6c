"""structlog set-up: JSON lines, one correlation id bound per request or message.

The correlation id travels HTTP request → outbox row → Redis envelope → socket
emit, so one grep follows an event through every process.
"""

import io
import json
import logging
import os
import sys
import uuid
from typing import Any

import orjson
import structlog
import structlog.tracebacks
from structlog.contextvars import bind_contextvars, bound_contextvars

__all__ = ["bind_contextvars", "bound_contextvars", "configure_logging", "new_correlation_id"]


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def configure_logging(service: str, level: str | None = None) -> None:
    """JSON to stdout unless LOG_FORMAT=console (handy in a terminal)."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        # One line per event even when stdout is a pipe (supervisors, containers).
        sys.stdout.reconfigure(line_buffering=True)
    level_name = (level or os.environ.get("LOG_LEVEL", "INFO")).upper()
    level_no = logging.getLevelNamesMapping().get(level_name, logging.INFO)
    renderer: Any = (
        structlog.dev.ConsoleRenderer()
        if os.environ.get("LOG_FORMAT") == "console"
        else structlog.processors.JSONRenderer(serializer=_json_line)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # No local variables in tracebacks: they could hold keys or secrets.
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            _add_service(service),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level_no),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=True,
    )
    # Libraries log through the standard library; keep their warnings, as JSON-ish text.
    logging.basicConfig(level=max(level_no, logging.WARNING), stream=sys.stderr)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def _json_line(event_dict: dict[str, Any], **_: Any) -> str:
    """orjson: several times faster than json.dumps on the per-request log line.

    orjson refuses lone surrogates (what undecodable client bytes become); such a line is
    written by the standard library instead, which escapes them, so no value a client
    sends can make logging itself fail.
    """
    try:
        return orjson.dumps(event_dict, default=str).decode()
    except TypeError:
        return json.dumps(event_dict, default=str)


def _add_service(service: str) -> Any:
    def processor(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        event_dict.setdefault("service", service)
        return event_dict

    return processor
