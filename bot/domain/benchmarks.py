"""The guides' benchmarks: follower bands and their five ratings, industry averages, influencer tiers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal, NamedTuple, Protocol

from pydantic import Field, PlainValidator, ValidationInfo, field_validator, model_validator

from bot.domain.engagement import check_count
from bot.domain.errors import InvalidInput
from bot.domain.knowledge import GuideId, Strict, knowledge_file, load

FILENAME = "benchmarks.toml"

_DECIMAL = re.compile(r"\d+(\.\d+)?")


def _exact_percent(value: object) -> Fraction:
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise ValueError('write a percentage as a quoted decimal such as "2.25", so that it stays exact')
    return Fraction(Decimal(value))


Percent = Annotated[Fraction, PlainValidator(_exact_percent)]


class Rating(StrEnum):
    """The guide's five ratings, best first; the value is the stable key used in catalogues and storage."""

    HIGH = "high"
    ABOVE_AVERAGE = "above_average"
    AVERAGE = "average"
    BELOW_AVERAGE = "below_average"
    LOW = "low"

    @property
    def key(self) -> str:
        return self.value


@dataclass(frozen=True)
class RatingRange:
    """Where one rating lies within a band; `low` None means no floor, `high` None means no ceiling."""

    rating: Rating
    low: Fraction | None
    high: Fraction | None


class Thresholds(Strict):
    """A band's rating floors; `high` is exclusive (the guide's ">"), the others inclusive."""

    high: Percent
    above_average: Percent
    average: Percent
    below_average: Percent

    @model_validator(mode="after")
    def _descending(self) -> Thresholds:
        floors = [self.high, self.above_average, self.average, self.below_average]
        if any(upper <= lower for upper, lower in pairwise(floors)) or floors[-1] <= 0:
            raise ValueError("thresholds must fall strictly from high to below_average and stay above 0")
        return self


class FollowerRange(Protocol):
    # Read-only, as on the frozen models that have them.
    @property
    def key(self) -> str: ...
    @property
    def min_followers(self) -> int: ...
    @property
    def max_followers(self) -> int | None: ...


class Band(Strict):
    """One row of guide 000's table: a follower range and the rates that earn each rating in it."""

    key: str
    label: str
    min_followers: int = Field(ge=0)
    max_followers: int | None = Field(default=None, ge=0)
    guide: GuideId
    thresholds: Thresholds

    def rating(self, rate: Fraction) -> Rating:
        """The rating `rate` earns in this band; a shared end point goes to the higher rating, except Hoog's."""
        t = self.thresholds
        if rate > t.high:
            return Rating.HIGH
        if rate >= t.above_average:
            return Rating.ABOVE_AVERAGE
        if rate >= t.average:
            return Rating.AVERAGE
        if rate >= t.below_average:
            return Rating.BELOW_AVERAGE
        return Rating.LOW

    def ranges(self) -> list[RatingRange]:
        """The five ratings best first, each with its range as the table shows it."""
        t = self.thresholds
        return [
            RatingRange(Rating.HIGH, t.high, None),
            RatingRange(Rating.ABOVE_AVERAGE, t.above_average, t.high),
            RatingRange(Rating.AVERAGE, t.average, t.above_average),
            RatingRange(Rating.BELOW_AVERAGE, t.below_average, t.average),
            RatingRange(Rating.LOW, None, t.below_average),
        ]


class Figure(Strict):
    """A percentage or range as a guide states it: "17.5%", "~7–8%", "> 10%"."""

    low: Percent
    high: Percent | None = None
    approximate: bool = False
    above: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Figure:
        if self.high is not None and self.high <= self.low:
            raise ValueError("high must be above low")
        if self.above and self.high is not None:
            raise ValueError("a figure is either a range or 'above low', not both")
        return self


class SourcedFigure(Figure):
    guide: GuideId


class TierRate(SourcedFigure):
    """What one guide reports for a tier's TikTok engagement; `says` keeps how the guide puts it."""

    says: Literal["can_reach", "reports", "over_1m"]


class PriceRange(Strict):
    """A price range in US dollars as a guide gives it."""

    low: int = Field(ge=0)
    high: int = Field(ge=0)
    guide: GuideId

    @model_validator(mode="after")
    def _ordered(self) -> PriceRange:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self


class Industry(Strict):
    key: str
    rate: Figure
    guide: GuideId


class Niches(Strict):
    """Guide 000's industry averages and the tier they are often measured among."""

    measured_often_on: str
    guide: GuideId
    industries: list[Industry] = Field(min_length=1)


class Tier(Strict):
    """An influencer tier, with what a guide reports for its TikTok rate and price per post where one does.

    A tier without guides is one Pulse named itself (below the guides' smallest tier).
    """

    key: str
    min_followers: int = Field(ge=0)
    max_followers: int | None = Field(default=None, ge=0)
    guides: list[GuideId]
    tiktok_rate: TierRate | None = None
    tiktok_price_usd: PriceRange | None = None

    @property
    def named_by_pulse(self) -> bool:
        return not self.guides


class SmallAccounts(Strict):
    """Average rates of accounts below a follower count, on TikTok and on Instagram."""

    below_followers: int = Field(ge=1)
    tiktok: SourcedFigure
    instagram: SourcedFigure


class PricePerFollowers(PriceRange):
    """A price per post for every `per_followers` followers; the guide gives prices from `min_followers` up."""

    per_followers: int = Field(ge=1)
    min_followers: int = Field(ge=0)


class References(Strict):
    """Reference averages the answers compare against."""

    tiktok_typical: SourcedFigure
    instagram_micro: SourcedFigure
    instagram_mega: SourcedFigure
    tiktok_over_1m_strong: SourcedFigure
    small_accounts: SmallAccounts
    price_per_followers_usd: PricePerFollowers


class BandMatch(NamedTuple):
    """The band a follower count is compared with; `nearest` when it lies below every band."""

    band: Band
    nearest: bool


def _check_ranges(items: Sequence[FollowerRange], what: str, first_min: int | None = None) -> None:
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{what}: keys must be unique")
    if first_min is not None and items[0].min_followers != first_min:
        raise ValueError(f"{what}: the first must start at {first_min} followers")
    for item, following in zip(items, [*items[1:], None], strict=True):
        if following is None:
            if item.max_followers is not None:
                raise ValueError(f"{what}: the last ({item.key}) must have no max_followers")
        elif item.max_followers is None or item.max_followers < item.min_followers:
            raise ValueError(f"{what}: {item.key} needs a max_followers at or above its min_followers")
        elif following.min_followers != item.max_followers + 1:
            raise ValueError(f"{what}: {following.key} must start right after {item.key} ends")


class Benchmarks(Strict):
    bands: list[Band] = Field(min_length=1)
    # Tiers before niches: fields validate in order, and niches refer to a tier.
    tiers: list[Tier] = Field(min_length=1)
    niches: Niches
    references: References

    @field_validator("bands")
    @classmethod
    def _contiguous_bands(cls, bands: list[Band]) -> list[Band]:
        _check_ranges(bands, "bands")
        return bands

    @field_validator("tiers")
    @classmethod
    def _contiguous_tiers(cls, tiers: list[Tier]) -> list[Tier]:
        # Every follower count from 0 up must have a tier.
        _check_ranges(tiers, "tiers", first_min=0)
        return tiers

    @field_validator("niches")
    @classmethod
    def _niches_name_a_tier(cls, niches: Niches, info: ValidationInfo) -> Niches:
        tiers = info.data.get("tiers")
        if tiers is not None and niches.measured_often_on not in {tier.key for tier in tiers}:
            raise ValueError("niches.measured_often_on must be the key of a tier")
        return niches

    def band_for(self, followers: int) -> BandMatch:
        """The band for `followers` (lower bound inclusive); below the first band, that band as the nearest."""
        check_count("followers", followers, minimum=1)
        if followers < self.bands[0].min_followers:
            return BandMatch(self.bands[0], nearest=True)
        band = next(b for b in reversed(self.bands) if followers >= b.min_followers)
        return BandMatch(band, nearest=False)

    def tier_for(self, followers: int) -> Tier:
        """The influencer tier for `followers` (lower bound inclusive)."""
        check_count("followers", followers, minimum=1)
        return next(t for t in reversed(self.tiers) if followers >= t.min_followers)

    def tier(self, key: str) -> Tier:
        return next(t for t in self.tiers if t.key == key)

    def band(self, key: str) -> Band:
        return next(b for b in self.bands if b.key == key)


def load_benchmarks(data_dir: Path | None = None) -> Benchmarks:
    """Read and validate data/benchmarks.toml (or the one in `data_dir`)."""
    return load(FILENAME, Benchmarks, data_dir)


@knowledge_file
def benchmarks() -> Benchmarks:
    return load_benchmarks()


def band_for(followers: int) -> BandMatch:
    """The shipped band for `followers`; see Benchmarks.band_for."""
    return benchmarks().band_for(followers)


def rating_for(rate: Fraction, band: Band) -> Rating:
    """The rating an exact percentage earns in `band`."""
    if isinstance(rate, bool) or not isinstance(rate, Fraction | int):
        # A float here would already have lost the boundary (90/4000*100 != 2.25): refuse it loudly.
        raise TypeError(f"rate must be an exact Fraction in percent, not {type(rate).__name__}")
    if rate < 0:
        raise InvalidInput("rate", "min", minimum=0)
    return band.rating(Fraction(rate))


def tier_for(followers: int) -> Tier:
    """The shipped influencer tier for `followers`."""
    return benchmarks().tier_for(followers)
