"""A stand-in Discord on 127.0.0.1: REST API + gateway in its own thread, driven through a synchronous API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import secrets
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import orjson
from aiohttp import WSMsgType, web

from . import limits
from .limits import walk_components
from .payloads import (
    AUTO_ARCHIVE_DURATIONS,
    BOT_PERMISSIONS,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    GUILD_CHANNEL_TYPES,
    GUILD_TEXT,
    MANAGE_THREADS,
    MEMBER_OVERWRITE,
    MEMBER_PERMISSIONS,
    NO_MESSAGES,
    PRIVATE_THREAD,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    THREAD_TYPES,
    VIEW_CHANNEL,
    Channel,
    Guild,
    Role,
    Thread,
    ThreadState,
    User,
    application_payload,
    attachment_payload,
    channel_payload,
    channel_permissions,
    message_payload,
    now_iso,
    overwrite,
    shard_snowflake,
    snowflake,
)
from .reply import DEFERRED, DEFERRED_UPDATE, MODAL, UPDATE, Attachment, Message, Reply
from .spec import ApiSpec, load_spec

T = TypeVar("T")

API_PREFIX = "/api/v10"
LOADING = 1 << 7
PRIVILEGED_INTENTS = {1 << 1: "GUILD_MEMBERS", 1 << 8: "GUILD_PRESENCES", 1 << 15: "MESSAGE_CONTENT"}
OPTION_TYPES = {str: 3, int: 4, bool: 5, User: 6, Channel: 7, Thread: 7, Role: 8, float: 10, Attachment: 11}
ROLE_OPTION_TYPES = (8, 9)  # ROLE, MENTIONABLE
COMMAND_OPTION_TYPES = (1, 2)
CHANNEL_OPTION = 7
GUILDS_INTENT = 1 << 0
STATUS_TEXT = {
    400: "400: Bad Request",
    401: "401: Unauthorized",
    403: "403: Forbidden",
    404: "404: Not Found",
    429: "You are being rate limited.",
    500: "500: Internal Server Error",
    502: "502: Bad Gateway",
    503: "503: Service Unavailable",
    504: "504: Gateway Timeout",
}

LIVE: weakref.WeakSet[StandIn] = weakref.WeakSet()


class NoReply(AssertionError):
    """The bot did not answer in time (Discord would show 'The application did not respond')."""


class StandInError(RuntimeError):
    """A test asked for something the stand-in or Discord cannot do."""


@dataclass
class Request:
    """One HTTP request the bot made, as the stand-in saw it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    uploads: dict[int, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 0
    at: float = field(default_factory=time.monotonic)
    injected: bool = False  # the status came from `fail_next`, not from the stand-in's answer

    @property
    def files(self) -> dict[str, bytes]:
        """Uploaded files (multipart `files[n]`) by file name."""
        return dict(self.uploads.values())


@dataclass
class GatewaySession:
    ws: web.WebSocketResponse
    sequence: int = 0
    identify: dict[str, Any] | None = None
    ready: bool = False
    closed: bool = False
    close_code: int | None = None
    shard: tuple[int, int] = (0, 1)  # [shard_id, shard_count] from IDENTIFY; [0, 1] without

    @property
    def live(self) -> bool:
        """Got its READY and is still connected."""
        return self.ready and not self.closed

    def serves(self, guild_id: int | None) -> bool:
        """Whether Discord sends this session the server's events (direct messages: shard 0's)."""
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else (guild_id >> 22) % count)


@dataclass
class ChannelState:
    """A server channel as the stand-in keeps it."""

    channel: Channel
    position: int
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    guild_id: int = 0


@dataclass
class MemberState:
    """A member of a server the stand-in knows (GET /guilds/{id}/members/{user} finds them) and their roles."""

    user: User
    roles: list[int] = field(default_factory=list)


@dataclass
class GuildState:
    """One server: its roles and members, and whether the bot is in it (its channels and threads are kept by id
    in the stand-in, each with its `guild_id`, as channel routes name no server)."""

    guild: Guild
    bot_role: Role  # the bot's managed role there
    roles: dict[int, Role]
    members: dict[int, MemberState]
    # False between remove_bot() and add_bot(): the bot was kicked and sees nothing of the server.
    bot_in_guild: bool = True

    @property
    def id(self) -> int:
        return self.guild.id

    @property
    def all_roles(self) -> list[Role]:
        """@everyone, the bot's managed role, then those `add_role` made (lowest first)."""
        return [self.guild.everyone, *sorted(self.roles.values(), key=lambda r: r.position)]

    def join(self, user: User) -> MemberState:
        """The member for a user, who joins the server if not yet a member."""
        return self.members.setdefault(user.id, MemberState(user))

    def role_ids(self, user: User) -> list[int]:
        member = self.members.get(user.id)
        return list(member.roles) if member is not None else []


@dataclass
class Fault:
    """An error the next matching REST requests get instead of (or after) their real answer."""

    method: str
    path: re.Pattern[str]
    status: int
    code: int
    times: int
    after_effect: bool
    message: str
    retry_after: float


@dataclass
class Exchange:
    """One interaction the stand-in sent and everything the bot did with its token."""

    payload: dict[str, Any]
    sent_at: float
    deadline: float
    callback: dict[str, Any] | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    changes: int = 0
    last_change: float = 0.0

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return self.payload["token"]


def _copy(data: T) -> T:
    """A deep copy made as Discord's answers are: through JSON (orjson: the stand-in's CPU is the bots' too)."""
    return orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))


def _json(data: Any, status: int = 200) -> web.Response:
    # Exactly `application/json`: with a charset appended discord.py would hand the body back as text.
    return web.Response(
        body=orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS),
        status=status,
        headers={"Content-Type": "application/json"},
    )


def _error(status: int, message: str, code: int = 0) -> web.Response:
    return _json({"message": message, "code": code}, status)


def _form_error(code: str, message: str) -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


class StandIn:
    """A Discord for one bot (one application): one server with a "general" channel (more channels, and more
    servers with `add_guild`, on demand), served by `shard_count` shards; see tests/e2e/README.md."""

    def __init__(
        self,
        *,
        locale: str = "en-US",
        response_deadline: float = 3.0,
        privileged_intents: bool = False,
        spec: ApiSpec | bool | None = True,
        shard_count: int = 1,
    ) -> None:
        if shard_count < 1:
            raise StandInError("shard_count must be at least 1")
        self.app_id = snowflake()
        self.bot_user = User(id=self.app_id, name="Pulse", bot=True)
        self.owner = User(name="owner")
        self.member = User(name="member")
        self.locale = locale
        # What GET /gateway/bot recommends; bots that shard must identify with this count.
        self.shard_count = shard_count
        self.response_deadline = response_deadline
        self.privileged_intents = privileged_intents
        self.spec: ApiSpec | None = load_spec() if spec is True else (spec or None)

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="stand-in", daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

        self._requests: list[Request] = []
        self._violations: list[str] = []
        self._reported = 0
        self._sessions: list[GatewaySession] = []
        self._rejected_tokens: set[str] = set()
        self._global_commands: list[dict[str, Any]] = []
        self._guild_commands: dict[int, list[dict[str, Any]]] = {}
        self._command_syncs: list[tuple[int | None, list[dict[str, Any]]]] = []
        self._exchanges: dict[str, Exchange] = {}
        self._messages: dict[int, dict[str, Any]] = {}
        self._channel_messages: dict[int, list[int]] = {}
        # The channels and threads of every server by id (each knows its `guild_id`).
        self._channels: dict[int, ChannelState] = {}
        self._dm_channels: dict[int, dict[str, Any]] = {}
        self._threads: dict[int, ThreadState] = {}
        # Channels where Discord refuses private threads although the permissions allow them.
        self._no_private_threads: set[int] = set()
        self._guilds: dict[int, GuildState] = {}
        self.guild = Guild(owner=self.owner, preferred_locale=locale)
        self._add_guild_state(self.guild)
        # Seconds within which a create with the same nonce and enforce_nonce returns the first message.
        self.nonce_window = 300.0
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self._faults: list[Fault] = []
        # Requests that never get an answer, and where new gateway connections go silent (see `stall`).
        self._stalls: list[tuple[str, re.Pattern[str]]] = []
        self._gateway_stall: Literal["hello", "ready"] | None = None
        self._released = asyncio.Event()
        self._blobs: dict[int, tuple[str, bytes, str | None]] = {}
        self._waiters: set[asyncio.Future[None]] = set()
        self._routes = self._route_table()

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> StandIn:
        """Listen on a free port of 127.0.0.1; returns self."""
        self._thread.start()
        self._call(self._serve(), timeout=10)
        LIVE.add(self)
        return self

    def close(self) -> None:
        """Close every connection and stop the thread."""
        if not self._thread.is_alive():
            return
        try:
            self._call(self._shutdown(), timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            if not self._thread.is_alive():
                self._loop.close()
            LIVE.discard(self)

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def bot_env(self) -> dict[str, str]:
        """The environment that points a bot at this stand-in."""
        return {"DISCORD_API_BASE": self.api_base, "DISCORD_GATEWAY_URL": self.gateway_url}

    async def _serve(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{id}/{name}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._outside_api)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        # Stalled requests end now: aiohttp would otherwise wait for their handlers before it stops.
        self._released.set()
        for session in self._sessions:
            if not session.ws.closed:
                await session.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    # --- running coroutines on the stand-in's loop --------------------------------------------------

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        if threading.current_thread() is self._thread:
            raise StandInError("the synchronous API cannot be used from the stand-in's own thread")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout + 5)

    def _notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def _wait_until(self, predicate: Callable[[], bool], within: float, poll: float = 0.5) -> bool:
        """Wait until the predicate holds (checked on every change and every `poll` s); False after `within` s."""
        deadline = self._loop.time() + within
        while not predicate():
            remaining = deadline - self._loop.time()
            if remaining <= 0:
                return False
            waiter = self._loop.create_future()
            self._waiters.add(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(waiter), min(remaining, poll))
        return True

    def _violation(self, text: str) -> None:
        self._violations.append(text)

    # --- what tests read ------------------------------------------------------------------------------

    @property
    def requests(self) -> list[Request]:
        """Every HTTP request the bot made, oldest first."""
        return list(self._requests)

    def requests_to(self, method: str, path_pattern: str) -> list[Request]:
        """Requests whose method matches and whose path (below /api/v10) matches the regular expression."""
        pattern = re.compile(path_pattern)
        return [r for r in self._requests if r.method == method.upper() and pattern.fullmatch(r.path)]

    @property
    def violations(self) -> list[str]:
        """Every broken Discord rule seen so far."""
        return list(self._violations)

    def take_violations(self) -> list[str]:
        """The violations not taken or reported before (fixtures fail the test with these)."""
        fresh = self._violations[self._reported :]
        self._reported = len(self._violations)
        return fresh

    @property
    def identifies(self) -> list[dict[str, Any]]:
        """Every IDENTIFY payload (`d`), one per gateway connection that identified."""
        return [s.identify for s in self._sessions if s.identify is not None]

    @property
    def identify(self) -> dict[str, Any]:
        """The last IDENTIFY payload (`d`): token, intents, shard, properties."""
        if not self.identifies:
            raise StandInError("the bot has not identified yet")
        return self.identifies[-1]

    @property
    def interaction_tokens(self) -> list[str]:
        """The token of every interaction sent (secrets the bot must never log)."""
        return list(self._exchanges)

    @property
    def connections(self) -> int:
        """Gateway connections so far (each bot start opens one)."""
        return len(self._sessions)

    @property
    def global_commands(self) -> list[dict[str, Any]]:
        """The global commands as last registered, with their ids."""
        return _copy(self._global_commands)

    def guild_commands(self, guild_id: int | Guild | None = None) -> list[dict[str, Any]]:
        """One server's commands as last registered (the first server by default)."""
        guild_id = guild_id.id if isinstance(guild_id, Guild) else guild_id
        return _copy(self._guild_commands.get(guild_id or self.guild.id, []))

    @property
    def command_syncs(self) -> list[tuple[int | None, list[dict[str, Any]]]]:
        """Every bulk overwrite: (None for global or the guild id, the commands sent)."""
        return list(self._command_syncs)

    def command(self, name: str, *, guild: Guild | None = None) -> dict[str, Any] | None:
        """A registered slash command by name (the server's commands first; the first server by default)."""
        # Only the one found is copied: copying every registered command on each invocation cost more CPU than
        # the bot being driven spends on an answer.
        guild_id = guild.id if guild is not None else self.guild.id
        for command in [*self._guild_commands.get(guild_id, []), *self._global_commands]:
            if command.get("name") == name and command.get("type", 1) == 1:
                return _copy(command)
        return None

    def channel_messages(
        self, channel_id: int | Channel | None = None, *, guild: Guild | None = None
    ) -> list[Message]:
        """Messages the bot posted in a channel (not interaction replies), oldest first; by default the "general"
        channel of `guild` (the first server by default).

        Those of a deleted channel stay readable here (as they were when it was deleted).
        """
        channel = _channel_id(channel_id) or self._state_of(guild).guild.channel_id
        return self._call(self._channel_snapshot(channel), timeout=5)

    async def _channel_snapshot(self, channel_id: int) -> list[Message]:
        return [self._snapshot(m) for m in self._channel_messages.get(channel_id, []) if m in self._messages]

    @property
    def general(self) -> Channel:
        """The first server's default text channel, where commands are invoked (`guild.channel_id`); another
        server's is its `guild.channel`."""
        return self.guild.channel

    @property
    def guilds(self) -> list[Guild]:
        """Every server, the first (`stand_in.guild`) first, then those `add_guild` made (the bot's or not)."""
        return [state.guild for state in list(self._guilds.values())]

    @property
    def channels(self) -> list[Channel]:
        """The first server's channels that exist now, in channel-list order (`guild_channels` for another)."""
        return self.guild_channels()

    def guild_channels(self, guild: Guild | None = None) -> list[Channel]:
        """A server's channels that exist now, in channel-list order (the first server by default)."""
        return [state.channel for state in self._ordered_channels(self._state_of(guild))]

    def channel_payload(self, channel_id: int | Channel) -> dict[str, Any]:
        """A channel or thread as GET /channels/{id} returns it now (a channel's permission_overwrites included)."""
        thread = self._threads.get(_channel_id(channel_id) or 0)
        if thread is not None:
            return thread.payload()
        state = self._channels.get(_channel_id(channel_id) or 0)
        if state is None:
            raise StandInError(f"the server has no channel {_channel_id(channel_id)}")
        return self._channel_payload(state)

    def threads(self, parent: int | Channel | None = None, *, guild: Guild | None = None) -> list[Thread]:
        """The threads that exist now (archived ones too), oldest first: those in `parent` if given, else those
        of `guild` (the first server by default)."""
        parent_id = _channel_id(parent)
        if parent_id is not None:
            return [t.thread for t in list(self._threads.values()) if t.parent_id == parent_id]
        guild_id = self._state_of(guild).id
        return [t.thread for t in list(self._threads.values()) if t.guild_id == guild_id]

    def thread_members(self, thread: int | Channel) -> set[int]:
        """The user ids in a thread (the bot, its creator, included)."""
        return set(self._thread_state(thread).members)

    @property
    def bot_in_guild(self) -> bool:
        """Whether the bot is in the first server (False after `remove_bot()` until `add_bot()`)."""
        return self.bot_is_in()

    def bot_is_in(self, guild: Guild | None = None) -> bool:
        """Whether the bot is in a server (the first by default)."""
        return self._state_of(guild).bot_in_guild

    @property
    def roles(self) -> list[Role]:
        """The first server's roles, lowest first: @everyone, the bot's managed role, then those `add_role`
        made (`guild_roles` for another server)."""
        return self.guild_roles()

    def guild_roles(self, guild: Guild | None = None) -> list[Role]:
        """A server's roles, lowest first, as `roles` (the first server by default)."""
        return self._state_of(guild).all_roles

    @property
    def bot_role(self) -> Role:
        """The bot's managed role in the first server (`guild_bot_role` for another)."""
        return self.guild_bot_role()

    def guild_bot_role(self, guild: Guild | None = None) -> Role:
        """The bot's managed role in a server (the first by default), with `BOT_PERMISSIONS`."""
        return self._state_of(guild).bot_role

    # --- servers and shards ----------------------------------------------------------------------------

    def add_guild(
        self,
        *,
        name: str | None = None,
        locale: str | None = None,
        owner: User | None = None,
        shard: tuple[int, int] | None = None,
        bot: bool = True,
    ) -> Guild:
        """Another server with its own "general" channel, owner (`stand_in.owner` by default), preferred locale
        (the stand-in's by default), and the bot's managed role with `BOT_PERMISSIONS`; `stand_in.member` and
        everyone who interacts there are its members.

        `shard=(index, count)` picks an id that shard `index` of `count` serves (`(id >> 22) % count`). With
        `bot` (default) the bot is in it: GUILD_CREATE (a server joined) goes to the ready sessions that serve
        it; without, `add_bot(guild=...)` invites it later.
        """
        if shard is not None and (shard[1] < 1 or not 0 <= shard[0] < shard[1]):
            raise StandInError(f"shard {list(shard)} is no shard: (index, count) with 0 <= index < count")
        guild = Guild(
            id=shard_snowflake(*shard) if shard is not None else snowflake(),
            name=name or f"Stand-in server {len(self._guilds) + 1}",
            preferred_locale=locale or self.locale,
            owner=owner or self.owner,
        )

        async def add() -> Guild:
            state = self._add_guild_state(guild)
            state.bot_in_guild = bot
            if bot:
                await self._dispatch_ready("GUILD_CREATE", self._joined_guild_create(state), state)
            return guild

        return self._call(add(), timeout=5)

    def _add_guild_state(self, guild: Guild) -> GuildState:
        # The bot's managed role carries what its invite asked for, as on Discord (discord.py reads it there).
        bot_role = Role(snowflake(), self.bot_user.name, BOT_PERMISSIONS, 1, managed_by=self.app_id)
        members = {user.id: MemberState(user) for user in (guild.owner, self.member, self.bot_user)}
        members[self.bot_user.id].roles.append(bot_role.id)
        state = GuildState(guild, bot_role, roles={bot_role.id: bot_role}, members=members)
        self._guilds[guild.id] = state
        self._channels[guild.channel_id] = ChannelState(guild.channel, 0, guild_id=guild.id)
        return state

    def _state_of(self, guild: Guild | int | None) -> GuildState:
        """A server's state: the first server's for None."""
        guild_id = self.guild.id if guild is None else guild.id if isinstance(guild, Guild) else guild
        state = self._guilds.get(guild_id)
        if state is None:
            raise StandInError(f"the stand-in has no server {guild_id} (add_guild makes one)")
        return state

    def _guild_of_channel(self, channel_id: int) -> GuildState | None:
        """The server of a channel or thread that exists now."""
        found = self._channels.get(channel_id) or self._threads.get(channel_id)
        return self._guilds.get(found.guild_id) if found is not None else None

    def shard_of(self, guild: Guild | int | None = None) -> int:
        """The shard that serves a server (the first by default) among `shard_count`: `(id >> 22) % count`."""
        guild_id = self._state_of(guild).id
        return (guild_id >> 22) % self.shard_count

    def session_shards(self) -> list[tuple[int, int]]:
        """(shard_id, shard_count) of every ready, connected gateway session, oldest first ((0, 1) for a bot
        that does not shard)."""
        return [s.shard for s in list(self._sessions) if s.live]

    def wait_shards_ready(
        self, shards: Iterable[int], timeout: float = 30.0, *, after_connections: int = 0
    ) -> bool:
        """Wait until, for every shard id in `shards`, a connected session beyond the first
        `after_connections` identified as that shard (of `shard_count`) and got its READY and GUILD_CREATEs."""
        wanted = {(shard_id, self.shard_count) for shard_id in shards}

        def ready() -> bool:
            return wanted <= {s.shard for s in self._sessions[after_connections:] if s.live}

        return self._call(self._wait_until(ready, timeout), timeout)

    # --- what tests control ------------------------------------------------------------------------

    def add_channel(
        self, name: str, *, bot_can_post: bool = True, kind: int = GUILD_TEXT, guild: Guild | None = None
    ) -> Channel:
        """A new channel in a server, the first by default (sent as CHANNEL_CREATE to a connected bot, in
        GUILD_CREATE later).

        With `bot_can_post=False` the channel denies the bot's member SEND_MESSAGES (VIEW_CHANNEL stays
        allowed), so discord.py's `permissions_for(guild.me)` says so and posting there answers 403 50013.
        """
        if kind not in GUILD_CHANNEL_TYPES:
            raise StandInError(f"channel type {kind} is not a server channel type the stand-in knows")
        channel = Channel(snowflake(), name, kind)
        return self._call(self._add_channel(channel, bot_can_post, self._state_of(guild)), timeout=5)

    async def _add_channel(self, channel: Channel, bot_can_post: bool, guild: GuildState) -> Channel:
        position = max((c.position for c in self._ordered_channels(guild)), default=-1) + 1
        state = ChannelState(channel, position, guild_id=guild.id)
        if not bot_can_post:
            self._deny_bot(state, SEND_MESSAGES, allow=VIEW_CHANNEL)
        self._channels[channel.id] = state
        await self._dispatch_channel_event("CHANNEL_CREATE", state)
        return channel

    def _deny_bot(self, state: ChannelState, deny: int, allow: int = 0) -> None:
        """Add to the bot's member overwrite in a channel (one per member, as Discord keeps it)."""
        mine = next(
            (
                o
                for o in state.overwrites
                if o["type"] == MEMBER_OVERWRITE and int(o["id"]) == self.bot_user.id
            ),
            None,
        )
        if mine is None:
            state.overwrites.append(overwrite(self.bot_user.id, MEMBER_OVERWRITE, allow=allow, deny=deny))
            return
        denied = int(mine["deny"]) | deny
        mine.update(allow=str((int(mine["allow"]) | allow) & ~denied), deny=str(denied))

    def forbid_channel(self, channel_id: int | Channel) -> None:
        """Take SEND_MESSAGES from the bot in a channel (CHANNEL_UPDATE); later posts there answer 403 50013.

        Threads in it are unaffected: posting there takes SEND_MESSAGES_IN_THREADS, as on Discord.
        """
        self._call(self._forbid(self._existing(channel_id), SEND_MESSAGES, VIEW_CHANNEL), timeout=5)

    def forbid_private_threads(self, channel_id: int | Channel) -> None:
        """Take CREATE_PRIVATE_THREADS from the bot in a channel (CHANNEL_UPDATE), as an admin would; creating
        one there then answers 403 50013."""
        self._call(self._forbid(self._existing(channel_id), CREATE_PRIVATE_THREADS), timeout=5)

    async def _forbid(self, state: ChannelState, deny: int, allow: int = 0) -> None:
        self._deny_bot(state, deny, allow)
        await self._dispatch_channel_event("CHANNEL_UPDATE", state)

    def refuse_private_threads(self, channel_id: int | Channel) -> None:
        """Make Discord refuse private threads in a channel with 400 50024 although the permissions allow them
        (a server that cannot have them); public threads still work."""
        state = self._existing(channel_id)

        async def refuse() -> None:
            self._no_private_threads.add(state.channel.id)

        self._call(refuse(), timeout=5)

    def delete_channel(self, channel_id: int | Channel) -> None:
        """Delete a channel (CHANNEL_DELETE) or thread (THREAD_DELETE); later requests for it answer 404 Unknown
        Channel (10003). A channel's threads go with it."""
        thread = self._threads.get(_channel_id(channel_id) or 0)
        if thread is not None:
            self._call(self._delete_thread(thread), timeout=5)
        else:
            self._call(self._delete_channel(self._existing(channel_id)), timeout=5)

    async def _delete_channel(self, state: ChannelState) -> None:
        del self._channels[state.channel.id]
        for thread in [t for t in self._threads.values() if t.parent_id == state.channel.id]:
            del self._threads[thread.id]
        await self._dispatch_channel_event("CHANNEL_DELETE", state)

    async def _delete_thread(self, thread: ThreadState) -> None:
        del self._threads[thread.id]
        data = {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "parent_id": str(thread.parent_id),
            "type": thread.kind,
        }
        await self._dispatch_guild_event("THREAD_DELETE", data, self._guilds[thread.guild_id])

    def archive_thread(self, thread: int | Channel) -> None:
        """Archive a thread (THREAD_UPDATE), as Discord does after its auto_archive_duration without messages."""
        state = self._thread_state(thread)

        async def archive() -> None:
            state.archived = True
            state.archive_timestamp = now_iso()
            await self._dispatch_guild_event("THREAD_UPDATE", state.payload(), self._guilds[state.guild_id])

        self._call(archive(), timeout=5)

    def _existing(self, channel_id: int | Channel) -> ChannelState:
        if (_channel_id(channel_id) or 0) in self._threads:
            raise StandInError("a thread has no permission overwrites of its own: its parent channel's count")
        state = self._channels.get(_channel_id(channel_id) or 0)
        if state is None:
            raise StandInError(
                f"the server has no channel {_channel_id(channel_id)} (deleted or never added)"
            )
        return state

    def _thread_state(self, thread: int | Channel) -> ThreadState:
        state = self._threads.get(_channel_id(thread) or 0)
        if state is None:
            raise StandInError(f"the server has no thread {_channel_id(thread)} (deleted or never created)")
        return state

    # --- roles and members ------------------------------------------------------------------------------

    def add_role(self, name: str, permissions: int = 0, *, guild: Guild | None = None) -> Role:
        """A new role in a server, the first by default (GUILD_ROLE_CREATE to a connected bot, in GUILD_CREATE of
        later connections)."""
        state = self._state_of(guild)

        async def add() -> Role:
            role = Role(snowflake(), name, permissions, position=len(state.roles) + 1)
            state.roles[role.id] = role
            await self._dispatch_guild_event(
                "GUILD_ROLE_CREATE", {"guild_id": str(state.id), "role": role.payload()}, state
            )
            return role

        return self._call(add(), timeout=5)

    def _guild_of_role(self, role: Role) -> GuildState | None:
        return next((g for g in list(self._guilds.values()) if role.id in g.roles), None)

    def give_role(self, user: User, role: Role) -> None:
        """Give a member a role in the role's server (they join the server if the stand-in did not know them). No
        event: Discord sends GUILD_MEMBER_UPDATE only with the privileged members intent."""
        state = self._guild_of_role(role)
        if state is None or role.managed_by is not None:
            raise StandInError(
                f"role {role.name!r} is not one add_role made (a managed role cannot be given)"
            )

        async def give() -> None:
            roles = state.join(user).roles
            if role.id not in roles:
                roles.append(role.id)

        self._call(give(), timeout=5)

    def take_role(self, user: User, role: Role) -> None:
        """Take a role from a member of the role's server (no event, as `give_role`)."""
        state = self._guild_of_role(role) or self._state_of(None)
        if user.id not in state.members:
            raise StandInError(f"{user.name} ({user.id}) is no member of the server")

        async def take() -> None:
            roles = state.members[user.id].roles
            if role.id in roles:
                roles.remove(role.id)

        self._call(take(), timeout=5)

    def remove_member(self, user: User, *, guild: Guild | None = None) -> None:
        """The user left a server (the first by default): GET /guilds/{id}/members/{user} answers 404 10007 and
        they leave its threads (until they interact there again, which makes them a member anew)."""
        if user.id == self.bot_user.id:
            raise StandInError("remove_member cannot remove the bot: use remove_bot()")
        state = self._state_of(guild)

        async def remove() -> None:
            state.members.pop(user.id, None)
            for thread in self._threads.values():
                if thread.guild_id == state.id:
                    thread.members.pop(user.id, None)

        self._call(remove(), timeout=5)

    def remove_bot(self, *, guild: Guild | None = None) -> None:
        """The bot was kicked (or removed) from a server, the first by default: GUILD_DELETE without
        `unavailable` to every connected bot session that serves it (discord.py fires `on_guild_remove`). Until
        `add_bot()` a new connection's READY does not list it and no GUILD_CREATE follows for it, none of its
        events reaches the bot, members cannot interact in it (StandInError), and the bot's REST requests on its
        routes and channels answer 403 Missing Access (50001). The bot leaves its threads, as a member who
        leaves does."""
        state = self._state_of(guild)

        async def remove() -> None:
            if not state.bot_in_guild:
                raise StandInError("the bot is not in the server")
            state.bot_in_guild = False
            for thread in self._threads.values():
                if thread.guild_id == state.id:
                    thread.members.pop(self.bot_user.id, None)
            await self._dispatch_ready("GUILD_DELETE", {"id": str(state.id)}, state)

        self._call(remove(), timeout=5)

    def add_bot(self, *, guild: Guild | None = None) -> None:
        """The bot was invited (again) to a server, the first by default: `guild.joined_at` is now, GUILD_CREATE
        (without `unavailable`, as for a server joined) goes to every connected bot session that serves it
        (discord.py fires `on_guild_join`), and new connections get the server in READY and GUILD_CREATE
        again."""
        state = self._state_of(guild)

        async def add() -> None:
            if state.bot_in_guild:
                raise StandInError("the bot is already in the server")
            state.bot_in_guild = True
            state.guild.joined_at = now_iso()
            await self._dispatch_ready("GUILD_CREATE", self._joined_guild_create(state), state)

        self._call(add(), timeout=5)

    def _joined_guild_create(self, guild: GuildState) -> dict[str, Any]:
        # Discord leaves `unavailable` out of a joined server's GUILD_CREATE (discord.py: on_guild_join);
        # `"unavailable": false` means a known server became available again (on_guild_available).
        data = self._guild_create(guild)
        data.pop("unavailable", None)
        return data

    def _require_bot_in_guild(self, guild: GuildState) -> None:
        if not guild.bot_in_guild:
            raise StandInError("the bot is not in the server")

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int = 500,
        code: int = 0,
        times: int = 1,
        after_effect: bool = False,
        *,
        message: str | None = None,
        retry_after: float = 0.1,
    ) -> None:
        """Answer the next `times` REST requests that match (path below /api/v10, fullmatch) with an error.

        The body is Discord's `{"message", "code"}` (a 429 also gets `retry_after`, `global` and the rate-limit
        headers). With `after_effect` the request is carried out first and its answer replaced by the error,
        as when Discord acted but the response was lost. discord.py retries 500, 502, 504 and 429 by itself.
        """
        if times < 1:
            raise StandInError("times must be at least 1")
        fault = Fault(
            method=method.upper(),
            path=re.compile(path_regex),
            status=status,
            code=code,
            times=times,
            after_effect=after_effect,
            message=message or STATUS_TEXT.get(status, f"{status}: Error"),
            retry_after=retry_after,
        )

        async def add() -> None:
            self._faults.append(fault)

        self._call(add(), timeout=5)

    def stall(self, method: str, path_regex: str) -> None:
        """Never answer the REST requests that match (path below /api/v10, fullmatch), as a Discord that took
        the connection and went silent; each stays open until the bot gives up or the stand-in closes."""

        async def add() -> None:
            self._stalls.append((method.upper(), re.compile(path_regex)))

        self._call(add(), timeout=5)

    def stall_gateway(self, at: Literal["hello", "ready"] | None) -> None:
        """Make new gateway connections go silent: `"hello"` opens the websocket and sends nothing, `"ready"`
        sends HELLO and answers heartbeats but never READY after IDENTIFY. None: answer again (connections that
        already went silent stay so)."""
        if at not in ("hello", "ready", None):
            raise StandInError(f"stall_gateway takes 'hello', 'ready' or None, not {at!r}")
        self._gateway_stall = at

    def drop_connections(self) -> None:
        """Close every open gateway connection with code 1001, as a gateway node that goes away: the bot
        connects again on its own."""

        async def drop() -> None:
            for session in self._sessions:
                if not session.ws.closed:
                    await session.ws.close(code=1001)

        self._call(drop(), timeout=5)

    def wait_for_request(self, method: str, path_regex: str, timeout: float = 10.0) -> Request:
        """The first request that matches (path below /api/v10, fullmatch), once it arrived; answered or not."""
        pattern = re.compile(path_regex)

        def matching() -> list[Request]:
            return [r for r in self._requests if r.method == method.upper() and pattern.fullmatch(r.path)]

        if not self._call(self._wait_until(lambda: bool(matching()), timeout), timeout):
            raise StandInError(f"no {method.upper()} {path_regex} within {timeout} s")
        return matching()[0]

    def wait_identified(self, after_connections: int = 0, timeout: float = 10.0) -> dict[str, Any]:
        """The IDENTIFY of the first gateway connection beyond the first `after_connections`, once it came."""

        def identified() -> bool:
            return any(s.identify is not None for s in self._sessions[after_connections:])

        if not self._call(self._wait_until(identified, timeout), timeout):
            raise StandInError(f"no IDENTIFY within {timeout} s")
        return next(s.identify for s in self._sessions[after_connections:] if s.identify is not None)

    def reject_token(self, token: str) -> None:
        """Answer 401 to this token, as Discord does to a reset or mistyped one."""
        self._rejected_tokens.add(token)

    def attachment(self, filename: str, data: bytes, content_type: str | None = None) -> Attachment:
        """Put a file on the stand-in that a member 'uploads' as an attachment option."""
        attachment_id = snowflake()
        self._blobs[attachment_id] = (filename, data, content_type)
        url = f"{self.base_url}/attachments/{attachment_id}/{quote(filename)}"
        return Attachment(attachment_id, filename, data, content_type, url)

    def user(self, name: str = "member", **kwargs: Any) -> User:
        """A new member with its own id."""
        return User(name=name, **kwargs)

    def wait_ready(self, after_connections: int = 0, timeout: float = 30.0) -> bool:
        """Wait until a gateway connection beyond the first `after_connections` got its GUILD_CREATEs (one
        session: a bot with several shards opens one per shard, see `wait_shards_ready`)."""

        def ready() -> bool:
            return any(s.live for s in self._sessions[after_connections:])

        return self._call(self._wait_until(ready, timeout), timeout)

    def send_event(self, name: str, data: dict[str, Any], *, guild: Guild | None = None) -> None:
        """Dispatch a gateway event (op 0) to the newest ready session, or with `guild` to the newest one that
        serves that server."""

        async def send() -> None:
            session = self._serving(self._state_of(guild).id) if guild is not None else None
            if guild is not None and session is None:
                raise StandInError(f"cannot send {name}: no bot session serves server {guild.id}")
            await self._dispatch(name, data, session)

        self._call(send(), timeout=5)

    # --- driving the bot ------------------------------------------------------------------------------

    def invoke(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: User | None = None,
        locale: str = "en-US",
        guild_locale: str | None = None,
        permissions: int = MEMBER_PERMISSIONS,
        dm: bool = False,
        channel: Channel | None = None,
        guild: Guild | None = None,
        strict: bool = True,
        timeout: float = 10.0,
        settle: float = 0.2,
    ) -> Reply:
        """Run a slash command ("engagement post") as a member would and return the bot's answer.

        Options are given by their English names with Python values (int, float, str, bool, User, Attachment);
        their types come from the registered command. With strict, options Discord's client would refuse
        (unknown, missing, out of range, not a choice) raise StandInError instead of being sent.
        `guild` is the server (the channel's, else the first), `channel` (a channel or thread, the server's
        "general" by default) where the member typed the command. The interaction goes to the bot session
        that serves the server (a direct message: shard 0's).
        A deferred answer is waited for until its edit arrives and nothing changed for `settle` seconds.
        """
        where = self._interaction_guild(guild, channel, dm)
        data = self._command_data(
            command, dict(options or {}), None, strict, where, user=user, permissions=permissions
        )
        payload = self._interaction(2, data, user, locale, guild_locale, permissions, dm, channel, where)
        return self._call(self._exchange(payload, timeout, settle), timeout + settle)

    def autocomplete(
        self,
        command: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        user: User | None = None,
        locale: str = "en-US",
        permissions: int = MEMBER_PERMISSIONS,
        channel: Channel | None = None,
        guild: Guild | None = None,
        timeout: float = 10.0,
        forged: bool = False,
    ) -> list[dict[str, Any]]:
        """The choices the bot suggests while a member types into option `focused` (in `channel`, by default the
        "general" channel of `guild`, the first server by default). Discord sends what is typed as text;
        `forged` sends the focused value as given (a number, null, a list), as a modified client could."""
        where = self._interaction_guild(guild, channel, False)
        data = self._command_data(
            command, dict(options), focused, False, where, user=user, permissions=permissions, forged=forged
        )
        payload = self._interaction(4, data, user, locale, None, permissions, False, channel, where)
        reply = self._call(self._exchange(payload, timeout, 0), timeout)
        if reply.type != 8:
            raise StandInError(f"autocomplete was answered with response type {reply.type}, not 8")
        return reply.choices

    def click(
        self,
        reply: Reply | Message,
        custom_id: str,
        *,
        values: list[str] | None = None,
        user: User | None = None,
        locale: str = "en-US",
        permissions: int = MEMBER_PERMISSIONS,
        channel: Channel | None = None,
        guild: Guild | None = None,
        timeout: float = 10.0,
        settle: float = 0.2,
    ) -> Reply:
        """Press a button (or pick `values` in a select menu) on a message of the bot.

        The interaction comes from the message's channel or thread (and server) unless `channel` (or `guild`)
        says otherwise.
        """
        messages = [reply.message, *reply.followups] if isinstance(reply, Reply) else [reply]
        target = next((m for m in messages if m is not None and m.component(custom_id) is not None), None)
        if target is None:
            found = [c for m in messages if m is not None for c in m.custom_ids]
            raise StandInError(f"no component {custom_id!r} on that message; it has {found}")
        component = target.component(custom_id) or {}
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component.get("type", 2)}
        if values is not None:
            data["values"] = values
        elif data["component_type"] != 2:
            raise StandInError(f"{custom_id!r} is a select menu: pass values=[...]")
        message = self._call(self._current_message(target.id), 5)
        if channel is None and guild is None and self._is_guild_channel(int(message["channel_id"])):
            channel = self._channel_or_thread(int(message["channel_id"]))
        if guild is None and channel is None and "guild_id" in message:
            guild = self._guilds[int(message["guild_id"])].guild
        where = self._interaction_guild(guild, channel, False)
        payload = self._interaction(3, data, user, locale, None, permissions, False, channel, where)
        payload["message"] = message
        return self._call(self._exchange(payload, timeout, settle, on_message=target.id), timeout + settle)

    def submit_modal(
        self,
        reply: Reply,
        values: Mapping[str, str],
        *,
        user: User | None = None,
        locale: str = "en-US",
        permissions: int = MEMBER_PERMISSIONS,
        channel: Channel | None = None,
        guild: Guild | None = None,
        timeout: float = 10.0,
        settle: float = 0.2,
    ) -> Reply:
        """Fill in the modal the bot opened (text inputs by custom_id) and submit it.

        The submission comes from the channel or thread (and server) of the interaction that opened the modal
        unless `channel` (or `guild`) says otherwise.
        """
        modal = reply.modal
        if modal is None:
            raise StandInError(f"that reply is not a modal (response type {reply.type})")
        inputs = [
            c.get("custom_id") for c in walk_components(modal.get("components") or []) if c.get("type") == 4
        ]
        if unknown := set(values) - set(inputs):
            raise StandInError(f"the modal has no text inputs {sorted(unknown)}; it has {inputs}")
        rows = []
        for component in modal.get("components") or []:
            inner = component.get("components") or (
                [component["component"]] if "component" in component else []
            )
            filled = [
                {
                    "type": c["type"],
                    "id": c.get("id", 0),
                    "custom_id": c["custom_id"],
                    "value": values[c["custom_id"]],
                }
                for c in inner
                if c.get("custom_id") in values
            ]
            if component.get("type") == 18 and filled:  # label (new-style modal)
                rows.append({"type": 18, "id": component.get("id", 0), "component": filled[0]})
            elif filled:
                rows.append({"type": 1, "id": component.get("id", 0), "components": filled})
        data = {"custom_id": modal["custom_id"], "components": rows}
        opened_in = int(reply.interaction.get("channel_id") or 0)
        if channel is None and guild is None and self._is_guild_channel(opened_in):
            channel = self._channel_or_thread(opened_in)
        if guild is None and channel is None and int(reply.interaction.get("guild_id") or 0) in self._guilds:
            guild = self._guilds[int(reply.interaction["guild_id"])].guild
        where = self._interaction_guild(guild, channel, False)
        payload = self._interaction(5, data, user, locale, None, permissions, False, channel, where)
        return self._call(self._exchange(payload, timeout, settle), timeout + settle)

    def refresh(self, reply: Reply, *, followups: int = 0, timeout: float = 10.0) -> Reply:
        """`reply` as it stands now, once it has at least `followups` followup messages."""
        token = reply.interaction["token"]

        async def run() -> Reply:
            exchange = self._exchanges[token]
            if not await self._wait_until(lambda: len(exchange.followup_ids) >= followups, timeout):
                raise NoReply(
                    f"{len(exchange.followup_ids)} followups after {timeout} s, expected {followups}"
                )
            return self._reply(exchange)

        return self._call(run(), timeout)

    # --- building interactions ------------------------------------------------------------------------

    def _interaction_guild(self, guild: Guild | None, channel: Channel | None, dm: bool) -> GuildState:
        """The server an interaction comes from: `guild`, else the channel's, else the first (whose commands a
        direct message is checked against too)."""
        if dm and guild is not None:
            raise StandInError("a direct message is in no server: pass dm=True or guild=, not both")
        state = self._state_of(guild) if guild is not None else None
        owner = self._guild_of_channel(channel.id) if channel is not None else None
        if state is not None and owner is not None and owner is not state:
            raise StandInError(
                f"channel {channel and channel.name!r} is in server {owner.id}, not {state.id}"
            )
        return state or owner or self._state_of(None)

    def _command_data(
        self,
        command: str,
        options: dict[str, Any],
        focused: str | None,
        strict: bool,
        guild: GuildState,
        user: User | None = None,
        permissions: int = MEMBER_PERMISSIONS,
        forged: bool = False,
    ) -> dict[str, Any]:
        names = command.split()
        if not names:
            raise StandInError("name a command, e.g. 'about' or 'engagement post'")
        registered = self.command(names[0], guild=guild.guild)
        if registered is None and strict and (self._command_syncs or self.identifies):
            known = sorted(c["name"] for c in self.guild_commands(guild.id) + self.global_commands)
            raise StandInError(
                f"no command /{names[0]} was registered (registered: {known}); pass strict=False to send it anyway"
            )
        data: dict[str, Any] = {
            "id": (registered or {}).get("id", str(snowflake())),
            "name": names[0],
            "type": 1,
        }
        if registered and registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        resolved: dict[str, dict[str, Any]] = {}
        level = data
        definitions = (registered or {}).get("options") if registered else None
        for depth, name in enumerate(names[1:], start=1):
            definition = next((o for o in definitions or [] if o.get("name") == name), None)
            if definitions is not None and definition is None and strict:
                raise StandInError(f"/{' '.join(names[:depth])} has no subcommand {name!r}")
            kind = (definition or {}).get("type") or (1 if depth == len(names) - 1 else 2)
            node: dict[str, Any] = {"name": name, "type": kind, "options": []}
            level.setdefault("options", []).append(node)
            level = node
            definitions = (definition or {}).get("options") if definitions is not None else None
        invoker = (user or self.member, permissions)
        leaf = [
            self._option(n, v, definitions, focused, strict, resolved, command, invoker, guild, forged)
            for n, v in options.items()
        ]
        level["options"] = leaf
        if strict and definitions is not None:
            if subcommands := [o["name"] for o in definitions if o.get("type") in COMMAND_OPTION_TYPES]:
                raise StandInError(f"/{command} is a group: name one of its subcommands {subcommands}")
            missing = [o["name"] for o in definitions if o.get("required") and o["name"] not in options]
            if missing:
                raise StandInError(f"/{command} needs {missing}: Discord's client does not send it without")
        if resolved:
            data["resolved"] = resolved
        return data

    def _option(
        self,
        name: str,
        value: Any,
        definitions: list[dict[str, Any]] | None,
        focused: str | None,
        strict: bool,
        resolved: dict[str, dict[str, Any]],
        command: str,
        invoker: tuple[User, int],
        guild: GuildState,
        forged: bool = False,
    ) -> dict[str, Any]:
        definition = next((o for o in definitions or [] if o.get("name") == name), None)
        if definitions is not None and definition is None and strict:
            known = [o.get("name") for o in definitions]
            raise StandInError(f"/{command} has no option {name!r}; it has {known}")
        kind = (definition or {}).get("type") or OPTION_TYPES.get(type(value), 3)
        option: dict[str, Any] = {"name": name, "type": kind}
        if name == focused:
            option.update(value=value if forged else str(value), focused=True)
            return option
        if isinstance(value, Attachment):
            resolved.setdefault("attachments", {})[str(value.id)] = value.payload()
            option["value"] = str(value.id)
        elif isinstance(value, Channel):
            resolved.setdefault("channels", {})[str(value.id)] = self._resolved_channel(value, *invoker)
            option["value"] = str(value.id)
        elif isinstance(value, User):
            resolved.setdefault("users", {})[str(value.id)] = value.payload()
            member = guild.guild.member_payload(value, MEMBER_PERMISSIONS, guild.role_ids(value))
            member.pop("user")
            resolved.setdefault("members", {})[str(value.id)] = member
            option["value"] = str(value.id)
        elif isinstance(value, Role):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            option["value"] = str(value.id)
        else:
            option["value"] = value
        if strict and definition is not None:
            self._check_value(definition, value, command, guild)
        elif strict and isinstance(value, Channel) and not self._is_guild_channel(value.id):
            raise StandInError(f"/{command} {name}: channel {value.name!r} was deleted")
        return option

    def _resolved_channel(self, channel: Channel, user: User, permissions: int) -> dict[str, Any]:
        """A channel in `data.resolved.channels`: its fields without overwrites, and what the member may do there."""
        thread = self._threads.get(channel.id)
        if thread is not None:
            return self._member_thread_payload(thread, user, permissions)
        state = self._channels.get(channel.id) or ChannelState(channel, 0, guild_id=self.guild.id)
        payload = self._channel_payload(state)
        del payload["permission_overwrites"]
        roles = tuple(self._guilds[state.guild_id].role_ids(user))
        allowed = channel_permissions(permissions, state.overwrites, state.guild_id, user.id, roles)
        payload["permissions"] = str(allowed)
        return payload

    def _member_thread_payload(self, thread: ThreadState, user: User, permissions: int) -> dict[str, Any]:
        """A thread as interactions carry it: its payload and what the member may do there (the parent's)."""
        parent = self._channels.get(thread.parent_id)
        overwrites = parent.overwrites if parent is not None else []
        payload = thread.payload()
        roles = tuple(self._guilds[thread.guild_id].role_ids(user))
        allowed = channel_permissions(permissions, overwrites, thread.guild_id, user.id, roles)
        payload["permissions"] = str(allowed)
        return payload

    def _is_guild_channel(self, channel_id: int) -> bool:
        """A server channel or thread that exists now."""
        return channel_id in self._channels or channel_id in self._threads

    def _channel_or_thread(self, channel_id: int) -> Channel:
        thread = self._threads.get(channel_id)
        return thread.thread if thread is not None else self._channels[channel_id].channel

    def _check_value(self, definition: dict[str, Any], value: Any, command: str, guild: GuildState) -> None:
        name = definition["name"]
        if isinstance(value, Role) or definition.get("type") == ROLE_OPTION_TYPES[0]:
            if not isinstance(value, Role) or definition.get("type") not in ROLE_OPTION_TYPES:
                raise StandInError(
                    f"/{command} {name}: a role option takes a Role (stand_in.add_role), not {value!r}"
                )
            if value not in guild.all_roles:
                raise StandInError(f"/{command} {name}: the server has no role {value.name!r}")
        if definition.get("type") == CHANNEL_OPTION or isinstance(value, Channel):
            self._check_channel_value(definition, value, command, guild)
        choices = definition.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise StandInError(f"/{command} {name}: {value!r} is not one of the choices {choices}")
        low, high = definition.get("min_value"), definition.get("max_value")
        if isinstance(value, int | float) and (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            raise StandInError(f"/{command} {name}: Discord's client only sends values in [{low}, {high}]")
        if definition.get("type") == 4 and not isinstance(value, int):
            raise StandInError(f"/{command} {name}: an integer option needs an int, not {value!r}")
        low, high = definition.get("min_length"), definition.get("max_length")
        if isinstance(value, str) and (
            (low is not None and len(value) < low) or (high is not None and len(value) > high)
        ):
            raise StandInError(f"/{command} {name}: Discord's client only sends {low}-{high} characters")

    def _check_channel_value(
        self, definition: dict[str, Any], value: Any, command: str, guild: GuildState
    ) -> None:
        name = definition["name"]
        if definition.get("type") != CHANNEL_OPTION:
            raise StandInError(
                f"/{command} {name}: a Channel is no value for an option of type {definition.get('type')}"
            )
        if not isinstance(value, Channel):
            raise StandInError(
                f"/{command} {name}: a channel option takes a Channel (e.g. stand_in.general), not {value!r}"
            )
        if not self._is_guild_channel(value.id):
            raise StandInError(
                f"/{command} {name}: channel {value.name!r} was deleted; Discord's client lists no such channel"
            )
        if (owner := self._guild_of_channel(value.id)) is not guild:
            raise StandInError(
                f"/{command} {name}: channel {value.name!r} is in server {owner and owner.id}, not in {guild.id}; "
                "Discord's client only lists the server's own channels"
            )
        types = definition.get("channel_types")
        if types and value.kind not in types:
            raise StandInError(
                f"/{command} {name}: Discord's client only offers channels of types {types}, not {value.kind} ({value.name!r})"
            )

    def _interaction(
        self,
        kind: int,
        data: dict[str, Any],
        user: User | None,
        locale: str,
        guild_locale: str | None,
        permissions: int,
        dm: bool,
        channel: Channel | None,
        guild: GuildState,
    ) -> dict[str, Any]:
        user = user or self.member
        if dm and channel is not None:
            raise StandInError("a direct message has no server channel: pass dm=True or channel=, not both")
        payload: dict[str, Any] = {
            "id": str(snowflake()),
            "application_id": str(self.app_id),
            "type": kind,
            "data": data,
            "token": "tok-" + secrets.token_urlsafe(24),
            "version": 1,
            "locale": locale,
            "app_permissions": str(BOT_PERMISSIONS),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if dm:
            channel_id = snowflake()
            payload.update(
                user=user.payload(),
                channel={"id": str(channel_id), "type": 1, "recipients": [user.payload()], "flags": 0},
                channel_id=str(channel_id),
                context=1,
                authorizing_integration_owners={"0": str(guild.id)},
            )
        else:
            self._require_bot_in_guild(guild)  # Discord shows a kicked bot's commands nowhere in the server
            # Whoever interacts in the server is a member of it (GET /guilds/{id}/members/{user} finds them).
            self._call(self._joined(guild, user), timeout=5)
            invoked, app_permissions = self._invoked_channel(channel, user, permissions, guild)
            server = guild.guild
            payload.update(
                guild_id=str(server.id),
                guild={"id": str(server.id), "locale": server.preferred_locale, "features": []},
                guild_locale=guild_locale or server.preferred_locale,
                member=server.member_payload(user, permissions, guild.role_ids(user)),
                channel=invoked,
                channel_id=invoked["id"],
                app_permissions=str(app_permissions),
                context=0,
                authorizing_integration_owners={"0": str(server.id)},
            )
        return payload

    async def _joined(self, guild: GuildState, user: User) -> None:
        guild.join(user)

    def _invoked_channel(
        self, channel: Channel | None, user: User, permissions: int, guild: GuildState
    ) -> tuple[dict[str, Any], int]:
        """The interaction's channel (a thread as interactions carry it) and the bot's permissions there."""
        channel_id = channel.id if channel is not None else guild.guild.channel_id
        thread = self._threads.get(channel_id)
        if thread is not None:
            parent = self._channels.get(thread.parent_id)
            allowed = self._bot_permissions(parent) if parent is not None else BOT_PERMISSIONS
            return self._member_thread_payload(thread, user, permissions), allowed
        state = self._channels.get(channel_id)
        if state is None and channel is None:
            return guild.guild.channel_payload(), BOT_PERMISSIONS
        if state is None:
            raise StandInError(
                f"channel {channel_id} does not exist (deleted?): no member can interact there"
            )
        if state.channel.kind in NO_MESSAGES:
            raise StandInError(
                f"{state.channel.name!r} (type {state.channel.kind}) has no chat to interact in"
            )
        return self._channel_payload(state), self._bot_permissions(state)

    async def _current_message(self, message_id: int) -> dict[str, Any]:
        return _copy(self._messages[message_id])

    async def _exchange(
        self, payload: dict[str, Any], within: float, settle: float, on_message: int | None = None
    ) -> Reply:
        end = self._loop.time() + within
        guild_id = int(payload["guild_id"]) if "guild_id" in payload else None
        if not await self._wait_until(lambda: self._serving(guild_id) is not None, within):
            served = "" if guild_id is None else f" serving server {guild_id}"
            raise NoReply(f"no bot connected to the gateway{served} within {within} s")
        started = self._loop.time()
        exchange = Exchange(payload, sent_at=started, deadline=started + self.response_deadline)
        exchange.original_id = on_message
        self._exchanges[exchange.token] = exchange
        # Discord sends a server's interactions to the shard that serves the server, a direct message to shard 0.
        await self._dispatch("INTERACTION_CREATE", payload, self._serving(guild_id))
        what = _describe(payload)
        # Past Discord's deadline the member sees "The application did not respond": no use waiting longer.
        answer_by = min(end, exchange.deadline + 1.0)
        if not await self._wait_until(lambda: exchange.callback is not None, answer_by - self._loop.time()):
            raise NoReply(f"{what}: no interaction response within {answer_by - started:.1f} s")
        kind = exchange.callback["type"] if exchange.callback else 0
        if kind in (DEFERRED, DEFERRED_UPDATE) and not await self._wait_until(
            lambda: exchange.changes > 0, end - self._loop.time()
        ):
            raise NoReply(f"{what}: deferred, but no edit or followup within {within} s")
        if kind in (DEFERRED, DEFERRED_UPDATE, UPDATE) and settle:
            # Nothing tells when the bot is done editing: wait until it has been quiet for `settle` s.
            quiet = lambda: self._loop.time() - exchange.last_change >= settle  # noqa: E731
            await self._wait_until(quiet, max(end - self._loop.time(), settle), poll=0.02)
        return self._reply(exchange)

    def _reply(self, exchange: Exchange) -> Reply:
        callback = exchange.callback or {}
        message = None
        if exchange.original_id in self._messages and callback.get("type") not in (8, MODAL):
            message = self._snapshot(exchange.original_id)  # None once the bot deleted it
        followups = tuple(self._snapshot(m) for m in exchange.followup_ids if m in self._messages)
        return Reply(
            type=callback.get("type", 0),
            interaction=exchange.payload,
            callback=callback,
            message=message,
            followups=followups,
            stand_in=self,
        )

    def _snapshot(self, message_id: int) -> Message:
        payload = _copy(self._messages[message_id])
        files = {}
        for attachment in payload.get("attachments") or []:
            blob = self._blobs.get(int(attachment["id"]))
            if blob is not None:
                files[attachment["filename"]] = blob[1]
        return Message(payload, files)

    # --- gateway ---------------------------------------------------------------------------------------

    def _session(self) -> GatewaySession | None:
        """The newest ready session."""
        live = [s for s in self._sessions if s.live]
        return live[-1] if live else None

    def _serving(self, guild_id: int | None) -> GatewaySession | None:
        """The newest ready session that serves a server (None: direct messages, shard 0's)."""
        live = [s for s in self._sessions if s.live and s.serves(guild_id)]
        return live[-1] if live else None

    def _channel_payload(self, state: ChannelState) -> dict[str, Any]:
        return channel_payload(
            state.channel, state.guild_id, position=state.position, overwrites=state.overwrites
        )

    def _ordered_channels(self, guild: GuildState) -> list[ChannelState]:
        mine = [c for c in list(self._channels.values()) if c.guild_id == guild.id]
        return sorted(mine, key=lambda c: c.position)

    def _guild_create(self, guild: GuildState) -> dict[str, Any]:
        channels = [self._channel_payload(s) for s in self._ordered_channels(guild)]
        return guild.guild.create_payload(
            self.bot_user,
            channels,
            roles=[r.payload() for r in guild.all_roles],
            # The active threads the bot can see (it is in every thread it made), so a restarted bot knows them.
            threads=[
                t.payload()
                for t in self._threads.values()
                if t.guild_id == guild.id
                and not t.archived
                and (t.kind != PRIVATE_THREAD or self.bot_user.id in t.members)
            ],
            bot_roles=guild.members[self.bot_user.id].roles,
            member_count=len(guild.members),
        )

    async def _dispatch_channel_event(self, name: str, state: ChannelState) -> None:
        await self._dispatch_guild_event(name, self._channel_payload(state), self._guilds[state.guild_id])

    async def _dispatch_guild_event(self, name: str, data: dict[str, Any], guild: GuildState) -> None:
        """A CHANNEL_*, THREAD_* or GUILD_ROLE_* event of a server to every connected bot session that serves it
        and asked for the GUILDS intent (Discord sends them to no other), none while the bot is not in it."""
        if not guild.bot_in_guild:
            return
        for session in list(self._sessions):
            intents = int((session.identify or {}).get("intents") or 0)
            if session.live and session.serves(guild.id) and intents & GUILDS_INTENT:
                await self._dispatch(name, data, session)

    async def _dispatch_ready(self, name: str, data: dict[str, Any], guild: GuildState) -> None:
        """A server's event to every connected bot session that got its READY and serves the server (as
        GUILD_CREATE after IDENTIFY, whatever the intents)."""
        for session in list(self._sessions):
            if session.live and session.serves(guild.id):
                await self._dispatch(name, data, session)

    async def _dispatch(self, name: str, data: dict[str, Any], session: GatewaySession | None = None) -> None:
        session = session or self._session()
        if session is None:
            raise StandInError(f"cannot send {name}: no bot is connected")
        session.sequence += 1
        await session.ws.send_str(json.dumps({"op": 0, "t": name, "s": session.sequence, "d": data}))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        session = GatewaySession(ws)
        self._sessions.append(session)
        if request.query.get("v") != "10" or request.query.get("encoding") != "json":
            self._violation(
                f"gateway connection with query {dict(request.query)} (expected v=10, encoding=json)"
            )
        silent = self._gateway_stall
        if silent != "hello":
            await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        try:
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                await self._gateway_message(session, json.loads(frame.data), ready=silent is None)
        finally:
            session.closed = True
            session.close_code = ws.close_code
            self._notify()
        return ws

    async def _gateway_message(
        self, session: GatewaySession, message: dict[str, Any], *, ready: bool = True
    ) -> None:
        op = message.get("op")
        if op == 1:
            await session.ws.send_str(json.dumps({"op": 11}))
        elif op == 2 and not ready:
            session.identify = message.get("d") or {}
            self._notify()
        elif op == 2:
            await self._identify(session, message.get("d") or {})
        elif op == 6:
            # No resuming here: the bot identifies afresh.
            await session.ws.send_str(json.dumps({"op": 9, "d": False}))

    async def _identify(self, session: GatewaySession, identify: dict[str, Any]) -> None:
        session.identify = identify
        self._notify()
        if identify.get("token") in self._rejected_tokens:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(identify.get("intents") or 0)
        asked = [name for bit, name in PRIVILEGED_INTENTS.items() if intents & bit]
        if asked and not self.privileged_intents:
            self._violation(f"IDENTIFY asks for privileged intents {asked}, not enabled for this application")
            await session.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        if not self._take_shard(session, identify.get("shard")):
            await session.ws.close(code=4010, message=b"Invalid shard.")
            return
        # A session gets the servers its shard serves (the bot's only): unavailable in READY, then GUILD_CREATE.
        guilds = [g for g in list(self._guilds.values()) if g.bot_in_guild and session.serves(g.id)]
        ready = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": secrets.token_hex(16),
            "resume_gateway_url": self.gateway_url,
            "shard": list(session.shard),
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "auth": {},
            "user_settings": {},
            "session_type": "normal",
        }
        await self._dispatch("READY", ready, session)
        for guild in guilds:
            await self._dispatch("GUILD_CREATE", self._guild_create(guild), session)
        session.ready = True
        self._notify()

    def _take_shard(self, session: GatewaySession, shard: Any) -> bool:
        """Note IDENTIFY's `shard` ([shard_id, shard_count]; none: [0, 1]) on the session; False if Discord
        would refuse it (4010 Invalid shard). Flags a count other than GET /gateway/bot's once more than one
        shard is in play, and a second connected session as the same shard."""
        if shard is None:
            shard = [0, 1]
        if not (
            isinstance(shard, list)
            and len(shard) == 2
            and all(type(n) is int for n in shard)
            and shard[1] >= 1
            and 0 <= shard[0] < shard[1]
        ):
            self._violation(
                f"IDENTIFY with shard {shard!r}: not [shard_id, shard_count] with 0 <= shard_id < shard_count"
            )
            return False
        session.shard = (shard[0], shard[1])
        if shard[1] != self.shard_count and max(shard[1], self.shard_count) > 1:
            self._violation(
                f"IDENTIFY as shard {shard} while GET /gateway/bot answers {self.shard_count} shard(s): "
                "every shard must use the same shard_count, or some servers go unserved or served twice"
            )
        twins = [
            other
            for other in self._sessions
            if other is not session
            and not other.closed
            and other.identify is not None
            and other.shard == session.shard
        ]
        if shard[1] > 1 and twins:
            self._violation(f"two connected gateway sessions identify as shard {shard}")
        return True

    # --- REST ------------------------------------------------------------------------------------------

    Handler = Callable[[Request, re.Match[str]], Awaitable[web.Response]]

    def _route_table(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        app = r"(?P<app>\d+)"
        hook = r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)"
        user = r"(?P<user>\d+|@me)"
        table: list[tuple[str, str, StandIn.Handler]] = [
            ("GET", r"/gateway/bot", self._get_gateway_bot),
            ("GET", r"/gateway", self._get_gateway),
            ("GET", r"/users/@me", self._get_me),
            ("GET", r"/(?:oauth2/)?applications/@me", self._get_application),
            ("PUT", rf"/applications/{app}/commands", self._put_commands),
            ("PUT", rf"/applications/{app}/guilds/(?P<guild>\d+)/commands", self._put_commands),
            ("GET", rf"/applications/{app}/commands", self._get_commands),
            ("GET", rf"/applications/{app}/guilds/(?P<guild>\d+)/commands", self._get_commands),
            ("POST", rf"/applications/{app}/commands", self._post_command),
            ("POST", rf"/applications/{app}/guilds/(?P<guild>\d+)/commands", self._post_command),
            ("POST", r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", hook, self._followup),
            ("GET", hook + r"/messages/(?P<message>@original|\d+)", self._get_webhook_message),
            ("PATCH", hook + r"/messages/(?P<message>@original|\d+)", self._edit_webhook_message),
            ("DELETE", hook + r"/messages/(?P<message>@original|\d+)", self._delete_webhook_message),
            ("GET", r"/channels/(?P<channel>\d+)", self._get_channel),
            ("PATCH", r"/channels/(?P<channel>\d+)", self._edit_channel),
            ("POST", r"/channels/(?P<channel>\d+)/messages", self._post_channel_message),
            ("GET", r"/channels/(?P<channel>\d+)/messages", self._get_channel_messages),
            ("GET", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._get_channel_message),
            ("PATCH", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._edit_channel_message),
            ("DELETE", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._delete_channel_message),
            ("POST", r"/channels/(?P<channel>\d+)/threads", self._create_thread),
            ("GET", r"/channels/(?P<channel>\d+)/thread-members", self._get_thread_members),
            ("GET", rf"/channels/(?P<channel>\d+)/thread-members/{user}", self._get_thread_member),
            ("PUT", rf"/channels/(?P<channel>\d+)/thread-members/{user}", self._add_thread_member),
            ("DELETE", rf"/channels/(?P<channel>\d+)/thread-members/{user}", self._remove_thread_member),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("GET", r"/guilds/(?P<guild>\d+)", self._get_guild),
            ("GET", r"/guilds/(?P<guild>\d+)/channels", self._get_guild_channels),
            ("GET", r"/guilds/(?P<guild>\d+)/members/(?P<user>\d+)", self._get_member),
            ("GET", r"/users/(?P<user>\d+)", self._get_user),
        ]
        return [(method, re.compile(pattern), handler) for method, pattern, handler in table]

    async def _outside_api(self, request: web.Request) -> web.Response:
        self._violation(f"{request.method} {request.path}: outside the API base {API_PREFIX}")
        return _error(404, "404: Not Found")

    async def _attachment(self, request: web.Request) -> web.Response:
        blob = self._blobs.get(int(request.match_info["id"]))
        self._requests.append(
            Request("GET", request.path, dict(request.query), None, status=200 if blob else 404)
        )
        if blob is None:
            return web.Response(status=404)
        return web.Response(body=blob[1], content_type=blob[2] or "application/octet-stream")

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, uploads = await self._read_body(request, path)
        record = Request(request.method, path, dict(request.query), body, uploads)
        self._requests.append(record)
        if any(m == record.method and p.fullmatch(path) for m, p in self._stalls):
            self._notify()
            await self._released.wait()
            return _error(503, "stand-in closed")
        try:
            response = await self._answer(request, record)
        except Exception as exc:  # a stand-in bug must show up in the test, not as a hung bot
            self._violation(f"stand-in failed on {request.method} {path}: {exc!r}")
            response = _error(400, f"stand-in error: {exc!r}")
        record.status = response.status
        self._notify()
        return response

    async def _read_body(self, request: web.Request, path: str) -> tuple[Any, dict[int, tuple[str, bytes]]]:
        files: dict[int, tuple[str, bytes]] = {}
        if request.content_type.startswith("multipart/"):
            body = None
            reader = await request.multipart()
            async for part in reader:
                name = getattr(part, "name", None) or ""
                data = await part.read(decode=False)  # type: ignore[union-attr]
                if name == "payload_json":
                    body = json.loads(data)
                elif re.fullmatch(r"files\[\d+\]", name):
                    files[int(name[6:-1])] = (getattr(part, "filename", None) or name, bytes(data))
                else:
                    self._violation(f"{request.method} {path}: unexpected multipart field {name!r}")
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        if request.content_type != "application/json":
            self._violation(f"{request.method} {path}: body sent as {request.content_type!r}, not JSON")
        try:
            return json.loads(raw), files
        except ValueError:
            self._violation(f"{request.method} {path}: body is not valid JSON")
            return raw.decode(errors="replace"), files

    async def _answer(self, request: web.Request, record: Request) -> web.Response:
        path, method = record.path, record.method
        token_route = path.startswith(("/interactions/", "/webhooks/"))
        if not token_route:
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bot "):
                self._violation(f"{method} {path}: no 'Authorization: Bot <token>' header")
                return _error(401, "401: Unauthorized")
            if auth[4:] in self._rejected_tokens:
                return _error(401, "401: Unauthorized")
        if self.spec is not None:
            for problem in self.spec.check(method, path, record.body):
                self._violation(problem)
        fault = self._take_fault(record)
        if fault is not None and not fault.after_effect:
            return self._fault_response(record, fault)
        if (guild := self._route_guild(path)) is not None and not guild.bot_in_guild:
            # A kicked bot sees nothing of the server (interaction webhooks keep working).
            return _error(403, "Missing Access", 50001)
        for route_method, pattern, handler in self._routes:
            if route_method == method and (match := pattern.fullmatch(path)):
                response = await handler(record, match)
                break
        else:
            response = _error(404, f"404: Not Found (the stand-in does not serve {method} {path})")
        if fault is not None:
            # Discord acted (the message exists, the reply was sent), but the bot gets an error back.
            return self._fault_response(record, fault)
        return response

    def _route_guild(self, path: str) -> GuildState | None:
        """The server a route is on (`/guilds/{id}...`, its application commands, one of its channels or
        threads), None for other routes."""
        match = re.match(r"(?:/applications/\d+)?/guilds/(\d+)(?:/|$)", path)
        if match is not None:
            return self._guilds.get(int(match[1]))
        match = re.match(r"/channels/(\d+)(?:/|$)", path)
        return self._guild_of_channel(int(match[1])) if match is not None else None

    def _take_fault(self, record: Request) -> Fault | None:
        for fault in self._faults:
            if fault.method == record.method and fault.path.fullmatch(record.path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _fault_response(self, record: Request, fault: Fault) -> web.Response:
        record.injected = True
        body: dict[str, Any] = {"message": fault.message, "code": fault.code}
        headers = {"Content-Type": "application/json"}
        if fault.status == 429:
            body.update(retry_after=fault.retry_after, **{"global": False})
            headers.update(
                {
                    "Retry-After": str(math.ceil(fault.retry_after)),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": str(fault.retry_after),
                    "X-RateLimit-Scope": "user",
                    "Via": "1.1 google",  # discord.py takes a 429 without it for a Cloudflare ban
                }
            )
        return web.Response(body=json.dumps(body).encode(), status=fault.status, headers=headers)

    async def _get_gateway_bot(self, record: Request, match: re.Match[str]) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit})

    async def _get_gateway(self, record: Request, match: re.Match[str]) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _get_me(self, record: Request, match: re.Match[str]) -> web.Response:
        return _json({**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "email": None})

    async def _get_application(self, record: Request, match: re.Match[str]) -> web.Response:
        guilds = sum(g.bot_in_guild for g in self._guilds.values())
        return _json(application_payload(self.app_id, self.bot_user, self.owner, guilds))

    def _check_app(self, match: re.Match[str], record: Request) -> web.Response | None:
        if int(match["app"]) != self.app_id:
            self._violation(f"{record.method} {record.path}: application id is not the bot's ({self.app_id})")
            return _error(403, "Missing Access", 50001)
        if "guild" in match.groupdict() and match["guild"] and int(match["guild"]) not in self._guilds:
            return _error(403, "Missing Access", 50001)
        return None

    def _stored_commands(self, guild: str | None) -> list[dict[str, Any]]:
        return self._guild_commands.setdefault(int(guild), []) if guild else self._global_commands

    def _register(
        self, command: dict[str, Any], guild: str | None, known: list[dict[str, Any]]
    ) -> dict[str, Any]:
        kind = command.get("type") or 1
        same = next((c for c in known if c["name"] == command.get("name") and c["type"] == kind), None)
        stored = {
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            **command,
            "id": same["id"] if same else str(snowflake()),
            "application_id": str(self.app_id),
            "type": kind,
            "version": str(snowflake()),
        }
        if guild:
            stored["guild_id"] = guild
        return stored

    async def _put_commands(self, record: Request, match: re.Match[str]) -> web.Response:
        if (denied := self._check_app(match, record)) is not None:
            return denied
        guild = match.groupdict().get("guild")
        where = f"PUT commands ({'guild ' + guild if guild else 'global'})"
        commands = record.body if isinstance(record.body, list) else []
        for problem in limits.check_commands(record.body, where):
            self._violation(problem)
        self._command_syncs.append((int(guild) if guild else None, commands))
        known = self._stored_commands(guild)
        stored = [self._register(c, guild, known) for c in commands]
        if guild:
            self._guild_commands[int(guild)] = stored
        else:
            self._global_commands = stored
        return _json(stored)

    async def _get_commands(self, record: Request, match: re.Match[str]) -> web.Response:
        if (denied := self._check_app(match, record)) is not None:
            return denied
        return _json(self._stored_commands(match.groupdict().get("guild")))

    async def _post_command(self, record: Request, match: re.Match[str]) -> web.Response:
        if (denied := self._check_app(match, record)) is not None:
            return denied
        guild = match.groupdict().get("guild")
        for problem in limits.check_command(record.body or {}, f"POST command ({guild or 'global'})"):
            self._violation(problem)
        known = self._stored_commands(guild)
        stored = self._register(record.body or {}, guild, known)
        known[:] = [c for c in known if c["id"] != stored["id"]] + [stored]
        return _json(stored, 201)

    # --- interaction responses and webhooks --------------------------------------------------------------

    async def _callback(self, record: Request, match: re.Match[str]) -> web.Response:
        exchange = self._exchanges.get(match["token"])
        where = f"interaction response to {_describe(exchange.payload) if exchange else match['id']}"
        if exchange is None or exchange.id != int(match["id"]):
            self._violation(f"{where}: unknown interaction id or token")
            return _error(404, "Unknown interaction", 10062)
        if exchange.callback is not None:
            self._violation(f"{where}: answered twice")
            return _error(400, "Interaction has already been acknowledged.", 40060)
        late = self._loop.time() - exchange.deadline
        if late > 0:
            self._violation(
                f"{where}: first response {late + self.response_deadline:.2f} s after the event (max 3)"
            )
            return _error(404, "Unknown interaction", 10062)
        body = record.body if isinstance(record.body, dict) else {}
        for problem in limits.check_callback(body, where, files=len(record.uploads)):
            self._violation(problem)
        exchange.callback = body
        kind = body.get("type")
        data = body.get("data") or {}
        response: dict[str, Any] = {"interaction": {"id": str(exchange.id), "type": exchange.payload["type"]}}
        if kind in (4, 5):
            flags = int(data.get("flags") or 0) & limits.EPHEMERAL
            message_body = data if kind == 4 else {"flags": flags | LOADING}
            message = self._create_message(exchange, message_body, record.uploads, message_type=20)
            exchange.original_id = int(message["id"])
            await self._thread_posted(int(message["channel_id"]), message)
            response["interaction"].update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=bool(flags),
            )
            response["resource"] = {"type": kind, "message": message}
        elif kind == UPDATE and exchange.original_id is not None:
            message = self._edit_message(exchange.original_id, data, record.uploads)
            response["resource"] = {"type": kind, "message": message}
            self._changed(exchange)
        else:
            response["resource"] = {"type": kind}
        if record.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        return _json(response)

    def _changed(self, exchange: Exchange) -> None:
        exchange.changes += 1
        exchange.last_change = self._loop.time()

    def _webhook_exchange(self, record: Request, match: re.Match[str]) -> Exchange | web.Response:
        exchange = self._exchanges.get(match["token"])
        if exchange is None or int(match["app"]) != self.app_id:
            self._violation(f"{record.method} {record.path}: unknown webhook (wrong application id or token)")
            return _error(404, "Unknown Webhook", 10015)
        if exchange.callback is None:
            self._violation(
                f"{record.method} {record.path}: webhook used before the interaction was answered"
            )
            return _error(404, "Unknown Webhook", 10015)
        return exchange

    def _webhook_message_id(self, exchange: Exchange, which: str) -> int | None:
        if which != "@original":
            return int(which) if int(which) in exchange.followup_ids else None
        return exchange.original_id

    async def _followup(self, record: Request, match: re.Match[str]) -> web.Response:
        exchange = self._webhook_exchange(record, match)
        if isinstance(exchange, web.Response):
            return exchange
        body = record.body if isinstance(record.body, dict) else {}
        for problem in limits.check_message(
            body, f"followup to {_describe(exchange.payload)}", partial=False, files=len(record.uploads)
        ):
            self._violation(problem)
        original = self._messages.get(exchange.original_id or 0)
        if original is not None and int(original.get("flags") or 0) & LOADING:
            # Discord: the first followup after a deferral edits the "thinking" message instead.
            message = self._edit_message(exchange.original_id or 0, body, record.uploads, keep_flags=True)
        else:
            message = self._create_message(exchange, body, record.uploads, message_type=20)
            exchange.followup_ids.append(int(message["id"]))
            await self._thread_posted(int(message["channel_id"]), message)
        self._changed(exchange)
        if record.query.get("wait") not in ("1", "true", "True"):
            return web.Response(status=204)
        return _json(message)

    async def _get_webhook_message(self, record: Request, match: re.Match[str]) -> web.Response:
        exchange = self._webhook_exchange(record, match)
        if isinstance(exchange, web.Response):
            return exchange
        message_id = self._webhook_message_id(exchange, match["message"])
        if message_id is None or message_id not in self._messages:
            return _error(404, "Unknown Message", 10008)
        return _json(self._messages[message_id])

    async def _edit_webhook_message(self, record: Request, match: re.Match[str]) -> web.Response:
        exchange = self._webhook_exchange(record, match)
        if isinstance(exchange, web.Response):
            return exchange
        where = f"edit of a reply to {_describe(exchange.payload)}"
        for problem in limits.check_message(
            record.body or {}, where, partial=True, files=len(record.uploads)
        ):
            self._violation(problem)
        message_id = self._webhook_message_id(exchange, match["message"])
        if message_id is None or message_id not in self._messages:
            self._violation(f"{where}: no such message")
            return _error(404, "Unknown Message", 10008)
        body = record.body if isinstance(record.body, dict) else {}
        message = self._edit_message(message_id, body, record.uploads, keep_flags=True)
        self._changed(exchange)
        return _json(message)

    async def _delete_webhook_message(self, record: Request, match: re.Match[str]) -> web.Response:
        exchange = self._webhook_exchange(record, match)
        if isinstance(exchange, web.Response):
            return exchange
        message_id = self._webhook_message_id(exchange, match["message"])
        if message_id is None or self._messages.pop(message_id, None) is None:
            return _error(404, "Unknown Message", 10008)
        self._changed(exchange)
        return web.Response(status=204)

    # --- channels ---------------------------------------------------------------------------------------

    def _bot_permissions(self, state: ChannelState) -> int:
        roles = tuple(self._guilds[state.guild_id].members[self.bot_user.id].roles)
        return channel_permissions(BOT_PERMISSIONS, state.overwrites, state.guild_id, self.bot_user.id, roles)

    def _known_channel(self, channel_id: int) -> bool:
        return channel_id in self._channels or channel_id in self._dm_channels or channel_id in self._threads

    def _thread_refusal(self, thread: ThreadState, needed: int = 0) -> web.Response | None:
        """Discord's error when the bot may not do what takes `needed` (in the parent) in a thread, else None."""
        parent = self._channels.get(thread.parent_id)
        if parent is None:
            return _error(404, "Unknown Channel", 10003)
        allowed = self._bot_permissions(parent)
        if not allowed & VIEW_CHANNEL:
            return _error(403, "Missing Access", 50001)
        # A private thread is only seen by its members and by those who manage threads.
        if (
            thread.kind == PRIVATE_THREAD
            and self.bot_user.id not in thread.members
            and not allowed & MANAGE_THREADS
        ):
            return _error(403, "Missing Access", 50001)
        if needed and not allowed & needed:
            return _error(403, "Missing Permissions", 50013)
        return None

    async def _thread_posted(self, channel_id: int, message: dict[str, Any]) -> None:
        """Count a message in a thread; one in an archived (unlocked) thread unarchives it, as on Discord."""
        thread = self._threads.get(channel_id)
        if thread is None or int(message.get("flags") or 0) & limits.EPHEMERAL:
            return
        thread.message_count += 1
        thread.total_message_sent += 1
        thread.last_message_id = int(message["id"])
        if thread.archived:
            thread.archived = False
            thread.archive_timestamp = now_iso()
            await self._dispatch_guild_event("THREAD_UPDATE", thread.payload(), self._guilds[thread.guild_id])

    async def _get_channel(self, record: Request, match: re.Match[str]) -> web.Response:
        channel_id = int(match["channel"])
        if channel_id in self._dm_channels:
            return _json(self._dm_channels[channel_id])
        if (thread := self._threads.get(channel_id)) is not None:
            return self._thread_refusal(thread) or _json(thread.payload())
        state = self._channels.get(channel_id)
        if state is None:
            return _error(404, "Unknown Channel", 10003)
        if not self._bot_permissions(state) & VIEW_CHANNEL:
            return _error(403, "Missing Access", 50001)
        return _json(self._channel_payload(state))

    async def _edit_channel(self, record: Request, match: re.Match[str]) -> web.Response:
        """Modify a thread: reopen (or archive) it; other channel edits are outside what Pulse does."""
        channel_id = int(match["channel"])
        thread = self._threads.get(channel_id)
        if thread is None:
            if channel_id in self._channels:
                self._violation(f"PATCH /channels/{channel_id}: the stand-in models thread edits only")
                return _error(403, "Missing Permissions", 50013)
            return _error(404, "Unknown Channel", 10003)
        if refusal := self._thread_refusal(thread):
            return refusal
        body = record.body if isinstance(record.body, dict) else {}
        if "archived" in body:
            # Reopening an unlocked thread needs only Send Messages in Threads; its owner may archive it.
            if thread.locked and not body["archived"]:
                return _error(403, "Missing Permissions", 50013)
            thread.archived = bool(body["archived"])
            thread.archive_timestamp = now_iso()
        if "name" in body:
            thread.name = str(body["name"])
        await self._dispatch_guild_event("THREAD_UPDATE", thread.payload(), self._guilds[thread.guild_id])
        return _json(thread.payload())

    async def _post_channel_message(self, record: Request, match: re.Match[str]) -> web.Response:
        channel_id = int(match["channel"])
        if not self._known_channel(channel_id):
            return _error(404, "Unknown Channel", 10003)
        body = record.body if isinstance(record.body, dict) else {}
        for problem in limits.check_message(
            body, f"message in channel {channel_id}", partial=False, files=len(record.uploads)
        ):
            self._violation(problem)
        state = self._channels.get(channel_id)
        if state is not None:
            if state.channel.kind in NO_MESSAGES:
                return _error(400, "Cannot send messages in a non-text channel", 50008)
            allowed = self._bot_permissions(state)
            if not allowed & VIEW_CHANNEL:
                return _error(403, "Missing Access", 50001)
            if not allowed & SEND_MESSAGES:
                return _error(403, "Missing Permissions", 50013)
        thread = self._threads.get(channel_id)
        if thread is not None and (refused := self._thread_refusal(thread, SEND_MESSAGES_IN_THREADS)):
            return refused
        nonce = body.get("nonce")
        key = (channel_id, str(nonce))
        if nonce is not None and body.get("enforce_nonce") is True and key in self._nonces:
            first_id, created = self._nonces[key]
            if self._loop.time() - created <= self.nonce_window:
                # Discord: the message created with this nonce, not a second one (404 if it was deleted since).
                if first_id not in self._messages:
                    return _error(404, "Unknown Message", 10008)
                return _json(self._messages[first_id])
        attachments = self._attachments(body, record.uploads, [])
        message = message_payload(
            message_id=snowflake(),
            channel_id=channel_id,
            author=self.bot_user,
            body=body,
            attachments=attachments,
            guild_id=state.guild_id if state is not None else thread.guild_id if thread is not None else None,
        )
        self._messages[int(message["id"])] = message
        self._channel_messages.setdefault(channel_id, []).append(int(message["id"]))
        if nonce is not None:
            self._nonces[key] = (int(message["id"]), self._loop.time())
        await self._thread_posted(channel_id, message)
        return _json(message)

    async def _get_channel_messages(self, record: Request, match: re.Match[str]) -> web.Response:
        channel_id = int(match["channel"])
        if not self._known_channel(channel_id):
            return _error(404, "Unknown Channel", 10003)
        state = self._channels.get(channel_id)
        if state is not None and not self._bot_permissions(state) & VIEW_CHANNEL:
            return _error(403, "Missing Access", 50001)
        if (thread := self._threads.get(channel_id)) is not None and (
            refused := self._thread_refusal(thread)
        ):
            return refused
        where = f"GET {record.path}"
        errors: dict[str, Any] = {}
        limit_text = record.query.get("limit", "50")
        try:
            limit = int(limit_text)
        except ValueError:
            limit = 0
            errors["limit"] = _form_error("NUMBER_TYPE_COERCE", f'Value "{limit_text}" is not int.')
        else:
            if not 1 <= limit <= 100:
                errors["limit"] = _form_error(
                    "NUMBER_TYPE_MAX" if limit > 100 else "NUMBER_TYPE_MIN",
                    "int value should be between 1 and 100.",
                )
        anchors = {k: record.query[k] for k in ("around", "before", "after") if k in record.query}
        for key, value in anchors.items():
            if not value.isdigit():
                errors[key] = _form_error("NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
        if len(anchors) > 1:
            self._violation(f"{where}: around, before and after are mutually exclusive ({sorted(anchors)})")
        if errors:
            self._violation(f"{where}: {sorted(errors)} refused (limit is 1-100, anchors are message ids)")
            return _json({"message": "Invalid Form Body", "code": 50035, "errors": errors}, 400)
        newest_first = sorted(
            (
                m
                for m in self._messages.values()
                if int(m["channel_id"]) == channel_id and not int(m.get("flags") or 0) & limits.EPHEMERAL
            ),
            key=lambda m: int(m["id"]),
            reverse=True,
        )
        if "around" in anchors:
            around = int(anchors["around"])
            newer = [m for m in newest_first if int(m["id"]) > around][::-1][: limit // 2][::-1]
            older = [m for m in newest_first if int(m["id"]) <= around][: limit - len(newer)]
            page = newer + older
        elif "before" in anchors:
            page = [m for m in newest_first if int(m["id"]) < int(anchors["before"])][:limit]
        elif "after" in anchors:
            # The `limit` messages right after the anchor, still newest first (as discord.py's history expects).
            page = [m for m in newest_first if int(m["id"]) > int(anchors["after"])][::-1][:limit][::-1]
        else:
            page = newest_first[:limit]
        return _json(page)

    def _channel_message(self, match: re.Match[str]) -> int | None:
        message_id = int(match["message"])
        if (
            message_id in self._channel_messages.get(int(match["channel"]), [])
            and message_id in self._messages
        ):
            return message_id
        return None

    async def _get_channel_message(self, record: Request, match: re.Match[str]) -> web.Response:
        if not self._known_channel(int(match["channel"])):
            return _error(404, "Unknown Channel", 10003)
        message = self._messages.get(int(match["message"]))
        # Any message the channel shows: the bot's posts and its non-ephemeral interaction replies.
        if (
            message is None
            or int(message["channel_id"]) != int(match["channel"])
            or int(message.get("flags") or 0) & limits.EPHEMERAL
        ):
            return _error(404, "Unknown Message", 10008)
        return _json(message)

    async def _edit_channel_message(self, record: Request, match: re.Match[str]) -> web.Response:
        if not self._known_channel(int(match["channel"])):
            return _error(404, "Unknown Channel", 10003)
        message_id = self._channel_message(match)
        if message_id is None:
            return _error(404, "Unknown Message", 10008)
        body = record.body if isinstance(record.body, dict) else {}
        for problem in limits.check_message(
            body, f"edit of message {message_id}", partial=True, files=len(record.uploads)
        ):
            self._violation(problem)
        return _json(self._edit_message(message_id, body, record.uploads))

    async def _delete_channel_message(self, record: Request, match: re.Match[str]) -> web.Response:
        if not self._known_channel(int(match["channel"])):
            return _error(404, "Unknown Channel", 10003)
        message_id = self._channel_message(match)
        if message_id is None:
            return _error(404, "Unknown Message", 10008)
        del self._messages[message_id]
        return web.Response(status=204)

    async def _open_dm(self, record: Request, match: re.Match[str]) -> web.Response:
        recipient = str((record.body or {}).get("recipient_id"))
        channel_id = snowflake()
        user = User(id=int(recipient), name="member") if recipient.isdigit() else self.member
        self._dm_channels[channel_id] = {
            "id": str(channel_id),
            "type": 1,
            "recipients": [user.payload()],
            "flags": 0,
            "last_message_id": None,
        }
        self._channel_messages[channel_id] = []
        return _json(self._dm_channels[channel_id])

    # --- threads ----------------------------------------------------------------------------------------

    async def _create_thread(self, record: Request, match: re.Match[str]) -> web.Response:
        """POST /channels/{id}/threads without a message: a public (11) or private (12) thread in a text channel."""
        parent_id = int(match["channel"])
        if not self._known_channel(parent_id):
            return _error(404, "Unknown Channel", 10003)
        body = record.body if isinstance(record.body, dict) else {}
        name, kind = body.get("name"), body.get("type")
        duration, slowmode = body.get("auto_archive_duration"), body.get("rate_limit_per_user")
        errors: dict[str, Any] = {}
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors["name"] = _form_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if kind is None:  # API v10: no default any more (v9 made it a private thread)
            errors["type"] = _form_error("BASE_TYPE_REQUIRED", "This field is required")
        elif kind not in (10, 11, 12):
            errors["type"] = _form_error("BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")
        if duration is not None and duration not in AUTO_ARCHIVE_DURATIONS:
            errors["auto_archive_duration"] = _form_error(
                "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}."
            )
        if slowmode is not None and (not isinstance(slowmode, int) or not 0 <= slowmode <= 21600):
            errors["rate_limit_per_user"] = _form_error(
                "NUMBER_TYPE_MAX", "int value should be between 0 and 21600."
            )
        if errors:
            self._violation(f"POST {record.path}: {sorted(errors)} refused")
            return _json({"message": "Invalid Form Body", "code": 50035, "errors": errors}, 400)
        parent = self._channels.get(parent_id)
        # Threads without a message only grow in text channels here (an announcement channel takes no private
        # ones; voice channels, categories, forums and threads none).
        if parent is None or parent.channel.kind != GUILD_TEXT or kind not in THREAD_TYPES:
            return _error(400, "Cannot execute action on this channel type", 50024)
        allowed = self._bot_permissions(parent)
        if not allowed & VIEW_CHANNEL:
            return _error(403, "Missing Access", 50001)
        if not allowed & (CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else CREATE_PUBLIC_THREADS):
            return _error(403, "Missing Permissions", 50013)
        if kind == PRIVATE_THREAD and parent_id in self._no_private_threads:
            return _error(400, "Cannot execute action on this channel type", 50024)
        assert isinstance(name, str)  # anything else was refused above
        thread = ThreadState(
            id=snowflake(),
            name=name,
            kind=kind,
            parent_id=parent_id,
            owner_id=self.bot_user.id,
            auto_archive_duration=duration or 1440,
            invitable=body.get("invitable") is not False,
            rate_limit_per_user=slowmode or 0,
            guild_id=parent.guild_id,
        )
        thread.members[self.bot_user.id] = thread.created_at  # the creator is in it
        self._threads[thread.id] = thread
        event = {**thread.payload(member=self.bot_user.id), "newly_created": True}
        await self._dispatch_guild_event("THREAD_CREATE", event, self._guilds[parent.guild_id])
        return _json(thread.payload(member=self.bot_user.id), 201)

    def _thread_of(self, match: re.Match[str]) -> ThreadState | web.Response:
        """The thread a thread-members route names, or Discord's error for another channel."""
        channel_id = int(match["channel"])
        if not self._known_channel(channel_id):
            return _error(404, "Unknown Channel", 10003)
        thread = self._threads.get(channel_id)
        if thread is None:
            return _error(400, "Cannot execute action on this channel type", 50024)
        return self._thread_refusal(thread) or thread

    def _user_of(self, match: re.Match[str]) -> int:
        return self.bot_user.id if match["user"] == "@me" else int(match["user"])

    async def _get_thread_members(self, record: Request, match: re.Match[str]) -> web.Response:
        thread = self._thread_of(match)
        if isinstance(thread, web.Response):
            return thread
        if not self.privileged_intents:
            # Discord only lists a thread's members to applications with the GUILD_MEMBERS intent enabled.
            return _error(403, "Missing Access", 50001)
        after_text, limit_text = record.query.get("after", "0"), record.query.get("limit", "100")
        if not after_text.isdigit() or not limit_text.isdigit() or not 1 <= int(limit_text) <= 100:
            self._violation(
                f"GET {record.path}: limit is 1-100 and after a user id, not {dict(record.query)}"
            )
            return _json({"message": "Invalid Form Body", "code": 50035, "errors": {}}, 400)
        after, limit = int(after_text), int(limit_text)
        members = [thread.member_payload(u) for u in sorted(thread.members) if u > after][:limit]
        if record.query.get("with_member") in ("true", "True", "1"):
            guild = self._guilds[thread.guild_id]
            for entry in members:
                state = guild.members.get(int(entry["user_id"]))
                if state is not None:
                    entry["member"] = guild.guild.member_payload(state.user, roles=state.roles)
        return _json(members)

    async def _get_thread_member(self, record: Request, match: re.Match[str]) -> web.Response:
        thread = self._thread_of(match)
        if isinstance(thread, web.Response):
            return thread
        user_id = self._user_of(match)
        if user_id not in thread.members:
            return _error(404, "Unknown Member", 10007)
        return _json(thread.member_payload(user_id))

    async def _add_thread_member(self, record: Request, match: re.Match[str]) -> web.Response:
        """PUT /channels/{thread}/thread-members/{user}: adds a member of the server without pinging them."""
        thread = self._thread_of(match)
        if isinstance(thread, web.Response):
            return thread
        if refused := self._thread_refusal(thread, SEND_MESSAGES_IN_THREADS):
            return refused
        user_id = self._user_of(match)
        if user_id not in self._guilds[thread.guild_id].members:
            return _error(404, "Unknown Member", 10007)
        if thread.archived:
            return _error(400, "Operation cannot be performed on an archived thread", 50083)
        thread.members.setdefault(user_id, now_iso())
        return web.Response(status=204)

    async def _remove_thread_member(self, record: Request, match: re.Match[str]) -> web.Response:
        thread = self._thread_of(match)
        if isinstance(thread, web.Response):
            return thread
        if thread.archived:
            return _error(400, "Operation cannot be performed on an archived thread", 50083)
        user_id = self._user_of(match)
        if user_id not in self._guilds[thread.guild_id].members:
            return _error(404, "Unknown Member", 10007)
        thread.members.pop(user_id, None)
        return web.Response(status=204)

    # --- the server and its members -------------------------------------------------------------------

    async def _get_guild(self, record: Request, match: re.Match[str]) -> web.Response:
        guild = self._guilds.get(int(match["guild"]))
        if guild is None:
            return _error(404, "Unknown Guild", 10004)
        roles = [r.payload() for r in guild.all_roles]
        return _json(guild.guild.create_payload(self.bot_user, roles=roles, member_count=len(guild.members)))

    async def _get_member(self, record: Request, match: re.Match[str]) -> web.Response:
        """GET /guilds/{id}/members/{user}: no intent needed, unlike the member list."""
        guild = self._guilds.get(int(match["guild"]))
        if guild is None:
            return _error(404, "Unknown Guild", 10004)
        member = guild.members.get(int(match["user"]))
        if member is None:
            return _error(404, "Unknown Member", 10007)
        return _json(guild.guild.member_payload(member.user, roles=member.roles))

    async def _get_guild_channels(self, record: Request, match: re.Match[str]) -> web.Response:
        guild = self._guilds.get(int(match["guild"]))
        if guild is None:
            return _error(404, "Unknown Guild", 10004)
        return _json([self._channel_payload(s) for s in self._ordered_channels(guild)])

    async def _get_user(self, record: Request, match: re.Match[str]) -> web.Response:
        return _json(User(id=int(match["user"]), name="member").payload())

    # --- messages --------------------------------------------------------------------------------------

    def _attachments(
        self, body: dict[str, Any], uploads: dict[int, tuple[str, bytes]], existing: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The attachments after a create or edit: kept ones by id, new uploads by their files[n] index."""
        keep = {a["id"]: a for a in existing}
        listed = body.get("attachments")
        result: list[dict[str, Any]] = [] if listed is not None else list(existing)
        used: set[int] = set()
        for entry in listed or []:
            entry_id = str(entry.get("id"))
            if entry_id in keep:
                result.append(keep[entry_id])
            elif entry_id.isdigit() and int(entry_id) in uploads:
                used.add(int(entry_id))
                filename, data = uploads[int(entry_id)]
                result.append(self._upload(entry.get("filename") or filename, data))
            else:
                self._violation(f"attachment {entry_id} refers to no uploaded file and no kept attachment")
        for index, (filename, data) in sorted(uploads.items()):
            if index not in used:
                result.append(self._upload(filename, data))
        return result

    def _upload(self, filename: str, data: bytes) -> dict[str, Any]:
        attachment_id = snowflake()
        self._blobs[attachment_id] = (filename, data, None)
        url = f"{self.base_url}/attachments/{attachment_id}/{quote(filename)}"
        return attachment_payload(attachment_id, filename, len(data), url, None)

    def _create_message(
        self, exchange: Exchange, body: dict[str, Any], files: dict[int, tuple[str, bytes]], message_type: int
    ) -> dict[str, Any]:
        payload = exchange.payload
        metadata = {
            "id": str(exchange.id),
            "type": payload["type"],
            "user": (payload.get("member") or payload)["user"],
            "authorizing_integration_owners": payload.get("authorizing_integration_owners", {}),
        }
        message = message_payload(
            message_id=snowflake(),
            channel_id=int(payload["channel_id"]),
            author=self.bot_user,
            body=body,
            attachments=self._attachments(body, files, []),
            guild_id=int(payload["guild_id"]) if "guild_id" in payload else None,
            message_type=message_type,
            interaction=metadata,
            application_id=self.app_id,
        )
        self._messages[int(message["id"])] = message
        return _copy(message)

    def _edit_message(
        self,
        message_id: int,
        body: dict[str, Any],
        files: dict[int, tuple[str, bytes]],
        keep_flags: bool = False,
    ) -> dict[str, Any]:
        message = self._messages[message_id]
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        flags = int(message.get("flags") or 0)
        if keep_flags:
            # Editing keeps ephemerality; the "thinking" state ends with the first edit.
            message["flags"] = flags & ~LOADING | (int(body.get("flags") or 0) & ~limits.EPHEMERAL)
        elif "flags" in body:
            message["flags"] = int(body["flags"] or 0)
        message["attachments"] = self._attachments(body, files, message.get("attachments") or [])
        message["edited_timestamp"] = message["timestamp"]
        return _copy(message)


def _channel_id(channel: int | Channel | None) -> int | None:
    return channel.id if isinstance(channel, Channel) else channel


def _describe(payload: dict[str, Any]) -> str:
    data = payload.get("data") or {}
    if payload.get("type") == 3:
        return f"component {data.get('custom_id')!r}"
    if payload.get("type") == 5:
        return f"modal {data.get('custom_id')!r}"
    names = [data.get("name", "?")]
    options = data.get("options") or []
    while options and options[0].get("type") in COMMAND_OPTION_TYPES:
        names.append(options[0]["name"])
        options = options[0].get("options") or []
    return "/" + " ".join(names) + (" (autocomplete)" if payload.get("type") == 4 else "")
