"""A campaign evaluated from the store: its units, the service it cost, the verdict.

The service guardrail is computed, not observed (the log keeps no waits): Erlang A at the
peak hour of the campaign's own days, with the handle time seen and with that handle time
less the campaign's talk per call, on the staffing the queues report (else what the
target needs without the campaign).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from servesell.campaigns.evaluate import CampaignEvaluation, ServiceImpact, evaluate
from servesell.errors import CampaignError
from servesell.queueing.abandonment import erlang_a
from servesell.queueing.load import Load, Target
from servesell.queueing.staffing import agents_required
from servesell.store import list_offers, load_gate_settings, load_schema
from servesell.store.campaign_units import campaign_units
from servesell.store.campaigns import get_campaign
from servesell.store.load_history import load_history
from servesell.store.queues import list_queue_states

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Connection

    from servesell.campaigns.evaluate import Unit
    from servesell.domain.campaign import CampaignRecord
    from servesell.report.costs import CostModel

DEFAULT_SEGMENT = "segment"


def evaluate_campaign(
    conn: Connection,
    campaign_id: str,
    costs: CostModel,
    *,
    tz: dt.tzinfo,
    currency: str = "CNY",
    now: dt.datetime | None = None,
    segment: str | None = DEFAULT_SEGMENT,
) -> CampaignEvaluation:
    """Evaluate ``campaign_id`` from its start to its end (or now, or its last day's end)."""
    record = get_campaign(conn, campaign_id)
    now = now or dt.datetime.now(dt.UTC)
    window = record.window(now)
    if window is None:
        raise CampaignError("it has not started yet: nothing to evaluate", campaign_id=campaign_id)
    since, until = window
    if record.campaign.ends_on is not None:  # still running after its last day: stop there
        last = record.campaign.ends_on + dt.timedelta(days=1)
        until = max(since, min(until, dt.datetime.combine(last, dt.time(0), tzinfo=tz)))
    segment = _segment_field(conn, segment)
    offers = {o.id: o for o in list_offers(conn)}
    units = campaign_units(conn, record, offers, until=until, segment=segment)
    days = max((until - since).total_seconds() / 86_400, 1 / 24)
    evaluation = evaluate(
        units,
        control_share=record.campaign.control_share,
        costs=costs,
        days=round(days, 2),
        budget=record.campaign.budget,
        service=service_impact(conn, record, units, since=since, until=until, tz=tz),
    )
    referrals = [o for o in record.campaign.offers if o in offers and offers[o].is_referral]
    if referrals:
        evaluation.notes.append(
            f"referral offers ({', '.join(referrals)}) convert when the specialist completes "
            "the hand-over within the offer's N days, not on the yes"
        )
    return CampaignEvaluation(record, since, until, segment, evaluation, currency)


def running_campaigns(
    conn: Connection, costs: CostModel, *, tz: dt.tzinfo, currency: str = "CNY"
) -> list[CampaignEvaluation]:
    """Every running campaign evaluated so far (what the supervisor watches)."""
    from servesell.domain.campaign import CampaignState
    from servesell.store.campaigns import list_campaigns

    return [
        evaluate_campaign(conn, r.id, costs, tz=tz, currency=currency)
        for r in list_campaigns(conn, states=(CampaignState.RUNNING,))
    ]


def service_impact(
    conn: Connection,
    record: CampaignRecord,
    units: list[Unit],
    *,
    since: dt.datetime,
    until: dt.datetime,
    tz: dt.tzinfo,
) -> ServiceImpact | None:
    """Peak-hour service level with and without the campaign's talk (module doc)."""
    history = load_history(conn, since=since, until=until, tz=tz)
    if history is None:
        return None
    added = sum(u.added_seconds for u in units) / history.calls
    gate = load_gate_settings(conn)
    targets = record.campaign.targets
    target = Target(targets.service_level, targets.service_seconds)
    with_talk = Load(history.peak_calls_per_hour, history.aht_seconds)
    without = with_talk.with_aht(max(history.aht_seconds - added, 1.0))
    staffed = sum(s.agents_staffed for s in list_queue_states(conn))
    agents = staffed or agents_required(without, target, patience_seconds=gate.patience_seconds)
    before = erlang_a(without, agents, target.seconds, gate.patience_seconds)
    after = erlang_a(with_talk, agents, target.seconds, gate.patience_seconds)
    return ServiceImpact(
        calls_per_hour=round(history.peak_calls_per_hour, 1),
        aht_seconds=round(history.aht_seconds, 1),
        added_seconds_per_call=round(added, 2),
        agents=agents,
        target_level=target.level,
        target_seconds=target.seconds,
        service_level_without=before.service_level,
        service_level_with=after.service_level,
        abandon_without=before.abandon_share or 0.0,
        abandon_with=after.abandon_share or 0.0,
    )


def write_report(
    ce: CampaignEvaluation, out: Path, *, made_at: dt.datetime | None = None
) -> list[Path]:
    """Write ``report.html``, ``report.json`` and ``charts/*.png`` into ``out``; the paths."""
    from servesell.report.campaign_charts import campaign_charts
    from servesell.report.campaign_report import report_html, report_json

    charts = campaign_charts(ce)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    written = []
    for name, png in charts.items():
        path = out / "charts" / f"{name}.png"
        path.write_bytes(png)
        written.append(path)
    made_at = made_at or dt.datetime.now(dt.UTC)
    html = out / "report.html"
    html.write_text(report_html(ce, list(charts), made_at=made_at), encoding="utf-8")
    twin = out / "report.json"
    data = report_json(ce)
    twin.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [html, twin, *written]


def _segment_field(conn: Connection, segment: str | None) -> str | None:
    if segment is None:
        return None
    schema = load_schema(conn)
    names = {f.name for f in schema.fields} if schema else set()
    if segment in names:
        return segment
    if segment == DEFAULT_SEGMENT:
        return None
    raise CampaignError(f"there is no profile field {segment!r} to segment by")
