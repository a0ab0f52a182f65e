"""Per-field relevance of an offer's weights, learned from its own posterior (empirical Bayes).

Every profile field of a :class:`~servesell.learn.features.FeatureSpace` is one-hot over its
bins or categories, and a probit learner starts every one of those weights at the same
prior ``N(0, prior_variance)``. For a given offer most fields do not matter: their bins'
means are noise that a posterior draw explores. A few matter a lot, and the common prior
holds their bins back. :func:`relevance_view` re-weighs a diagonal posterior field by field,
in the spirit of automatic relevance determination:

* each weight's posterior ``N(m, v)`` under the prior ``N(0, p)`` is read as the prior times
  a Gaussian message from the data, of precision ``λ = 1/v − 1/p`` and mean ``μ = m / (v λ)``;
* a field's prior variance ``τ²`` is estimated from its bins' messages by the method of
  moments, ``τ² = mean(μ² − 1/λ)``, kept within ``[floor, cap × p]``;
* the bins' means are recomputed under ``N(0, τ²)``, ``m' = μ λ / (λ + 1/τ²)``, shrinking
  an irrelevant field towards 0 and letting a relevant one move further than the common
  prior allowed; the mean the field's bins lose on average (weighted by ``λ``) moves to the
  bias, since every row has exactly one bin of every field and the bias trades with them;
* variances are kept as they are (the draws' width comes from the posterior, not the view).

Weights no outcome has touched (``v = p``) and the bias are left alone; a field with fewer
than two touched weights too. Chosen on ``bench/learn.py`` seeds 2-4 (``docs/learning.md``,
fifth pass).

>>> mean, var = relevance_view([0.0, 0.3, -0.3, 0.01, -0.01],
...                            [0.1, 0.01, 0.01, 0.01, 0.01], [-1, 0, 0, 1, 1], 0.05, 3.0)
>>> [round(x, 3) for x in mean]
[0.0, 0.342, -0.342, 0.0, -0.0]
>>> var == [0.1, 0.01, 0.01, 0.01, 0.01]
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

FLOOR = 1e-4
"""The smallest prior variance a field is given (an irrelevant field's)."""


def relevance_view(
    mean: Sequence[float],
    var: Sequence[float],
    groups: Sequence[int],
    prior_variance: float,
    cap: float,
) -> tuple[list[float], list[float]]:
    """Means re-weighed field by field (``groups[i]``: weight ``i``'s field, < 0 none).

    Returns new lists: the means of the view and the variances unchanged; see the module
    docstring. Weight 0 is the bias.
    """
    view = list(mean)
    fields: dict[int, list[tuple[int, float, float]]] = {}
    touched = prior_variance * 0.999
    for i in range(1, min(len(view), len(groups))):
        vi = var[i]
        if groups[i] >= 0 and vi < touched:
            precision = 1.0 / vi - 1.0 / prior_variance
            fields.setdefault(groups[i], []).append((i, precision, view[i] / (vi * precision)))
    for messages in fields.values():
        if len(messages) >= 2:
            view[0] += _reweigh(view, messages, prior_variance, cap)
    return view, list(var)


def _reweigh(
    view: list[float], messages: list[tuple[int, float, float]], prior: float, cap: float
) -> float:
    """Re-weigh one field's means in ``view``; the mean the field lost (for the bias)."""
    tau2 = sum(mu * mu - 1.0 / precision for _, precision, mu in messages) / len(messages)
    tau2 = min(max(tau2, FLOOR), cap * prior)
    moved = 0.0
    total = 0.0
    for i, precision, mu in messages:
        new = precision * mu / (precision + 1.0 / tau2)
        moved += precision * (view[i] - new)
        total += precision
        view[i] = new
    return moved / total
