"""Every cog loads, no two commands share a name, and every command is described in both languages."""

import re
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.client import Pulse, cog_modules
from bot.i18n import CommandTranslator
from bot.options import has_text, overlong_options
from bot.settings import Settings

NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture
async def payloads() -> dict[str, list[dict[str, Any]]]:
    bot = Pulse(Settings(discord_token="unused", _env_file=None))
    for module in cog_modules():
        await bot.load_extension(module)
    await bot.tree.set_translator(CommandTranslator())
    # Never logged in, so there is nothing to close.
    payload = await bot.command_payload()
    return {"global": payload}


def walk(options: list[dict[str, Any]], path: str):
    for option in options:
        here = f"{path} {option['name']}"
        yield here, option
        if option["type"] in (1, 2):
            yield from walk(option.get("options", []), here)


def test_cog_modules_are_found() -> None:
    assert "cogs.about" in cog_modules()


async def test_no_duplicate_command_names(payloads: dict[str, list[dict[str, Any]]]) -> None:
    names = [c["name"] for c in payloads["global"]]
    assert len(names) == len(set(names))
    dutch = [c["name_localizations"]["nl"] for c in payloads["global"]]
    assert len(dutch) == len(set(dutch))


async def test_every_command_is_localized_and_within_limits(
    payloads: dict[str, list[dict[str, Any]]],
) -> None:
    for command in payloads["global"]:
        items = [(command["name"], command), *walk(command.get("options", []), command["name"])]
        for path, item in items:
            names = [item["name"], item["name_localizations"]["nl"]]
            descriptions = [item["description"], item["description_localizations"]["nl"]]
            for name in names:
                assert NAME.match(name) and name == name.lower(), f"{path}: name {name!r}"
            for text in descriptions:
                assert 1 <= len(text) <= 100, f"{path}: description {text!r}"
            for choice in item.get("choices", []):
                assert choice["name_localizations"]["nl"], f"{path}: choice {choice['name']}"
            siblings = item.get("options", [])
            leaf = [o for o in siblings if o["type"] not in (1, 2)]
            required = [o.get("required", False) for o in leaf]
            assert required == sorted(required, reverse=True), f"{path}: required options come first"
            assert len(siblings) <= 25


async def test_about_is_dutch_for_dutch_members(payloads: dict[str, list[dict[str, Any]]]) -> None:
    about = next(c for c in payloads["global"] if c["name"] == "about")
    assert about["name_localizations"] == {"nl": "over"}
    assert about["description_localizations"]["nl"].startswith("Wat Pulse is")


def test_translator_ignores_other_languages() -> None:
    import asyncio

    translator = CommandTranslator()
    string = app_commands.locale_str("About", key="commands.about.name")
    context: app_commands.TranslationContextTypes = app_commands.TranslationContext(
        app_commands.TranslationContextLocation.other, None
    )
    assert asyncio.run(translator.translate(string, discord.Locale.german, context)) is None
    assert asyncio.run(translator.translate(string, discord.Locale.dutch, context)) == "over"


async def test_every_text_option_has_a_length_cap(payloads: dict[str, list[dict[str, Any]]]) -> None:
    """Free text is capped everywhere: Discord's client keeps to max_length, and the tree refuses the rest."""
    text_options = [
        (path, item)
        for command in payloads["global"]
        for path, item in walk(command.get("options", []), command["name"])
        if item["type"] == 3
    ]
    assert text_options
    for path, item in text_options:
        if "choices" in item:
            continue
        assert 1 <= item.get("max_length", 0) <= 1000, f"{path}: max_length {item.get('max_length')}"


async def test_overlong_text_is_found_in_subcommands() -> None:
    bot = Pulse(Settings(discord_token="unused", _env_file=None))
    for module in cog_modules():
        await bot.load_extension(module)
    note = bot.tree.get_command("coach")
    assert isinstance(note, app_commands.Group)
    command = note.get_command("note")
    assert isinstance(command, app_commands.Command)
    options: list[dict[str, Any]] = [
        {"name": "note", "type": 1, "options": [{"name": "text", "type": 3, "value": "x" * 1001}]}
    ]
    assert list(overlong_options(command, options)) == [("text", 1000)]
    options[0]["options"][0]["value"] = "x" * 1000
    assert list(overlong_options(command, options)) == []


def test_text_is_found_in_subcommands_and_numbers_are_not_text() -> None:
    assert not has_text(
        [{"name": "likes", "type": 4, "value": 300}, {"name": "log", "type": 5, "value": True}]
    )
    assert has_text([{"name": "note", "type": 1, "options": [{"name": "text", "type": 3, "value": "hi"}]}])
    assert not has_text([{"name": "roster", "type": 1, "options": []}])
