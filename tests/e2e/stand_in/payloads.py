"""Discord objects as the gateway and REST API send them: users, guilds, channels, messages."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38

# What an ordinary member has in an ordinary channel.
MEMBER_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
ALL_PERMISSIONS = (1 << 51) - 1
ADMIN_PERMISSIONS = ALL_PERMISSIONS
# What the bot itself may do in the stand-in's channels (Pulse's invite asks for these; its managed role has them).
BOT_PERMISSIONS = MEMBER_PERMISSIONS | CREATE_PUBLIC_THREADS | CREATE_PRIVATE_THREADS

# Channel types (https://discord.com/developers/docs/resources/channel#channel-object-channel-types).
GUILD_TEXT = 0
GUILD_VOICE = 2
GUILD_CATEGORY = 4
GUILD_ANNOUNCEMENT = 5
ANNOUNCEMENT_THREAD = 10
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
GUILD_STAGE_VOICE = 13
GUILD_FORUM = 15
GUILD_MEDIA = 16
GUILD_CHANNEL_TYPES = frozenset(
    (GUILD_TEXT, GUILD_VOICE, GUILD_CATEGORY, GUILD_ANNOUNCEMENT, GUILD_STAGE_VOICE, GUILD_FORUM, GUILD_MEDIA)
)
# Channels that hold no messages of their own (a forum or media channel only holds threads).
NO_MESSAGES = frozenset((GUILD_CATEGORY, GUILD_FORUM, GUILD_MEDIA))
# Threads the stand-in makes (POST /channels/{id}/threads without a message, in a text channel).
THREAD_TYPES = frozenset((PUBLIC_THREAD, PRIVATE_THREAD))
# How long a thread stays active without messages (minutes): Discord takes only these.
AUTO_ARCHIVE_DURATIONS = frozenset((60, 1440, 4320, 10080))
ROLE_OVERWRITE, MEMBER_OVERWRITE = 0, 1

_counter = itertools.count()
_counter_lock = threading.Lock()


def snowflake() -> int:
    """A fresh, unique Discord id whose timestamp is now."""
    with _counter_lock:
        increment = next(_counter) & 0xFFF
        if increment == 0xFFF:
            time.sleep(0.001)
    return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | increment


def shard_snowflake(index: int, count: int) -> int:
    """A fresh `snowflake()` for a server that shard `index` of `count` serves: `(id >> 22) % count == index`,
    Discord's rule. It waits for a millisecond that fits, so ids stay increasing and their timestamps now."""
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"no shard {index} among {count}")
    while True:
        candidate = snowflake()
        if (candidate >> 22) % count == index:
            return candidate
        time.sleep(0.0002)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class User:
    """A Discord account; pass one as `user=` or as the value of a user option."""

    id: int = field(default_factory=snowflake)
    name: str = "member"
    global_name: str | None = None
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name if self.global_name is not None else self.name.title(),
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
        }


@dataclass(frozen=True)
class Role:
    """A server role; `managed_by` is the bot whose invite made it (Discord's managed bot role)."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed_by: int | None = None

    def payload(self) -> dict[str, Any]:
        payload = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed_by is not None,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.managed_by is not None:
            payload["tags"] = {"bot_id": str(self.managed_by)}
        return payload


@dataclass(frozen=True)
class Channel:
    """A channel of one of the stand-in's servers (`kind` is Discord's channel type: 0 text, 2 voice, 4 category, ...)."""

    id: int
    name: str
    kind: int = GUILD_TEXT


@dataclass(frozen=True)
class Thread(Channel):
    """A thread (`kind` 11 public, 12 private) in the text channel `parent_id`; a Channel wherever one is taken.

    `archived` is as it was when the stand-in handed this out (`stand_in.threads()` tells the current state), so it
    does not count for equality.
    """

    kind: int = PRIVATE_THREAD
    parent_id: int = 0
    archived: bool = field(default=False, compare=False)


@dataclass
class ThreadState:
    """A thread as the stand-in keeps it: what its payload says, and who is in it (user id -> join time)."""

    id: int
    name: str
    kind: int
    parent_id: int
    owner_id: int
    auto_archive_duration: int = 1440
    invitable: bool = True
    rate_limit_per_user: int = 0
    created_at: str = field(default_factory=now_iso)
    archived: bool = False
    archive_timestamp: str = ""
    locked: bool = False
    message_count: int = 0
    total_message_sent: int = 0
    last_message_id: int | None = None
    members: dict[int, str] = field(default_factory=dict)
    guild_id: int = 0  # the server of its parent channel

    @property
    def thread(self) -> Thread:
        return Thread(self.id, self.name, self.kind, parent_id=self.parent_id, archived=self.archived)

    def member_payload(self, user_id: int) -> dict[str, Any]:
        """A thread member object (GET /channels/{id}/thread-members, `member` of a thread payload)."""
        return {
            "id": str(self.id),
            "user_id": str(user_id),
            "join_timestamp": self.members[user_id],
            "flags": 0,
        }

    def payload(self, guild_id: int | None = None, *, member: int | None = None) -> dict[str, Any]:
        """The thread channel as Discord sends it (in its own server unless `guild_id` says otherwise); with
        `member`, that user's thread member object as `member`."""
        metadata: dict[str, Any] = {
            "archived": self.archived,
            "auto_archive_duration": self.auto_archive_duration,
            "archive_timestamp": self.archive_timestamp or self.created_at,
            "locked": self.locked,
            "create_timestamp": self.created_at,
        }
        if self.kind == PRIVATE_THREAD:  # Discord only sends `invitable` for private threads
            metadata["invitable"] = self.invitable
        payload: dict[str, Any] = {
            "id": str(self.id),
            "type": self.kind,
            "guild_id": str(self.guild_id if guild_id is None else guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "last_message_id": None if self.last_message_id is None else str(self.last_message_id),
            "message_count": self.message_count,
            "member_count": min(len(self.members), 50),  # Discord stops counting at 50
            "rate_limit_per_user": self.rate_limit_per_user,
            "flags": 0,
            "total_message_sent": self.total_message_sent,
            "thread_metadata": metadata,
        }
        if member is not None and member in self.members:
            payload["member"] = self.member_payload(member)
        return payload


def overwrite(target_id: int, kind: int, *, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """A permission overwrite as channels carry it (kind 0: a role, 1: a member)."""
    return {"id": str(target_id), "type": kind, "allow": str(allow), "deny": str(deny)}


def channel_permissions(
    base: int, overwrites: list[dict[str, Any]], guild_id: int, user_id: int, role_ids: tuple[int, ...] = ()
) -> int:
    """A member's permissions in a channel: the server-wide ones with the channel's overwrites applied."""
    if base & ADMINISTRATOR:
        return ALL_PERMISSIONS
    permissions = base
    layers = (
        [o for o in overwrites if o["type"] == ROLE_OVERWRITE and int(o["id"]) == guild_id],
        [o for o in overwrites if o["type"] == ROLE_OVERWRITE and int(o["id"]) in role_ids],
        [o for o in overwrites if o["type"] == MEMBER_OVERWRITE and int(o["id"]) == user_id],
    )
    for layer in layers:
        deny = allow = 0
        for entry in layer:
            deny |= int(entry["deny"])
            allow |= int(entry["allow"])
        permissions = (permissions & ~deny) | allow
    return permissions


def channel_payload(
    channel: Channel, guild_id: int, *, position: int = 0, overwrites: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A server channel as GUILD_CREATE, CHANNEL_CREATE/UPDATE/DELETE and GET /channels/{id} send it."""
    payload: dict[str, Any] = {
        "id": str(channel.id),
        "type": channel.kind,
        "guild_id": str(guild_id),
        "name": channel.name,
        "position": position,
        "permission_overwrites": [dict(o) for o in overwrites or []],
        "nsfw": False,
        "parent_id": None,
        "flags": 0,
    }
    if channel.kind != GUILD_CATEGORY:
        payload.update(last_message_id=None, rate_limit_per_user=0)
    if channel.kind in (GUILD_TEXT, GUILD_ANNOUNCEMENT, GUILD_FORUM, GUILD_MEDIA):
        payload.update(topic=None, default_auto_archive_duration=1440, last_pin_timestamp=None)
    if channel.kind in (GUILD_VOICE, GUILD_STAGE_VOICE):
        payload.update(bitrate=64000, user_limit=0, rtc_region=None, video_quality_mode=1)
    if channel.kind in (GUILD_FORUM, GUILD_MEDIA):
        payload.update(
            available_tags=[],
            default_reaction_emoji=None,
            default_sort_order=None,
            default_thread_rate_limit_per_user=0,
            default_forum_layout=0,
        )
    return payload


@dataclass
class Guild:
    """A server whose default text channel is `channel_id` ("general"); `owner` owns it, the bot is a member."""

    id: int = field(default_factory=snowflake)
    name: str = "Stand-in server"
    preferred_locale: str = "en-US"
    owner: User = field(default_factory=lambda: User(name="owner"))
    channel_id: int = field(default_factory=snowflake)
    channel_name: str = "general"
    joined_at: str = field(default_factory=now_iso)

    @property
    def everyone(self) -> Role:
        return Role(id=self.id, name="@everyone", permissions=MEMBER_PERMISSIONS)

    @property
    def channel(self) -> Channel:
        """The default text channel ("general") where members invoke commands."""
        return Channel(self.channel_id, self.channel_name, GUILD_TEXT)

    def channel_payload(self) -> dict[str, Any]:
        return channel_payload(self.channel, self.id)

    def member_payload(
        self, user: User, permissions: int | None = None, roles: Iterable[int] = ()
    ) -> dict[str, Any]:
        """A guild member (GET /guilds/{id}/members/{user}, an interaction's `member`, with `permissions`)."""
        member: dict[str, Any] = {
            "user": user.payload(),
            "roles": [str(r) for r in roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "nick": None,
            "avatar": None,
            "banner": None,
            "flags": 0,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def create_payload(
        self,
        bot_user: User,
        channels: list[dict[str, Any]] | None = None,
        *,
        roles: list[dict[str, Any]] | None = None,
        threads: list[dict[str, Any]] | None = None,
        bot_roles: Iterable[int] = (),
        member_count: int = 2,
    ) -> dict[str, Any]:
        """The GUILD_CREATE event body (the default channel and @everyone only unless more are given)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner.id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "vanity_url_code": None,
            "preferred_locale": self.preferred_locale,
            "features": [],
            "roles": roles if roles is not None else [self.everyone.payload()],
            "emojis": [],
            "stickers": [],
            "soundboard_sounds": [],
            "channels": channels if channels is not None else [self.channel_payload()],
            "threads": threads or [],
            "members": [self.member_payload(bot_user, roles=bot_roles)],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "member_count": member_count,
            "large": False,
            "unavailable": False,
            "joined_at": self.joined_at,
            "application_id": None,
            "lazy": True,
        }


def application_payload(app_id: int, bot_user: User, owner: User, guild_count: int = 1) -> dict[str, Any]:
    """GET /oauth2/applications/@me."""
    return {
        "id": str(app_id),
        "name": bot_user.name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": owner.payload(),
        "team": None,
        "verify_key": "0" * 64,
        "flags": 0,
        "tags": [],
        "hook": True,
        "guild_id": None,
        "bot": bot_user.payload(),
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "approximate_guild_count": guild_count,
        "integration_types_config": {"0": {}},
    }


def attachment_payload(
    attachment_id: int, filename: str, size: int, url: str, content_type: str | None
) -> dict[str, Any]:
    return {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
        "height": None,
        "width": None,
        "ephemeral": False,
    }


def message_payload(
    *,
    message_id: int,
    channel_id: int,
    author: User,
    body: dict[str, Any],
    attachments: list[dict[str, Any]],
    guild_id: int | None = None,
    message_type: int = 0,
    interaction: dict[str, Any] | None = None,
    application_id: int | None = None,
) -> dict[str, Any]:
    """A message as Discord returns it after the bot created it from `body`."""
    message: dict[str, Any] = {
        "id": str(message_id),
        "type": message_type,
        "channel_id": str(channel_id),
        "author": author.payload(),
        "content": body.get("content") or "",
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": attachments,
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "reactions": [],
        "pinned": False,
        "flags": int(body.get("flags") or 0),
        "nonce": body.get("nonce"),
        "position": 0,
    }
    if guild_id is not None:
        message["guild_id"] = str(guild_id)
    if application_id is not None:
        message["application_id"] = str(application_id)
        message["webhook_id"] = str(application_id)
    if interaction is not None:
        message["interaction_metadata"] = interaction
    return message
