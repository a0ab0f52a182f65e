"""Types of the C kernel built from ``_probit.c`` (see ``bayes_probit._adf_step``)."""

def adf_step(
    mean: list[float],
    var: list[float],
    ids: list[int],
    values: list[float],
    ones: int,
    m: float,
    v: float,
    beta: float,
    accepted: bool,
    /,
) -> None:
    """One assumed-density-filtering step on ``mean`` and ``var``, in place."""
