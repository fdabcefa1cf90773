"""Loading the guide knowledge in data/: TOML files validated by pydantic models."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.domain.text import Lang

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

GuideId = Literal["000", "001", "002", "003", "004"]

M = TypeVar("M", bound=BaseModel)


class KnowledgeError(ValueError):
    """A knowledge file is missing or malformed; the message names the file and the field."""


class Strict(BaseModel):
    """Base for knowledge models: unknown fields are typos, not data."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def load(filename: str, model: type[M], data_dir: Path | None = None) -> M:
    """Read `data/<filename>` (TOML) and validate it with `model`."""
    path = (data_dir or DATA_DIR) / filename
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{path}: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise KnowledgeError(f"{path}: field {where}: {first['msg']}") from None


_LOADERS: list[Callable[[], object]] = []


def knowledge_file(loader: Callable[[], M]) -> Callable[[], M]:
    """Register a cached loader so start-up can validate every knowledge file at once."""
    cached = cache(loader)
    _LOADERS.append(cached)
    return cached


def load_all() -> None:
    """Load every registered knowledge file; raises KnowledgeError on the first bad one."""
    for loader in _LOADERS:
        loader()


class Guide(Strict):
    id: GuideId
    file: str
    title_nl: str
    title_en: str

    def title(self, lang: Lang) -> str:
        return self.title_nl if lang == "nl" else self.title_en


class Guides(Strict):
    guides: list[Guide]

    def by_id(self, guide_id: str) -> Guide:
        return next(g for g in self.guides if g.id == guide_id)


@knowledge_file
def guides() -> Guides:
    return load("guides.toml", Guides)
