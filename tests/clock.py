"""A clock a test sets by hand, for the parts of Pulse that take their "now" from bot/clock.py."""

from datetime import datetime


class SetClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment
