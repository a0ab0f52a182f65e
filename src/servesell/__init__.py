"""servesell: serve first, sell when there is room.

Next-best-offer for inbound contact centers: eligibility rules, contact policy,
propensity models and a queue-aware load gate that only lets agents sell while the
service level can afford it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
