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

    from servesell.domain.center import CallContext
    from servesell.domain.customer import Customer
    from servesell.domain.offer import Offer

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
    attrs = customer.attributes
    cells: dict[str, object] = {}
    for name in columns:
        if name in attrs:
            value = attrs[name]
            cells[name] = None if value is None else str(value)
        elif name.startswith("holds_"):
            cells[name] = "1" if name.removeprefix("holds_") in customer.holdings else "0"
        else:
            cells[name] = None
    return pd.DataFrame([cells], columns=columns, dtype=object)
