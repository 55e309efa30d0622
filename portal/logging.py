"""Logs an operator can search: one JSON object per line, each carrying the request id.

RequestIdMiddleware gives each request an id (the caller's X-Request-ID when it is a sane
token, otherwise a new one), returns it in the X-Request-ID response header, and keeps it in
a context variable for the request's log records. A Celery task queued while serving the
request carries the same id, so the worker's lines about delivering a notification can be
found from the request that caused it. LOG_FORMAT=text gives readable lines for development.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid

from celery.signals import before_task_publish, task_postrun, task_prerun

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a caller (a proxy's or load balancer's id): short, no spaces or markup.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

request_log = logging.getLogger("portal.request")


def current_request_id() -> str:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost middleware: every later log line of the request carries its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SANE_ID.match(given) else new_request_id()
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            user = getattr(request, "user", None)
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                    "client": request.META.get("REMOTE_ADDR", ""),
                },
            )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request (or task) id on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # django.request logs 4xx/5xx answers after the middleware has finished, with the
            # request attached.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", "") or _request_id.get()
        return True


# The attributes every LogRecord has; anything else was passed in `extra` and is logged.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "request_id", "taskName"}
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or "",
        }
        for key, value in vars(record).items():
            if key == "request":  # django.request's: the path says enough
                entry.setdefault("path", getattr(value, "path", ""))
            elif key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


# Celery: the id travels in the task message's headers ---------------------------------------


@before_task_publish.connect(weak=False)
def _send_request_id(headers=None, **kwargs):
    request_id = _request_id.get()
    if headers is not None and request_id:
        headers.setdefault("request_id", request_id)


_task_tokens: dict[str, contextvars.Token] = {}


@task_prerun.connect(weak=False)
def _receive_request_id(task_id=None, task=None, **kwargs):
    request = getattr(task, "request", None)
    # The publishing request's id; in-process (eager) tasks keep the request's own.
    request_id = getattr(request, "request_id", None) or _request_id.get() or task_id or ""
    if task_id:
        _task_tokens[task_id] = _request_id.set(request_id)


@task_postrun.connect(weak=False)
def _forget_request_id(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        with contextlib.suppress(ValueError):  # set in another context (eager, in a request)
            _request_id.reset(token)
