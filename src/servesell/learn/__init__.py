"""Propensity learning: online adaptive models, batch models, evaluation, uplift and OPE."""
