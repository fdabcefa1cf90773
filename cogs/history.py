"""/log, /history, /progress and /goal: a member's numbers over time."""

from __future__ import annotations

import io
import math
import secrets
from collections.abc import Awaitable, Callable
from datetime import date, datetime, tzinfo
from fractions import Fraction
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import may_view_member
from bot.client import Pulse
from bot.context import messages
from bot.domain.checkins import ViewKind
from bot.domain.csv_import import CellError, FileRejected, ImportResult, parse_day
from bot.domain.engagement import MAX_COUNT, check_count
from bot.domain.history import (
    GOAL_METRICS,
    FollowerSnapshot,
    Goal,
    GoalMetric,
    LoggedPost,
)
from bot.domain.imports import read_history_file
from bot.domain.progress import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    GoalRejected,
    check_weeks,
    goal_progress,
    goal_value,
    new_goal,
    progress_report,
)
from bot.domain.tiktok_export import TikTokExport, day_counts, plan_posts
from bot.domain.uploads import MAX_CSV_BYTES, upload_limit
from bot.errors import UserError, mark_saved
from bot.i18n import Messages, choice_names, command_description, describe_options
from bot.limits import heavy, send_answer, write_then_answer
from bot.options import AtLeastOne
from bot.render.common import embed
from bot.render.history import (
    day_text,
    entry_line,
    entry_option_label,
    goal_line,
    goals_embed,
    history_embed,
    import_problems_embed,
    import_saved_embed,
    metric_name,
    metric_value,
    no_history_embed,
    other_account_embed,
    progress_embed,
    signed,
    tiktok_saved_embed,
)
from bot.storage.checkins import CheckinRepository
from bot.storage.history import Batch, Entry, EntryKind, HistoryRepository
from bot.storage.leaderboard import LeaderboardRepository
from bot.views import ActionButton, OwnedView

PER_PAGE = 10
MAX_PAGE = 10_000
# Entry ids are SQL BIGINTs; a select value claiming a larger one was not made by Pulse.
MAX_ENTRY_ID = 2**63 - 1
_MEGABYTE = 1024 * 1024


def _megabytes(msgs: Messages, size: int, limit: int | None = None) -> str:
    """A size in MB with one decimal; a size over `limit` gets more, rounded up, so it never reads as the limit."""
    text = msgs.number(Fraction(size, _MEGABYTE), 1)
    if limit is None or size <= limit:
        return f"{text} MB"
    for decimals in range(2, 7):
        if text != msgs.number(Fraction(limit, _MEGABYTE), decimals - 1):
            break
        step = 10**decimals
        text = msgs.number(Fraction(math.ceil(Fraction(size * step, _MEGABYTE)), step), decimals)
    return f"{text} MB"


def _plain(msgs: Messages, values: dict[str, Any]) -> dict[str, Any]:
    return {k: msgs.number(v) if isinstance(v, int) else v for k, v in values.items()}


def _too_big_key(limit: int) -> str:
    return (
        "history.import.errors.too_big" if limit == MAX_CSV_BYTES else "history.import.errors.too_big_archive"
    )


def _rejected(msgs: Messages, exc: FileRejected, size: int) -> UserError:
    """The member's message for a file refused as a whole; sizes in MB as their file manager shows them."""
    values = _plain(msgs, exc.values)
    if exc.reason == "too_big":
        limit = int(exc.values["maximum"])
        return UserError(
            _too_big_key(limit), size=_megabytes(msgs, size, limit), maximum=_megabytes(msgs, limit)
        )
    if exc.reason == "archive_too_big":
        values["size"] = _megabytes(msgs, int(exc.values["size"]), int(exc.values["maximum"]))
        values["maximum"] = _megabytes(msgs, int(exc.values["maximum"]))
    if exc.reason == "missing_columns":
        values["columns"] = ", ".join(
            f"“{msgs(f'history.import.columns.{c}')}”" for c in str(exc.values["columns"]).split(", ")
        )
    for name in ("file", "handles"):
        if name in values:
            values[name] = discord.utils.escape_markdown(str(values[name]))
    return UserError(f"history.import.errors.{exc.reason}", **values)


def _member_ids(interaction: discord.Interaction) -> tuple[int, int]:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id, interaction.user.id


# --- /history's buttons -------------------------------------------------------------------------------


class HistoryView(OwnedView):
    """The pages of one member's history; only whoever opened it may use it.

    The member gets delete, undo and a confirmation step; a coach or admin looking at someone else's history
    gets the pages only: deleting stays with the member.
    """

    def __init__(
        self,
        repo: HistoryRepository,
        guild_id: int,
        owner_id: int,
        msgs: Messages,
        page: int,
        tz: tzinfo,
        member_id: int | None = None,
    ) -> None:
        super().__init__(owner_id, "history.list.not_yours")
        self.member_id = owner_id if member_id is None else member_id
        self.read_only = self.member_id != owner_id
        self.repo = repo
        self.tz = tz
        self.guild_id = guild_id
        self.msgs = msgs
        self.page = page
        self.pages = 1
        self.entries: tuple[Entry, ...] = ()
        # Custom ids unique to this view, so two open /history messages never answer each other's clicks.
        self.prefix = f"history:{secrets.token_hex(6)}"

    def _button(
        self,
        name: str,
        label: str,
        style: discord.ButtonStyle,
        action: Callable[[discord.Interaction], Awaitable[None]],
        disabled: bool = False,
        row: int | None = None,
    ) -> None:
        button = ActionButton(
            action, label=label, style=style, custom_id=f"{self.prefix}:{name}", disabled=disabled, row=row
        )
        self.add_item(button)

    async def list_page(self, note: str | None = None) -> discord.Embed:
        """Load the current page and show it with its controls."""
        if self.read_only and note is None:
            note = self.msgs("history.list.of_member", member=f"<@{self.member_id}>")
        found = await self.repo.entry_page(self.guild_id, self.member_id, self.page, PER_PAGE)
        self.page, self.pages, self.entries = found.page, found.pages, found.entries
        self.clear_items()
        first = (self.page - 1) * PER_PAGE + 1
        if self.entries and not self.read_only:
            select: discord.ui.Select[HistoryView] = discord.ui.Select(
                custom_id=f"{self.prefix}:delete",
                placeholder=self.msgs("history.list.delete_placeholder"),
                options=[
                    discord.SelectOption(
                        label=entry_option_label(self.msgs, first + i, e, self.tz), value=f"{_kind(e)}:{e.id}"
                    )
                    for i, e in enumerate(self.entries)
                ],
                row=0,
            )
            # discord.py's way to give a component built at run time its callback.
            select.callback = self._picked  # type: ignore[method-assign]
            self.add_item(select)
        if self.pages > 1:
            grey = discord.ButtonStyle.secondary
            self._button(
                "previous", self.msgs("history.list.previous"), grey, self._previous, self.page <= 1, 1
            )
            self._button("next", self.msgs("history.list.next"), grey, self._next, self.page >= self.pages, 1)
        if self.entries and not self.read_only:
            self._button(
                "undo", self.msgs("history.list.undo"), discord.ButtonStyle.danger, self._undo, row=1
            )
        return history_embed(
            self.msgs, self.entries, self.page, self.pages, found.total, note, first, self.tz
        )

    def _confirming(self, on_confirm: Callable[[discord.Interaction], Awaitable[None]]) -> None:
        self.clear_items()
        self._button("confirm", self.msgs("history.list.confirm"), discord.ButtonStyle.danger, on_confirm)
        self._button("cancel", self.msgs("history.list.cancel"), discord.ButtonStyle.secondary, self._cancel)

    async def _show(self, interaction: discord.Interaction, note: str | None = None) -> None:
        await interaction.response.edit_message(embed=await self.list_page(note), view=self)

    async def _previous(self, interaction: discord.Interaction) -> None:
        self.page = max(1, self.page - 1)
        await self._show(interaction)

    async def _next(self, interaction: discord.Interaction) -> None:
        self.page += 1
        await self._show(interaction)

    async def _cancel(self, interaction: discord.Interaction) -> None:
        await self._show(interaction)

    async def _picked(self, interaction: discord.Interaction) -> None:
        values = interaction.data.get("values") if interaction.data else None
        kind, _, raw_id = str(values[0] if isinstance(values, list) and values else "").partition(":")
        # Only ASCII digits: str.isdigit also passes "²", which int() refuses.
        entry_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else 0
        if kind not in ("post", "followers") or not 0 < entry_id <= MAX_ENTRY_ID:
            await self._show(interaction, self.msgs("history.list.gone"))
            return
        entry_kind: EntryKind = "post" if kind == "post" else "followers"
        entry = await self.repo.entry(self.guild_id, self.owner_id, entry_kind, entry_id)
        if entry is None:
            await self._show(interaction, self.msgs("history.list.gone"))
            return

        async def delete(confirmed: discord.Interaction) -> None:
            removed = await self.repo.delete_entry(self.guild_id, self.owner_id, entry_kind, entry.id)
            await self._show(confirmed, self.msgs("history.list.deleted" if removed else "history.list.gone"))

        self._confirming(delete)
        question = embed(
            self.msgs("history.list.confirm_delete_title"), entry_line(self.msgs, entry, self.tz)
        )
        await interaction.response.edit_message(embed=question, view=self)

    async def _undo(self, interaction: discord.Interaction) -> None:
        batch = await self.repo.last_batch(self.guild_id, self.owner_id)
        if batch is None:
            await self._show(interaction, self.msgs("history.list.nothing_to_undo"))
            return

        async def undo(confirmed: discord.Interaction) -> None:
            done = await self.repo.undo_batch(self.guild_id, self.owner_id, batch.id)
            await self._show(
                confirmed, self.msgs("history.list.undone" if done else "history.list.undo_stale")
            )

        self._confirming(undo)
        question = embed(
            self.msgs("history.list.confirm_undo_title"), _describe_batch(self.msgs, batch, self.tz)
        )
        await interaction.response.edit_message(embed=question, view=self)


def _kind(entry: Entry) -> EntryKind:
    return "post" if isinstance(entry, LoggedPost) else "followers"


def _describe_batch(msgs: Messages, batch: Batch, tz: tzinfo) -> str:
    when = day_text(msgs, batch.created_at, tz)
    if batch.only_entry is not None:
        key = (
            "history.list.undo_post"
            if isinstance(batch.only_entry, LoggedPost)
            else "history.list.undo_followers"
        )
        return f"{msgs(key, date=when)}\n{entry_line(msgs, batch.only_entry, tz)}"
    return msgs(
        "history.list.undo_import",
        date=when,
        posts=msgs.number(batch.posts),
        followers=msgs.number(batch.followers),
    )


class OtherAccountView(OwnedView):
    """Asks before storing an export of another TikTok account than the member's earlier imports."""

    def __init__(self, owner_id: int, msgs: Messages, store: Callable[[], Awaitable[discord.Embed]]) -> None:
        super().__init__(owner_id, "history.import.other_account_not_yours")
        self.msgs = msgs
        self.store = store
        self.message: discord.WebhookMessage | None = None
        prefix = f"tiktok-account:{secrets.token_hex(6)}"
        confirm = ActionButton(
            self._confirm,
            label=msgs("history.import.other_account_confirm"),
            style=discord.ButtonStyle.danger,
            custom_id=f"{prefix}:confirm",
        )
        cancel = ActionButton(
            self._cancel,
            label=msgs("history.import.other_account_cancel"),
            style=discord.ButtonStyle.secondary,
            custom_id=f"{prefix}:cancel",
        )
        self.add_item(confirm)
        self.add_item(cancel)

    async def _confirm(self, interaction: discord.Interaction) -> None:
        self.stop()
        # Storing a large export can take longer than Discord waits for an answer to a click.
        await interaction.response.defer()
        await interaction.edit_original_response(embed=await self.store(), view=None)

    async def _cancel(self, interaction: discord.Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=self.msgs("history.import.other_account_cancelled"), embed=None, view=None
        )

    async def on_timeout(self) -> None:
        if self.message is not None:
            await self.message.edit(
                content=self.msgs("history.import.other_account_expired"), embed=None, view=None
            )


# --- the cog ------------------------------------------------------------------------------------------


def _progress_answer(
    posts: list[LoggedPost],
    snapshots: list[FollowerSnapshot],
    goals: list[Goal],
    now: datetime,
    weeks: int,
    msgs: Messages,
    name: str | None,
    tz: tzinfo,
    wins: int | None,
) -> tuple[discord.Embed, bytes]:
    """The report and its chart; runs in the work pool (bot/work.py) so the event loop keeps serving others."""
    # matplotlib takes about a second and 40 MB to load: the first chart loads it, here in the worker thread,
    # so neither start-up nor members who never ask for a chart pay for it.
    from bot.render.charts import progress_chart

    report = progress_report(posts, snapshots, now, weeks, goals, tz)
    return progress_embed(msgs, report, name, tz, wins), progress_chart(report, msgs, tz)


class History(commands.Cog):
    log = app_commands.Group(name="log", description=command_description("log"), guild_only=True)
    goal = app_commands.Group(name="goal", description=command_description("goal"), guild_only=True)

    def __init__(self, bot: Pulse) -> None:
        self.bot = bot

    @property
    def repo(self) -> HistoryRepository:
        return HistoryRepository(self.bot.db)

    async def _record_view(self, guild_id: int, viewer_id: int, member_id: int, what: ViewKind) -> None:
        """Someone else opened the member's numbers: the member can see who and when in /privacy show."""
        if viewer_id != member_id:
            await CheckinRepository(self.bot.db).record_views(
                guild_id, viewer_id, [member_id], what, self.bot.clock.now()
            )

    def _zone(self, guild_id: int) -> tzinfo:
        """Weeks, streaks and dates follow the server's time zone."""
        return self.bot.servers.get(guild_id).tz

    # --- /log ---------------------------------------------------------------------------------------

    @log.command(name="followers", description=command_description("log followers"))
    @describe_options("log followers")
    async def log_followers(self, interaction: discord.Interaction, count: AtLeastOne) -> None:
        guild_id, user_id = _member_ids(interaction)
        check_count("count", count, minimum=1)
        msgs = messages(interaction)
        repo, now = self.repo, self.bot.clock.now()

        async def store() -> tuple[datetime, int] | None:
            previous = await repo.latest_followers(guild_id, user_id)
            snapshot = await repo.add_followers(guild_id, user_id, count, taken_at=now)
            mark_saved(interaction, f"follower count {snapshot.id}")
            return previous

        previous = await write_then_answer(interaction, store(), ephemeral=True)
        text = msgs(
            "history.log.followers_saved",
            followers=msgs.amount("followers", count),
            date=day_text(msgs, now, self._zone(guild_id)),
        )
        if previous is not None and previous[1] != count:
            change = signed(msgs, count - previous[1])
            text += " " + msgs(
                "history.log.followers_change",
                change=change,
                date=day_text(msgs, previous[0], self._zone(guild_id)),
            )
        await send_answer(interaction, text, ephemeral=True)

    @log.command(name="import", description=command_description("log import"))
    @describe_options("log import")
    async def log_import(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        guild_id, user_id = _member_ids(interaction)
        msgs = messages(interaction)
        # Refuse by the size Discord reports before downloading anything.
        limit = upload_limit(file.filename)
        if file.size > limit:
            raise UserError(
                _too_big_key(limit), size=_megabytes(msgs, file.size, limit), maximum=_megabytes(msgs, limit)
            )
        with heavy(interaction, "log import") as turn:
            await interaction.response.defer(ephemeral=True, thinking=True)
            data = await file.read()
            now = self.bot.clock.now()
            result = await self._read(msgs, user_id, file.filename, data, now)
            if not result.ok:
                turn.give_back()
                await interaction.followup.send(
                    embed=import_problems_embed(msgs, file.filename, result), ephemeral=True
                )
                return
            if isinstance(result, TikTokExport):
                await self._import_tiktok(interaction, msgs, file.filename, result)
                return
            outcome = await self.repo.import_rows(guild_id, user_id, result.posts, result.followers, now)
            mark_saved(
                interaction, f"an import of {outcome.posts} posts and {outcome.followers} follower counts"
            )
        answer = import_saved_embed(
            msgs, file.filename, outcome.posts, outcome.followers, outcome.skipped, result.repeated
        )
        await interaction.followup.send(embed=answer, ephemeral=True)

    async def _read(
        self, msgs: Messages, user_id: int, filename: str, data: bytes, now: datetime
    ) -> ImportResult | TikTokExport:
        try:
            return await self.bot.work.run(user_id, read_history_file, filename, data, now)
        except FileRejected as exc:
            raise _rejected(msgs, exc, len(data)) from None

    async def _import_tiktok(
        self, interaction: discord.Interaction, msgs: Messages, filename: str, export: TikTokExport
    ) -> None:
        guild_id, user_id = _member_ids(interaction)
        repo = self.repo
        try:
            planned = plan_posts(export, await repo.follower_counts(guild_id, user_id))
        except FileRejected as exc:
            raise _rejected(msgs, exc, 0) from None

        async def store() -> discord.Embed:
            outcome = await repo.import_tiktok(
                guild_id,
                user_id,
                planned.posts,
                day_counts(export),
                export.activity,
                export.handle,
                self.bot.clock.now(),
            )
            mark_saved(interaction, f"a TikTok import of {outcome.posts_added} new posts")
            return tiktok_saved_embed(msgs, filename, export, planned, outcome)

        known = await repo.tiktok_handle(guild_id, user_id)
        if known is not None and export.handle is not None and known != export.handle:
            view = OtherAccountView(user_id, msgs, store)
            view.message = await interaction.followup.send(
                embed=other_account_embed(msgs, known, export.handle), view=view, ephemeral=True, wait=True
            )
            return
        await interaction.followup.send(embed=await store(), ephemeral=True)

    # --- /history -----------------------------------------------------------------------------------

    @app_commands.command(name="history", description=command_description("history"))
    @app_commands.guild_only()
    @describe_options("history")
    async def history(
        self,
        interaction: discord.Interaction,
        page: app_commands.Range[int, 1, MAX_PAGE] = 1,
        member: discord.Member | discord.User | None = None,
    ) -> None:
        guild_id, user_id = _member_ids(interaction)
        target = member or interaction.user
        if not may_view_member(interaction, target.id):
            raise UserError("progress.not_allowed")
        view = HistoryView(
            self.repo, guild_id, user_id, messages(interaction), page, self._zone(guild_id), target.id
        )
        answer = await view.list_page()
        await self._record_view(guild_id, user_id, target.id, "history")
        await interaction.response.send_message(embed=answer, view=view, ephemeral=True)

    # --- /progress ----------------------------------------------------------------------------------

    @app_commands.command(name="progress", description=command_description("progress"))
    @app_commands.guild_only()
    @describe_options("progress")
    async def progress(
        self,
        interaction: discord.Interaction,
        member: discord.Member | discord.User | None = None,
        weeks: app_commands.Range[int, 1, MAX_WEEKS] = DEFAULT_WEEKS,
    ) -> None:
        _member_ids(interaction)
        check_weeks(weeks)
        target = member or interaction.user
        if not may_view_member(interaction, target.id):
            raise UserError("progress.not_allowed")
        with heavy(interaction, "progress"):
            await self._progress(interaction, target, weeks)

    async def _progress(self, interaction: discord.Interaction, target: discord.abc.User, weeks: int) -> None:
        guild_id, user_id = _member_ids(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self._record_view(guild_id, user_id, target.id, "progress")
        msgs = messages(interaction)
        name = None if target.id == user_id else discord.utils.escape_markdown(target.display_name)
        repo = self.repo
        posts = await repo.posts(guild_id, target.id)
        snapshots = await repo.snapshots(guild_id, target.id)
        if not posts and not snapshots:
            await interaction.followup.send(embed=no_history_embed(msgs, name), ephemeral=True)
            return
        goals = await repo.goals(guild_id, target.id)
        boards = LeaderboardRepository(self.bot.db)
        wins = await boards.weeks_won(guild_id, target.id)
        shown_wins = wins if wins or await boards.last_posted(guild_id) else None
        report, png = await self.bot.work.run(
            user_id,
            _progress_answer,
            posts,
            snapshots,
            goals,
            self.bot.clock.now(),
            weeks,
            msgs,
            name,
            self._zone(guild_id),
            shown_wins,
        )
        filename = msgs("progress.chart_name")
        report.set_image(url=f"attachment://{filename}")
        await interaction.followup.send(
            embed=report, file=discord.File(io.BytesIO(png), filename=filename), ephemeral=True
        )

    # --- /goal --------------------------------------------------------------------------------------

    @goal.command(name="set", description=command_description("goal set"))
    @describe_options("goal set")
    @app_commands.choices(metric=choice_names("goal set", "metric", GOAL_METRICS))
    async def goal_set(
        self,
        interaction: discord.Interaction,
        metric: app_commands.Choice[str],
        target: app_commands.Range[float, 0.01, float(MAX_COUNT)],
        by: app_commands.Range[str, 1, 40],
    ) -> None:
        guild_id, user_id = _member_ids(interaction)
        msgs = messages(interaction)
        try:
            deadline = parse_day(by)
        except CellError:
            raise UserError("history.goal.bad_date", value=discord.utils.escape_markdown(by[:40])) from None
        chosen: GoalMetric = "followers" if metric.value == "followers" else "engagement_rate"
        now = self.bot.clock.now()
        repo = self.repo
        posts = await repo.posts(guild_id, user_id)
        snapshots = await repo.snapshots(guild_id, user_id)
        baseline = goal_value(chosen, posts, snapshots, now)
        try:
            goal = new_goal(guild_id, user_id, chosen, target, deadline, now, baseline, self._zone(guild_id))
        except GoalRejected as exc:
            raise UserError(f"history.goal.{exc.reason}", **_dates(msgs, exc.values)) from None
        replaced = any(g.metric == chosen for g in await repo.goals(guild_id, user_id))
        await repo.set_goal(goal)
        lines = [goal_line(msgs, goal)]
        if baseline is not None:
            lines.append(msgs("history.goal.baseline", value=metric_value(msgs, chosen, baseline)))
        else:
            lines.append(msgs("history.goal.no_baseline", metric=metric_name(msgs, chosen).lower()))
        if replaced:
            lines.append(msgs("history.goal.replaced", metric=metric_name(msgs, chosen).lower()))
        await interaction.response.send_message(
            embed=embed(msgs("history.goal.set_title"), "\n".join(lines)), ephemeral=True
        )

    @goal.command(name="show", description=command_description("goal show"))
    async def goal_show(self, interaction: discord.Interaction) -> None:
        guild_id, user_id = _member_ids(interaction)
        msgs = messages(interaction)
        repo = self.repo
        goals = await repo.goals(guild_id, user_id)
        now = self.bot.clock.now()
        states = []
        if goals:
            posts = await repo.posts(guild_id, user_id)
            snapshots = await repo.snapshots(guild_id, user_id)
            states = [
                goal_progress(g, goal_value(g.metric, posts, snapshots, now), now, self._zone(guild_id))
                for g in goals
            ]
        await interaction.response.send_message(embed=goals_embed(msgs, states), ephemeral=True)

    @goal.command(name="clear", description=command_description("goal clear"))
    async def goal_clear(self, interaction: discord.Interaction) -> None:
        guild_id, user_id = _member_ids(interaction)
        msgs = messages(interaction)
        removed = await self.repo.clear_goals(guild_id, user_id)
        text = (
            msgs("history.goal.cleared", count=msgs.number(removed))
            if removed
            else msgs("history.goal.cleared_none")
        )
        await interaction.response.send_message(text, ephemeral=True)


def _dates(msgs: Messages, values: dict[str, Any]) -> dict[str, str]:
    """GoalRejected carries ISO dates; show them as the reader writes dates."""
    return {
        k: day_text(msgs, date.fromisoformat(v)) if isinstance(v, str) else str(v) for k, v in values.items()
    }


async def setup(bot: Pulse) -> None:
    await bot.add_cog(History(bot))
