"""Languages: the message catalogue, locale choice, number formatting and command localization."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Literal

from babel.numbers import get_decimal_symbol, get_group_symbol
from discord import app_commands

Lang = Literal["nl", "en"]
LANGUAGES: tuple[Lang, ...] = ("nl", "en")
DEFAULT_LANG: Lang = "en"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "data" / "locales"

Number = int | float | Decimal | Fraction


class CatalogueError(ValueError):
    """A catalogue file is malformed or the languages disagree."""


def language_for(user_locale: str | None, server_language: str | None = None) -> Lang:
    """Pick the answer language: the server's setting first, else the member's Discord locale."""
    if server_language in LANGUAGES:
        return server_language
    if user_locale and user_locale.lower().split("-")[0] == "nl":
        return "nl"
    return DEFAULT_LANG


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str], source: Path) -> None:
    for key, value in table.items():
        path = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            _flatten(path, value, out, source)
        elif isinstance(value, str):
            out[path] = value
        else:
            raise CatalogueError(f"{source}: {path} must be text, not {type(value).__name__}")


@dataclass(frozen=True)
class Catalogue:
    """Every user-visible string, per language, under dotted keys such as `about.title`."""

    messages: Mapping[Lang, Mapping[str, str]]

    @classmethod
    def load(cls, root: Path = LOCALES_DIR) -> Catalogue:
        messages: dict[Lang, dict[str, str]] = {}
        for lang in LANGUAGES:
            flat: dict[str, str] = {}
            # data/locales/<lang>/commands/engagement.toml holds the keys under `commands.engagement`.
            for file in sorted((root / lang).rglob("*.toml")):
                try:
                    data = tomllib.loads(file.read_text(encoding="utf-8"))
                except tomllib.TOMLDecodeError as exc:
                    raise CatalogueError(f"{file}: {exc}") from exc
                namespace = ".".join(file.relative_to(root / lang).with_suffix("").parts)
                _flatten(namespace, data, flat, file)
            messages[lang] = flat
        return cls(messages)

    def missing(self) -> dict[Lang, set[str]]:
        """Keys that one language has and another lacks, per lacking language."""
        every = set().union(*(set(m) for m in self.messages.values()))
        return {
            lang: every - set(self.messages[lang]) for lang in LANGUAGES if every - set(self.messages[lang])
        }

    def get(self, lang: Lang, key: str) -> str:
        try:
            return self.messages[lang][key]
        except KeyError:
            raise KeyError(f"no message {key!r} for language {lang!r}") from None

    def has(self, key: str) -> bool:
        return key in self.messages[DEFAULT_LANG]

    def keys_under(self, prefix: str, lang: Lang = DEFAULT_LANG) -> list[str]:
        return [k for k in self.messages[lang] if k.startswith(prefix + ".")]


@cache
def catalogue() -> Catalogue:
    """The catalogue shipped in data/locales, loaded once."""
    return Catalogue.load()


def scaled(value: Number, decimals: int) -> int:
    """`value` × 10^decimals rounded half away from zero, in exact integer arithmetic (no binary rounding)."""
    if isinstance(value, int):
        return value * 10**decimals
    if isinstance(value, Fraction):
        numerator, denominator = value.numerator, value.denominator
    else:
        # A float as it prints (0.1 is 0.1, not 0.1000000000000000055…), a Decimal as it is.
        exact = Decimal(str(value)) if isinstance(value, float) else value
        numerator, denominator = exact.as_integer_ratio()
    whole, rest = divmod(abs(numerator) * 10**decimals, denominator)
    if 2 * rest >= denominator:
        whole += 1
    return -whole if numerator < 0 else whole


def _digits(units: int, decimals: int, keep_zeros: bool) -> str:
    """`units` / 10^decimals with Python's `,` and `.`; a result that shows as zero carries no minus sign."""
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), 10**decimals)
    text = f"{sign}{whole:,}"
    if decimals:
        places = f"{fraction:0{decimals}d}"
        if not keep_zeros:
            places = places.rstrip("0")
        if places:
            text = f"{text}.{places}"
    return text


@cache
def _separators(lang: Lang) -> dict[int, str]:
    """Python's `,` and `.` mapped to the language's group and decimal symbols (Dutch swaps them)."""
    return {ord(","): get_group_symbol(lang), ord("."): get_decimal_symbol(lang)}


def format_number(value: Number, lang: Lang, decimals: int = 0) -> str:
    """75.000 in Dutch, 75,000 in English; up to `decimals` places, trailing zeros dropped."""
    # Every answer formats a dozen numbers: integer arithmetic with the locale's symbols, not Babel's formatter.
    if type(value) is int:
        return f"{value:,}".translate(_separators(lang))
    return _digits(scaled(value, decimals), decimals, keep_zeros=False).translate(_separators(lang))


def format_money(value: Number, lang: Lang, cents: bool) -> str:
    """An amount as prices are written: whole (65, 1,600) or with exactly two decimals (0.50, 0,50)."""
    if not cents:
        return format_number(value, lang)
    return _digits(scaled(value, 2), 2, keep_zeros=True).translate(_separators(lang))


def format_percent(value: Number, lang: Lang, decimals: int = 2) -> str:
    """A rate already in percent: 7,6% in Dutch, 7.6% in English."""
    return format_number(value, lang, decimals) + "%"


@dataclass(frozen=True)
class Messages:
    """The catalogue bound to one reader's language, with that reader's number formats."""

    lang: Lang
    source: Catalogue
    _texts: dict[Hashable, str] = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: Hashable, build: Callable[[], str]) -> str:
        """A text that depends on nothing but the language and `key` (a band's table), built on first use."""
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = build()
        return text

    def __call__(self, key: str, /, **values: Any) -> str:
        text = self.source.get(self.lang, key)
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self.source.messages[self.lang]

    def count(self, key: str, n: int, /, **values: Any) -> str:
        """The message for `n` things: `key_one` when n is 1 and the catalogue has it, else `key`."""
        chosen = f"{key}_one" if n == 1 and self.has(f"{key}_one") else key
        return self(chosen, n=self.number(n), **values)

    def amount(self, unit: str, value: Number, decimals: int = 0) -> str:
        """`1 follower`, `5,000 followers`: a number with its noun, singular when the number shown is 1."""
        shown = self.number(value, decimals)
        key = f"units.{unit}"
        return self(f"{key}_one" if shown == "1" and self.has(f"{key}_one") else key, n=shown)

    def number(self, value: Number, decimals: int = 0) -> str:
        return format_number(value, self.lang, decimals)

    def money(self, value: Number, cents: bool = False) -> str:
        return format_money(value, self.lang, cents)

    def percent(self, value: Number, decimals: int = 2) -> str:
        return format_percent(value, self.lang, decimals)


@cache
def messages_for(lang: Lang) -> Messages:
    """The shipped catalogue in `lang`; one per language, so texts built `once` serve every answer."""
    return Messages(lang, catalogue())


# --- slash-command localization -------------------------------------------------------------------

COMMANDS = "commands"


def command_key(qualified_name: str) -> str:
    """`engagement post` -> `commands.engagement.post`."""
    return ".".join([COMMANDS, *qualified_name.split()])


def command_description(qualified_name: str) -> str:
    """The English description of a command or group, from the catalogue."""
    return catalogue().get(DEFAULT_LANG, command_key(qualified_name) + ".description")


def describe_options(qualified_name: str) -> Callable[[Any], Any]:
    """Decorator: describe every option of a command from the catalogue (English; Dutch via the translator)."""
    prefix = command_key(qualified_name) + ".options."
    cat = catalogue()
    descriptions = {
        key[len(prefix) : -len(".description")]: cat.get(DEFAULT_LANG, key)
        for key in cat.keys_under(prefix.rstrip("."))
        if key.endswith(".description")
    }
    return app_commands.describe(**descriptions)


def choice_key(qualified_name: str, option: str, value: str) -> str:
    return f"{command_key(qualified_name)}.options.{option}.choices.{value}"


def choice_names(qualified_name: str, option: str, values: Iterable[str]) -> list[Any]:
    """Choices whose English names come from the catalogue and are translated like everything else."""
    cat = catalogue()
    return [
        app_commands.Choice(
            name=app_commands.locale_str(
                cat.get(DEFAULT_LANG, choice_key(qualified_name, option, v)),
                key=choice_key(qualified_name, option, v),
            ),
            value=v,
        )
        for v in values
    ]


class CommandTranslator(app_commands.Translator):
    """Gives Discord the Dutch names and descriptions of every command, option and choice."""

    def __init__(self, source: Catalogue | None = None) -> None:
        self.source = source or catalogue()

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Any,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        lang = language_for(str(locale.value))
        if lang == DEFAULT_LANG:
            return None
        key = translation_key(string, context)
        return self.source.messages[lang].get(key) if key else None


def translation_key(
    string: app_commands.locale_str, context: app_commands.TranslationContextTypes
) -> str | None:
    """Where the catalogue keeps the text Discord asks about."""
    if "key" in string.extras:
        return string.extras["key"]
    where = app_commands.TranslationContextLocation
    data = context.data
    if isinstance(data, (app_commands.Command, app_commands.ContextMenu, app_commands.Group)):
        if context.location in (where.command_name, where.group_name):
            return command_key(data.qualified_name) + ".name"
        if context.location in (where.command_description, where.group_description):
            return command_key(data.qualified_name) + ".description"
    if isinstance(data, app_commands.Parameter):
        if context.location is where.parameter_name:
            return f"{command_key(data.command.qualified_name)}.options.{data.name}.name"
        if context.location is where.parameter_description:
            return f"{command_key(data.command.qualified_name)}.options.{data.name}.description"
    return None
