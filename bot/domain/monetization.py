"""Ways to earn on TikTok: which programmes a member qualifies for, and what a sponsored post is worth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from bot.domain.benchmarks import Band, Benchmarks, PriceRange, Rating, Tier, benchmarks, rating_for
from bot.domain.engagement import check_count, engagement_rate
from bot.domain.history import PostFigures
from bot.domain.knowledge import DATA_DIR, GuideId, KnowledgeError, Strict, knowledge_file, load
from bot.domain.text import Lang, missing_figures

FILENAME = "monetization.toml"

ThresholdKind = Literal["min_age", "min_followers", "min_views_30d"]
Level = Literal["low", "low_medium", "medium", "medium_high", "high", "very_high"]
IncomeType = Literal["variable_rpm", "direct_tips", "commission", "fixed_or_variable", "direct_sales"]


class Threshold(Strict):
    kind: ThresholdKind
    value: int = Field(ge=0)
    guides: list[GuideId] = Field(min_length=1)


class Condition(Strict):
    key: str
    guides: list[GuideId] = Field(min_length=1)
    nl: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)

    def text(self, lang: Lang) -> str:
        return self.nl if lang == "nl" else self.en


class Comparison(Strict):
    guides: list[GuideId] = Field(min_length=1)
    income: IncomeType
    potential: Level
    effort: Level


class Programme(Strict):
    key: str = Field(pattern=r"^[a-z_]+$")
    name_nl: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    guides: list[GuideId] = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    summary_nl: str = Field(min_length=1, max_length=700)
    summary_en: str = Field(min_length=1, max_length=700)
    thresholds: list[Threshold] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    comparison: Comparison | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Programme:
        kinds = [t.kind for t in self.thresholds]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"programme {self.key}: a threshold kind appears twice")
        figures: dict[str, str | int] = {t.kind: t.value for t in self.thresholds}
        problems = missing_figures(figures, {"nl": self.summary_nl, "en": self.summary_en})
        if problems:
            raise ValueError(f"programme {self.key}: " + "; ".join(problems))
        return self

    def name(self, lang: Lang) -> str:
        return self.name_nl if lang == "nl" else self.name_en

    def summary(self, lang: Lang) -> str:
        return self.summary_nl if lang == "nl" else self.summary_en


class Summary(Strict):
    guides: list[GuideId] = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    summary_nl: str = Field(min_length=1, max_length=700)
    summary_en: str = Field(min_length=1, max_length=700)

    def summary(self, lang: Lang) -> str:
        return self.summary_nl if lang == "nl" else self.summary_en


class MediaKitItem(Strict):
    key: str
    filled: bool
    nl: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)

    def text(self, lang: Lang) -> str:
        return self.nl if lang == "nl" else self.en


class MediaKit(Summary):
    items: list[MediaKitItem] = Field(min_length=1)


class Monetization(Strict):
    programmes: list[Programme] = Field(min_length=1)
    comparison: Summary
    pricing: Summary
    media_kit: MediaKit

    @model_validator(mode="after")
    def _unique(self) -> Monetization:
        keys = [p.key for p in self.programmes]
        if len(set(keys)) != len(keys):
            raise ValueError("programme keys must be unique")
        return self

    def programme(self, key: str) -> Programme:
        return next(p for p in self.programmes if p.key == key)


def pricing_figures(knowledge: Benchmarks) -> dict[str, str | int]:
    """The price figures the pricing summary must mention: the per-followers rule and each tier's TikTok range."""
    rule = knowledge.references.price_per_followers_usd
    figures: dict[str, str | int] = {"low": rule.low, "high": rule.high, "per_followers": rule.per_followers}
    for tier in knowledge.tiers:
        if tier.tiktok_price_usd is not None:
            figures |= {
                f"{tier.key}.low": tier.tiktok_price_usd.low,
                f"{tier.key}.high": tier.tiktok_price_usd.high,
            }
    return figures


def load_monetization(data_dir: Path | None = None, prices: Benchmarks | None = None) -> Monetization:
    """Read and validate monetization.toml, and check its pricing text against the benchmark prices."""
    loaded = load(FILENAME, Monetization, data_dir)
    # The prices live in benchmarks.toml; the words /ask answers with must not drift from them.
    texts = {"nl": loaded.pricing.summary_nl, "en": loaded.pricing.summary_en}
    problems = missing_figures(pricing_figures(prices or benchmarks()), texts)
    if problems:
        raise KnowledgeError(f"{(data_dir or DATA_DIR) / FILENAME}: field pricing: " + "; ".join(problems))
    return loaded


@knowledge_file
def monetization() -> Monetization:
    return load_monetization()


# --- eligibility ----------------------------------------------------------------------------------


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ThresholdCheck:
    """One requirement against the member's figures; `missing` is how many more followers or views are needed."""

    threshold: Threshold
    status: Status
    missing: int | None = None


@dataclass(frozen=True)
class ProgrammeCheck:
    """A programme's checklist.

    The status is not met when any threshold is not met, unknown when a figure needed is missing or the
    programme has only requirements the bot cannot check, and met otherwise; `conditions` are still for the
    member to check themselves.
    """

    programme: Programme
    status: Status
    thresholds: tuple[ThresholdCheck, ...]
    conditions: tuple[Condition, ...]


def _check(threshold: Threshold, followers: int, views_30d: int | None, adult: bool | None) -> ThresholdCheck:
    if threshold.kind == "min_age":
        if adult is None:
            return ThresholdCheck(threshold, Status.UNKNOWN)
        return ThresholdCheck(threshold, Status.MET if adult else Status.NOT_MET)
    have = followers if threshold.kind == "min_followers" else views_30d
    if have is None:
        return ThresholdCheck(threshold, Status.UNKNOWN)
    if have >= threshold.value:
        return ThresholdCheck(threshold, Status.MET)
    return ThresholdCheck(threshold, Status.NOT_MET, threshold.value - have)


def check_programme(
    programme: Programme, followers: int, views_30d: int | None, adult: bool | None
) -> ProgrammeCheck:
    checks = tuple(_check(t, followers, views_30d, adult) for t in programme.thresholds)
    statuses = {c.status for c in checks}
    if Status.NOT_MET in statuses:
        status = Status.NOT_MET
    elif Status.UNKNOWN in statuses or (not checks and programme.conditions):
        status = Status.UNKNOWN
    else:
        status = Status.MET
    return ProgrammeCheck(programme, status, checks, tuple(programme.conditions))


def check_programmes(
    knowledge: Monetization, followers: int, views_30d: int | None = None, adult: bool | None = None
) -> list[ProgrammeCheck]:
    """The checklist for every programme, in the order of the data."""
    check_count("followers", followers, minimum=1)
    if views_30d is not None:
        check_count("views_30d", views_30d)
    return [check_programme(p, followers, views_30d, adult) for p in knowledge.programmes]


# --- what a sponsored post is worth ---------------------------------------------------------------


@dataclass(frozen=True)
class PriceEstimate:
    """Guide 004's per-1 000-followers rule applied to the member, beside what their tier asks for a TikTok post.

    Both figures are guide 004's, and they can disagree: the rule is the industry's rate for a post on any
    platform, the tier's range what such creators ask on TikTok. `against_range` says whether the rule's estimate
    lies inside that range or reaches above or below it (None without one); `below_guides`, that the guide prices
    no account this small.
    """

    low: Fraction
    high: Fraction
    per_followers: int
    tier: Tier
    tier_range: PriceRange | None
    below_guides: bool

    @property
    def against_range(self) -> Literal["inside", "above", "below"] | None:
        if self.tier_range is None:
            return None
        if self.high > self.tier_range.high:
            return "above"
        if self.low < self.tier_range.low:
            return "below"
        return "inside"


def sponsored_price(followers: int, knowledge: Benchmarks | None = None) -> PriceEstimate:
    """Estimate the price of one sponsored post, in US dollars."""
    check_count("followers", followers, minimum=1)
    knowledge = knowledge or benchmarks()
    rule = knowledge.references.price_per_followers_usd
    thousands = Fraction(followers, rule.per_followers)
    tier = knowledge.tier_for(followers)
    return PriceEstimate(
        thousands * rule.low,
        thousands * rule.high,
        rule.per_followers,
        tier,
        tier.tiktok_price_usd,
        below_guides=followers < rule.min_followers,
    )


# --- media kit ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaKitSummary:
    """A media kit's numbers from the member's last logged posts: reach, average ER and its rating, tier, rate."""

    followers: int
    posts: int
    average_rate: Fraction
    average_without_saves: Fraction
    band: Band
    nearest: bool
    rating: Rating
    price: PriceEstimate
    first_posted: datetime
    last_posted: datetime


def mean_rate(posts: Sequence[PostFigures], saves: bool = True) -> Fraction:
    """Pulse's account average: the mean of the posts' ER, each at the followers it had then."""
    rates = [
        engagement_rate(p.likes + p.comments + p.shares + (p.saves if saves else 0), p.followers)
        for p in posts
    ]
    return sum(rates, Fraction(0)) / len(rates)


def media_kit(
    posts: Sequence[PostFigures],
    window: int,
    followers: int | None = None,
    knowledge: Benchmarks | None = None,
) -> MediaKitSummary | None:
    """Summarise the last `window` posts for a media kit; None without posts.

    The average is the mean of each post's ER at the followers it had then, saves included (so growth does not
    distort older posts; with a steady count and without saves it is guide 000's account average, which is also
    given). It is rated in the band of the current followers: the latest logged count unless `followers` gives a
    newer one.
    """
    knowledge = knowledge or benchmarks()
    usable = sorted((p for p in posts if p.followers > 0), key=lambda p: p.posted_at)[-window:]
    if not usable:
        return None
    now_followers = followers if followers is not None else usable[-1].followers
    average = mean_rate(usable)
    match = knowledge.band_for(now_followers)
    return MediaKitSummary(
        followers=now_followers,
        posts=len(usable),
        average_rate=average,
        average_without_saves=mean_rate(usable, saves=False),
        band=match.band,
        nearest=match.nearest,
        rating=rating_for(average, match.band),
        price=sponsored_price(now_followers, knowledge),
        first_posted=usable[0].posted_at,
        last_posted=usable[-1].posted_at,
    )
