"""A stand-in Discord for driving the real bot process in end-to-end tests (see tests/e2e/README.md)."""

from .payloads import (
    ADMIN_PERMISSIONS,
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    GUILD_ANNOUNCEMENT,
    GUILD_CATEGORY,
    GUILD_FORUM,
    GUILD_TEXT,
    GUILD_VOICE,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Channel,
    Guild,
    User,
    snowflake,
)
from .reply import Attachment, Message, Reply
from .server import LIVE, NoReply, Request, StandIn, StandInError

__all__ = [
    "ADMINISTRATOR",
    "ADMIN_PERMISSIONS",
    "ALL_PERMISSIONS",
    "GUILD_ANNOUNCEMENT",
    "GUILD_CATEGORY",
    "GUILD_FORUM",
    "GUILD_TEXT",
    "GUILD_VOICE",
    "LIVE",
    "MANAGE_GUILD",
    "MEMBER_PERMISSIONS",
    "SEND_MESSAGES",
    "VIEW_CHANNEL",
    "Attachment",
    "Channel",
    "Guild",
    "Message",
    "NoReply",
    "Reply",
    "Request",
    "StandIn",
    "StandInError",
    "User",
    "snowflake",
]
