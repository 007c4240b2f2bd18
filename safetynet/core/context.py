"""Who is acting and under which request or job: set by the middleware and by jobs, read by
the change log so that every row says where it came from."""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterator

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
job_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("job_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@contextlib.contextmanager
def bound(*, request: str | None = None, job: int | None = None) -> Iterator[None]:
    tokens: list = []
    if request is not None:
        tokens.append((request_id, request_id.set(request)))
    if job is not None:
        tokens.append((job_id, job_id.set(job)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
