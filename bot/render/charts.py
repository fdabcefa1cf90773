"""The charts: /progress (ER per post over time, its rolling average, the band's ratings, followers) and
/besttime (follower activity by weekday and hour)."""

from __future__ import annotations

import io
from datetime import UTC, tzinfo
from fractions import Fraction

import numpy as np
from babel.dates import format_date, get_day_names
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.domain.benchmarks import Band, Rating
from bot.domain.best_time import HOURS, WEEKDAYS, BestTime
from bot.domain.progress import ProgressReport
from bot.i18n import Messages
from bot.render.benchmark import rating_name

WIDTH_PX, HEIGHT_PX, DPI = 1000, 500, 100
BACKGROUND = "#ffffff"
RATE_COLOUR = "#5865f2"
ROLLING_COLOUR = "#1f1f7a"
FOLLOWERS_COLOUR = "#c05a00"
# Best rating first, as Band.ranges() returns them: green for high down to red for low.
RATING_COLOURS: dict[Rating, str] = {
    Rating.HIGH: "#2e9e44",
    Rating.ABOVE_AVERAGE: "#8cc63f",
    Rating.AVERAGE: "#f2d024",
    Rating.BELOW_AVERAGE: "#f39c34",
    Rating.LOW: "#e0463e",
}
RATING_ALPHA = 0.18
# Headroom above the highest point or the band's "high" floor, so the top rating shows as a band, not a line.
HEADROOM = 1.25
MARKER_SIZE_MANY, MARKER_SIZE_FEW = 8, 28
# Room for the tick labels and axis titles on both sides, the title above and two legend rows below.
MARGINS = {"left": 0.075, "right": 0.9, "top": 0.92, "bottom": 0.18}


def _float(value: Fraction | int) -> float:
    return float(value)


def _y_limit(report: ProgressReport, band: Band | None) -> float:
    highest = max((_float(p.rate) for p in report.points), default=0.0)
    floor = _float(band.thresholds.high) if band is not None else 0.0
    return max(highest, floor, 0.1) * HEADROOM


def progress_chart(report: ProgressReport, msgs: Messages, tz: tzinfo = UTC) -> bytes:
    """The PNG for /progress; a pure function, safe to run in a worker thread."""
    # A bare Figure renders through Agg on savefig: no pyplot, no global state shared between threads.
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=BACKGROUND)
    # Fixed margins instead of a layout engine: the engine draws the figure twice and doubled the time.
    figure.subplots_adjust(**MARGINS)
    axes = figure.add_subplot()
    band = report.band
    top = _y_limit(report, band)
    axes.set_ylim(0, top)

    if band is not None:
        for rating_range in band.ranges():
            low = 0.0 if rating_range.low is None else _float(rating_range.low)
            high = top if rating_range.high is None else _float(rating_range.high)
            axes.axhspan(
                low,
                high,
                color=RATING_COLOURS[rating_range.rating],
                alpha=RATING_ALPHA,
                linewidth=0,
                label=rating_name(msgs, rating_range.rating),
                zorder=0,
            )

    if report.points:
        x_posts = date2num([p.posted_at for p in report.points])
        axes.scatter(
            x_posts,
            [_float(p.rate) for p in report.points],
            s=MARKER_SIZE_MANY if len(report.points) > 60 else MARKER_SIZE_FEW,
            color=RATE_COLOUR,
            alpha=0.7,
            linewidths=0,
            label=msgs("progress.chart.rate"),
            zorder=3,
            rasterized=True,
        )
        axes.plot(
            x_posts,
            [_float(p.rolling) for p in report.points],
            color=ROLLING_COLOUR,
            linewidth=2,
            label=msgs("progress.chart.rolling"),
            zorder=4,
        )
    axes.set_xlim(date2num(report.since), date2num(report.now))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: msgs.percent(value, 2)))
    axes.set_ylabel(msgs("progress.chart.rate_axis"))

    followers = report.followers_series
    if followers:
        twin = axes.twinx()
        x_followers = [*date2num([f.taken_at for f in followers]), date2num(report.now)]
        y_followers = [f.followers for f in followers] + [followers[-1].followers]
        twin.step(
            x_followers,
            y_followers,
            where="post",
            color=FOLLOWERS_COLOUR,
            linewidth=1.5,
            label=msgs("progress.chart.followers"),
            zorder=2,
        )
        lowest, highest = min(y_followers), max(y_followers)
        margin = max((highest - lowest) * 0.1, highest * 0.02, 1)
        twin.set_ylim(max(0, lowest - margin), highest + margin)
        twin.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        twin.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: msgs.number(value)))
        twin.set_ylabel(msgs("progress.chart.followers"), color=FOLLOWERS_COLOUR)
        twin.tick_params(axis="y", colors=FOLLOWERS_COLOUR)
        twin_handles, twin_labels = twin.get_legend_handles_labels()
    else:
        twin_handles, twin_labels = [], []
    handles, labels = axes.get_legend_handles_labels()
    # The data series first, then the ratings from high to low.
    bands = len(report.band.ranges()) if report.band is not None else 0
    handles = handles[bands:] + twin_handles + handles[:bands]
    labels = labels[bands:] + twin_labels + labels[:bands]

    locator = AutoDateLocator(minticks=4, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    span_days = (report.now - report.since).days
    pattern = "d MMM" if span_days <= 120 else "MMM yyyy"
    axes.xaxis.set_major_formatter(
        FuncFormatter(
            lambda value, _pos: format_date(num2date(value, tz=tz).date(), pattern, locale=msgs.lang)
        )
    )
    figure.legend(handles, labels, loc="lower center", fontsize="small", ncols=4, frameon=False)
    band_name = "" if band is None else band.label
    axes.set_title(msgs("progress.chart.title", weeks=report.weeks, band=band_name), loc="left")
    axes.grid(axis="y", alpha=0.3, zorder=1)

    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=BACKGROUND, metadata={"Software": None})
    return out.getvalue()


# The /besttime heatmap. Axes placed by hand, [left, bottom, width, height] in figure fractions: room for the
# weekday names, the hour labels and axis title below, the title above and the colour bar on the right.
HEATMAP_WIDTH_PX, HEATMAP_HEIGHT_PX = 1000, 420
HEATMAP_AXES = (0.06, 0.14, 0.8, 0.76)
HEATMAP_COLOUR_BAR_AXES = (0.88, 0.14, 0.018, 0.76)
# Sequential and readable with every kind of colour blindness; the brightest yellow is the busiest.
HEATMAP_COLOURMAP = "viridis"
# No samples is not zero followers: a light grey, hatched, that viridis never reaches.
NO_DATA_COLOUR = "#e6e6e6"
NO_DATA_HATCH_COLOUR = "#b3b3b3"
CELL_EDGE_COLOUR = BACKGROUND
PEAK_OUTLINE_COLOUR = "#111111"
HOUR_LABEL_STEP = 3


def _weekday_names(msgs: Messages) -> list[str]:
    names = get_day_names("abbreviated", locale=msgs.lang)
    return [names[weekday] for weekday in range(WEEKDAYS)]


def activity_heatmap(best: BestTime, msgs: Messages, zone: str) -> bytes:
    """The PNG for /besttime; a pure function, safe to run in a worker thread."""
    figure = Figure(figsize=(HEATMAP_WIDTH_PX / DPI, HEATMAP_HEIGHT_PX / DPI), dpi=DPI, facecolor=BACKGROUND)
    axes = figure.add_axes(HEATMAP_AXES)
    colour_bar_axes = figure.add_axes(HEATMAP_COLOUR_BAR_AXES)

    values = np.ma.masked_invalid(
        np.array([[np.nan if v is None else v for v in row] for row in best.grid], dtype=float)
    )
    # Masked cells stay transparent and show the hatched background behind the image.
    colourmap = colormaps[HEATMAP_COLOURMAP].with_extremes(bad=(0, 0, 0, 0))
    extent = (-0.5, HOURS - 0.5, WEEKDAYS - 0.5, -0.5)
    axes.add_patch(
        Rectangle(
            (extent[0], extent[3]),
            HOURS,
            WEEKDAYS,
            facecolor=NO_DATA_COLOUR,
            edgecolor=NO_DATA_HATCH_COLOUR,
            hatch="///",
            linewidth=0,
            zorder=0,
        )
    )
    image = axes.imshow(
        values,
        cmap=colourmap,
        norm=Normalize(vmin=0, vmax=best.peak_active),
        interpolation="nearest",
        aspect="auto",
        origin="upper",
        extent=extent,
        zorder=1,
    )
    # Thin lines between the cells, so neighbouring hours of a similar colour still read as separate.
    axes.set_xticks(np.arange(-0.5, HOURS), minor=True)
    axes.set_yticks(np.arange(-0.5, WEEKDAYS), minor=True)
    axes.grid(which="minor", color=CELL_EDGE_COLOUR, linewidth=1)
    axes.tick_params(which="minor", length=0)
    axes.tick_params(which="major", length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)

    axes.set_xticks(
        range(0, HOURS, HOUR_LABEL_STEP), [f"{h:02d}:00" for h in range(0, HOURS, HOUR_LABEL_STEP)]
    )
    axes.set_yticks(range(WEEKDAYS), _weekday_names(msgs))
    axes.set_xlabel(msgs("besttime.chart.hour_axis"))
    axes.set_title(msgs("besttime.chart.title", zone=zone), loc="left")

    peak_x, peak_y = best.peak_hour - 0.5, best.peak_weekday - 0.5
    axes.add_patch(
        Rectangle((peak_x, peak_y), 1, 1, fill=False, edgecolor=PEAK_OUTLINE_COLOUR, linewidth=2.5, zorder=3)
    )
    # The label sits in the lower part of the peak cell, dark on the colourmap's brightest end.
    axes.text(
        best.peak_hour,
        best.peak_weekday + 0.28,
        msgs("besttime.chart.peak"),
        ha="center",
        va="center",
        fontsize=7,
        color=PEAK_OUTLINE_COLOUR,
        zorder=4,
    )
    axes.set_xlim(extent[0], extent[1])
    axes.set_ylim(extent[2], extent[3])

    colour_bar = figure.colorbar(image, cax=colour_bar_axes)
    # Whole followers where the scale allows; a peak below one would show only "0" without decimals.
    decimals = 0 if best.peak_active >= 1 else 2
    colour_bar.ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    colour_bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: msgs.number(value, decimals)))
    colour_bar.set_label(msgs("besttime.chart.colour_axis"))
    colour_bar.outline.set_visible(False)

    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor=BACKGROUND, metadata={"Software": None})
    return out.getvalue()
