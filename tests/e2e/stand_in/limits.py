"""Discord's limits that only the documentation states; each check returns the violations it found."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

# fmt: off
LOCALES = frozenset((
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR",
    "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
))
# fmt: on

CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, NUMBER = 1, 2, 3, 4, 10
MAX_SAFE_INTEGER = 2**53

EPHEMERAL = 1 << 6
IS_COMPONENTS_V2 = 1 << 15
# Flags an interaction response or webhook message may set.
RESPONSE_FLAGS = (1 << 2) | EPHEMERAL | (1 << 12) | IS_COMPONENTS_V2

MESSAGE_RESPONSES = (4, 7)  # CHANNEL_MESSAGE_WITH_SOURCE, UPDATE_MESSAGE


def _is_name_char(char: str) -> bool:
    """One character of ^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]$."""
    if char in "-_":
        return True
    if unicodedata.category(char)[0] in "LN":
        return True
    code = ord(char)
    return 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x0E00 <= code <= 0x0E7F


def check_chat_input_name(name: Any, where: str) -> list[str]:
    """A slash command, subcommand or option name: 1-32 of the allowed characters, lowercase."""
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        return [f"{where}: name {name!r} must be 1-32 characters"]
    problems = []
    if not all(_is_name_char(c) for c in name):
        problems.append(f"{where}: name {name!r} has characters outside [-_\\p{{L}}\\p{{N}}] (no spaces)")
    if name != name.lower():
        problems.append(f"{where}: name {name!r} must be lowercase")
    return problems


def _length(value: Any, low: int, high: int, what: str, where: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{where}: {what} must be text, got {type(value).__name__}"]
    if not low <= len(value) <= high:
        return [f"{where}: {what} is {len(value)} characters, must be {low}-{high}: {value[:60]!r}"]
    return []


def _localizations(value: Any, where: str, what: str) -> Iterator[tuple[str, Any, str]]:
    if value is None:
        return
    if not isinstance(value, Mapping):
        yield "", None, f"{where}: {what}_localizations must be an object"
        return
    for locale, text in value.items():
        if locale not in LOCALES:
            yield locale, None, f"{where}: {what}_localizations has unknown locale {locale!r}"
        else:
            yield locale, text, ""


def _check_name_and_description(item: Mapping[str, Any], where: str, chat_input: bool) -> list[str]:
    problems: list[str] = []
    if chat_input:
        problems += check_chat_input_name(item.get("name"), where)
    else:
        problems += _length(item.get("name"), 1, 32, "name", where)
    for locale, text, error in _localizations(item.get("name_localizations"), where, "name"):
        if error:
            problems.append(error)
        elif chat_input:
            problems += check_chat_input_name(text, f"{where} [{locale}]")
        else:
            problems += _length(text, 1, 32, "name", f"{where} [{locale}]")
    if chat_input:
        problems += _length(item.get("description"), 1, 100, "description", where)
        for locale, text, error in _localizations(
            item.get("description_localizations"), where, "description"
        ):
            problems += [error] if error else _length(text, 1, 100, "description", f"{where} [{locale}]")
    elif item.get("description") not in (None, ""):
        problems.append(f"{where}: a user or message command has no description")
    return problems


def _check_choices(option: Mapping[str, Any], where: str) -> list[str]:
    choices = option.get("choices")
    if not choices:
        return []
    problems: list[str] = []
    if option.get("type") not in (STRING, INTEGER, NUMBER):
        problems.append(f"{where}: only string, integer and number options take choices")
    if option.get("autocomplete"):
        problems.append(f"{where}: an option cannot have both choices and autocomplete")
    problems += check_choices(choices, where, option.get("type"))
    return problems


def check_choices(choices: Any, where: str, option_type: int | None = None) -> list[str]:
    """Choices of an option or of an autocomplete answer: at most 25, names 1-100, text values up to 100."""
    if not isinstance(choices, list):
        return [f"{where}: choices must be a list"]
    problems: list[str] = []
    if len(choices) > 25:
        problems.append(f"{where}: {len(choices)} choices, at most 25 allowed")
    for index, choice in enumerate(choices):
        spot = f"{where} choice {index}"
        problems += _length(choice.get("name"), 1, 100, "name", spot)
        for locale, text, error in _localizations(choice.get("name_localizations"), spot, "name"):
            problems += [error] if error else _length(text, 1, 100, "name", f"{spot} [{locale}]")
        value = choice.get("value")
        if isinstance(value, str):
            problems += _length(value, 1, 100, "value", spot)
            if option_type in (INTEGER, NUMBER):
                problems.append(f"{spot}: value {value!r} must be a number for a numeric option")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{spot}: value {value!r} must be text or a number")
        elif abs(value) > MAX_SAFE_INTEGER:
            problems.append(f"{spot}: value {value} is outside ±2^53")
        elif option_type == STRING:
            problems.append(f"{spot}: value {value!r} must be text for a string option")
    return problems


def _check_options(options: Any, where: str, depth: int) -> list[str]:
    if options is None:
        return []
    if not isinstance(options, list):
        return [f"{where}: options must be a list"]
    problems: list[str] = []
    if len(options) > 25:
        problems.append(f"{where}: {len(options)} options, at most 25 allowed")
    names = [o.get("name") for o in options]
    for name in {n for n in names if names.count(n) > 1}:
        problems.append(f"{where}: option name {name!r} used twice")
    kinds = {o.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options}
    if len(kinds) > 1:
        problems.append(f"{where}: subcommands cannot sit beside ordinary options")
    seen_optional = False
    for option in options:
        spot = f"{where} > {option.get('name')}"
        kind = option.get("type")
        problems += _check_name_and_description(option, spot, chat_input=True)
        if kind in (SUB_COMMAND, SUB_COMMAND_GROUP):
            if kind == SUB_COMMAND_GROUP and depth > 0:
                problems.append(f"{spot}: a subcommand group can only sit at the top level")
            if kind == SUB_COMMAND and depth > 1:
                problems.append(f"{spot}: subcommands nest at most two levels deep")
            children = option.get("options") or []
            if kind == SUB_COMMAND_GROUP and any(c.get("type") != SUB_COMMAND for c in children):
                problems.append(f"{spot}: a subcommand group holds only subcommands")
            problems += _check_options(children, spot, depth + 1)
            continue
        if option.get("required"):
            if seen_optional:
                problems.append(f"{spot}: required option after an optional one")
        else:
            seen_optional = True
        problems += _check_choices(option, spot)
        for bound in ("min_value", "max_value"):
            value = option.get(bound)
            if value is not None and abs(value) > MAX_SAFE_INTEGER:
                problems.append(f"{spot}: {bound} {value} is outside ±2^53")
        for bound in ("min_length", "max_length"):
            value = option.get(bound)
            if value is not None and not (0 if bound == "min_length" else 1) <= value <= 6000:
                problems.append(f"{spot}: {bound} {value} must be within 0-6000")
    return problems


def _characters(command: Mapping[str, Any], locale: str | None) -> int:
    """Characters of names, descriptions and choice values in one locale (Discord allows 4000)."""

    def text(item: Mapping[str, Any], key: str) -> str:
        localized = (item.get(f"{key}_localizations") or {}).get(locale) if locale else None
        return localized or item.get(key) or ""

    total = len(text(command, "name")) + len(text(command, "description"))
    for option in command.get("options") or []:
        total += _characters(option, locale)
    for choice in command.get("choices") or []:
        total += len(text(choice, "name")) + len(str(choice.get("value", "")))
    return total


def _locales_used(item: Mapping[str, Any]) -> set[str]:
    found = set(item.get("name_localizations") or {}) | set(item.get("description_localizations") or {})
    for child in (item.get("options") or []) + (item.get("choices") or []):
        found |= _locales_used(child)
    return found


def check_commands(commands: Any, where: str) -> list[str]:
    """A bulk overwrite of application commands (global or one guild's)."""
    if not isinstance(commands, list):
        return [f"{where}: body must be a list of commands"]
    problems: list[str] = []
    counts: dict[int, int] = {}
    seen: set[tuple[int, str]] = set()
    for command in commands:
        kind = command.get("type") or CHAT_INPUT
        counts[kind] = counts.get(kind, 0) + 1
        key = (kind, command.get("name"))
        if key in seen:
            problems.append(f"{where}: command {command.get('name')!r} defined twice")
        seen.add(key)
        problems += check_command(command, where)
    if counts.get(CHAT_INPUT, 0) > 100:
        problems.append(f"{where}: {counts[CHAT_INPUT]} slash commands, at most 100 allowed")
    for kind in (USER_COMMAND, MESSAGE_COMMAND):
        if counts.get(kind, 0) > 15:
            problems.append(
                f"{where}: {counts[kind]} context-menu commands of type {kind}, at most 15 allowed"
            )
    return problems


def check_command(command: Mapping[str, Any], where: str) -> list[str]:
    """One application command with everything under it."""
    kind = command.get("type") or CHAT_INPUT
    spot = f"{where} /{command.get('name')}"
    problems = _check_name_and_description(command, spot, chat_input=kind == CHAT_INPUT)
    if kind == CHAT_INPUT:
        problems += _check_options(command.get("options"), spot, depth=0)
        for locale in [None, *sorted(_locales_used(command))]:
            if (size := _characters(command, locale)) > 4000:
                problems.append(f"{spot}: {size} characters in locale {locale or 'default'}, at most 4000")
    elif command.get("options"):
        problems.append(f"{spot}: a context-menu command takes no options")
    return problems


def embed_size(embed: Mapping[str, Any]) -> int:
    """The characters Discord counts toward the 6000 per message."""
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        size += len(field.get("name") or "") + len(field.get("value") or "")
    return size


def check_embeds(embeds: Any, where: str) -> list[str]:
    if embeds is None:
        return []
    if not isinstance(embeds, list):
        return [f"{where}: embeds must be a list"]
    problems: list[str] = []
    if len(embeds) > 10:
        problems.append(f"{where}: {len(embeds)} embeds, at most 10 allowed")
    for index, embed in enumerate(embeds):
        spot = f"{where} embed {index}"
        for key, limit in (("title", 256), ("description", 4096)):
            if embed.get(key) is not None:
                problems += _length(embed[key], 0, limit, key, spot)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(f"{spot}: {len(fields)} fields, at most 25 allowed")
        for number, field in enumerate(fields):
            problems += _length(field.get("name"), 1, 256, "field name", f"{spot} field {number}")
            problems += _length(field.get("value"), 1, 1024, "field value", f"{spot} field {number}")
        if embed.get("footer"):
            problems += _length(embed["footer"].get("text"), 1, 2048, "footer text", spot)
        if embed.get("author"):
            problems += _length(embed["author"].get("name"), 1, 256, "author name", spot)
        color = embed.get("color")
        if color is not None and not 0 <= color <= 0xFFFFFF:
            problems.append(f"{spot}: color {color} is not a 24-bit RGB value")
    total = sum(embed_size(e) for e in embeds)
    if total > 6000:
        problems.append(f"{where}: embeds hold {total} characters, at most 6000 per message")
    return problems


def walk_components(components: list[Any]) -> Iterator[Mapping[str, Any]]:
    """Every component, however deeply nested (action rows, containers, sections, labels)."""
    for component in components:
        if isinstance(component, Mapping):
            yield component
            yield from walk_components(component.get("components") or [])
            for key in ("accessory", "component"):
                if isinstance(component.get(key), Mapping):
                    yield from walk_components([component[key]])


def check_components(components: Any, where: str, flags: int) -> list[str]:
    if not components:
        return []
    if not isinstance(components, list):
        return [f"{where}: components must be a list"]
    problems: list[str] = []
    if not flags & IS_COMPONENTS_V2:
        if len(components) > 5:
            problems.append(f"{where}: {len(components)} action rows, at most 5 allowed")
        for row_index, row in enumerate(components):
            spot = f"{where} row {row_index}"
            if row.get("type") != 1:
                problems.append(f"{spot}: top-level components must be action rows (type 1)")
                continue
            children = row.get("components") or []
            selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
            if not children or len(children) > 5 or (selects and len(children) > 1):
                problems.append(f"{spot}: an action row holds 1-5 buttons or a single select menu")
    custom_ids: list[str] = []
    for component in walk_components(components):
        kind = component.get("type")
        spot = f"{where} component {component.get('custom_id') or kind}"
        if "custom_id" in component:
            problems += _length(component["custom_id"], 1, 100, "custom_id", spot)
            custom_ids.append(component["custom_id"])
        if kind == 2:
            if component.get("label") is not None:
                problems += _length(component["label"], 0, 80, "label", spot)
            link = component.get("style") == 5
            if link and not component.get("url"):
                problems.append(f"{spot}: a link button needs a url")
            if not link and component.get("style") != 6 and not component.get("custom_id"):
                problems.append(f"{spot}: a button needs a custom_id")
        elif kind in (3, 5, 6, 7, 8):
            if component.get("placeholder") is not None:
                problems += _length(component["placeholder"], 0, 150, "placeholder", spot)
            options = component.get("options") or []
            if kind == 3 and not 1 <= len(options) <= 25:
                problems.append(f"{spot}: a select menu has 1-25 options, not {len(options)}")
            for option in options:
                problems += _length(option.get("label"), 1, 100, "option label", spot)
                problems += _length(option.get("value"), 1, 100, "option value", spot)
                if option.get("description") is not None:
                    problems += _length(option["description"], 0, 100, "option description", spot)
    for custom_id in {c for c in custom_ids if custom_ids.count(c) > 1}:
        problems.append(f"{where}: custom_id {custom_id!r} used twice in one message")
    return problems


EVERYONE_MENTION = re.compile(r"@(everyone|here)\b")
USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
MENTION_TYPES = ("everyone", "users", "roles")


def check_pings(body: Any, where: str) -> list[str]:
    """Mentions in a message's text that would notify someone: the rule is that nobody gets pinged.

    Discord parses mentions in `content` and in components-v2 text displays (never in embeds). Without
    `allowed_mentions` every one of them notifies; with it only the types in `parse` and the ids in
    `users`/`roles` do. So text with a mention in it needs e.g. `{"parse": []}`.
    """
    if not isinstance(body, Mapping):
        return []
    problems: list[str] = []
    allowed = body.get("allowed_mentions")
    if allowed is not None and not isinstance(allowed, Mapping):
        return [f"{where}: allowed_mentions must be an object"]
    for kind in ("users", "roles"):
        # Discord answers 400: "parse" of a type and a list of that type are mutually exclusive.
        if allowed and kind in (allowed.get("parse") or []) and allowed.get(kind):
            problems.append(f"{where}: allowed_mentions has both parse {kind!r} and a {kind} list")
    texts = [body["content"]] if isinstance(body.get("content"), str) else []
    texts += [
        c["content"]
        for c in walk_components(body.get("components") or [])
        if c.get("type") == 10 and isinstance(c.get("content"), str)
    ]
    text = "\n".join(texts)
    if not text:
        return problems
    if allowed is None:
        parse, users, roles = set(MENTION_TYPES), set(), set()
    else:
        parse = set(allowed.get("parse") or [])
        users = {str(u) for u in allowed.get("users") or []}
        roles = {str(r) for r in allowed.get("roles") or []}
    how = "no allowed_mentions" if allowed is None else f"allowed_mentions {dict(allowed)}"
    if "everyone" in parse and (found := EVERYONE_MENTION.search(text)):
        problems.append(f"{where}: would ping @{found[1]} ({how}; send {{'parse': []}})")
    pinged = sorted({u for u in USER_MENTION.findall(text) if "users" in parse or u in users})
    if pinged:
        problems.append(f"{where}: would ping user(s) {', '.join(pinged)} ({how})")
    pinged = sorted({r for r in ROLE_MENTION.findall(text) if "roles" in parse or r in roles})
    if pinged:
        problems.append(f"{where}: would ping role(s) {', '.join(pinged)} ({how})")
    return problems


def check_message(body: Any, where: str, *, partial: bool, files: int = 0) -> list[str]:
    """A message the bot creates (partial=False) or edits (partial=True)."""
    if not isinstance(body, Mapping):
        return [f"{where}: body must be an object"]
    problems: list[str] = []
    content = body.get("content")
    if content is not None:
        problems += _length(content, 0, 2000, "content", where)
    problems += check_embeds(body.get("embeds"), where)
    flags = body.get("flags") or 0
    if not isinstance(flags, int) or flags & ~RESPONSE_FLAGS:
        problems.append(f"{where}: flags {flags!r} include bits a bot cannot set")
        flags = 0
    problems += check_components(body.get("components"), where, flags)
    attachments = body.get("attachments") or []
    if max(len(attachments), files) > 10:
        problems.append(f"{where}: {max(len(attachments), files)} attachments, at most 10 allowed")
    if flags & IS_COMPONENTS_V2 and (content or body.get("embeds")):
        problems.append(f"{where}: a components-v2 message cannot have content or embeds")
    if not partial and not (
        content or body.get("embeds") or body.get("components") or attachments or files or body.get("poll")
    ):
        problems.append(f"{where}: an empty message (no content, embeds, components or files)")
    problems += check_pings(body, where)
    return problems


def check_modal(data: Any, where: str) -> list[str]:
    if not isinstance(data, Mapping):
        return [f"{where}: a modal needs data"]
    problems = _length(data.get("title"), 1, 45, "title", where)
    problems += _length(data.get("custom_id"), 1, 100, "custom_id", where)
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        problems.append(f"{where}: a modal holds 1-5 components, not {len(components)}")
    for component in walk_components(components):
        if component.get("type") == 4:
            spot = f"{where} text input {component.get('custom_id')}"
            problems += _length(component.get("custom_id"), 1, 100, "custom_id", spot)
            if component.get("label") is not None:
                problems += _length(component["label"], 1, 45, "label", spot)
            if component.get("placeholder") is not None:
                problems += _length(component["placeholder"], 0, 100, "placeholder", spot)
            if component.get("value") is not None:
                problems += _length(component["value"], 0, 4000, "value", spot)
    return problems


def check_callback(body: Any, where: str, *, files: int = 0) -> list[str]:
    """An interaction response, whatever its type."""
    if not isinstance(body, Mapping):
        return [f"{where}: body must be an object"]
    kind = body.get("type")
    data = body.get("data")
    if kind in MESSAGE_RESPONSES:
        return check_message(data or {}, where, partial=kind == 7, files=files)
    if kind == 5:
        flags = (data or {}).get("flags") or 0
        return (
            [] if not flags & ~RESPONSE_FLAGS else [f"{where}: flags {flags} include bits a bot cannot set"]
        )
    if kind == 8:
        return check_choices((data or {}).get("choices"), where)
    if kind == 9:
        return check_modal(data, where)
    if kind in (1, 6, 10, 12):
        return []
    return [f"{where}: unknown interaction response type {kind!r}"]
