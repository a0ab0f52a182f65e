"""Propensity learning: online adaptive models, batch models, evaluation, uplift and OPE.

The decision engine's online model is :class:`AdaptivePropensity` (one
:class:`BayesProbit` learner per offer over a shared :class:`FeatureSpace`); batch
models for any table come from :func:`fit_batch` and are judged by
:func:`evaluate_frame`. Everything here is pure: tables are read by
:func:`servesell.ingest.tabular.read_table`, model files at the edge
(:mod:`servesell.ingest.modelfile`), the store by :mod:`servesell.service.learning`. Names
are imported on first use, so the online model loads without scikit-learn or pandas.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from servesell.learn.adaptive import AdaptivePropensity, Expectation
    from servesell.learn.associations import Associations, Rule
    from servesell.learn.base import Learner, learner_from_state, learner_kinds
    from servesell.learn.batch import BatchModel, fit_batch
    from servesell.learn.bayes_probit import BayesProbit
    from servesell.learn.beta_bernoulli import BetaBernoulli
    from servesell.learn.evaluate import Evaluation, evaluate_frame
    from servesell.learn.features import FeatureSpace
    from servesell.learn.metrics import Scores, expected_auc, score
    from servesell.learn.modelfile import BatchPropensity, dump_model, load_model
    from servesell.learn.ope import Estimate, LoggedChoice, evaluate_policy
    from servesell.learn.policies import by_score, greedy, logged_choice, uniform
    from servesell.learn.target import read_target
    from servesell.learn.uplift import Uplift, UpliftRow, measure_uplift

_WHERE = {
    "AdaptivePropensity": "servesell.learn.adaptive",
    "Associations": "servesell.learn.associations",
    "BatchModel": "servesell.learn.batch",
    "BatchPropensity": "servesell.learn.modelfile",
    "BayesProbit": "servesell.learn.bayes_probit",
    "BetaBernoulli": "servesell.learn.beta_bernoulli",
    "Estimate": "servesell.learn.ope",
    "Evaluation": "servesell.learn.evaluate",
    "Expectation": "servesell.learn.adaptive",
    "FeatureSpace": "servesell.learn.features",
    "Learner": "servesell.learn.base",
    "LoggedChoice": "servesell.learn.ope",
    "Rule": "servesell.learn.associations",
    "Scores": "servesell.learn.metrics",
    "Uplift": "servesell.learn.uplift",
    "UpliftRow": "servesell.learn.uplift",
    "by_score": "servesell.learn.policies",
    "dump_model": "servesell.learn.modelfile",
    "evaluate_frame": "servesell.learn.evaluate",
    "evaluate_policy": "servesell.learn.ope",
    "expected_auc": "servesell.learn.metrics",
    "fit_batch": "servesell.learn.batch",
    "greedy": "servesell.learn.policies",
    "learner_from_state": "servesell.learn.base",
    "learner_kinds": "servesell.learn.base",
    "load_model": "servesell.learn.modelfile",
    "logged_choice": "servesell.learn.policies",
    "measure_uplift": "servesell.learn.uplift",
    "read_target": "servesell.learn.target",
    "score": "servesell.learn.metrics",
    "uniform": "servesell.learn.policies",
}

__all__ = [
    "AdaptivePropensity",
    "Associations",
    "BatchModel",
    "BatchPropensity",
    "BayesProbit",
    "BetaBernoulli",
    "Estimate",
    "Evaluation",
    "Expectation",
    "FeatureSpace",
    "Learner",
    "LoggedChoice",
    "Rule",
    "Scores",
    "Uplift",
    "UpliftRow",
    "by_score",
    "dump_model",
    "evaluate_frame",
    "evaluate_policy",
    "expected_auc",
    "fit_batch",
    "greedy",
    "learner_from_state",
    "learner_kinds",
    "load_model",
    "logged_choice",
    "measure_uplift",
    "read_target",
    "score",
    "uniform",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (batch models pull in scikit-learn).

    The decision engine's path needs only the online model; the rest loads when asked.
    """
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
