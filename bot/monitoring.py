"""The operators' endpoints, served inside the bot's event loop when METRICS_PORT is set.

GET /health answers 200 once the bot is connected and its database answers, 503 with the reason otherwise (what
Docker's HEALTHCHECK asks); GET /metrics is Prometheus' text format from bot.metrics.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.metrics import GATEWAY_LATENCY, REGISTRY

if TYPE_CHECKING:
    from bot.client import Pulse

log = logging.getLogger(__name__)

# Docker gives its health check a few seconds in all; a database slower than this to answer `SELECT 1` would
# be as slow for every member.
DATABASE_TIMEOUT = 2.0


async def unhealthy_because(bot: Pulse) -> str | None:
    """Why the bot cannot serve members right now, or None when it can."""
    if bot.stopping or bot.is_closed():
        return "stopping"
    if not bot.is_ready() or not hasattr(bot, "db"):
        return "starting"
    if any(shard.is_closed() for shard in bot.shards.values()):
        return "disconnected"
    try:
        await asyncio.wait_for(bot.db.fetch_one("SELECT 1"), DATABASE_TIMEOUT)
    except Exception as exc:
        log.warning("health check: the database did not answer (%s)", type(exc).__name__)
        return "database unavailable"
    return None


class Monitoring:
    """The HTTP server of /health and /metrics."""

    def __init__(self, bot: Pulse, host: str, port: int) -> None:
        self.bot = bot
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        GATEWAY_LATENCY.source = lambda: bot.latencies

    async def start(self) -> None:
        """Listen; a port that is taken is logged, and Pulse goes on serving members without the endpoints."""
        app = web.Application()
        app.router.add_get("/health", self.health)
        app.router.add_get("/metrics", self.metrics)
        # No access log: a health check every few seconds would drown the bot's own lines. A scrape or check
        # under way when Pulse stops gets a second, not aiohttp's default minute.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            log.error("cannot serve /health and /metrics on %s port %s: %s", self.host, self.port, exc)
            return
        self._runner = runner
        log.info("serving /health and /metrics on %s port %s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def health(self, request: web.Request) -> web.Response:
        reason = await unhealthy_because(self.bot)
        if reason is None:
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "unavailable", "reason": reason}, status=503)

    async def metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
