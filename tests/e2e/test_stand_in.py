"""The stand-in's checks of Discord's rules flag what Discord would refuse, and only that."""

from __future__ import annotations

from typing import Any

from tests.e2e.stand_in import limits
from tests.e2e.stand_in.spec import ApiSpec


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
