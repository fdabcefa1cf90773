"""Errors the domain raises for input it cannot take."""

from decimal import Decimal


class InvalidInput(ValueError):
    """Input outside what the maths accepts; `field` and `rule` choose the message the member sees.

    `rule` is one of the keys under `errors.invalid` in the catalogue (for example `min`, `max`);
    `limits` fills that message's placeholders.
    """

    def __init__(self, field: str, rule: str, **limits: int | Decimal | str) -> None:
        super().__init__(f"{field}: {rule} {limits}")
        self.field = field
        self.rule = rule
        self.limits = limits
