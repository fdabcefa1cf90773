"""Privacy through the stand-in Discord: /privacy export and delete, per-member cooldowns on the heavy commands,
and a server's data deleted 30 days after Pulse was removed from it.

The data checks read the bot's database directly (SQLite or PostgreSQL, `BotProcess.db`): "nothing left names the
member" is a scan of every column of every table for the member's id.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.e2e.bot_process import BotProcess
from tests.e2e.stand_in import ADMIN_PERMISSIONS, Reply, Role, User

RETENTION = timedelta(days=30)
PURGE = "server_purge"
NOTE = "Zegt het zelf: alleen ’s nachts inspiratie"
CSV_HEADER = "date,likes,comments,shares,saves,views,followers,title"
# Titles with a comma, quotes and characters outside ASCII; a row without post numbers is a follower count.
HISTORY_CSV = (
    CSV_HEADER + "\r\n"
    '2025-10-01 18:30,1.200,80,40,30,25000,4100,"Café, croissants & ☕ — deel 2"\r\n'
    '2025-10-03,900,60,20,10,,4150,"Zoë zegt ""hallo"" in Kraków"\r\n'
    "2025-10-04,,,,,,4200,\r\n"
).encode()
POST_NUMBERS = "posted_at, likes, comments, shares, saves, views, followers, title"
NOT_YOURS = {
    "en": "Only the member who asked to delete their data can press this button.",
    "nl": "Alleen het lid dat vroeg om zijn gegevens te wissen, kan op deze knop drukken.",
}
COOLDOWN = {
    "en": "You just used {command}. To keep Pulse quick for everyone, you can use it again in {wait}.",
    "nl": "Je hebt {command} net gebruikt. Zodat Pulse voor iedereen snel blijft, kan dat weer over {wait}.",
}
SECONDS = {"en": ("second", "seconds"), "nl": ("seconde", "seconden")}
DELETED = (
    "Pulse deleted everything it kept about you on this server. Notes coaches wrote about you are gone too, and "
    "nothing left names you."
)


# --- reading the database -------------------------------------------------------------------------------


def rows_mentioning(bot: BotProcess, needle: int | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row, per table, with a column that holds `needle` (an id, also within text): what names it."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    text = str(needle)
    for table in bot.db.tables():
        # Compared as text here rather than in SQL, the same way on both backends (times read as their stored text).
        rows = [
            row
            for row in bot.db.fetch_all(f'SELECT * FROM "{table}"')
            if any(value is not None and text in str(value) for value in row)
        ]
        if rows:
            found[table] = rows
    return found


def history_of(
    bot: BotProcess, guild_id: int, user_id: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The member's posts (as /log import restores them) and follower counts, oldest first."""
    member = (guild_id, user_id)
    posts = bot.db.fetch_all(
        f"SELECT {POST_NUMBERS} FROM logged_posts WHERE guild_id = ? AND user_id = ? ORDER BY posted_at, id",
        member,
    )
    snapshots = bot.db.fetch_all(
        "SELECT taken_at, followers FROM follower_snapshots WHERE guild_id = ? AND user_id = ? ORDER BY taken_at, id",
        member,
    )
    return posts, snapshots


def purge_jobs(bot: BotProcess, guild_id: int) -> list[tuple[Any, ...]]:
    """The server's purge jobs: (id, due_at, state)."""
    return bot.db.fetch_all(
        "SELECT id, due_at, state FROM scheduled_jobs WHERE kind = ? AND guild_id = ? ORDER BY id",
        (PURGE, guild_id),
    )


def stored_moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


# --- driving the bot -------------------------------------------------------------------------------------


def clock(moment: datetime) -> dict[str, str]:
    return {"CLOCK_START": moment.isoformat()}


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def everything(reply: Reply) -> str:
    return "\n".join([reply.text, *(m.text for m in reply.followups)])


def files_of(reply: Reply) -> dict[str, bytes]:
    files = dict(reply.files)
    for message in reply.followups:
        files.update(message.files)
    return files


def field(reply: Reply, name: str) -> str | None:
    return next((f["value"] for e in reply.embeds for f in e.get("fields", []) if f["name"] == name), None)


def log_post(
    bot: BotProcess, user: User, likes: int = 300, views: int | None = None, followers: int = 5_000
) -> None:
    options = {"likes": likes, "comments": 40, "shares": 25, "saves": 15, "followers": followers, "log": True}
    if views is not None:
        options["views"] = views
    reply = bot.invoke("engagement post", options, user=user)
    assert reply.type == 4 and "Saved to your history" in reply.text, reply.text


def import_csv(bot: BotProcess, user: User, data: bytes, name: str = "history.csv", **kwargs: Any) -> Reply:
    return bot.invoke(
        "log import", {"file": bot.stand_in.attachment(name, data, "text/csv")}, user=user, **kwargs
    )


def cooldown_text(command: str, seconds: int, lang: str = "en") -> str:
    one, many = SECONDS[lang]
    return COOLDOWN[lang].format(command=command, wait=f"{seconds} {one if seconds == 1 else many}")


def cooldown_seconds(reply: Reply, command: str, lang: str = "en") -> int | None:
    """The seconds a cooldown answer asks to wait (its exact text checked), or None for another answer."""
    pattern = re.escape(COOLDOWN[lang]).replace(r"\{command\}", "(.+?)").replace(r"\{wait\}", r"(\d+) \w+")
    found = re.fullmatch(pattern, reply.content)
    if found is None:
        return None
    seconds = int(found[2])
    assert reply.type == 4 and reply.ephemeral, reply
    assert reply.content == cooldown_text(command, seconds, lang)
    return seconds


def coach_role(bot: BotProcess) -> Role:
    """The coach role of the shared bot's server, set up once."""
    stand_in = bot.stand_in
    if not hasattr(stand_in, "_coach_role"):
        role = stand_in.add_role("Coach")
        saved = bot.invoke("settings coaching", {"role": role}, permissions=ADMIN_PERMISSIONS)
        assert "Saved." in saved.text, saved.text
        stand_in._coach_role = role  # type: ignore[attr-defined]
    return stand_in._coach_role  # type: ignore[attr-defined]


def coach(bot: BotProcess, name: str) -> User:
    user = bot.stand_in.user(name)
    bot.stand_in.give_role(user, coach_role(bot))
    return user


def delete_buttons(reply: Reply, user: User, scope: str = "server") -> tuple[str, str, int]:
    """The Delete and Keep buttons under /privacy delete, and when Delete stops working (epoch seconds)."""
    pattern = re.compile(rf"privacy:delete:{user.id}:{scope}:(\d+)")
    deletes = [c for c in reply.custom_ids if pattern.fullmatch(c)]
    assert len(deletes) == 1 and f"privacy:keep:{user.id}" in reply.custom_ids, reply.custom_ids
    match = pattern.fullmatch(deletes[0])
    assert match is not None
    return deletes[0], f"privacy:keep:{user.id}", int(match[1])


# --- export, delete, import --------------------------------------------------------------------------------


def log_history(bot: BotProcess, member: User, looker: User) -> None:
    """A bit of everything for `member`: an imported CSV, posts, follower counts, a goal, a coach's note and look."""
    imported = import_csv(bot, member, HISTORY_CSV)
    assert "Imported. Posts: **2**; follower counts: **1**." in imported.text, imported.text
    log_post(bot, member, likes=300)
    log_post(bot, member, likes=1_234, views=48_000, followers=5_100)
    assert "**4,321 followers**" in bot.invoke("log followers", {"count": 4_321}, user=member).text
    by = (date.today() + timedelta(days=60)).isoformat()
    goal = bot.invoke("goal set", {"metric": "followers", "target": 6_000, "by": by}, user=member)
    assert "Goal set" in goal.text, goal.text
    noted = bot.invoke("coach note", {"member": member, "text": NOTE}, user=looker)
    assert noted.content.startswith(f"Note about <@{member.id}> saved."), noted.content
    assert bot.invoke("history", {"member": member}, user=looker).ephemeral


def test_export_then_delete_then_import_restores_the_history_exactly(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot = start_bot()
    stand_in, guild = bot.stand_in, bot.stand_in.guild.id
    member, looker = stand_in.user("exporter"), coach(bot, "privacycoach")
    log_history(bot, member, looker)
    original = history_of(bot, guild, member.id)
    assert (len(original[0]), len(original[1])) == (4, 2), original

    shown = bot.invoke("privacy show", user=member)
    assert shown.ephemeral
    assert (
        field(shown, "What Pulse keeps about you here")
        == "4 posts · 2 follower counts · 1 goal · 0 check-ins"
    )
    assert (
        field(shown, "Coach notes")
        == "This server's coaches keep 1 note about you. Its text is for coaches only."
    )
    assert (field(shown, "Who looked at your numbers") or "").startswith(
        f"<@{looker.id}> opened your history · <t:"
    )
    assert "deleted 30 days later" in (field(shown, "Your data, your call") or "")

    today = datetime.now(UTC).strftime("%Y%m%d")
    exported = bot.invoke("privacy export", user=member)
    assert exported.deferred and exported.ephemeral
    assert everything(exported).startswith("Here is everything Pulse keeps about you on this server.")
    files = files_of(exported)
    assert set(files) == {f"pulse-export-{today}.json", f"pulse-history-{guild}.csv"}, list(files)
    document = json.loads(files[f"pulse-export-{today}.json"])
    assert document["member_id"] == str(member.id) and document["scope"] == "server"
    [server] = document["servers"]
    assert (
        server["server_id"] == str(guild)
        and len(server["posts"]) == 4
        and len(server["follower_counts"]) == 2
    )
    assert server["coach_notes_about_you"] == 1
    assert server["viewed_by"][0]["viewer_id"] == str(looker.id)
    assert NOTE not in files[f"pulse-export-{today}.json"].decode()  # the note's text stays with coaches
    exported_csv = files[f"pulse-history-{guild}.csv"]
    assert exported_csv.decode().splitlines()[0] == CSV_HEADER
    again = bot.invoke("privacy export", user=member)
    assert again.ephemeral and again.content == (
        "You just used /privacy export. To keep Pulse quick for everyone, you can use it again in 10 min."
    )

    asked = bot.invoke("privacy delete", user=member)
    assert asked.ephemeral and asked.embeds[0]["title"] == "Delete your data"
    delete, _, expires = delete_buttons(asked, member)
    assert time.time() + 280 < expires <= time.time() + 301  # five minutes
    assert asked.embeds[0]["description"] == "\n\n".join(
        [
            "Pulse will delete everything it keeps about you on this server:",
            "4 posts · 2 follower counts · 1 goal · 0 check-ins",
            "This server's coaches keep 1 note about you. Its text is for coaches only.",
            "This cannot be undone. Want a copy first? Use `/privacy export` before you press the button.",
            f"The button works until <t:{expires}:R>.",
        ]
    )
    done = bot.click(asked, delete, user=member)
    assert done.type == 6 and done.ephemeral
    assert done.embeds[0]["title"] == "Your data is deleted"
    assert done.embeds[0]["description"] == DELETED + "\n\n4 posts · 2 follower counts · 1 goal · 0 check-ins"
    assert not done.custom_ids
    assert rows_mentioning(bot, member.id) == {}
    assert rows_mentioning(bot, NOTE) == {}
    assert "coaches" in rows_mentioning(bot, looker.id)  # the coach's own rows stay

    # The first import was moments ago; a restart forgives every cooldown (they live in memory only).
    again = import_csv(bot, member, exported_csv, f"pulse-history-{guild}.csv")
    assert cooldown_seconds(again, "/log import") is not None, again.text
    bot.stop()
    bot = start_bot()
    restored = import_csv(bot, member, exported_csv, f"pulse-history-{guild}.csv")
    assert "Imported. Posts: **4**; follower counts: **2**." in restored.text, restored.text
    assert history_of(bot, guild, member.id) == original


def test_only_the_member_who_asked_can_confirm_and_keep_deletes_nothing(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    owner, other = stand_in.user("deleter"), stand_in.user("prankster")
    log_post(pulse, owner)
    log_post(pulse, other)
    before = rows_mentioning(pulse, owner.id)
    assert set(before) >= {"logged_posts", "history_batches"}

    asked = pulse.invoke("privacy delete", user=owner, locale="nl")
    assert asked.ephemeral and asked.embeds[0]["title"] == "Je gegevens wissen"
    assert "Wis mijn gegevens hier" in asked.text and "Mijn gegevens houden" in asked.text
    delete, keep, _ = delete_buttons(asked, owner)
    for custom_id, lang, locale in ((delete, "nl", "nl"), (keep, "en", "en-US")):
        refused = pulse.click(asked, custom_id, user=other, locale=locale)
        assert refused.type == 4 and refused.ephemeral
        assert refused.content == NOT_YOURS[lang]
    assert rows_mentioning(pulse, owner.id) == before

    kept = pulse.click(asked, keep, user=owner, locale="nl")
    assert kept.type == 7 and kept.ephemeral
    assert kept.embeds[0]["description"] == "Er is niets gewist." and not kept.custom_ids
    assert rows_mentioning(pulse, owner.id) == before

    asked = pulse.invoke("privacy delete", {"scope": "all"}, user=owner)
    delete, _, _ = delete_buttons(asked, owner, "all")
    assert "Delete my data everywhere" in asked.text
    done = pulse.click(asked, delete, user=owner)
    assert done.type == 6 and done.embeds[0]["title"] == "Your data is deleted"
    assert rows_mentioning(pulse, owner.id) == {}
    assert history_of(pulse, stand_in.guild.id, other.id)[0]  # the other member's post stays
    nothing = pulse.invoke("privacy delete", user=owner)
    assert nothing.content == "Pulse keeps nothing about you on this server: there is nothing to delete."


def test_a_confirmation_survives_a_restart_and_expires_after_five_minutes(
    start_bot: Callable[..., BotProcess],
) -> None:
    bot = start_bot()
    member = bot.stand_in.user("hesitant")
    log_post(bot, member)
    asked = bot.invoke("privacy delete", user=member, locale="nl")
    delete, _, _ = delete_buttons(asked, member)
    bot.stop()

    bot = start_bot(env=clock(datetime.now(UTC) + timedelta(minutes=6)))
    expired = bot.click(asked, delete, user=member, locale="nl")
    assert expired.type == 7 and not expired.custom_ids
    assert expired.embeds[0]["description"] == (
        "Deze bevestiging is verlopen en er is niets gewist. "
        "Gebruik `/privacy verwijder` opnieuw als je het nog wilt."
    )
    assert history_of(bot, bot.stand_in.guild.id, member.id)[0]


# --- cooldowns ---------------------------------------------------------------------------------------------


def test_a_second_progress_within_15_seconds_waits_in_the_members_language(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    members = {"en": stand_in.user("quick"), "nl": stand_in.user("snel")}
    bystander = stand_in.user("bystander")
    for user in (*members.values(), bystander):
        log_post(pulse, user)

    for lang, user in members.items():
        locale = "en-US" if lang == "en" else "nl"
        started = time.monotonic()
        first = pulse.invoke("progress", user=user, locale=locale)
        assert first.deferred and cooldown_seconds(first, "/progress", lang) is None
        assert "over 1 post" in first.text, first.text  # "over" is Dutch too
        second = pulse.invoke("progress", user=user, locale=locale)
        command = "/progress" if lang == "en" else "/voortgang"
        wait = cooldown_seconds(second, command, lang)
        assert wait is not None, second.text
        assert 15 - (time.monotonic() - started) - 1 <= wait <= 15
        assert not second.files

    report = pulse.invoke("progress", user=bystander)
    assert report.deferred and "over 1 post" in report.text and report.files


def test_a_refused_file_gives_the_import_turn_back(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("retrier")
    latin = (CSV_HEADER + "\n2025-03-01,1,1,1,1,,100,Café\n").encode("cp1252")
    assert "not UTF-8" in everything(import_csv(pulse, member, latin))
    typo = (CSV_HEADER + "\n2025-03-01,3oo,1,1,1,,100,\n").encode()
    assert "Row 2, column “likes”: not a whole number" in everything(import_csv(pulse, member, typo))
    imported = import_csv(pulse, member, HISTORY_CSV)
    assert "Imported. Posts: **2**; follower counts: **1**." in imported.text, imported.text
    wait = cooldown_seconds(import_csv(pulse, member, HISTORY_CSV), "/log import")
    assert wait is not None and 25 <= wait <= 30


def test_ask_takes_three_questions_per_half_minute(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("curious")
    for _ in range(3):
        answered = pulse.invoke("ask", {"question": "how do hashtags work"}, user=member)
        assert cooldown_seconds(answered, "/ask") is None, answered.text
    wait = cooldown_seconds(pulse.invoke("ask", {"question": "and hooks?"}, user=member), "/ask")
    assert wait is not None and 25 <= wait <= 30
    other = pulse.invoke("ask", {"question": "how do hashtags work"}, user=pulse.stand_in.user("curious2"))
    assert cooldown_seconds(other, "/ask") is None


def test_one_members_flood_does_not_slow_anyone_else(pulse: BotProcess) -> None:
    stand_in = pulse.stand_in
    flooder, calm = stand_in.user("flooder"), stand_in.user("calm")
    others = [stand_in.user(f"p{i}") for i in range(3)]
    for user in (flooder, calm, *others):
        log_post(pulse, user)
    uploads = [stand_in.attachment("flood.csv", HISTORY_CSV, "text/csv") for _ in range(10)]

    with ThreadPoolExecutor(max_workers=40) as pool:
        progress = [pool.submit(pulse.invoke, "progress", {"weeks": 104}, user=flooder) for _ in range(30)]
        imports = [pool.submit(pulse.invoke, "log import", {"file": f}, user=flooder) for f in uploads]
        # Meanwhile, other members go about their business, each answered in time (the stand-in's 3 s).
        for likes in (100, 200, 300):
            log_post(pulse, calm, likes=likes)
        assert "over 4 posts" in pulse.invoke("progress", user=calm).text
        assert cooldown_seconds(pulse.invoke("progress", user=calm), "/progress") is not None
        assert "4 entries" in pulse.invoke("history", user=calm).text
        for user in others:
            assert "over 1 post" in pulse.invoke("progress", user=user).text
        progress_replies = [f.result() for f in progress]
        import_replies = [f.result() for f in imports]

    for replies, command, answer in (
        (progress_replies, "/progress", "over 1 post"),
        (import_replies, "/log import", "Imported. Posts: **2**; follower counts: **1**."),
    ):
        waits = [cooldown_seconds(r, command) for r in replies]
        real = [r for r, w in zip(replies, waits, strict=True) if w is None]
        assert len(real) == 1, [r.text for r in real]
        assert answer in real[0].text, real[0].text
    posts, snapshots = history_of(pulse, stand_in.guild.id, flooder.id)
    assert (len(posts), len(snapshots)) == (3, 1)


# --- a server's data after Pulse was removed ---------------------------------------------------------------

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# discord.py holds back `ready` until 2 s pass without another GUILD_CREATE; until then a server given back is
# "available" rather than "joined", and only at `ready` does Pulse reconcile and plan its servers' jobs.
READY_DELAY = 2.5


def start_ready(start_bot: Callable[..., BotProcess], moment: datetime) -> tuple[BotProcess, float]:
    """A bot whose clock starts at `moment`, and the monotonic time by which discord.py will be ready."""
    bot = start_bot(env=clock(moment))
    return bot, time.monotonic() + READY_DELAY


def wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def fill_server(bot: BotProcess) -> set[str]:
    """A server where Pulse keeps a bit of everything; returns the tables holding its rows."""
    stand_in = bot.stand_in
    member, looker = stand_in.user("kept"), stand_in.user("lookingcoach")
    role, channel = stand_in.add_role("Coach"), stand_in.add_channel("coaching")
    stand_in.give_role(looker, role)
    for command, options in (
        ("settings coaching", {"role": role, "channel": channel}),
        ("settings leaderboard", {"channel": stand_in.general}),
    ):
        assert "Saved." in bot.invoke(command, options, permissions=ADMIN_PERMISSIONS).text
    log_post(bot, member)
    bot.invoke("log followers", {"count": 5_050}, user=member)
    bot.invoke("goal set", {"metric": "followers", "target": 6_000, "by": "2026-06-01"}, user=member)
    bot.invoke("privacy leaderboard", {"mode": "anonymous"}, user=member)
    bot.invoke("checkin", user=member)
    bot.invoke("coach note", {"member": member, "text": NOTE}, user=looker)
    bot.invoke("history", {"member": member}, user=looker)
    tables = set(rows_mentioning(bot, stand_in.guild.id))
    assert tables >= {
        "logged_posts",
        "follower_snapshots",
        "history_batches",
        "goals",
        "member_privacy",
        "server_settings",
        "settings_changes",
        "coaches",
        "checkin_threads",
        "checkins",
        "coach_notes",
        "data_views",
        "scheduled_jobs",
    }, tables
    return tables


def planned_purge(bot: BotProcess, noticed: datetime, began: float) -> tuple[int, str]:
    """Wait for the server's one purge job; it is due 30 days after Pulse noticed (between `noticed`, its clock
    then, and that plus the seconds since `began`). Returns its id and due_at."""
    guild = bot.stand_in.guild.id
    [(job_id, due_at, state)] = wait_for(lambda: purge_jobs(bot, guild), 10, "a purge job")
    assert state == "pending"
    late = timedelta(seconds=time.monotonic() - began)
    assert noticed + RETENTION <= stored_moment(due_at) <= noticed + RETENTION + late, due_at
    bot.wait_for_log(rf"Pulse was removed from guild {guild}; its data will be deleted at ")
    return job_id, due_at


def purged(bot: BotProcess, job_id: int) -> None:
    """The purge ran: of the server, only the job that did it is left, anywhere in the database."""
    guild = bot.stand_in.guild.id
    wait_for(lambda: purge_jobs(bot, guild)[0][2] == "done", 15, "the purge to be done")
    bot.wait_for_log(rf"deleted \d+ rows of guild {guild}, 30 days after Pulse was removed")
    left = rows_mentioning(bot, guild)
    assert list(left) == ["scheduled_jobs"] and [row[0] for row in left["scheduled_jobs"]] == [job_id], left


def test_server_data_is_deleted_30_days_after_pulse_was_removed(start_bot: Callable[..., BotProcess]) -> None:
    began = time.monotonic()  # the bot's clock shows START a moment later
    bot, ready_by = start_ready(start_bot, START)
    guild = bot.stand_in.guild.id
    fill_server(bot)
    wait_until(ready_by)
    bot.stand_in.remove_bot()
    job_id, _ = planned_purge(bot, START, began)
    # Pulse's weekly work for the server stops with it.
    pending = bot.db.fetch_all(
        "SELECT kind FROM scheduled_jobs WHERE guild_id = ? AND state = 'pending'", (guild,)
    )
    assert pending == [(PURGE,)]
    bot.stop()

    bot = start_bot(env=clock(START + RETENTION + timedelta(minutes=1)))  # still removed: READY without it
    purged(bot, job_id)


def test_adding_pulse_back_keeps_the_data(start_bot: Callable[..., BotProcess]) -> None:
    bot, ready_by = start_ready(start_bot, START)
    stand_in, guild = bot.stand_in, bot.stand_in.guild.id
    filled = fill_server(bot)
    wait_until(ready_by)
    stand_in.remove_bot()
    wait_for(lambda: purge_jobs(bot, guild), 10, "a purge job")
    stand_in.add_bot()
    bot.wait_for_log(rf"Pulse was added back to guild {guild}; its data stays")
    assert purge_jobs(bot, guild) == []
    bot.stop()

    restart = START + RETENTION + timedelta(days=1)
    bot = start_bot(env=clock(restart))
    # At `ready` Pulse reconciles, then replans the weekly leaderboard from the restart on: wait for that.
    wait_for(
        lambda: bot.db.fetch_all(
            "SELECT 1 FROM scheduled_jobs WHERE guild_id = ? AND kind = 'leaderboard' AND due_at > ?",
            (guild, restart.strftime("%Y-%m-%dT%H:%M:%S.%fZ")),
        ),
        10,
        "the leaderboard to be replanned",
    )
    log_post(bot, stand_in.user("after"))  # Pulse works in the server as before
    assert purge_jobs(bot, guild) == []
    assert set(rows_mentioning(bot, guild)) >= filled


def test_a_removal_while_pulse_was_down_is_noticed_at_start(start_bot: Callable[..., BotProcess]) -> None:
    bot = start_bot(env=clock(START))
    stand_in = bot.stand_in
    log_post(bot, stand_in.user("early"))
    bot.stop()
    stand_in.remove_bot()

    restarted = START + timedelta(days=2)
    began = time.monotonic()
    bot = start_bot(env=clock(restarted))
    job_id, due_at = planned_purge(bot, restarted, began)
    bot.stop()

    # Another start, when that plan is due, keeps it (no new date 30 days on) and carries it out.
    bot = start_bot(env=clock(stored_moment(due_at) + timedelta(seconds=30)))
    purged(bot, job_id)
    assert purge_jobs(bot, stand_in.guild.id) == [(job_id, due_at, "done")]
