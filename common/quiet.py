"""Lines of the SDK's that say nothing a user can act on, kept out of a default run's log.

They stay at debug level, for whoever turns it on: the SDK's "An unhandled error occurred
while syncing" precedes the tap's own one-line error and says less; "Pagination stopped
after N pages" comes for every listing.
"""

from __future__ import annotations

import logging

#: The start of each such line.
NOISE = (
    "An unhandled error occurred while syncing",
    "Pagination stopped after",
)


class SDKNoise(logging.Filter):
    """Turns the SDK's noise into debug lines, shown only when debug logging is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG or not str(record.msg).startswith(NOISE):
            return True
        if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
            return False
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def quieten(loggers: list[logging.Logger]) -> None:
    """Put the noise filter on a tap's own loggers, once."""
    for logger in loggers:
        if not any(isinstance(f, SDKNoise) for f in logger.filters):
            logger.addFilter(SDKNoise())
