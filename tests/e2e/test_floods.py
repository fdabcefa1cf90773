"""One member's floods through the stand-in Discord: nobody else's first answer waits for them.

The bot here runs without cooldowns (COOLDOWN_SCALE=0), so every flooded command gets past them: what keeps others
answered is the one-at-a-time rule, the short import transaction, deferring before a busy write and the fair work
pool. Each `invoke` fails with NoReply when the bot's first response does not come within Discord's 3 s.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from bot.settings import sqlite_path
from tests.e2e.bot_process import BotProcess, shared_bot
from tests.e2e.stand_in import Reply, User
from tests.history_files import many_posts_csv

GUIDE_POST = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5_000}
ROWS = 5_000
STILL_IMPORTING = {
    "en-US": "Your previous import is still running. Its answer follows in a moment; start the next import after that.",
    "nl": "Je vorige import loopt nog. Het antwoord volgt zo; start de volgende import daarna.",
}
STILL_DRAWING = {
    "en-US": "Your previous chart is still being drawn. It follows in a moment; ask for the next one after that.",
    "nl": "Je vorige grafiek wordt nog getekend. Die volgt zo; vraag de volgende daarna.",
}
SAVED_POST = "Saved to your history."
IMPORTED = {
    "en-US": "Imported. Posts: **5,000**; follower counts: **0**.",
    "nl": "Geïmporteerd. Posts: **5.000**; volgerstanden: **0**.",
}
NOTHING_NEW = {
    "en-US": "Every row of this file is already in your history; nothing new was stored.",
    "nl": "Elke rij van dit bestand staat al in je geschiedenis; er is niets nieuws bewaard.",
}


# SQLite gives up on a locked database after its busy_timeout of 5 s; PostgreSQL is told the same limit.
GIVE_UP_SECONDS = 5


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """No cooldowns: the floods below must reach the bot to show that they delay nobody else."""
    env = {"COOLDOWN_SCALE": "0", "DATABASE_STATEMENT_TIMEOUT": str(GIVE_UP_SECONDS)}
    with shared_bot(tmp_path_factory.mktemp("floods"), env=env) as bot:
        yield bot


def rows_of(bot: BotProcess, table: str, user: User) -> int:
    found = bot.db.fetch_one(
        f"SELECT count(*) FROM {table} WHERE guild_id = ? AND user_id = ?", (bot.stand_in.guild.id, user.id)
    )
    assert found is not None
    return int(found[0])


def imports_of(bot: BotProcess, user: User) -> int:
    found = bot.db.fetch_one(
        "SELECT count(*) FROM history_batches WHERE guild_id = ? AND user_id = ? AND kind = 'import'",
        (bot.stand_in.guild.id, user.id),
    )
    assert found is not None
    return int(found[0])


def callbacks(bot: BotProcess) -> int:
    """Interaction responses the bot has sent so far."""
    return len(bot.stand_in.requests_to("POST", r"/interactions/\d+/[^/]+/callback"))


def wait_for(condition: Callable[[], bool], what: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {within} s"
        time.sleep(0.02)


@contextmanager
def writes_held(bot: BotProcess) -> Iterator[None]:
    """Another process holds the database's write lock until the block ends: the bot's writes wait for it.

    SQLite: a write transaction on the file (the bot's writer waits up to its busy_timeout of 5 s). PostgreSQL:
    history_batches locked against changes, which every history write makes first; reads go on.
    """
    url = bot.database_url
    if url.startswith("sqlite"):
        conn = sqlite3.connect(sqlite_path(url), isolation_level=None, timeout=10)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    locked, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    async def hold() -> None:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            async with conn.transaction():
                await conn.execute("LOCK TABLE history_batches IN EXCLUSIVE MODE")
                locked.set()
                await asyncio.get_running_loop().run_in_executor(None, release.wait)
        finally:
            await conn.close()

    def run() -> None:
        try:
            asyncio.run(hold())
        except BaseException as exc:
            failure.append(exc)
            locked.set()

    holder = threading.Thread(target=run, name="lock-holder")
    holder.start()
    assert locked.wait(10) and not failure, failure
    try:
        yield
    finally:
        release.set()
        holder.join(10)


# Past Discord's 3 s: an answer that waited for the lock without deferring first would come too late.
HELD_SECONDS = 3.5


def test_first_answers_do_not_wait_for_writes_held_elsewhere(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    posters = [stand_in.user(f"held-poster{n}") for n in range(3)]
    counters = [stand_in.user(f"held-counter{n}") for n in range(3)]
    with ThreadPoolExecutor(max_workers=8) as pool, writes_held(pulse):
        posts = [
            pool.submit(
                pulse.invoke, "engagement post", {**GUIDE_POST, "likes": 100 + n, "log": True}, user=u
            )
            for n, u in enumerate(posters)
        ]
        counts = [
            pool.submit(pulse.invoke, "log followers", {"count": 4_000 + n}, user=u, locale="nl")
            for n, u in enumerate(counters)
        ]
        time.sleep(HELD_SECONDS)
    post_replies = [f.result() for f in posts]
    count_replies = [f.result() for f in counts]

    # Deferred (publicly for the post, privately for the count), then the whole answer in place of "thinking".
    # (100 + n + 40 + 25 + 15) / 5 000 for n = 0, 1, 2
    for rate, reply in zip(("**3.6%**", "**3.62%**", "**3.64%**"), post_replies, strict=True):
        assert (reply.type, reply.ephemeral, len(reply.embeds), reply.followups) == (5, False, 1, ()), reply
        assert rate in reply.text and SAVED_POST in reply.text, reply.text
    for n, reply in enumerate(count_replies):
        assert (reply.type, reply.ephemeral) == (5, True), reply
        assert reply.content.startswith(f"Bewaard: **4.00{n} volgers** op "), reply.content
    # Every entry stored once: nobody was left without an answer to try again.
    assert [rows_of(pulse, "logged_posts", u) for u in posters] == [1, 1, 1]
    assert [rows_of(pulse, "follower_snapshots", u) for u in counters] == [1, 1, 1]

    # With nothing held, the answer is one response, as ever.
    again = pulse.invoke("engagement post", {**GUIDE_POST, "log": True}, user=posters[0])
    assert (again.type, again.ephemeral, again.followups) == (4, False, ())
    assert SAVED_POST in again.text
    count = pulse.invoke("log followers", {"count": 4_100}, user=counters[0])
    assert (count.type, count.ephemeral) == (4, True)
    assert count.content.startswith("Saved: **4,100 followers** on ")


def test_a_write_that_fails_after_the_deferral_is_told_only_to_the_member(pulse: BotProcess) -> None:
    poster = pulse.stand_in.user("held-too-long")
    options = {**GUIDE_POST, "log": True}
    with ThreadPoolExecutor(max_workers=1) as pool, writes_held(pulse):
        posted = pool.submit(pulse.invoke, "engagement post", options, user=poster, timeout=20)
        time.sleep(GIVE_UP_SECONDS + 1.5)
    reply = posted.result()
    # Deferred publicly; the failure replaces nothing in the channel: "thinking" is removed, the error private.
    assert reply.type == 5 and reply.message is None, reply
    assert [
        (m.ephemeral, m.content.startswith("Something went wrong on our side.")) for m in reply.followups
    ] == [(True, True)], [m.content for m in reply.followups]
    assert SAVED_POST not in reply.followups[0].text
    assert rows_of(pulse, "logged_posts", poster) == 0


def test_a_second_import_while_the_first_runs_is_refused_at_once(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    member = stand_in.user("double-importer")
    upload = stand_in.attachment("posts.csv", many_posts_csv(10_000, rows=50), "text/csv")
    with ThreadPoolExecutor(max_workers=1) as pool, writes_held(pulse):
        before = callbacks(pulse)
        first = pool.submit(pulse.invoke, "log import", {"file": upload}, user=member, timeout=30)
        # Its deferral is sent from within the one-at-a-time turn: from then on the import is under way.
        wait_for(lambda: callbacks(pulse) > before, "the first import's deferral")
        for locale in ("en-US", "nl"):
            second = pulse.invoke("log import", {"file": upload}, user=member, locale=locale)
            assert (second.type, second.ephemeral, second.content) == (4, True, STILL_IMPORTING[locale])
        assert not first.done()
    done = first.result()
    assert done.deferred and "Imported. Posts: **50**" in done.text, done.text
    assert (rows_of(pulse, "logged_posts", member), imports_of(pulse, member)) == (50, 1)
    # Once it is over, the member may import again.
    again = pulse.invoke("log import", {"file": upload}, user=member)
    assert NOTHING_NEW["en-US"] in again.text


def test_a_flood_of_big_imports_delays_no_one_elses_answer(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    flooder = stand_in.user("import-flooder")
    seeded = pulse.invoke(
        "log import",
        {"file": stand_in.attachment("old.csv", many_posts_csv(0), "text/csv")},
        user=flooder,
        timeout=60,
    )
    assert IMPORTED["en-US"] in seeded.text, seeded.text
    flood_file = many_posts_csv(ROWS)  # 5 000 new rows against a history of 5 000
    uploads = [stand_in.attachment("flood.csv", flood_file, "text/csv") for _ in range(40)]
    posters = [stand_in.user(f"busy-poster{n}") for n in range(4)]
    counters = [stand_in.user(f"busy-counter{n}") for n in range(4)]

    with ThreadPoolExecutor(max_workers=len(uploads) + 8) as pool:
        flood = [
            pool.submit(
                pulse.invoke,
                "log import",
                {"file": f},
                user=flooder,
                locale=("nl" if n % 2 else "en-US"),
                timeout=60,
            )
            for n, f in enumerate(uploads)
        ]
        posted: list[Future[Reply]] = []
        counted: list[Future[Reply]] = []
        for n, (poster, counter) in enumerate(zip(posters, counters, strict=True)):
            options = {**GUIDE_POST, "likes": 200 + n, "log": True}
            posted.append(pool.submit(pulse.invoke, "engagement post", options, user=poster))
            counted.append(pool.submit(pulse.invoke, "log followers", {"count": 6_000 + n}, user=counter))
        # Each of these raises NoReply if its first response missed Discord's 3 s.
        post_replies = [f.result() for f in posted]
        count_replies = [f.result() for f in counted]
        flood_replies = [f.result() for f in flood]

    for reply in post_replies:
        assert SAVED_POST in reply.text and not reply.ephemeral, reply.text
    for n, reply in enumerate(count_replies):
        assert reply.content.startswith(f"Saved: **6,00{n} followers** on ") and reply.ephemeral, reply.text
    # Each stored exactly once.
    assert [rows_of(pulse, "logged_posts", u) for u in posters] == [1] * len(posters)
    assert [rows_of(pulse, "follower_snapshots", u) for u in counters] == [1] * len(counters)

    refused = [r for r in flood_replies if r.type == 4]
    ran = [r for r in flood_replies if r.type == 5]
    assert len(refused) + len(ran) == len(uploads)
    for reply in refused:
        assert reply.ephemeral and reply.content in STILL_IMPORTING.values(), reply.text
    assert refused, "every import of the flood ran: none was refused while another was under way"
    # Exactly one stored the file; any that ran after it found nothing new. Nothing was stored twice.
    stored, found_nothing_new = (
        [r for r in ran if any(text in r.text for text in answers.values())]
        for answers in (IMPORTED, NOTHING_NEW)
    )
    assert (len(stored), len(stored) + len(found_nothing_new)) == (1, len(ran)), [r.text for r in ran]
    assert rows_of(pulse, "logged_posts", flooder) == 2 * ROWS
    assert imports_of(pulse, flooder) == 2


def two_years_csv() -> bytes:
    today = datetime.now(UTC).date()
    lines = ["date,likes,comments,shares,saves,followers"]
    for day in range(730, 0, -1):
        moment = (today - timedelta(days=day)).isoformat()
        lines.append(
            f"{moment},{200 + (day * 37) % 150},{20 + day % 7},{10 + day % 5},{5 + day % 3},{12_000 - 5 * day}"
        )
    return ("\n".join(lines) + "\n").encode()


def test_a_flood_of_big_charts_delays_no_one_elses_chart(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    flooder, calm = stand_in.user("chart-flooder"), stand_in.user("chart-calm")
    upload = stand_in.attachment("two_years.csv", two_years_csv(), "text/csv")
    assert "Posts: **730**" in pulse.invoke("log import", {"file": upload}, user=flooder, timeout=30).text
    assert SAVED_POST in pulse.invoke("engagement post", {**GUIDE_POST, "log": True}, user=calm).text

    with ThreadPoolExecutor(max_workers=100) as pool:
        flood = [
            pool.submit(
                pulse.invoke,
                "progress",
                {"weeks": 104},
                user=flooder,
                locale=("nl" if n % 2 else "en-US"),
                timeout=60,
            )
            for n in range(100)
        ]
        # Meanwhile the calm member's chart is drawn and sent within the stand-in's usual 10 s.
        mine = pulse.invoke("progress", user=calm)
        flood_replies = [f.result() for f in flood]

    assert mine.deferred and "over 1 post" in mine.text and "progress.png" in mine.files, mine.text
    charts = [r for r in flood_replies if r.files]
    refused = [r for r in flood_replies if not r.files]
    assert charts, "no chart of the flood was drawn"
    assert all(
        r.deferred and r.ephemeral and list(r.files) in (["progress.png"], ["voortgang.png"]) for r in charts
    )
    assert refused, "every chart of the flood was drawn: none was refused while another was under way"
    for reply in refused:
        assert (reply.type, reply.ephemeral) == (4, True)
        assert reply.content in STILL_DRAWING.values(), reply.text
    assert {r.content for r in refused} == set(STILL_DRAWING.values())


# --- the /history menu and upload sizes, against forged or borderline input ----------------------------------


def test_a_forged_entry_id_in_the_delete_menu_is_gone_not_an_error(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("forger")
    assert SAVED_POST in pulse.invoke("engagement post", {**GUIDE_POST, "log": True}, user=member).text
    history = pulse.invoke("history", user=member)
    assert "Page 1 of 1 · 1 entry" in history.text, history.text
    select = next(c for c in history.custom_ids if c.endswith(":delete"))
    for forged in ("post:99999999999999999999999", "post:9223372036854775808", "followers:²", "post:0"):
        answer = pulse.click(history, select, values=[forged], user=member)
        assert answer.type == 7 and "That entry was already gone." in answer.text, (forged, answer.text)
        assert "Page 1 of 1 · 1 entry" in answer.text
    assert rows_of(pulse, "logged_posts", member) == 1


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en-US", "That file is 1.01 MB; Pulse reads CSV files up to 1 MB."),
        ("nl", "Dat bestand is 1,01 MB; Pulse leest CSV-bestanden tot 1 MB."),
    ],
)
def test_a_file_just_over_the_limit_does_not_read_as_the_limit(
    pulse: BotProcess, locale: str, expected: str
) -> None:
    # One byte over 1 MB (refused by the size Discord states, before downloading).
    data = (b"date,followers\n" + b"2025-03-01,100\n" * 70_000)[: 1024 * 1024 + 1]
    upload = pulse.stand_in.attachment("edge.csv", data, "text/csv")
    reply = pulse.invoke("log import", {"file": upload}, user=pulse.stand_in.user("edge"), locale=locale)
    assert (reply.type, reply.ephemeral, reply.content) == (4, True, expected)
