"""Option types shared by the slash commands: what Discord's client lets a member type."""

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from discord import AppCommandOptionType, app_commands

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


# Discord's integers run from -(2**53) to 2**53; snowflakes are unsigned 64-bit.
_MAX_INTEGER = 2**53
_MAX_SNOWFLAKE = 2**64 - 1
_SNOWFLAKE_TYPES = frozenset(
    {
        AppCommandOptionType.user,
        AppCommandOptionType.channel,
        AppCommandOptionType.role,
        AppCommandOptionType.mentionable,
        AppCommandOptionType.attachment,
    }
)


def fits(kind: AppCommandOptionType, value: Any) -> bool:
    """Whether `value` is what Discord sends for an option of this type (a forged interaction may send anything)."""
    if kind is AppCommandOptionType.string:
        return isinstance(value, str)
    if kind is AppCommandOptionType.boolean:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is AppCommandOptionType.integer:
        return isinstance(value, int) and abs(value) <= _MAX_INTEGER
    if kind is AppCommandOptionType.number:
        return isinstance(value, int | float) and math.isfinite(value) and abs(value) <= _MAX_INTEGER
    if kind in _SNOWFLAKE_TYPES:
        text = str(value) if isinstance(value, int) else value
        return isinstance(text, str) and text.isascii() and text.isdigit() and int(text) <= _MAX_SNOWFLAKE
    return True


def mistyped_options(
    command: app_commands.Command[Any, ..., Any], options: Iterable[Mapping[str, Any]]
) -> Iterator[tuple[str, AppCommandOptionType]]:
    """The options whose value is not of the option's type, as (name, type); the text being typed is skipped.

    discord.py hands values on as they came: "false" for a boolean would read as true, 1.5 would be a page.
    """
    for option in options:
        if "options" in option:
            yield from mistyped_options(command, option["options"])
            continue
        parameter = command.get_parameter(str(option.get("name")))
        if parameter is None or option.get("focused"):
            continue
        if not fits(parameter.type, option.get("value")):
            yield parameter.name, parameter.type


def focused_text(options: Iterable[Mapping[str, Any]]) -> Any:
    """What the member is typing into the focused option of an autocomplete (None when nothing is focused)."""
    for option in options:
        if "options" in option:
            found = focused_text(option["options"])
            if found is not None:
                return found
        elif option.get("focused"):
            return option.get("value")
    return None
