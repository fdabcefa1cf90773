"""/leaderboard: a week's fair ranking on demand, privately, with pages."""

from __future__ import annotations

import contextlib
import secrets

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import manages_server
from bot.client import Pulse
from bot.context import messages
from bot.domain.leaderboard import METRICS, Board, Metric
from bot.domain.weeks import IsoWeek, resolve_week
from bot.i18n import Messages, choice_names, command_description, describe_options
from bot.render.leaderboard import PER_PAGE, board_embed, problem_text, week_span
from bot.storage.leaderboard import LeaderboardRepository
from bot.views import ActionButton, OwnedView

# How many past weeks the week option suggests.
RECENT_WEEKS = 12
WeekText = app_commands.Range[str, 1, 20]


class LeaderboardView(OwnedView):
    """Pages through one board; only the member who asked can turn them."""

    def __init__(
        self,
        interaction: discord.Interaction,
        board: Board,
        msgs: Messages,
        archived: bool,
        notice: str | None,
    ) -> None:
        super().__init__(interaction.user.id, "leaderboard.not_yours")
        self.interaction = interaction
        self.board = board
        self.msgs = msgs
        self.archived = archived
        self.notice = notice
        self.pages = max(1, -(-len(board.places) // PER_PAGE))
        # Open on the caller's own page, so their place is in view.
        position = board.position_of(interaction.user.id)
        self.page = 1 if position is None else position // PER_PAGE + 1
        prefix = f"leaderboard:{secrets.token_hex(6)}"
        self.previous = ActionButton(
            self._previous, label=msgs("leaderboard.previous"), custom_id=f"{prefix}:previous"
        )
        self.next = ActionButton(self._next, label=msgs("leaderboard.next"), custom_id=f"{prefix}:next")
        self.add_item(self.previous)
        self.add_item(self.next)
        self._enable_turns()

    # discord.py's View has a `_refresh(components)` of its own, called on message updates: keep clear of it.
    def _enable_turns(self) -> None:
        self.previous.disabled = self.page <= 1
        self.next.disabled = self.page >= self.pages

    def render(self) -> discord.Embed:
        return board_embed(
            self.msgs, self.board, self.page, self.interaction.user.id, self.archived, self.notice
        )

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = min(max(1, self.page + step), self.pages)
        self._enable_turns()
        await interaction.response.edit_message(embed=self.render(), view=self)

    async def _previous(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, -1)

    async def _next(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, 1)

    async def on_timeout(self) -> None:
        # Buttons that no longer answer are taken away rather than left to fail when pressed.
        with contextlib.suppress(discord.HTTPException):
            await self.interaction.edit_original_response(view=None)


class Leaderboard(commands.Cog):
    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    @property
    def repo(self) -> LeaderboardRepository:
        return LeaderboardRepository(self.bot.db)

    @app_commands.command(name="leaderboard", description=command_description("leaderboard"))
    @app_commands.guild_only()
    @describe_options("leaderboard")
    @app_commands.choices(metric=choice_names("leaderboard", "metric", METRICS))
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        week: WeekText | None = None,
        metric: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild_id is not None
        msgs = messages(interaction)
        settings = self.bot.servers.get(interaction.guild_id)
        now = self.bot.clock.now()
        chosen_week = resolve_week(week or "this", now, settings.tz)
        chosen: Metric = next((m for m in METRICS if metric is not None and m == metric.value), "score")
        await interaction.response.defer(ephemeral=True, thinking=True)
        board = await self.repo.archived(interaction.guild_id, chosen_week, chosen)
        archived = board is not None
        if board is None:
            board = await self.repo.board(
                interaction.guild_id, chosen_week, settings.tz, chosen, settings.leaderboard_min_posts
            )
        notice = problem_text(msgs, settings) if manages_server(interaction) else None
        view = LeaderboardView(interaction, board, msgs, archived, notice)
        await interaction.edit_original_response(embed=view.render(), view=view)

    @leaderboard.autocomplete("week")
    async def week_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        msgs = messages(interaction)
        tz = self.bot.servers.get(interaction.guild_id or 0).tz
        this = IsoWeek.of(self.bot.clock.now(), tz)
        options = [
            ("this", msgs("leaderboard.choice.this", week=str(this), span=week_span(msgs, this))),
            (
                "last",
                msgs(
                    "leaderboard.choice.last",
                    week=str(this.previous()),
                    span=week_span(msgs, this.previous()),
                ),
            ),
        ]
        for back in range(2, RECENT_WEEKS + 1):
            earlier = this.shifted(-back)
            options.append((str(earlier), f"{earlier} · {week_span(msgs, earlier)}"))
        typed = current.strip().lower()
        return [
            app_commands.Choice(name=label[:100], value=value)
            for value, label in options
            if not typed or typed in value.lower() or typed in label.lower()
        ][:25]


async def setup(bot: Pulse) -> None:
    await bot.add_cog(Leaderboard(bot))
