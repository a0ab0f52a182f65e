"""Where a channel's shift learner starts: a message converts at its share of the call.

A message's score is the offer's in-call score plus the channel's learned shift (see
:meth:`~servesell.learn.adaptive.AdaptivePropensity.channel_propensity`). Before any
answer on the channel, the shift is set so that an offer taken by 10% in the call is
taken by ``10% × share`` on the channel (:data:`~servesell.domain.offer.DIGITAL_TAKE_UP_SHARE`).
"""

from __future__ import annotations

import math
from statistics import NormalDist

from servesell.learn.bayes_probit import BayesProbit

TYPICAL_PRIOR = 0.1
"""The in-call take-up at which a channel's starting shift gives exactly its share."""
SHIFT_VARIANCE = 0.5
"""A channel's shift weights start with half the offer weights' prior variance."""


def probit_shift(template: BayesProbit, shift: BayesProbit, norm2: float, share: float) -> float:
    """The starting shift that turns take-up 0.1 in the call into ``0.1 × share``.

    Exact for an offer whose in-call learner is cold at prior 0.1, close for others.
    """
    inv = NormalDist().inv_cdf
    offer_var = template.bias_variance + (norm2 - 1.0) * template.prior_variance
    shift_var = shift.bias_variance + (norm2 - 1.0) * shift.prior_variance
    offer_mean = inv(TYPICAL_PRIOR) * math.sqrt(template.beta**2 + offer_var)
    target = inv(min(TYPICAL_PRIOR * share, 0.999))
    return target * math.sqrt(template.beta**2 + offer_var + shift_var) - offer_mean


def shift_learner(template: BayesProbit, norm2: float, share: float) -> BayesProbit:
    """A channel's shift learner, started where a message converts at ``share`` of the call.

    It has the template's settings and half its prior variance.
    """
    learner = BayesProbit(
        prior_variance=template.prior_variance * SHIFT_VARIANCE,
        bias_variance=template.bias_variance * SHIFT_VARIANCE,
        beta=template.beta,
        decay=template.decay,
        sample_scale=template.sample_scale,
        draw_inflation=template.draw_inflation,
    )
    learner.shift_start(probit_shift(template, learner, norm2, share))
    learner.prior = share  # what it starts from: the channel's share of the in-call rate
    return learner
