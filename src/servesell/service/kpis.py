"""KPIs of a time window, whole or per group, for the API, the dashboard and the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from servesell.report.kpis import kpis
from servesell.store import list_offers
from servesell.store.reporting import tallies

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy import Connection

    from servesell.report.costs import CostModel
    from servesell.report.kpis import Kpis


def kpis_by(
    conn: Connection,
    *,
    tz: dt.tzinfo,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    group_by: str | None = None,
    costs: CostModel | None = None,
) -> dict[str, Kpis]:
    """KPIs of decisions made in [since, until) per group key (``{"all": ...}`` ungrouped).

    ``costs`` prices the money KPIs (default: :class:`~servesell.report.costs.CostModel`'s).
    """
    catalog = {o.id: o for o in list_offers(conn)}
    groups = tallies(conn, catalog, since=since, until=until, group_by=group_by, tz=tz)
    return {group: kpis(t, group, costs) for group, t in groups.items()}
