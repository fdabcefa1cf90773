"""The one error path: which failures reach the member as what message."""

from decimal import Decimal

import pytest
from discord import AppCommandOptionType, app_commands

from bot.domain.errors import InvalidInput
from bot.errors import UserError, describe, new_error_id
from bot.i18n import messages_for
from bot.options import fits

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


@pytest.mark.parametrize("value", [None, "", "  ", True, object()])
def test_a_value_not_worth_quoting_is_not_quoted(value: object) -> None:
    error = app_commands.TransformerError(value, AppCommandOptionType.string, app_commands.Transformer())
    assert (
        describe(error, messages_for("en"))
        == "That is not a value this option takes: pick one from the list."
    )
    assert (
        describe(error, messages_for("nl"))
        == "Dat is geen waarde die deze optie accepteert: kies er een uit de lijst."
    )


def test_a_value_is_quoted_escaped_and_cut() -> None:
    error = app_commands.TransformerError(
        "*" + "x" * 200, AppCommandOptionType.string, app_commands.Transformer()
    )
    assert describe(error, messages_for("en")) == f"“\\*{'x' * 98}” is not a value this option takes."


@pytest.mark.parametrize(
    ("kind", "value", "fits_it"),
    [
        (AppCommandOptionType.integer, 12, True),
        (AppCommandOptionType.integer, True, False),
        (AppCommandOptionType.integer, 1.5, False),
        (AppCommandOptionType.integer, "12", False),
        (AppCommandOptionType.integer, 2**53, True),
        (AppCommandOptionType.integer, 2**53 + 1, False),
        (AppCommandOptionType.number, 4.5, True),
        (AppCommandOptionType.number, 4, True),
        (AppCommandOptionType.number, float("nan"), False),
        (AppCommandOptionType.number, float("inf"), False),
        (AppCommandOptionType.number, None, False),
        (AppCommandOptionType.boolean, False, True),
        (AppCommandOptionType.boolean, "false", False),
        (AppCommandOptionType.boolean, 0, False),
        (AppCommandOptionType.string, "text", True),
        (AppCommandOptionType.string, 12, False),
        (AppCommandOptionType.user, "123456789012345678", True),
        (AppCommandOptionType.user, 123456789012345678, True),
        (AppCommandOptionType.user, "notasnowflake", False),
        (AppCommandOptionType.user, "١٢٣", False),
        (AppCommandOptionType.user, "-5", False),
        (AppCommandOptionType.user, str(2**64), False),
        (AppCommandOptionType.attachment, "", False),
    ],
)
def test_option_values_fit_their_type_as_discord_sends_them(
    kind: AppCommandOptionType, value: object, fits_it: bool
) -> None:
    assert fits(kind, value) is fits_it
