"""Every list of the API is paginated with ``limit`` (default 50, at most 200) and ``offset``."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Pagination(LimitOffsetPagination):
    """``{"items": [...], "count": N}``; a limit over 200 is a 422, not silently cut."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="每页条数（1–200）")
        offset: int = Field(0, ge=0, description="跳过的条数")

    def __init__(self, **kwargs) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
