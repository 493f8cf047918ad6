"""Logging, set up in one place: a rotating log file plus (for the app) stderr.

The log folder is ``$TOUCHPOINT_LOG_DIR``, else ``data/logs/`` of the project; the file is
``touchpoint.log`` (1 MB, 5 old files kept). :func:`log_exception` records an unexpected
error with its full traceback under a short error id, which the page or the CLI shows in
one line instead of the traceback. When the folder cannot be written, logging falls back
to stderr only (error handling never fails because of the log).

>>> error_id = log_exception(RuntimeError("boom"), "doctest", to_stderr=False)
>>> len(error_id)
8
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

ENV_LOG_DIR = "TOUCHPOINT_LOG_DIR"
DEFAULT_LOG_DIR = Path(__file__).resolve().parents[1] / "data" / "logs"
LOG_FILE_NAME = "touchpoint.log"
LOGGER_NAME = "touchpoint"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_dir() -> Path:
    """The folder of the log file (``$TOUCHPOINT_LOG_DIR`` or ``data/logs``)."""
    env = os.environ.get(ENV_LOG_DIR)
    return Path(env) if env else DEFAULT_LOG_DIR


def log_file() -> Path:
    """The current log file."""
    return log_dir() / LOG_FILE_NAME


def _file_handler(path: Path) -> logging.Handler | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.name = f"touchpoint-file:{path}"
    return handler


def get_logger() -> logging.Logger:
    """Touchpoint's logger, writing to the current log file (set up once per log path;
    a changed ``$TOUCHPOINT_LOG_DIR`` moves it to the new file)."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    wanted = f"touchpoint-file:{log_file()}"
    files = [h for h in logger.handlers if (h.name or "").startswith("touchpoint-file:")]
    if not any(h.name == wanted for h in files):
        for handler in files:
            logger.removeHandler(handler)
            handler.close()
        handler = _file_handler(log_file())
        if handler is not None:
            logger.addHandler(handler)
    return logger


def new_error_id() -> str:
    """A short random id that a user can quote and a maintainer can grep for."""
    return secrets.token_hex(4)


def log_exception(exc: BaseException, where: str, *, to_stderr: bool = True) -> str:
    """Log ``exc`` with its traceback (to the log file and, when ``to_stderr``, to stderr)
    and return its error id."""
    error_id = new_error_id()
    logger = get_logger()
    logger.error("error %s in %s: %s", error_id, where, exc, exc_info=exc)
    if to_stderr:
        record = logger.makeRecord(
            LOGGER_NAME,
            logging.ERROR,
            __file__,
            0,
            "error %s in %s: %s",
            (error_id, where, exc),
            (type(exc), exc, exc.__traceback__),
        )
        sys.stderr.write(logging.Formatter(_FORMAT).format(record) + "\n")
    return error_id
