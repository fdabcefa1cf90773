"""Option types shared by the slash commands: what Discord's client lets a member type."""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from discord import app_commands

from bot.domain.engagement import MAX_COUNT, MAX_PERCENT

# Discord enforces these before a command runs; the domain checks again, since a client can send anything.
Count = app_commands.Range[int, 0, MAX_COUNT]
AtLeastOne = app_commands.Range[int, 1, MAX_COUNT]
# Discord cannot say "above 0": the smallest step a member would type.
PositivePercent = app_commands.Range[float, 0.01, float(MAX_PERCENT)]
Percent = app_commands.Range[float, 0.0, float(MAX_PERCENT)]


def has_text(options: Iterable[Mapping[str, Any]]) -> bool:
    """Whether any option (in any subcommand) carries text: most interactions carry numbers only."""
    return any(
        has_text(option["options"]) if "options" in option else isinstance(option.get("value"), str)
        for option in options
    )


def overlong_options(
    command: app_commands.Command[Any, ..., Any], options: Iterable[Mapping[str, Any]]
) -> Iterator[tuple[str, int]]:
    """The text options longer than the command allows, as (name, maximum).

    Discord's client keeps to each option's `max_length`; a forged interaction need not, and nothing such
    reaches a command.
    """
    for option in options:
        if "options" in option:
            yield from overlong_options(command, option["options"])
            continue
        value = option.get("value")
        parameter = command.get_parameter(str(option.get("name")))
        if not isinstance(value, str) or parameter is None:
            continue
        maximum = parameter.max_value
        if isinstance(maximum, int) and len(value) > maximum:
            yield parameter.name, maximum
