import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safetynet.core.models import AccessLog, ChangeLog
from safetynet.core.selectors import audit_chain_verify
from safetynet.core.services import access_log_write, change_log_write, job_finish, job_start


@pytest.fixture
def chain(db):
    for i in range(5):
        change_log_write(
            actor=None,
            action="update",
            object_type="test.thing",
            object_id=str(i),
            before={"v": i},
            after={"v": i + 1, "名": "张三"},
            reason=f"r{i}",
        )
    return list(ChangeLog.objects.order_by("pk"))


def test_an_untouched_chain_verifies(chain):
    report = audit_chain_verify("change")
    assert report.ok and report.rows == 5
    assert chain[1].prev_hash == chain[0].hash


def test_an_altered_row_is_named(chain):
    ChangeLog.objects.filter(pk=chain[2].pk).update(reason="tampered")
    report = audit_chain_verify("change")
    assert not report.ok and report.broken_at == chain[2].pk
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--log", "change")


def test_a_removed_row_is_named(chain):
    ChangeLog.objects.filter(pk=chain[1].pk).delete()
    report = audit_chain_verify("change")
    assert not report.ok and report.broken_at == chain[2].pk


def test_removing_the_last_rows_is_detected(chain):
    ChangeLog.objects.filter(pk=chain[-1].pk).delete()
    assert not audit_chain_verify("change").ok


def test_the_access_log_is_chained_too(personas, household_a):
    access_log_write(actor=personas.alice, obj=household_a, field="phone", purpose="联系")
    access_log_write(actor=personas.alice, obj=household_a.head, field="id_number", purpose="核对")
    assert audit_chain_verify("access").ok
    AccessLog.objects.filter(field="phone").update(purpose="other")
    assert not audit_chain_verify("access").ok


def test_a_job_writes_one_entry_with_counts_and_digest(db):
    job = job_start(kind="seed", params={"n": 3})
    before = ChangeLog.objects.count()
    job_finish(job=job, counts={"households": 3}, digest="ab" * 32)
    rows = ChangeLog.objects.all()[before:]
    assert len(rows) == 1
    entry = ChangeLog.objects.get(job=job)
    assert entry.action == "job" and entry.after["counts"] == {"households": 3}
