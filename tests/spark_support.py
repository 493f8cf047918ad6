"""Shared by the Spark tests: skip with a clear reason where Spark cannot run, and compare
frames from two engines (relative tolerance 1e-9)."""

from __future__ import annotations

import pandas as pd
import pytest

from cem.analytics.spark import spark_unavailable_reason

RTOL = 1e-9


def require_spark() -> None:
    """Skip the calling test (or fixture) when pyspark or Java is missing."""
    reason = spark_unavailable_reason()
    if reason:
        pytest.skip(f"Spark tests need pyspark and Java 17: {reason}")


def assert_same_frame(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    """Same columns, rows and values (floats to 1e-9 relative; dtypes may differ)."""
    assert list(duck.columns) == list(spark.columns)
    assert len(duck) == len(spark)
    pd.testing.assert_frame_equal(
        duck.reset_index(drop=True),
        spark.reset_index(drop=True),
        check_dtype=False,
        rtol=RTOL,
        atol=0,
    )
