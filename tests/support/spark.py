"""One small local Spark for the whole test session, started through servesell's own builder.

Locally the Spark tests skip with a message when Java or PySpark is missing; with
``CI=true`` that is an error, so CI can never silently skip them. The session is lean on
purpose (two cores, two shuffle partitions, no UI): the suite runs on a 2-core machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from servesell.batch.spark import missing_requirement, spark_session

TEST_CONFIG = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    "spark.sql.adaptive.enabled": "false",
}


def require_spark() -> None:
    """Skip (locally) or fail (CI) when Spark cannot start on this machine."""
    reason = missing_requirement()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true: the Spark tests must run)")
    pytest.skip(reason)


@contextmanager
def lean_session() -> Iterator[Any]:
    """A ``local[2]`` session with the test settings, stopped at the end."""
    require_spark()
    with spark_session("local[2]", config=TEST_CONFIG) as session:
        yield session
