"""query_arrow: the same table through every read path (cursor on SQLite, COPY in CSV inside a
transaction on PostgreSQL, ADBC's binary COPY outside one), and several reads at once."""

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from django.db import connection, transaction

from safetynet.core.arrow import query_arrow, query_arrow_many

SQL = (
    "SELECT i.id, i.kind, i.amount, i.period_start, m.counted FROM registry_incomeitem i "
    "JOIN registry_membership m ON m.person_id = i.person_id WHERE i.amount >= %s ORDER BY i.id"
)
TYPES = {"kind": pa.string(), "amount": pa.float64(), "period_start": pa.date32(), "counted": pa.bool_()}


def _declare(actor, household, amounts):
    from safetynet.registry.services import declaration_record

    head = household.memberships.first().person
    for amount in amounts:
        declaration_record(
            actor=actor,
            household=household,
            what="income",
            kind="wages",
            person=head,
            amount=Decimal(amount),
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 6, 30),
            reason="测试",
        )


@pytest.mark.django_db(transaction=True)
def test_every_read_path_gives_the_same_table(personas, household_a):
    _declare(personas.alice, household_a, ["1200.50", "300", "0"])
    outside = query_arrow(SQL, [Decimal("1")], types=TYPES)
    with transaction.atomic():
        inside = query_arrow(SQL, [Decimal("1")], types=TYPES)
    assert outside.num_rows == 2
    assert outside.to_pylist() == inside.to_pylist()
    assert outside["amount"].to_pylist() == [1200.5, 300.0]
    assert outside["period_start"].type == pa.date32() and outside["counted"].to_pylist() == [True, True]
    many = query_arrow_many({"a": (SQL, [Decimal("1")], TYPES), "b": (SQL, [Decimal("500")], TYPES)})
    assert many["a"].to_pylist() == outside.to_pylist() and many["b"].num_rows == 1
    if connection.vendor == "postgresql":
        empty = query_arrow(SQL, [Decimal("1e9")], types=TYPES)
        assert empty.num_rows == 0
