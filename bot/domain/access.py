"""Who may see whose numbers: the one rule, free of Discord so that it can be read (and tested) as a table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Viewer:
    """Someone asking, as the server they ask in knows them."""

    user_id: int
    guild_id: int | None
    role_ids: frozenset[int]
    manages_server: bool


def is_coach(viewer: Viewer, coach_role_id: int | None) -> bool:
    """Holds the server's coach role (a server without one has no coaches)."""
    return viewer.guild_id is not None and coach_role_id is not None and coach_role_id in viewer.role_ids


def may_coach(viewer: Viewer, coach_role_id: int | None) -> bool:
    """May use the coaches' commands: the coach role or Manage Server, in a server."""
    return viewer.guild_id is not None and (viewer.manages_server or is_coach(viewer, coach_role_id))


def may_view(viewer: Viewer, guild_id: int, member_id: int, coach_role_id: int | None) -> bool:
    """May read `member_id`'s numbers in `guild_id` (`coach_role_id` is that server's coach role).

    A member reads their own; a coach or an admin reads anyone's, but only in the server where they are one.
    Reading is all: deleting stays with the member.
    """
    if viewer.guild_id != guild_id:
        return False
    return member_id == viewer.user_id or may_coach(viewer, coach_role_id)
