"""Reply keywords that mean "stop sending me this", in the forms customers type them.

Chinese carriers and providers use ``T``/``TD``/``退订`` ("回T退订"); international ones
``STOP``. Replies are compared after Unicode NFKC folding (full-width ``ＴＤ`` is ``TD``),
case folding and trimming of spaces and punctuation, so ``" td。"`` counts; a sentence
that merely contains a keyword does not.

>>> is_opt_out("退订"), is_opt_out(" ｔｄ。"), is_opt_out("Stop!"), is_opt_out("stop by later")
(True, True, True, False)
"""

from __future__ import annotations

import unicodedata

OPT_OUT_KEYWORDS = frozenset(
    {"T", "TD", "退订", "退定", "STOP", "UNSUBSCRIBE", "STOPALL", "CANCEL", "END", "QUIT"}
)
_TRIM = " \t\r\n.,!?;:。，！？；：、\"'“”‘’()（）【】[]"


def is_opt_out(reply: str) -> bool:
    """Whether a customer's reply text is an opt-out keyword."""
    folded = unicodedata.normalize("NFKC", reply).strip(_TRIM).upper()
    return folded in OPT_OUT_KEYWORDS
