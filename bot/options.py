"""Option types shared by the slash commands: what Discord's client lets a member type."""

from discord import app_commands

from bot.domain.engagement import MAX_COUNT, MAX_PERCENT

# Discord enforces these before a command runs; the domain checks again, since a client can send anything.
Count = app_commands.Range[int, 0, MAX_COUNT]
AtLeastOne = app_commands.Range[int, 1, MAX_COUNT]
# Discord cannot say "above 0": the smallest step a member would type.
PositivePercent = app_commands.Range[float, 0.01, float(MAX_PERCENT)]
Percent = app_commands.Range[float, 0.0, float(MAX_PERCENT)]
