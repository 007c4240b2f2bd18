"""Reads of the core: verifying the hash chains of the logs."""

from __future__ import annotations

from dataclasses import dataclass

from safetynet.core.models import AccessLog, ChainHead, ChangeLog
from safetynet.core.services import row_hash


@dataclass
class ChainReport:
    log: str
    rows: int
    ok: bool
    broken_at: int | None = None
    problem: str = ""


def audit_chain_verify(log: str = "change") -> ChainReport:
    """Walk a log in order; name the first row whose link or content does not hold."""
    model = ChangeLog if log == "change" else AccessLog
    previous = "0" * 64
    count = 0
    for row in model.objects.order_by("pk").iterator(chunk_size=5000):
        count += 1
        if row.prev_hash != previous:
            return ChainReport(
                log,
                count,
                False,
                row.pk,
                "prev_hash does not match the previous row (a row was removed or inserted)",
            )
        if row_hash(row, model.HASHED_FIELDS) != row.hash:
            return ChainReport(
                log, count, False, row.pk, "content does not match its hash (the row was altered)"
            )
        previous = row.hash
    head = ChainHead.objects.filter(name=log).first()
    if head and head.last_hash != previous:
        return ChainReport(
            log, count, False, None, "the last rows were removed (chain head does not match the last row)"
        )
    return ChainReport(log, count, True)
