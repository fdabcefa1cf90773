"""/checkin and /coach: weekly check-ins in private threads, and what coaches see of the creators they follow."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import is_coach, require_coach
from bot.client import Pulse
from bot.context import messages
from bot.domain.checkins import (
    MAX_FOCUS,
    MAX_NOTE,
    ROSTER_WEEKS,
    RosterEntry,
    check_text,
    heavy_use,
    is_stalled,
    roster_order,
    week_summary,
)
from bot.domain.coaching import diagnose, tips
from bot.domain.progress import goal_progress, goal_value
from bot.domain.weeks import IsoWeek
from bot.errors import UserError
from bot.i18n import Messages, command_description, describe_options
from bot.render.checkins import checkin_embed, focus_saved, notes_embed, quoted, roster_embed
from bot.storage.checkins import CheckinRepository
from bot.storage.history import HistoryRepository
from bot.views import DynamicButton, OwnedView, PulseButton, PulseModal

ROSTER_PAGE = 10
NOTES_SHOWN = 10
NoteText = app_commands.Range[str, 1, MAX_NOTE]


class FocusModal(PulseModal):
    """Asks the member what they want to work on this week."""

    def __init__(self, bot: Pulse, msgs: Messages, week: IsoWeek) -> None:
        super().__init__(title=msgs("checkin.focus_title", week=str(week)))
        self.bot = bot
        self.week = week
        self.focus: discord.ui.TextInput[FocusModal] = discord.ui.TextInput(
            label=msgs("checkin.focus_label"),
            placeholder=msgs("checkin.focus_placeholder"),
            style=discord.TextStyle.paragraph,
            max_length=MAX_FOCUS,
            custom_id="focus",
        )
        self.add_item(self.focus)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        text = check_text("focus", self.focus.value, MAX_FOCUS)
        repo = CheckinRepository(self.bot.db)
        await repo.set_focus(interaction.guild_id, interaction.user.id, self.week, text, self.bot.clock.now())
        # The answer lands in the member's thread, where their coaches read it.
        await interaction.response.send_message(focus_saved(messages(interaction), str(self.week), text))


class FocusButton(PulseButton, DynamicButton, template=r"checkin:focus:(?P<user>\d+):(?P<week>\d{4}-W\d{2})"):
    """The check-in's "set this week's focus" button; it keeps working after a restart."""

    def __init__(self, user_id: int, week: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.primary, custom_id=f"checkin:focus:{user_id}:{week}"
            )
        )
        self.user_id = user_id
        self.week = week

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> FocusButton:
        return cls(int(match["user"]), match["week"], label)

    async def pressed(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            raise UserError("checkin.focus_not_yours")
        bot = interaction.client
        assert isinstance(bot, Pulse) and interaction.guild_id is not None
        week = IsoWeek.parse(self.week)
        current = IsoWeek.of(bot.clock.now(), bot.servers.get(interaction.guild_id).tz)
        if week != current:
            raise UserError("checkin.focus_old_week", week=self.week)
        await interaction.response.send_modal(FocusModal(bot, messages(interaction), week))


class RosterView(OwnedView):
    """Pages through the roster; every page shown is recorded as a view of the members on it."""

    def __init__(self, cog: Checkins, owner_id: int, msgs: Messages, entries: list[RosterEntry]) -> None:
        super().__init__(owner_id, "checkin.roster.not_yours")
        self.cog = cog
        self.msgs = msgs
        self.entries = entries
        self.page = 1
        self.pages = max(1, -(-len(entries) // ROSTER_PAGE))
        self.previous.label = msgs("history.list.previous")
        self.next.label = msgs("history.list.next")
        # Unique to this view, so two open rosters never answer each other's clicks.
        prefix = f"roster:{secrets.token_hex(6)}"
        self.previous.custom_id = f"{prefix}:previous"
        self.next.custom_id = f"{prefix}:next"

    async def render(self, guild_id: int) -> discord.Embed:
        self.page = min(max(1, self.page), self.pages)
        shown = self.entries[(self.page - 1) * ROSTER_PAGE : self.page * ROSTER_PAGE]
        self.previous.disabled = self.page <= 1
        self.next.disabled = self.page >= self.pages
        if self.pages == 1:
            self.clear_items()
        await self.cog.repo.record_views(
            guild_id, self.owner_id, [e.user_id for e in shown], "roster", self.cog.bot.clock.now()
        )
        return roster_embed(self.msgs, shown, self.page, self.pages, len(self.entries), ROSTER_WEEKS)

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[RosterView]) -> None:
        assert interaction.guild_id is not None
        self.page -= 1
        await interaction.response.edit_message(embed=await self.render(interaction.guild_id), view=self)

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[RosterView]) -> None:
        assert interaction.guild_id is not None
        self.page += 1
        await interaction.response.edit_message(embed=await self.render(interaction.guild_id), view=self)


class Checkins(commands.Cog):
    coach = app_commands.Group(name="coach", description=command_description("coach"), guild_only=True)

    def __init__(self, bot: Pulse) -> None:
        self.bot = bot
        # Coaches already recorded by this process: one write per coach, not one per command.
        self._known_coaches: set[tuple[int, int]] = set()

    @property
    def repo(self) -> CheckinRepository:
        return CheckinRepository(self.bot.db)

    @property
    def history(self) -> HistoryRepository:
        return HistoryRepository(self.bot.db)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(FocusButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(FocusButton)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Remember who holds the coach role: Pulse has no member list to find them in.

        Commands only: a button press may be the one that deletes the member's data.
        """
        if (
            interaction.type is not discord.InteractionType.application_command
            or interaction.guild_id is None
            or not is_coach(interaction)
        ):
            return
        key = (interaction.guild_id, interaction.user.id)
        if key not in self._known_coaches:
            await self.repo.note_coach(interaction.guild_id, interaction.user.id, self.bot.clock.now())
            self._known_coaches.add(key)

    @commands.Cog.listener()
    async def on_member_data_deleted(self, user_id: int, guild_id: int | None) -> None:
        self._known_coaches = {
            (g, u) for g, u in self._known_coaches if u != user_id or (guild_id is not None and g != guild_id)
        }

    # --- /checkin -----------------------------------------------------------------------------------

    @app_commands.command(name="checkin", description=command_description("checkin"))
    @app_commands.guild_only()
    async def checkin(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        if guild is None or interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        settings = self.bot.servers.get(guild.id)
        if settings.coaching_channel_id is None:
            raise UserError("checkin.no_channel")
        await interaction.response.defer(ephemeral=True, thinking=True)
        msgs = messages(interaction)
        thread, private = await self.bot.checkin_threads.open(guild, interaction.user, msgs)
        now, tz = self.bot.clock.now(), settings.tz
        week = IsoWeek.of(now, tz)
        user_id = interaction.user.id
        posts = await self.history.posts(guild.id, user_id)
        snapshots = await self.history.snapshots(guild.id, user_id)
        goals = [
            goal_progress(g, goal_value(g.metric, posts, snapshots, now), now, tz)
            for g in await self.history.goals(guild.id, user_id)
        ]
        wellbeing = heavy_use(posts, now, tz)
        card = checkin_embed(
            msgs,
            week_summary(posts, now, tz),
            diagnose(tips(), posts),
            goals,
            await self.repo.earlier_focus(guild.id, user_id, week),
            # The wellbeing line is for the member alone: never in a thread others can read.
            wellbeing if private else None,
            discord.utils.escape_markdown(interaction.user.display_name),
        )
        view = discord.ui.View(timeout=None)
        view.add_item(FocusButton(user_id, str(week), msgs("checkin.focus_button")))
        await thread.send(embed=card, view=view)
        await self.repo.record_checkin(guild.id, user_id, week, now)
        text = msgs("checkin.done", thread=thread.mention)
        if wellbeing is not None and not private:
            text += "\n\n" + msgs(f"checkin.wellbeing.{wellbeing}")
        await interaction.followup.send(text, ephemeral=True)

    # --- /coach ---------------------------------------------------------------------------------------

    @coach.command(name="roster", description=command_description("coach roster"))
    async def roster(self, interaction: discord.Interaction) -> None:
        require_coach(interaction)
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        msgs = messages(interaction)
        entries = await self._roster(interaction.guild_id)
        view = RosterView(self, interaction.user.id, msgs, entries)
        answer = await view.render(interaction.guild_id)
        await interaction.followup.send(embed=answer, view=view, ephemeral=True)

    async def _roster(self, guild_id: int) -> list[RosterEntry]:
        settings = self.bot.servers.get(guild_id)
        now, tz = self.bot.clock.now(), settings.tz
        since = IsoWeek.of(now, tz).shifted(-ROSTER_WEEKS).start(tz)
        members = await self.repo.active_members(guild_id, since)
        last_checkins = await self.repo.last_checkins(guild_id, members)
        entries = []
        for user_id in members:
            posts = await self.history.posts(guild_id, user_id)
            snapshots = await self.history.snapshots(guild_id, user_id)
            goals = tuple(
                goal_progress(g, goal_value(g.metric, posts, snapshots, now), now, tz)
                for g in await self.history.goals(guild_id, user_id)
            )
            last_post: datetime | None = max((p.posted_at for p in posts if p.posted_at <= now), default=None)
            last_checkin = last_checkins.get(user_id)
            entries.append(
                RosterEntry(
                    user_id=user_id,
                    summary=week_summary(posts, now, tz),
                    last_post=last_post,
                    last_checkin=last_checkin,
                    goals=goals,
                    stalled=is_stalled(last_post, last_checkin, now),
                )
            )
        return roster_order(entries)

    @coach.command(name="note", description=command_description("coach note"))
    @describe_options("coach note")
    async def note(
        self, interaction: discord.Interaction, member: discord.Member | discord.User, text: NoteText
    ) -> None:
        require_coach(interaction)
        assert interaction.guild_id is not None
        if member.bot:
            raise UserError("checkin.notes.not_a_member")
        cleaned = check_text("note", text, MAX_NOTE)
        await self.repo.add_note(
            interaction.guild_id, member.id, interaction.user.id, cleaned, self.bot.clock.now()
        )
        msgs = messages(interaction)
        await interaction.response.send_message(
            msgs("checkin.notes.saved", member=member.mention) + "\n" + quoted(cleaned), ephemeral=True
        )

    @coach.command(name="notes", description=command_description("coach notes"))
    @describe_options("coach notes")
    async def notes(self, interaction: discord.Interaction, member: discord.Member | discord.User) -> None:
        require_coach(interaction)
        assert interaction.guild_id is not None
        notes = await self.repo.notes(interaction.guild_id, member.id, NOTES_SHOWN)
        total = await self.repo.note_count(interaction.guild_id, member.id)
        msgs = messages(interaction)
        answer = notes_embed(msgs, member.id, notes, total)
        await interaction.response.send_message(embed=answer, ephemeral=True)


async def setup(bot: Pulse) -> None:
    await bot.add_cog(Checkins(bot))
