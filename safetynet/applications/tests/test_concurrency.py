"""Two officers approving the same case at once: one wins, the other is told; nothing of the
loser's is kept (no second decision, no second document number)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from safetynet.applications import choices as c
from safetynet.applications import services as s
from safetynet.applications.models import Counter, Decision, Transition
from safetynet.applications.tests.factories import TODAY, apply, approval, to_review

DAY = TODAY + dt.timedelta(days=8)


@pytest.mark.usefixtures("calendar", "rules")
def test_the_second_of_two_approvals_on_the_same_version_fails_and_leaves_nothing(
    personas, household_a, carol2
):
    case = to_review(personas, apply(personas, household_a).cases.get())
    seen = case.version  # both officers opened the page at this version
    first = s.case_approve(
        actor=personas.carol, case=case, data=approval(case), today=DAY, expected_version=seen
    )
    with pytest.raises(ValidationError) as err:
        s.case_refuse(actor=carol2, case=case, reasons="不符合", today=DAY, expected_version=seen)
    assert "不能进行" in str(err.value)  # the state moved on: refused from "approved" is not a move
    case.refresh_from_db()
    # same state, stale version: the conditional update matches no row
    from safetynet.applications.models import Case

    Case.objects.filter(pk=case.pk).update(state=c.State.REVIEW)
    with pytest.raises(ValidationError) as err:
        s.case_approve(actor=carol2, case=case, data=approval(case), today=DAY, expected_version=seen)
    assert "已被他人处理" in str(err.value.message_dict["state"])
    assert Decision.objects.count() == 1 and Decision.objects.get() == first
    assert Counter.objects.get(key="doc:320111").last == 1  # the loser's number was rolled back
    assert Transition.objects.filter(case=case, action="approve").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
def test_two_officers_approving_in_parallel_threads_one_wins(personas, household_a, carol2, rules, calendar):
    case = to_review(personas, apply(personas, household_a).cases.get())
    barrier = threading.Barrier(2)
    results: list[object] = []

    def approve(officer):
        from django.db import connection as conn

        try:
            data = approval(case)
            barrier.wait(timeout=10)
            results.append(
                s.case_approve(actor=officer, case=case, data=data, today=DAY, expected_version=case.version)
            )
        except ValidationError as exc:
            results.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=approve, args=(o,)) for o in (personas.carol, carol2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, Decision) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert Decision.objects.filter(case=case).count() == 1
