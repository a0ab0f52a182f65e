"""What the decision log adds up to: KPIs, one documented definition each."""

from servesell.report.kpis import TOTAL, Kpis, Tallies, kpis

__all__ = ["TOTAL", "Kpis", "Tallies", "kpis"]
