"""Script variants in the synthetic bank: proposed, activated, allocated by the bandit, compared.

The acceptance test of issue 21: two variants with different true take-up share the calls
of the small bank through ``CallDesk.screen_pop``; the better one ends with most of the
calls, and the logged probabilities give an unbiased (IPS) estimate of each.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from servesell.decide import ContactPolicy
from servesell.decide.policy import Caps
from servesell.domain import CallContext, Outcome, OutcomeResult
from servesell.domain.variant import STANDARD, VariantStatus
from servesell.errors import FrontlineError
from servesell.service.engines import LiveEngine
from servesell.service.screen import CallDesk
from servesell.service.variants import (
    best_practice,
    compare,
    objection_answers,
    promote_winners,
    propose,
    review,
)
from servesell.store import get_offer, open_db, save_policy
from servesell.store.variants import allocations_of
from support.center import fill_small_bank

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy import Engine

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
REASON = "billing_inquiry"
TRUTH = {STANDARD: 0.05, "better": 0.35}


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('variants') / 'bank.db'}"
    fill_small_bank(url, customers=200)
    db = open_db(url)
    no_limits = ContactPolicy(explore_share=0.0, cool_down_days_offer=0, cool_down_days_global=0,
                              accepted_memory_days=0, caps=Caps(per_day=None, per_week=None,
                              per_month=None))  # fmt: skip
    with db.begin() as conn:
        save_policy(conn, no_limits)
    yield db
    db.dispose()


def _most_shown(desk: CallDesk) -> tuple[str, list[str]]:
    """The offer shown most often in the bank and the customers it is shown to."""
    shown: dict[str, list[str]] = {}
    for i in range(1, 201):
        customer_id = f"C{i:07d}"
        pop = desk.screen_pop(customer_id, CallContext(at=AT, reason=REASON), log=False)
        for c in pop.decision.shown:
            shown.setdefault(c.offer_id, []).append(customer_id)
    offer_id = max(shown, key=lambda k: len(shown[k]))
    return offer_id, shown[offer_id]


def test_the_better_variant_gets_most_calls_and_ips_estimates_each(bank: Engine) -> None:
    desk = CallDesk(bank, LiveEngine(tz=dt.UTC, seed=0))
    offer_id, customers = _most_shown(desk)
    variant = propose(bank, offer_id=offer_id, language="zh", text="换个说法：{name}",
                      author="a1", at=AT)  # fmt: skip
    review(bank, variant.id, "activate", by="sup1", at=AT)
    desk.variants.invalidate()  # what the web and API routes do after a review
    truth = {STANDARD: TRUTH[STANDARD], variant.id: TRUTH["better"]}
    rng = random.Random(21)
    got: Counter[str] = Counter()
    for i in range(240):
        at = AT + dt.timedelta(minutes=2 * i)
        context = CallContext(at=at, reason=REASON, agent_id="a1", call_id=f"v{i}")
        pop = desk.screen_pop(customers[i % len(customers)], context)
        if offer_id not in {c.offer_id for c in pop.decision.shown}:
            continue
        with bank.connect() as conn:
            shown = allocations_of(conn, pop.decision.id)[offer_id]
        if shown == variant.id:
            assert pop.scripts[offer_id].startswith("换个说法")
        got[shown] += 1
        result = OutcomeResult.ACCEPTED if rng.random() < truth[shown] else OutcomeResult.DECLINED
        desk.record(Outcome(pop.decision.id, offer_id, result, at))
    assert got[variant.id] > 3 * got[STANDARD] > 0
    with bank.connect() as conn:
        report = compare(conn, get_offer(conn, offer_id), "zh")
    for e in report.estimates:
        assert e.ips_low <= truth[e.variant_id] <= e.ips_high, e
        assert e.low <= e.rate <= e.high
    assert report.prob_best[variant.id] > 0.9

    assert promote_winners(bank, by="sup1", min_shown=10) == [f"{offer_id}:zh:{variant.id}"]
    with bank.connect() as conn:
        practice = best_practice(conn, "zh")
    (promoted,) = practice.winners
    assert (promoted.id, promoted.author, promoted.status) == (
        variant.id,
        "a1",
        VariantStatus.PROMOTED,
    )
    assert promoted.evidence is not None
    assert promoted.evidence["prob_best"] >= 0.95
    assert promoted.evidence["shown"] == got[variant.id]


def test_a_proposal_is_not_live_until_a_supervisor_activates_it(bank: Engine) -> None:
    variant = propose(bank, offer_id="car_loan", language="en", text="Say it so.", author="a2")
    assert variant.status is VariantStatus.PROPOSED
    rejected = review(bank, variant.id, "reject", by="sup1")
    assert rejected.status is VariantStatus.REJECTED
    with pytest.raises(FrontlineError, match="cannot activate"):
        review(bank, variant.id, "activate", by="sup1")


def test_objection_answers_are_listed_by_decline_reason(bank: Engine) -> None:
    answer = propose(bank, offer_id="car_loan", language="zh", text="分期手续费可以减免",
                     author="a3", decline_reason="too_expensive")  # fmt: skip
    review(bank, answer.id, "activate", by="sup1")
    with bank.connect() as conn:
        assert [v.id for v in objection_answers(conn, "car_loan", "too_expensive", "zh")] == [
            answer.id
        ]
        assert objection_answers(conn, "car_loan", "not_interested", "zh") == []
        assert best_practice(conn).objections["too_expensive"][0].author == "a3"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"language": "fr"}, "language"),
        ({"decline_reason": "because"}, "decline reason"),
        ({"text": "   "}, "needs a text"),
    ],
)
def test_invalid_proposals_say_what_is_wrong(
    bank: Engine, fields: dict[str, str], message: str
) -> None:
    args = {"offer_id": "car_loan", "language": "en", "text": "Fine.", "author": "a1"} | fields
    with pytest.raises(FrontlineError, match=message):
        propose(bank, **args)
