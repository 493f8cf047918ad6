"""The Spark engine: the same Ibis expressions, run by Apache Spark (ibis's pyspark backend).

:func:`spark_workspace_engine` exports a workspace's analytics tables from DuckDB to
Parquet (:mod:`cem.store.parquet`), registers each file as a Spark view under the same
name (``responses``, ``events``, ``customers``, ``cases``, ``attribute_*``,
``tp_attrs_<id>``) and yields an :class:`~cem.analytics.engine.Engine` on that session, so
every analytics function runs unchanged on Spark.

Where it runs (environment):

- ``TOUCHPOINT_SPARK_REMOTE``: a Spark Connect URL (``sc://host:15002``) — used when set;
- ``TOUCHPOINT_SPARK_MASTER``: a cluster master (``spark://host:7077``, ``yarn``, …);
  default ``local[2]`` (Spark inside this process, what the tests use);
- ``TOUCHPOINT_SPARK_STAGING``: the folder the Parquet files are written to (default: a
  temporary folder). On a cluster it must be a path every executor can read (a shared
  mount), since Spark reads the files where they are.

pyspark is optional (``requirements-spark.txt``) and needs Java 17; this module imports
it only when an engine is made, so ``import cem.analytics`` works without it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cem.analytics.engine import Engine
from cem.errors import TouchpointError
from cem.store.parquet import export_workspace_parquet

if TYPE_CHECKING:
    from cem.store.db import Database

ENV_SPARK_REMOTE = "TOUCHPOINT_SPARK_REMOTE"
ENV_SPARK_MASTER = "TOUCHPOINT_SPARK_MASTER"
ENV_SPARK_STAGING = "TOUCHPOINT_SPARK_STAGING"
DEFAULT_MASTER = "local[2]"
SPARK_NAME = "pyspark"

# Small local sessions: few shuffle partitions, no web UI, UTC (as ibis sets it).
LOCAL_CONFIG: dict[str, str] = {
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


class SparkUnavailable(TouchpointError):
    """Spark cannot be started here (pyspark not installed, or no Java)."""


def java_available() -> bool:
    """True when a ``java`` executable is on the PATH or under ``$JAVA_HOME``."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


def spark_unavailable_reason() -> str | None:
    """Why a local Spark engine cannot start here, or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -r requirements-spark.txt)"
    if not os.environ.get(ENV_SPARK_REMOTE) and not java_available():
        return (
            "Java is not installed (Spark needs Java 17: apt-get install openjdk-17-jre-headless)"
        )
    return None


def spark_session(master: str | None = None, remote: str | None = None) -> Any:
    """The SparkSession Touchpoint uses: Spark Connect when a remote URL is given (or in
    ``$TOUCHPOINT_SPARK_REMOTE``), else ``master`` / ``$TOUCHPOINT_SPARK_MASTER`` /
    ``local[2]``. Reuses the running session of this process."""
    reason = spark_unavailable_reason()
    if reason:
        raise SparkUnavailable(f"Cannot run on Spark: {reason}.")
    from pyspark.sql import SparkSession

    remote = remote or os.environ.get(ENV_SPARK_REMOTE)
    builder = SparkSession.builder.appName("touchpoint")
    if remote:
        return builder.remote(remote).getOrCreate()
    builder = builder.master(master or os.environ.get(ENV_SPARK_MASTER) or DEFAULT_MASTER)
    for key, value in LOCAL_CONFIG.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_engine(session: Any) -> Engine:
    """An engine on ibis's pyspark backend over ``session`` (its tables and views)."""
    import ibis

    return Engine(backend=ibis.pyspark.connect(session), name=SPARK_NAME, database=None)


def register_parquet(session: Any, files: dict[str, Path]) -> None:
    """Register each Parquet file as a temporary view named after its table."""
    for table, path in files.items():
        session.read.parquet(str(path)).createOrReplaceTempView(table)


@contextmanager
def spark_workspace_engine(
    db: Database, workspace: str, session: Any = None, staging: str | None = None
) -> Iterator[Engine]:
    """A Spark engine holding one workspace's analytics tables, exported from ``db``.

    The Parquet files live in ``staging`` (or ``$TOUCHPOINT_SPARK_STAGING``, else a
    temporary folder) for as long as the block runs, then they and the views are dropped.
    """
    session = session or spark_session()
    base = staging or os.environ.get(ENV_SPARK_STAGING)
    folder = Path(base or tempfile.gettempdir()) / f"touchpoint-spark-{uuid.uuid4().hex[:12]}"
    try:
        files = export_workspace_parquet(db, workspace, folder)
        register_parquet(session, files)
        yield spark_engine(session)
    finally:
        for table in list(locals().get("files", {})):
            session.catalog.dropTempView(table)
        shutil.rmtree(folder, ignore_errors=True)
