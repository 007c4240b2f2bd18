"""The vectorised path: a million households in one simulation, built from integer arrays.

The adapter (or a benchmark) passes column arrays, one value per person and one per household:

- ``persons["household_index"]``: the household's position (0 … H-1) for each person;
- ``persons["role"]``: 0 head, 1 other member, 2 legal supporter living elsewhere;
- every other key of ``persons`` / ``households`` is an input variable of that entity
  (person facts; household facts and regional standards, one value per household). Enumerations
  take integer codes (the position in the enumeration) or their names.

``compute_batch`` returns, per household and program, the result, the amount and a bitmask of
the tests that failed (bit *k* = ``programs.BY_KEY[key].checks[k]``, decoded by
``failed_codes``). No explanation text is built here.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from openfisca_core.indexed_enums import Enum
from openfisca_core.simulations import Simulation

from openfisca_cn_assistance import tax_benefit_system
from openfisca_cn_assistance.programs import BY_KEY, PROGRAM_KEYS, Program
from openfisca_cn_assistance.standards import REQUIRED as REQUIRED_STANDARDS

ROLE_CODES = {"head": 0, "member": 1, "supporter": 2}


class BatchInputError(ValueError):
    """The arrays are not usable; the message names every bad column."""


@dataclass
class ProgramResult:
    eligible: np.ndarray
    amount: np.ndarray | None
    failed: np.ndarray  # uint32 bitmask of failed checks


@dataclass
class BatchResult:
    period: str
    households: dict[str, ProgramResult]
    persons: dict[str, ProgramResult] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def failed_codes(self, program: str, mask: int) -> list[str]:
        """The codes of the checks set in ``mask`` (one value of ``households[program].failed``)."""
        return [check.code for bit, check in enumerate(BY_KEY[program].checks) if int(mask) >> bit & 1]

    def columns(self) -> dict[str, np.ndarray]:
        """Flat household columns (``dibao_eligible``, ``dibao_amount``, ``dibao_failed``…) for Arrow/Parquet."""
        out: dict[str, np.ndarray] = {}
        for key, result in self.households.items():
            out[f"{key}_eligible"] = result.eligible
            if result.amount is not None:
                out[f"{key}_amount"] = result.amount
            out[f"{key}_failed"] = result.failed
        return out


def _check_inputs(persons: Mapping, households: Mapping, tbs) -> tuple[int, int]:
    problems = []
    for key in ("household_index", "role"):
        if key not in persons:
            problems.append(f"persons[{key!r}] is missing")
    for name in REQUIRED_STANDARDS:
        if name not in households:
            problems.append(f"households[{name!r}] is missing (required regional standard)")
    if problems:
        raise BatchInputError("; ".join(problems))
    n_persons = len(persons["household_index"])
    lengths = {len(v) for v in households.values()}
    if len(lengths) > 1:
        problems.append(f"household columns differ in length: {sorted(lengths)}")
    n_households = lengths.pop() if lengths else 0
    for entity, columns, count in (("person", persons, n_persons), ("household", households, n_households)):
        for name, column in columns.items():
            if entity == "person" and name in ("household_index", "role"):
                continue
            variable = tbs.variables.get(name)
            if variable is None or variable.entity.key != entity:
                problems.append(f"{entity}s[{name!r}] is not a {entity} variable")
            elif len(column) != count:
                problems.append(f"{entity}s[{name!r}] has {len(column)} values, expected {count}")
    index = np.asarray(persons["household_index"])
    if n_persons and (index.min() < 0 or index.max() >= n_households):
        problems.append(f"persons['household_index'] must be within 0…{n_households - 1}")
    if n_households and np.bincount(index, minlength=n_households).min() == 0:
        problems.append("every household needs at least one person")
    if problems:
        raise BatchInputError("; ".join(problems))
    return n_persons, n_households


def build_simulation(
    persons: Mapping[str, np.ndarray], households: Mapping[str, np.ndarray], period: str
) -> Simulation:
    """One OpenFisca simulation holding every household, built from arrays (no per-entity objects)."""
    tbs = tax_benefit_system()
    n_persons, n_households = _check_inputs(persons, households, tbs)
    populations = tbs.instantiate_entities()
    person_population = populations["person"]
    person_population.ids = np.arange(n_persons)
    person_population.count = n_persons
    household_population = populations["household"]
    household_population.ids = np.arange(n_households)
    household_population.count = n_households
    household_population.members_entity_id = np.asarray(persons["household_index"], dtype=np.int64)
    roles = np.array(household_population.entity.flattened_roles, dtype=object)
    household_population.members_role = roles[np.asarray(persons["role"], dtype=np.int64)]
    simulation = Simulation(tbs, populations)
    for columns in (persons, households):
        for name, column in columns.items():
            if name in ("household_index", "role"):
                continue
            simulation.set_input(name, period, np.asarray(column))
    # Inputs not supplied hold their default: a zero-stride view of one value costs no memory
    # (OpenFisca would otherwise fill a full array for each). Formulas never write in place.
    for name, variable in tbs.variables.items():
        supplied = persons if variable.entity.key == "person" else households
        if name in supplied or not variable.is_input_variable():
            continue
        count = person_population.count if variable.entity.key == "person" else n_households
        default = np.array(
            variable.default_value.index if variable.value_type is Enum else variable.default_value
        )
        simulation.set_input(name, period, np.broadcast_to(default.astype(variable.dtype), (count,)))
    return simulation


def _mask(simulation, program: Program, period: str) -> np.ndarray:
    mask = np.zeros(simulation.populations[program.entity].count, dtype=np.uint32)
    for bit, check in enumerate(program.checks):
        failed = np.logical_not(simulation.calculate(check.passed, period)).astype(np.uint32) << np.uint32(
            bit
        )
        mask |= failed
    return mask


def _household_of_persons(simulation, program: Program, period: str, person: ProgramResult) -> ProgramResult:
    """Person programs: eligible if a member is, the members' amounts summed, and the checks that
    every counted member failed."""
    population = simulation.populations["household"]
    household = population.members_entity_id
    n = population.count
    counted = simulation.calculate("is_counted_member", period)
    h = household[counted]
    members = np.bincount(h, minlength=n)
    eligible = np.bincount(h, weights=person.eligible[counted], minlength=n) > 0
    amount = None
    if person.amount is not None:
        amount = np.bincount(h, weights=person.amount[counted], minlength=n)
    failed = np.zeros(n, dtype=np.uint32)
    for bit in range(len(program.checks)):
        fails = (person.failed[counted] >> np.uint32(bit)) & np.uint32(1)
        all_failed = (np.bincount(h, weights=fails, minlength=n) == members) & (members > 0)
        failed |= all_failed.astype(np.uint32) << np.uint32(bit)
    return ProgramResult(eligible, amount, failed)


def compute(simulation, period: str, programs: Iterable[str] | None = None) -> BatchResult:
    """Compute every program on a built simulation."""
    result = BatchResult(period, {}, {})
    for key in programs or PROGRAM_KEYS:
        program = BY_KEY[key]
        eligible = np.asarray(simulation.calculate(program.eligible, period))
        amount = np.asarray(simulation.calculate(program.amount, period)) if program.amount else None
        own = ProgramResult(eligible, amount, _mask(simulation, program, period))
        if program.entity == "person":
            result.persons[key] = own
            result.households[key] = _household_of_persons(simulation, program, period, own)
        else:
            result.households[key] = own
    return result


def compute_batch(
    persons: Mapping[str, np.ndarray],
    households: Mapping[str, np.ndarray],
    period: str,
    programs: Iterable[str] | None = None,
) -> BatchResult:
    """Build the simulation from arrays and compute every program; ``timings`` has build and compute."""
    start = time.perf_counter()
    simulation = build_simulation(persons, households, period)
    built = time.perf_counter()
    result = compute(simulation, period, programs)
    result.timings = {"build": built - start, "compute": time.perf_counter() - built}
    return result
