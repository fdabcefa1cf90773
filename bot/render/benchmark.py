"""Benchmark answers: a band's five ratings, industry averages, influencer tiers; pieces the engagement answers share."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import discord

from bot.domain.benchmarks import (
    Band,
    BandMatch,
    Figure,
    PriceRange,
    Rating,
    RatingRange,
    Tier,
    benchmarks,
)
from bot.i18n import Messages, scaled
from bot.render.common import embed, guide_titles, own_choice, source_line

MARK = "▶"
BULLET = "•"
# Rates shown with two decimals, more only when two would round onto a rating boundary or to nothing.
RATE_DECIMALS = (2, 4, 6, 8)


def rating_name(msgs: Messages, rating: Rating) -> str:
    return msgs(f"benchmark.rating.{rating.key}")


def rate_text(msgs: Messages, rate: Fraction, boundaries: Iterable[Fraction] = ()) -> str:
    """A rate in the reader's format; never rounded onto a boundary it does not sit on (4,4501% stays above 4,45%)."""
    edges = [(edge.numerator, edge.denominator) for edge in boundaries]
    for decimals in RATE_DECIMALS:
        shown, unit = scaled(rate, decimals), 10**decimals
        # A rate that is not zero is never shown as 0%, nor rounded onto a rating boundary (compared as
        # shown / unit == numerator / denominator, in integers).
        exact = shown * rate.denominator == rate.numerator * unit
        on_edge = any(shown * denominator == numerator * unit for numerator, denominator in edges)
        if exact or (shown != 0 and not on_edge):
            return msgs.percent(rate, decimals)
    return msgs.percent(rate, RATE_DECIMALS[-1])


def band_rate_text(msgs: Messages, rate: Fraction, band: Band) -> str:
    t = band.thresholds
    return rate_text(msgs, rate, (t.high, t.above_average, t.average, t.below_average))


def range_text(msgs: Messages, span: RatingRange) -> str:
    """`> 4,45%`, `2,25–4,45%` or `< 0,84%`."""
    if span.high is None:
        return msgs("benchmark.above", rate=msgs.percent(span.low or 0))
    if span.low is None:
        return msgs("benchmark.below", rate=msgs.percent(span.high))
    return f"{msgs.number(span.low, 2)}–{msgs.percent(span.high)}"


def band_table(msgs: Messages, band: Band, marked: Rating | None = None) -> str:
    """The band's five ratings, best first, the member's row marked."""
    return msgs.once(("band_table", band.key, marked), lambda: _band_table(msgs, band, marked))


def _band_table(msgs: Messages, band: Band, marked: Rating | None) -> str:
    lines = []
    for span in band.ranges():
        text = f"{rating_name(msgs, span.rating)}: {range_text(msgs, span)}"
        if span.rating is marked:
            lines.append(f"{MARK} **{text}** {msgs('benchmark.you_are_here')}")
        else:
            lines.append(f"{BULLET} {text}")
    return "\n".join(lines)


def band_field_name(msgs: Messages, band: Band) -> str:
    return msgs("benchmark.band_field", band=band.label)


def nearest_note(msgs: Messages, match: BandMatch) -> str | None:
    """Below the lowest band: say which band the answer compares with instead."""
    if not match.nearest:
        return None
    return msgs(
        "benchmark.nearest_band",
        minimum=msgs.number(match.band.min_followers),
        band=match.band.label,
    )


def figure_text(msgs: Messages, figure: Figure) -> str:
    """A guide's figure as it states it: `17,5%`, `~7–8%`, `> 10%`."""
    if figure.above:
        text = msgs("benchmark.above", rate=msgs.percent(figure.low))
    elif figure.high is not None:
        text = f"{msgs.number(figure.low, 2)}–{msgs.percent(figure.high)}"
    else:
        text = msgs.percent(figure.low)
    return msgs("benchmark.approximately", figure=text) if figure.approximate else text


def price_text(msgs: Messages, price: PriceRange) -> str:
    low = msgs("benchmark.usd", amount=msgs.number(price.low))
    if price.high == price.low:
        return low
    return f"{low}–{msgs('benchmark.usd', amount=msgs.number(price.high))}"


def followers_text(msgs: Messages, low: int, high: int | None) -> str:
    if high is None:
        return msgs("benchmark.followers_from", low=msgs.number(low))
    if low == 0:
        return msgs("benchmark.followers_below", high=msgs.number(high + 1))
    return msgs("benchmark.followers_between", low=msgs.number(low), high=msgs.number(high))


def tier_name(msgs: Messages, tier: Tier) -> str:
    return msgs(f"benchmark.tier.{tier.key}")


def tier_summary(msgs: Messages, tier: Tier) -> str:
    """`Nano-influencer (1,000–9,999 followers)`; a tier Pulse named itself says so.

    No rate goes with it: what a guide reports for a tier is not a verdict, and beside the band table that rates
    the member it would read as one (`/benchmark tiers` shows those figures with their guide).
    """
    return msgs.once(("tier_summary", tier.key), lambda: _tier_summary(msgs, tier))


def _tier_summary(msgs: Messages, tier: Tier) -> str:
    text = msgs(
        "benchmark.tier_summary",
        tier=tier_name(msgs, tier),
        followers=followers_text(msgs, tier.min_followers, tier.max_followers),
    )
    return own_choice(msgs, text) if tier.named_by_pulse else text


def tier_guides(tier: Tier) -> list[str]:
    """The guides behind a tier's name and range (none for the tier Pulse named)."""
    return list(tier.guides)


def tier_rate_text(msgs: Messages, tier: Tier) -> str | None:
    """What one guide reports for the tier's TikTok rate, in its own terms and naming it."""
    rate = tier.tiktok_rate
    if rate is None:
        return None
    shown = msgs.percent(rate.low) if rate.says == "can_reach" else figure_text(msgs, rate)
    return msgs(
        f"benchmark.tier_rate.{rate.says}",
        guide=guide_titles(msgs, rate.guide),
        rate=shown,
        followers=msgs.number(tier.min_followers),
    )


def small_accounts_text(msgs: Messages) -> str:
    small = benchmarks().references.small_accounts
    return msgs(
        "benchmark.reference.small_accounts",
        guide=guide_titles(msgs, small.tiktok.guide),
        followers=msgs.number(small.below_followers),
        tiktok=figure_text(msgs, small.tiktok),
        instagram=figure_text(msgs, small.instagram),
    )


# --- /benchmark followers ------------------------------------------------------------------------------------


def benchmark_embed(
    followers: int, rate: Fraction | None, match: BandMatch, tier: Tier, msgs: Messages
) -> discord.Embed:
    """A band's table for `followers`, where `rate` falls in it, the tier and the guides' reference averages."""
    band = match.band
    refs = benchmarks().references
    rating = band.rating(rate) if rate is not None else None
    note = nearest_note(msgs, match)
    lines = [note or msgs("benchmark.followers.intro", followers=msgs.number(followers), band=band.label)]
    if rate is not None and rating is not None:
        lines.append(
            msgs(
                "benchmark.followers.rate_falls",
                rate=band_rate_text(msgs, rate, band),
                rating=rating_name(msgs, rating),
                band=band.label,
            )
        )
    result = embed(msgs("benchmark.followers.title", band=band.label), "\n".join(lines))
    result.add_field(name=band_field_name(msgs, band), value=band_table(msgs, band, rating), inline=False)
    result.add_field(name=msgs("benchmark.tier_field"), value=tier_summary(msgs, tier), inline=False)
    context = [
        msgs(
            "benchmark.reference.tiktok_typical",
            guide=guide_titles(msgs, refs.tiktok_typical.guide),
            rate=figure_text(msgs, refs.tiktok_typical),
        )
    ]
    guides = [band.guide, *tier_guides(tier), refs.tiktok_typical.guide]
    if followers < refs.small_accounts.below_followers:
        context.append(small_accounts_text(msgs))
        guides.append(refs.small_accounts.tiktok.guide)
    if band.max_followers is None:
        context.append(
            msgs(
                "benchmark.reference.top_band_strong",
                guide=guide_titles(msgs, refs.tiktok_over_1m_strong.guide),
                followers=msgs.number(band.min_followers),
                rate=figure_text(msgs, refs.tiktok_over_1m_strong),
            )
        )
        guides.append(refs.tiktok_over_1m_strong.guide)
    context.insert(0, msgs("benchmark.context_note"))
    result.add_field(name=msgs("benchmark.context_field"), value="\n".join(context), inline=False)
    result.set_footer(text=source_line(msgs, *guides))
    return result


# --- /benchmark niches ---------------------------------------------------------------------------------------


def niches_embed(msgs: Messages) -> discord.Embed:
    """Guide 000's industry averages and what they were measured on."""
    data = benchmarks()
    niches = data.niches
    tier = data.tier(niches.measured_often_on)
    guide = guide_titles(msgs, niches.guide)
    lines = [
        f"{BULLET} {msgs(f'benchmark.industry.{i.key}')}: **{figure_text(msgs, i.rate)}**"
        for i in niches.industries
    ]
    result = embed(msgs("benchmark.niches.title"), msgs("benchmark.niches.intro"))
    result.add_field(name=msgs("benchmark.niches.field"), value="\n".join(lines), inline=False)
    result.add_field(
        name=msgs("benchmark.niches.caveat_field"),
        value=msgs("benchmark.niches.caveat", tier=tier_name(msgs, tier), guide=guide),
        inline=False,
    )
    result.set_footer(text=source_line(msgs, niches.guide, *(i.guide for i in niches.industries)))
    return result


# --- /benchmark tiers ----------------------------------------------------------------------------------------


def tiers_embed(msgs: Messages) -> discord.Embed:
    """The influencer tiers, their follower ranges and what a guide reports for their TikTok rates and prices."""
    data = benchmarks()
    refs = data.references
    result = embed(msgs("benchmark.tiers.title"), msgs("benchmark.tiers.intro"))
    guides: list[str] = []
    for tier in data.tiers:
        lines = []
        rate = tier_rate_text(msgs, tier)
        if rate is not None:
            lines.append(rate)
        if tier.tiktok_price_usd is not None:
            lines.append(
                msgs(
                    "benchmark.tiers.price",
                    price=price_text(msgs, tier.tiktok_price_usd),
                    guide=guide_titles(msgs, tier.tiktok_price_usd.guide),
                )
            )
        if tier.named_by_pulse:
            lines.append(msgs("benchmark.tiers.named_by_pulse"))
        elif not lines:
            lines.append(msgs("benchmark.tiers.no_figures"))
        name = msgs(
            "benchmark.tier_summary",
            tier=tier_name(msgs, tier),
            followers=followers_text(msgs, tier.min_followers, tier.max_followers),
        )
        result.add_field(name=name, value="\n".join(lines), inline=False)
        guides += [*tier_guides(tier), *(f.guide for f in (tier.tiktok_rate, tier.tiktok_price_usd) if f)]
    price = refs.price_per_followers_usd
    comparisons = [
        small_accounts_text(msgs),
        msgs(
            "benchmark.reference.instagram_tiers",
            guide=guide_titles(msgs, refs.instagram_micro.guide),
            micro=figure_text(msgs, refs.instagram_micro),
            mega=figure_text(msgs, refs.instagram_mega),
        ),
        msgs(
            "benchmark.reference.price_per_followers",
            guide=guide_titles(msgs, price.guide),
            price=price_text(msgs, price),
            followers=msgs.number(price.per_followers),
        ),
    ]
    guides += [refs.small_accounts.tiktok.guide, refs.instagram_micro.guide, price.guide]
    comparisons.insert(0, msgs("benchmark.tiers.context_note"))
    result.add_field(name=msgs("benchmark.context_field"), value="\n".join(comparisons), inline=False)
    result.set_footer(text=source_line(msgs, *sorted(set(guides))))
    return result
