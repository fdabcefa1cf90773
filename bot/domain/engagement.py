"""Engagement rates as guide 000 defines them, computed exactly (fractions, in percent)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from bot.domain.errors import InvalidInput

# Counts a member may type: from nothing up to a trillion, far beyond any real account.
MAX_COUNT = 10**12
# Percentages a member may type (a target or a rate to look up); a viral post can pass 100%, so allow room.
MAX_PERCENT = 100_000
HUNDRED = 100


def check_count(field: str, value: object, minimum: int = 0, maximum: int = MAX_COUNT) -> int:
    """Return `value` if it is a whole number in minimum..maximum, else raise InvalidInput for `field`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, "whole")
    if value < minimum:
        raise InvalidInput(field, "min", minimum=minimum)
    if value > maximum:
        raise InvalidInput(field, "max", maximum=maximum)
    return value


def parse_percent(
    field: str, value: object, minimum: Fraction = Fraction(0), positive: bool = False
) -> Fraction:
    """Turn a typed percentage (Discord sends floats) into the exact decimal the member meant.

    The value must be at least `minimum`, and also above 0 when `positive`.
    """
    if positive and minimum <= 0:
        below = InvalidInput(field, "positive")
    else:
        below = InvalidInput(field, "min", minimum=_plain(minimum))
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal | Fraction):
        raise below
    if isinstance(value, Fraction):
        exact = value
    else:
        try:
            # str() of a float is its shortest round-trip form: 2.25 -> "2.25", so 2.25 stays 225/100.
            decimal = Decimal(str(value))
        except InvalidOperation:
            raise below from None
        if not decimal.is_finite():
            raise InvalidInput(field, "max", maximum=MAX_PERCENT)
        exact = Fraction(decimal)
    if exact < minimum or (positive and exact <= 0):
        raise below
    if exact > MAX_PERCENT:
        raise InvalidInput(field, "max", maximum=MAX_PERCENT)
    return exact


def _plain(value: Fraction) -> int | Decimal:
    """A limit as the error message shows it (formatted there in the reader's language)."""
    if value.denominator == 1:
        return value.numerator
    return Decimal(value.numerator) / Decimal(value.denominator)


def engagement_rate(interactions: int, base: int, base_field: str = "followers") -> Fraction:
    """Interactions as an exact percentage of `base` (followers or views)."""
    # A sum of up to four counts may pass MAX_COUNT, so interactions only need to be whole and not negative.
    if isinstance(interactions, bool) or not isinstance(interactions, int):
        raise InvalidInput("interactions", "whole")
    if interactions < 0:
        raise InvalidInput("interactions", "min", minimum=0)
    check_count(base_field, base, minimum=1)
    return Fraction(interactions * HUNDRED, base)


@dataclass(frozen=True)
class PostEngagement:
    """One post's engagement: by followers always, by views when the member gave them."""

    likes: int
    comments: int
    shares: int
    saves: int
    followers: int
    views: int | None
    interactions: int
    rate: Fraction
    rate_by_views: Fraction | None

    @property
    def above_hundred(self) -> bool:
        """More interactions than followers: people who do not follow engaged (a viral post)."""
        return self.rate > HUNDRED

    @property
    def signals(self) -> dict[str, int]:
        """The four interaction counts by option name, in the guide's order."""
        return {"likes": self.likes, "comments": self.comments, "shares": self.shares, "saves": self.saves}


def post_engagement(
    likes: int, comments: int, shares: int, saves: int, followers: int, views: int | None = None
) -> PostEngagement:
    """Engagement of one post: (likes + comments + shares + saves) / followers × 100, and / views when given."""
    for field, value in (("likes", likes), ("comments", comments), ("shares", shares), ("saves", saves)):
        check_count(field, value)
    check_count("followers", followers, minimum=1)
    if views is not None:
        check_count("views", views, minimum=1)
    interactions = likes + comments + shares + saves
    return PostEngagement(
        likes=likes,
        comments=comments,
        shares=shares,
        saves=saves,
        followers=followers,
        views=views,
        interactions=interactions,
        rate=engagement_rate(interactions, followers),
        rate_by_views=None if views is None else engagement_rate(interactions, views, "views"),
    )


@dataclass(frozen=True)
class AccountEngagement:
    """Average engagement over recent posts, and the inflated figure a common mistake gives."""

    likes: int
    comments: int
    shares: int
    saves: int | None
    posts: int
    followers: int
    interactions: int
    per_post: Fraction
    rate: Fraction
    # Totals / followers × 100 without dividing by posts (guide 000's "330%"), when that passes 100%.
    mistaken_rate: Fraction | None

    @property
    def above_hundred(self) -> bool:
        return self.rate > HUNDRED

    @property
    def rate_without_saves(self) -> Fraction:
        """Guide 000's account formula exactly: (likes + comments + shares) / posts / followers × 100."""
        return Fraction((self.likes + self.comments + self.shares) * HUNDRED, self.posts * self.followers)


def account_engagement(
    likes: int, comments: int, shares: int, posts: int, followers: int, saves: int | None = None
) -> AccountEngagement:
    """Average engagement: total interactions / posts / followers × 100 (guide 000's formula, with saves if given)."""
    for field, value in (("likes", likes), ("comments", comments), ("shares", shares)):
        check_count(field, value)
    if saves is not None:
        check_count("saves", saves)
    check_count("posts", posts, minimum=1)
    check_count("followers", followers, minimum=1)
    interactions = likes + comments + shares + (saves or 0)
    rate = Fraction(interactions * HUNDRED, posts * followers)
    totals_only = Fraction(interactions * HUNDRED, followers)
    # With one post the totals are the post's own figures, so nothing was mis-divided.
    mistaken = totals_only if posts > 1 and totals_only > HUNDRED else None
    return AccountEngagement(
        likes=likes,
        comments=comments,
        shares=shares,
        saves=saves,
        posts=posts,
        followers=followers,
        interactions=interactions,
        per_post=Fraction(interactions, posts),
        rate=rate,
        mistaken_rate=mistaken,
    )


@dataclass(frozen=True)
class TargetInteractions:
    """What it takes to reach a target rate: interactions per post, and over `posts` posts when given."""

    followers: int
    target: Fraction
    posts: int | None
    exact_per_post: Fraction
    per_post: int
    total: int | None


def interactions_for_target(followers: int, target: object, posts: int | None = None) -> TargetInteractions:
    """Whole interactions per post (rounded up) that reach `target` percent at `followers`."""
    check_count("followers", followers, minimum=1)
    exact_target = parse_percent("target", target, positive=True)
    if posts is not None:
        check_count("posts", posts, minimum=1)
    exact = exact_target * followers / HUNDRED
    return TargetInteractions(
        followers=followers,
        target=exact_target,
        posts=posts,
        exact_per_post=exact,
        per_post=math.ceil(exact),
        total=None if posts is None else math.ceil(exact * posts),
    )
