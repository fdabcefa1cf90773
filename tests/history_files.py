"""A member's history as Pulse's own CSV format, for the tests and benchmarks that need big files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def many_posts_csv(likes_from: int, rows: int = 5_000) -> bytes:
    """`rows` posts over the last two years, every one different (likes count up from `likes_from`)."""
    today = datetime.now(UTC).date()
    lines = ["date,likes,comments,shares,saves,followers"]
    for n in range(rows):
        day = today - timedelta(days=1 + n % 700)
        lines.append(f"{day.isoformat()},{likes_from + n},{n % 40},{n % 20},{n % 9},{5_000 + n % 700}")
    return ("\n".join(lines) + "\n").encode()
