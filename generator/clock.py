"""Decide which day is "today" for the generator: the one place any command reads the date.

Validation rejects review dates and years in the future, and `new` writes
today's date into the scaffold, so "today" changes what a command prints.
It comes, in order, from an explicit `--today YYYY-MM-DD`, from
`SOURCE_DATE_EPOCH` (the reproducible-builds convention, which MkDocs also
honours for its build date), or from the system clock.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping


def resolve_today(explicit: str | None = None, environ: Mapping[str, str] = os.environ) -> dt.date:
    """Return today's date from `explicit`, else SOURCE_DATE_EPOCH, else the clock; ValueError if malformed."""
    if explicit:
        try:
            return dt.date.fromisoformat(explicit)
        except ValueError:
            raise ValueError(f"--today {explicit!r} is not a date; write it as YYYY-MM-DD") from None
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970; "
                             "unset it or give a whole number") from None
    return dt.date.today()
