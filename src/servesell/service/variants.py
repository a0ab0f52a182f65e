"""Script variants from the front line: propose, review, allocate, compare, promote.

An agent proposes a variant of an offer's script from the desktop; a supervisor activates
or rejects it (audited). In every logged screen pop each shown offer whose script has live
variants in the caller's language is given one by Thompson sampling
(:mod:`servesell.learn.script_bandit`) in the decision's transaction, with the probability
it had and every live arm's probability, so comparisons are unbiased. A variant that is
the best with probability ≥ 0.95 after enough calls is promoted (its evidence kept) and
the others retired; the best-practice page lists the winners and the objection answers.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from servesell.decide import render_script
from servesell.domain import LANGUAGES
from servesell.domain.decision import DECLINE_REASONS
from servesell.domain.variant import (
    STANDARD,
    Allocation,
    ScriptVariant,
    VariantKind,
    VariantStatus,
)
from servesell.errors import FrontlineError
from servesell.learn.script_bandit import (
    MIN_SHOWN,
    Arm,
    LoggedAllocation,
    VariantEstimate,
    draw,
    prob_best,
    thompson_probabilities,
    variant_estimates,
    winner,
)
from servesell.store.audit import audit
from servesell.store.db import write_transaction
from servesell.store.offers import get_offer, list_offers
from servesell.store.variants import (
    allocation_log,
    arm_counts,
    get_variant,
    insert_allocations,
    insert_variant,
    list_variants,
    live_pitches,
    set_status,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection
    from sqlalchemy import Engine as Database

    from servesell.domain import Customer, Decision, Offer

REVIEW = {"activate": VariantStatus.ACTIVE, "reject": VariantStatus.REJECTED,
          "retire": VariantStatus.RETIRED}  # fmt: skip
"""What a supervisor may do to a variant, and the status it leads to."""
LIVE = (VariantStatus.ACTIVE, VariantStatus.PROMOTED)
_FROM = {
    "activate": (VariantStatus.PROPOSED, VariantStatus.RETIRED),
    "reject": (VariantStatus.PROPOSED,),
    "retire": (VariantStatus.ACTIVE, VariantStatus.PROMOTED),
}


def propose(
    db: Database,
    *,
    offer_id: str,
    language: str,
    text: str,
    author: str,
    decline_reason: str | None = None,
    at: dt.datetime | None = None,
) -> ScriptVariant:
    """Keep an agent's proposal (a pitch, or with ``decline_reason`` an objection answer)."""
    if language not in LANGUAGES:
        raise FrontlineError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    if decline_reason is not None and decline_reason not in DECLINE_REASONS:
        raise FrontlineError(
            f"decline reason {decline_reason!r} is not one of {', '.join(DECLINE_REASONS)}"
        )
    try:
        variant = ScriptVariant(
            id=f"v-{secrets.token_hex(6)}",
            offer_id=offer_id,
            language=language,
            text=text.strip(),
            author=author,
            proposed_at=at or dt.datetime.now(dt.UTC),
            kind=VariantKind.OBJECTION if decline_reason else VariantKind.PITCH,
            decline_reason=decline_reason,
        )
    except ValueError as exc:
        raise FrontlineError(f"offer {offer_id!r}: {exc}") from exc
    with write_transaction(db) as conn:
        get_offer(conn, offer_id)
        insert_variant(conn, variant)
        audit(conn, actor=author, action="propose", entity="script_variant",
              entity_id=variant.id, before=None, after=_public(variant))  # fmt: skip
    return variant


def review(
    db: Database, variant_id: str, action: str, *, by: str, at: dt.datetime | None = None
) -> ScriptVariant:
    """A supervisor's ``activate``, ``reject`` or ``retire`` of a variant (audited)."""
    if action not in REVIEW:
        raise FrontlineError(f"unknown review action {action!r}; use {', '.join(REVIEW)}")
    with write_transaction(db) as conn:
        variant = get_variant(conn, variant_id)
        if variant.status not in _FROM[action]:
            raise FrontlineError(f"variant {variant_id} is {variant.status.value}: cannot {action}")
        set_status(conn, variant_id, REVIEW[action], by=by, at=at or dt.datetime.now(dt.UTC))
        audit(conn, actor=by, action=action, entity="script_variant", entity_id=variant_id,
              before=variant.status.value, after=REVIEW[action].value)  # fmt: skip
        return get_variant(conn, variant_id)


RECHECK_SECONDS = 0.5
"""How stale a worker's list of live variants may be (other workers' reviews)."""


class LiveVariants:
    """A worker's list of live pitch variants, re-read at most every half second.

    The screen pop must not query the variants on every call (it is the hot path,
    ``bench/decide.py``); a review in this worker calls :meth:`invalidate`, other workers
    see it within :data:`RECHECK_SECONDS`.
    """

    def __init__(self, recheck_seconds: float = RECHECK_SECONDS) -> None:
        self.recheck_seconds = recheck_seconds
        self._by: dict[tuple[str, str], list[ScriptVariant]] = {}
        self._read_at: float | None = None

    def invalidate(self) -> None:
        """Read the variants again on the next call."""
        self._read_at = None

    def of(self, conn: Connection, offer_ids: list[str], language: str) -> list[ScriptVariant]:
        """The live pitch variants of ``offer_ids`` in ``language``."""
        now = time.monotonic()
        if self._read_at is None or now - self._read_at >= self.recheck_seconds:
            by: dict[tuple[str, str], list[ScriptVariant]] = {}
            for v in live_pitches(conn):
                by.setdefault((v.offer_id, v.language), []).append(v)
            self._by, self._read_at = by, now
        return [v for o in offer_ids for v in self._by.get((o, language), ())]


def allocate_scripts(
    conn: Connection,
    decision: Decision,
    offers: Mapping[str, Offer],
    customer: Customer,
    language: str,
    *,
    live: LiveVariants,
) -> dict[str, str]:
    """Give each shown offer with live variants one by Thompson sampling, logged.

    Returns the filled script per offer that got a variant (others keep the standard).
    The draw is seeded by the decision and offer id, so a replay allocates the same way.
    """
    shown = [c.offer_id for c in decision.shown if c.offer_id in offers]
    variants = live.of(conn, shown, language) if shown else []
    if not variants:
        return {}
    counts = arm_counts(conn, shown, language)
    scripts: dict[str, str] = {}
    logged: list[tuple[Allocation, str, Mapping[str, float]]] = []
    for offer_id in shown:
        mine = [v for v in variants if v.offer_id == offer_id]
        if not mine:
            continue
        arms = _arms(offer_id, mine, counts)
        rng = random.Random(f"{decision.id}:{offer_id}")
        prior = offers[offer_id].prior_propensity
        probs = thompson_probabilities(arms, prior=prior)
        chosen, p = draw(arms, probs, rng)
        table = {a.variant_id: q for a, q in zip(arms, probs, strict=True)}
        logged.append((Allocation(decision.id, offer_id, chosen, p), language, table))
        text = next((v.text for v in mine if v.id == chosen), None)
        if text is not None:
            scripts[offer_id] = render_script(text, customer)
    insert_allocations(conn, logged)
    return scripts


def _arms(
    offer_id: str,
    variants: list[ScriptVariant],
    counts: Mapping[tuple[str, str], tuple[int, int]],
) -> list[Arm]:
    """The live arms: the standard script unless a variant was promoted, and the variants."""
    ids = [v.id for v in variants]
    if not any(v.status is VariantStatus.PROMOTED for v in variants):
        ids.insert(0, STANDARD)
    return [Arm(i, *counts.get((offer_id, i), (0, 0))) for i in ids]


def variant_text(conn: Connection, variant_id: str) -> str | None:
    """The text of an allocated variant (``None`` for the standard script)."""
    return None if variant_id == STANDARD else get_variant(conn, variant_id).text


@dataclass(frozen=True, slots=True)
class VariantReport:
    """How an offer's live pitch variants compare in one language."""

    offer_id: str
    language: str
    estimates: tuple[VariantEstimate, ...]
    prob_best: dict[str, float]
    winner: str | None


def compare(
    conn: Connection, offer: Offer, language: str, *, min_shown: int = MIN_SHOWN
) -> VariantReport:
    """Take-up per variant (Wilson 95% and the IPS estimate with its 95%), and P(best).

    ``winner`` is the variant that is best with probability ≥ 0.95 once every live arm has
    ``min_shown`` calls with an outcome.
    """
    log = [
        LoggedAllocation(tuple(arms), tuple(arms.values()), shown, result == "accepted")
        for arms, shown, result in allocation_log(conn, offer.id, language)
        if result in ("accepted", "declined")
    ]
    estimates = variant_estimates(log)
    live = live_pitches(conn, [offer.id], language)
    arms = _arms(offer.id, live, arm_counts(conn, [offer.id], language)) if live else []
    known = {e.variant_id for e in estimates}
    estimates += [_no_outcomes(a.variant_id) for a in arms if a.variant_id not in known]
    best = prob_best(arms, prior=offer.prior_propensity) if arms else []
    won = winner(arms, prior=offer.prior_propensity, min_shown=min_shown) if arms else None
    return VariantReport(
        offer.id,
        language,
        tuple(estimates),
        {a.variant_id: p for a, p in zip(arms, best, strict=True)},
        won[0] if won else None,
    )


def _no_outcomes(variant_id: str) -> VariantEstimate:
    """A live variant without a recorded outcome yet (shown as such, not as 0%)."""
    nan = math.nan
    return VariantEstimate(variant_id, 0, 0, nan, nan, nan, nan, nan, nan)


def promote_winners(
    db: Database, *, by: str, at: dt.datetime | None = None, min_shown: int = MIN_SHOWN
) -> list[str]:
    """Promote every variant that wins with enough evidence; returns what was promoted.

    The winner's evidence (calls, sales, rate, interval, P(best)) is kept on it; the other
    live variants of the offer and language are retired. When the standard script wins,
    the challengers are retired and the evidence is kept in the audit log.
    """
    at = at or dt.datetime.now(dt.UTC)
    promoted: list[str] = []
    with write_transaction(db) as conn:
        for offer in list_offers(conn):
            for language in LANGUAGES:
                won = _promote(conn, offer, language, by=by, at=at, min_shown=min_shown)
                promoted.extend([won] if won else [])
    return promoted


def _promote(
    conn: Connection, offer: Offer, language: str, *, by: str, at: dt.datetime, min_shown: int
) -> str | None:
    live = live_pitches(conn, [offer.id], language)
    if not live or any(v.status is VariantStatus.PROMOTED for v in live):
        return None
    report = compare(conn, offer, language, min_shown=min_shown)
    if report.winner is None:
        return None
    est = next(e for e in report.estimates if e.variant_id == report.winner)
    evidence = {"shown": est.shown, "accepted": est.accepted, "rate": est.rate,
                "low": est.low, "high": est.high, "ips": est.ips,
                "prob_best": report.prob_best[report.winner]}  # fmt: skip
    for v in live:
        if v.id == report.winner:
            set_status(conn, v.id, VariantStatus.PROMOTED, by=by, at=at, evidence=evidence)
        else:
            set_status(conn, v.id, VariantStatus.RETIRED, by=by, at=at)
    audit(conn, actor=by, action="promote", entity="script_variant",
          entity_id=f"{offer.id}:{language}:{report.winner}", before=None,
          after=evidence)  # fmt: skip
    return f"{offer.id}:{language}:{report.winner}"


@dataclass(frozen=True, slots=True)
class BestPractice:
    """The winning scripts (with who wrote them) and objection answers by decline reason."""

    winners: tuple[ScriptVariant, ...]
    objections: dict[str, tuple[ScriptVariant, ...]]


def best_practice(conn: Connection, language: str | None = None) -> BestPractice:
    """What the best-practice meeting spreads: promoted pitches, live objection answers."""
    winners = list_variants(conn, statuses=(VariantStatus.PROMOTED,), kind=VariantKind.PITCH,
                            language=language)  # fmt: skip
    answers = list_variants(conn, statuses=LIVE, kind=VariantKind.OBJECTION, language=language)
    by_reason: dict[str, list[ScriptVariant]] = {}
    for v in answers:
        by_reason.setdefault(v.decline_reason or "", []).append(v)
    return BestPractice(tuple(winners), {k: tuple(v) for k, v in sorted(by_reason.items())})


def objection_answers(
    conn: Connection, offer_id: str, decline_reason: str, language: str
) -> list[ScriptVariant]:
    """Live answers to ``decline_reason`` for an offer, for the agent to see after a no."""
    return [
        v
        for v in list_variants(conn, offer_id=offer_id, kind=VariantKind.OBJECTION, statuses=LIVE)
        if v.decline_reason == decline_reason and v.language == language
    ]


def _public(v: ScriptVariant) -> dict[str, str | None]:
    return {"offer_id": v.offer_id, "language": v.language, "kind": v.kind.value,
            "decline_reason": v.decline_reason, "text": v.text}  # fmt: skip
