import datetime as dt
import json

import pytest

from safetynet.accounts.models import User
from safetynet.synth.services import demo_seed
from safetynet.verification import services

AS_OF = dt.date(2026, 11, 30)
COUNTY = "320125000000"


@pytest.fixture
def county(tmp_path, db):
    """A 300-household synthetic county with department files, and the demo authorisations."""
    deps = tmp_path / "departments"
    demo_seed(households=300, seed=5, as_of=AS_OF, departments_dir=deps)
    verifier = User.objects.get(username="demo_verifier")
    services.demo_authorisations_grant(actor=verifier, region_code=COUNTY, today=AS_OF)
    planted = json.loads((deps / "planted.json").read_text())
    return {"dir": deps, "verifier": verifier, "planted": planted, "work": tmp_path / "work"}


def start(county, **kw):
    kw.setdefault("region_code", COUNTY)
    return services.run_start(actor=county["verifier"], as_of=AS_OF, work_dir=county["work"], **kw)
