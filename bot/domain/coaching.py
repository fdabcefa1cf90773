"""Coaching from the guides: the tips by topic, topic lookup, a rotating tip and a member's personal diagnosis."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from itertools import pairwise
from statistics import median
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.domain.history import PostFigures
from bot.domain.knowledge import GuideId, Strict, knowledge_file, load
from bot.domain.text import Lang, fold, missing_figures

MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices.


class Signal(StrEnum):
    """What a member's posts can lag on."""

    LIKES = "likes"
    COMMENTS = "comments"
    SHARES = "shares"
    SAVES = "saves"
    FREQUENCY = "frequency"


# Ties go to the deeper signal: a save or share says more about a post than a like (guide 000).
_DEPTH = (Signal.SAVES, Signal.SHARES, Signal.COMMENTS, Signal.LIKES, Signal.FREQUENCY)
_INTERACTIONS = (Signal.LIKES, Signal.COMMENTS, Signal.SHARES, Signal.SAVES)


def _decimal_text(value: str) -> str:
    try:
        Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    return value


class Tip(Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    guides: list[GuideId] = Field(min_length=1)
    nl: str = Field(min_length=1, max_length=600)
    en: str = Field(min_length=1, max_length=600)
    facts: dict[str, str] = Field(default_factory=dict)
    keywords: list[str] = Field(default_factory=list)
    goal: Literal["engagement", "rewards"] | None = None

    @field_validator("facts")
    @classmethod
    def _facts_are_numbers(cls, facts: dict[str, str]) -> dict[str, str]:
        return {name: _decimal_text(value) for name, value in facts.items()}

    @model_validator(mode="after")
    def _facts_in_both_texts(self) -> Tip:
        problems = missing_figures(dict(self.facts), {"nl": self.nl, "en": self.en})
        if problems:
            raise ValueError(f"tip {self.id}: " + "; ".join(problems))
        return self

    def text(self, lang: Lang) -> str:
        return self.nl if lang == "nl" else self.en

    def fact(self, name: str) -> Fraction:
        return Fraction(Decimal(self.facts[name]))


class Topic(Strict):
    key: str = Field(pattern=r"^[a-z_]+$")
    name_nl: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    keywords: list[str] = Field(default_factory=list)
    tips: list[Tip] = Field(min_length=1)

    def name(self, lang: Lang) -> str:
        return self.name_nl if lang == "nl" else self.name_en

    @property
    def guides(self) -> list[GuideId]:
        return sorted({g for tip in self.tips for g in tip.guides})


class DiagnosisSettings(Strict):
    recent_posts: int = Field(ge=1)
    baseline_posts: int = Field(ge=1)
    min_baseline_posts: int = Field(ge=1)
    lag_below: str

    @field_validator("lag_below")
    @classmethod
    def _is_number(cls, value: str) -> str:
        return _decimal_text(value)

    @property
    def lag_threshold(self) -> Fraction:
        return Fraction(Decimal(self.lag_below))

    @property
    def window(self) -> int:
        """How many recent posts an average or a diagnosis looks at (within guide 000's last 12-15)."""
        return self.recent_posts + self.baseline_posts


@dataclass(frozen=True)
class TipRef:
    """One tip with the topic it belongs to."""

    topic: Topic
    tip: Tip


@dataclass(frozen=True)
class TopicChoice:
    """An autocomplete choice: the topic key is the value, the name is shown in the member's language."""

    key: str
    name: str


class Tips(Strict):
    signal_topics: dict[Signal, str]
    diagnosis: DiagnosisSettings
    topics: list[Topic] = Field(min_length=1, max_length=MAX_CHOICES)

    @model_validator(mode="after")
    def _consistent(self) -> Tips:
        keys = [t.key for t in self.topics]
        if len(set(keys)) != len(keys):
            raise ValueError("topic keys must be unique")
        tip_ids = [tip.id for t in self.topics for tip in t.tips]
        if len(set(tip_ids)) != len(tip_ids):
            raise ValueError("tip ids must be unique")
        if set(self.signal_topics) != set(Signal):
            raise ValueError(f"signal_topics must name a topic for each of {[s.value for s in Signal]}")
        unknown = set(self.signal_topics.values()) - set(keys)
        if unknown:
            raise ValueError(f"signal_topics name unknown topics {sorted(unknown)}")
        return self

    @cached_property
    def _by_key(self) -> dict[str, Topic]:
        return {t.key: t for t in self.topics}

    def topic(self, key: str) -> Topic:
        return self._by_key[key]

    def for_signal(self, signal: Signal) -> Topic:
        return self.topic(self.signal_topics[signal])

    def all_tips(self) -> list[TipRef]:
        return [TipRef(topic, tip) for topic in self.topics for tip in topic.tips]

    def find_topic(self, text: str, lang: Lang) -> Topic | None:
        """The topic a member meant: its key, its name in either language, or the only autocomplete match."""
        wanted = fold(text).strip()
        if not wanted:
            return None
        for topic in self.topics:
            if wanted in (topic.key, fold(topic.name_nl), fold(topic.name_en)):
                return topic
        matches = topic_choices(self, text, lang)
        return self.topic(matches[0].key) if len(matches) == 1 else None


@knowledge_file
def tips() -> Tips:
    return load("tips.toml", Tips)


# --- autocomplete ---------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def _match_rank(typed: str, name: str) -> int | None:
    """How well `typed` matches `name` (lower is better), or None when it does not."""
    folded = fold(name)
    if folded.startswith(typed):
        return 0
    words = _WORD.findall(folded)
    typed_words = _WORD.findall(typed)
    if typed_words and all(any(w.startswith(t) for w in words) for t in typed_words):
        return 1
    if typed in folded:
        return 2
    return None


def topic_choices(knowledge: Tips, typed: str, lang: Lang, limit: int = MAX_CHOICES) -> list[TopicChoice]:
    """Topics whose name matches what the member typed so far, best first, named in `lang`.

    A name in the other language or the topic key also matches, ranked after matches in `lang`.
    """
    wanted = fold(typed).strip()
    other: Lang = "en" if lang == "nl" else "nl"
    ranked: list[tuple[int, int, TopicChoice]] = []
    for order, topic in enumerate(knowledge.topics):
        if not wanted:
            rank: int | None = 0
        else:
            own = _match_rank(wanted, topic.name(lang))
            elsewhere = [
                _match_rank(wanted, topic.name(other)),
                _match_rank(wanted, topic.key.replace("_", " ")),
            ]
            found = [r + 3 for r in elsewhere if r is not None]
            rank = own if own is not None else min(found, default=None)
        if rank is not None:
            ranked.append((rank, order, TopicChoice(topic.key, topic.name(lang))))
    ranked.sort(key=lambda item: item[:2])
    return [choice for _, _, choice in ranked[: min(limit, MAX_CHOICES)]]


# --- rotating tip ---------------------------------------------------------------------------------


def rotating_tip(knowledge: Tips, day: date, seed: int = 0) -> TipRef:
    """The tip of the day: every tip in turn, topics interleaved so consecutive days differ in topic.

    `seed` (for example a member id) shifts the cycle so members do not all see the same tip.
    """
    rounds = max(len(topic.tips) for topic in knowledge.topics)
    cycle = [
        TipRef(topic, topic.tips[i])
        for i in range(rounds)
        for topic in knowledge.topics
        if i < len(topic.tips)
    ]
    return cycle[(day.toordinal() + seed) % len(cycle)]


# --- personal diagnosis ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalTrend:
    """One signal over the member's recent posts against their usual level.

    For saves, shares and comments the values are counts per like; for frequency they are days between
    posts. `score` is how the recent level compares with the usual one, 1 meaning the same and lower
    meaning worse (for frequency: usual gap / recent gap, so longer gaps score lower).
    """

    signal: Signal
    recent: Fraction
    usual: Fraction
    score: Fraction


@dataclass(frozen=True)
class Diagnosis:
    """What lags most in a member's recent posts, against their own median, and the topic that helps."""

    trends: tuple[SignalTrend, ...]
    lagging: SignalTrend | None
    topic: Topic | None
    recent_posts: int
    baseline_posts: int


def _by_score(trend: SignalTrend) -> tuple[Fraction, int]:
    return trend.score, _DEPTH.index(trend.signal)


_DAY = timedelta(days=1)


def _days(delta: timedelta) -> Fraction:
    return Fraction(delta // timedelta(microseconds=1), _DAY // timedelta(microseconds=1))


def _ratio_trend(
    signal: Signal, recent: Sequence[PostFigures], baseline: Sequence[PostFigures], need: int
) -> SignalTrend | None:
    recent_ratios = [Fraction(getattr(p, signal.value), p.likes) for p in recent if p.likes > 0]
    usual_ratios = [Fraction(getattr(p, signal.value), p.likes) for p in baseline if p.likes > 0]
    if not recent_ratios or len(usual_ratios) < need:
        return None
    recent_value, usual_value = Fraction(median(recent_ratios)), Fraction(median(usual_ratios))
    if usual_value == 0:
        return None  # nothing to fall behind on
    return SignalTrend(signal, recent_value, usual_value, recent_value / usual_value)


def _frequency_trend(
    recent_gaps: Sequence[Fraction], usual_gaps: Sequence[Fraction], need: int
) -> SignalTrend | None:
    if not recent_gaps or len(usual_gaps) < need:
        return None
    recent_value, usual_value = Fraction(median(recent_gaps)), Fraction(median(usual_gaps))
    if recent_value == 0:
        return None  # posting at least as often as ever
    return SignalTrend(Signal.FREQUENCY, recent_value, usual_value, usual_value / recent_value)


def diagnose(knowledge: Tips, posts: Sequence[PostFigures]) -> Diagnosis | None:
    """Compare the member's last posts with the median of the posts before them; None without enough history.

    Saves, shares and comments are taken per like, so a post that simply reached more people does not hide
    a weak signal; posting frequency is the time between consecutive posts.
    """
    settings = knowledge.diagnosis
    ordered = sorted(posts, key=lambda p: p.posted_at)
    if len(ordered) < settings.recent_posts + settings.min_baseline_posts:
        return None
    window = ordered[-(settings.recent_posts + settings.baseline_posts) :]
    recent, baseline = window[-settings.recent_posts :], window[: -settings.recent_posts]
    need = settings.min_baseline_posts

    trends = [
        t
        for s in (Signal.SAVES, Signal.SHARES, Signal.COMMENTS)
        if (t := _ratio_trend(s, recent, baseline, need))
    ]
    # Gap i is the time from post i-1 to post i, over the whole history so the window's first post has one too.
    gaps = [_days(b.posted_at - a.posted_at) for a, b in pairwise(ordered)]
    window_gaps = gaps[-len(window) :]
    recent_gaps = window_gaps[-settings.recent_posts :]
    usual_gaps = window_gaps[: -settings.recent_posts]
    if frequency := _frequency_trend(recent_gaps, usual_gaps, need):
        trends.append(frequency)

    trends.sort(key=_by_score)
    worst = trends[0] if trends and trends[0].score < settings.lag_threshold else None
    return Diagnosis(
        trends=tuple(trends),
        lagging=worst,
        topic=knowledge.for_signal(worst.signal) if worst else None,
        recent_posts=len(recent),
        baseline_posts=len(baseline),
    )


# --- one post's signals (the /engagement post line) -----------------------------------------------


@dataclass(frozen=True)
class PostSignals:
    """The strongest and weakest interaction of one post and the topic that helps the weakest.

    basis "mix": each value is the signal's share of the post's interactions (no history to compare with).
    basis "history": each value is the signal per follower against the member's median, 1 meaning usual.
    """

    basis: Literal["mix", "history"]
    values: dict[Signal, Fraction]
    strongest: Signal
    weakest: Signal
    topic: Topic


def _extremes(values: Mapping[Signal, Fraction | int]) -> tuple[Signal, Signal]:
    by_depth = sorted(values, key=_DEPTH.index)
    weakest = min(by_depth, key=lambda s: values[s])
    strongest = max(reversed(by_depth), key=lambda s: values[s])
    return strongest, weakest


def post_signals(
    knowledge: Tips,
    likes: int,
    comments: int,
    shares: int,
    saves: int,
    followers: int,
    history: Sequence[PostFigures] = (),
) -> PostSignals | None:
    """Name the strongest and weakest signal of one post; None when the post has no interactions.

    With enough earlier posts each signal is compared with the member's own median per follower;
    otherwise the post's own mix of interactions is described.
    """
    counts = {Signal.LIKES: likes, Signal.COMMENTS: comments, Signal.SHARES: shares, Signal.SAVES: saves}
    total = sum(counts.values())
    if total == 0:
        return None
    ordered = sorted((p for p in history if p.followers > 0), key=lambda p: p.posted_at)
    earlier = ordered[-knowledge.diagnosis.baseline_posts :]
    if followers > 0 and len(earlier) >= knowledge.diagnosis.min_baseline_posts:
        scores: dict[Signal, Fraction] = {}
        for signal in _INTERACTIONS:
            usual = Fraction(median(Fraction(getattr(p, signal.value), p.followers) for p in earlier))
            if usual > 0:
                scores[signal] = Fraction(counts[signal], followers) / usual
        if len(scores) >= 2:
            strongest, weakest = _extremes(scores)
            return PostSignals("history", scores, strongest, weakest, knowledge.for_signal(weakest))
    # Shares of one total order as their counts do: compare the integers, not the fractions.
    strongest, weakest = _extremes(counts)
    shares_of_total = {signal: Fraction(count, total) for signal, count in counts.items()}
    return PostSignals("mix", shares_of_total, strongest, weakest, knowledge.for_signal(weakest))
