"""Text helpers shared by the coaching knowledge: folding for matching and the figures a text mentions."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Lang = Literal["nl", "en"]

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def fold(text: str) -> str:
    """Lower-case `text` and drop accents, so "geïnteresseerd" matches "geinteresseerd"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


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
