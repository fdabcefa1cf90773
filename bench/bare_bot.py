"""The baseline bot for the benchmarks: plain discord.py, one slash command that answers at once.

`python -m bench.bare_bot` with DISCORD_TOKEN, DISCORD_API_BASE and DISCORD_GATEWAY_URL in the environment (the
stand-in's). It has what any discord.py bot has (a gateway connection, a command tree, one cog) and nothing of
Pulse's: no database, no translations, no option checks. The benchmarks measure Pulse against it in the same run.
"""

from __future__ import annotations

import asyncio
import os
import signal

import discord
import discord.gateway
import discord.http
import yarl
from discord.ext import commands

from bench.bare_cog import Bare


class BareBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            chunk_guilds_at_startup=False,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def setup_hook(self) -> None:
        await self.add_cog(Bare())
        await self.tree.sync()


async def run() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"].rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    bot = BareBot()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(run())
