"""Propensity learning: online adaptive models, batch models, evaluation, uplift and OPE.

The decision engine's online model is :class:`AdaptivePropensity` (one
:class:`BayesProbit` learner per offer over a shared :class:`FeatureSpace`); batch
models for any table come from :func:`fit_batch` and are judged by
:func:`evaluate_frame`. Everything here is pure: tables are read by
:func:`servesell.ingest.tabular.read_table`, model files by :mod:`.modelfile` only, the
store by :mod:`servesell.service.learning`.
"""

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
