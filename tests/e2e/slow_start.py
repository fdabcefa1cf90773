"""An extension that takes SLOW_START_SECONDS to load, as a long migration takes Pulse's own start-up time;
loaded in e2e tests through EXTRA_EXTENSIONS=tests.e2e.slow_start."""

from __future__ import annotations

import asyncio
import os

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    await asyncio.sleep(float(os.environ["SLOW_START_SECONDS"]))
