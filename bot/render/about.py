"""The /about embed."""

from __future__ import annotations

import math
from dataclasses import dataclass

import discord

from bot.i18n import Messages
from bot.render.common import embed, format_duration


@dataclass(frozen=True)
class AboutFacts:
    version: str
    uptime_seconds: float
    latency_seconds: float
    servers: int
    database: str


def about_embed(facts: AboutFacts, msgs: Messages) -> discord.Embed:
    # discord.py reports infinity until the first heartbeat has been acknowledged.
    if math.isfinite(facts.latency_seconds):
        latency = msgs("about.latency_value", ms=msgs.number(facts.latency_seconds * 1000))
    else:
        latency = msgs("about.latency_unknown")
    result = embed(msgs("about.title"), msgs("about.summary"))
    result.add_field(name=msgs("about.version"), value=facts.version)
    result.add_field(name=msgs("about.uptime"), value=format_duration(facts.uptime_seconds, msgs))
    result.add_field(name=msgs("about.latency"), value=latency)
    result.add_field(name=msgs("about.servers"), value=msgs.number(facts.servers))
    result.add_field(name=msgs("about.database"), value=facts.database)
    result.add_field(name=msgs("about.languages"), value=msgs("about.languages_value"))
    return result
