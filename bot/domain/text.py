"""Text helpers: folding for matching, the figures a text mentions, and members' text made safe to show."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Lang = Literal["nl", "en"]

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def _invisible_table() -> dict[int, str | None]:
    # Control characters either break a line (so they part words: a space) or show nothing at all; a tab
    # stays for callers that keep one. The bidi embeddings, overrides, isolates and marks show nothing
    # either but turn the text around them, so a title could make a line read backwards.
    table: dict[int, str | None] = {}
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0)):
        if code != 0x09:
            table[code] = " " if chr(code).isspace() else None
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C):
        table[code] = None
    table[0x2028] = table[0x2029] = " "  # Unicode's own line and paragraph separators
    return table


_INVISIBLE = _invisible_table()


def fold(text: str) -> str:
    """Lower-case `text` and drop accents, so "geïnteresseerd" matches "geinteresseerd"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def clean_text(text: str) -> str:
    """`text` without control characters (NUL, DEL, ...; a tab stays) and bidi controls; line breaks
    become spaces, so words on either side stay apart."""
    return text.translate(_INVISIBLE)


def figure_digits(value: str | int) -> str:
    """The digits of a figure as written in data ("0.5" -> "05", 10000 -> "10000")."""
    return re.sub(r"\D", "", str(value))


def figures_in(text: str) -> set[str]:
    """The digits of every figure in `text`, whatever its separators: "10.000", "10,000" and "0,5" -> 10000, 05."""
    return {figure_digits(match) for match in _FIGURE.findall(text)}


def missing_figures(values: dict[str, str | int], texts: dict[str, str]) -> list[str]:
    """Describe every figure in `values` that one of `texts` (by language) does not mention."""
    problems = []
    for lang, text in texts.items():
        present = figures_in(text)
        problems += [
            f"{name}={value} not in the {lang} text"
            for name, value in values.items()
            if figure_digits(value) not in present
        ]
    return problems
