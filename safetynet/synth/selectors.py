"""Reads of the synthetic demo: is the demo county seeded, and with what."""

from __future__ import annotations

from dataclasses import dataclass

from safetynet.accounts.models import User
from safetynet.core.models import Job
from safetynet.core.permissions import region_q
from safetynet.registry.models import Household, Person
from safetynet.synth.geography import COUNTY

DEMO_USER_PREFIX = "demo_"
SEED_JOB_KIND = "seed-demo"


@dataclass
class DemoStatus:
    households: int
    persons: int
    users: list[str]
    last_job: Job | None

    @property
    def seeded(self) -> bool:
        return bool(self.households or self.persons or self.users)


def demo_status() -> DemoStatus:
    """What the demo county holds now (households and persons filed there, demo users)."""
    from safetynet.synth.services import DEMO_USERS

    names = [u.username for u in DEMO_USERS]
    return DemoStatus(
        households=Household.objects.filter(region_q("region_code", COUNTY[0])).count(),
        persons=Person.objects.filter(region_q("region_code", COUNTY[0])).count(),
        users=list(
            User.objects.filter(username__in=names).order_by("username").values_list("username", flat=True)
        ),
        last_job=Job.objects.filter(kind=SEED_JOB_KIND, status=Job.Status.SUCCEEDED).order_by("-id").first(),
    )
