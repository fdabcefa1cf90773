"""The one error path: which failures reach the member as what message."""

from decimal import Decimal

import pytest
from discord import app_commands

from bot.domain.errors import InvalidInput
from bot.errors import UserError, describe, new_error_id
from bot.i18n import messages_for

NL, EN = messages_for("nl"), messages_for("en")


def test_invalid_input_names_the_field_in_the_readers_language() -> None:
    error = InvalidInput("followers", "min", minimum=1)
    assert describe(error, NL) == "Volgers moet minstens 1 zijn."
    assert describe(error, EN) == "Followers must be at least 1."


def test_limits_are_formatted_for_the_reader() -> None:
    assert (
        describe(InvalidInput("likes", "max", maximum=10**12), NL)
        == "Likes mag hoogstens 1.000.000.000.000 zijn."
    )
    assert (
        describe(InvalidInput("target", "min", minimum=Decimal("0.01")), NL)
        == "Doel moet minstens 0,01 zijn."
    )


def test_wrapped_errors_are_unwrapped() -> None:
    inner = InvalidInput("views", "min", minimum=1)
    wrapper = app_commands.CommandInvokeError.__new__(app_commands.CommandInvokeError)
    wrapper.original = inner
    assert describe(wrapper, EN) == "Views must be at least 1."


def test_user_error_is_a_catalogue_message() -> None:
    assert describe(UserError("errors.guild_only"), NL) == NL("errors.guild_only")


def test_permissions_are_named_as_discord_shows_them() -> None:
    error = app_commands.MissingPermissions(["manage_guild"])
    assert describe(error, NL) == "Hiervoor heb je de permissie Server beheren nodig."
    assert describe(error, EN) == "You need the Manage Server permission for this."


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyError("x"), ZeroDivisionError()])
def test_unexpected_errors_are_not_described(error: Exception) -> None:
    assert describe(error, EN) is None


def test_error_ids_are_short_and_distinct() -> None:
    ids = {new_error_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 8 and i == i.upper() for i in ids)
