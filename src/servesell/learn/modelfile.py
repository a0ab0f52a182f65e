"""A trained batch model as the bytes of one file, and as the engine's propensity model.

Reading and writing the file happens at the edge (:mod:`servesell.ingest.modelfile`).

The file is a pickle of a small envelope (format name, version, the model) because the
fitted estimators are scikit-learn and LightGBM objects. Like any pickle it must only be
loaded from a source you trust: ``servesell model train`` writes it, the decision
engine reads it. :class:`BatchPropensity` scores a live customer by turning their
declared profile (and holdings, as ``holds_<product>`` 1/0 columns) into one table row.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from servesell.errors import InputFileError
from servesell.learn.batch import BatchModel

if TYPE_CHECKING:
    import random
    from collections.abc import Collection, Mapping, Sequence

    import numpy as np
    import pyarrow as pa

    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.offer import Offer
    from servesell.domain.schema import Value

FORMAT = "servesell-batch-model"
VERSION = 1
SAMPLE_STRENGTH = 50.0
"""Pseudo-observations behind a batch prediction when the engine samples around it."""


def dump_model(model: BatchModel) -> bytes:
    """``model`` in its envelope, as the bytes of a model file."""
    envelope = {"format": FORMAT, "version": VERSION, "model": model}
    return pickle.dumps(envelope, protocol=pickle.HIGHEST_PROTOCOL)


def load_model(data: bytes, *, source: str) -> BatchModel:
    """The model in bytes written by :func:`dump_model`; refuse anything else.

    ``source`` names where the bytes came from in the error (a file name).
    """
    try:
        envelope = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError) as exc:
        raise InputFileError(f"{source}: not a servesell model file ({exc})") from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
        raise InputFileError(f"{source}: not a servesell model file")
    if envelope.get("version") != VERSION:
        raise InputFileError(
            f"{source}: model file version {envelope.get('version')} is not supported "
            f"(expected {VERSION}); train it again"
        )
    model = envelope["model"]
    if not isinstance(model, BatchModel):
        raise InputFileError(f"{source}: not a servesell model file")
    return model


@dataclass(frozen=True, slots=True)
class BatchPropensity:
    """Batch models per offer id as a propensity model; other offers get their prior."""

    models: dict[str, BatchModel]

    def propensity(self, offer: Offer, customer: Customer, context: CallContext) -> float:
        """The offer's batch model on this customer's profile, else the offer's prior."""
        model = self.models.get(offer.id)
        if model is None:
            return offer.prior_propensity
        return float(model.predict(customer_row(customer, model.preparation.used))[0])

    def sample(
        self, offer: Offer, customer: Customer, context: CallContext, rng: random.Random
    ) -> float:
        """A Beta draw around the prediction, worth :data:`SAMPLE_STRENGTH` observations."""
        p = min(max(self.propensity(offer, customer, context), 1e-4), 1 - 1e-4)
        return rng.betavariate(p * SAMPLE_STRENGTH, (1 - p) * SAMPLE_STRENGTH)


def customer_row(customer: Customer, columns: list[str]) -> pd.DataFrame:
    """One text row over ``columns``: profile fields, ``holds_<product>`` as 1/0, else missing."""
    profile = {name: [value] for name, value in customer.attributes.items()}
    return profile_frame(profile, [customer.holdings], columns)


def profile_frame(
    profiles: Mapping[str, Sequence[Value]],
    holdings: Sequence[Collection[str]],
    columns: list[str],
) -> pd.DataFrame:
    """Many customers as the text table a batch model reads (one row per ``holdings`` item).

    ``profiles`` holds each profile field's values, row-aligned with ``holdings``. A
    column is the field's value as text, else ``holds_<product>`` as 1/0, else missing:
    the same cells :func:`customer_row` gives one live customer.
    """
    cells: dict[str, list[str | None]] = {}
    for name in columns:
        if name in profiles:
            cells[name] = [None if value is None else str(value) for value in profiles[name]]
        elif name.startswith("holds_"):
            product = name.removeprefix("holds_")
            cells[name] = ["1" if product in held else "0" for held in holdings]
        else:
            cells[name] = [None] * len(holdings)
    return pd.DataFrame(cells, columns=columns, dtype=object, index=range(len(holdings)))


def score_arrow(model: BatchModel, table: pa.Table, *, holdings: str = "holdings") -> np.ndarray:
    """The model's probability for every row of a batch-layout Arrow table (id, fields, holdings).

    Every column but ``id`` and ``holdings`` is read as a profile field.
    """
    profiles = {
        name: table.column(name).to_pylist()
        for name in table.column_names
        if name not in ("id", holdings)
    }
    held = [set(h or ()) for h in table.column(holdings).to_pylist()]
    return model.predict(profile_frame(profiles, held, model.preparation.used))
