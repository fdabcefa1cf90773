"""A stand-in Discord for driving the real bot process in end-to-end tests (see tests/e2e/README.md)."""

from .payloads import (
    ADMIN_PERMISSIONS,
    ADMINISTRATOR,
    MANAGE_GUILD,
    MEMBER_PERMISSIONS,
    Guild,
    User,
    snowflake,
)
from .reply import Attachment, Message, Reply
from .server import LIVE, NoReply, Request, StandIn, StandInError

__all__ = [
    "ADMINISTRATOR",
    "ADMIN_PERMISSIONS",
    "LIVE",
    "MANAGE_GUILD",
    "MEMBER_PERMISSIONS",
    "Attachment",
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
