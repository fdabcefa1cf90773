"""What a client can send that Discord's own client never would: every such interaction gets an answer, and a wrong
type gets a message that says which option and what it takes."""

from __future__ import annotations

import re

import pytest

from tests.e2e.bot_process import BotProcess

POST = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5000}


def stored_posts(pulse: BotProcess, user_id: int) -> int:
    row = pulse.db.fetch_one("SELECT count(*) FROM logged_posts WHERE user_id = ?", (user_id,))
    assert row is not None
    return row[0]


@pytest.mark.parametrize(
    ("command", "options", "locale", "expected"),
    [
        ("engagement post", {**POST, "likes": "abc"}, "en-US", "Likes needs a whole number, such as 12."),
        ("engagement post", {**POST, "likes": "abc"}, "nl", "Bij Likes hoort een heel getal, zoals 12."),
        (
            "engagement post",
            {**POST, "followers": None},
            "en-US",
            "Followers needs a whole number, such as 12.",
        ),
        ("engagement post", {**POST, "likes": True}, "en-US", "Likes needs a whole number, such as 12."),
        ("engagement post", {**POST, "log": "false"}, "en-US", "`log` needs True or False."),
        ("engagement post", {**POST, "log": "false"}, "nl", "Bij `bewaar` hoort True of False."),
        (
            "engagement target",
            {"followers": 1000, "target": "5%"},
            "en-US",
            "Target needs a number, such as 4.5.",
        ),
        (
            "engagement target",
            {"followers": 1000, "target": "5%"},
            "nl",
            "Bij Doel hoort een getal, zoals 4,5.",
        ),
        ("history", {"page": 1.5}, "en-US", "Page needs a whole number, such as 12."),
        ("history", {"page": 2**70}, "en-US", "Page needs a whole number, such as 12."),
        (
            "progress",
            {"member": "notasnowflake"},
            "en-US",
            "`member` needs a member: pick one from the list.",
        ),
        ("progress", {"member": "notasnowflake"}, "nl", "Bij `lid` hoort een lid: kies er een uit de lijst."),
        ("progress", {"member": "١٢٣"}, "en-US", "`member` needs a member: pick one from the list."),
        ("settings timezone", {"zone": 12}, "en-US", "Time zone needs text."),
    ],
)
def test_a_wrong_type_gets_a_private_answer_naming_the_option(
    pulse: BotProcess, command: str, options: dict[str, object], locale: str, expected: str
) -> None:
    member = pulse.stand_in.user(f"forger-{abs(hash((command, str(options), locale)))}")
    reply = pulse.invoke(command, options, locale=locale, user=member, strict=False)
    assert reply.type == 4 and reply.ephemeral
    assert reply.text == expected
    assert stored_posts(pulse, member.id) == 0


def test_false_as_text_for_log_stores_nothing(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("false-as-text")
    pulse.invoke("engagement post", {**POST, "log": "false"}, user=member, strict=False)
    pulse.invoke("engagement post", {**POST, "log": 0}, user=member, strict=False)
    assert stored_posts(pulse, member.id) == 0
    # The real boolean still stores.
    assert "Saved to your history" in pulse.invoke("engagement post", {**POST, "log": True}, user=member).text
    assert stored_posts(pulse, member.id) == 1


def test_a_member_that_discord_did_not_resolve_is_treated_as_someone_else(pulse: BotProcess) -> None:
    reply = pulse.invoke("progress", {"member": "123456789012345678"}, strict=False)
    assert reply.ephemeral
    assert reply.text.startswith("Only the member sees their own numbers")


@pytest.mark.parametrize("typed", [12, 1.5, None, {"x": 1}, ["a"]])
def test_autocomplete_with_a_value_that_is_not_text_answers_no_choices(
    pulse: BotProcess, typed: object
) -> None:
    assert pulse.autocomplete("settings timezone", {"zone": typed}, focused="zone", forged=True) == []
    assert pulse.autocomplete("tips", {"topic": typed}, focused="topic", forged=True) == []


def test_a_forged_menu_value_is_answered_and_the_bot_keeps_working(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("menu-forger")
    pulse.invoke("engagement post", {**POST, "log": True}, user=member)
    history = pulse.invoke("history", user=member)
    menu = next(c for c in history.custom_ids if c.endswith(":delete"))
    for value in ("post:99999999999999999999999999", "post:-1", "nonsense", "followers:1e9"):
        answer = pulse.click(history, menu, values=[value], user=member)
        assert answer.type == 7 and "That entry was already gone." in answer.text, answer.text
    assert stored_posts(pulse, member.id) == 1
    assert "Saved to your history" in pulse.invoke("engagement post", {**POST, "log": True}, user=member).text


def test_no_forged_interaction_reaches_the_log_as_an_unhandled_error(pulse: BotProcess) -> None:
    """Run after the others in this module: none of them may have left a traceback outside the error path."""
    pulse.invoke("progress", {"member": "x"}, strict=False)
    assert "Task exception was never retrieved" not in pulse.log
    assert not re.search(r"Ignoring exception in (command tree|autocomplete|view)", pulse.log), (
        pulse.log_tail()
    )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en-US",
            "Pulse no longer has this command. Discord may still be showing an old list: reopen Discord.",
        ),
        (
            "nl",
            "Pulse heeft deze opdracht niet meer. Discord toont misschien nog een oude lijst: open Discord opnieuw.",
        ),
    ],
)
def test_a_command_pulse_does_not_have_is_answered(pulse: BotProcess, locale: str, expected: str) -> None:
    logged = len(pulse.log)
    reply = pulse.invoke("no-such-command", strict=False, locale=locale)
    assert reply.ephemeral and reply.text == expected
    assert "ERROR" not in pulse.log[logged:]
