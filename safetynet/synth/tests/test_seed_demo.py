import datetime as dt
import json
from collections import Counter
from io import StringIO

import numpy as np
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from safetynet.accounts.models import User
from safetynet.accounts.roles import STAFF_ROLES, Role
from safetynet.core import crypto
from safetynet.core.idnumbers import check_digit, cross_check, parse_identity
from safetynet.core.masking import mask_id_number
from safetynet.core.models import ChangeLog, Job
from safetynet.regions.models import Region
from safetynet.registry import choices as c
from safetynet.registry.models import (
    AssetItem,
    ChangeReport,
    Household,
    IncomeItem,
    LegalSupporter,
    Membership,
    Person,
    RigidExpense,
)
from safetynet.synth import departments as D
from safetynet.synth import population as P
from safetynet.synth.geography import COUNTY
from safetynet.synth.services import DEMO_USERS, demo_seed

AS_OF = dt.date(2026, 11, 30)
N = 200


@pytest.fixture
def seeded(db, tmp_path):
    result = demo_seed(households=N, seed=11, as_of=AS_OF, departments_dir=tmp_path / "departments")
    assert result.created
    return result


def _registry_ids() -> dict[str, Person]:
    return {crypto.decrypt(p.id_enc): p for p in Person.objects.all()}


def _read(result, name: str) -> list[dict]:
    return pq.read_table(result.departments_dir / f"{name}.parquet").to_pylist()


def _planted(result) -> dict:
    return json.loads(result.planted_path.read_text(encoding="utf-8"))


# --- determinism and the population ---------------------------------------------------------


def test_the_same_seed_gives_the_same_people():
    a = P.generate(households=300, seed=5, as_of=AS_OF)
    b = P.generate(households=300, seed=5, as_of=AS_OF)
    other = P.generate(households=300, seed=6, as_of=AS_OF)
    assert a.name.to_pylist() == b.name.to_pylist()
    assert a.id_number.to_pylist() == b.id_number.to_pylist()
    assert {k: v["person"].tolist() for k, v in a.plants.items()} == {
        k: v["person"].tolist() for k, v in b.plants.items()
    }
    assert a.id_number.to_pylist() != other.id_number.to_pylist()


def test_the_seeded_database_is_the_same_for_the_same_seed(db, tmp_path):
    demo_seed(households=N, seed=3, as_of=AS_OF, departments_dir=tmp_path / "a")
    first = sorted((p.name, crypto.decrypt(p.id_enc)) for p in Person.objects.all())
    numbers = sorted(Household.objects.values_list("number", flat=True))
    demo_seed(households=N, seed=3, as_of=AS_OF, departments_dir=tmp_path / "b", reset=True)
    assert sorted((p.name, crypto.decrypt(p.id_enc)) for p in Person.objects.all()) == first
    assert sorted(Household.objects.values_list("number", flat=True)) == numbers


def test_the_population_looks_like_a_county():
    pop = P.generate(households=20_000, seed=1, as_of=AS_OF)
    members = pop.n_members
    assert 2.7 <= members / pop.households <= 3.1
    assert pop.hh["size"].min() == 1 and pop.hh["size"].max() == 6
    heads = pop.person["relation"][:members] == P.SELF
    assert pop.person["age"][:members][heads].min() >= 25 and pop.person["age"][:members][heads].max() <= 95
    assert 0.05 <= (pop.person["disability"][:members] > 0).mean() <= 0.07
    assert 0.015 <= (pop.person["illness"][:members] >= 0).mean() <= 0.025
    assert 0.03 <= pop.hh["hardship"].mean() <= 0.05
    names = Counter(pop.name[:members].to_pylist())
    assert names.most_common(1)[0][1] >= 100  # 张伟, 王伟, 李伟… repeat as in real registers
    assert all(1 <= len(n) - 1 <= 3 for n in names)  # surname + 1-2 characters (or a two-character surname)
    assert (pop.person["age"][:members] < 18).mean() > 0.15 and (
        pop.person["age"][:members] >= 60
    ).mean() > 0.15


# --- the registry ------------------------------------------------------------------------------


def test_identity_numbers_are_valid_and_agree_with_birth_date_and_sex(seeded):
    people = list(Person.objects.all())
    assert len(people) == seeded.counts["registry.person"]
    numbers = set()
    for person in people:
        number = crypto.decrypt(person.id_enc)
        identity = parse_identity("resident", number, today=AS_OF)
        assert number[17] == check_digit(number[:17])
        assert cross_check(identity, birth_date=person.birth_date, sex=person.sex) == []
        assert person.id_hash == crypto.blind_index(number)
        assert person.id_masked == mask_id_number(number)
        numbers.add(number)
    assert len(numbers) == len(people)
    assert sum(n.startswith(COUNTY[0][:6]) for n in numbers) > len(numbers) / 2


def test_every_member_is_counted_in_exactly_one_household(seeded):
    supporters = set(LegalSupporter.objects.values_list("person_id", flat=True))
    counted = Counter(
        Membership.objects.filter(counted=True, end_date__isnull=True).values_list("person_id", flat=True)
    )
    for person_id in Person.objects.values_list("pk", flat=True):
        assert counted[person_id] == (0 if person_id in supporters else 1), person_id
    for household in Household.objects.all():
        members = list(household.memberships.all())
        assert household.size == len(members)
        heads = [m for m in members if m.relation == c.Relation.SELF]
        assert len(heads) == 1 and heads[0].person_id == household.head_id
        assert household.head_name == household.head.name
        assert household.number.startswith("H" + household.region_code)


def test_rows_are_valid_for_their_models(seeded):
    for model in (Person, Household, Membership, LegalSupporter, IncomeItem, AssetItem, RigidExpense):
        for row in model.objects.all()[:100]:
            row.full_clean(exclude=["id_enc"])
    kinds = {
        (m.__name__, k)
        for m, field, choices in (
            (IncomeItem, "kind", c.IncomeKind),
            (AssetItem, "kind", c.AssetKind),
            (RigidExpense, "kind", c.ExpenseKind),
        )
        for k in m.objects.values_list(field, flat=True).distinct()
    }
    assert (
        ("AssetItem", "vehicle") in kinds
        and ("IncomeItem", "wages") in kinds
        and ("RigidExpense", "medical") in kinds
    )


def test_the_county_has_townships_and_villages(seeded):
    county = Region.objects.get(code=COUNTY[0])
    townships = Region.objects.filter(parent=county)
    villages = Region.objects.filter(parent__in=townships)
    assert townships.count() >= 10
    assert villages.count() >= 150
    assert {"urban", "rural"} <= set(villages.values_list("urban_rural", flat=True))
    assert not Household.objects.exclude(region__in=villages).exists()


def test_declarations_cover_the_twelve_months_before_the_seed_date(seeded):
    periods = set(IncomeItem.objects.values_list("period_start", "period_end", "source", "as_of").distinct())
    assert periods == {(dt.date(2025, 11, 1), dt.date(2026, 10, 31), "declared", AS_OF)}
    assert AssetItem.objects.filter(kind="dwelling", area__isnull=False).exists()
    assert LegalSupporter.objects.filter(supported__isnull=False, duty="shanyang").exists()


def test_every_row_carries_the_job_and_the_job_has_one_change_log_entry(seeded):
    job = Job.objects.get(pk=seeded.job_id)
    assert job.status == Job.Status.SUCCEEDED and job.kind == "seed-demo"
    for model in (
        Person,
        Household,
        Membership,
        LegalSupporter,
        IncomeItem,
        AssetItem,
        RigidExpense,
        ChangeReport,
    ):
        assert model.objects.exclude(job=job).count() == 0, model
        assert model.objects.count() == job.counts[model._meta.label_lower]
    entry = ChangeLog.objects.get(action="job", object_id=str(job.pk))
    assert entry.after["counts"]["registry.household"] == N
    assert len(entry.after["digest"]) == 64
    assert ChangeReport.objects.count() == N  # each household's history starts with its filing


def test_demo_users_cover_every_role_and_see_their_scope(seeded):
    users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    assert {u.role for u in users.values()} == set(Role.values)
    for user in users.values():
        assert bool(user.totp_secret) == (user.role in STAFF_ROLES)
        assert user.check_password(seeded.users[0].password)
    caseworker = users["demo_caseworker"]
    visible = Household.objects.restrict(caseworker, "view")
    assert 0 < visible.count() < N
    resident = users["demo_resident"]
    assert list(Household.objects.restrict(resident, "view")) == [resident.household]
    assert Household.objects.restrict(users["demo_county"], "view").count() == N


# --- department files ---------------------------------------------------------------------


def test_department_files_are_written_and_carry_valid_identity_numbers(seeded):
    files = {p.name for p in seeded.departments_dir.iterdir()}
    assert files == {f"{name}.parquet" for name in D.DATASETS} | {D.PLANTED_FILE}
    manifest = _planted(seeded)
    for name in D.DATASETS:
        table = pq.read_table(seeded.departments_dir / f"{name}.parquet")
        assert table.column_names[0] == "id_number", name
        assert manifest["datasets"][name]["rows"] == table.num_rows
        for number in set(table.column("id_number").to_pylist()):
            parse_identity("resident", number, today=AS_OF)
    assert len(_read(seeded, "police_hukou")) >= Person.objects.count()


def test_every_vehicle_owner_is_in_the_registry_or_a_planted_non_member(seeded):
    registry = _registry_ids()
    outsiders = set(_planted(seeded)["non_members"]["id_numbers"])
    assert not outsiders & set(registry)
    vehicles = _read(seeded, "vehicles")
    assert vehicles
    for row in vehicles:
        assert row["id_number"] in registry or row["id_number"] in outsiders
    plates = {row["plate"] for row in vehicles}
    declared = AssetItem.objects.filter(kind="vehicle").values_list("note", flat=True)
    assert all(note.split(" ")[1] in plates for note in declared)  # declared cars are registered


def test_declared_values_agree_with_the_departments_within_noise(seeded):
    registry = _registry_ids()
    by_id = {pid: number for number, p in registry.items() for pid in [p.pk]}
    planted = {row["id_number"] for row in _planted(seeded)["discrepancies"]}
    wages = {}
    for item in IncomeItem.objects.filter(kind="wages"):
        wages[by_id[item.person_id]] = wages.get(by_id[item.person_id], 0) + float(item.amount)
    checked = 0
    for row in _read(seeded, "social_insurance"):
        if row["wages_12m"] is not None and row["id_number"] in wages and row["id_number"] not in planted:
            assert abs(row["wages_12m"] - wages[row["id_number"]]) <= 0.15 * wages[row["id_number"]]
            checked += 1
    assert checked > 10


def test_planted_discrepancies_are_present_in_the_files(seeded):
    manifest = _planted(seeded)
    registry = _registry_ids()
    entries = manifest["discrepancies"]
    assert set(manifest["counts"]) == set(P.PLANT_KINDS)
    assert all(manifest["counts"][kind] >= 3 for kind in P.PLANT_KINDS)
    by_kind: dict[str, list[dict]] = {}
    for entry in entries:
        by_kind.setdefault(entry["kind"], []).append(entry)
        person = registry[entry["id_number"]]  # every plant is about a registered member
        assert Membership.objects.filter(person=person, household__number=entry["household_number"]).exists()

    vehicles = {(r["id_number"], r["plate"]) for r in _read(seeded, "vehicles")}
    for entry in by_kind["undeclared_vehicle"]:
        assert (entry["id_number"], entry["plate"]) in vehicles
        household = Household.objects.get(number=entry["household_number"])
        assert not AssetItem.objects.filter(household=household, kind="vehicle").exists()

    deaths = {r["id_number"]: r["death_date"] for r in _read(seeded, "police_deaths")}
    for entry in by_kind["unreported_death"]:
        person = registry[entry["id_number"]]
        assert deaths[entry["id_number"]].isoformat() == entry["death_date"]
        assert person.death_date is None  # civil affairs was not told
        assert Membership.objects.filter(person=person, counted=True, end_date__isnull=True).exists()

    insurance = {r["id_number"]: r["wages_12m"] for r in _read(seeded, "social_insurance") if r["wages_12m"]}
    for entry in by_kind["wages_above_declared"]:
        declared = sum(
            float(i.amount)
            for i in IncomeItem.objects.filter(person=registry[entry["id_number"]], kind="wages")
        )
        assert declared == entry["declared_wages"]
        assert insurance[entry["id_number"]] > 1.5 * declared

    payroll = {r["id_number"] for r in _read(seeded, "public_servants")}
    assert {e["id_number"] for e in by_kind["public_payroll_undeclared"]} <= payroll
    estates = {r["id_number"] for r in _read(seeded, "real_estate")}
    assert {e["id_number"] for e in by_kind["undeclared_real_estate"]} <= estates
    firms = {r["id_number"] for r in _read(seeded, "business_registrations") if r["role"] == "法定代表人"}
    assert {e["id_number"] for e in by_kind["undeclared_business"]} <= firms
    balances: dict[str, float] = {}
    for row in _read(seeded, "bank"):
        if row["product"] != "个人住房贷款":
            balances[row["id_number"]] = balances.get(row["id_number"], 0) + row["balance"]
    for entry in by_kind["deposits_above_declared"]:
        assert balances[entry["id_number"]] > entry["declared_deposits"] + 50_000


# --- reruns ----------------------------------------------------------------------------------


def _counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Person, Household, Membership, IncomeItem, Job, ChangeLog, User, Region)
    }


def test_rerun_without_reset_creates_nothing(seeded, tmp_path):
    before = _counts()
    planted = seeded.planted_path.read_bytes()
    again = demo_seed(households=N, seed=99, as_of=AS_OF, departments_dir=seeded.departments_dir)
    assert not again.created
    assert "--reset" in again.message
    assert _counts() == before
    assert seeded.planted_path.read_bytes() == planted


def test_reset_replaces_the_demo_and_keeps_the_audit_trail(seeded):
    jobs = Job.objects.count()
    again = demo_seed(
        households=N + 10, seed=12, as_of=AS_OF, departments_dir=seeded.departments_dir, reset=True
    )
    assert again.created and again.removed["registry.household"] == N
    assert Household.objects.count() == N + 10
    assert Job.objects.count() == jobs + 1
    assert ChangeLog.objects.filter(action="delete", object_type="synth.demo").count() == 1
    assert User.objects.filter(username="demo_caseworker", is_active=True).count() == 1
    assert _planted(again)["households"] == N + 10


def test_the_command_prints_the_users_and_is_idempotent(db, tmp_path):
    out = StringIO()
    args = ["--households", "150", "--seed", "2", "--as-of", "2026-11-30", "--departments-dir", str(tmp_path)]
    call_command("seed-demo", *args, stdout=out)
    text = out.getvalue()
    for spec in DEMO_USERS:
        assert spec.username in text
    assert "Demo-pass-2026" in text
    out = StringIO()
    call_command("seed-demo", *args, stdout=out)
    assert "已存在" in out.getvalue()
    assert Household.objects.count() == 150


def test_chunked_loading_gives_the_same_rows(db, tmp_path):
    demo_seed(households=N, seed=4, as_of=AS_OF, departments_dir=tmp_path / "a", chunk_households=37)
    rows = sorted(Person.objects.values_list("name", "id_hash", "region_code"))
    ids = sorted(Person.objects.values_list("pk", flat=True))
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    demo_seed(households=N, seed=4, as_of=AS_OF, departments_dir=tmp_path / "b", reset=True)
    assert sorted(Person.objects.values_list("name", "id_hash", "region_code")) == rows
    assert (
        np.unique(list(Membership.objects.values_list("person_id", flat=True))).size
        == Membership.objects.count()
    )


@pytest.mark.django_db(transaction=True)
def test_worker_processes_write_the_same_rows_as_a_single_process(tmp_path, monkeypatch):
    from safetynet.synth import services

    single = demo_seed(households=400, seed=8, as_of=AS_OF, departments_dir=tmp_path / "a", workers=1)
    rows = sorted(Person.objects.values_list("name", "id_hash", "birth_date"))
    monkeypatch.setattr(services, "POOL_THRESHOLD", 0)
    pooled = demo_seed(
        households=400,
        seed=8,
        as_of=AS_OF,
        departments_dir=tmp_path / "b",
        workers=2,
        chunk_households=90,
        reset=True,
    )
    assert pooled.created
    assert sorted(Person.objects.values_list("name", "id_hash", "birth_date")) == rows
    assert Job.objects.get(pk=pooled.job_id).digest == Job.objects.get(pk=single.job_id).digest
    for name in D.DATASETS:
        a = pq.read_table(tmp_path / "a" / f"{name}.parquet")
        b = pq.read_table(tmp_path / "b" / f"{name}.parquet")
        assert a.equals(b), name
