"""The digital twin at the edge: scenario files and the world read here, runs done in ``sim/``.

A scenario is a shipped name (``bank``, ``telecom``, ``brand400``) or a YAML file; the
world is the scenario's synthetic business (``world:``, the bank's by default; the
telecom line sells the mobile operator's): its catalog and schema (the shipped YAML),
the production contact policy's defaults, and synthetic customers with their latent
propensities.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from servesell.decide import Catalog, ContactPolicy, PriorPropensity
from servesell.errors import InputFileError
from servesell.ingest.catalog import read_catalog
from servesell.ingest.schema import read_schema_file
from servesell.ingest.yamlfile import read_yaml
from servesell.sim import ScenarioSpec, World
from servesell.sim.engine import EPOCH
from servesell.synth import LatentPropensity
from servesell.synth import generate_customers as _customers
from servesell.synth.catalog import SCENARIOS, scenario_path
from servesell.synth.worlds import WORLDS

if TYPE_CHECKING:
    from servesell.domain.ports import PropensityModel


def load_spec(scenario: str) -> ScenarioSpec:
    """The scenario named ``scenario`` (shipped) or read from the YAML file at that path."""
    path = scenario_path(scenario) if scenario in SCENARIOS else Path(scenario)
    if scenario not in SCENARIOS and not path.is_file():
        known = ", ".join(SCENARIOS)
        raise InputFileError(f"{scenario}: no such scenario (shipped: {known}; or a YAML file)")
    try:
        return ScenarioSpec.model_validate(read_yaml(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(file)"
        raise InputFileError(f"{path}: {where}: {first['msg']}") from None


def build_world(
    spec: ScenarioSpec,
    *,
    seed: int = 1,
    customers: int | None = None,
    policy: ContactPolicy | None = None,
    model: PropensityModel | None = None,
    learn: bool = False,
) -> World:
    """The spec's world: its catalog, the policy and ``customers`` (default: the spec's) callers.

    ``learn`` gives the twin the service's adaptive model, knowing nothing yet (number
    bins fitted to the first callers, as ``servesell model`` does on the store), so
    every run learns from its own answers; otherwise ``model`` (default: offer priors).
    """
    world = WORLDS[spec.world]
    schema = read_schema_file(world.schema_path)
    offers = read_catalog(world.catalog_path, schema).offers
    n = customers or spec.customers
    people = _customers(n, seed=seed, as_of=EPOCH.date(), portfolio=world.portfolio)
    if learn:
        from servesell.learn.adaptive import AdaptivePropensity
        from servesell.service.learning import SAMPLE

        sample = people[:SAMPLE]
        model = AdaptivePropensity.for_customers(schema, sample, at=EPOCH.date(), seed=seed)
    return World(
        Catalog(offers, schema),
        people,
        LatentPropensity(tastes=world.tastes),
        policy or ContactPolicy(),
        model or PriorPropensity(),
    )
