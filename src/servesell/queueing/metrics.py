"""What an Erlang formula predicts for one queue: the figures a supervisor watches."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class QueueMetrics:
    """Steady-state performance of a queue with ``agents`` agents.

    ``p_wait`` is the share of calls that wait at all; ``asa_seconds`` the mean wait over
    all offered calls (abandoners included, as in the published Erlang A vectors; for
    Erlang C every call is answered so it is the classic ASA); ``service_level`` the
    share answered within the target seconds, abandoners counting as failures;
    ``occupancy`` the share of agent time spent handling calls; ``abandon_share`` the
    share of calls that hang up before an answer (``None`` for Erlang C).
    """

    agents: int
    p_wait: float
    asa_seconds: float
    service_level: float
    occupancy: float
    abandon_share: float | None = None

    def as_dict(self) -> dict[str, float]:
        """The figures as a flat mapping (``abandon_share`` only when modelled)."""
        out = {k: v for k, v in asdict(self).items() if v is not None and k != "agents"}
        return {k: float(v) for k, v in out.items()}
