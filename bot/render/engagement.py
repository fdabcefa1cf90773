"""Engagement answers: one post, an account's average, the interactions a target needs."""

from __future__ import annotations

from fractions import Fraction

import discord

from bot.domain.benchmarks import Band, BandMatch, Tier
from bot.domain.engagement import AccountEngagement, PostEngagement, TargetInteractions
from bot.i18n import Messages
from bot.render.benchmark import (
    band_field_name,
    band_rate_text,
    band_table,
    nearest_note,
    rate_text,
    rating_name,
    tier_guides,
    tier_summary,
)
from bot.render.common import embed, guide_titles, own_choice, source_line

# Interactions per post are shown whole once they are this large; below it the decimals carry meaning.
WHOLE_FROM = 100
# Guide 000 gives the formulas (and leaves saves out of the account one); guide 004 says what brands count.
FORMULA_GUIDE = "000"
BRAND_GUIDE = "004"


def average_definition(
    msgs: Messages, without_saves: Fraction | None = None, band: Band | None = None
) -> str:
    """What Pulse's account average counts, and the figure without saves (guide 000's own formula) when given."""
    text = msgs(
        "engagement.definition.account",
        guide=guide_titles(msgs, FORMULA_GUIDE),
        brand_guide=guide_titles(msgs, BRAND_GUIDE),
    )
    if without_saves is None:
        return text
    rate = band_rate_text(msgs, without_saves, band) if band is not None else rate_text(msgs, without_saves)
    return (
        text
        + "\n"
        + msgs("engagement.definition.without_saves", guide=guide_titles(msgs, FORMULA_GUIDE), rate=rate)
    )


def _above_hundred(msgs: Messages) -> str:
    return own_choice(msgs, msgs("engagement.above_hundred"))


def _add_band_and_tier(
    result: discord.Embed, msgs: Messages, band: Band, rate: Fraction, tier: Tier, *more_guides: str
) -> None:
    result.add_field(
        name=band_field_name(msgs, band), value=band_table(msgs, band, band.rating(rate)), inline=False
    )
    result.add_field(name=msgs("benchmark.tier_field"), value=tier_summary(msgs, tier), inline=False)
    result.set_footer(text=source_line(msgs, band.guide, *tier_guides(tier), *more_guides))


def _rated(
    msgs: Messages, key: str, rate: Fraction, band: Band, shown: str | None = None, **values: str
) -> str:
    return msgs(
        key,
        rate=shown or band_rate_text(msgs, rate, band),
        rating=rating_name(msgs, band.rating(rate)),
        band=band.label,
        **values,
    )


def _sum(msgs: Messages, counts: list[int]) -> str:
    return " + ".join(msgs.number(c) for c in counts)


def post_embed(result: PostEngagement, match: BandMatch, tier: Tier, msgs: Messages) -> discord.Embed:
    """ER by followers rated in the member's band, ER by views beside it, the band's table and the tier."""
    band = match.band
    rate = band_rate_text(msgs, result.rate, band)
    lines = [_rated(msgs, "engagement.post.summary", result.rate, band, rate)]
    note = nearest_note(msgs, match)
    if note:
        lines.append(note)
    if result.above_hundred:
        lines.append(_above_hundred(msgs))
    answer = embed(msgs("engagement.post.title"), "\n\n".join(lines))
    answer.add_field(
        name=msgs("engagement.calculation_field"),
        value=msgs(
            "engagement.post.calculation",
            sum=_sum(msgs, list(result.signals.values())),
            interactions=msgs.amount("interactions", result.interactions),
            followers=msgs.amount("followers", result.followers),
            rate=rate,
        ),
        inline=False,
    )
    if result.rate_by_views is not None and result.views is not None:
        answer.add_field(
            name=msgs("engagement.post.by_views_field"),
            value=msgs(
                "engagement.post.by_views",
                rate_by_views=rate_text(msgs, result.rate_by_views),
                views=msgs.amount("views", result.views),
                rate=rate,
                followers=msgs.amount("followers", result.followers),
            )
            + "\n"
            + own_choice(msgs, msgs("engagement.post.which_measure")),
            inline=False,
        )
    _add_band_and_tier(answer, msgs, band, result.rate, tier)
    return answer


def account_embed(result: AccountEngagement, match: BandMatch, tier: Tier, msgs: Messages) -> discord.Embed:
    """The average over the member's posts, rated in their band, and the inflated figure explained when it bites."""
    band = match.band
    per_post = msgs.amount("interactions", result.per_post, 0 if result.per_post >= WHOLE_FROM else 2)
    lines = [
        _rated(
            msgs,
            "engagement.account.summary",
            result.rate,
            band,
            posts=msgs.amount("posts", result.posts),
            per_post=per_post,
            followers=msgs.amount("followers", result.followers),
        )
    ]
    note = nearest_note(msgs, match)
    if note:
        lines.append(note)
    if result.above_hundred:
        lines.append(_above_hundred(msgs))
    answer = embed(msgs("engagement.account.title"), "\n\n".join(lines))
    counts = [result.likes, result.comments, result.shares]
    if result.saves is not None:
        counts.append(result.saves)
    answer.add_field(
        name=msgs("engagement.calculation_field"),
        value=msgs(
            "engagement.account.calculation",
            sum=_sum(msgs, counts),
            interactions=msgs.amount("interactions", result.interactions),
            posts=msgs.amount("posts", result.posts),
            per_post=per_post,
            followers=msgs.amount("followers", result.followers),
            rate=band_rate_text(msgs, result.rate, band),
        ),
        inline=False,
    )
    if result.mistaken_rate is not None:
        answer.add_field(
            name=msgs("engagement.account.mistake_field", wrong=rate_text(msgs, result.mistaken_rate)),
            value=msgs(
                "engagement.account.mistake",
                guide=guide_titles(msgs, FORMULA_GUIDE),
                wrong=rate_text(msgs, result.mistaken_rate),
                posts=msgs.amount("posts", result.posts),
                rate=band_rate_text(msgs, result.rate, band),
            ),
            inline=False,
        )
    # Without saves the figure is guide 000's formula itself; with them, give that figure too.
    if result.saves is None:
        definition = msgs(
            "engagement.definition.without_saves_given", guide=guide_titles(msgs, FORMULA_GUIDE)
        )
        cited: tuple[str, ...] = ()
    else:
        definition = average_definition(msgs, result.rate_without_saves, band)
        cited = (BRAND_GUIDE,)
    answer.add_field(name=msgs("engagement.definition.field"), value=definition, inline=False)
    _add_band_and_tier(answer, msgs, band, result.rate, tier, *cited)
    return answer


def target_embed(result: TargetInteractions, match: BandMatch, tier: Tier, msgs: Messages) -> discord.Embed:
    """Interactions per post (and over the posts given) that reach the target, and the rating it would earn."""
    band = match.band
    lines = [
        msgs(
            "engagement.target.summary",
            target=band_rate_text(msgs, result.target, band),
            followers=msgs.amount("followers", result.followers),
            per_post=msgs.amount("interactions", result.per_post),
        )
    ]
    if result.total is not None and result.posts is not None:
        lines.append(
            msgs(
                "engagement.target.total",
                posts=msgs.amount("posts", result.posts),
                total=msgs.amount("interactions", result.total),
            )
        )
    lines.append(_rated(msgs, "engagement.target.rating", result.target, band))
    note = nearest_note(msgs, match)
    if note:
        lines.append(note)
    if result.target > 100:
        lines.append(_above_hundred(msgs))
    answer = embed(msgs("engagement.target.title"), "\n\n".join(lines))
    _add_band_and_tier(answer, msgs, band, result.target, tier)
    return answer
