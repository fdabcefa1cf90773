"""The stand-in's checks flag what Discord would refuse (and pings, which Pulse never sends), and only that;
and the stand-in answers as Discord does (channels, channel options, nonces, history, injected faults, roles and
members, threads, the bot kicked and invited again, several servers spread over shards), checked with discord.py
itself where discord.py reads the answers."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar
from urllib.parse import urlencode

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from jsonschema import Draft202012Validator

from tests.e2e.bot_process import fail_on_violations
from tests.e2e.stand_in import (
    ADMIN_PERMISSIONS,
    ALL_PERMISSIONS,
    BOT_PERMISSIONS,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    GUILD_ANNOUNCEMENT,
    GUILD_CATEGORY,
    GUILD_FORUM,
    GUILD_VOICE,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    Channel,
    Guild,
    NoReply,
    Role,
    StandIn,
    StandInError,
    Thread,
    limits,
    snowflake,
)
from tests.e2e.stand_in.spec import DOCUMENT_URI, ApiSpec, load_spec

T = TypeVar("T")


def command(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "engagement",
        "description": "Engagement rates",
        "name_localizations": {"nl": "betrokkenheid"},
        "description_localizations": {"nl": "Betrokkenheid berekenen"},
        "type": 1,
        "options": [
            {"type": 4, "name": "likes", "description": "Likes", "required": True},
            {"type": 4, "name": "views", "description": "Views", "required": False},
        ],
    }
    return base | overrides


def test_a_valid_command_passes() -> None:
    assert limits.check_commands([command()], "sync") == []


def test_description_over_100_characters_is_flagged_in_every_language() -> None:
    assert limits.check_commands([command(description="x" * 101)], "sync")
    problems = limits.check_commands([command(description_localizations={"nl": "x" * 101})], "sync")
    assert any("[nl]" in p and "101 characters" in p for p in problems), problems
    assert limits.check_commands([command(description="")], "sync")


def test_names_must_be_lowercase_without_spaces_in_every_language() -> None:
    assert limits.check_commands([command(name="Engagement")], "sync")
    assert limits.check_commands([command(name_localizations={"nl": "betrokken heid"})], "sync")
    assert limits.check_commands([command(name="x" * 33)], "sync")
    assert limits.check_commands([command(name_localizations={"xx": "a"})], "sync")
    assert limits.check_commands([command(name="über_ok-1")], "sync") == []


def test_required_option_after_an_optional_one_is_flagged() -> None:
    options = [
        {"type": 4, "name": "views", "description": "Views"},
        {"type": 4, "name": "likes", "description": "Likes", "required": True},
    ]
    problems = limits.check_commands([command(options=options)], "sync")
    assert any("required option after an optional one" in p for p in problems), problems


def test_more_than_25_options_or_choices_is_flagged() -> None:
    options = [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)]
    assert limits.check_commands([command(options=options)], "sync")
    choices = [{"name": f"c{i}", "value": f"c{i}"} for i in range(26)]
    assert limits.check_commands([command(options=[{**options[0], "choices": choices}])], "sync")
    assert limits.check_choices(choices, "autocomplete")


def test_embed_over_6000_characters_is_flagged_although_each_part_fits() -> None:
    embed = {"title": "t", "description": "d" * 4000, "fields": [{"name": "n", "value": "v" * 1000}] * 3}
    problems = limits.check_message({"embeds": [embed]}, "reply", partial=False)
    assert problems == ["reply: embeds hold 7004 characters, at most 6000 per message"]
    assert (
        limits.check_message({"embeds": [embed | {"fields": embed["fields"][:1]}]}, "reply", partial=False)
        == []
    )


def test_each_embed_part_and_the_content_have_their_own_limit() -> None:
    assert limits.check_message({"content": "x" * 2001}, "reply", partial=False)
    assert limits.check_message({"embeds": [{"title": "x" * 257}]}, "reply", partial=False)
    assert limits.check_message(
        {"embeds": [{"fields": [{"name": "n", "value": ""}]}]}, "reply", partial=False
    )
    assert limits.check_message(
        {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, "r", partial=False
    )
    assert limits.check_message({"embeds": [{"footer": {"text": "x" * 2049}}]}, "reply", partial=False)
    assert limits.check_message({"embeds": [{"title": "t"}] * 11}, "reply", partial=False)


def test_an_empty_message_is_flagged_but_an_empty_edit_is_not() -> None:
    assert limits.check_message({"content": ""}, "reply", partial=False)
    assert limits.check_message({"content": ""}, "edit", partial=True) == []


def test_interaction_responses_are_checked_by_type() -> None:
    assert limits.check_callback({"type": 4, "data": {"content": "hi", "flags": 64}}, "r") == []
    assert limits.check_callback({"type": 4, "data": {"content": "hi", "flags": 1 << 3}}, "r")
    assert limits.check_callback(
        {"type": 9, "data": {"title": "x" * 46, "custom_id": "m", "components": []}}, "r"
    )
    assert limits.check_callback({"type": 8, "data": {"choices": [{"name": "", "value": "a"}]}}, "r")


MINI_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/channels/{channel_id}/messages": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/MessageCreate"}}
                    }
                }
            }
        },
        "/users/@me": {"get": {}},
    },
    "components": {
        "schemas": {
            "SnowflakeType": {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"},
            "MessageCreate": {
                "type": "object",
                "properties": {
                    "content": {"type": ["string", "null"], "maxLength": 2000},
                    "message_reference": {
                        "type": "object",
                        "properties": {"message_id": {"$ref": "#/components/schemas/SnowflakeType"}},
                    },
                },
            },
        }
    },
}


def test_request_bodies_are_checked_against_the_operations_schema_with_refs() -> None:
    spec = ApiSpec(MINI_SPEC)
    assert spec.check("POST", "/channels/1/messages", {"content": "hi"}) == []
    problems = spec.check("POST", "/channels/1/messages", {"content": "x" * 2001})
    assert len(problems) == 1 and "at content" in problems[0] and "maxLength" in problems[0], problems
    # Discord takes ids as numbers too, as discord.py sends some of them.
    assert spec.check("POST", "/channels/1/messages", {"message_reference": {"message_id": 5}}) == []
    assert spec.check("POST", "/channels/1/messages", {"message_reference": {"message_id": "x"}})


def test_unknown_routes_and_methods_are_flagged() -> None:
    spec = ApiSpec(MINI_SPEC)
    assert spec.check("GET", "/users/@me", None) == []
    assert spec.check("GET", "/users/@you", None) == ["GET /users/@you: no such route in Discord's API"]
    assert spec.check("DELETE", "/users/@me", None)


# --- pings ----------------------------------------------------------------------------------------------


def test_mentions_in_content_ping_unless_allowed_mentions_suppresses_them() -> None:
    text = "Top of the week: <@111> and <@!222>, thanks <@&333>! @everyone"
    problems = limits.check_message({"content": text}, "post", partial=False)
    assert any("would ping @everyone" in p for p in problems), problems
    assert any("would ping user(s) 111, 222" in p for p in problems), problems
    assert any("would ping role(s) 333" in p for p in problems), problems
    assert (
        limits.check_message({"content": text, "allowed_mentions": {"parse": []}}, "post", partial=False)
        == []
    )
    # An empty object suppresses everything too; what parse or the id lists let through still pings.
    assert limits.check_message({"content": text, "allowed_mentions": {}}, "post", partial=False) == []
    only_users = limits.check_pings({"content": text, "allowed_mentions": {"parse": ["users"]}}, "post")
    assert only_users == ["post: would ping user(s) 111, 222 (allowed_mentions {'parse': ['users']})"]
    one_role = limits.check_pings({"content": text, "allowed_mentions": {"parse": [], "roles": ["333"]}}, "p")
    assert len(one_role) == 1 and "role(s) 333" in one_role[0]
    assert limits.check_pings({"content": "@here, results are in"}, "post")
    # Edits count: a deferred reply's first edit is what the member sees.
    assert limits.check_message({"content": "<@111>"}, "edit", partial=True)


def test_mentions_in_embeds_never_ping_but_text_displays_do() -> None:
    embed = {"title": "Leaderboard", "description": "1. <@111>\n2. <@&333>\n@everyone"}
    assert limits.check_message({"embeds": [embed]}, "post", partial=False) == []
    assert limits.check_callback({"type": 4, "data": {"embeds": [embed]}}, "reply") == []
    display = {"type": 10, "content": "1. <@111>"}
    problems = limits.check_message(
        {"flags": limits.IS_COMPONENTS_V2, "components": [{"type": 17, "components": [display]}]},
        "post",
        partial=False,
    )
    assert any("would ping user(s) 111" in p for p in problems), problems
    assert limits.check_callback({"type": 4, "data": {"content": "<@111>"}}, "reply")


def test_parse_and_an_id_list_of_the_same_type_are_refused() -> None:
    body = {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["111"]}}
    problems = limits.check_pings(body, "post")
    assert problems == ["post: allowed_mentions has both parse 'users' and a users list"]


# --- talking to the stand-in: raw HTTP and a tiny discord.py client ---------------------------------------


def api(stand_in: StandIn, method: str, path: str, body: Any = None, **query: Any) -> tuple[int, Any]:
    """One REST request as a bot would make it; (status, JSON body or None)."""
    url = stand_in.api_base + path + ("?" + urlencode(query) if query else "")
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": "Bot stand-in-test", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def post(stand_in: StandIn, channel: Channel, content: str, **extra: Any) -> dict[str, Any]:
    status, message = api(stand_in, "POST", f"/channels/{channel.id}/messages", {"content": content, **extra})
    assert status == 200, message
    return message


class TinyBot:
    """A few lines of discord.py in a thread of the test process, logged in to a stand-in; with `shard_ids` an
    `AutoShardedClient` that runs those of `shard_count` shards (as one of several processes would)."""

    def __init__(
        self,
        stand_in: StandIn,
        allowed_mentions: discord.AllowedMentions | None,
        shard_ids: list[int] | None = None,
        shard_count: int | None = None,
    ) -> None:
        self.stand_in = stand_in
        intents = discord.Intents.none()
        intents.guilds = True
        self.client: discord.Client
        if shard_ids is None:
            self.client = discord.Client(
                intents=intents, allowed_mentions=allowed_mentions, guild_ready_timeout=0.1
            )
        else:
            self.client = discord.AutoShardedClient(
                intents=intents,
                allowed_mentions=allowed_mentions,
                guild_ready_timeout=0.1,
                shard_ids=shard_ids,
                shard_count=shard_count,
            )
        self.tree = app_commands.CommandTree(self.client)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="tiny-bot", daemon=True)

    def start(self) -> TinyBot:
        self._thread.start()
        before = self.stand_in.connections
        self._running = asyncio.run_coroutine_threadsafe(self.client.start("stand-in.tiny-bot"), self.loop)
        assert self.stand_in.wait_ready(before, timeout=10), "the tiny bot did not connect"
        self.run(self.client.wait_until_ready())
        if self.tree.get_commands():
            self.run(self.tree.sync())
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.run(self.client.close())
            self._running.result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 15) -> T:
        """Run a coroutine on the client's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def eventually(self, check: Callable[[], bool], timeout: float = 5) -> bool:
        """Whether `check` (run on the client's loop) holds within `timeout` s: gateway events take a moment."""

        async def poll() -> bool:
            deadline = self.loop.time() + timeout
            while not check():
                if self.loop.time() > deadline:
                    return False
                await asyncio.sleep(0.01)
            return True

        return self.run(poll(), timeout + 5)

    @property
    def guild(self) -> discord.Guild:
        guild = self.client.get_guild(self.stand_in.guild.id)
        assert guild is not None
        return guild

    def channel(self, channel: Channel) -> Any:
        return self.guild.get_channel(channel.id)


def whereabouts(interaction: discord.Interaction) -> str:
    """Where an interaction came from and who sent it, as discord.py understands the payload."""
    channel = interaction.channel
    roles = sorted(r.id for r in getattr(interaction.user, "roles", []) if not r.is_default())
    return (
        f"{type(channel).__name__} {interaction.channel_id} parent={getattr(channel, 'parent_id', None)} "
        f"roles={roles} private-threads={interaction.app_permissions.create_private_threads}"
    )


class WhereModal(discord.ui.Modal, title="Where"):
    note: discord.ui.TextInput[WhereModal] = discord.ui.TextInput(label="Note", custom_id="where:note")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"submitted {whereabouts(interaction)}")


class WhereView(discord.ui.View):
    @discord.ui.button(label="Here?", custom_id="where:button")
    async def here(self, interaction: discord.Interaction, button: discord.ui.Button[WhereView]) -> None:
        await interaction.response.send_modal(WhereModal())


def add_commands(tree: app_commands.CommandTree) -> None:
    @tree.command(name="coachrole", description="Pick the coach role")
    async def coachrole(interaction: discord.Interaction, role: discord.Role) -> None:
        await interaction.response.send_message(f"{role.id} {role.name}")

    @tree.command(name="where", description="Where was this asked")
    async def where(interaction: discord.Interaction, topic: str | None = None) -> None:
        await interaction.response.send_message(whereabouts(interaction), view=WhereView(timeout=None))

    @where.autocomplete("topic")
    async def where_topics(interaction: discord.Interaction, typed: str) -> list[app_commands.Choice[str]]:
        channel = interaction.channel
        return [app_commands.Choice(name=f"{type(channel).__name__} {interaction.channel_id}", value="here")]

    @tree.command(name="pick", description="Pick the leaderboard channel")
    async def pick(interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        me = channel.guild.me
        can_post = channel.permissions_for(me).send_messages
        await interaction.response.send_message(
            f"{type(channel).__name__} {channel.id} #{channel.name} bot-can-post={can_post}"
        )

    @tree.command(name="whisper", description="A private answer")
    async def whisper(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("only you", ephemeral=True)

    @tree.command(name="shout", description="Reply, follow up and edit, all with mentions")
    async def shout(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("<@111> @everyone")
        await interaction.edit_original_response(content="<@111> edited")
        await interaction.followup.send("<@&333> too")  # last: refresh(followups=1) then has everything


@contextlib.contextmanager
def tiny_bot(
    stand_in: StandIn, shard_ids: list[int] | None = None, shard_count: int | None = None
) -> Iterator[TinyBot]:
    """A running TinyBot with the commands above and Pulse's `AllowedMentions.none()`; discord.py points at the
    stand-in meanwhile."""
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = stand_in.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(stand_in.gateway_url)
    bot = TinyBot(stand_in, discord.AllowedMentions.none(), shard_ids, shard_count)
    add_commands(bot.tree)
    try:
        yield bot.start()
    finally:
        bot.stop()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[StandIn, TinyBot]]:
    """One stand-in and tiny bot for the tests that only add channels of their own."""
    with StandIn() as stand_in, tiny_bot(stand_in) as bot:
        yield stand_in, bot
    fail_on_violations(stand_in)


# --- channels -------------------------------------------------------------------------------------------


def test_channels_arrive_in_guild_create_and_as_channel_create(stand_in: StandIn) -> None:
    early = stand_in.add_channel("leaderboard")
    closed = stand_in.add_channel("announcements", bot_can_post=False)
    with tiny_bot(stand_in) as bot:
        assert isinstance(bot.channel(early), discord.TextChannel)
        assert bot.channel(early).name == "leaderboard"
        assert bot.channel(stand_in.general).id == stand_in.guild.channel_id
        late = stand_in.add_channel("late")
        voice = stand_in.add_channel("Lounge", kind=GUILD_VOICE)
        assert bot.eventually(lambda: bot.channel(late) is not None and bot.channel(voice) is not None)
        assert isinstance(bot.channel(voice), discord.VoiceChannel)

        def allowed(channel: Channel) -> discord.Permissions:
            return bot.channel(channel).permissions_for(bot.guild.me)

        assert allowed(early).send_messages and allowed(late).send_messages
        assert not allowed(closed).send_messages
        assert allowed(closed).view_channel and allowed(closed).read_message_history

        with pytest.raises(discord.Forbidden) as refused:
            bot.run(bot.channel(closed).send("Weekly leaderboard"))
        assert refused.value.status == 403 and refused.value.code == 50013
        message = bot.run(bot.channel(late).send("Weekly leaderboard"))
        assert [m.id for m in stand_in.channel_messages(late)] == [message.id]
        assert stand_in.channel_messages(closed) == []
        assert stand_in.channel_messages() == []

    assert [c.name for c in stand_in.channels] == [
        "general",
        "leaderboard",
        "announcements",
        "late",
        "Lounge",
    ]
    status, listed = api(stand_in, "GET", f"/guilds/{stand_in.guild.id}/channels")
    assert status == 200 and [c["id"] for c in listed] == [str(c.id) for c in stand_in.channels]
    for channel in stand_in.channels:
        status, payload = api(stand_in, "GET", f"/channels/{channel.id}")
        assert status == 200 and payload["name"] == channel.name and payload["type"] == channel.kind
    overwrites = stand_in.channel_payload(closed)["permission_overwrites"]
    assert overwrites == [
        {"id": str(stand_in.app_id), "type": 1, "allow": str(VIEW_CHANNEL), "deny": str(SEND_MESSAGES)}
    ]
    status, error = api(stand_in, "POST", f"/channels/{closed.id}/messages", {"content": "hi"})
    assert (status, error) == (403, {"message": "Missing Permissions", "code": 50013})


def test_forbidding_and_deleting_a_channel_reach_the_bot(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    channel = stand_in.add_channel("weekly")
    assert bot.eventually(lambda: bot.channel(channel) is not None)
    assert bot.channel(channel).permissions_for(bot.guild.me).send_messages
    post(stand_in, channel, "before")

    stand_in.forbid_channel(channel)
    assert bot.eventually(lambda: not bot.channel(channel).permissions_for(bot.guild.me).send_messages)
    status, error = api(stand_in, "POST", f"/channels/{channel.id}/messages", {"content": "after"})
    assert (status, error) == (403, {"message": "Missing Permissions", "code": 50013})
    assert api(stand_in, "GET", f"/channels/{channel.id}")[0] == 200

    stand_in.delete_channel(channel)
    assert bot.eventually(lambda: bot.channel(channel) is None)
    assert channel not in stand_in.channels
    unknown = {"message": "Unknown Channel", "code": 10003}
    assert api(stand_in, "GET", f"/channels/{channel.id}") == (404, unknown)
    assert api(stand_in, "POST", f"/channels/{channel.id}/messages", {"content": "x"}) == (404, unknown)
    assert api(stand_in, "GET", f"/channels/{channel.id}/messages") == (404, unknown)
    with pytest.raises(discord.NotFound) as gone:
        bot.run(bot.client.fetch_channel(channel.id))
    assert gone.value.code == 10003
    assert [m.content for m in stand_in.channel_messages(channel)] == ["before"]
    with pytest.raises(StandInError):
        stand_in.forbid_channel(channel)


def test_messages_cannot_be_posted_in_a_category(stand_in: StandIn) -> None:
    category = stand_in.add_channel("Stats", kind=GUILD_CATEGORY)
    status, error = api(stand_in, "POST", f"/channels/{category.id}/messages", {"content": "hi"})
    assert (status, error["code"]) == (400, 50008)


@pytest.mark.skipif(load_spec() is None, reason="../shared/discord-api-spec is not beside this checkout")
def test_channel_payloads_fit_discords_schema(stand_in: StandIn) -> None:
    spec = load_spec()
    assert spec is not None
    schema = {"$ref": f"{DOCUMENT_URI}#/components/schemas/GuildChannelResponse"}
    validator = Draft202012Validator(schema, registry=spec.registry)
    channels = [stand_in.general, stand_in.add_channel("closed", bot_can_post=False)]
    channels += [
        stand_in.add_channel(n, kind=k) for n, k in (("Voice", GUILD_VOICE), ("Cat", GUILD_CATEGORY))
    ]
    for channel in channels:
        payload = api(stand_in, "GET", f"/channels/{channel.id}")[1]
        assert not list(validator.iter_errors(payload)), payload
        resolved = stand_in._resolved_channel(channel, stand_in.member, MEMBER_PERMISSIONS)
        assert not list(validator.iter_errors(resolved)), resolved


# --- channel options ------------------------------------------------------------------------------------


def test_a_channel_option_resolves_to_the_cached_channel(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    closed = stand_in.add_channel("hall-of-fame", bot_can_post=False)
    assert bot.eventually(lambda: bot.channel(closed) is not None)
    pick = stand_in.command("pick")
    assert pick is not None and pick["options"][0]["channel_types"] == [0, 5]

    reply = stand_in.invoke("pick", {"channel": closed})
    assert reply.content == f"TextChannel {closed.id} #hall-of-fame bot-can-post=False"
    option = reply.interaction["data"]["options"][0]
    assert option == {"name": "channel", "type": 7, "value": str(closed.id)}
    resolved = reply.interaction["data"]["resolved"]["channels"][str(closed.id)]
    assert resolved["id"] == str(closed.id) and resolved["name"] == "hall-of-fame" and resolved["type"] == 0
    assert resolved["parent_id"] is None and "permission_overwrites" not in resolved
    # The invoking member's permissions there (the overwrite only concerns the bot).
    assert resolved["permissions"] == str(MEMBER_PERMISSIONS)

    reply = stand_in.invoke("pick", {"channel": stand_in.general}, permissions=ADMIN_PERMISSIONS)
    assert reply.content == f"TextChannel {stand_in.guild.channel_id} #general bot-can-post=True"
    resolved = reply.interaction["data"]["resolved"]["channels"][str(stand_in.guild.channel_id)]
    assert resolved["permissions"] == str(ALL_PERMISSIONS)


def test_strict_channel_options_take_only_existing_channels_of_the_allowed_types(
    shared: tuple[StandIn, TinyBot],
) -> None:
    stand_in, bot = shared
    voice = stand_in.add_channel("Podcast", kind=GUILD_VOICE)
    gone = stand_in.add_channel("old-board")
    stand_in.delete_channel(gone)
    with pytest.raises(StandInError, match=r"types \[0, 5\]"):
        stand_in.invoke("pick", {"channel": voice})
    with pytest.raises(StandInError, match="deleted"):
        stand_in.invoke("pick", {"channel": gone})
    with pytest.raises(StandInError, match="takes a Channel"):
        stand_in.invoke("pick", {"channel": "general"})
    # Sent anyway, discord.py refuses a voice channel for a TextChannel option: no answer at all.
    assert bot.eventually(lambda: bot.channel(voice) is not None)
    with pytest.raises(NoReply, match="no interaction response"):
        stand_in.invoke("pick", {"channel": voice}, strict=False, timeout=1.5)


# --- nonces ---------------------------------------------------------------------------------------------


def test_a_repeated_nonce_returns_the_first_message_within_the_window(stand_in: StandIn) -> None:
    board = stand_in.add_channel("leaderboard")
    other = stand_in.add_channel("other")
    first = post(stand_in, board, "Week 12", nonce="week-12", enforce_nonce=True)
    assert first["nonce"] == "week-12"
    again = post(stand_in, board, "Week 12 (retry)", nonce="week-12", enforce_nonce=True)
    assert again == first
    assert [m.content for m in stand_in.channel_messages(board)] == ["Week 12"]
    assert stand_in.channel_messages(board)[0].payload["nonce"] == "week-12"

    # Without enforce_nonce, in another channel, or once the window has passed: a new message.
    assert post(stand_in, board, "Week 12", nonce="week-12")["id"] != first["id"]
    assert post(stand_in, other, "Week 12", nonce="week-12", enforce_nonce=True)["id"] != first["id"]
    stand_in.nonce_window = 0.2
    time.sleep(0.3)
    late = post(stand_in, board, "Week 12", nonce="week-12", enforce_nonce=True)
    assert late["id"] != first["id"]
    assert len(stand_in.channel_messages(board)) == 3

    # A nonce whose message was deleted in the meantime: 404 (discord.py documents NotFound for it).
    stand_in.nonce_window = 300
    doomed = post(stand_in, board, "oops", nonce="n-2", enforce_nonce=True)
    assert api(stand_in, "DELETE", f"/channels/{board.id}/messages/{doomed['id']}")[0] == 204
    status, error = api(
        stand_in,
        "POST",
        f"/channels/{board.id}/messages",
        {"content": "oops", "nonce": "n-2", "enforce_nonce": True},
    )
    assert (status, error) == (404, {"message": "Unknown Message", "code": 10008})


def test_discord_py_retrying_a_lost_create_posts_once(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    board = stand_in.add_channel("weekly-board")
    assert bot.eventually(lambda: bot.channel(board) is not None)
    path = rf"/channels/{board.id}/messages"
    stand_in.fail_next("POST", path, status=500, after_effect=True)
    message = bot.run(bot.channel(board).send("Leaderboard, week 12"))
    posts = stand_in.requests_to("POST", path)
    assert [(r.status, r.injected) for r in posts] == [(500, True), (200, False)]
    assert posts[0].body["nonce"] == posts[1].body["nonce"] and posts[0].body["enforce_nonce"] is True
    assert [m.id for m in stand_in.channel_messages(board)] == [message.id]

    # The same loss without a nonce (a raw create) is a double post: what the nonce is for.
    stand_in.fail_next("POST", path, status=500, after_effect=True)
    assert api(stand_in, "POST", f"/channels/{board.id}/messages", {"content": "raw"})[0] == 500
    assert post(stand_in, board, "raw")
    assert [m.content for m in stand_in.channel_messages(board)][1:] == ["raw", "raw"]


# --- injected faults ------------------------------------------------------------------------------------


def test_fail_next_answers_the_next_matching_requests_with_an_error(stand_in: StandIn) -> None:
    channel_id = stand_in.guild.channel_id
    stand_in.fail_next("GET", r"/channels/\d+", status=503, times=2)
    stand_in.fail_next(
        "POST", r"/channels/\d+/messages", status=403, code=50013, message="Missing Permissions"
    )
    assert api(stand_in, "GET", "/users/@me")[0] == 200  # another route: untouched
    assert api(stand_in, "GET", f"/channels/{channel_id}") == (
        503,
        {"message": "503: Service Unavailable", "code": 0},
    )
    assert api(stand_in, "GET", f"/channels/{channel_id}")[0] == 503
    assert api(stand_in, "GET", f"/channels/{channel_id}")[0] == 200
    status, error = api(stand_in, "POST", f"/channels/{channel_id}/messages", {"content": "hi"})
    assert (status, error) == (403, {"message": "Missing Permissions", "code": 50013})
    assert stand_in.channel_messages() == []  # not carried out
    stand_in.fail_next("POST", r"/channels/\d+/messages", after_effect=True)
    assert api(stand_in, "POST", f"/channels/{channel_id}/messages", {"content": "hi"})[0] == 500
    assert [m.content for m in stand_in.channel_messages()] == ["hi"]  # carried out, answer lost
    statuses = [(r.status, r.injected) for r in stand_in.requests_to("GET", r"/channels/\d+")]
    assert statuses == [(503, True), (503, True), (200, False)]


def test_discord_py_waits_out_an_injected_rate_limit(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    channel_id = stand_in.guild.channel_id
    stand_in.fail_next("GET", rf"/channels/{channel_id}", status=429, retry_after=0.2)
    fetched = bot.run(bot.client.fetch_channel(channel_id))
    assert fetched.id == channel_id
    assert [r.status for r in stand_in.requests_to("GET", rf"/channels/{channel_id}")][-2:] == [429, 200]


# --- history --------------------------------------------------------------------------------------------


def test_history_pages_newest_first_as_discord_does(stand_in: StandIn) -> None:
    board = stand_in.add_channel("history")
    ids = [post(stand_in, board, f"m{i}")["id"] for i in range(5)]  # oldest first

    def page(**query: Any) -> list[str]:
        status, messages = api(stand_in, "GET", f"/channels/{board.id}/messages", **query)
        assert status == 200, messages
        return [m["id"] for m in messages]

    assert page() == ids[::-1]
    assert page(limit=2) == [ids[4], ids[3]]
    assert page(before=ids[3]) == [ids[2], ids[1], ids[0]]
    assert page(before=ids[3], limit=2) == [ids[2], ids[1]]
    assert page(after=ids[1]) == [ids[4], ids[3], ids[2]]
    assert page(after=ids[1], limit=2) == [ids[3], ids[2]]
    assert page(around=ids[2], limit=3) == [ids[3], ids[2], ids[1]]
    assert page(around=ids[2], limit=1) == [ids[2]]
    assert page(after=ids[4]) == []

    for bad in (0, 101, "x"):
        status, error = api(stand_in, "GET", f"/channels/{board.id}/messages", limit=bad)
        assert (status, error["code"]) == (400, 50035) and "limit" in error["errors"]
    assert len(stand_in.take_violations()) == 3
    unknown = api(stand_in, "GET", "/channels/1234/messages")
    assert unknown == (404, {"message": "Unknown Channel", "code": 10003})


def test_history_reads_through_discord_py_and_shows_public_replies(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    board = stand_in.add_channel("board-history")
    assert bot.eventually(lambda: bot.channel(board) is not None)
    for week in range(1, 5):
        bot.run(bot.channel(board).send(f"Week {week}"))

    async def newest(limit: int) -> list[str]:
        return [m.content async for m in bot.channel(board).history(limit=limit)]

    async def after_first() -> list[str]:
        first = bot.channel(board).get_partial_message(stand_in.channel_messages(board)[0].id)
        return [m.content async for m in bot.channel(board).history(after=first, limit=None)]

    assert bot.run(newest(3)) == ["Week 4", "Week 3", "Week 2"]
    assert bot.run(after_first()) == ["Week 2", "Week 3", "Week 4"]  # discord.py turns `after` oldest first

    public = stand_in.invoke("pick", {"channel": stand_in.general})
    private = stand_in.invoke("whisper")
    shown = [m["id"] for m in api(stand_in, "GET", f"/channels/{stand_in.guild.channel_id}/messages")[1]]
    assert public.message is not None and private.message is not None
    assert str(public.message.id) in shown and str(private.message.id) not in shown


# --- what discord.py sends for mentions -----------------------------------------------------------------


def test_allowed_mentions_none_reaches_every_message_discord_py_sends(
    shared: tuple[StandIn, TinyBot],
) -> None:
    stand_in, bot = shared
    before = len(stand_in.requests)
    reply = stand_in.invoke("shout").refresh(followups=1)
    bot.run(bot.channel(stand_in.general).send("<@111> @everyone"))
    assert reply.content == "<@111> edited"
    made = [r for r in stand_in.requests[before:] if r.method in ("POST", "PATCH")]
    assert len(made) == 4  # callback, followup, edit of the original, channel post
    for request in made:
        body = request.body.get("data", request.body) if request.path.endswith("/callback") else request.body
        assert body["allowed_mentions"] == {"parse": []}, (request.method, request.path, body)
    assert stand_in.take_violations() == []

    bot.run(
        bot.channel(stand_in.general).send("<@111> @everyone", allowed_mentions=discord.AllowedMentions.all())
    )
    problems = stand_in.take_violations()
    assert any("would ping @everyone" in p for p in problems), problems
    assert any("would ping user(s) 111" in p for p in problems), problems


# --- roles and members ----------------------------------------------------------------------------------


def member_of(stand_in: StandIn, user_id: int) -> tuple[int, Any]:
    return api(stand_in, "GET", f"/guilds/{stand_in.guild.id}/members/{user_id}")


def test_roles_reach_the_bot_and_every_interaction(stand_in: StandIn) -> None:
    coach = stand_in.add_role("Coach")
    with tiny_bot(stand_in) as bot:
        role = bot.guild.get_role(coach.id)
        assert role is not None and role.name == "Coach"  # from GUILD_CREATE
        # The bot's managed role carries its invite's permissions, so discord.py knows it may make threads.
        assert bot.guild.me.guild_permissions.value == BOT_PERMISSIONS
        assert bot.channel(stand_in.general).permissions_for(bot.guild.me).create_private_threads
        mentor = stand_in.add_role("Mentor", MANAGE_GUILD)
        assert bot.eventually(lambda: bot.guild.get_role(mentor.id) is not None)  # GUILD_ROLE_CREATE
        role = bot.guild.get_role(mentor.id)
        assert role is not None and role.permissions.manage_guild
        assert [r.name for r in stand_in.roles] == ["@everyone", "Pulse", "Coach", "Mentor"]

        stand_in.give_role(stand_in.member, coach)
        stand_in.give_role(stand_in.member, mentor)
        reply = stand_in.invoke("where", permissions=MEMBER_PERMISSIONS)
        assert f"roles={sorted([coach.id, mentor.id])}" in reply.content
        member = reply.interaction["member"]
        assert sorted(member["roles"]) == sorted([str(coach.id), str(mentor.id)])
        assert member["permissions"] == str(MEMBER_PERMISSIONS)  # what the caller passed, roles or not

        stand_in.take_role(stand_in.member, mentor)
        reply = stand_in.click(reply, "where:button")  # a click carries the roles too
        assert reply.interaction["member"]["roles"] == [str(coach.id)]
        assert stand_in.invoke("where", user=stand_in.user("newcomer")).interaction["member"]["roles"] == []
    with pytest.raises(StandInError):
        stand_in.give_role(stand_in.member, stand_in.bot_role)


def test_a_role_option_resolves_to_the_role(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    coach = stand_in.add_role("Coach")
    assert bot.eventually(lambda: bot.guild.get_role(coach.id) is not None)
    reply = stand_in.invoke("coachrole", {"role": coach})
    assert reply.content == f"{coach.id} Coach"
    data = reply.interaction["data"]
    assert data["options"] == [{"name": "role", "type": 8, "value": str(coach.id)}]
    assert data["resolved"]["roles"][str(coach.id)]["name"] == "Coach"
    with pytest.raises(StandInError, match="takes a Role"):
        stand_in.invoke("coachrole", {"role": "Coach"})
    with pytest.raises(StandInError, match="no role"):
        stand_in.invoke("coachrole", {"role": Role(snowflake(), "Ghost")})


def test_get_member_answers_for_the_members_discord_knows(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    coach_role = stand_in.add_role("Coach")
    for user in (stand_in.owner, stand_in.member, stand_in.bot_user):
        assert member_of(stand_in, user.id)[0] == 200
    assert member_of(stand_in, stand_in.bot_user.id)[1]["roles"] == [str(stand_in.bot_role.id)]
    unknown = (404, {"message": "Unknown Member", "code": 10007})
    coach, visitor = stand_in.user("coach"), stand_in.user("visitor")
    assert member_of(stand_in, coach.id) == unknown
    assert member_of(stand_in, visitor.id) == unknown

    stand_in.give_role(coach, coach_role)
    status, payload = member_of(stand_in, coach.id)
    assert status == 200 and payload["roles"] == [str(coach_role.id)]
    assert payload["user"]["id"] == str(coach.id) and payload["user"]["username"] == "coach"
    assert "permissions" not in payload
    stand_in.invoke("whisper", user=visitor)  # whoever interacts is a member
    assert member_of(stand_in, visitor.id)[1]["roles"] == []

    # discord.py reads it (what Pulse does without the members intent).
    fetched = bot.run(bot.guild.fetch_member(coach.id))
    assert [r.id for r in fetched.roles if not r.is_default()] == [coach_role.id]
    stand_in.take_role(coach, coach_role)
    assert member_of(stand_in, coach.id)[1]["roles"] == []

    stand_in.remove_member(coach)
    assert member_of(stand_in, coach.id) == unknown
    with pytest.raises(discord.NotFound) as gone:
        bot.run(bot.guild.fetch_member(coach.id))
    assert gone.value.code == 10007
    with pytest.raises(StandInError):
        stand_in.take_role(coach, coach_role)
    status, error = api(stand_in, "GET", f"/guilds/1234/members/{stand_in.member.id}")
    assert (status, error["code"]) == (404, 10004)


# --- the bot kicked and invited again -------------------------------------------------------------------


async def identify_raw(stand_in: StandIn, http: aiohttp.ClientSession, shard: Any = None) -> Any:
    """A bare gateway connection that sent IDENTIFY with the GUILDS intent (and `shard` if given)."""
    ws = await http.ws_connect(stand_in.gateway_url + "?v=10&encoding=json")
    assert (await ws.receive_json(timeout=5))["op"] == 10  # HELLO
    identify: dict[str, Any] = {"token": "stand-in.raw", "intents": 1, "properties": {"os": "linux"}}
    if shard is not None:
        identify["shard"] = shard
    await ws.send_json({"op": 2, "d": identify})
    return ws


async def open_gateway(
    stand_in: StandIn, http: aiohttp.ClientSession, shard: Any = None
) -> tuple[Any, dict[str, Any]]:
    """A bare gateway connection that identified with the GUILDS intent; (websocket, READY's `d`)."""
    ws = await identify_raw(stand_in, http, shard)
    name, ready = await next_event(ws)
    assert name == "READY"
    return ws, ready


async def next_event(ws: Any) -> tuple[str, Any]:
    frame = await ws.receive_json(timeout=5)
    assert frame["op"] == 0, frame
    return frame["t"], frame["d"]


async def ready_then_only(stand_in: StandIn, ws: Any, connections: int) -> tuple[str, Any]:
    """The event after READY on the newest connection once it is ready: a marker unless something came first."""
    assert await asyncio.to_thread(stand_in.wait_ready, connections - 1, 5)
    await asyncio.to_thread(stand_in.send_event, "MARKER", {})  # to the newest ready connection
    return await next_event(ws)


def test_a_kicked_bot_gets_guild_delete_and_no_server_until_invited_again(stand_in: StandIn) -> None:
    gid = str(stand_in.guild.id)
    thread = new_thread(stand_in, stand_in.general)
    joined_before = stand_in.guild.joined_at

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            first, ready = await open_gateway(stand_in, http)
            assert ready["guilds"] == [{"id": gid, "unavailable": True}]
            name, created = await next_event(first)
            assert (name, created["id"], created["unavailable"]) == ("GUILD_CREATE", gid, False)
            assert await asyncio.to_thread(stand_in.wait_ready, 0, 5)

            await asyncio.to_thread(stand_in.remove_bot)
            assert not stand_in.bot_in_guild
            # No `unavailable`: removed, not an outage (discord.py fires on_guild_remove).
            assert await next_event(first) == ("GUILD_DELETE", {"id": gid})
            second, ready = await open_gateway(stand_in, http)
            assert ready["guilds"] == []
            assert await ready_then_only(stand_in, second, 2) == ("MARKER", {})  # no GUILD_CREATE
            await asyncio.to_thread(stand_in.add_channel, "while-away")  # no guild event reaches it

            await asyncio.to_thread(stand_in.add_bot)
            assert stand_in.bot_in_guild
            for ws in (first, second):
                name, created = await next_event(ws)
                assert (name, created["id"], "unavailable" in created) == ("GUILD_CREATE", gid, False)
                assert created["joined_at"] == stand_in.guild.joined_at != joined_before
                assert [c["name"] for c in created["channels"]] == ["general", "while-away"]
            third, ready = await open_gateway(stand_in, http)
            assert ready["guilds"] == [{"id": gid, "unavailable": True}]
            name, created = await next_event(third)
            assert (name, created["id"], created["unavailable"]) == ("GUILD_CREATE", gid, False)
            for ws in (first, second, third):
                await ws.close()

    before_removal = api(stand_in, "GET", f"/channels/{stand_in.guild.channel_id}")
    assert before_removal[0] == 200
    asyncio.run(scenario())
    assert stand_in.bot_in_guild
    assert api(stand_in, "GET", f"/channels/{stand_in.guild.channel_id}") == before_removal
    assert stand_in.thread_members(thread) == set()  # a kicked bot left its threads too


def test_a_kicked_bot_is_refused_everything_on_the_server(stand_in: StandIn) -> None:
    gid = stand_in.guild.id
    seen: list[tuple[str, int]] = []

    async def on_guild_remove(guild: discord.Guild) -> None:
        seen.append(("remove", guild.id))

    async def on_guild_join(guild: discord.Guild) -> None:
        seen.append(("join", guild.id))

    with tiny_bot(stand_in) as bot:
        bot.client.event(on_guild_remove)
        bot.client.event(on_guild_join)
        thread = new_thread(stand_in, stand_in.general)
        reply = stand_in.invoke("where")
        modal = stand_in.click(reply, "where:button")

        stand_in.remove_bot()
        assert bot.eventually(lambda: seen == [("remove", gid)])
        assert bot.client.get_guild(gid) is None
        with pytest.raises(StandInError, match="the bot is not in the server"):
            stand_in.remove_bot()
        for interact in (
            lambda: stand_in.invoke("where"),
            lambda: stand_in.click(reply, "where:button"),
            lambda: stand_in.submit_modal(modal, {"where:note": "x"}),
            lambda: stand_in.autocomplete("where", {"topic": ""}, focused="topic"),
        ):
            with pytest.raises(StandInError, match="the bot is not in the server"):
                interact()

        missing = (403, {"message": "Missing Access", "code": 50001})
        general = stand_in.guild.channel_id
        assert api(stand_in, "GET", f"/channels/{general}") == missing
        assert api(stand_in, "POST", f"/channels/{general}/messages", {"content": "hi"}) == missing
        assert api(stand_in, "GET", f"/channels/{thread.id}/messages") == missing
        assert api(stand_in, "GET", f"/guilds/{gid}") == missing
        assert api(stand_in, "GET", f"/guilds/{gid}/members/{stand_in.member.id}") == missing
        assert api(stand_in, "GET", f"/applications/{stand_in.app_id}/guilds/{gid}/commands") == missing
        assert api(stand_in, "GET", "/channels/1234")[0] == 404  # not the server's: as before
        assert api(stand_in, "GET", "/users/@me")[0] == 200
        with pytest.raises(discord.Forbidden) as refused:
            bot.run(bot.client.fetch_channel(general))
        assert refused.value.code == 50001
        # An interaction's token still works: its webhook is the application's, not the bot member's.
        original = f"/webhooks/{stand_in.app_id}/{reply.interaction['token']}/messages/@original"
        assert api(stand_in, "PATCH", original, {"content": "edited"})[0] == 200

        stand_in.add_bot()
        assert bot.eventually(lambda: seen == [("remove", gid), ("join", gid)])
        assert bot.guild.me.joined_at is not None
        assert bot.guild.me.joined_at.isoformat() == stand_in.guild.joined_at
        assert stand_in.invoke("where").content.startswith(f"TextChannel {general} ")
        assert api(stand_in, "GET", f"/channels/{general}")[0] == 200
        with pytest.raises(StandInError, match="already in the server"):
            stand_in.add_bot()


# --- threads --------------------------------------------------------------------------------------------


def create_thread(
    stand_in: StandIn,
    parent: int | Channel,
    name: str = "Check-in",
    kind: int | None = PRIVATE_THREAD,
    **body: Any,
) -> tuple[int, Any]:
    """POST /channels/{parent}/threads as discord.py sends it (`kind=None` leaves `type` out)."""
    parent_id = parent.id if isinstance(parent, Channel) else parent
    body = {"name": name, "auto_archive_duration": 1440, "invitable": False, **body}
    if kind is not None:
        body["type"] = kind
    return api(stand_in, "POST", f"/channels/{parent_id}/threads", body)


def new_thread(
    stand_in: StandIn, parent: Channel, name: str = "Check-in", kind: int = PRIVATE_THREAD
) -> Thread:
    status, payload = create_thread(stand_in, parent, name, kind)
    assert status == 201, payload
    return next(t for t in stand_in.threads(parent) if t.id == int(payload["id"]))


def test_discord_py_creates_a_private_thread_and_learns_of_it(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    coaching = stand_in.add_channel("coaching")
    assert bot.eventually(lambda: bot.channel(coaching) is not None)
    made = bot.run(
        bot.channel(coaching).create_thread(
            name="Check-in: member", type=discord.ChannelType.private_thread, invitable=False
        )
    )
    assert made.type == discord.ChannelType.private_thread and made.parent_id == coaching.id
    assert made.owner_id == stand_in.app_id and not made.invitable and not made.archived
    assert made.me is not None and made.me.id == stand_in.app_id
    assert bot.eventually(lambda: bot.guild.get_thread(made.id) is not None)  # THREAD_CREATE
    thread = bot.guild.get_thread(made.id)
    assert thread is not None and thread.name == "Check-in: member"
    (request,) = stand_in.requests_to("POST", rf"/channels/{coaching.id}/threads")
    assert request.status == 201 and request.body["type"] == PRIVATE_THREAD

    assert stand_in.threads(coaching) == [
        Thread(made.id, "Check-in: member", PRIVATE_THREAD, parent_id=coaching.id)
    ]
    assert stand_in.threads(stand_in.general) == []
    assert stand_in.thread_members(made.id) == {stand_in.app_id}  # the creator is in it
    public = bot.run(bot.channel(coaching).create_thread(name="Open", type=discord.ChannelType.public_thread))
    assert public.type == discord.ChannelType.public_thread
    assert [t.kind for t in stand_in.threads(coaching)] == [PRIVATE_THREAD, PUBLIC_THREAD]

    status, payload = api(stand_in, "GET", f"/channels/{made.id}")
    assert status == 200 and payload["type"] == PRIVATE_THREAD and payload["parent_id"] == str(coaching.id)
    assert (
        payload["thread_metadata"]["archived"] is False and payload["thread_metadata"]["invitable"] is False
    )
    assert stand_in.channel_payload(made.id) == payload
    assert made.id not in [c.id for c in stand_in.channels]  # threads are not in the channel list


def test_thread_creation_is_refused_where_discord_refuses_it(stand_in: StandIn) -> None:
    wrong_type = (400, {"code": 50024, "message": "Cannot execute action on this channel type"})
    missing = (403, {"message": "Missing Permissions", "code": 50013})
    assert create_thread(stand_in, 1234) == (404, {"message": "Unknown Channel", "code": 10003})
    for kind in (GUILD_VOICE, GUILD_CATEGORY, GUILD_FORUM):
        assert create_thread(stand_in, stand_in.add_channel(f"kind-{kind}", kind=kind)) == wrong_type
    news = stand_in.add_channel("news", kind=GUILD_ANNOUNCEMENT)
    assert create_thread(stand_in, news) == wrong_type
    assert (
        create_thread(stand_in, new_thread(stand_in, stand_in.general)) == wrong_type
    )  # no thread in a thread

    closed = stand_in.add_channel("closed")
    stand_in.forbid_private_threads(closed)
    assert create_thread(stand_in, closed) == missing
    assert create_thread(stand_in, closed, kind=PUBLIC_THREAD)[0] == 201
    refusing = stand_in.add_channel("refusing")
    stand_in.refuse_private_threads(refusing)
    assert create_thread(stand_in, refusing) == wrong_type
    assert create_thread(stand_in, refusing, kind=PUBLIC_THREAD)[0] == 201
    assert [t.parent_id for t in stand_in.threads()] == [stand_in.guild.channel_id, closed.id, refusing.id]
    assert stand_in.take_violations() == []

    status, error = create_thread(stand_in, stand_in.general, name="x" * 101)
    assert (status, error["code"]) == (400, 50035) and "name" in error["errors"]
    status, error = create_thread(stand_in, stand_in.general, kind=None)
    assert (status, error["code"]) == (400, 50035) and "type" in error["errors"]
    problems = stand_in.take_violations()
    assert any("schema of /channels/{channel_id}/threads" in p for p in problems) or load_spec() is None
    assert sum("['name'] refused" in p or "['type'] refused" in p for p in problems) == 2, problems
    assert len(stand_in.threads()) == 3


def test_private_thread_permissions_reach_the_bot_and_keep_other_denies(
    shared: tuple[StandIn, TinyBot],
) -> None:
    stand_in, bot = shared
    channel = stand_in.add_channel("coaching-closed")
    assert bot.eventually(lambda: bot.channel(channel) is not None)

    def allowed() -> discord.Permissions:
        return bot.channel(channel).permissions_for(bot.guild.me)

    assert allowed().create_private_threads and allowed().create_public_threads
    stand_in.forbid_private_threads(channel)
    assert bot.eventually(lambda: not allowed().create_private_threads)  # CHANNEL_UPDATE
    assert allowed().send_messages and allowed().create_public_threads
    with pytest.raises(discord.Forbidden) as refused:
        bot.run(bot.channel(channel).create_thread(name="Check-in", type=discord.ChannelType.private_thread))
    assert refused.value.code == 50013

    stand_in.forbid_channel(channel)  # both denies stay, in the bot's one member overwrite
    assert bot.eventually(lambda: not allowed().send_messages)
    assert not allowed().create_private_threads and allowed().view_channel
    assert allowed().send_messages_in_threads  # Discord: threads have a permission of their own
    assert stand_in.channel_payload(channel)["permission_overwrites"] == [
        {
            "id": str(stand_in.app_id),
            "type": 1,
            "allow": str(VIEW_CHANNEL),
            "deny": str(CREATE_PRIVATE_THREADS | SEND_MESSAGES),
        }
    ]
    assert create_thread(stand_in, channel, kind=PUBLIC_THREAD)[0] == 201

    refusing = stand_in.add_channel("no-private-threads")
    stand_in.refuse_private_threads(refusing)
    assert bot.eventually(lambda: bot.channel(refusing) is not None)
    assert bot.channel(refusing).permissions_for(bot.guild.me).create_private_threads  # looks fine
    with pytest.raises(discord.HTTPException) as refused_type:
        bot.run(bot.channel(refusing).create_thread(name="Check-in", type=discord.ChannelType.private_thread))
    assert (refused_type.value.status, refused_type.value.code) == (400, 50024)
    with pytest.raises(StandInError):
        stand_in.forbid_private_threads(new_thread(stand_in, stand_in.general))


def test_a_thread_holds_messages_unarchives_on_a_post_and_can_be_deleted(
    shared: tuple[StandIn, TinyBot],
) -> None:
    stand_in, bot = shared
    parent = stand_in.add_channel("coaching-messages")
    assert bot.eventually(lambda: bot.channel(parent) is not None)
    made = bot.run(
        bot.channel(parent).create_thread(name="Check-in", type=discord.ChannelType.private_thread)
    )
    assert bot.eventually(lambda: bot.guild.get_thread(made.id) is not None)
    (thread,) = stand_in.threads(parent)
    made_thread = bot.guild.get_thread(made.id)
    assert made_thread is not None
    sent = bot.run(made_thread.send("Welcome to your check-in"))
    assert int(sent.channel.id) == made.id
    first = post(stand_in, thread, "How did the week go?")
    assert first["channel_id"] == str(made.id) and first["guild_id"] == str(stand_in.guild.id)
    status, edited = api(stand_in, "PATCH", f"/channels/{made.id}/messages/{first['id']}", {"content": "Hi!"})
    assert status == 200 and edited["content"] == "Hi!"
    assert [m.content for m in stand_in.channel_messages(thread)] == ["Welcome to your check-in", "Hi!"]
    history = api(stand_in, "GET", f"/channels/{made.id}/messages")[1]
    assert [m["id"] for m in history] == [first["id"], str(sent.id)]
    payload = stand_in.channel_payload(thread)
    assert (payload["message_count"], payload["last_message_id"]) == (2, first["id"])

    stand_in.archive_thread(thread)
    assert stand_in.threads(parent)[0].archived
    assert bot.eventually(lambda: bot.guild.get_thread(made.id) is None)  # discord.py drops archived threads
    post(stand_in, thread, "Still there?")  # a message unarchives it (THREAD_UPDATE)
    assert not stand_in.threads(parent)[0].archived
    assert bot.eventually(lambda: bot.guild.get_thread(made.id) is not None)
    assert stand_in.channel_payload(thread)["thread_metadata"]["archived"] is False

    stand_in.delete_channel(thread)
    assert bot.eventually(lambda: bot.guild.get_thread(made.id) is None)  # THREAD_DELETE
    assert stand_in.threads(parent) == []
    unknown = (404, {"message": "Unknown Channel", "code": 10003})
    assert api(stand_in, "GET", f"/channels/{made.id}") == unknown
    assert api(stand_in, "POST", f"/channels/{made.id}/messages", {"content": "x"}) == unknown
    assert api(stand_in, "GET", f"/channels/{made.id}/messages") == unknown
    assert len(stand_in.channel_messages(thread)) == 3  # still readable here
    with pytest.raises(StandInError):
        stand_in.archive_thread(thread)

    # A channel's threads go with it.
    orphan = new_thread(stand_in, parent)
    stand_in.delete_channel(parent)
    assert api(stand_in, "GET", f"/channels/{orphan.id}") == unknown


def test_thread_members_are_added_without_a_ping(stand_in: StandIn) -> None:
    coach_role = stand_in.add_role("Coach")
    coach = stand_in.user("coach")
    stand_in.give_role(coach, coach_role)
    thread = new_thread(stand_in, stand_in.general)
    for user in (stand_in.member, coach):
        assert api(stand_in, "PUT", f"/channels/{thread.id}/thread-members/{user.id}") == (204, None)
    assert api(stand_in, "PUT", f"/channels/{thread.id}/thread-members/{coach.id}")[0] == 204  # again: fine
    assert stand_in.thread_members(thread) == {stand_in.app_id, stand_in.member.id, coach.id}
    assert stand_in.channel_payload(thread)["member_count"] == 3
    stranger = stand_in.user("stranger")
    assert api(stand_in, "PUT", f"/channels/{thread.id}/thread-members/{stranger.id}") == (
        404,
        {"message": "Unknown Member", "code": 10007},
    )
    status, error = api(stand_in, "PUT", f"/channels/{stand_in.guild.channel_id}/thread-members/{coach.id}")
    assert (status, error["code"]) == (400, 50024)
    assert api(stand_in, "PUT", f"/channels/1234/thread-members/{coach.id}")[0] == 404

    # Listing them takes the members intent, which Pulse does not have; one member can be asked for.
    assert api(stand_in, "GET", f"/channels/{thread.id}/thread-members") == (
        403,
        {"message": "Missing Access", "code": 50001},
    )
    status, one = api(stand_in, "GET", f"/channels/{thread.id}/thread-members/{coach.id}")
    assert status == 200 and one["user_id"] == str(coach.id) and one["id"] == str(thread.id)

    stand_in.remove_member(coach)  # leaving the server leaves its threads
    assert stand_in.thread_members(thread) == {stand_in.app_id, stand_in.member.id}
    stand_in.archive_thread(thread)
    status, error = api(stand_in, "PUT", f"/channels/{thread.id}/thread-members/{stand_in.owner.id}")
    assert (status, error["code"]) == (400, 50083)


def test_thread_members_are_listed_with_the_members_intent() -> None:
    with StandIn(privileged_intents=True) as stand_in:
        thread = new_thread(stand_in, stand_in.general)
        assert api(stand_in, "PUT", f"/channels/{thread.id}/thread-members/{stand_in.member.id}")[0] == 204
        status, members = api(stand_in, "GET", f"/channels/{thread.id}/thread-members", with_member="true")
        assert status == 200
        assert sorted(m["user_id"] for m in members) == sorted(
            [str(stand_in.app_id), str(stand_in.member.id)]
        )
        assert all(m["id"] == str(thread.id) and m["member"]["user"]["id"] == m["user_id"] for m in members)
    fail_on_violations(stand_in)


def test_a_restarted_bot_knows_the_active_threads_and_roles(stand_in: StandIn) -> None:
    coaching = stand_in.add_channel("coaching")
    active = new_thread(stand_in, coaching, "Active")
    archived = new_thread(stand_in, coaching, "Archived", kind=PUBLIC_THREAD)
    stand_in.archive_thread(archived)
    coach = stand_in.add_role("Coach")
    with tiny_bot(stand_in) as bot:
        thread = bot.guild.get_thread(active.id)
        assert thread is not None and thread.parent_id == coaching.id and thread.owner_id == stand_in.app_id
        assert thread.type == discord.ChannelType.private_thread
        assert bot.guild.get_thread(archived.id) is None
        assert bot.guild.get_role(coach.id) is not None


def test_interactions_come_from_the_channel_or_thread_given(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    parent = stand_in.add_channel("coaching-interactions")
    thread = new_thread(stand_in, parent)
    assert bot.eventually(lambda: bot.guild.get_thread(thread.id) is not None)

    reply = stand_in.invoke("where", channel=thread)
    assert reply.content.startswith(f"Thread {thread.id} parent={parent.id} ")
    sent = reply.interaction["channel"]
    assert reply.interaction["channel_id"] == str(thread.id)
    assert sent["type"] == PRIVATE_THREAD and sent["parent_id"] == str(parent.id)
    assert sent["thread_metadata"]["archived"] is False and sent["permissions"] == str(MEMBER_PERMISSIONS)
    assert reply.message is not None
    assert reply.message.payload["channel_id"] == str(thread.id)  # the reply is in the thread

    # A click comes from the message's thread, the modal's submission from where the modal was opened.
    modal = stand_in.click(reply, "where:button")
    assert modal.interaction["channel_id"] == str(thread.id) and modal.modal is not None
    submitted = stand_in.submit_modal(modal, {"where:note": "fine"})
    assert submitted.content.startswith(f"submitted Thread {thread.id} parent={parent.id} ")
    choices = stand_in.autocomplete("where", {"topic": ""}, focused="topic", channel=thread)
    assert choices == [{"name": f"Thread {thread.id}", "value": "here"}]

    assert stand_in.invoke("where").content.startswith(
        f"TextChannel {stand_in.guild.channel_id} parent=None "
    )
    assert stand_in.invoke("where", channel=parent).content.startswith(f"TextChannel {parent.id} ")
    # app_permissions are the bot's where the interaction happened.
    stand_in.forbid_private_threads(parent)
    assert "private-threads=False" in stand_in.invoke("where", channel=thread).content
    assert "private-threads=True" in stand_in.invoke("where").content
    with pytest.raises(StandInError):
        stand_in.invoke("where", channel=stand_in.add_channel("Stats", kind=GUILD_CATEGORY))
    stand_in.delete_channel(thread)
    with pytest.raises(StandInError):
        stand_in.invoke("where", channel=thread)


def test_pings_in_threads_are_violations_too(shared: tuple[StandIn, TinyBot]) -> None:
    stand_in, bot = shared
    thread = new_thread(stand_in, stand_in.general)
    assert bot.eventually(lambda: bot.guild.get_thread(thread.id) is not None)
    seen = bot.guild.get_thread(thread.id)
    assert seen is not None
    bot.run(seen.send(f"Welcome <@{stand_in.member.id}>"))  # AllowedMentions.none()
    post(stand_in, thread, "<@111>", allowed_mentions={"parse": []})
    assert stand_in.take_violations() == []
    post(stand_in, thread, "<@111>", allowed_mentions={"parse": ["users"]})
    post(stand_in, thread, "Coaches: <@&333>")
    problems = stand_in.take_violations()
    assert len(problems) == 2 and all(f"message in channel {thread.id}" in p for p in problems), problems
    assert "would ping user(s) 111" in problems[0] and "would ping role(s) 333" in problems[1]


def test_permissions_for_threads_are_the_parents(stand_in: StandIn) -> None:
    """Posting in a thread takes SEND_MESSAGES_IN_THREADS of the parent, not SEND_MESSAGES."""
    parent = stand_in.add_channel("coaching")
    thread = new_thread(stand_in, parent)
    stand_in.forbid_channel(parent)
    assert api(stand_in, "POST", f"/channels/{parent.id}/messages", {"content": "x"})[0] == 403
    assert post(stand_in, thread, "still fine")
    assert BOT_PERMISSIONS & SEND_MESSAGES_IN_THREADS and BOT_PERMISSIONS & CREATE_PUBLIC_THREADS


@pytest.mark.skipif(load_spec() is None, reason="../shared/discord-api-spec is not beside this checkout")
def test_thread_role_and_member_payloads_fit_discords_schema() -> None:
    spec = load_spec()
    assert spec is not None

    def errors(schema: str, payload: Any) -> list[str]:
        validator = Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#/components/schemas/{schema}"}, registry=spec.registry
        )
        return [e.message for e in validator.iter_errors(payload)]

    with StandIn(privileged_intents=True) as stand_in:
        role = stand_in.add_role("Coach", MANAGE_GUILD)
        stand_in.give_role(stand_in.member, role)
        status, created = create_thread(stand_in, stand_in.general)
        assert status == 201 and not errors("CreatedThreadResponse", created), created
        assert created["member"]["user_id"] == str(stand_in.app_id)
        thread_id = created["id"]
        assert api(stand_in, "PUT", f"/channels/{thread_id}/thread-members/{stand_in.member.id}")[0] == 204
        assert not errors("ThreadResponse", api(stand_in, "GET", f"/channels/{thread_id}")[1])
        for entry in api(stand_in, "GET", f"/channels/{thread_id}/thread-members", with_member="true")[1]:
            assert not errors("ThreadMemberResponse", entry), entry
        status, member = member_of(stand_in, stand_in.member.id)
        assert (
            status == 200 and member["roles"] == [str(role.id)] and not errors("GuildMemberResponse", member)
        )
        for role_payload in api(stand_in, "GET", f"/guilds/{stand_in.guild.id}")[1]["roles"]:
            assert not errors("GuildRoleResponse", role_payload), role_payload
    fail_on_violations(stand_in)


@pytest.mark.skipif(load_spec() is None, reason="../shared/discord-api-spec is not beside this checkout")
def test_the_thread_and_member_routes_are_checked_against_the_spec() -> None:
    spec = load_spec()
    assert spec is not None
    assert spec.route("/channels/1/threads") == "/channels/{channel_id}/threads"
    assert spec.route("/channels/1/thread-members") == "/channels/{channel_id}/thread-members"
    assert spec.route("/channels/1/thread-members/2") == "/channels/{channel_id}/thread-members/{user_id}"
    assert spec.route("/channels/1/thread-members/@me") == "/channels/{channel_id}/thread-members/@me"
    assert spec.route("/guilds/1/members/2") == "/guilds/{guild_id}/members/{user_id}"
    # What discord.py sends for `create_thread(type=private_thread)` passes; a bad type or duration does not.
    body = {
        "name": "Check-in",
        "auto_archive_duration": 1440,
        "type": 12,
        "invitable": False,
        "rate_limit_per_user": None,
    }
    assert spec.check("POST", "/channels/1/threads", body) == []
    assert spec.check("POST", "/channels/1/threads", body | {"type": 13})
    assert spec.check("POST", "/channels/1/threads", body | {"auto_archive_duration": 30})
    assert spec.check("PUT", "/channels/1/thread-members/2", None) == []
    assert spec.check("PATCH", "/channels/1/thread-members/2", None)
    # The stand-in runs the check on these routes like on every other.
    with StandIn() as stand_in:
        status, _ = create_thread(stand_in, stand_in.general, auto_archive_duration=30)
        assert status == 400
        problems = stand_in.take_violations()
        assert any(
            "POST /channels/" in p and "schema of /channels/{channel_id}/threads" in p for p in problems
        )
        api(stand_in, "PATCH", f"/guilds/{stand_in.guild.id}/members/{stand_in.member.id}/x")
        assert any("no such route" in p for p in stand_in.take_violations())


# --- several servers and shards -------------------------------------------------------------------------

DISCORD_EPOCH_MS = 1_420_070_400_000
BUTTON = [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Again", "custom_id": "again"}]}]


@contextlib.contextmanager
def sharded(shard_count: int) -> Iterator[StandIn]:
    """A stand-in whose GET /gateway/bot recommends `shard_count` shards; fails on violations left untaken."""
    with StandIn(shard_count=shard_count) as stand_in:
        yield stand_in
    fail_on_violations(stand_in)


async def connect_shard(stand_in: StandIn, http: aiohttp.ClientSession, shard: Any) -> tuple[Any, list[str]]:
    """A bare connection as `shard` ([id, count], None: none sent) with its READY and the GUILD_CREATEs for the
    servers READY listed read; (websocket, those server ids)."""
    ws, ready = await open_gateway(stand_in, http, shard)
    assert ready["shard"] == (shard or [0, 1])
    ids = [g["id"] for g in ready["guilds"]]
    assert all(g["unavailable"] is True for g in ready["guilds"])
    for gid in ids:
        name, created = await next_event(ws)
        assert (name, created["id"], created["unavailable"]) == ("GUILD_CREATE", gid, False)
    return ws, ids


async def answer(stand_in: StandIn, http: aiohttp.ClientSession, ws: Any, body: dict[str, Any]) -> Any:
    """Read the next event, an INTERACTION_CREATE, and answer it with `body` as a bot would; its payload."""
    name, interaction = await next_event(ws)
    assert name == "INTERACTION_CREATE", (name, interaction)
    url = f"{stand_in.api_base}/interactions/{interaction['id']}/{interaction['token']}/callback"
    async with http.post(url, json=body) as response:
        assert response.status == 204, await response.text()
    return interaction


async def answered(
    stand_in: StandIn, http: aiohttp.ClientSession, ws: Any, act: Callable[[], T], body: dict[str, Any]
) -> tuple[Any, T]:
    """Run a member's action (invoke, click, ...) while the session `ws` answers its interaction with `body`:
    (the interaction it got, what the action returned)."""
    pending = asyncio.ensure_future(asyncio.to_thread(act))
    try:
        interaction = await answer(stand_in, http, ws, body)
    except BaseException:
        pending.cancel()
        raise
    return interaction, await pending


async def nothing_else(stand_in: StandIn, ws: Any, guild: Guild) -> None:
    """Nothing reached the session serving `guild` (`ws`) since: a marker sent there is its next event."""
    await asyncio.to_thread(stand_in.send_event, "MARKER", {}, guild=guild)
    assert await next_event(ws) == ("MARKER", {})


async def until(check: Callable[[], bool], within: float = 5) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_add_guild_picks_an_id_its_shard_serves_and_makes_a_server_of_its_own() -> None:
    with sharded(2) as stand_in:
        first = stand_in.guild
        on_one = stand_in.add_guild(shard=(1, 2))
        on_zero = stand_in.add_guild(shard=(0, 2), locale="nl", name="Dutch")
        of_four = stand_in.add_guild(shard=(3, 4))
        assert ((on_one.id >> 22) % 2, (on_zero.id >> 22) % 2, (of_four.id >> 22) % 4) == (1, 0, 3)
        assert (stand_in.shard_of(on_one), stand_in.shard_of(on_zero)) == (1, 0)
        assert stand_in.shard_of() == stand_in.shard_of(first) == (first.id >> 22) % 2
        # Plausible snowflakes: increasing, their timestamps now.
        assert first.id < on_one.id < on_zero.id < of_four.id
        now = time.time() * 1000 - DISCORD_EPOCH_MS
        assert all(abs((g.id >> 22) - now) < 60_000 for g in (on_one, on_zero, of_four))
        assert stand_in.guilds == [first, on_one, on_zero, of_four]
        for wrong in ((2, 2), (0, 0), (-1, 2)):
            with pytest.raises(StandInError, match="is no shard"):
                stand_in.add_guild(shard=wrong)

        # A server of its own: its "general", locale, bot role and roles; the stand-in's owner and member.
        assert len({g.channel_id for g in stand_in.guilds}) == 4
        assert stand_in.guild_channels(on_one) == [on_one.channel] != stand_in.channels == [stand_in.general]
        assert on_one.channel.name == "general"
        assert (on_one.preferred_locale, on_zero.preferred_locale, on_zero.name) == ("en-US", "nl", "Dutch")
        assert on_one.owner == first.owner == stand_in.owner
        assert stand_in.guild_bot_role(on_one) not in (stand_in.bot_role, stand_in.guild_bot_role(on_zero))
        roles = stand_in.guild_roles(on_one)
        assert [(r.id, r.name) for r in roles] == [(on_one.id, "@everyone"), (roles[1].id, "Pulse")]
        assert stand_in.guild_bot_role() == stand_in.bot_role == stand_in.roles[1]
        with pytest.raises(StandInError, match="has no server"):
            stand_in.add_channel("elsewhere", guild=Guild())


def test_gateway_bot_recommends_the_configured_shard_count(stand_in: StandIn) -> None:
    assert api(stand_in, "GET", "/gateway/bot")[1]["shards"] == 1
    with sharded(3) as three:
        status, body = api(three, "GET", "/gateway/bot")
        assert (status, body["shards"], body["url"]) == (200, 3, three.gateway_url)
        assert three.shard_count == 3
    with pytest.raises(StandInError):
        StandIn(shard_count=0)


def test_each_shard_gets_only_the_servers_it_serves_and_their_events() -> None:
    with sharded(2) as stand_in:
        zero_server, one_server = stand_in.add_guild(shard=(0, 2)), stand_in.add_guild(shard=(1, 2))
        stand_in.add_guild(shard=(1, 2), bot=False)  # the bot is not in it: no shard gets it
        servers = [stand_in.guild, zero_server, one_server]
        mine = {k: [str(g.id) for g in servers if stand_in.shard_of(g) == k] for k in (0, 1)}
        assert str(zero_server.id) in mine[0] and str(one_server.id) in mine[1]

        async def scenario() -> None:
            async with aiohttp.ClientSession() as http:
                zero, zero_ids = await connect_shard(stand_in, http, [0, 2])
                assert zero_ids == mine[0]
                assert not await asyncio.to_thread(stand_in.wait_shards_ready, {0, 1}, 0.3)
                one, one_ids = await connect_shard(stand_in, http, [1, 2])
                assert one_ids == mine[1]
                assert await asyncio.to_thread(stand_in.wait_shards_ready, {0, 1}, 5)
                assert await asyncio.to_thread(stand_in.wait_shards_ready, {1}, 5, after_connections=1)
                assert not await asyncio.to_thread(stand_in.wait_shards_ready, {0}, 0.3, after_connections=1)
                assert stand_in.session_shards() == [(0, 2), (1, 2)]
                await nothing_else(stand_in, zero, zero_server)
                await nothing_else(stand_in, one, one_server)

                # A server's events reach the shard that serves it, and only that one.
                channel = await asyncio.to_thread(stand_in.add_channel, "leaderboard", guild=one_server)
                name, created = await next_event(one)
                assert (name, created["id"], created["guild_id"]) == (
                    "CHANNEL_CREATE",
                    str(channel.id),
                    str(one_server.id),
                )
                await asyncio.to_thread(stand_in.remove_bot, guild=one_server)
                assert await next_event(one) == ("GUILD_DELETE", {"id": str(one_server.id)})
                await asyncio.to_thread(stand_in.add_bot, guild=one_server)
                name, created = await next_event(one)
                assert (name, created["id"], "unavailable" in created) == (
                    "GUILD_CREATE",
                    str(one_server.id),
                    False,
                )
                assert [c["name"] for c in created["channels"]] == ["general", "leaderboard"]
                await nothing_else(stand_in, zero, zero_server)

                joined = await asyncio.to_thread(stand_in.add_guild, shard=(0, 2))  # invited to a new server
                name, created = await next_event(zero)
                assert (name, created["id"], "unavailable" in created) == (
                    "GUILD_CREATE",
                    str(joined.id),
                    False,
                )
                role = await asyncio.to_thread(stand_in.add_role, "Coach", guild=joined)
                assert await next_event(zero) == (
                    "GUILD_ROLE_CREATE",
                    {"guild_id": str(joined.id), "role": role.payload()},
                )
                await nothing_else(stand_in, one, one_server)
                await nothing_else(stand_in, zero, zero_server)

                # A new connection for shard 1 gets the server back, not the one joined on shard 0.
                again, again_ids = await connect_shard(stand_in, http, [1, 2])
                assert again_ids == mine[1]
                for ws in (zero, one, again):
                    await ws.close()

        asyncio.run(scenario())
        problems = stand_in.take_violations()
        assert problems == ["two connected gateway sessions identify as shard [1, 2]"]


def test_interactions_reach_the_session_of_the_shard_that_serves_their_server() -> None:
    with sharded(2) as stand_in:
        zero_server, one_server = stand_in.add_guild(shard=(0, 2)), stand_in.add_guild(shard=(1, 2))
        quick = {"type": 4, "data": {"content": "hi"}}

        async def scenario() -> None:
            async with aiohttp.ClientSession() as http:
                zero, _ = await connect_shard(stand_in, http, [0, 2])
                one, _ = await connect_shard(stand_in, http, [1, 2])
                sessions = {0: zero, 1: one}

                def invoke(**where: Any) -> Any:
                    return lambda: stand_in.invoke("where", strict=False, **where)

                body = {"type": 4, "data": {"content": "from one", "components": BUTTON}}
                sent, reply = await answered(stand_in, http, one, invoke(guild=one_server), body)
                assert (sent["guild_id"], sent["channel_id"], sent["guild_locale"]) == (
                    str(one_server.id),
                    str(one_server.channel_id),
                    "en-US",
                )
                assert reply.content == "from one"
                assert reply.message.payload["guild_id"] == str(one_server.id)
                await nothing_else(stand_in, zero, zero_server)
                # A click follows the message's server, a modal's submission the opening interaction's.
                modal = {
                    "type": 9,
                    "data": {
                        "custom_id": "m",
                        "title": "Note",
                        "components": [
                            {
                                "type": 1,
                                "components": [{"type": 4, "custom_id": "note", "label": "N", "style": 1}],
                            }
                        ],
                    },
                }
                sent, opened = await answered(
                    stand_in, http, one, lambda: stand_in.click(reply, "again"), modal
                )
                assert (sent["type"], sent["guild_id"], sent["channel_id"]) == (
                    3,
                    str(one_server.id),
                    str(one_server.channel_id),
                )
                act = functools.partial(stand_in.submit_modal, opened, {"note": "x"})
                sent, _ = await answered(stand_in, http, one, act, quick)
                assert (sent["type"], sent["guild_id"]) == (5, str(one_server.id))
                choose = functools.partial(
                    stand_in.autocomplete, "where", {"topic": ""}, focused="topic", guild=one_server
                )
                sent, choices = await answered(
                    stand_in, http, one, choose, {"type": 8, "data": {"choices": []}}
                )
                assert (sent["type"], sent["guild_id"], choices) == (4, str(one_server.id), [])
                await nothing_else(stand_in, zero, zero_server)

                sent, _ = await answered(stand_in, http, zero, invoke(guild=zero_server), quick)
                assert sent["guild_id"] == str(zero_server.id)
                await nothing_else(stand_in, one, one_server)
                # A direct message goes to shard 0.
                sent, _ = await answered(stand_in, http, zero, invoke(dm=True), quick)
                assert ("guild_id" in sent, sent["channel"]["type"]) == (False, 1)
                await nothing_else(stand_in, one, one_server)
                # The first server by default, on the shard that serves it.
                first = stand_in.shard_of()
                sent, _ = await answered(stand_in, http, sessions[first], invoke(), quick)
                assert sent["guild_id"] == str(stand_in.guild.id)
                await nothing_else(stand_in, sessions[1 - first], [zero_server, one_server][1 - first])

                # No session serves shard 1's servers any more: as when no bot is connected.
                await one.close()
                await until(lambda: stand_in.session_shards() == [(0, 2)])
                with pytest.raises(
                    NoReply, match=f"no bot connected to the gateway serving server {one_server.id}"
                ):
                    await asyncio.to_thread(invoke(guild=one_server, timeout=0.3))
                sent, _ = await answered(stand_in, http, zero, invoke(guild=zero_server), quick)
                assert sent["guild_id"] == str(zero_server.id)
                await zero.close()

        asyncio.run(scenario())


def test_a_malformed_or_mismatched_shard_in_identify_is_a_violation() -> None:
    with sharded(2) as stand_in:

        async def scenario() -> None:
            async with aiohttp.ClientSession() as http:
                malformed: list[Any] = [[2, 2], [0, 0], [-1, 2], [0], [0, "2"], "0,2"]
                for shard in malformed:
                    ws = await identify_raw(stand_in, http, shard)
                    closing = await ws.receive(timeout=5)
                    assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 4010)  # Invalid shard
                    await ws.close()
                problems = stand_in.take_violations()
                assert problems == [
                    f"IDENTIFY with shard {s!r}: not [shard_id, shard_count] with 0 <= shard_id < shard_count"
                    for s in malformed
                ]
                assert stand_in.session_shards() == []

                mismatch = "while GET /gateway/bot answers 2 shard(s)"
                three, _ = await connect_shard(stand_in, http, [0, 3])  # served, but not what Discord said
                # None is [0, 1]: one process for every server.
                unsharded, _ = await connect_shard(stand_in, http, None)
                problems = stand_in.take_violations()
                assert [p.split(":")[0] for p in problems] == [
                    f"IDENTIFY as shard [0, 3] {mismatch}",
                    f"IDENTIFY as shard [0, 1] {mismatch}",
                ]
                first, _ = await connect_shard(stand_in, http, [1, 2])
                assert stand_in.take_violations() == []
                twin, _ = await connect_shard(stand_in, http, [1, 2])
                assert stand_in.take_violations() == [
                    "two connected gateway sessions identify as shard [1, 2]"
                ]
                for ws in (first, twin):
                    await ws.close()
                await until(lambda: stand_in.session_shards() == [(0, 3), (0, 1)])
                successor, _ = await connect_shard(stand_in, http, [1, 2])  # after both closed: fine
                assert stand_in.take_violations() == []
                for ws in (three, unsharded, successor):
                    await ws.close()

        asyncio.run(scenario())


def test_one_unsharded_session_serves_every_server_as_before(stand_in: StandIn) -> None:
    other = stand_in.add_guild()
    assert (stand_in.shard_count, stand_in.shard_of(), stand_in.shard_of(other)) == (1, 0, 0)
    quick = {"type": 4, "data": {"content": "hi"}}

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            first, ids = await connect_shard(stand_in, http, None)
            assert ids == [str(stand_in.guild.id), str(other.id)]
            second, _ = await connect_shard(stand_in, http, [0, 1])  # two at once, as two bot processes: fine
            assert await asyncio.to_thread(stand_in.wait_ready, 1, 5)
            assert stand_in.session_shards() == [(0, 1), (0, 1)]
            # The newest connection gets interactions (as before), in whichever server.
            for server in (stand_in.guild, other):
                act = functools.partial(stand_in.invoke, "where", guild=server, strict=False)
                sent, _ = await answered(stand_in, http, second, act, quick)
                assert sent["guild_id"] == str(server.id)
            # Server events reach every connection.
            await asyncio.to_thread(stand_in.add_channel, "elsewhere", guild=other)
            for ws in (first, second):
                name, created = await next_event(ws)
                assert (name, created["guild_id"], created["name"]) == (
                    "CHANNEL_CREATE",
                    str(other.id),
                    "elsewhere",
                )
            for ws in (first, second):
                await ws.close()

    asyncio.run(scenario())
    assert stand_in.take_violations() == []


def test_rest_routes_and_helpers_find_each_server(stand_in: StandIn) -> None:
    other = stand_in.add_guild(name="Other")
    general = stand_in.general
    status, channels = api(stand_in, "GET", f"/guilds/{other.id}/channels")
    assert (status, [c["id"] for c in channels]) == (200, [str(other.channel_id)])
    assert api(stand_in, "GET", f"/guilds/{stand_in.guild.id}/channels")[1][0]["id"] == str(general.id)
    assert api(stand_in, "GET", f"/channels/{other.channel_id}")[1]["guild_id"] == str(other.id)
    status, server = api(stand_in, "GET", f"/guilds/{other.id}")
    assert (status, server["id"], server["name"], server["member_count"]) == (200, str(other.id), "Other", 3)

    assert post(stand_in, other.channel, "in other")["guild_id"] == str(other.id)
    assert [m.content for m in stand_in.channel_messages(guild=other)] == ["in other"]
    assert stand_in.channel_messages() == []
    leaderboard = stand_in.add_channel("leaderboard", guild=other)
    assert stand_in.guild_channels(other) == [other.channel, leaderboard]
    assert stand_in.channels == [general]
    assert stand_in.channel_payload(leaderboard)["position"] == 1
    thread = new_thread(stand_in, leaderboard)
    assert (stand_in.threads(guild=other), stand_in.threads()) == ([thread], [])
    assert api(stand_in, "GET", f"/channels/{thread.id}")[1]["guild_id"] == str(other.id)

    coach = stand_in.add_role("Coach", guild=other)
    assert [r.name for r in stand_in.guild_roles(other)] == ["@everyone", "Pulse", "Coach"]
    assert [r.name for r in stand_in.roles] == ["@everyone", "Pulse"]
    stand_in.give_role(stand_in.member, coach)
    in_other = f"/guilds/{other.id}/members/{stand_in.member.id}"
    assert api(stand_in, "GET", in_other)[1]["roles"] == [str(coach.id)]
    assert member_of(stand_in, stand_in.member.id)[1]["roles"] == []
    stand_in.remove_member(stand_in.member, guild=other)
    assert api(stand_in, "GET", in_other)[0] == 404
    assert member_of(stand_in, stand_in.member.id)[0] == 200
    with pytest.raises(StandInError, match="is in server"):
        stand_in.invoke("where", guild=other, channel=general, strict=False)
    with pytest.raises(StandInError, match="no server"):
        stand_in.invoke("where", dm=True, guild=other, strict=False)

    # Kicked from one server only.
    stand_in.remove_bot(guild=other)
    assert (stand_in.bot_is_in(other), stand_in.bot_in_guild) == (False, True)
    missing = (403, {"message": "Missing Access", "code": 50001})
    assert api(stand_in, "GET", f"/channels/{other.channel_id}") == missing
    assert api(stand_in, "GET", f"/guilds/{other.id}") == missing
    assert api(stand_in, "GET", f"/channels/{general.id}")[0] == 200
    with pytest.raises(StandInError, match="the bot is not in the server"):
        stand_in.invoke("where", guild=other, strict=False)
    with pytest.raises(StandInError, match="the bot is not in the server"):
        stand_in.remove_bot(guild=other)
    stand_in.add_bot(guild=other)
    assert api(stand_in, "GET", f"/channels/{other.channel_id}")[0] == 200
    assert api(stand_in, "GET", f"/guilds/{stand_in.guild.id + 1}")[0] == 404


def test_discord_py_shards_in_two_processes_each_serve_their_own_servers() -> None:
    with sharded(2) as stand_in:
        servers = {k: stand_in.add_guild(shard=(k, 2)) for k in (0, 1)}
        seen: dict[int, list[int | None]] = {0: [], 1: []}
        with tiny_bot(stand_in, [0], 2) as zero, tiny_bot(stand_in, [1], 2) as one:
            assert stand_in.wait_shards_ready({0, 1}, 5)
            assert sorted(stand_in.session_shards()) == [(0, 2), (1, 2)]
            bots = {0: zero, 1: one}
            for k, bot in bots.items():
                expected = sorted(g.id for g in stand_in.guilds if stand_in.shard_of(g) == k)
                assert sorted(g.id for g in bot.client.guilds) == expected
                assert all(g.shard_id == k for g in bot.client.guilds)

                async def on_interaction(interaction: discord.Interaction, k: int = k) -> None:
                    seen[k].append(interaction.guild_id)

                bot.client.event(on_interaction)
            for k in (0, 1):
                reply = stand_in.invoke("where", guild=servers[k])
                assert reply.content.startswith(f"TextChannel {servers[k].channel_id} ")
            assert stand_in.invoke("whisper", dm=True).content == "only you"
            assert one.eventually(lambda: seen == {0: [servers[0].id, None], 1: [servers[1].id]})
