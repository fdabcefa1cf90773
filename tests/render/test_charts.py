"""The /progress chart and the /besttime heatmap are real PNGs that show the member's data."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from matplotlib import colormaps, colors
from matplotlib.image import imread

from bot.domain.benchmarks import Rating
from bot.domain.best_time import HOURS, WEEKDAYS, BestTime, best_time
from bot.domain.history import FollowerSnapshot, LoggedPost
from bot.domain.progress import progress_report
from bot.i18n import Lang, messages_for
from bot.render.charts import (
    DPI,
    FOLLOWERS_COLOUR,
    HEATMAP_AXES,
    HEATMAP_COLOURMAP,
    HEATMAP_HEIGHT_PX,
    HEATMAP_WIDTH_PX,
    HEIGHT_PX,
    NO_DATA_COLOUR,
    NO_DATA_HATCH_COLOUR,
    PEAK_OUTLINE_COLOUR,
    RATE_COLOUR,
    RATING_ALPHA,
    RATING_COLOURS,
    ROLLING_COLOUR,
    WIDTH_PX,
    _weekday_names,
    activity_heatmap,
    progress_chart,
)

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def daily_posts(days: int) -> list[LoggedPost]:
    return [
        LoggedPost(
            id=day + 1,
            guild_id=1,
            user_id=2,
            posted_at=NOW - timedelta(days=day),
            logged_at=NOW,
            likes=200 + (day * 37) % 150,
            comments=20,
            shares=10,
            saves=5,
            views=None,
            followers=12_000 - 5 * day,
            title=None,
        )
        for day in range(days)
    ]


def decode(png: bytes) -> np.ndarray:
    assert png.startswith(PNG_SIGNATURE)
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (HEIGHT_PX, WIDTH_PX)
    return pixels[:, :, :3]


def count_near(pixels: np.ndarray, colour: str, tolerance: float = 0.06) -> int:
    """Pixels within `tolerance` (per channel, 0–1) of `colour`."""
    target = np.array(colors.to_rgb(colour))
    return int(np.all(np.abs(pixels - target) <= tolerance, axis=2).sum())


def blended(colour: str, alpha: float) -> str:
    """`colour` as it looks on the white background at `alpha`."""
    r, g, b = colors.to_rgb(colour)
    return colors.to_hex((r * alpha + (1 - alpha), g * alpha + (1 - alpha), b * alpha + (1 - alpha)))


def shaded(colour: str) -> str:
    """A rating colour as it looks on the white background at the band alpha."""
    return blended(colour, RATING_ALPHA)


def test_chart_is_a_png_of_the_promised_size() -> None:
    png = progress_chart(progress_report(daily_posts(30), [], NOW), messages_for("en"))
    decode(png)
    assert DPI * 10 == WIDTH_PX


def test_chart_shows_the_posts_the_average_the_followers_and_the_band() -> None:
    report = progress_report(daily_posts(84), [], NOW, weeks=12)
    pixels = decode(progress_chart(report, messages_for("en")))
    # Markers and lines are drawn with partial alpha and anti-aliasing; plenty of pixels still hit the colour.
    assert count_near(pixels, ROLLING_COLOUR) > 500
    assert count_near(pixels, FOLLOWERS_COLOUR) > 500
    blended_marker = blended(RATE_COLOUR, 0.7)
    assert count_near(pixels, blended_marker, tolerance=0.15) > 300
    # 12 000 followers: band 10k–50k. Every rating's shade is visible.
    assert report.band is not None and report.band.key == "10k-50k"
    for colour in RATING_COLOURS.values():
        assert count_near(pixels, shaded(colour), tolerance=0.02) > 1000, colour


def test_empty_chart_has_no_data_drawn() -> None:
    pixels = decode(progress_chart(progress_report([], [], NOW), messages_for("nl")))
    assert count_near(pixels, ROLLING_COLOUR) < 5
    assert count_near(pixels, FOLLOWERS_COLOUR) < 5
    assert count_near(pixels, shaded(RATING_COLOURS[Rating.LOW]), tolerance=0.02) == 0


def test_data_lies_inside_the_plot_area() -> None:
    pixels = decode(progress_chart(progress_report(daily_posts(84), [], NOW), messages_for("en")))
    target = np.array(colors.to_rgb(ROLLING_COLOUR))
    rows, cols = np.nonzero(np.all(np.abs(pixels - target) <= 0.06, axis=2))
    # The average line spans most of the width (posts every day of the window) inside the axes.
    assert cols.max() - cols.min() > WIDTH_PX * 0.6
    assert rows.min() > HEIGHT_PX * 0.03


def test_followers_only_chart() -> None:
    snapshots = [FollowerSnapshot(i, 1, 2, NOW - timedelta(days=10 * i), 5_000 - 30 * i) for i in range(8)]
    pixels = decode(progress_chart(progress_report([], snapshots, NOW), messages_for("en")))
    assert count_near(pixels, FOLLOWERS_COLOUR) > 300
    assert count_near(pixels, ROLLING_COLOUR) < 5


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_two_years_of_daily_posts(lang: Lang) -> None:
    report = progress_report(daily_posts(730), [], NOW, weeks=104)
    assert len(report.points) == 728
    pixels = decode(progress_chart(report, messages_for(lang)))
    assert count_near(pixels, ROLLING_COLOUR) > 500


def test_languages_differ() -> None:
    report = progress_report(daily_posts(20), [], NOW)
    assert progress_chart(report, messages_for("nl")) != progress_chart(report, messages_for("en"))


# --- /besttime heatmap ------------------------------------------------------------------------------------

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2024, 11, 4, tzinfo=UTC)  # Amsterdam is UTC+1


def activity(peak: tuple[int, int] = (1, 19), hours: int = 14 * 24) -> list[tuple[datetime, int]]:
    """Two weeks of hourly UTC samples: 100 at the (weekday, hour) `peak`, lower elsewhere, and gaps."""
    samples = []
    for i in range(hours):
        at = MONDAY + timedelta(hours=i)
        if (at.weekday(), at.hour) in {(3, 3), (3, 4)}:
            continue  # Thursday 04:00 and 05:00 in Amsterdam: never sampled
        if (at.weekday(), at.hour) == (2, 9):
            active = 0  # Wednesday 10:00 in Amsterdam: sampled, nobody active
        elif (at.weekday(), at.hour) == peak:
            active = 100
        else:
            active = 20 + at.hour
        samples.append((at, active))
    return samples


def heatmap_best(samples: list[tuple[datetime, int]] | None = None) -> BestTime:
    found = best_time(activity() if samples is None else samples, AMSTERDAM)
    assert found is not None
    return found


def decode_heatmap(png: bytes) -> np.ndarray:
    assert png.startswith(PNG_SIGNATURE)
    pixels = imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (HEATMAP_HEIGHT_PX, HEATMAP_WIDTH_PX)
    return pixels[:, :, :3]


def cell_patch(pixels: np.ndarray, weekday: int, hour: int, down: float = 0.5, half: int = 3) -> np.ndarray:
    """The pixels around a point of a cell, `down` of the way from its top edge, as an (n, 3) array."""
    left, bottom, width, height = HEATMAP_AXES
    x = (left + width * (hour + 0.5) / HOURS) * HEATMAP_WIDTH_PX
    top = (1 - bottom - height) * HEATMAP_HEIGHT_PX
    y = top + height * HEATMAP_HEIGHT_PX * (weekday + down) / WEEKDAYS
    row, col = round(y), round(x)
    return pixels[row - half : row + half + 1, col - half : col + half + 1].reshape(-1, 3)


def cell_colour(pixels: np.ndarray, weekday: int, hour: int) -> np.ndarray:
    # The upper part of the cell: clear of the peak label in its lower part and of the lines on its edges.
    return np.median(cell_patch(pixels, weekday, hour, down=0.3), axis=0)


def colourmap_rgb(fraction: float) -> np.ndarray:
    return np.array(colormaps[HEATMAP_COLOURMAP](fraction)[:3])


def test_heatmap_is_a_png_of_the_promised_size_in_both_languages() -> None:
    best = heatmap_best()
    pngs = {lang: activity_heatmap(best, messages_for(lang), "Europe/Amsterdam") for lang in ("nl", "en")}
    for png in pngs.values():
        decode_heatmap(png)
    assert pngs["nl"] != pngs["en"]


def test_heatmap_renders_the_same_bytes_twice() -> None:
    best = heatmap_best()
    msgs = messages_for("en")
    assert activity_heatmap(best, msgs, "Europe/Amsterdam") == activity_heatmap(
        best, msgs, "Europe/Amsterdam"
    )


def test_heatmap_colours_follow_the_grid() -> None:
    best = heatmap_best()
    assert (best.peak_weekday, best.peak_hour) == (1, 20)
    assert best.grid[2][10] == 0 and best.grid[3][4] is None
    pixels = decode_heatmap(activity_heatmap(best, messages_for("en"), "Europe/Amsterdam"))

    peak = cell_colour(pixels, best.peak_weekday, best.peak_hour)
    assert np.abs(peak - colourmap_rgb(1.0)).max() < 0.03
    zero = cell_colour(pixels, 2, 10)
    assert np.abs(zero - colourmap_rgb(0.0)).max() < 0.03
    # Every other cell with data has its share of the peak's colour, and none is as bright as the peak.
    for weekday, row in enumerate(best.grid):
        for hour, value in enumerate(row):
            if value is None or (weekday, hour) == (best.peak_weekday, best.peak_hour):
                continue
            seen = cell_colour(pixels, weekday, hour)
            assert np.abs(seen - colourmap_rgb(value / best.peak_active)).max() < 0.03, (weekday, hour)
            assert seen.sum() < peak.sum(), (weekday, hour)


@pytest.mark.parametrize("cell", [(3, 4), (3, 5)])
def test_an_empty_cell_is_grey_not_a_colour_of_the_scale(cell: tuple[int, int]) -> None:
    best = heatmap_best()
    pixels = decode_heatmap(activity_heatmap(best, messages_for("nl"), "Europe/Amsterdam"))
    patch = cell_patch(pixels, *cell, half=6)
    # Only greys: the background and its (anti-aliased) hatching, mostly the background.
    assert (patch.max(axis=1) - patch.min(axis=1)).max() < 0.02
    lightest, darkest = colors.to_rgb(NO_DATA_COLOUR)[0], colors.to_rgb(NO_DATA_HATCH_COLOUR)[0]
    assert patch.min() >= darkest - 0.02 and patch.max() <= lightest + 0.02
    assert np.mean(np.abs(patch - np.array(colors.to_rgb(NO_DATA_COLOUR))).max(axis=1) < 0.02) > 0.5
    # Far from zero's colour: an empty cell does not read as "nobody".
    assert np.abs(np.median(patch, axis=0) - colourmap_rgb(0.0)).max() > 0.5


def test_the_peak_cell_is_outlined() -> None:
    best = heatmap_best()
    pixels = decode_heatmap(activity_heatmap(best, messages_for("en"), "Europe/Amsterdam"))
    outline = np.array(colors.to_rgb(PEAK_OUTLINE_COLOUR))
    for down in (0.0, 1.0):  # the top and bottom edges
        edge = cell_patch(pixels, best.peak_weekday, best.peak_hour, down=down, half=1)
        assert np.abs(edge - outline).max(axis=1).min() < 0.1
    # An ordinary cell's edge is the white line between cells, not an outline.
    edge = cell_patch(pixels, 5, 12, down=0.0, half=1)
    assert np.abs(edge - outline).max(axis=1).min() > 0.5


def test_heatmap_with_a_single_small_sample() -> None:
    # A peak below one follower on average still gets a readable scale.
    best = heatmap_best([(MONDAY, 0), (MONDAY + timedelta(weeks=1), 1)])
    assert best.peak_active == 0.5
    pixels = decode_heatmap(activity_heatmap(best, messages_for("nl"), "UTC"))
    assert np.abs(cell_colour(pixels, 0, 1) - colourmap_rgb(1.0)).max() < 0.03
    assert np.abs(cell_colour(pixels, 6, 23) - np.array(colors.to_rgb(NO_DATA_COLOUR))).max() < 0.1


def test_heatmap_weekdays_start_on_monday() -> None:
    assert _weekday_names(messages_for("en")) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert _weekday_names(messages_for("nl")) == ["ma", "di", "wo", "do", "vr", "za", "zo"]
