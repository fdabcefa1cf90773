from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from bot.i18n import (
    Catalogue,
    CatalogueError,
    Number,
    catalogue,
    format_money,
    format_number,
    format_percent,
    language_for,
)


def test_every_key_exists_in_both_languages() -> None:
    assert catalogue().missing() == {}


def test_placeholders_match_between_languages() -> None:
    import string

    cat = catalogue()
    for key, english in cat.messages["en"].items():
        fields = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        dutch = {f for _, f, _, _ in string.Formatter().parse(cat.messages["nl"][key]) if f}
        assert fields == dutch, key


def test_missing_key_is_reported(tmp_path: Path) -> None:
    for lang, body in (("en", 'a = "A"\nb = "B"\n'), ("nl", 'a = "A"\n')):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "x.toml").write_text(body)
    assert Catalogue.load(tmp_path).missing() == {"nl": {"x.b"}}


def test_nested_files_become_namespaces(tmp_path: Path) -> None:
    for lang in ("en", "nl"):
        (tmp_path / lang / "commands").mkdir(parents=True)
        (tmp_path / lang / "commands" / "about.toml").write_text('name = "about"\n[opt]\nd = "x"\n')
    assert set(Catalogue.load(tmp_path).messages["nl"]) == {"commands.about.name", "commands.about.opt.d"}


def test_malformed_catalogue_names_the_file(tmp_path: Path) -> None:
    for lang in ("en", "nl"):
        (tmp_path / lang).mkdir()
    (tmp_path / "en" / "bad.toml").write_text("count = 3\n")
    with pytest.raises(CatalogueError, match=r"bad\.toml: bad\.count must be text"):
        Catalogue.load(tmp_path)


@pytest.mark.parametrize(
    ("user", "server", "expected"),
    [
        ("nl", None, "nl"),
        ("en-US", None, "en"),
        ("en-GB", None, "en"),
        ("de", None, "en"),
        ("fr", None, "en"),
    ],
)
def test_language_follows_the_member(user: str, server: str | None, expected: str) -> None:
    assert language_for(user, server) == expected


def test_server_language_wins() -> None:
    assert language_for("en-US", "nl") == "nl"
    assert language_for("nl", "en") == "en"
    assert language_for("nl", "xx") == "nl"


@pytest.mark.parametrize(
    ("value", "decimals", "nl", "en"),
    [
        (Fraction(380 * 100, 5000), 2, "7,6", "7.6"),
        (75000, 0, "75.000", "75,000"),
        (Decimal("1234567.891"), 2, "1.234.567,89", "1,234,567.89"),
        (Fraction(274278, 137 * 75000) * 100, 2, "2,67", "2.67"),
        (Decimal("0.125"), 2, "0,13", "0.13"),  # half up, not to even
        (10**12, 0, "1.000.000.000.000", "1,000,000,000,000"),
        (0, 2, "0", "0"),
        (Decimal("-0.001"), 2, "0", "0"),  # no "-0"
        (-1234.5, 2, "-1.234,5", "-1,234.5"),
        (Decimal("1E+3"), 0, "1.000", "1,000"),
        (Fraction(-1, 8), 2, "-0,13", "-0.13"),  # half away from zero below zero too
        (0.125, 2, "0,13", "0.13"),  # a float as it prints, not its binary value (0.12499…)
        (Fraction(78, 10000) * 100, 2, "0,78", "0.78"),
        (Fraction(1, 3), 4, "0,3333", "0.3333"),
        (Fraction(2, 3), 0, "1", "1"),
    ],
)
def test_numbers_follow_the_reader(value: Number, decimals: int, nl: str, en: str) -> None:
    assert format_number(value, "nl", decimals) == nl
    assert format_number(value, "en", decimals) == en


@pytest.mark.parametrize(
    ("value", "cents", "nl", "en"),
    [
        (Fraction(9, 2), True, "4,50", "4.50"),
        (1308, False, "1.308", "1,308"),
        (Fraction(1, 200), True, "0,01", "0.01"),
    ],
)
def test_money_keeps_two_decimals_or_none(value: Number, cents: bool, nl: str, en: str) -> None:
    assert format_money(value, "nl", cents) == nl
    assert format_money(value, "en", cents) == en


def test_percent() -> None:
    assert format_percent(Fraction(38, 5), "nl", 1) == "7,6%"
    assert format_percent(Fraction(38, 5), "en", 1) == "7.6%"


def test_count_picks_the_singular_only_for_one(tmp_path: Path) -> None:
    for lang, (many, one) in {"en": ("{n} posts", "one post"), "nl": ("{n} posts", "één post")}.items():
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "x.toml").write_text(
            f'posts = "{many}"\nposts_one = "{one}"\nweeks = "{{n}} weeks"\n'
        )
    from bot.i18n import Messages

    nl = Messages("nl", Catalogue.load(tmp_path))
    assert nl.count("x.posts", 1) == "één post"
    assert nl.count("x.posts", 0) == "0 posts"
    assert nl.count("x.posts", 1500) == "1.500 posts"
    assert (
        Messages("en", nl.source).count("x.weeks", 1) == "1 weeks"
    )  # no singular in the catalogue: the plural
