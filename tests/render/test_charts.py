"""The /progress chart is a real PNG that shows the member's data."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from matplotlib import colors
from matplotlib.image import imread

from bot.domain.history import FollowerSnapshot, LoggedPost
from bot.domain.progress import progress_report
from bot.i18n import messages_for
from bot.render.charts import (
    DPI,
    FOLLOWERS_COLOUR,
    HEIGHT_PX,
    RATE_COLOUR,
    RATING_ALPHA,
    RATING_COLOURS,
    ROLLING_COLOUR,
    WIDTH_PX,
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


def shaded(colour: str) -> str:
    """A rating colour as it looks on the white background at the band alpha."""
    rgb = np.array(colors.to_rgb(colour))
    return colors.to_hex(rgb * RATING_ALPHA + (1 - RATING_ALPHA))


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
    blended_marker = colors.to_hex(np.array(colors.to_rgb(RATE_COLOUR)) * 0.7 + 0.3 * np.array([1, 1, 1]))
    assert count_near(pixels, blended_marker, tolerance=0.15) > 300
    # 12 000 followers: band 10k–50k. Every rating's shade is visible.
    assert report.band is not None and report.band.key == "10k-50k"
    for colour in RATING_COLOURS.values():
        assert count_near(pixels, shaded(colour), tolerance=0.02) > 1000, colour


def test_empty_chart_has_no_data_drawn() -> None:
    pixels = decode(progress_chart(progress_report([], [], NOW), messages_for("nl")))
    assert count_near(pixels, ROLLING_COLOUR) < 5
    assert count_near(pixels, FOLLOWERS_COLOUR) < 5
    assert count_near(pixels, shaded(RATING_COLOURS["low"]), tolerance=0.02) == 0


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
def test_two_years_of_daily_posts(lang: str) -> None:
    report = progress_report(daily_posts(730), [], NOW, weeks=104)
    assert len(report.points) == 728
    pixels = decode(progress_chart(report, messages_for(lang)))  # type: ignore[arg-type]
    assert count_near(pixels, ROLLING_COLOUR) > 500


def test_languages_differ() -> None:
    report = progress_report(daily_posts(20), [], NOW)
    assert progress_chart(report, messages_for("nl")) != progress_chart(report, messages_for("en"))
