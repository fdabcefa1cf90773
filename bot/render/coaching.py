"""Coaching answers: tips by topic, personal advice, /ask passages, the monetisation checklist, the media kit."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import discord

from bot.domain.benchmarks import benchmarks
from bot.domain.coaching import Diagnosis, PostSignals, Signal, SignalTrend, TipRef, Topic
from bot.domain.monetization import MediaKitSummary, PriceEstimate, ProgrammeCheck, Status, ThresholdCheck
from bot.domain.search import Hit
from bot.i18n import Messages
from bot.render.benchmark import BULLET, band_rate_text, price_text, rating_name, tier_name
from bot.render.common import embed, guide_titles, own_choice, source_line
from bot.render.engagement import average_definition
from bot.render.history import day_text

STATUS_ICON = {Status.MET: "✅", Status.NOT_MET: "❌", Status.UNKNOWN: "❔"}
# Discord's limits this module writes up to.
TITLE_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
# How much of a member's question is repeated in the answer's title.
QUESTION_SHOWN = 200


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def tip_line(msgs: Messages, ref: TipRef) -> str:
    """One tip with the guide(s) it comes from."""
    return msgs(
        "coaching.tips.line", text=ref.tip.text(msgs.lang), guides=guide_titles(msgs, *ref.tip.guides)
    )


def topic_embed(msgs: Messages, topic: Topic) -> discord.Embed:
    """Every tip of a topic, each naming its guide."""
    lines = [f"{BULLET} {tip_line(msgs, TipRef(topic, tip))}" for tip in topic.tips]
    answer = embed(msgs("coaching.tips.title", topic=topic.name(msgs.lang)), "\n\n".join(lines))
    answer.set_footer(text=source_line(msgs, *topic.guides))
    return answer


def daily_tip_embed(msgs: Messages, ref: TipRef, note: str | None = None) -> discord.Embed:
    """The rotating tip, with why it is not personal yet when there is a reason to say so."""
    parts = [note] if note else []
    parts += [f"**{ref.topic.name(msgs.lang)}**", tip_line(msgs, ref)]
    parts.append(msgs("coaching.tips.more", topic=ref.topic.name(msgs.lang)))
    answer = embed(msgs("coaching.tips.daily_title"), "\n\n".join(parts))
    answer.set_footer(text=source_line(msgs, *ref.tip.guides))
    return answer


def signal_name(msgs: Messages, signal: Signal) -> str:
    return msgs(f"coaching.signal.{signal.value}")


def _per_hundred_likes(msgs: Messages, value: Fraction) -> str:
    return msgs.number(value * 100, 1)


def days_text(msgs: Messages, days: Fraction) -> str:
    """`1 day`, `2.5 days`: a gap between posts to one decimal."""
    shown = msgs.number(days, 1)
    return msgs("coaching.days.one" if shown == msgs.number(1) else "coaching.days.other", n=shown)


def _trend_line(msgs: Messages, trend: SignalTrend) -> str:
    if trend.signal is Signal.FREQUENCY:
        return msgs(
            "coaching.tips.trend_frequency",
            recent=days_text(msgs, trend.recent),
            usual=days_text(msgs, trend.usual),
        )
    return msgs(
        "coaching.tips.trend_ratio",
        signal=signal_name(msgs, trend.signal),
        recent=_per_hundred_likes(msgs, trend.recent),
        usual=_per_hundred_likes(msgs, trend.usual),
    )


def lagging_text(msgs: Messages, diagnosis: Diagnosis, lagging: SignalTrend) -> str:
    """The signal that lags most: its level in the recent posts against the member's usual one.

    The windows and the per-100-likes ratios are Pulse's own method, and the text says so.
    """
    counts = {
        "recent": msgs.number(diagnosis.recent_posts),
        "baseline": msgs.number(diagnosis.baseline_posts),
    }
    if lagging.signal is Signal.FREQUENCY:
        text = msgs(
            "coaching.tips.lagging_frequency",
            recent_value=days_text(msgs, lagging.recent),
            usual_value=days_text(msgs, lagging.usual),
            **counts,
        )
    else:
        text = msgs(
            "coaching.tips.lagging_ratio",
            signal=signal_name(msgs, lagging.signal),
            recent_value=_per_hundred_likes(msgs, lagging.recent),
            usual_value=_per_hundred_likes(msgs, lagging.usual),
            drop=msgs.percent((1 - lagging.score) * 100, 0),
            **counts,
        )
    return own_choice(msgs, text)


def diagnosis_embed(msgs: Messages, diagnosis: Diagnosis, fallback: TipRef) -> discord.Embed:
    """What lags in the member's own numbers and the tips that help; a tip to try when nothing lags."""
    counts = {
        "recent": msgs.number(diagnosis.recent_posts),
        "baseline": msgs.number(diagnosis.baseline_posts),
    }
    lagging, topic = diagnosis.lagging, diagnosis.topic
    if lagging is None or topic is None:
        description = "\n\n".join(
            [
                own_choice(msgs, msgs("coaching.tips.nothing_lags", **counts)),
                f"**{fallback.topic.name(msgs.lang)}**",
                tip_line(msgs, fallback),
            ]
        )
        guide_ids = [*fallback.tip.guides]
    else:
        finding = lagging_text(msgs, diagnosis, lagging)
        lines = [f"{BULLET} {tip_line(msgs, TipRef(topic, tip))}" for tip in topic.tips]
        description = "\n\n".join([finding, msgs("coaching.tips.helps", topic=topic.name(msgs.lang)), *lines])
        # The diagnosis is Pulse's own method (marked in its text); only the tips cite guides.
        guide_ids = [*topic.guides]
    answer = embed(msgs("coaching.tips.personal_title"), _clip(description, 4096))
    if diagnosis.trends:
        answer.add_field(
            name=msgs("coaching.tips.trends_field", **counts),
            value="\n".join(_trend_line(msgs, t) for t in diagnosis.trends),
            inline=False,
        )
    answer.set_footer(text=source_line(msgs, *guide_ids))
    return answer


# --- /engagement post's line ----------------------------------------------------------------------


def post_signals_line(msgs: Messages, signals: PostSignals) -> str:
    """The post's strongest and weakest signal and the tip topic that helps the weakest (Pulse's own reading)."""
    return own_choice(msgs, _signals_text(msgs, signals))


def _signals_text(msgs: Messages, signals: PostSignals) -> str:
    values = {
        "strongest": signal_name(msgs, signals.strongest),
        "weakest": signal_name(msgs, signals.weakest),
    }
    if signals.basis == "history":
        return msgs(
            "coaching.post_signals.history",
            strongest_value=msgs.number(signals.values[signals.strongest], 1),
            weakest_value=msgs.number(signals.values[signals.weakest], 1),
            topic=signals.topic.name(msgs.lang),
            **values,
        )
    return msgs(
        "coaching.post_signals.mix",
        strongest_share=msgs.percent(signals.values[signals.strongest] * 100, 0),
        weakest_share=msgs.percent(signals.values[signals.weakest] * 100, 0),
        topic=signals.topic.name(msgs.lang),
        **values,
    )


# --- /ask -----------------------------------------------------------------------------------------


def ask_embed(msgs: Messages, question: str, hits: Sequence[Hit]) -> discord.Embed:
    """The best passages for a question, each naming its guide."""
    shown = discord.utils.escape_markdown(_clip(" ".join(question.split()), QUESTION_SHOWN))
    answer = embed(_clip(msgs("coaching.ask.title", question=shown), TITLE_LIMIT))
    guide_ids: list[str] = []
    for hit in hits:
        passage = hit.passage
        value = msgs(
            "coaching.ask.passage",
            text=passage.text(msgs.lang),
            guides=guide_titles(msgs, *passage.guides),
        )
        answer.add_field(name=passage.title(msgs.lang), value=_clip(value, FIELD_VALUE_LIMIT), inline=False)
        guide_ids += passage.guides
    answer.set_footer(text=source_line(msgs, *guide_ids))
    return answer


# --- /monetize ------------------------------------------------------------------------------------


# Prices from $10 up are whole dollars, as anyone quotes them; below that, cents ($0.50) still mean something.
WHOLE_DOLLARS_FROM = 10


def dollars(msgs: Messages, amount: Fraction, cents_below: Fraction | None = None) -> str:
    """`$65`, `$1,600`, `$0.50`: both ends of a range pass its low end as `cents_below`, so they match."""
    reference = amount if cents_below is None else cents_below
    return msgs("benchmark.usd", amount=msgs.money(amount, cents=reference < WHOLE_DOLLARS_FROM))


def _threshold_line(msgs: Messages, check: ThresholdCheck) -> str:
    kind = check.threshold.kind
    text = msgs(
        f"coaching.monetize.threshold.{kind}.{check.status.value}",
        required=msgs.number(check.threshold.value),
        missing=msgs.number(check.missing or 0),
    )
    return f"{STATUS_ICON[check.status]} {text}"


def _programme_value(msgs: Messages, check: ProgrammeCheck) -> str:
    programme = check.programme
    lines = [_threshold_line(msgs, c) for c in check.thresholds]
    if not check.thresholds and not check.conditions:
        lines.append(f"{STATUS_ICON[Status.MET]} {msgs('coaching.monetize.no_requirement')}")
    lines += [
        f"{STATUS_ICON[Status.UNKNOWN]} {msgs('coaching.monetize.check_yourself', condition=c.text(msgs.lang))}"
        for c in check.conditions
    ]
    if programme.comparison is not None:
        comparison = programme.comparison
        lines.append(
            msgs(
                "coaching.monetize.comparison",
                income=msgs(f"coaching.monetize.income.{comparison.income}"),
                potential=msgs(f"coaching.monetize.level.{comparison.potential}"),
                effort=msgs(f"coaching.monetize.level.{comparison.effort}"),
            )
        )
    return _clip("\n".join(lines), FIELD_VALUE_LIMIT)


def price_lines(msgs: Messages, price: PriceEstimate) -> list[str]:
    """The per-followers rule's estimate and the tier's TikTok range, both guide 004's, and how they relate."""
    rule = benchmarks().references.price_per_followers_usd
    guide = guide_titles(msgs, rule.guide)
    lines = [
        msgs(
            "coaching.monetize.price",
            low=dollars(msgs, price.low),
            high=dollars(msgs, price.high, cents_below=price.low),
            rule=price_text(msgs, rule),
            per=msgs.number(price.per_followers),
            guide=guide,
        )
    ]
    if price.below_guides:
        lines.append(
            own_choice(
                msgs, msgs("coaching.monetize.below_guides", followers=msgs.number(rule.min_followers))
            )
        )
    tier = tier_name(msgs, price.tier)
    if price.tier_range is None:
        lines.append(msgs("coaching.monetize.no_tier_range", tier=tier))
        return lines
    range_guide = guide_titles(msgs, price.tier_range.guide)
    lines.append(
        msgs(
            "coaching.monetize.tier_range",
            tier=tier,
            range=price_text(msgs, price.tier_range),
            guide=range_guide,
        )
    )
    if price.against_range == "inside":
        lines.append(msgs("coaching.monetize.inside_range", guide=guide))
    else:
        side = msgs(f"coaching.monetize.side_{price.against_range}")
        lines.append(
            own_choice(msgs, msgs("coaching.monetize.outside_range", guide=guide, tier=tier, side=side))
        )
    return lines


def monetize_embed(
    msgs: Messages, followers: int, checks: Sequence[ProgrammeCheck], price: PriceEstimate
) -> discord.Embed:
    """A checklist per programme (met, not met, unknown, what is missing) and the price of a sponsored post."""
    answer = embed(
        msgs("coaching.monetize.title", followers=msgs.number(followers)), msgs("coaching.monetize.intro")
    )
    guide_ids: list[str] = []
    for check in checks:
        answer.add_field(
            name=f"{STATUS_ICON[check.status]} {check.programme.name(msgs.lang)}",
            value=_programme_value(msgs, check),
            inline=False,
        )
        guide_ids += check.programme.guides
    answer.add_field(
        name=msgs("coaching.monetize.price_field"), value="\n".join(price_lines(msgs, price)), inline=False
    )
    answer.set_footer(text=source_line(msgs, *guide_ids, "004"))
    return answer


# --- /mediakit ------------------------------------------------------------------------------------


def mediakit_embed(msgs: Messages, kit: MediaKitSummary, items_to_add: Sequence[str]) -> discord.Embed:
    """The media kit's numbers as a block ready to paste, and what the member adds themselves."""
    block = [
        msgs("coaching.mediakit.followers", followers=msgs.number(kit.followers)),
        msgs.count(
            "coaching.mediakit.rate",
            kit.posts,
            rate=band_rate_text(msgs, kit.average_rate, kit.band),
            rating=rating_name(msgs, kit.rating),
            band=kit.band.label,
        ),
        msgs("coaching.mediakit.tier", tier=tier_name(msgs, kit.price.tier)),
        msgs(
            "coaching.mediakit.price",
            low=dollars(msgs, kit.price.low),
            high=dollars(msgs, kit.price.high, cents_below=kit.price.low),
        ),
    ]
    intro = msgs.count(
        "coaching.mediakit.intro",
        kit.posts,
        first=day_text(msgs, kit.first_posted),
        last=day_text(msgs, kit.last_posted),
    )
    answer = embed(msgs("coaching.mediakit.title"), intro + "\n```\n" + "\n".join(block) + "\n```")
    if kit.nearest:
        answer.description = (
            (answer.description or "") + "\n" + msgs("coaching.mediakit.nearest", band=kit.band.label)
        )
    answer.add_field(
        name=msgs("engagement.definition.field"),
        value=average_definition(msgs, kit.average_without_saves, kit.band),
        inline=False,
    )
    answer.add_field(
        name=msgs("coaching.mediakit.price_field"),
        value="\n".join(price_lines(msgs, kit.price)),
        inline=False,
    )
    answer.add_field(
        name=msgs("coaching.mediakit.add_field"),
        value="\n".join(f"{BULLET} {item}" for item in items_to_add),
        inline=False,
    )
    answer.set_footer(text=source_line(msgs, "003", kit.band.guide, "004"))
    return answer
