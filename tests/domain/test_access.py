"""Who may see whose numbers, as a table: the member, coaches and admins of that server, nobody across servers."""

from __future__ import annotations

import pytest

from bot.domain.access import Viewer, is_coach, may_coach, may_view

SERVER_A, SERVER_B = 1000, 2000
COACH_ROLE_A, COACH_ROLE_B, OTHER_ROLE = 11, 22, 33
ME, SOMEONE = 501, 502


def viewer(
    guild_id: int | None = SERVER_A, roles: tuple[int, ...] = (), manages_server: bool = False
) -> Viewer:
    return Viewer(user_id=ME, guild_id=guild_id, role_ids=frozenset(roles), manages_server=manages_server)


MEMBER = viewer(roles=(OTHER_ROLE,))
COACH = viewer(roles=(OTHER_ROLE, COACH_ROLE_A))
ADMIN = viewer(manages_server=True)


@pytest.mark.parametrize(
    ("who", "guild_id", "member_id", "coach_role_id", "allowed"),
    [
        pytest.param(MEMBER, SERVER_A, ME, COACH_ROLE_A, True, id="member-own"),
        pytest.param(MEMBER, SERVER_A, SOMEONE, COACH_ROLE_A, False, id="member-other"),
        pytest.param(COACH, SERVER_A, ME, COACH_ROLE_A, True, id="coach-own"),
        pytest.param(COACH, SERVER_A, SOMEONE, COACH_ROLE_A, True, id="coach-other"),
        pytest.param(ADMIN, SERVER_A, SOMEONE, COACH_ROLE_A, True, id="admin-other"),
        pytest.param(ADMIN, SERVER_A, SOMEONE, None, True, id="admin-other-no-coach-role-set"),
        # A coach of A asking in B: the roles are A's, B's coach role is another one.
        pytest.param(
            viewer(guild_id=SERVER_B, roles=(COACH_ROLE_A,)),
            SERVER_B,
            SOMEONE,
            COACH_ROLE_B,
            False,
            id="coach-of-A-in-B",
        ),
        # Asking in one server about another server's data: never, not even one's own numbers.
        pytest.param(COACH, SERVER_B, SOMEONE, COACH_ROLE_A, False, id="coach-other-server-data"),
        pytest.param(ADMIN, SERVER_B, SOMEONE, None, False, id="admin-other-server-data"),
        pytest.param(MEMBER, SERVER_B, ME, COACH_ROLE_A, False, id="own-id-other-server-data"),
        # No coach role set: holding some role makes nobody a coach.
        pytest.param(COACH, SERVER_A, SOMEONE, None, False, id="no-coach-role-set"),
        # In a DM there is no server: nothing is shown there.
        pytest.param(
            viewer(guild_id=None, roles=(COACH_ROLE_A,)),
            SERVER_A,
            SOMEONE,
            COACH_ROLE_A,
            False,
            id="dm-other",
        ),
        pytest.param(viewer(guild_id=None), SERVER_A, ME, COACH_ROLE_A, False, id="dm-own"),
        pytest.param(
            viewer(guild_id=None, manages_server=True), SERVER_A, SOMEONE, None, False, id="dm-admin-flag"
        ),
    ],
)
def test_may_view(
    who: Viewer, guild_id: int, member_id: int, coach_role_id: int | None, allowed: bool
) -> None:
    assert may_view(who, guild_id, member_id, coach_role_id) is allowed


@pytest.mark.parametrize(
    ("who", "coach_role_id", "allowed"),
    [
        pytest.param(MEMBER, COACH_ROLE_A, False, id="member"),
        pytest.param(COACH, COACH_ROLE_A, True, id="coach"),
        pytest.param(COACH, COACH_ROLE_B, False, id="role-of-another-server"),
        pytest.param(COACH, None, False, id="no-coach-role-set"),
        pytest.param(ADMIN, COACH_ROLE_A, True, id="admin"),
        pytest.param(ADMIN, None, True, id="admin-no-coach-role-set"),
        pytest.param(viewer(guild_id=None, roles=(COACH_ROLE_A,)), COACH_ROLE_A, False, id="dm-coach-role"),
        pytest.param(viewer(guild_id=None, manages_server=True), COACH_ROLE_A, False, id="dm-admin"),
    ],
)
def test_may_coach(who: Viewer, coach_role_id: int | None, allowed: bool) -> None:
    assert may_coach(who, coach_role_id) is allowed


@pytest.mark.parametrize(
    ("who", "coach_role_id", "coach"),
    [
        pytest.param(MEMBER, COACH_ROLE_A, False, id="member"),
        pytest.param(COACH, COACH_ROLE_A, True, id="role-holder"),
        pytest.param(COACH, None, False, id="no-coach-role-set"),
        pytest.param(COACH, COACH_ROLE_B, False, id="other-role"),
        # Manage Server lets an admin coach, but does not make them a coach (they are not added to threads).
        pytest.param(ADMIN, COACH_ROLE_A, False, id="admin-without-role"),
        pytest.param(viewer(guild_id=None, roles=(COACH_ROLE_A,)), COACH_ROLE_A, False, id="dm"),
    ],
)
def test_is_coach(who: Viewer, coach_role_id: int | None, coach: bool) -> None:
    assert is_coach(who, coach_role_id) is coach
