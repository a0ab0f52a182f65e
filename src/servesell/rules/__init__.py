"""The eligibility-rule language: one SQL boolean expression per offer, run anywhere.

Analysts write who is eligible as a SQL condition over the declared profile fields
(``credit_limit >= 5000 AND NOT holds('gold_card')``). It is parsed with sqlglot, checked
against the profile schema, and compiled to Python closures for live calls and to SQL for
batch tagging (:mod:`servesell.rules.batch`), with the same three-valued (NULL) semantics
everywhere.
"""

from servesell.rules.catalog import check_offer, compile_catalog, validate_catalog
from servesell.rules.compiled import CompiledRule, compile_rule
from servesell.rules.sql import DIALECTS, Dialect

__all__ = [
    "DIALECTS",
    "CompiledRule",
    "Dialect",
    "check_offer",
    "compile_catalog",
    "compile_rule",
    "validate_catalog",
]
