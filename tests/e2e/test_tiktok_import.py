"""TikTok's own analytics export through the stand-in Discord: /log import of the zip, /besttime, and the rest."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from matplotlib.image import imread

from tests.e2e.bot_process import BotProcess, shared_bot
from tests.e2e.stand_in import Reply, StandIn
from tests.tiktok_fixtures import (
    BOMB_MEMBER,
    CONTENT_HEADER,
    SAMPLE_HANDLE,
    SAMPLE_PEAK_UTC_HOUR,
    SAMPLE_PEAK_WEEKDAY,
    SAMPLE_VIDEOS,
    Cell,
    bomb_zip,
    content_csv,
    download_name,
    follower_activity_csv,
    sample_activity,
    sample_export,
    video_link,
    xlsx,
    zipped,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SERVER_ZONE = ZoneInfo("Europe/Amsterdam")  # the default when a server chose none
ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DUTCH_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """Imports and /besttime repeat within seconds by design: no cooldowns here."""
    with shared_bot(tmp_path_factory.mktemp("tiktok"), env={"COOLDOWN_SCALE": "0"}) as bot:
        yield bot


def upload(stand_in: StandIn, data: bytes, name: str) -> object:
    return stand_in.attachment(name, data, "application/zip")


def plain(reply: Reply) -> str:
    """Everything the member reads, with babel's narrow spaces (8:00 PM) as plain ones."""
    text = "\n".join([reply.text, *(message.text for message in reply.followups)])
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def entries(bot: BotProcess, user: object) -> str:
    footer = bot.invoke("history", user=user).embeds[0]["footer"]["text"]
    return footer.split(" · ")[1]


def local_peak(now: datetime) -> datetime:
    """The sample's peak hour as the server's clock shows it."""
    peak = next(
        hour
        for hour in sample_activity(now)
        if hour.weekday() == SAMPLE_PEAK_WEEKDAY and hour.hour == SAMPLE_PEAK_UTC_HOUR
    )
    return peak.astimezone(SERVER_ZONE)


def test_export_zip_gives_history_progress_leaderboard_and_best_time(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("potter")
    now = datetime.now(UTC)
    reply = pulse.invoke(
        "log import", {"file": upload(pulse.stand_in, sample_export(now), download_name(now))}, user=member
    )
    text = plain(reply)
    assert reply.deferred and reply.ephemeral, reply
    assert f"@{SAMPLE_HANDLE}" in text
    assert "Content.csv, FollowerHistory.csv, FollowerActivity.csv, Overview.csv" in text
    assert f"New posts: **{len(SAMPLE_VIDEOS)}**; posts whose figures grew: **0**" in text
    assert "Follower counts: **29** new, **0** corrected" in text
    assert "Follower activity: **168** hours" in text
    assert "TikTok's export has no saves" in text
    assert "no figures (“undefined”) for 1 video; it was left out" in text
    # 4 posts and 29 daily follower counts, nothing typed by hand.
    assert entries(pulse, member) == "33 entries, newest first"

    privacy = pulse.invoke("privacy show", user=member)
    assert (
        "4 posts · 29 follower counts" in privacy.text
        and "168 hours of follower activity from TikTok" in privacy.text
    )

    # /progress and the leaderboard take imported posts like any other.
    progress = pulse.invoke("progress", {"weeks": 8}, user=member)
    assert "progress.png" in progress.files
    assert "Posts" in progress.text or "posts" in progress.text
    newest = min(SAMPLE_VIDEOS, key=lambda v: v.days_ago)
    posted = (now - timedelta(days=newest.days_ago)).astimezone(SERVER_ZONE).date()
    year, week, _ = posted.isocalendar()
    board = pulse.invoke("leaderboard", {"week": f"{year}-W{week:02d}"}, user=member)
    assert f"<@{member.id}>" in board.embeds[0]["description"], board.embeds[0]

    best = pulse.invoke("besttime", user=member)
    assert best.deferred and best.ephemeral
    peak = local_peak(now)
    answer = plain(best)
    hour = peak.strftime("%-I:00 %p")
    assert f"most active on **{ENGLISH_DAYS[peak.weekday()]} around {hour}**" in answer, answer
    before = peak - timedelta(hours=1)
    assert f"**{ENGLISH_DAYS[before.weekday()]} around {before.strftime('%-I:00 %p')}**" in answer
    assert "Engagement on TikTok" in answer
    assert "reads the hours in TikTok's export as UTC" in answer and "Europe/Amsterdam" in answer
    png = best.files["best-time.png"]
    assert png.startswith(PNG_SIGNATURE)
    assert imread(io.BytesIO(png), format="png").shape[:2] == (420, 1000)
    assert best.embeds[0]["image"]["url"] == "attachment://best-time.png"

    dutch = pulse.invoke("besttime", user=member, locale="nl")
    answer = plain(dutch)
    assert f"het actiefst op **{DUTCH_DAYS[peak.weekday()]} rond {peak:%H:%M}**" in answer, answer
    assert "beste-tijd.png" in dutch.files

    # The same export again: nothing twice, nothing changed.
    again = pulse.invoke(
        "log import", {"file": upload(pulse.stand_in, sample_export(now), download_name(now))}, user=member
    )
    assert "Everything in this export is already in your history" in plain(again)
    assert entries(pulse, member) == "33 entries, newest first"


def test_dutch_export_for_a_dutch_member(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("pottenbakker")
    now = datetime.now(UTC)
    data = sample_export(now, language="nl")
    reply = pulse.invoke(
        "log import", {"file": upload(pulse.stand_in, data, "export.zip")}, user=member, locale="nl"
    )
    text = plain(reply)
    assert f"Nieuwe posts: **{len(SAMPLE_VIDEOS)}**" in text, text
    assert "Volgersactiviteit: **168** uur" in text
    assert "geen opgeslagen video's (saves)" in text
    assert "/beste-tijd" in text


def custom_id(reply: Reply, name: str) -> str:
    found = [c for c in reply.custom_ids if c.endswith(f":{name}")]
    assert len(found) == 1, f"no single {name!r} among {reply.custom_ids}"
    return found[0]


def one_video(handle: str, video_id: str, now: datetime) -> bytes:
    posted = now - timedelta(days=2)
    row: list[Cell] = [
        f"{now:%B} {now.day}",
        "Clip",
        video_link(video_id, handle),
        f"{posted:%B} {posted.day}",
        100,
        10,
        5,
        1_000,
    ]
    return zipped({"Content.csv": content_csv([row])})


def test_an_export_of_another_account_is_stored_only_after_confirming(pulse: BotProcess) -> None:
    member, stranger = pulse.stand_in.user("two-accounts"), pulse.stand_in.user("stranger")
    now = datetime.now(UTC)
    pulse.invoke("log followers", {"count": 2_000}, user=member)
    first = pulse.invoke(
        "log import",
        {"file": upload(pulse.stand_in, one_video("first.account", "11", now), "a.zip")},
        user=member,
    )
    assert "New posts: **1**" in plain(first)
    other = upload(pulse.stand_in, one_video("other.account", "22", now), "b.zip")
    asked = pulse.invoke("log import", {"file": other}, user=member)
    assert "This export is from another TikTok account" in plain(asked)
    assert "**@first.account**" in plain(asked) and "**@other.account**" in plain(asked)
    assert "Nothing is stored yet" in plain(asked)
    assert entries(pulse, member) == "2 entries, newest first"

    # Only the member may answer; cancelling stores nothing.
    refused = pulse.click(asked, custom_id(asked, "confirm"), user=stranger)
    assert refused.ephemeral and "Only the member who uploaded this export" in refused.text
    cancelled = pulse.click(asked, custom_id(asked, "cancel"), user=member)
    assert "Nothing imported" in plain(cancelled) and not cancelled.custom_ids
    assert entries(pulse, member) == "2 entries, newest first"

    again = pulse.invoke("log import", {"file": other}, user=member)
    confirmed = pulse.click(again, custom_id(again, "confirm"), user=member)
    assert "New posts: **1**" in plain(confirmed) and "@other.account" in plain(confirmed)
    assert entries(pulse, member) == "3 entries, newest first"
    # The member's account is now the new one: its next export goes straight in.
    later = pulse.invoke(
        "log import",
        {"file": upload(pulse.stand_in, one_video("other.account", "23", now), "c.zip")},
        user=member,
    )
    assert "New posts: **1**" in plain(later)


def test_a_zip_bomb_is_refused_and_nothing_is_stored(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("bomber")
    reply = pulse.invoke(
        "log import", {"file": upload(pulse.stand_in, bomb_zip(), "Overview.zip")}, user=member
    )
    text = plain(reply)
    assert reply.ephemeral
    assert f"“{BOMB_MEMBER}” in that archive unpacks to 1,024 MB; Pulse unpacks at most 1 MB" in text, text
    assert "Nothing logged yet" in pulse.invoke("history", user=member).text


def test_problems_name_the_file_and_row_and_store_nothing(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("typo-export")
    now = datetime.now(UTC)
    good: list[Cell] = [f"{now:%B} {now.day}", "Fine", video_link("31"), f"{now:%B} {now.day}", 10, 1, 1, 100]
    bad: list[Cell] = [f"{now:%B} {now.day}", "Broken", "https://example.com/x", "Smarch 40", -5, 1, 1, 100]
    data = zipped({"Content.csv": content_csv([good, bad])})
    reply = pulse.invoke(
        "log import", {"file": upload(pulse.stand_in, data, "export.zip")}, user=member, locale="nl"
    )
    text = plain(reply)
    assert "Niets geïmporteerd" in text
    assert "Content.csv, rij 3, kolom “Video link”: geen TikTok-videolink" in text, text
    assert "Content.csv, rij 3, kolom “Post time”" in text
    assert "Content.csv, rij 3, kolom “Total likes”: moet minstens 0 zijn" in text
    assert "Nog niets bijgehouden" in pulse.invoke("history", user=member, locale="nl").text


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en-US",
            (
                "general advice",
                "Engagement on TikTok",
                "How TikTok works",
                "Micro-influencers",
                "/log import",
            ),
        ),
        (
            "nl",
            (
                "algemeen advies",
                "Betrokkenheid op TikTok",
                "Hoe TikTok werkt",
                "Micro-influencers",
                "/noteer importeer",
            ),
        ),
    ],
)
def test_without_activity_besttime_gives_the_guides_general_advice(
    pulse: BotProcess, locale: str, expected: tuple[str, ...]
) -> None:
    member = pulse.stand_in.user(f"no-export-{locale}")
    reply = pulse.invoke("besttime", user=member, locale=locale)
    assert reply.type == 4 and reply.ephemeral and not reply.files
    text = plain(reply)
    for part in expected:
        assert part in text, (part, text)


def test_xlsx_files_of_tiktok_and_of_the_members_own_spreadsheet(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("excel")
    now = datetime.now(UTC)
    pulse.invoke("log followers", {"count": 3_000}, user=member)
    posted = now - timedelta(days=1)
    row: list[Cell] = [
        f"{now:%B} {now.day}",
        "Uit Excel",
        video_link("41"),
        f"{posted:%B} {posted.day}",
        300,
        30,
        3,
        4_000,
    ]
    tiktok = pulse.stand_in.attachment("Content.xlsx", xlsx(CONTENT_HEADER, [row]))
    reply = pulse.invoke("log import", {"file": tiktok}, user=member)
    assert "New posts: **1**" in plain(reply) and "files read: Content.xlsx" in plain(reply), plain(reply)
    own = xlsx(("datum", "likes", "reacties", "gedeeld", "volgers"), [["2026-01-05", 120, 12, 4, 2_900]])
    reply = pulse.invoke("log import", {"file": pulse.stand_in.attachment("mijn.xlsx", own)}, user=member)
    assert "Imported. Posts: **1**" in plain(reply), plain(reply)
    assert entries(pulse, member) == "3 entries, newest first"


def test_activity_with_nobody_online_has_no_peak_to_aim_for(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("quiet")
    day = datetime.now(UTC) - timedelta(days=2)
    rows: list[list[Cell]] = [[f"{day:%B} {day.day}", hour, 0] for hour in range(24)]
    data = zipped({"FollowerActivity.csv": follower_activity_csv(rows)})
    imported = pulse.invoke("log import", {"file": upload(pulse.stand_in, data, "activity.zip")}, user=member)
    assert "Follower activity: **24** hours" in plain(imported)
    reply = pulse.invoke("besttime", user=member)
    assert reply.deferred and not reply.files
    assert "shows nobody online at any hour yet" in plain(reply) and "How TikTok works" in plain(reply)
