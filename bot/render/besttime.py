"""/besttime: the member's followers' busiest hours with the guide's advice, or the guides' general advice."""

from __future__ import annotations

from datetime import time

import discord
from babel.dates import format_date, format_time, get_day_names

from bot.domain.best_time import BestTime
from bot.domain.coaching import TipRef, tips
from bot.i18n import Messages
from bot.render.coaching import tip_line
from bot.render.common import embed, guide_titles, source_line

PEAK_GUIDE = "000"
# The guides' timing advice for everyone: about an hour before the peak (000), mornings and evenings (001),
# 18:00-22:00 on TikTok (004).
GENERAL_TIPS = ("posting-hour-before-peak", "posting-morning-evening", "posting-evening-window")


def weekday_name(msgs: Messages, weekday: int) -> str:
    """Monday is 0, as Python counts; babel names the days in the reader's language."""
    return str(get_day_names("wide", locale=msgs.lang)[weekday])


def hour_text(msgs: Messages, hour: int) -> str:
    """20:00 for a Dutch reader, 8:00 PM for an English one."""
    return format_time(time(hour), "short", locale=msgs.lang)


def best_time_embed(msgs: Messages, best: BestTime, zone: str) -> discord.Embed:
    day = msgs("history.date_format")
    lines = [
        msgs(
            "besttime.answer.peak",
            weekday=weekday_name(msgs, best.peak_weekday),
            hour=hour_text(msgs, best.peak_hour),
            active=msgs.number(round(best.peak_active)),
        ),
        msgs(
            "besttime.answer.advice",
            guide=f"*{guide_titles(msgs, PEAK_GUIDE)}*",
            weekday=weekday_name(msgs, best.post_weekday),
            hour=hour_text(msgs, best.post_hour),
        ),
        msgs(
            "besttime.answer.daily",
            busiest=hour_text(msgs, best.busiest_hours[0]),
            hour=hour_text(msgs, best.daily_post_hour),
        ),
        msgs("besttime.answer.busiest", hours=", ".join(hour_text(msgs, h) for h in best.busiest_hours)),
        " ".join(
            (
                msgs(
                    "besttime.answer.basis",
                    hours=msgs.count("besttime.answer.hours", best.samples),
                    first=format_date(best.first_day, day, locale=msgs.lang),
                    last=format_date(best.last_day, day, locale=msgs.lang),
                ),
                msgs("besttime.answer.zone", zone=zone),
                msgs("besttime.answer.refresh"),
            )
        ),
    ]
    answer = embed(msgs("besttime.answer.title"), "\n\n".join(lines))
    answer.set_footer(text=source_line(msgs, PEAK_GUIDE))
    return answer


def general_timing_embed(msgs: Messages, intro_key: str = "besttime.general.intro") -> discord.Embed:
    """The guides' advice for everyone, labelled as such, and how to get advice of one's own."""
    topic = tips().topic("posting")
    chosen = [tip for tip in topic.tips if tip.id in GENERAL_TIPS]
    lines = [msgs(intro_key), *(f"• {tip_line(msgs, TipRef(topic, tip))}" for tip in chosen)]
    answer = embed(msgs("besttime.general.title"), "\n\n".join(lines))
    answer.add_field(
        name=msgs("besttime.general.how_title"), value=msgs("besttime.general.how"), inline=False
    )
    answer.set_footer(text=source_line(msgs, *sorted({g for tip in chosen for g in tip.guides})))
    return answer
