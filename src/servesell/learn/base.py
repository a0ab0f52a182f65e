"""The base of every online learner: one offer's model of P(accept | features).

A learner sees sparse rows (see :mod:`servesell.learn.features`) and binary outcomes.
The base class does the shared work — validating input, counting evidence, clamping
probabilities, saving and restoring state — and subclasses implement the ``_`` methods.
Learners are registered by ``kind`` so a saved state names the class that reads it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import random

    from servesell.learn.features import SparseRow

EPS = 1e-6
"""Probabilities are kept inside ``[EPS, 1 - EPS]``."""

_REGISTRY: dict[str, type[Learner]] = {}


class Learner(ABC):
    """One offer's online propensity model; start it with :meth:`cold_start`."""

    kind: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.kind] = cls

    def __init__(self) -> None:
        self.n = 0
        self.positives = 0
        self.prior = 0.5

    def cold_start(self, prior: float, norm2: float) -> None:
        """Forget everything; predict ``prior`` for any row of squared norm ``norm2``."""
        if not 0.0 < prior < 1.0:
            raise ValueError(f"prior propensity must be in (0, 1), got {prior}")
        if norm2 <= 0:
            raise ValueError(f"squared norm of a row must be positive, got {norm2}")
        self.n = 0
        self.positives = 0
        self.prior = prior
        self._cold_start(prior, norm2)

    def learn_one(self, row: SparseRow, accepted: bool, ones: int = 0) -> None:
        """Update on one outcome of an offer made to the customer behind ``row``.

        ``ones`` says that the row's first ``ones`` values are 1.0 (a feature space's
        :attr:`~servesell.learn.features.FeatureSpace.unit_prefix`); a learner may use it
        to skip work, with the same result.
        """
        self._learn_one(row, bool(accepted))
        self.n += 1
        self.positives += bool(accepted)

    def predict_one(self, row: SparseRow) -> float:
        """Posterior mean probability of acceptance."""
        return _clamp(self._predict_one(row))

    def sample_one(self, row: SparseRow, rng: random.Random) -> float:
        """One draw of the acceptance probability from the posterior (for exploration)."""
        return _clamp(self._sample_one(row, rng))

    def uncertainty_one(self, row: SparseRow) -> float:
        """Posterior standard deviation of the linear score behind ``row`` (0 when known)."""
        return 0.0

    def clone(self) -> Learner:
        """A fresh learner with the same settings and nothing learned."""
        return type(self)(**self.params())

    def state(self) -> dict[str, Any]:
        """JSON-serialisable settings and learned state; see :func:`learner_from_state`."""
        return {
            "kind": self.kind,
            "params": self.params(),
            "n": self.n,
            "positives": self.positives,
            "prior": self.prior,
            "learned": self._state(),
        }

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The constructor arguments, so a clone is configured alike."""

    @abstractmethod
    def _cold_start(self, prior: float, norm2: float) -> None: ...

    @abstractmethod
    def _learn_one(self, row: SparseRow, accepted: bool) -> None: ...

    @abstractmethod
    def _predict_one(self, row: SparseRow) -> float: ...

    @abstractmethod
    def _sample_one(self, row: SparseRow, rng: random.Random) -> float: ...

    @abstractmethod
    def _state(self) -> dict[str, Any]: ...

    @abstractmethod
    def _restore(self, learned: dict[str, Any]) -> None: ...


def learner_from_state(state: dict[str, Any]) -> Learner:
    """Rebuild a learner saved by :meth:`Learner.state`."""
    try:
        cls = _REGISTRY[state["kind"]]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown learner kind {state.get('kind')!r} (known: {known})") from None
    learner = cls(**state["params"])
    learner.n = int(state["n"])
    learner.positives = int(state["positives"])
    learner.prior = float(state["prior"])
    learner._restore(state["learned"])
    return learner


def learner_kinds() -> list[str]:
    """The registered learner kinds, sorted."""
    return sorted(_REGISTRY)


def _clamp(p: float) -> float:
    return EPS if p < EPS else 1.0 - EPS if p > 1.0 - EPS else p
