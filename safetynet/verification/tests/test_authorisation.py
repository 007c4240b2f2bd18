"""No request leaves without a valid authorisation covering the item and the purpose."""

import datetime as dt

import pytest

from safetynet.applications.models import Authorisation
from safetynet.registry.models import Person
from safetynet.verification import services
from safetynet.verification.models import Refusal, Request
from safetynet.verification.services import PURPOSE, Subject, authorisation_for
from safetynet.verification.tests.conftest import AS_OF, start

TODAY = dt.date(2026, 11, 30)


def _person(pk):
    p = Person(name="张伟")
    p.pk = pk
    return p


def _auth(
    person, signer, role="self", scope=("deposits",), purpose=PURPOSE, valid_to=TODAY + dt.timedelta(days=30)
):
    return Authorisation(
        person_id=person.pk,
        signed_by_id=signer.pk,
        role=role,
        scope=list(scope),
        purpose=purpose,
        valid_from=TODAY - dt.timedelta(days=10),
        valid_to=valid_to,
    )


ADULT = _person(1)
OTHER = _person(2)


def test_valid_authorisation_lets_the_item_through():
    auth = _auth(ADULT, ADULT)
    assert authorisation_for(Subject(ADULT, 1, True, False), "deposits", PURPOSE, TODAY, [auth]) == (auth, "")


@pytest.mark.parametrize(
    "auths,subject,reason",
    [
        ([], Subject(ADULT, 1, True, False), "无核对授权"),
        (
            [_auth(ADULT, ADULT, valid_to=TODAY - dt.timedelta(days=1))],
            Subject(ADULT, 1, True, False),
            "有效期",
        ),
        ([_auth(ADULT, ADULT, scope=("tax",))], Subject(ADULT, 1, True, False), "授权范围不含"),
        ([_auth(ADULT, ADULT, purpose="商业贷款审查")], Subject(ADULT, 1, True, False), "用途"),
        ([_auth(ADULT, OTHER)], Subject(ADULT, 1, True, False), "本人签署"),
        # a legal supporter outside the household: the household's own consent is not enough
        ([_auth(ADULT, OTHER, role="self")], Subject(ADULT, 1, False, False), "法定义务人"),
        ([_auth(ADULT, OTHER, role="supporter")], Subject(ADULT, 1, False, False), "法定义务人"),
        # a minor: only a guardian's authorisation counts
        ([_auth(ADULT, ADULT, role="self")], Subject(ADULT, 1, True, True), "签署身份"),
    ],
)
def test_refused(auths, subject, reason):
    auth, why = authorisation_for(subject, "deposits", PURPOSE, TODAY, auths)
    assert auth is None and reason in why


def test_supporter_with_own_consent_passes():
    auth = _auth(ADULT, ADULT, role="supporter")
    assert authorisation_for(Subject(ADULT, 1, False, False), "deposits", PURPOSE, TODAY, [auth])[0] is auth


def test_run_sends_nothing_for_unauthorised_persons_and_logs_the_refusal(county):
    # withdraw one adult's authorisation and narrow another's scope
    a1, a2 = Authorisation.objects.filter(role="self").order_by("id")[:2]
    p1, p2 = a1.person_id, a2.person_id
    a1.delete()
    Authorisation.objects.filter(pk=a2.pk).update(scope=["tax"])
    run = services.run_execute(
        run=start(county, departments=["banking", "taxation"]), datasets_dir=county["dir"]
    )
    assert not Request.objects.filter(run=run, person_id=p1).exists()
    assert Refusal.objects.filter(run=run, person_id=p1, department="banking", reason="无核对授权").exists()
    assert list(Request.objects.filter(run=run, person_id=p2).values_list("department", flat=True)) == [
        "taxation"
    ]
    assert Refusal.objects.filter(run=run, person_id=p2, department="banking").exists()
    assert run.as_of == AS_OF
