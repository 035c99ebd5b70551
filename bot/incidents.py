"""An unexpected failure in the logs: one ERROR line with a reference code (the member is shown the same
code), the traceback only at DEBUG, because a traceback's locals and messages can hold what a member typed."""

from __future__ import annotations

import logging
import secrets
import sys


def report(log: logging.Logger, what: str, *args: object, error: BaseException | None = None) -> str:
    """Log ``error`` (by default the exception being handled) as ``<what> failed with <type> (ref <code>)``;
    returns the code."""
    error = error or sys.exc_info()[1]
    ref = secrets.token_hex(3)
    log.error(f"{what} failed with %s (ref %s)", *args, type(error).__name__, ref)
    log.debug("traceback for ref %s", ref, exc_info=error)
    return ref
